/* test-folder.c
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-folder.h"

#include "mw-store-test-util.h"

#include <glib/gstdio.h>
#include <string.h>
#include <utime.h>

typedef struct
{
  guint signals;
  guint position, removed, added; /* of the last signal */
} Changes;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Changes    *changes)
{
  changes->signals++;
  changes->position = position;
  changes->removed = removed;
  changes->added = added;
}

static char *
make_maildir (void)
{
  char       *path = g_build_filename (g_get_user_data_dir (), "Maildir", NULL);
  const char *subs[] = { "tmp", "new", "cur" };

  for (size_t i = 0; i < G_N_ELEMENTS (subs); i++)
    {
      g_autofree char *sub = g_build_filename (path, subs[i], NULL);

      g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
    }
  return path;
}

static void
write_message (const char *maildir,
               const char *subdir,
               const char *name,
               const char *text)
{
  g_autofree char *path = g_build_filename (maildir, subdir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
refresh (MwFolder *folder)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GAsyncResult *pending = NULL;

  mw_folder_refresh_async (folder, NULL, mw_test_result_cb, &pending);
  result = mw_test_wait (&pending);
  g_assert_true (mw_folder_refresh_finish (folder, result, &error));
  g_assert_no_error (error);
}

static MwFolderItem *
nth (MwFolder *folder,
     guint     n)
{
  MwFolderItem *item = g_list_model_get_item (G_LIST_MODEL (folder), n);

  g_object_unref (item);
  return item;
}

static void
test_list_and_cache (void)
{
  g_autofree char *path = make_maildir ();
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "folder.cache", NULL);
  g_autoptr (MwMaildir) maildir = mw_maildir_new (path);
  MwFolder     *folder = mw_folder_new (maildir, cache);
  MwFolder     *again;
  MwFolderItem *item;
  Changes       changes = { 0 };

  write_message (path, "new", "1.M1P1Q1.h",
                 "From: =?UTF-8?Q?J=C3=BCrgen?= <j@example.org>\r\n"
                 "Subject: =?UTF-8?B?w4RwZmVs?= and pears\r\n"
                 "Date: Thu, 01 Jan 2026 10:00:00 +0000\r\n"
                 "Message-ID: <abc@example.org>\r\n"
                 "\r\n"
                 "Body with From: nobody@example.org\r\n");
  write_message (path, "cur", "2.M1P1Q1.h:2,S", "Subject: no sender\n\nbody\n");
  write_message (path, "cur", "3.M1P1Q1.h:2,", "garbage without headers");

  g_signal_connect (folder, "items-changed", G_CALLBACK (items_changed_cb), &changes);
  refresh (folder);
  g_assert_cmpuint (changes.signals, ==, 1);
  g_assert_cmpuint (mw_folder_get_last_parsed (folder), ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (folder)), ==, 3);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (folder)) == MW_TYPE_FOLDER_ITEM);

  item = nth (folder, 0);
  g_assert_cmpstr (mw_folder_item_get_name (item), ==, "1.M1P1Q1.h");
  g_assert_cmpstr (mw_folder_item_get_subdir (item), ==, "new");
  g_assert_cmpstr (mw_folder_item_get_from (item), ==, "Jürgen <j@example.org>");
  g_assert_cmpstr (mw_folder_item_get_subject (item), ==, "Äpfel and pears");
  g_assert_cmpint (mw_folder_item_get_date (item), ==, 1767261600);
  g_assert_cmpstr (mw_folder_item_get_message_id (item), ==, "abc@example.org");

  item = nth (folder, 1);
  g_assert_cmpstr (mw_folder_item_get_from (item), ==, "");
  g_assert_cmpstr (mw_folder_item_get_subject (item), ==, "no sender");

  /* Nothing changed: nothing parsed, no signal. */
  refresh (folder);
  g_assert_cmpuint (mw_folder_get_last_parsed (folder), ==, 0);
  g_assert_cmpuint (changes.signals, ==, 1);

  /* A new folder object lists from the cache without parsing. */
  again = mw_folder_new (maildir, cache);
  refresh (again);
  g_assert_cmpuint (mw_folder_get_last_parsed (again), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 3);
  g_assert_cmpstr (mw_folder_item_get_subject (nth (again, 0)), ==, "Äpfel and pears");
  mw_test_finalize_object (again);

  mw_test_finalize_object (folder);
}

static void
test_incremental (void)
{
  g_autofree char *path = make_maildir ();
  g_autoptr (MwMaildir) maildir = mw_maildir_new (path);
  MwFolder        *folder = mw_folder_new (maildir, NULL);
  g_autofree char *changed = g_build_filename (path, "new", "a", NULL);
  g_autofree char *gone = g_build_filename (path, "new", "b", NULL);
  struct utimbuf   times = { 1000, 1000 };

  g_assert_true (g_str_has_prefix (mw_folder_get_cache_path (folder), g_get_user_cache_dir ()));
  write_message (path, "new", "a", "Subject: one\n\n");
  write_message (path, "new", "b", "Subject: two\n\n");
  write_message (path, "new", "c", "Subject: three\n\n");
  refresh (folder);
  g_assert_cmpuint (mw_folder_get_last_parsed (folder), ==, 3);

  /* One changed (same size, other mtime), one removed, one added. */
  write_message (path, "new", "a", "Subject: ONE\n\n");
  g_assert_cmpint (g_utime (changed, &times), ==, 0);
  g_assert_cmpint (g_unlink (gone), ==, 0);
  write_message (path, "new", "d", "Subject: four\n\n");
  refresh (folder);
  g_assert_cmpuint (mw_folder_get_last_parsed (folder), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (folder)), ==, 3);
  g_assert_cmpstr (mw_folder_item_get_subject (nth (folder, 0)), ==, "ONE");
  g_assert_cmpstr (mw_folder_item_get_subject (nth (folder, 2)), ==, "four");

  mw_test_finalize_object (folder);
}

/* A message that comes or goes changes only its own place in the list:
 * the rows around it, and a selection among them, stay. */
static void
test_minimal_change (void)
{
  g_autofree char *path = make_maildir ();
  g_autoptr (MwMaildir) maildir = mw_maildir_new (path);
  MwFolder        *folder = mw_folder_new (maildir, NULL);
  g_autofree char *gone = g_build_filename (path, "new", "c", NULL);
  const char      *names[] = { "a", "b", "c", "d", "e" };
  MwFolderItem    *first;
  MwFolderItem    *last;
  Changes          changes = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    write_message (path, "new", names[i], "Subject: hello\n\n");
  refresh (folder);
  first = nth (folder, 0);
  last = nth (folder, 4);
  g_signal_connect (folder, "items-changed", G_CALLBACK (items_changed_cb), &changes);

  /* One gone from the middle. */
  g_assert_cmpint (g_unlink (gone), ==, 0);
  refresh (folder);
  g_assert_cmpuint (changes.signals, ==, 1);
  g_assert_cmpuint (changes.position, ==, 2);
  g_assert_cmpuint (changes.removed, ==, 1);
  g_assert_cmpuint (changes.added, ==, 0);

  /* One added at the end. */
  write_message (path, "new", "f", "Subject: new\n\n");
  refresh (folder);
  g_assert_cmpuint (changes.signals, ==, 2);
  g_assert_cmpuint (changes.position, ==, 4);
  g_assert_cmpuint (changes.removed, ==, 0);
  g_assert_cmpuint (changes.added, ==, 1);

  /* The untouched items are the same objects. */
  g_assert_true (nth (folder, 0) == first);
  g_assert_true (nth (folder, 3) == last);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (folder)), ==, 5);

  mw_test_finalize_object (folder);
}

static void
test_search (void)
{
  g_autoptr (MwFolderItem) item = mw_folder_item_new ("new", "n", 1, 1, "Jürgen <J@Example.org>",
                                                      "Quarterly REPORT", 0, NULL);
  const char *hits[] = { "", "jürgen", "JÜRGEN", "example.ORG", "report", "quarterly rep" };
  const char *misses[] = { "juergen", "body", "zz" };

  for (size_t i = 0; i < G_N_ELEMENTS (hits); i++)
    {
      g_autofree char *query = mw_folder_fold_query (hits[i]);

      g_assert_true (mw_folder_item_matches (item, query));
    }
  for (size_t i = 0; i < G_N_ELEMENTS (misses); i++)
    {
      g_autofree char *query = mw_folder_fold_query (misses[i]);

      g_assert_false (mw_folder_item_matches (item, query));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/folder/list-and-cache", test_list_and_cache);
  g_test_add_func ("/store/folder/incremental", test_incremental);
  g_test_add_func ("/store/folder/minimal-change", test_minimal_change);
  g_test_add_func ("/store/folder/search", test_search);

  return g_test_run ();
}
