/* local-folder.c: how fast a 50,000-message local folder lists
 *
 * Creates the messages in a temporary Maildir, then times the first
 * listing (every header parsed) and the second (from the cache).
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-folder.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static double
time_refresh (MwFolder *folder)
{
  g_autoptr (GError) error = NULL;
  GAsyncResult *result = NULL;
  gint64        start = g_get_monotonic_time ();

  mw_folder_refresh_async (folder, NULL, result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (!mw_folder_refresh_finish (folder, result, &error))
    g_error ("Refresh failed: %s", error->message);
  g_object_unref (result);
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("mailwire-bench-XXXXXX", &error);
  g_autofree char *maildir_path = NULL;
  g_autofree char *cache = NULL;
  g_autoptr (MwMaildir) maildir = NULL;
  g_autoptr (MwFolder) cold = NULL;
  g_autoptr (MwFolder) warm = NULL;
  g_autofree char *query = mw_folder_fold_query ("sender 4242");
  guint            n = argc > 1 ? (guint) atoi (argv[1]) : 50000;
  guint            hits = 0;
  double           create, cold_s, warm_s, search_s;
  gint64           start;

  g_assert_no_error (error);
  maildir_path = g_build_filename (root, "Maildir", NULL);
  cache = g_build_filename (root, "folder.cache", NULL);
  for (const char *const *sub = (const char *const[]){ "tmp", "new", "cur", NULL }; *sub != NULL; sub++)
    {
      g_autofree char *dir = g_build_filename (maildir_path, *sub, NULL);

      g_mkdir_with_parents (dir, 0700);
    }

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("%u.M%06uP1Q%u.bench,S=200:2,S", 1700000000 + i, i % 1000000, i);
      g_autofree char *path = g_build_filename (maildir_path, "cur", name, NULL);
      g_autofree char *text = g_strdup_printf ("From: Sender %u <sender%u@example.org>\r\n"
                                               "To: me@example.org\r\n"
                                               "Subject: =?UTF-8?Q?Message_n=C2=B0_%u?=\r\n"
                                               "Date: Mon, 02 Mar 2026 10:%02u:%02u +0100\r\n"
                                               "Message-ID: <%u@bench.example.org>\r\n"
                                               "\r\n"
                                               "Hello %u.\r\n",
                                               i, i, i, (i / 60) % 60, i % 60, i, i);

      if (!g_file_set_contents (path, text, -1, &error))
        g_error ("%s", error->message);
    }
  create = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  maildir = mw_maildir_new (maildir_path);
  cold = mw_folder_new (maildir, cache);
  cold_s = time_refresh (cold);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (cold)), ==, n);
  g_assert_cmpuint (mw_folder_get_last_parsed (cold), ==, n);

  warm = mw_folder_new (maildir, cache);
  warm_s = time_refresh (warm);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (warm)), ==, n);
  g_assert_cmpuint (mw_folder_get_last_parsed (warm), ==, 0);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (MwFolderItem) item = g_list_model_get_item (G_LIST_MODEL (warm), i);

      hits += mw_folder_item_matches (item, query);
    }
  search_s = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  printf ("messages:        %u\n", n);
  printf ("create files:    %.3f s\n", create);
  printf ("cold listing:    %.3f s (headers parsed with GMime, cache written)\n", cold_s);
  printf ("cached listing:  %.3f s (new folder object, cache read, Maildir stat'ed)\n", warm_s);
  printf ("cached/cold:     %.3f\n", warm_s / cold_s);
  printf ("search From/Subject \"sender 4242\": %u hits in %.3f s (first search folds)\n", hits, search_s);

  g_clear_object (&warm);
  g_clear_object (&cold);
  remove_tree (root);

  return warm_s < 1.0 ? 0 : 1;
}
