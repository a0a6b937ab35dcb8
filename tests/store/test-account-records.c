/* test-account-records.c: the small records kept per account (the server's
 * SIZE, the UIDs announced by background checks)
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-seen-uids.h"
#include "mw-size-limit.h"
#include "mw-store-test-util.h"

#include <glib/gstdio.h>

static char *
record_path (const char *account_id,
             const char *name)
{
  return g_build_filename (g_get_user_data_dir (), "mailwire", "accounts", account_id, name, NULL);
}

static guint64
load_size (const char *account_id)
{
  GAsyncResult *result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) done = NULL;
  guint64 size;

  mw_size_limit_load_async (account_id, NULL, mw_test_result_cb, &result);
  done = mw_test_wait (&result);
  size = mw_size_limit_load_finish (done, &error);
  g_assert_no_error (error);
  return size;
}

static void
save_size (const char *account_id,
           guint64     size)
{
  GAsyncResult *result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) done = NULL;

  mw_size_limit_save_async (account_id, size, NULL, mw_test_result_cb, &result);
  done = mw_test_wait (&result);
  g_assert_true (mw_size_limit_save_finish (done, &error));
  g_assert_no_error (error);
}

static void
test_size_limit (void)
{
  g_autofree char *path = record_path ("ada", "smtp-size");

  /* Nothing known before the first session. */
  g_assert_cmpuint (load_size ("ada"), ==, 0);

  save_size ("ada", 52428800);
  g_assert_cmpuint (load_size ("ada"), ==, 52428800);
  save_size ("ada", 0);
  g_assert_cmpuint (load_size ("ada"), ==, 0);

  /* A damaged record means nothing is known. */
  g_assert_true (g_file_set_contents (path, "lots\n", -1, NULL));
  g_assert_cmpuint (load_size ("ada"), ==, 0);
  g_assert_true (g_file_set_contents (path, "123456789012345678901234567890\n", -1, NULL));
  g_assert_cmpuint (load_size ("ada"), ==, 0);
}

static GHashTable *
load_seen (const char *account_id)
{
  GAsyncResult *result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) done = NULL;
  GHashTable *seen;

  mw_seen_uids_load_async (account_id, NULL, mw_test_result_cb, &result);
  done = mw_test_wait (&result);
  seen = mw_seen_uids_load_finish (done, &error);
  g_assert_no_error (error);
  g_assert_nonnull (seen);
  return seen;
}

static void
test_seen_uids (void)
{
  g_autofree char *path = record_path ("bob", "seen-uids");
  g_autoptr (GHashTable) empty = load_seen ("bob");
  g_autoptr (GHashTable) seen = NULL;
  g_autoptr (GHashTable) damaged = NULL;
  const char   *uids[] = { "00000001u5f3a", "whqtswO00WBw418f9t5JxYwZ", NULL };
  GAsyncResult *result = NULL;
  g_autoptr (GAsyncResult) done = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (g_hash_table_size (empty), ==, 0);

  mw_seen_uids_save_async ("bob", uids, NULL, mw_test_result_cb, &result);
  done = mw_test_wait (&result);
  g_assert_true (mw_seen_uids_save_finish (done, &error));
  g_assert_no_error (error);
  seen = load_seen ("bob");
  g_assert_cmpuint (g_hash_table_size (seen), ==, 2);
  g_assert_true (g_hash_table_contains (seen, uids[0]));
  g_assert_true (g_hash_table_contains (seen, uids[1]));

  /* A line that is no UID (a space, a control character) is skipped. */
  g_assert_true (g_file_set_contents (path, "good-uid\nnot a uid\n\x01\nother\n", -1, NULL));
  damaged = load_seen ("bob");
  g_assert_cmpuint (g_hash_table_size (damaged), ==, 2);
  g_assert_true (g_hash_table_contains (damaged, "good-uid"));
  g_assert_true (g_hash_table_contains (damaged, "other"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/account-records/size-limit", test_size_limit);
  g_test_add_func ("/store/account-records/seen-uids", test_seen_uids);

  return g_test_run ();
}
