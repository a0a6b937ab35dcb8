/* mw-size-limit.c: the SIZE an account's outgoing server advertised
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-size-limit.h"

#include "mw-store-util-private.h"

#define SIZE_FILE "smtp-size"

typedef struct
{
  char   *dir;
  guint64 size;
} LimitData;

static void
limit_data_free (LimitData *data)
{
  g_free (data->dir);
  g_free (data);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LimitData       *data = task_data;
  g_autofree char *path = g_build_filename (data->dir, SIZE_FILE, NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  guint64 size = 0;

  if (!g_file_get_contents (path, &contents, NULL, &error))
    {
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_task_return_pointer (task, g_memdup2 (&size, sizeof size), g_free);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* A damaged file means nothing is known. */
  if (!g_ascii_string_to_unsigned (g_strstrip (contents), 10, 0, G_MAXUINT64, &size, NULL))
    size = 0;
  g_task_return_pointer (task, g_memdup2 (&size, sizeof size), g_free);
}

void
mw_size_limit_load_async (const char         *account_id,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  LimitData *data;

  g_return_if_fail (mw_store_account_id_is_valid (account_id));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_size_limit_load_async);
  data = g_new0 (LimitData, 1);
  data->dir = mw_store_account_dir (account_id);
  g_task_set_task_data (task, data, (GDestroyNotify) limit_data_free);
  g_task_run_in_thread (task, load_thread);
}

guint64
mw_size_limit_load_finish (GAsyncResult *result,
                           GError      **error)
{
  g_autofree guint64 *size = NULL;

  g_return_val_if_fail (g_task_is_valid (result, NULL), 0);

  size = g_task_propagate_pointer (G_TASK (result), error);
  return size != NULL ? *size : 0;
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LimitData       *data = task_data;
  g_autofree char *path = g_build_filename (data->dir, SIZE_FILE, NULL);
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT "\n", data->size);
  GError          *error = NULL;

  if (!mw_store_mkdir (data->dir, &error) ||
      !g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
mw_size_limit_save_async (const char         *account_id,
                          guint64             size,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  LimitData *data;

  g_return_if_fail (mw_store_account_id_is_valid (account_id));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_size_limit_save_async);
  data = g_new0 (LimitData, 1);
  data->dir = mw_store_account_dir (account_id);
  data->size = size;
  g_task_set_task_data (task, data, (GDestroyNotify) limit_data_free);
  g_task_run_in_thread (task, save_thread);
}

gboolean
mw_size_limit_save_finish (GAsyncResult *result,
                           GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
