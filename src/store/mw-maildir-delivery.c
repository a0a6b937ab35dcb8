/* mw-maildir-delivery.c: one message on its way into a Maildir
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-maildir-delivery.h"

#include "mw-delivery-stream-private.h"
#include "mw-maildir-private.h"
#include "mw-store-error.h"
#include "mw-store-util-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef enum
{
  STATE_OPEN,
  STATE_COMMITTING,
  STATE_COMMITTED,
  STATE_ABORTED,
} State;

struct _MwMaildirDelivery
{
  GObject parent_instance;

  /* Owned */
  char          *maildir_path;
  char          *unique;
  char          *tmp_path;
  char          *uid_hex;
  GOutputStream *stream;

  MwMaildirFaultSpec fault;
  State              state;
  int                fd;
};

G_DEFINE_FINAL_TYPE (MwMaildirDelivery, mw_maildir_delivery, G_TYPE_OBJECT)

static void
close_and_unlink (MwMaildirDelivery *self)
{
  if (self->fd >= 0)
    {
      close (self->fd);
      self->fd = -1;
    }

  if (g_unlink (self->tmp_path) != 0 && errno != ENOENT)
    g_debug ("Could not remove “%s”: %s", self->tmp_path, g_strerror (errno));
}

void
mw_maildir_delivery_set_uid (MwMaildirDelivery *self,
                             const char        *uid)
{
  GString *hex;

  g_return_if_fail (MW_IS_MAILDIR_DELIVERY (self));
  g_return_if_fail (self->state == STATE_OPEN);

  g_clear_pointer (&self->uid_hex, g_free);
  if (uid == NULL)
    return;

  /* Hex keeps any UID (RFC 1939 allows "/", ":" and ",") safe in a name. */
  hex = g_string_sized_new (strlen (uid) * 2);
  for (const char *p = uid; *p != '\0'; p++)
    g_string_append_printf (hex, "%02x", (guint8) *p);
  self->uid_hex = g_string_free (hex, FALSE);
}

static void
mw_maildir_delivery_dispose (GObject *object)
{
  MwMaildirDelivery *self = MW_MAILDIR_DELIVERY (object);

  /* A commit holds a reference through its task, so it cannot be under way. */
  g_assert (self->state != STATE_COMMITTING);

  if (self->state == STATE_OPEN)
    mw_maildir_delivery_abort (self);

  g_clear_object (&self->stream);

  G_OBJECT_CLASS (mw_maildir_delivery_parent_class)->dispose (object);
}

static void
mw_maildir_delivery_finalize (GObject *object)
{
  MwMaildirDelivery *self = MW_MAILDIR_DELIVERY (object);

  g_clear_pointer (&self->maildir_path, g_free);
  g_clear_pointer (&self->unique, g_free);
  g_clear_pointer (&self->tmp_path, g_free);
  g_clear_pointer (&self->uid_hex, g_free);

  G_OBJECT_CLASS (mw_maildir_delivery_parent_class)->finalize (object);
}

static void
mw_maildir_delivery_class_init (MwMaildirDeliveryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mw_maildir_delivery_dispose;
  object_class->finalize = mw_maildir_delivery_finalize;
}

static void
mw_maildir_delivery_init (MwMaildirDelivery *self)
{
  self->fd = -1;
}

MwMaildirDelivery *
mw_maildir_delivery_new (const char               *maildir_path,
                         int                       fd,
                         const char               *unique,
                         const MwMaildirFaultSpec *fault)
{
  MwMaildirDelivery *self;

  g_assert (maildir_path != NULL);
  g_assert (fd >= 0);
  g_assert (unique != NULL);

  self = g_object_new (MW_TYPE_MAILDIR_DELIVERY, NULL);
  self->maildir_path = g_strdup (maildir_path);
  self->unique = g_strdup (unique);
  self->tmp_path = g_build_filename (maildir_path, "tmp", unique, NULL);
  self->fd = fd;
  if (fault != NULL)
    self->fault = *fault;

  if (self->fault.where == MW_MAILDIR_FAULT_WRITE)
    self->stream = mw_delivery_stream_new (fd, self->tmp_path, self->fault.after_bytes, self->fault.errnum);
  else
    self->stream = mw_delivery_stream_new (fd, self->tmp_path, 0, 0);

  return self;
}

GOutputStream *
mw_maildir_delivery_get_output_stream (MwMaildirDelivery *self)
{
  g_return_val_if_fail (MW_IS_MAILDIR_DELIVERY (self), NULL);
  return self->stream;
}

const char *
mw_maildir_delivery_get_tmp_path (MwMaildirDelivery *self)
{
  g_return_val_if_fail (MW_IS_MAILDIR_DELIVERY (self), NULL);
  return self->tmp_path;
}

const char *
mw_maildir_delivery_get_unique (MwMaildirDelivery *self)
{
  g_return_val_if_fail (MW_IS_MAILDIR_DELIVERY (self), NULL);
  return self->unique;
}

void
mw_maildir_delivery_abort (MwMaildirDelivery *self)
{
  g_return_if_fail (MW_IS_MAILDIR_DELIVERY (self));
  g_return_if_fail (self->state != STATE_COMMITTING);

  if (self->state != STATE_OPEN)
    return;

  close_and_unlink (self);
  self->state = STATE_ABORTED;
}

/* Runs in a worker thread; the main thread does not touch the delivery
 * while the state is STATE_COMMITTING. */
static char *
commit_in_thread (MwMaildirDelivery *self,
                  GError           **error)
{
  g_autofree char *new_dir = NULL;
  g_autofree char *final_name = NULL;
  g_autofree char *new_path = NULL;
  struct stat      st;
  int              rc;

  if (self->fault.where == MW_MAILDIR_FAULT_FSYNC)
    {
      errno = self->fault.errnum;
      rc = -1;
    }
  else
    {
      do
        rc = fsync (self->fd);
      while (rc != 0 && errno == EINTR);
    }

  if (rc != 0)
    {
      int errsv = errno;

      mw_store_set_io_error (error, errsv, _ ("Could not write the message file"), self->tmp_path);
      return NULL;
    }

  if (fstat (self->fd, &st) != 0)
    {
      int errsv = errno;

      mw_store_set_io_error (error, errsv, _ ("Could not read the message file"), self->tmp_path);
      return NULL;
    }

  /* close() can report a deferred write error on some file systems. */
  rc = close (self->fd);
  self->fd = -1;
  if (rc != 0 && errno != EINTR)
    {
      int errsv = errno;

      mw_store_set_io_error (error, errsv, _ ("Could not write the message file"), self->tmp_path);
      return NULL;
    }

  final_name = g_strdup_printf ("%s,S=%" G_GUINT64_FORMAT "%s%s", self->unique, (guint64) st.st_size,
                                self->uid_hex != NULL ? ",U=" : "",
                                self->uid_hex != NULL ? self->uid_hex : "");
  new_dir = g_build_filename (self->maildir_path, "new", NULL);
  new_path = g_build_filename (new_dir, final_name, NULL);

  /* link() never replaces an existing file. Where hard links are not
   * supported, renameat2() with RENAME_NOREPLACE gives the same promise. */
  if (link (self->tmp_path, new_path) == 0)
    {
      g_unlink (self->tmp_path);
    }
  else if (errno == EPERM || errno == ENOTSUP || errno == ENOSYS || errno == EMLINK)
    {
      if (renameat2 (AT_FDCWD, self->tmp_path, AT_FDCWD, new_path, RENAME_NOREPLACE) != 0)
        {
          int errsv = errno;

          mw_store_set_io_error (error, errsv, _ ("Could not move the message into"), new_dir);
          return NULL;
        }
    }
  else
    {
      int errsv = errno;

      mw_store_set_io_error (error, errsv, _ ("Could not move the message into"), new_dir);
      return NULL;
    }

  if (!mw_store_fsync_directory (new_dir, error) ||
      !mw_store_fsync_directory (self->maildir_path, error))
    {
      /* Not durable: it must not look delivered. */
      g_unlink (new_path);
      return NULL;
    }

  return g_steal_pointer (&final_name);
}

static void
commit_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  MwMaildirDelivery *self = source_object;
  GError            *error = NULL;
  char              *name;

  name = commit_in_thread (self, &error);
  if (name == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, name, g_free);
}

static void
commit_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  MwMaildirDelivery *self = MW_MAILDIR_DELIVERY (object);
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  char   *name;

  name = g_task_propagate_pointer (G_TASK (result), &error);
  if (name == NULL)
    {
      close_and_unlink (self);
      self->state = STATE_ABORTED;
      g_task_return_error (task, error);
      return;
    }

  self->state = STATE_COMMITTED;
  g_task_return_pointer (task, name, g_free);
}

void
mw_maildir_delivery_commit_async (MwMaildirDelivery  *self,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GTask) inner = NULL;
  const GError *write_error;

  g_return_if_fail (MW_IS_MAILDIR_DELIVERY (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_maildir_delivery_commit_async);

  if (self->state != STATE_OPEN)
    {
      g_task_return_new_error (task, MW_STORE_ERROR, MW_STORE_ERROR_DELIVERY_FINISHED,
                               _ ("The message “%s” was already delivered or discarded"),
                               self->unique);
      return;
    }

  write_error = mw_delivery_stream_get_error (MW_DELIVERY_STREAM (self->stream));
  if (write_error != NULL)
    {
      mw_maildir_delivery_abort (self);
      g_task_return_error (task, g_error_copy (write_error));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    {
      mw_maildir_delivery_abort (self);
      return;
    }

  /* Once started, the commit is not cancellable: it is short, and stopping
   * between link() and the directory fsync would only lose work. */
  self->state = STATE_COMMITTING;
  inner = g_task_new (self, NULL, commit_done_cb, g_steal_pointer (&task));
  g_task_set_source_tag (inner, commit_thread);
  g_task_run_in_thread (inner, commit_thread);
}

char *
mw_maildir_delivery_commit_finish (MwMaildirDelivery *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (MW_IS_MAILDIR_DELIVERY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
