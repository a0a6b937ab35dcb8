/* test-file-save.c: writing chosen bytes into a file
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-file-save.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct
{
  gboolean done;
  gboolean ok;
  GError  *error;
} Saved;

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Saved *saved = user_data;

  saved->ok = mw_file_save_bytes_finish (G_FILE (object), result, &saved->error);
  saved->done = TRUE;
}

static gboolean
save (GFile   *file,
      GBytes  *bytes,
      GError **error)
{
  Saved saved = { FALSE, FALSE, NULL };

  mw_file_save_bytes_async (file, bytes, NULL, saved_cb, &saved);
  while (!saved.done)
    g_main_context_iteration (NULL, TRUE);
  if (saved.error != NULL)
    g_propagate_error (error, saved.error);
  return saved.ok;
}

static void
test_replaces (void)
{
  g_autofree char *dir = g_dir_make_tmp ("mw-save-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "report.pdf", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GBytes) first = g_bytes_new_static ("first version", 13);
  g_autoptr (GBytes) second = g_bytes_new_static ("two\0bytes", 9);
  g_autoptr (GError) error = NULL;
  g_autofree char *data = NULL;
  gsize            len = 0;
  GStatBuf         st;

  g_assert_true (save (file, first, &error));
  g_assert_no_error (error);
  g_assert_true (save (file, second, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_cmpmem (data, len, "two\0bytes", 9);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_missing_folder (void)
{
  g_autoptr (GFile) file = g_file_new_for_path ("/nonexistent-mailwire-dir/x.eml");
  g_autoptr (GBytes) bytes = g_bytes_new_static ("x", 1);
  g_autoptr (GError) error = NULL;

  g_assert_false (save (file, bytes, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/file-save/replaces", test_replaces);
  g_test_add_func ("/store/file-save/missing-folder", test_missing_folder);

  return g_test_run ();
}
