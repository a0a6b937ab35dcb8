/* test-uid-index.c
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-maildir.h"
#include "mw-maildir-private.h"
#include "mw-store-error.h"
#include "mw-uid-index.h"

#include "mw-store-test-util.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#define DAY (24 * 60 * 60)
#define NOW ((gint64) 1767225600) /* 2026-01-01 */

static char *
index_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "acct", "uid-index", NULL);
}

static gboolean
load (MwUidIndex *index,
      GError    **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  GAsyncResult *pending = NULL;

  mw_uid_index_load_async (index, NULL, mw_test_result_cb, &pending);
  result = mw_test_wait (&pending);
  return mw_uid_index_load_finish (index, result, error);
}

static gboolean
save (MwUidIndex *index,
      GError    **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  GAsyncResult *pending = NULL;

  mw_uid_index_save_async (index, NULL, mw_test_result_cb, &pending);
  result = mw_test_wait (&pending);
  return mw_uid_index_save_finish (index, result, error);
}

static MwUidIndex *
new_loaded (void)
{
  g_autofree char *path = index_path ();
  g_autoptr (GError) error = NULL;
  MwUidIndex *index = mw_uid_index_new (path);

  g_assert_true (load (index, &error));
  g_assert_no_error (error);
  return index;
}

static void
add (MwUidIndex *index,
     const char *uid,
     const char *file,
     gint64      time)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (mw_uid_index_add (index, uid, file, time, &error));
  g_assert_no_error (error);
}

/* An index with three entries, saved. Returns the file's bytes. */
static char *
make_saved_index (gsize *length)
{
  MwUidIndex *index = new_loaded ();
  g_autoptr (GError) error = NULL;
  g_autofree char *path = index_path ();
  char            *contents = NULL;

  add (index, "uid-1", "1.M1P1Q1.host,S=10", NOW - 10 * DAY);
  add (index, "uid-2", "2.M1P1Q2.host,S=20", NOW - 5 * DAY);
  add (index, "~!x", "3.M1P1Q3.host,S=30:2,S", NOW);
  g_assert_true (save (index, &error));
  g_assert_no_error (error);
  mw_test_finalize_object (index);

  g_assert_true (g_file_get_contents (path, &contents, length, NULL));
  return contents;
}

static void
test_validate (void)
{
  g_autofree char *longest = g_strnfill (70, 'a');
  g_autofree char *too_long = g_strnfill (71, 'a');
  const char      *bad[] = { "", " ", "a b", "a\tb", "a\nb", "\x7f", "caf\xc3\xa9", too_long };
  const char      *good[] = { "a", "!", "~", "QhdPYR:00WBw1Ph7x7", longest };

  for (size_t i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (mw_uid_is_valid (good[i], NULL));

  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_false (mw_uid_is_valid (bad[i], &error));
      g_assert_error (error, MW_STORE_ERROR, MW_STORE_ERROR_INVALID_UID);
    }
}

static void
test_add_rejects (void)
{
  g_autoptr (MwUidIndex) index = new_loaded ();
  const char *bad_files[] = { "", "a/b", "a\tb", "a\nb", ".hidden" };
  g_autoptr (GError) error = NULL;

  g_assert_false (mw_uid_index_add (index, "bad uid", "f", NOW, &error));
  g_assert_error (error, MW_STORE_ERROR, MW_STORE_ERROR_INVALID_UID);
  g_clear_error (&error);

  for (size_t i = 0; i < G_N_ELEMENTS (bad_files); i++)
    {
      g_assert_false (mw_uid_index_add (index, "uid", bad_files[i], NOW, &error));
      g_assert_error (error, MW_STORE_ERROR, MW_STORE_ERROR_INVALID_NAME);
      g_clear_error (&error);
    }

  g_assert_cmpuint (mw_uid_index_get_n_uids (index), ==, 0);
}

static void
test_missing_is_empty (void)
{
  g_autoptr (MwUidIndex) index = new_loaded ();

  g_assert_cmpint (mw_uid_index_get_state (index), ==, MW_UID_INDEX_STATE_READY);
  g_assert_cmpuint (mw_uid_index_get_n_uids (index), ==, 0);
  g_assert_false (mw_uid_index_contains (index, "x"));
}

static void
test_round_trip (void)
{
  gsize            length;
  g_autofree char *contents = make_saved_index (&length);
  g_autofree char *path = index_path ();
  MwUidIndex      *index = new_loaded ();
  g_auto (GStrv) uids = NULL;
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_str_has_prefix (contents, "mailwire-uid-index 1\n"));

  uids = mw_uid_index_dup_uids (index);
  g_assert_cmpstrv (uids, ((const char *[]){ "uid-1", "uid-2", "~!x", NULL }));
  g_assert_cmpstr (mw_uid_index_get_file (index, "uid-2"), ==, "2.M1P1Q2.host,S=20");
  g_assert_cmpstr (mw_uid_index_get_file (index, "~!x"), ==, "3.M1P1Q3.host,S=30:2,S");
  g_assert_cmpint (mw_uid_index_get_downloaded (index, "uid-1"), ==, NOW - 10 * DAY);
  g_assert_cmpint (mw_uid_index_get_seen_since (index, "uid-1"), ==, NOW - 10 * DAY);
  g_assert_null (mw_uid_index_get_file (index, "nope"));
  g_assert_cmpint (mw_uid_index_get_downloaded (index, "nope"), ==, -1);
  for (guint i = 0; uids[i] != NULL; i++)
    g_assert_true (mw_uid_index_is_durable (index, uids[i]));

  /* An unchanged index saves to the same bytes. */
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *again = NULL;
    gsize            again_length;

    g_assert_true (save (index, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (path, &again, &again_length, NULL));
    g_assert_cmpmem (again, again_length, contents, length);
  }

  mw_test_finalize_object (index);
}

static void
test_durable (void)
{
  g_autoptr (GError) error = NULL;
  MwUidIndex *index = new_loaded ();

  add (index, "a", "f1", NOW);
  g_assert_true (mw_uid_index_contains (index, "a"));
  g_assert_false (mw_uid_index_is_durable (index, "a"));

  g_assert_true (save (index, &error));
  g_assert_no_error (error);
  g_assert_true (mw_uid_index_is_durable (index, "a"));

  /* A change is not durable until the next save. */
  add (index, "a", "f2", NOW + 1);
  add (index, "b", "f3", NOW + 1);
  g_assert_false (mw_uid_index_is_durable (index, "a"));
  g_assert_false (mw_uid_index_is_durable (index, "b"));
  g_assert_true (save (index, &error));
  g_assert_true (mw_uid_index_is_durable (index, "a"));
  g_assert_true (mw_uid_index_is_durable (index, "b"));
  g_assert_false (mw_uid_index_is_durable (index, "c"));

  mw_test_finalize_object (index);
}

static void
test_save_queue (void)
{
  g_autofree char *path = index_path ();
  MwUidIndex      *index = new_loaded ();
  GAsyncResult    *pending1 = NULL;
  GAsyncResult    *pending2 = NULL;
  g_autoptr (GAsyncResult) result1 = NULL;
  g_autoptr (GAsyncResult) result2 = NULL;
  g_autoptr (GError) error = NULL;
  MwUidIndex *reloaded;

  add (index, "a", "f1", NOW);
  mw_uid_index_save_async (index, NULL, mw_test_result_cb, &pending1);
  add (index, "b", "f2", NOW);
  mw_uid_index_save_async (index, NULL, mw_test_result_cb, &pending2);
  add (index, "c", "f3", NOW);

  result1 = mw_test_wait (&pending1);
  g_assert_true (mw_uid_index_save_finish (index, result1, &error));
  result2 = mw_test_wait (&pending2);
  g_assert_true (mw_uid_index_save_finish (index, result2, &error));
  g_assert_no_error (error);

  /* The second save ran after the first and took its snapshot then. */
  g_assert_true (mw_uid_index_is_durable (index, "a"));
  g_assert_true (mw_uid_index_is_durable (index, "b"));
  g_assert_true (mw_uid_index_is_durable (index, "c"));
  g_clear_object (&result1);
  g_clear_object (&result2);
  mw_test_finalize_object (index);

  reloaded = new_loaded ();
  g_assert_cmpuint (mw_uid_index_get_n_uids (reloaded), ==, 3);
  mw_test_finalize_object (reloaded);
}

static void
remove_backups (void)
{
  g_autofree char *path = index_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      if (g_str_has_suffix (name, ".bak"))
        {
          g_autofree char *file = g_build_filename (dir, name, NULL);

          g_assert_cmpint (g_unlink (file), ==, 0);
        }
    }
}

static void
assert_corrupt (const char *contents,
                gsize       length,
                guint       max_salvaged)
{
  g_autofree char *path = index_path ();
  g_autofree char *backup = g_strdup_printf ("%s.bak", path);
  g_autofree char *backup_contents = NULL;
  g_autofree char *after = NULL;
  gsize            backup_length, after_length;
  g_autoptr (GError) error = NULL;
  MwUidIndex *index;

  g_assert_true (g_file_set_contents (path, contents, length, NULL));
  index = mw_uid_index_new (path);
  g_assert_false (load (index, &error));
  g_assert_error (error, MW_STORE_ERROR, MW_STORE_ERROR_INDEX_CORRUPT);
  g_assert_nonnull (strstr (error->message, backup));
  g_clear_error (&error);
  g_assert_cmpint (mw_uid_index_get_state (index), ==, MW_UID_INDEX_STATE_CORRUPT);
  g_assert_cmpuint (mw_uid_index_get_n_uids (index), <=, max_salvaged);

  /* A backup holds exactly the damaged bytes; the file itself is untouched. */
  g_assert_true (g_file_get_contents (backup, &backup_contents, &backup_length, NULL));
  g_assert_cmpmem (backup_contents, backup_length, contents, length);

  /* Nothing is saved over it until the user agreed to recover. */
  g_assert_false (save (index, &error));
  g_assert_error (error, MW_STORE_ERROR, MW_STORE_ERROR_INDEX_CORRUPT);
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (path, &after, &after_length, NULL));
  g_assert_cmpmem (after, after_length, contents, length);

  mw_uid_index_recover (index);
  g_assert_cmpint (mw_uid_index_get_state (index), ==, MW_UID_INDEX_STATE_READY);
  g_assert_true (save (index, &error));
  g_assert_no_error (error);
  mw_test_finalize_object (index);

  /* The recovered file loads cleanly. */
  index = new_loaded ();
  g_assert_cmpuint (mw_uid_index_get_n_uids (index), <=, max_salvaged);
  mw_test_finalize_object (index);

  remove_backups ();
}

static void
test_truncated (void)
{
  gsize            length;
  g_autofree char *contents = make_saved_index (&length);

  /* Every possible cut, from an empty file to one byte short. */
  for (gsize cut = 0; cut < length; cut++)
    assert_corrupt (contents, cut, 3);
}

static void
test_corrupt_bytes (void)
{
  gsize            length;
  g_autofree char *contents = make_saved_index (&length);

  for (gsize i = 0; i < length; i++)
    {
      g_autofree char *damaged = g_memdup2 (contents, length);

      damaged[i] ^= 0x01;
      assert_corrupt (damaged, length, 3);
    }

  /* A line lost in the middle: salvages the other two. */
  {
    g_autofree char *path = index_path ();
    g_auto (GStrv) lines = g_strsplit (contents, "\n", 0);
    g_autofree char *without = NULL;
    g_autoptr (GError) error = NULL;
    g_autoptr (MwUidIndex) index = NULL;

    g_free (lines[2]);
    lines[2] = g_strdup ("");
    without = g_strjoinv ("\n", lines);
    g_assert_true (g_file_set_contents (path, without, -1, NULL));
    index = mw_uid_index_new (path);
    g_assert_false (load (index, &error));
    g_assert_error (error, MW_STORE_ERROR, MW_STORE_ERROR_INDEX_CORRUPT);
    g_assert_cmpuint (mw_uid_index_get_n_uids (index), ==, 2);
    g_assert_true (mw_uid_index_contains (index, "uid-1"));
    g_assert_true (mw_uid_index_contains (index, "~!x"));
  }
}

static void
test_newer_version (void)
{
  g_autofree char *path = index_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr (MwUidIndex) index = mw_uid_index_new (path);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "mailwire-uid-index 2\nwhatever\n", -1, NULL));
  g_assert_false (load (index, &error));
  g_assert_error (error, MW_STORE_ERROR, MW_STORE_ERROR_INDEX_NEWER);
  g_assert_cmpint (mw_uid_index_get_state (index), ==, MW_UID_INDEX_STATE_UNLOADED);
  g_clear_error (&error);
  g_assert_false (save (index, &error));
}

static void
test_stale_temp_ignored (void)
{
  gsize            length;
  g_autofree char *contents = make_saved_index (&length);
  g_autofree char *path = index_path ();
  g_autofree char *stale = g_strdup_printf ("%s.Q1W2E3", path);
  MwUidIndex      *index;

  /* A crash after the temporary file was written, before the rename. */
  g_assert_true (g_file_set_contents (stale, "mailwire-uid-index 1\nnew-uid\tf\t1\t1\n", -1, NULL));

  index = new_loaded ();
  g_assert_cmpuint (mw_uid_index_get_n_uids (index), ==, 3);
  g_assert_false (mw_uid_index_contains (index, "new-uid"));
  mw_test_finalize_object (index);
}

static void
test_delivery_failure_keeps_index (void)
{
  gsize            length;
  g_autofree char *contents = make_saved_index (&length);
  g_autofree char *path = index_path ();
  g_autofree char *maildir_path = g_build_filename (g_get_user_data_dir (), "acct", "Maildir", NULL);
  g_autofree char *new_dir = g_build_filename (maildir_path, "new", NULL);
  g_autofree char *after = NULL;
  gsize            after_length;
  MwMaildir       *maildir = mw_maildir_new (maildir_path);
  MwUidIndex      *index = new_loaded ();
  g_autoptr (MwMaildirDelivery) delivery = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GAsyncResult    *pending = NULL;
  g_autofree char *name = NULL;
  char             block[512] = { 0 };

  mw_maildir_open_async (maildir, NULL, mw_test_result_cb, &pending);
  result = mw_test_wait (&pending);
  g_assert_true (mw_maildir_open_finish (maildir, result, NULL, &error));
  g_clear_object (&result);

  /* What a Get Mail does: write, commit, then record the UID. The disk
   * fills up half-way through the message. */
  mw_maildir_inject_fault (maildir, MW_MAILDIR_FAULT_WRITE, 700, ENOSPC);
  delivery = mw_maildir_begin_delivery (maildir, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 4 && error == NULL; i++)
    g_output_stream_write_all (mw_maildir_delivery_get_output_stream (delivery),
                               block, sizeof block, NULL, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_clear_error (&error);

  mw_maildir_delivery_commit_async (delivery, NULL, mw_test_result_cb, &pending);
  result = mw_test_wait (&pending);
  name = mw_maildir_delivery_commit_finish (delivery, result, &error);
  g_assert_null (name);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);

  g_assert_cmpuint (mw_test_count_files (new_dir), ==, 0);
  g_assert_cmpuint (mw_uid_index_get_n_uids (index), ==, 3);
  g_assert_true (g_file_get_contents (path, &after, &after_length, NULL));
  g_assert_cmpmem (after, after_length, contents, length);

  mw_test_finalize_object (index);
  g_clear_object (&delivery);
  mw_test_finalize_object (maildir);
}

static void
test_older_than (void)
{
  g_autoptr (MwUidIndex) index = new_loaded ();
  g_auto (GStrv) old3 = NULL;
  g_auto (GStrv) old7 = NULL;
  g_auto (GStrv) old0 = NULL;
  g_auto (GStrv) after_seen = NULL;

  add (index, "ten", "f10", NOW - 10 * DAY);
  add (index, "five", "f5", NOW - 5 * DAY);
  add (index, "exactly3", "f3", NOW - 3 * DAY);
  add (index, "today", "f0", NOW);

  old3 = mw_uid_index_uids_older_than (index, 3, NOW);
  g_assert_cmpstrv (old3, ((const char *[]){ "exactly3", "five", "ten", NULL }));
  old7 = mw_uid_index_uids_older_than (index, 7, NOW);
  g_assert_cmpstrv (old7, ((const char *[]){ "ten", NULL }));
  old0 = mw_uid_index_uids_older_than (index, 0, NOW);
  g_assert_cmpuint (g_strv_length (old0), ==, 4);

  /* Seen on the server before it was downloaded: the earlier date counts;
   * a later date never moves it forward. */
  mw_uid_index_set_seen_since (index, "today", NOW - 8 * DAY);
  mw_uid_index_set_seen_since (index, "ten", NOW);
  g_assert_cmpint (mw_uid_index_get_seen_since (index, "ten"), ==, NOW - 10 * DAY);
  g_assert_cmpint (mw_uid_index_get_downloaded (index, "today"), ==, NOW);
  after_seen = mw_uid_index_uids_older_than (index, 7, NOW);
  g_assert_cmpstrv (after_seen, ((const char *[]){ "ten", "today", NULL }));
}

static void
test_remove (void)
{
  g_autoptr (MwUidIndex) index = new_loaded ();

  add (index, "a", "f", NOW);
  g_assert_true (mw_uid_index_remove (index, "a"));
  g_assert_false (mw_uid_index_remove (index, "a"));
  g_assert_false (mw_uid_index_contains (index, "a"));
  g_assert_cmpuint (mw_uid_index_get_n_uids (index), ==, 0);
}

static void
test_account_path (void)
{
  g_autoptr (MwUidIndex) index = mw_uid_index_new_for_account ("acct1");
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "mailwire", "accounts",
                                                "acct1", "uid-index", NULL);

  g_assert_cmpstr (mw_uid_index_get_path (index), ==, expected);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/uid-index/validate", test_validate);
  g_test_add_func ("/store/uid-index/add-rejects", test_add_rejects);
  g_test_add_func ("/store/uid-index/missing-is-empty", test_missing_is_empty);
  g_test_add_func ("/store/uid-index/round-trip", test_round_trip);
  g_test_add_func ("/store/uid-index/durable", test_durable);
  g_test_add_func ("/store/uid-index/save-queue", test_save_queue);
  g_test_add_func ("/store/uid-index/corrupt/truncated", test_truncated);
  g_test_add_func ("/store/uid-index/corrupt/bytes", test_corrupt_bytes);
  g_test_add_func ("/store/uid-index/newer-version", test_newer_version);
  g_test_add_func ("/store/uid-index/crash/stale-temp-ignored", test_stale_temp_ignored);
  g_test_add_func ("/store/uid-index/crash/delivery-failure", test_delivery_failure_keeps_index);
  g_test_add_func ("/store/uid-index/older-than", test_older_than);
  g_test_add_func ("/store/uid-index/remove", test_remove);
  g_test_add_func ("/store/uid-index/account-path", test_account_path);

  return g_test_run ();
}
