/* test-maildir.c
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-maildir.h"
#include "mw-maildir-private.h"
#include "mw-store-error.h"

#include "mw-store-test-util.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <utime.h>

#define MESSAGE "From: a@example.org\r\nSubject: hi\r\n\r\nBody\r\n"

typedef struct
{
  char      *path;
  MwMaildir *maildir;
} Fixture;

static void
open_maildir (MwMaildir *maildir,
              guint     *n_removed)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GAsyncResult *pending = NULL;

  mw_maildir_open_async (maildir, NULL, mw_test_result_cb, &pending);
  result = mw_test_wait (&pending);
  g_assert_true (mw_maildir_open_finish (maildir, result, n_removed, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  fixture->path = g_build_filename (g_get_user_data_dir (), "Maildir", NULL);
  fixture->maildir = mw_maildir_new (fixture->path);
  open_maildir (fixture->maildir, NULL);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  mw_test_finalize_object (fixture->maildir);
  g_free (fixture->path);
}

static char *
sub_path (Fixture    *fixture,
          const char *sub)
{
  return g_build_filename (fixture->path, sub, NULL);
}

static char *
commit (MwMaildirDelivery *delivery,
        GError           **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  GAsyncResult *pending = NULL;

  mw_maildir_delivery_commit_async (delivery, NULL, mw_test_result_cb, &pending);
  result = mw_test_wait (&pending);
  return mw_maildir_delivery_commit_finish (delivery, result, error);
}

static char *
deliver (MwMaildir  *maildir,
         const char *text)
{
  g_autoptr (MwMaildirDelivery) delivery = NULL;
  g_autoptr (GError) error = NULL;
  char *name;

  delivery = mw_maildir_begin_delivery (maildir, &error);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (mw_maildir_delivery_get_output_stream (delivery),
                                            text, strlen (text), NULL, NULL, &error));
  g_assert_no_error (error);
  name = commit (delivery, &error);
  g_assert_no_error (error);
  g_assert_nonnull (name);
  return name;
}

static void
test_deliver_with_uid (Fixture      *fixture,
                       gconstpointer data)
{
  /* RFC 1939 lets a UID hold "/", ":" and ","; the name must stay safe. */
  const char *uid = "0000abcd/x:2,S";
  g_autoptr (MwMaildirDelivery) delivery = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *back = NULL;
  g_autofree char *read_flags = NULL;

  delivery = mw_maildir_begin_delivery (fixture->maildir, &error);
  g_assert_no_error (error);
  mw_maildir_delivery_set_uid (delivery, uid);
  g_assert_true (g_output_stream_write_all (mw_maildir_delivery_get_output_stream (delivery),
                                            MESSAGE, strlen (MESSAGE), NULL, NULL, &error));
  name = commit (delivery, &error);
  g_assert_no_error (error);

  g_assert_null (strpbrk (name, "/:"));
  g_assert_true (g_str_has_suffix (name, ",U=30303030616263642f783a322c53"));
  back = mw_maildir_name_dup_uid (name);
  g_assert_cmpstr (back, ==, uid);

  /* Flags after ":2," do not disturb it; names without it give NULL. */
  read_flags = g_strconcat (name, ":2,S", NULL);
  g_clear_pointer (&back, g_free);
  back = mw_maildir_name_dup_uid (read_flags);
  g_assert_cmpstr (back, ==, uid);
  g_assert_null (mw_maildir_name_dup_uid ("1.M2P3Q4.host,S=10"));
  g_assert_null (mw_maildir_name_dup_uid ("1.M2P3Q4.host,S=10,U=abc"));
  g_assert_null (mw_maildir_name_dup_uid ("1.M2P3Q4.host,S=10,U=zz"));
}

static void
test_open_creates (Fixture      *fixture,
                   gconstpointer data)
{
  const char *subs[] = { "tmp", "new", "cur" };

  for (size_t i = 0; i < G_N_ELEMENTS (subs); i++)
    {
      g_autofree char *path = sub_path (fixture, subs[i]);
      struct stat      st;

      g_assert_cmpint (g_stat (path, &st), ==, 0);
      g_assert_true (S_ISDIR (st.st_mode));
      g_assert_cmpint (st.st_mode & 0777, ==, 0700);
    }
}

static void
test_deliver (Fixture      *fixture,
              gconstpointer data)
{
  g_autofree char *name = deliver (fixture->maildir, MESSAGE);
  g_autofree char *new_dir = sub_path (fixture, "new");
  g_autofree char *tmp_dir = sub_path (fixture, "tmp");
  g_autofree char *file = g_build_filename (new_dir, name, NULL);
  g_autofree char *contents = NULL;
  g_autofree char *suffix = g_strdup_printf (",S=%zu", strlen (MESSAGE));
  g_autoptr (GError) error = NULL;

  g_assert_true (g_regex_match_simple ("^[0-9]+\\.M[0-9]{6}P[0-9]+Q[0-9]+\\.[^/:]+,S=[0-9]+$",
                                       name, 0, 0));
  g_assert_true (g_str_has_suffix (name, suffix));
  g_assert_true (g_file_get_contents (file, &contents, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, MESSAGE);
  g_assert_cmpuint (mw_test_count_files (tmp_dir), ==, 0);
  g_assert_cmpuint (mw_test_count_files (new_dir), ==, 1);
}

static void
test_commit_twice (Fixture      *fixture,
                   gconstpointer data)
{
  g_autoptr (MwMaildirDelivery) delivery = mw_maildir_begin_delivery (fixture->maildir, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *first = commit (delivery, &error);
  g_autofree char *second = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (first);
  second = commit (delivery, &error);
  g_assert_error (error, MW_STORE_ERROR, MW_STORE_ERROR_DELIVERY_FINISHED);
  g_assert_null (second);
}

static void
test_abort (Fixture      *fixture,
            gconstpointer data)
{
  g_autofree char   *new_dir = sub_path (fixture, "new");
  g_autofree char   *tmp_dir = sub_path (fixture, "tmp");
  MwMaildirDelivery *delivery;

  delivery = mw_maildir_begin_delivery (fixture->maildir, NULL);
  g_assert_true (g_file_test (mw_maildir_delivery_get_tmp_path (delivery), G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (mw_test_count_files (tmp_dir), ==, 1);
  mw_maildir_delivery_abort (delivery);
  g_assert_cmpuint (mw_test_count_files (tmp_dir), ==, 0);
  g_assert_finalize_object (delivery);

  /* Dropping an unfinished delivery aborts it too. */
  delivery = mw_maildir_begin_delivery (fixture->maildir, NULL);
  g_assert_cmpuint (mw_test_count_files (tmp_dir), ==, 1);
  g_assert_finalize_object (delivery);
  g_assert_cmpuint (mw_test_count_files (tmp_dir), ==, 0);
  g_assert_cmpuint (mw_test_count_files (new_dir), ==, 0);
}

static void
test_write_error (Fixture      *fixture,
                  gconstpointer data)
{
  g_autofree char *new_dir = sub_path (fixture, "new");
  g_autofree char *tmp_dir = sub_path (fixture, "tmp");
  g_autoptr (MwMaildirDelivery) delivery = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  char             buffer[4096];
  gsize            written = 0;

  memset (buffer, 'x', sizeof buffer);
  mw_maildir_inject_fault (fixture->maildir, MW_MAILDIR_FAULT_WRITE, 1000, ENOSPC);
  delivery = mw_maildir_begin_delivery (fixture->maildir, &error);
  g_assert_no_error (error);

  g_assert_false (g_output_stream_write_all (mw_maildir_delivery_get_output_stream (delivery),
                                             buffer, sizeof buffer, &written, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_cmpuint (written, ==, 1000);
  /* The message names the file. */
  g_assert_nonnull (strstr (error->message, mw_maildir_delivery_get_tmp_path (delivery)));
  g_clear_error (&error);

  /* Later writes fail the same way; a commit refuses and cleans up. */
  g_assert_cmpint (g_output_stream_write (mw_maildir_delivery_get_output_stream (delivery),
                                          "y", 1, NULL, &error),
                   ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_clear_error (&error);

  name = commit (delivery, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_null (name);
  g_assert_cmpuint (mw_test_count_files (new_dir), ==, 0);
  g_assert_cmpuint (mw_test_count_files (tmp_dir), ==, 0);
}

static void
test_fsync_error (Fixture      *fixture,
                  gconstpointer data)
{
  g_autofree char *new_dir = sub_path (fixture, "new");
  g_autofree char *tmp_dir = sub_path (fixture, "tmp");
  g_autoptr (MwMaildirDelivery) delivery = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;

  mw_maildir_inject_fault (fixture->maildir, MW_MAILDIR_FAULT_FSYNC, 0, EIO);
  delivery = mw_maildir_begin_delivery (fixture->maildir, &error);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (mw_maildir_delivery_get_output_stream (delivery),
                                            MESSAGE, strlen (MESSAGE), NULL, NULL, &error));
  g_assert_no_error (error);

  name = commit (delivery, &error);
  g_assert_nonnull (error);
  g_assert_true (error->domain == G_IO_ERROR);
  g_assert_nonnull (strstr (error->message, mw_maildir_delivery_get_tmp_path (delivery)));
  g_assert_null (name);
  g_assert_cmpuint (mw_test_count_files (new_dir), ==, 0);
  g_assert_cmpuint (mw_test_count_files (tmp_dir), ==, 0);
}

static void
test_rapid_unique (Fixture      *fixture,
                   gconstpointer data)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *new_dir = sub_path (fixture, "new");
  g_autoptr (GPtrArray) open = g_ptr_array_new_with_free_func (g_object_unref);

  /* Begin 1000 deliveries back to back, keeping batches open at the same
   * time, then commit them all. */
  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr (GError) error = NULL;
      MwMaildirDelivery *delivery = mw_maildir_begin_delivery (fixture->maildir, &error);
      g_autofree char   *text = g_strdup_printf ("Subject: %u\r\n\r\n", i);

      g_assert_no_error (error);
      g_assert_true (g_hash_table_add (seen, g_strdup (mw_maildir_delivery_get_unique (delivery))));
      g_assert_true (g_output_stream_write_all (mw_maildir_delivery_get_output_stream (delivery),
                                                text, strlen (text), NULL, NULL, &error));
      g_ptr_array_add (open, delivery);

      if (open->len == 100)
        {
          for (guint j = 0; j < open->len; j++)
            {
              g_autofree char *name = commit (open->pdata[j], &error);

              g_assert_no_error (error);
            }
          g_ptr_array_set_size (open, 0);
        }
    }

  g_assert_cmpuint (g_hash_table_size (seen), ==, 1000);
  g_assert_cmpuint (mw_test_count_files (new_dir), ==, 1000);
}

static void
touch_old (const char *path,
           gint64      age_seconds)
{
  struct utimbuf times;
  time_t         when = time (NULL) - age_seconds;

  g_assert_true (g_file_set_contents (path, "partial", -1, NULL));
  times.actime = when;
  times.modtime = when;
  g_assert_cmpint (g_utime (path, &times), ==, 0);
}

static void
test_stale_tmp (Fixture      *fixture,
                gconstpointer data)
{
  g_autofree char *tmp_dir = sub_path (fixture, "tmp");
  g_autofree char *old = g_build_filename (tmp_dir, "1.M1P1Q1.host", NULL);
  g_autofree char *recent = g_build_filename (tmp_dir, "2.M1P1Q1.host", NULL);
  g_autoptr (MwMaildir) reopened = NULL;
  guint removed = 0;

  touch_old (old, 37 * 60 * 60);
  touch_old (recent, 35 * 60 * 60);

  reopened = mw_maildir_new (fixture->path);
  open_maildir (reopened, &removed);
  g_assert_cmpuint (removed, ==, 1);
  g_assert_false (g_file_test (old, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (recent, G_FILE_TEST_EXISTS));
}

static GPtrArray *
list (MwMaildir *maildir)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GAsyncResult *pending = NULL;
  GPtrArray    *entries;

  mw_maildir_list_async (maildir, NULL, mw_test_result_cb, &pending);
  result = mw_test_wait (&pending);
  entries = mw_maildir_list_finish (maildir, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (entries);
  return entries;
}

static void
test_list (Fixture      *fixture,
           gconstpointer data)
{
  g_autofree char *name = deliver (fixture->maildir, MESSAGE);
  g_autofree char *cur = g_build_filename (fixture->path, "cur", "1000.M1P1Q1.host,S=5:2,FRS", NULL);
  g_autofree char *dot = g_build_filename (fixture->path, "cur", ".hidden", NULL);
  g_autofree char *tmp = g_build_filename (fixture->path, "tmp", "3.M1P1Q1.host", NULL);
  g_autoptr (MwMaildirDelivery) open = mw_maildir_begin_delivery (fixture->maildir, NULL);
  g_autoptr (GPtrArray) entries = NULL;
  g_autofree char *unique = NULL;
  MwMaildirEntry  *entry;

  g_assert_true (g_file_set_contents (cur, "12345", -1, NULL));
  g_assert_true (g_file_set_contents (dot, "x", -1, NULL));
  g_assert_true (g_file_set_contents (tmp, "x", -1, NULL));

  entries = list (fixture->maildir);
  g_assert_cmpuint (entries->len, ==, 2);

  entry = entries->pdata[0];
  g_assert_cmpstr (entry->name, ==, "1000.M1P1Q1.host,S=5:2,FRS");
  g_assert_cmpstr (entry->subdir, ==, "cur");
  g_assert_cmpuint (entry->size, ==, 5);
  g_assert_cmpint (entry->flags, ==, MW_MAILDIR_FLAG_FLAGGED | MW_MAILDIR_FLAG_REPLIED | MW_MAILDIR_FLAG_SEEN);
  g_assert_cmpint (ABS (entry->mtime - time (NULL)), <, 60);
  unique = mw_maildir_entry_dup_unique (entry);
  g_assert_cmpstr (unique, ==, "1000.M1P1Q1.host,S=5");

  entry = entries->pdata[1];
  g_assert_cmpstr (entry->name, ==, name);
  g_assert_cmpstr (entry->subdir, ==, "new");
  g_assert_cmpuint (entry->size, ==, strlen (MESSAGE));
  g_assert_cmpint (entry->flags, ==, MW_MAILDIR_FLAG_NONE);
}

static void
test_parse_flags (void)
{
  g_assert_cmpint (mw_maildir_parse_flags ("x"), ==, 0);
  g_assert_cmpint (mw_maildir_parse_flags ("x:2,"), ==, 0);
  g_assert_cmpint (mw_maildir_parse_flags ("x:2,DFPRST"), ==, 0x3f);
  g_assert_cmpint (mw_maildir_parse_flags ("x:2,Sa"), ==, MW_MAILDIR_FLAG_SEEN);
  g_assert_cmpint (mw_maildir_parse_flags ("x:1,S"), ==, 0);
}

static void
test_account_path (void)
{
  g_autoptr (MwMaildir) downloaded = mw_maildir_new_for_account ("acct1", MW_MAILDIR_FOLDER_DOWNLOADED);
  g_autoptr (MwMaildir) sent = mw_maildir_new_for_account ("acct1", MW_MAILDIR_FOLDER_SENT);
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "mailwire", "accounts",
                                                "acct1", "Maildir", NULL);
  g_autofree char *expected_sent = g_build_filename (expected, ".Sent", NULL);

  g_assert_cmpstr (mw_maildir_get_path (downloaded), ==, expected);
  g_assert_cmpstr (mw_maildir_get_path (sent), ==, expected_sent);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/store/maildir/open-creates", test_open_creates);
  ADD ("/store/maildir/deliver", test_deliver);
  ADD ("/store/maildir/commit-twice", test_commit_twice);
  ADD ("/store/maildir/abort", test_abort);
  ADD ("/store/maildir/write-error", test_write_error);
  ADD ("/store/maildir/fsync-error", test_fsync_error);
  ADD ("/store/maildir/rapid-unique", test_rapid_unique);
  ADD ("/store/maildir/stale-tmp", test_stale_tmp);
  ADD ("/store/maildir/list", test_list);
  ADD ("/store/maildir/deliver-with-uid", test_deliver_with_uid);
#undef ADD
  g_test_add_func ("/store/maildir/parse-flags", test_parse_flags);
  g_test_add_func ("/store/maildir/account-path", test_account_path);

  return g_test_run ();
}
