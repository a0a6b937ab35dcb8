/* mw-server-stream.c: buffered blocking I/O for one server session
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-server-stream-private.h"

#include <glib/gprintf.h>

#include <string.h>

#define READ_BUFFER_SIZE  16384
#define WRITE_BUFFER_SIZE 65536

struct _MwServerStream
{
  GSocketConnection *connection;
  GIOStream         *io;
  GInputStream      *in;
  GOutputStream     *out;
  GCancellable      *cancellable;

  char  *rbuf;
  size_t rpos;
  size_t rlen;

  char  *wbuf;
  size_t wlen;

  gboolean closed;
};

MwServerStream *
mw_server_stream_new (GSocketConnection *connection,
                      GCancellable      *cancellable)
{
  MwServerStream *self;

  g_assert (G_IS_SOCKET_CONNECTION (connection));

  self = g_new0 (MwServerStream, 1);
  self->connection = g_object_ref (connection);
  self->io = g_object_ref (G_IO_STREAM (connection));
  self->in = g_io_stream_get_input_stream (self->io);
  self->out = g_io_stream_get_output_stream (self->io);
  self->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  self->rbuf = g_malloc (READ_BUFFER_SIZE);
  self->wbuf = g_malloc (WRITE_BUFFER_SIZE);

  return self;
}

void
mw_server_stream_free (MwServerStream *self)
{
  if (self == NULL)
    return;

  mw_server_stream_close (self);
  g_clear_object (&self->io);
  g_clear_object (&self->connection);
  g_clear_object (&self->cancellable);
  g_free (self->rbuf);
  g_free (self->wbuf);
  g_free (self);
}

gboolean
mw_server_stream_is_tls (MwServerStream *self)
{
  return G_IS_TLS_CONNECTION (self->io);
}

gboolean
mw_server_stream_flush (MwServerStream *self,
                        GError        **error)
{
  gboolean ok;

  if (self->wlen == 0)
    return TRUE;

  ok = g_output_stream_write_all (self->out, self->wbuf, self->wlen, NULL,
                                  self->cancellable, error);
  self->wlen = 0;

  return ok;
}

gboolean
mw_server_stream_write (MwServerStream *self,
                        const void     *data,
                        size_t          len,
                        GError        **error)
{
  if (self->wlen + len > WRITE_BUFFER_SIZE)
    {
      if (!mw_server_stream_flush (self, error))
        return FALSE;

      if (len >= WRITE_BUFFER_SIZE)
        return g_output_stream_write_all (self->out, data, len, NULL,
                                          self->cancellable, error);
    }

  memcpy (self->wbuf + self->wlen, data, len);
  self->wlen += len;

  return TRUE;
}

gboolean
mw_server_stream_write_str (MwServerStream *self,
                            const char     *str,
                            GError        **error)
{
  return mw_server_stream_write (self, str, strlen (str), error);
}

gboolean
mw_server_stream_printf (MwServerStream *self,
                         GError        **error,
                         const char     *format,
                         ...)
{
  g_autofree char *str = NULL;
  va_list          args;
  int              len;

  va_start (args, format);
  len = g_vasprintf (&str, format, args);
  va_end (args);

  return mw_server_stream_write (self, str, (size_t) len, error);
}

/* Makes sure some input is buffered. Output is flushed first unless the
 * client has already sent more, which is what batches pipelined replies. */
static gboolean
fill (MwServerStream *self,
      GError        **error)
{
  gssize n;

  g_assert (self->rpos == self->rlen);

  self->rpos = self->rlen = 0;

  if (self->wlen > 0)
    {
      gboolean readable = FALSE;

      if (G_IS_POLLABLE_INPUT_STREAM (self->in) &&
          g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (self->in)))
        readable = g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (self->in));

      if (!readable && !mw_server_stream_flush (self, error))
        return FALSE;
    }

  n = g_input_stream_read (self->in, self->rbuf, READ_BUFFER_SIZE,
                           self->cancellable, error);
  if (n < 0)
    return FALSE;

  if (n == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                           "The client closed the connection");
      return FALSE;
    }

  self->rlen = (size_t) n;

  return TRUE;
}

gboolean
mw_server_stream_read_line (MwServerStream *self,
                            size_t          max_len,
                            GString        *line,
                            gboolean       *out_too_long,
                            GError        **error)
{
  gboolean too_long = FALSE;

  g_string_truncate (line, 0);

  for (;;)
    {
      const char *start;
      const char *nl;
      size_t      take;

      if (self->rpos == self->rlen && !fill (self, error))
        return FALSE;

      start = self->rbuf + self->rpos;
      nl = memchr (start, '\n', self->rlen - self->rpos);
      take = nl != NULL ? (size_t) (nl - start) + 1 : self->rlen - self->rpos;
      self->rpos += take;

      if (!too_long && line->len + take > max_len)
        {
          too_long = TRUE;
          g_string_truncate (line, 0);
        }

      if (!too_long)
        g_string_append_len (line, start, (gssize) take);

      if (nl != NULL)
        break;
    }

  *out_too_long = too_long;

  return TRUE;
}

gboolean
mw_server_stream_read_bytes (MwServerStream    *self,
                             guint64            len,
                             MwServerStreamSink sink,
                             gpointer           user_data,
                             GError           **error)
{
  while (len > 0)
    {
      size_t take;

      if (self->rpos == self->rlen && !fill (self, error))
        return FALSE;

      take = MIN (len, self->rlen - self->rpos);
      if (sink != NULL && !sink (self->rbuf + self->rpos, take, user_data, error))
        return FALSE;

      self->rpos += take;
      len -= take;
    }

  return TRUE;
}

gboolean
mw_server_stream_start_tls (MwServerStream  *self,
                            GTlsCertificate *certificate,
                            GError         **error)
{
  g_autoptr (GIOStream) tls = NULL;

  g_assert (!mw_server_stream_is_tls (self));

  /* Anything the client sent after the command must not survive into the
   * encrypted session (command injection). */
  self->rpos = self->rlen = 0;

  if (!mw_server_stream_flush (self, error))
    return FALSE;

  tls = g_tls_server_connection_new (self->io, certificate, error);
  if (tls == NULL)
    return FALSE;

  g_object_set (tls, "authentication-mode", G_TLS_AUTHENTICATION_NONE, NULL);

  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), self->cancellable,
                                   error))
    return FALSE;

  g_set_object (&self->io, tls);
  self->in = g_io_stream_get_input_stream (self->io);
  self->out = g_io_stream_get_output_stream (self->io);

  return TRUE;
}

void
mw_server_stream_delay (MwServerStream *self,
                        guint           msec)
{
  GPollFD pollfd;

  if (self->cancellable != NULL &&
      g_cancellable_make_pollfd (self->cancellable, &pollfd))
    {
      g_poll (&pollfd, 1, (int) msec);
      g_cancellable_release_fd (self->cancellable);
    }
  else
    {
      g_usleep ((gulong) msec * 1000);
    }
}

void
mw_server_stream_close (MwServerStream *self)
{
  if (self->closed)
    return;

  self->closed = TRUE;

  if (!g_cancellable_is_cancelled (self->cancellable))
    mw_server_stream_flush (self, NULL);

  g_io_stream_close (self->io, self->cancellable, NULL);

  /* Closing the TLS layer leaves the socket open. */
  if (self->io != G_IO_STREAM (self->connection))
    g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
}
