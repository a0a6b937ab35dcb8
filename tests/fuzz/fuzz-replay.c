/* fuzz-replay.c: runs a fuzz target over its corpus, for the normal tests
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
replay_file (gconstpointer data)
{
  const char      *path = data;
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  size_t len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, len);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  const char *corpus;
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GError) error = NULL;
  const char *name;

  g_test_init (&argc, &argv, NULL);

  corpus = g_getenv ("MW_FUZZ_CORPUS");
  g_assert_nonnull (corpus);
  dir = g_dir_open (corpus, 0, &error);
  g_assert_no_error (error);

  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (paths, g_build_filename (corpus, name, NULL));
  g_ptr_array_sort (paths, (GCompareFunc) g_strcmp0);
  /* An empty corpus would test nothing. */
  g_assert_cmpuint (paths->len, >, 0);

  for (guint i = 0; i < paths->len; i++)
    {
      const char      *path = g_ptr_array_index (paths, i);
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *test = g_strdup_printf ("/fuzz/replay/%s", base);

      g_test_add_data_func (test, path, replay_file);
    }

  return g_test_run ();
}
