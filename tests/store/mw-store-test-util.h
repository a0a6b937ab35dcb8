/* mw-store-test-util.h: helpers shared by the store tests
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

static inline void
mw_test_result_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

/* Iterates the default main context until an async call has completed.
 * Returns (transfer full) its result. */
static inline GAsyncResult *
mw_test_wait (GAsyncResult **result)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (*result == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }

  return g_steal_pointer (result);
}

/* Counts the regular entries of a directory, skipping dot files. */
static inline guint
mw_test_count_files (const char *dir_path)
{
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint       n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      n++;
  return n;
}

/* Drops the last reference to @object. A worker thread of a finished GTask
 * may still hold one for a moment, so wait for it rather than assert at once. */
static inline void
mw_test_finalize_object (gpointer object)
{
  gpointer weak = object;
  gint64   deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_object_add_weak_pointer (object, &weak);
  g_object_unref (object);
  while (weak != NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_thread_yield ();
    }
}

G_END_DECLS
