/* mw-folder.c: a local folder (Downloaded, Sent, Outbox) as a list model
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-folder.h"

#include "mw-maildir-private.h"
#include "mw-store-util-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <string.h>
#include <unistd.h>

/* The cache: a version, then per message its key fields and headers. */
#define CACHE_VERSION 1
#define CACHE_TYPE    "(ua(sstxsssx))"
/* Headers past this size are not read for the listing. */
#define MAX_HEADER_BYTES (64 * 1024)

struct _MwFolder
{
  GObject parent_instance;

  MwMaildir *maildir;
  char      *cache_path;
  GPtrArray *items; /* MwFolderItem, sorted by name */

  guint last_parsed;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MwFolder, mw_folder, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
mw_folder_get_item_type (GListModel *model)
{
  return MW_TYPE_FOLDER_ITEM;
}

static guint
mw_folder_get_n_items (GListModel *model)
{
  return MW_FOLDER (model)->items->len;
}

static gpointer
mw_folder_get_item (GListModel *model,
                    guint       position)
{
  MwFolder *self = MW_FOLDER (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (self->items->pdata[position]);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = mw_folder_get_item_type;
  iface->get_n_items = mw_folder_get_n_items;
  iface->get_item = mw_folder_get_item;
}

static void
mw_folder_finalize (GObject *object)
{
  MwFolder *self = MW_FOLDER (object);

  g_clear_object (&self->maildir);
  g_clear_pointer (&self->cache_path, g_free);
  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (mw_folder_parent_class)->finalize (object);
}

static void
mw_folder_class_init (MwFolderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mw_folder_finalize;

  /* Before any worker thread parses. */
  g_mime_init ();
}

static void
mw_folder_init (MwFolder *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

MwFolder *
mw_folder_new (MwMaildir  *maildir,
               const char *cache_path)
{
  MwFolder *self;

  g_return_val_if_fail (MW_IS_MAILDIR (maildir), NULL);

  self = g_object_new (MW_TYPE_FOLDER, NULL);
  self->maildir = g_object_ref (maildir);
  if (cache_path != NULL)
    {
      self->cache_path = g_strdup (cache_path);
    }
  else
    {
      g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, mw_maildir_get_path (maildir), -1);
      g_autofree char *file = g_strdup_printf ("%.32s.cache", hash);

      self->cache_path = g_build_filename (g_get_user_cache_dir (), "mailwire", "folders", file, NULL);
    }

  return self;
}

MwMaildir *
mw_folder_get_maildir (MwFolder *self)
{
  g_return_val_if_fail (MW_IS_FOLDER (self), NULL);
  return self->maildir;
}

const char *
mw_folder_get_cache_path (MwFolder *self)
{
  g_return_val_if_fail (MW_IS_FOLDER (self), NULL);
  return self->cache_path;
}

guint
mw_folder_get_last_parsed (MwFolder *self)
{
  g_return_val_if_fail (MW_IS_FOLDER (self), 0);
  return self->last_parsed;
}

char *
mw_folder_fold_query (const char *query)
{
  g_autofree char *normalized = NULL;

  g_return_val_if_fail (query != NULL, NULL);

  normalized = g_utf8_normalize (query, -1, G_NORMALIZE_ALL);
  return g_utf8_casefold (normalized != NULL ? normalized : "", -1);
}

/* Worker thread */

typedef struct
{
  char      *maildir_path;
  char      *cache_path;
  GPtrArray *previous; /* MwFolderItem; immutable, shared read-only */
  GPtrArray *items;    /* result */
  guint      parsed;
  gboolean   changed;
} RefreshData;

static void
refresh_data_free (gpointer data)
{
  RefreshData *refresh = data;

  g_free (refresh->maildir_path);
  g_free (refresh->cache_path);
  g_clear_pointer (&refresh->previous, g_ptr_array_unref);
  g_clear_pointer (&refresh->items, g_ptr_array_unref);
  g_free (refresh);
}

static char *
item_key (const char *subdir,
          const char *name)
{
  return g_strconcat (subdir, "/", name, NULL);
}

static const char *
child_string (GVariant  *row,
              gsize      index,
              GVariant **out)
{
  *out = g_variant_get_child_value (row, index);
  return g_variant_get_string (*out, NULL);
}

static void
load_cache (const char *path,
            GHashTable *known)
{
  g_autofree char *contents = NULL;
  g_autoptr (GVariant) cache = NULL;
  g_autoptr (GVariant) version = NULL;
  g_autoptr (GVariant) rows = NULL;
  gsize length, n_rows;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return;

  cache = g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE (CACHE_TYPE), contents, length,
                                                       FALSE, NULL, NULL));
  version = g_variant_get_child_value (cache, 0);
  if (g_variant_get_uint32 (version) != CACHE_VERSION)
    return;

  /* Field by field: format strings are parsed anew for every call, which
   * costs more than the rest of a cached listing. */
  rows = g_variant_get_child_value (cache, 1);
  n_rows = g_variant_n_children (rows);
  for (gsize i = 0; i < n_rows; i++)
    {
      g_autoptr (GVariant) row = g_variant_get_child_value (rows, i);
      g_autoptr (GVariant) name = NULL;
      g_autoptr (GVariant) subdir = NULL;
      g_autoptr (GVariant) size = g_variant_get_child_value (row, 2);
      g_autoptr (GVariant) mtime = g_variant_get_child_value (row, 3);
      g_autoptr (GVariant) from = NULL;
      g_autoptr (GVariant) subject = NULL;
      g_autoptr (GVariant) message_id = NULL;
      g_autoptr (GVariant) date = g_variant_get_child_value (row, 7);
      MwFolderItem *item;

      item = mw_folder_item_new (child_string (row, 1, &subdir),
                                 child_string (row, 0, &name),
                                 g_variant_get_uint64 (size),
                                 g_variant_get_int64 (mtime),
                                 child_string (row, 4, &from),
                                 child_string (row, 5, &subject),
                                 g_variant_get_int64 (date),
                                 child_string (row, 6, &message_id));
      g_hash_table_insert (known,
                           item_key (mw_folder_item_get_subdir (item), mw_folder_item_get_name (item)),
                           item);
    }
}

static gboolean
save_cache (const char *path,
            GPtrArray  *items,
            GError    **error)
{
  g_autoptr (GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE ("a(sstxsssx)"));
  g_autoptr (GVariant) cache = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  for (guint i = 0; i < items->len; i++)
    {
      MwFolderItem *item = items->pdata[i];

      g_variant_builder_add (builder, "(sstxsssx)",
                             mw_folder_item_get_name (item),
                             mw_folder_item_get_subdir (item),
                             mw_folder_item_get_size (item),
                             mw_folder_item_get_mtime (item),
                             mw_folder_item_get_from (item),
                             mw_folder_item_get_subject (item),
                             mw_folder_item_get_message_id (item),
                             mw_folder_item_get_date (item));
    }

  cache = g_variant_ref_sink (g_variant_new ("(ua(sstxsssx))", (guint32) CACHE_VERSION, builder));

  /* A cache may be lost in a crash: consistent is enough, not durable. */
  return mw_store_mkdir (dir, error) &&
         g_file_set_contents_full (path, g_variant_get_data (cache), g_variant_get_size (cache),
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static char *
valid_utf8 (const char *text)
{
  if (text == NULL)
    return NULL;
  return g_utf8_make_valid (text, -1);
}

static MwFolderItem *
parse_message (const char           *maildir_path,
               const MwMaildirEntry *entry)
{
  g_autofree char *path = g_build_filename (maildir_path, entry->subdir, entry->name, NULL);
  g_autofree char *buffer = g_malloc (MAX_HEADER_BYTES);
  g_autofree char *from = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *message_id = NULL;
  gint64           date = 0;
  size_t           length = 0;
  int              fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd >= 0)
    {
      /* Read until the end of the header block or the cap. */
      while (length < MAX_HEADER_BYTES)
        {
          ssize_t n = read (fd, buffer + length, MAX_HEADER_BYTES - length);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            break;
          length += n;
          if (g_strstr_len (buffer, length, "\n\n") != NULL ||
              g_strstr_len (buffer, length, "\r\n\r\n") != NULL)
            break;
        }
      close (fd);
    }

  if (length > 0)
    {
      GMimeStream  *stream = g_mime_stream_mem_new_with_buffer (buffer, length);
      GMimeParser  *parser = g_mime_parser_new_with_stream (stream);
      GMimeMessage *message = g_mime_parser_construct_message (parser, NULL);

      if (message != NULL)
        {
          InternetAddressList *list = g_mime_message_get_from (message);
          GDateTime           *when = g_mime_message_get_date (message);
          g_autofree char     *from_text = NULL;

          if (list != NULL && internet_address_list_length (list) > 0)
            from_text = internet_address_list_to_string (list, NULL, FALSE);
          from = valid_utf8 (from_text);
          subject = valid_utf8 (g_mime_message_get_subject (message));
          message_id = valid_utf8 (g_mime_message_get_message_id (message));
          if (when != NULL)
            date = g_date_time_to_unix (when);
          g_object_unref (message);
        }

      g_object_unref (parser);
      g_object_unref (stream);
    }

  return mw_folder_item_new (entry->subdir, entry->name, entry->size, entry->mtime,
                             from, subject, date, message_id);
}

static void
refresh_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  RefreshData *refresh = task_data;
  g_autoptr (GHashTable) known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_autoptr (GPtrArray) entries = NULL;
  GError *error = NULL;
  guint   reused = 0;

  if (refresh->previous->len == 0)
    {
      load_cache (refresh->cache_path, known);
    }
  else
    {
      for (guint i = 0; i < refresh->previous->len; i++)
        {
          MwFolderItem *item = refresh->previous->pdata[i];

          g_hash_table_insert (known,
                               item_key (mw_folder_item_get_subdir (item), mw_folder_item_get_name (item)),
                               g_object_ref (item));
        }
    }

  entries = mw_maildir_scan (refresh->maildir_path, cancellable, &error);
  if (entries == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  refresh->items = g_ptr_array_new_full (entries->len, g_object_unref);
  for (guint i = 0; i < entries->len; i++)
    {
      const MwMaildirEntry *entry = entries->pdata[i];
      g_autofree char      *key = item_key (entry->subdir, entry->name);
      MwFolderItem         *item = g_hash_table_lookup (known, key);

      if (item != NULL &&
          mw_folder_item_get_size (item) == entry->size &&
          mw_folder_item_get_mtime (item) == entry->mtime)
        {
          g_ptr_array_add (refresh->items, g_object_ref (item));
          reused++;
          continue;
        }

      if ((refresh->parsed & 255) == 255 &&
          g_task_return_error_if_cancelled (task))
        return;

      g_ptr_array_add (refresh->items, parse_message (refresh->maildir_path, entry));
      refresh->parsed++;
    }

  /* Anything parsed, or anything gone, makes a new cache. */
  refresh->changed = refresh->parsed > 0 || reused != g_hash_table_size (known);
  if (refresh->changed && !save_cache (refresh->cache_path, refresh->items, &error))
    {
      g_debug ("Could not write the folder cache: %s", error->message);
      g_clear_error (&error);
    }

  g_task_return_boolean (task, TRUE);
}

void
mw_folder_refresh_async (MwFolder           *self,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  RefreshData *refresh;

  g_return_if_fail (MW_IS_FOLDER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  refresh = g_new0 (RefreshData, 1);
  refresh->maildir_path = g_strdup (mw_maildir_get_path (self->maildir));
  refresh->cache_path = g_strdup (self->cache_path);
  refresh->previous = g_ptr_array_new_full (self->items->len, g_object_unref);
  for (guint i = 0; i < self->items->len; i++)
    g_ptr_array_add (refresh->previous, g_object_ref (self->items->pdata[i]));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_folder_refresh_async);
  g_task_set_task_data (task, refresh, refresh_data_free);
  g_task_run_in_thread (task, refresh_thread);
}

gboolean
mw_folder_refresh_finish (MwFolder     *self,
                          GAsyncResult *result,
                          GError      **error)
{
  RefreshData *refresh;
  GPtrArray   *old;
  GPtrArray *new;
  guint shortest;
  guint head = 0;
  guint tail = 0;

  g_return_val_if_fail (MW_IS_FOLDER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  refresh = g_task_get_task_data (G_TASK (result));
  self->last_parsed = refresh->parsed;

  /* Unchanged messages keep their items (the refresh reuses them): only
   * the part between the unchanged head and tail is reported, so that a
   * list showing the folder keeps its rows, and its selection, around a
   * message that came or went. */
  old = self->items;
  new = refresh->items;
  shortest = MIN (old->len, new->len);
  while (head < shortest && old->pdata[head] == new->pdata[head])
    head++;
  while (tail < shortest - head &&
         old->pdata[old->len - 1 - tail] == new->pdata[new->len - 1 - tail])
    tail++;
  if (head == old->len && head == new->len)
    return TRUE;

  self->items = g_steal_pointer (&refresh->items);
  g_list_model_items_changed (G_LIST_MODEL (self), head, old->len - head - tail, new->len - head - tail);
  g_ptr_array_unref (old);
  return TRUE;
}
