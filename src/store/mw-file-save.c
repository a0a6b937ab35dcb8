/* mw-file-save.c: writing bytes the user chose to keep into a file
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-file-save.h"

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GFile           *file = source_object;
  GBytes          *bytes = task_data;
  g_autofree char *path = g_file_get_path (file);
  g_autoptr (GError) error = NULL;
  gsize         len = 0;
  gconstpointer data = g_bytes_get_data (bytes, &len);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (path != NULL)
    {
      /* Durable: fsync before the rename, so a crash never leaves a torn file. */
      if (!g_file_set_contents_full (path, data, len,
                                     G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                     0600, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  else if (!g_file_replace_contents (file, data, len, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL,
                                     cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
mw_file_save_bytes_async (GFile              *file,
                          GBytes             *bytes,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (bytes != NULL);

  task = g_task_new (file, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_file_save_bytes_async);
  g_task_set_task_data (task, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, save_thread);
}

gboolean
mw_file_save_bytes_finish (GFile        *file,
                           GAsyncResult *result,
                           GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, file), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
