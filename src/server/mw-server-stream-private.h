/* mw-server-stream-private.h: buffered blocking I/O for one server session
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _MwServerStream MwServerStream;

/* Takes one accepted connection. Reads block (honouring the socket timeout
 * and @cancellable); replies are buffered and flushed only when the client
 * has no complete command waiting, so pipelined commands get batched replies. */
MwServerStream *mw_server_stream_new (GSocketConnection *connection,
                                      GCancellable      *cancellable);
void            mw_server_stream_free (MwServerStream *self);

gboolean mw_server_stream_is_tls (MwServerStream *self);

/* Throws away everything the client sent that was not read yet, flushes,
 * and runs a TLS server handshake over the connection. */
gboolean mw_server_stream_start_tls (MwServerStream  *self,
                                     GTlsCertificate *certificate,
                                     GError         **error);

/* Reads one line, terminator included, into @line. A line longer than
 * @max_len bytes is consumed up to its LF and reported with @out_too_long
 * (then @line is empty). A closed connection is G_IO_ERROR_CONNECTION_CLOSED. */
gboolean mw_server_stream_read_line (MwServerStream *self,
                                     size_t          max_len,
                                     GString        *line,
                                     gboolean       *out_too_long,
                                     GError        **error);

typedef gboolean (*MwServerStreamSink) (const char *data,
                                        size_t      len,
                                        gpointer    user_data,
                                        GError    **error);

/* Reads exactly @len bytes and hands them to @sink in chunks (@sink may be
 * NULL to discard them). */
gboolean mw_server_stream_read_bytes (MwServerStream    *self,
                                      guint64            len,
                                      MwServerStreamSink sink,
                                      gpointer           user_data,
                                      GError           **error);

gboolean mw_server_stream_write (MwServerStream *self,
                                 const void     *data,
                                 size_t          len,
                                 GError        **error);
gboolean mw_server_stream_write_str (MwServerStream *self,
                                     const char     *str,
                                     GError        **error);
gboolean mw_server_stream_printf (MwServerStream *self,
                                  GError        **error,
                                  const char     *format,
                                  ...) G_GNUC_PRINTF (3, 4);
gboolean mw_server_stream_flush (MwServerStream *self,
                                 GError        **error);

/* Waits @msec milliseconds unless the session is cancelled first. */
void mw_server_stream_delay (MwServerStream *self,
                             guint           msec);

/* Flushes what it can and closes the connection (TLS close_notify too). */
void mw_server_stream_close (MwServerStream *self);

G_END_DECLS
