/* mw-uid-index.c: which server messages were stored locally, and where
 *
 * The file is text, one entry a line, closed by a line that counts the
 * entries and carries a SHA-256 of everything before it:
 *
 *   mailwire-uid-index 1
 *   <uid> TAB <file> TAB <downloaded> TAB <seen-since>
 *   end <count> <sha256>
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-uid-index.h"

#include "mw-store-enums.h"
#include "mw-store-error.h"
#include "mw-store-util-private.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER         "mailwire-uid-index"
#define FORMAT_VERSION 1
#define MAX_FILE_NAME  255

typedef struct
{
  char   *file;
  gint64  downloaded;
  gint64  seen_since;
  guint64 generation; /* when the entry last changed */
} Entry;

struct _MwUidIndex
{
  GObject parent_instance;

  char       *path;
  GHashTable *entries;    /* uid → Entry */
  GQueue      save_queue; /* GTasks waiting for the save under way */

  guint64         generation;
  guint64         durable_generation;
  MwUidIndexState state;
  gboolean        saving;
};

G_DEFINE_FINAL_TYPE (MwUidIndex, mw_uid_index, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PATH,
  PROP_STATE,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_free (entry->file);
  g_free (entry);
}

static GHashTable *
entries_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_free);
}

gboolean
mw_uid_is_valid (const char *uid,
                 GError    **error)
{
  size_t len;

  g_return_val_if_fail (uid != NULL, FALSE);

  len = strlen (uid);
  if (len == 0 || len > MW_UID_MAX_LENGTH)
    {
      g_set_error (error, MW_STORE_ERROR, MW_STORE_ERROR_INVALID_UID,
                   _ ("The server gave a message identifier of %zu characters; 1 to %d are allowed"),
                   len, MW_UID_MAX_LENGTH);
      return FALSE;
    }

  for (size_t i = 0; i < len; i++)
    {
      if ((unsigned char) uid[i] < 0x21 || (unsigned char) uid[i] > 0x7e)
        {
          g_set_error (error, MW_STORE_ERROR, MW_STORE_ERROR_INVALID_UID,
                       _ ("The server gave a message identifier with the forbidden byte 0x%02X"),
                       (unsigned char) uid[i]);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
file_name_is_valid (const char *file)
{
  size_t len = strlen (file);

  if (len == 0 || len > MAX_FILE_NAME || file[0] == '.')
    return FALSE;

  for (size_t i = 0; i < len; i++)
    if ((unsigned char) file[i] < 0x20 || file[i] == '/' || file[i] == 0x7f)
      return FALSE;

  return TRUE;
}

static void
set_state (MwUidIndex     *self,
           MwUidIndexState state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
mw_uid_index_finalize (GObject *object)
{
  MwUidIndex *self = MW_UID_INDEX (object);

  g_assert (g_queue_is_empty (&self->save_queue));

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->entries, g_hash_table_unref);

  G_OBJECT_CLASS (mw_uid_index_parent_class)->finalize (object);
}

static void
mw_uid_index_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  MwUidIndex *self = MW_UID_INDEX (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_uid_index_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  MwUidIndex *self = MW_UID_INDEX (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_uid_index_class_init (MwUidIndexClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mw_uid_index_finalize;
  object_class->get_property = mw_uid_index_get_property;
  object_class->set_property = mw_uid_index_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       MW_TYPE_UID_INDEX_STATE, MW_UID_INDEX_STATE_UNLOADED,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mw_uid_index_init (MwUidIndex *self)
{
  self->entries = entries_new ();
  g_queue_init (&self->save_queue);
}

MwUidIndex *
mw_uid_index_new (const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);

  return g_object_new (MW_TYPE_UID_INDEX, "path", path, NULL);
}

MwUidIndex *
mw_uid_index_new_for_account (const char *account_id)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (mw_store_account_id_is_valid (account_id), NULL);

  dir = mw_store_account_dir (account_id);
  path = g_build_filename (dir, "uid-index", NULL);
  return mw_uid_index_new (path);
}

const char *
mw_uid_index_get_path (MwUidIndex *self)
{
  g_return_val_if_fail (MW_IS_UID_INDEX (self), NULL);
  return self->path;
}

MwUidIndexState
mw_uid_index_get_state (MwUidIndex *self)
{
  g_return_val_if_fail (MW_IS_UID_INDEX (self), MW_UID_INDEX_STATE_UNLOADED);
  return self->state;
}

/* Parsing */

typedef struct
{
  GHashTable *entries;
  char       *backup_path;
  GError     *error;
} LoadResult;

static void
load_result_free (gpointer data)
{
  LoadResult *result = data;

  g_clear_pointer (&result->entries, g_hash_table_unref);
  g_free (result->backup_path);
  g_clear_error (&result->error);
  g_free (result);
}

static gboolean
parse_int64 (const char *text,
             gint64     *out)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &value, NULL))
    return FALSE;
  *out = value;
  return TRUE;
}

static gboolean
parse_entry (const char *line,
             GHashTable *entries)
{
  g_auto (GStrv) fields = g_strsplit (line, "\t", 0);
  Entry *entry;

  if (g_strv_length (fields) != 4 ||
      !mw_uid_is_valid (fields[0], NULL) ||
      !file_name_is_valid (fields[1]) ||
      g_hash_table_contains (entries, fields[0]))
    return FALSE;

  entry = g_new0 (Entry, 1);
  if (!parse_int64 (fields[2], &entry->downloaded) ||
      !parse_int64 (fields[3], &entry->seen_since))
    {
      g_free (entry);
      return FALSE;
    }

  entry->file = g_strdup (fields[1]);
  g_hash_table_insert (entries, g_strdup (fields[0]), entry);
  return TRUE;
}

/* Reads @contents into @entries, keeping every valid entry even when the
 * whole cannot be trusted. */
static gboolean
parse_index (const char *contents,
             gsize       length,
             GHashTable *entries,
             GError    **error)
{
  const char *line = contents;
  const char *end = contents + length;
  const char *trailer = NULL;
  gboolean    damaged = FALSE;
  guint64     version = 0;
  guint       n_lines = 0;

  if (memchr (contents, '\0', length) != NULL)
    damaged = TRUE;

  while (line < end)
    {
      const char      *nl = memchr (line, '\n', end - line);
      g_autofree char *text = NULL;

      if (nl == NULL)
        {
          /* A last line without its newline: the write was cut short. */
          damaged = TRUE;
          break;
        }

      text = g_strndup (line, nl - line);
      if (n_lines++ == 0)
        {
          if (!g_str_has_prefix (text, HEADER " ") ||
              !g_ascii_string_to_unsigned (text + strlen (HEADER) + 1, 10, 1, G_MAXUINT, &version, NULL))
            {
              g_set_error (error, MW_STORE_ERROR, MW_STORE_ERROR_INDEX_CORRUPT,
                           _ ("The list of downloaded messages is damaged: it does not start with its header"));
              return FALSE;
            }
          if (version > FORMAT_VERSION)
            {
              g_set_error (error, MW_STORE_ERROR, MW_STORE_ERROR_INDEX_NEWER,
                           _ ("The list of downloaded messages was written by a newer version of Mailwire"));
              return FALSE;
            }
        }
      else if (g_str_has_prefix (text, "end "))
        {
          trailer = line;
          line = nl + 1;
          break;
        }
      else if (!parse_entry (text, entries))
        {
          damaged = TRUE;
        }

      line = nl + 1;
    }

  if (n_lines == 0)
    {
      g_set_error (error, MW_STORE_ERROR, MW_STORE_ERROR_INDEX_CORRUPT,
                   _ ("The list of downloaded messages is empty: it was cut short"));
      return FALSE;
    }

  if (trailer == NULL || line != end)
    damaged = TRUE;

  if (!damaged)
    {
      g_autofree char *checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                               (const guchar *) contents,
                                                               trailer - contents);
      g_autofree char *expected = g_strdup_printf ("end %u %s\n", g_hash_table_size (entries), checksum);

      if (strlen (expected) != (size_t) (end - trailer) ||
          memcmp (expected, trailer, end - trailer) != 0)
        damaged = TRUE;
    }

  if (damaged)
    {
      g_set_error (error, MW_STORE_ERROR, MW_STORE_ERROR_INDEX_CORRUPT,
                   _ ("The list of downloaded messages is damaged; %u entries could be read"),
                   g_hash_table_size (entries));
      return FALSE;
    }

  return TRUE;
}

static char *
keep_backup (const char *path,
             const char *contents,
             gsize       length,
             GError    **error)
{
  for (guint n = 0; n < 100; n++)
    {
      g_autofree char *backup = NULL;

      if (n == 0)
        backup = g_strdup_printf ("%s.bak", path);
      else
        backup = g_strdup_printf ("%s.%u.bak", path, n);

      if (g_file_test (backup, G_FILE_TEST_EXISTS))
        {
          g_autofree char *old = NULL;
          gsize            old_length;

          /* The same damage seen again needs no second copy. */
          if (g_file_get_contents (backup, &old, &old_length, NULL) &&
              old_length == length && memcmp (old, contents, length) == 0)
            return g_steal_pointer (&backup);
          continue;
        }

      if (!g_file_set_contents_full (backup, contents, length,
                                     G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                     0600, error))
        return NULL;
      return g_steal_pointer (&backup);
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
               _ ("Too many backups of “%s” exist already"), path);
  return NULL;
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char      *path = task_data;
  LoadResult      *result = g_new0 (LoadResult, 1);
  g_autofree char *contents = NULL;
  gsize            length = 0;
  GError          *error = NULL;

  result->entries = entries_new ();

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          /* First use: nothing was downloaded yet. */
          g_clear_error (&error);
          g_task_return_pointer (task, result, load_result_free);
          return;
        }

      load_result_free (result);
      g_prefix_error (&error, _ ("Could not read the list of downloaded messages: "));
      g_task_return_error (task, error);
      return;
    }

  if (!parse_index (contents, length, result->entries, &result->error))
    {
      if (g_error_matches (result->error, MW_STORE_ERROR, MW_STORE_ERROR_INDEX_CORRUPT))
        {
          result->backup_path = keep_backup (path, contents, length, &error);
          if (result->backup_path == NULL)
            {
              load_result_free (result);
              g_prefix_error (&error, _ ("Could not keep a copy of the damaged list of downloaded messages: "));
              g_task_return_error (task, error);
              return;
            }
          {
            GError *corrupt = result->error;

            result->error = g_error_new (MW_STORE_ERROR, MW_STORE_ERROR_INDEX_CORRUPT,
                                         _ ("%s (“%s”). A copy was kept in “%s”."),
                                         corrupt->message, path, result->backup_path);
            g_error_free (corrupt);
          }
        }
      else
        {
          error = g_steal_pointer (&result->error);
          load_result_free (result);
          g_task_return_error (task, error);
          return;
        }
    }

  g_task_return_pointer (task, result, load_result_free);
}

void
mw_uid_index_load_async (MwUidIndex         *self,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (MW_IS_UID_INDEX (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_uid_index_load_async);
  g_task_set_task_data (task, g_strdup (self->path), g_free);
  g_task_run_in_thread (task, load_thread);
}

gboolean
mw_uid_index_load_finish (MwUidIndex   *self,
                          GAsyncResult *result,
                          GError      **error)
{
  LoadResult *loaded;

  g_return_val_if_fail (MW_IS_UID_INDEX (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  loaded = g_task_propagate_pointer (G_TASK (result), error);
  if (loaded == NULL)
    return FALSE;

  /* What was read from disk is durable by definition. */
  g_clear_pointer (&self->entries, g_hash_table_unref);
  self->entries = g_steal_pointer (&loaded->entries);
  self->generation++;
  self->durable_generation = self->generation;

  if (loaded->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&loaded->error));
      set_state (self, MW_UID_INDEX_STATE_CORRUPT);
      load_result_free (loaded);
      return FALSE;
    }

  set_state (self, MW_UID_INDEX_STATE_READY);
  load_result_free (loaded);
  return TRUE;
}

void
mw_uid_index_recover (MwUidIndex *self)
{
  g_return_if_fail (MW_IS_UID_INDEX (self));
  g_return_if_fail (self->state == MW_UID_INDEX_STATE_CORRUPT);

  set_state (self, MW_UID_INDEX_STATE_READY);
}

/* Saving */

static int
compare_strings (const void *a,
                 const void *b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

static GBytes *
serialize (MwUidIndex *self)
{
  GString                *out = g_string_new (NULL);
  g_autofree char        *checksum = NULL;
  g_autofree const char **uids = NULL;
  guint                   n;

  g_string_append_printf (out, HEADER " %d\n", FORMAT_VERSION);

  uids = (const char **) g_hash_table_get_keys_as_array (self->entries, &n);
  qsort (uids, n, sizeof (char *), compare_strings);
  for (guint i = 0; i < n; i++)
    {
      Entry *entry = g_hash_table_lookup (self->entries, uids[i]);

      g_string_append_printf (out, "%s\t%s\t%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT "\n",
                              uids[i], entry->file, entry->downloaded, entry->seen_since);
    }

  checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) out->str, out->len);
  g_string_append_printf (out, "end %u %s\n", n, checksum);

  return g_string_free_to_bytes (out);
}

typedef struct
{
  char   *path;
  GBytes *data;
} SaveData;

static void
save_data_free (gpointer data)
{
  SaveData *save = data;

  g_free (save->path);
  g_bytes_unref (save->data);
  g_free (save);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveData        *save = task_data;
  g_autofree char *dir = g_path_get_dirname (save->path);
  GError          *error = NULL;
  gsize            length;
  const char      *data = g_bytes_get_data (save->data, &length);

  if (!mw_store_mkdir (dir, &error) ||
      !g_file_set_contents_full (save->path, data, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &error) ||
      !mw_store_fsync_directory (dir, &error))
    {
      g_prefix_error (&error, _ ("Could not save the list of downloaded messages: "));
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void start_save (MwUidIndex *self);

static void
save_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  MwUidIndex *self = MW_UID_INDEX (object);
  guint64     generation = GPOINTER_TO_SIZE (user_data);
  GTask      *waiting;
  GError     *error = NULL;

  self->saving = FALSE;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    self->durable_generation = MAX (self->durable_generation, generation);

  /* The first waiting task is the one this save was for. */
  waiting = g_queue_pop_head (&self->save_queue);
  if (error != NULL)
    g_task_return_error (waiting, error);
  else
    g_task_return_boolean (waiting, TRUE);
  g_object_unref (waiting);

  if (!g_queue_is_empty (&self->save_queue))
    start_save (self);
}

static void
start_save (MwUidIndex *self)
{
  g_autoptr (GTask) task = NULL;
  SaveData *save;

  g_assert (!self->saving);

  if (self->state != MW_UID_INDEX_STATE_READY)
    {
      GTask *waiting = g_queue_pop_head (&self->save_queue);

      g_task_return_new_error (waiting, MW_STORE_ERROR, MW_STORE_ERROR_INDEX_CORRUPT,
                               _ ("The list of downloaded messages is not loaded or is damaged; it was not saved"));
      g_object_unref (waiting);
      if (!g_queue_is_empty (&self->save_queue))
        start_save (self);
      return;
    }

  save = g_new0 (SaveData, 1);
  save->path = g_strdup (self->path);
  save->data = serialize (self);

  self->saving = TRUE;
  task = g_task_new (self, NULL, save_done_cb, GSIZE_TO_POINTER (self->generation));
  g_task_set_source_tag (task, start_save);
  g_task_set_task_data (task, save, save_data_free);
  g_task_run_in_thread (task, save_thread);
}

void
mw_uid_index_save_async (MwUidIndex         *self,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (MW_IS_UID_INDEX (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_uid_index_save_async);
  /* Not cancellable once queued: a half-saved index helps nobody, and the
   * write is small. The snapshot is taken when the save starts, so a save
   * queued behind another writes the latest entries. */
  g_task_set_check_cancellable (task, FALSE);
  g_queue_push_tail (&self->save_queue, g_steal_pointer (&task));

  if (!self->saving)
    start_save (self);
}

gboolean
mw_uid_index_save_finish (MwUidIndex   *self,
                          GAsyncResult *result,
                          GError      **error)
{
  g_return_val_if_fail (MW_IS_UID_INDEX (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Queries and changes */

guint
mw_uid_index_get_n_uids (MwUidIndex *self)
{
  g_return_val_if_fail (MW_IS_UID_INDEX (self), 0);
  return g_hash_table_size (self->entries);
}

gboolean
mw_uid_index_contains (MwUidIndex *self,
                       const char *uid)
{
  g_return_val_if_fail (MW_IS_UID_INDEX (self), FALSE);
  g_return_val_if_fail (uid != NULL, FALSE);

  return g_hash_table_contains (self->entries, uid);
}

gboolean
mw_uid_index_is_durable (MwUidIndex *self,
                         const char *uid)
{
  Entry *entry;

  g_return_val_if_fail (MW_IS_UID_INDEX (self), FALSE);
  g_return_val_if_fail (uid != NULL, FALSE);

  entry = g_hash_table_lookup (self->entries, uid);
  return entry != NULL && entry->generation <= self->durable_generation;
}

gboolean
mw_uid_index_add (MwUidIndex *self,
                  const char *uid,
                  const char *file,
                  gint64      time,
                  GError    **error)
{
  Entry *entry;

  g_return_val_if_fail (MW_IS_UID_INDEX (self), FALSE);
  g_return_val_if_fail (uid != NULL, FALSE);
  g_return_val_if_fail (file != NULL, FALSE);
  g_return_val_if_fail (time >= 0, FALSE);

  if (!mw_uid_is_valid (uid, error))
    return FALSE;

  if (!file_name_is_valid (file))
    {
      g_set_error (error, MW_STORE_ERROR, MW_STORE_ERROR_INVALID_NAME,
                   _ ("“%s” is not a valid message file name"), file);
      return FALSE;
    }

  entry = g_hash_table_lookup (self->entries, uid);
  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      entry->seen_since = time;
      g_hash_table_insert (self->entries, g_strdup (uid), entry);
    }

  g_free (entry->file);
  entry->file = g_strdup (file);
  entry->downloaded = time;
  entry->seen_since = MIN (entry->seen_since, time);
  entry->generation = ++self->generation;
  return TRUE;
}

void
mw_uid_index_set_seen_since (MwUidIndex *self,
                             const char *uid,
                             gint64      time)
{
  Entry *entry;

  g_return_if_fail (MW_IS_UID_INDEX (self));
  g_return_if_fail (uid != NULL);

  entry = g_hash_table_lookup (self->entries, uid);
  if (entry == NULL || time >= entry->seen_since)
    return;

  entry->seen_since = time;
  entry->generation = ++self->generation;
}

gboolean
mw_uid_index_remove (MwUidIndex *self,
                     const char *uid)
{
  g_return_val_if_fail (MW_IS_UID_INDEX (self), FALSE);
  g_return_val_if_fail (uid != NULL, FALSE);

  if (!g_hash_table_remove (self->entries, uid))
    return FALSE;

  self->generation++;
  return TRUE;
}

const char *
mw_uid_index_get_file (MwUidIndex *self,
                       const char *uid)
{
  Entry *entry;

  g_return_val_if_fail (MW_IS_UID_INDEX (self), NULL);
  g_return_val_if_fail (uid != NULL, NULL);

  entry = g_hash_table_lookup (self->entries, uid);
  return entry != NULL ? entry->file : NULL;
}

gint64
mw_uid_index_get_downloaded (MwUidIndex *self,
                             const char *uid)
{
  Entry *entry;

  g_return_val_if_fail (MW_IS_UID_INDEX (self), -1);
  g_return_val_if_fail (uid != NULL, -1);

  entry = g_hash_table_lookup (self->entries, uid);
  return entry != NULL ? entry->downloaded : -1;
}

gint64
mw_uid_index_get_seen_since (MwUidIndex *self,
                             const char *uid)
{
  Entry *entry;

  g_return_val_if_fail (MW_IS_UID_INDEX (self), -1);
  g_return_val_if_fail (uid != NULL, -1);

  entry = g_hash_table_lookup (self->entries, uid);
  return entry != NULL ? entry->seen_since : -1;
}

static GStrv
sorted_uids (MwUidIndex *self,
             gboolean    filter,
             gint64      cutoff)
{
  g_autoptr (GPtrArray) uids = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer       key, value;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Entry *entry = value;

      if (!filter || entry->seen_since <= cutoff)
        g_ptr_array_add (uids, g_strdup (key));
    }

  g_ptr_array_sort (uids, compare_strings);
  g_ptr_array_add (uids, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&uids), FALSE);
}

GStrv
mw_uid_index_dup_uids (MwUidIndex *self)
{
  g_return_val_if_fail (MW_IS_UID_INDEX (self), NULL);

  return sorted_uids (self, FALSE, 0);
}

GStrv
mw_uid_index_uids_older_than (MwUidIndex *self,
                              guint       days,
                              gint64      now)
{
  g_return_val_if_fail (MW_IS_UID_INDEX (self), NULL);

  return sorted_uids (self, TRUE, now - (gint64) days * 24 * 60 * 60);
}
