/* mw-maildir.c: a Maildir (tmp/, new/, cur/) on disk
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-maildir.h"

#include "mw-maildir-private.h"
#include "mw-store-util-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct _MwMaildir
{
  GObject parent_instance;

  char              *path;
  MwMaildirFaultSpec fault;
};

G_DEFINE_FINAL_TYPE (MwMaildir, mw_maildir, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (MwMaildirEntry, mw_maildir_entry, mw_maildir_entry_copy, mw_maildir_entry_free)

enum
{
  PROP_0,
  PROP_PATH,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

/* The Q<counter> part keeps names unique within one process. */
static guint delivery_counter;

MwMaildirEntry *
mw_maildir_entry_copy (const MwMaildirEntry *entry)
{
  MwMaildirEntry *copy;

  g_return_val_if_fail (entry != NULL, NULL);

  copy = g_new (MwMaildirEntry, 1);
  *copy = *entry;
  copy->name = g_strdup (entry->name);
  return copy;
}

void
mw_maildir_entry_free (MwMaildirEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->name);
  g_free (entry);
}

char *
mw_maildir_entry_dup_unique (const MwMaildirEntry *entry)
{
  const char *colon;

  g_return_val_if_fail (entry != NULL, NULL);

  colon = strchr (entry->name, ':');
  if (colon == NULL)
    return g_strdup (entry->name);
  return g_strndup (entry->name, colon - entry->name);
}

/**
 * mw_maildir_name_dup_uid:
 * @name: a file name in new/ or cur/
 *
 * Returns: (transfer full) (nullable): the UID recorded in @name
 */
char *
mw_maildir_name_dup_uid (const char *name)
{
  const char *end;
  const char *p;
  GString    *uid;

  g_return_val_if_fail (name != NULL, NULL);

  /* Only the unique part, before any ":2," info, counts. */
  end = strchr (name, ':');
  if (end == NULL)
    end = name + strlen (name);

  for (p = name; (p = strstr (p, ",U=")) != NULL && p < end; p += 3)
    {
      const char *hex = p + 3;
      size_t      len = 0;

      while (hex + len < end && g_ascii_isxdigit (hex[len]))
        len++;
      if (len == 0 || len % 2 != 0 || (hex + len < end && hex[len] != ','))
        continue;

      uid = g_string_sized_new (len / 2);
      for (size_t i = 0; i < len; i += 2)
        g_string_append_c (uid, (char) (g_ascii_xdigit_value (hex[i]) * 16 + g_ascii_xdigit_value (hex[i + 1])));
      return g_string_free (uid, FALSE);
    }

  return NULL;
}

MwMaildirFlags
mw_maildir_parse_flags (const char *name)
{
  MwMaildirFlags flags = MW_MAILDIR_FLAG_NONE;
  const char    *info;

  g_return_val_if_fail (name != NULL, MW_MAILDIR_FLAG_NONE);

  info = strstr (name, ":2,");
  if (info == NULL)
    return flags;

  for (const char *p = info + 3; *p != '\0'; p++)
    {
      switch (*p)
        {
        case 'D':
          flags |= MW_MAILDIR_FLAG_DRAFT;
          break;
        case 'F':
          flags |= MW_MAILDIR_FLAG_FLAGGED;
          break;
        case 'P':
          flags |= MW_MAILDIR_FLAG_PASSED;
          break;
        case 'R':
          flags |= MW_MAILDIR_FLAG_REPLIED;
          break;
        case 'S':
          flags |= MW_MAILDIR_FLAG_SEEN;
          break;
        case 'T':
          flags |= MW_MAILDIR_FLAG_TRASHED;
          break;
        default:
          break;
        }
    }

  return flags;
}

static void
mw_maildir_finalize (GObject *object)
{
  MwMaildir *self = MW_MAILDIR (object);

  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (mw_maildir_parent_class)->finalize (object);
}

static void
mw_maildir_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  MwMaildir *self = MW_MAILDIR (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_maildir_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  MwMaildir *self = MW_MAILDIR (object);

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
mw_maildir_class_init (MwMaildirClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mw_maildir_finalize;
  object_class->get_property = mw_maildir_get_property;
  object_class->set_property = mw_maildir_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mw_maildir_init (MwMaildir *self)
{
}

MwMaildir *
mw_maildir_new (const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);

  return g_object_new (MW_TYPE_MAILDIR, "path", path, NULL);
}

MwMaildir *
mw_maildir_new_for_account (const char     *account_id,
                            MwMaildirFolder folder)
{
  g_autofree char *account_dir = NULL;
  g_autofree char *path = NULL;
  const char      *subfolder = NULL;

  g_return_val_if_fail (mw_store_account_id_is_valid (account_id), NULL);

  switch (folder)
    {
    case MW_MAILDIR_FOLDER_SENT:
      subfolder = ".Sent";
      break;
    case MW_MAILDIR_FOLDER_OUTBOX:
      subfolder = ".Outbox";
      break;
    case MW_MAILDIR_FOLDER_DOWNLOADED:
    default:
      break;
    }

  account_dir = mw_store_account_dir (account_id);
  path = g_build_filename (account_dir, "Maildir", subfolder, NULL);
  return mw_maildir_new (path);
}

const char *
mw_maildir_get_path (MwMaildir *self)
{
  g_return_val_if_fail (MW_IS_MAILDIR (self), NULL);
  return self->path;
}

void
mw_maildir_inject_fault (MwMaildir     *self,
                         MwMaildirFault where,
                         guint64        after_bytes,
                         int            errnum)
{
  g_return_if_fail (MW_IS_MAILDIR (self));

  self->fault.where = where;
  self->fault.after_bytes = after_bytes;
  self->fault.errnum = errnum;
}

/* Open */

static guint
remove_stale_tmp (const char *tmp_path,
                  gint64      now)
{
  DIR           *dir;
  struct dirent *ent;
  guint          removed = 0;
  int            dfd;

  dir = opendir (tmp_path);
  if (dir == NULL)
    return 0;

  dfd = dirfd (dir);
  while ((ent = readdir (dir)) != NULL)
    {
      struct stat st;

      if (ent->d_name[0] == '.')
        continue;
      if (fstatat (dfd, ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        continue;
      if (!S_ISREG (st.st_mode))
        continue;
      if (now - st.st_mtime < MW_MAILDIR_STALE_TMP_SECONDS &&
          now - st.st_atime < MW_MAILDIR_STALE_TMP_SECONDS)
        continue;

      if (unlinkat (dfd, ent->d_name, 0) == 0)
        removed++;
      else
        g_debug ("Could not remove the stale file “%s/%s”: %s",
                 tmp_path, ent->d_name, g_strerror (errno));
    }

  closedir (dir);
  return removed;
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char *path = task_data;
  const char *subdirs[] = { "tmp", "new", "cur" };
  guint       removed;

  for (size_t i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *sub = g_build_filename (path, subdirs[i], NULL);
      g_autoptr (GError) error = NULL;

      if (!mw_store_mkdir (sub, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  {
    g_autofree char *tmp = g_build_filename (path, "tmp", NULL);

    removed = remove_stale_tmp (tmp, g_get_real_time () / G_USEC_PER_SEC);
  }

  g_task_return_int (task, removed);
}

void
mw_maildir_open_async (MwMaildir          *self,
                       GCancellable       *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (MW_IS_MAILDIR (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_maildir_open_async);
  g_task_set_task_data (task, g_strdup (self->path), g_free);
  g_task_run_in_thread (task, open_thread);
}

gboolean
mw_maildir_open_finish (MwMaildir    *self,
                        GAsyncResult *result,
                        guint        *n_stale_removed,
                        GError      **error)
{
  gssize removed;

  g_return_val_if_fail (MW_IS_MAILDIR (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  removed = g_task_propagate_int (G_TASK (result), error);
  if (removed < 0)
    return FALSE;

  if (n_stale_removed != NULL)
    *n_stale_removed = removed;
  return TRUE;
}

/* Delivery */

static char *
sanitized_host_name (void)
{
  const char *host = g_get_host_name ();
  GString    *out = g_string_new (NULL);

  for (const char *p = host; *p != '\0' && out->len < 64; p++)
    {
      if (*p == '/')
        g_string_append (out, "\\057");
      else if (*p == ':')
        g_string_append (out, "\\072");
      else if (*p == ',' || *p == '\\')
        g_string_append_printf (out, "\\%03o", (unsigned char) *p);
      else if ((unsigned char) *p <= 0x20 || (unsigned char) *p >= 0x7f)
        g_string_append_c (out, '_');
      else
        g_string_append_c (out, *p);
    }

  if (out->len == 0)
    g_string_append (out, "localhost");

  return g_string_free (out, FALSE);
}

MwMaildirDelivery *
mw_maildir_begin_delivery (MwMaildir *self,
                           GError   **error)
{
  g_autofree char *host = NULL;

  g_return_val_if_fail (MW_IS_MAILDIR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  host = sanitized_host_name ();

  /* O_EXCL makes a collision with another process visible; try again with
   * the next counter value. */
  for (int attempt = 0; attempt < 100; attempt++)
    {
      gint64           now = g_get_real_time ();
      guint            counter = g_atomic_int_add (&delivery_counter, 1);
      g_autofree char *unique = NULL;
      g_autofree char *tmp_path = NULL;
      int              fd;

      unique = g_strdup_printf ("%" G_GINT64_FORMAT ".M%06dP%dQ%u.%s",
                                now / G_USEC_PER_SEC, (int) (now % G_USEC_PER_SEC),
                                (int) getpid (), counter, host);
      tmp_path = g_build_filename (self->path, "tmp", unique, NULL);

      fd = g_open (tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd >= 0)
        return mw_maildir_delivery_new (self->path, fd, unique, &self->fault);

      if (errno != EEXIST)
        {
          int errsv = errno;

          mw_store_set_io_error (error, errsv, _ ("Could not create the message file"), tmp_path);
          return NULL;
        }
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
               _ ("Could not find a free file name in “%s”"), self->path);
  return NULL;
}

/* Listing */

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const MwMaildirEntry *ea = *(const MwMaildirEntry **) a;
  const MwMaildirEntry *eb = *(const MwMaildirEntry **) b;

  return strcmp (ea->name, eb->name);
}

static gboolean
scan_subdir (const char   *path,
             const char   *subdir,
             GPtrArray    *entries,
             GCancellable *cancellable,
             GError      **error)
{
  g_autofree char *dir_path = g_build_filename (path, subdir, NULL);
  struct dirent   *ent;
  DIR             *dir;
  int              dfd;
  guint            n = 0;

  dir = opendir (dir_path);
  if (dir == NULL)
    {
      int errsv = errno;

      mw_store_set_io_error (error, errsv, _ ("Could not list the folder"), dir_path);
      return FALSE;
    }

  dfd = dirfd (dir);
  errno = 0;
  while ((ent = readdir (dir)) != NULL)
    {
      MwMaildirEntry *entry;
      struct stat     st;

      if (ent->d_name[0] == '.')
        continue;

      if ((++n & 1023) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          closedir (dir);
          return FALSE;
        }

      /* A file renamed or removed since readdir saw it is simply gone. */
      if (fstatat (dfd, ent->d_name, &st, 0) != 0 || !S_ISREG (st.st_mode))
        continue;

      entry = g_new0 (MwMaildirEntry, 1);
      entry->name = g_strdup (ent->d_name);
      entry->subdir = subdir;
      entry->size = st.st_size;
      entry->mtime = st.st_mtime;
      entry->flags = mw_maildir_parse_flags (ent->d_name);
      g_ptr_array_add (entries, entry);
    }

  closedir (dir);
  return TRUE;
}

GPtrArray *
mw_maildir_scan (const char   *path,
                 GCancellable *cancellable,
                 GError      **error)
{
  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) mw_maildir_entry_free);

  if (!scan_subdir (path, "new", entries, cancellable, error) ||
      !scan_subdir (path, "cur", entries, cancellable, error))
    return NULL;

  g_ptr_array_sort (entries, compare_entries);
  return g_steal_pointer (&entries);
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError    *error = NULL;
  GPtrArray *entries;

  entries = mw_maildir_scan (task_data, cancellable, &error);
  if (entries == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, entries, (GDestroyNotify) g_ptr_array_unref);
}

void
mw_maildir_list_async (MwMaildir          *self,
                       GCancellable       *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (MW_IS_MAILDIR (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_maildir_list_async);
  g_task_set_task_data (task, g_strdup (self->path), g_free);
  g_task_run_in_thread (task, list_thread);
}

GPtrArray *
mw_maildir_list_finish (MwMaildir    *self,
                        GAsyncResult *result,
                        GError      **error)
{
  g_return_val_if_fail (MW_IS_MAILDIR (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
