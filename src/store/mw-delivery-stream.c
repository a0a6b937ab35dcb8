/* mw-delivery-stream.c: the output stream of a Maildir delivery
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-delivery-stream-private.h"

#include "mw-store-util-private.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <unistd.h>

struct _MwDeliveryStream
{
  GOutputStream parent_instance;

  char   *path;
  GError *error;
  guint64 written;
  guint64 fault_after;
  int     fault_errno;
  int     fd; /* borrowed */
};

G_DEFINE_FINAL_TYPE (MwDeliveryStream, mw_delivery_stream, G_TYPE_OUTPUT_STREAM)

static gssize
mw_delivery_stream_write_fn (GOutputStream *stream,
                             const void    *buffer,
                             gsize          count,
                             GCancellable  *cancellable,
                             GError       **error)
{
  MwDeliveryStream *self = MW_DELIVERY_STREAM (stream);
  gssize            n;

  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return -1;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  if (self->fault_errno != 0)
    {
      if (self->written >= self->fault_after)
        {
          errno = self->fault_errno;
          n = -1;
          goto failed;
        }
      count = MIN (count, self->fault_after - self->written);
    }

  do
    n = write (self->fd, buffer, count);
  while (n < 0 && errno == EINTR);

failed:
  if (n < 0)
    {
      int errsv = errno;

      mw_store_set_io_error (&self->error, errsv, _ ("Could not write the message file"), self->path);
      g_propagate_error (error, g_error_copy (self->error));
      return -1;
    }

  self->written += n;
  return n;
}

static gboolean
mw_delivery_stream_close_fn (GOutputStream *stream,
                             GCancellable  *cancellable,
                             GError       **error)
{
  /* The delivery owns the descriptor: it still has to fsync it. */
  return TRUE;
}

static void
mw_delivery_stream_finalize (GObject *object)
{
  MwDeliveryStream *self = MW_DELIVERY_STREAM (object);

  g_clear_pointer (&self->path, g_free);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (mw_delivery_stream_parent_class)->finalize (object);
}

static void
mw_delivery_stream_class_init (MwDeliveryStreamClass *klass)
{
  GObjectClass       *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = mw_delivery_stream_finalize;
  stream_class->write_fn = mw_delivery_stream_write_fn;
  stream_class->close_fn = mw_delivery_stream_close_fn;
}

static void
mw_delivery_stream_init (MwDeliveryStream *self)
{
  self->fd = -1;
}

GOutputStream *
mw_delivery_stream_new (int         fd,
                        const char *path,
                        guint64     fault_after,
                        int         fault_errno)
{
  MwDeliveryStream *self;

  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (MW_TYPE_DELIVERY_STREAM, NULL);
  self->fd = fd;
  self->path = g_strdup (path);
  self->fault_after = fault_after;
  self->fault_errno = fault_errno;
  return G_OUTPUT_STREAM (self);
}

const GError *
mw_delivery_stream_get_error (MwDeliveryStream *self)
{
  g_return_val_if_fail (MW_IS_DELIVERY_STREAM (self), NULL);
  return self->error;
}

guint64
mw_delivery_stream_get_written (MwDeliveryStream *self)
{
  g_return_val_if_fail (MW_IS_DELIVERY_STREAM (self), 0);
  return self->written;
}
