/* mw-seen-uids.c: the server messages the user was told about
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-seen-uids.h"
#include "mw-uid-index.h"

#include "mw-store-util-private.h"

#define SEEN_FILE "seen-uids"

typedef struct
{
  char *dir;
  GStrv uids;
} SeenData;

static void
seen_data_free (SeenData *data)
{
  g_free (data->dir);
  g_strfreev (data->uids);
  g_free (data);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SeenData        *data = task_data;
  g_autofree char *path = g_build_filename (data->dir, SEEN_FILE, NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (!g_file_get_contents (path, &contents, NULL, &error) &&
      !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_hash_table_unref (set);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  lines = g_strsplit (contents != NULL ? contents : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    /* A damaged line is skipped: at worst a message is announced again. */
    if (mw_uid_is_valid (lines[i], NULL))
      g_hash_table_add (set, g_strdup (lines[i]));
  g_task_return_pointer (task, set, (GDestroyNotify) g_hash_table_unref);
}

void
mw_seen_uids_load_async (const char         *account_id,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  SeenData *data;

  g_return_if_fail (mw_store_account_id_is_valid (account_id));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_seen_uids_load_async);
  data = g_new0 (SeenData, 1);
  data->dir = mw_store_account_dir (account_id);
  g_task_set_task_data (task, data, (GDestroyNotify) seen_data_free);
  g_task_run_in_thread (task, load_thread);
}

GHashTable *
mw_seen_uids_load_finish (GAsyncResult *result,
                          GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SeenData        *data = task_data;
  g_autofree char *path = g_build_filename (data->dir, SEEN_FILE, NULL);
  g_autoptr (GString) text = g_string_new (NULL);
  GError *error = NULL;

  for (guint i = 0; data->uids[i] != NULL; i++)
    g_string_append_printf (text, "%s\n", data->uids[i]);
  if (!mw_store_mkdir (data->dir, &error) ||
      !g_file_set_contents_full (path, text->str, text->len, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0600, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
mw_seen_uids_save_async (const char         *account_id,
                         const char *const  *uids,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  SeenData *data;

  g_return_if_fail (mw_store_account_id_is_valid (account_id));
  g_return_if_fail (uids != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_seen_uids_save_async);
  data = g_new0 (SeenData, 1);
  data->dir = mw_store_account_dir (account_id);
  data->uids = g_strdupv ((char **) uids);
  g_task_set_task_data (task, data, (GDestroyNotify) seen_data_free);
  g_task_run_in_thread (task, save_thread);
}

gboolean
mw_seen_uids_save_finish (GAsyncResult *result,
                          GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
