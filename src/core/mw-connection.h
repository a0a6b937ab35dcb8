/* mw-connection.h: one TCP connection, TLS, framing and the transcript
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mw-certificate-info.h"
#include "mw-line-reader.h"
#include "mw-transcript.h"

G_BEGIN_DECLS

/**
 * MwSecurity:
 * @MW_SECURITY_TLS: TLS from the first byte (ports 995, 465)
 * @MW_SECURITY_STARTTLS: plain, then upgraded with STLS / STARTTLS (110, 587)
 * @MW_SECURITY_NONE: no encryption at all (only when the user allows it)
 */
typedef enum
{
  MW_SECURITY_TLS,
  MW_SECURITY_STARTTLS,
  MW_SECURITY_NONE,
} MwSecurity;

const char *mw_security_to_string (MwSecurity security);
gboolean    mw_security_from_string (const char *str,
                                     MwSecurity *out_security);

#define MW_CONNECTION_ERROR (mw_connection_error_quark ())
GQuark mw_connection_error_quark (void);

typedef enum
{
  MW_CONNECTION_ERROR_CLOSED,             /* the peer closed the connection */
  MW_CONNECTION_ERROR_LINE_TOO_LONG,      /* a reply line passed the cap */
  MW_CONNECTION_ERROR_PROTOCOL,           /* bytes that break the protocol */
  MW_CONNECTION_ERROR_CERTIFICATE,        /* certificate not trusted */
  MW_CONNECTION_ERROR_TLS,                /* handshake or record failure */
  MW_CONNECTION_ERROR_STARTTLS_INJECTION, /* bytes before the handshake */
  MW_CONNECTION_ERROR_BUSY,               /* an operation is under way */
  MW_CONNECTION_ERROR_NOT_CONNECTED,
} MwConnectionError;

#define MW_CONNECTION_DEFAULT_TIMEOUT  60
#define MW_CONNECTION_DEFAULT_MAX_LINE 8192

#define MW_TYPE_CONNECTION (mw_connection_get_type ())
G_DECLARE_FINAL_TYPE (MwConnection, mw_connection, MW, CONNECTION, GObject)

MwConnection *mw_connection_new (const char   *host,
                                 guint16       port,
                                 MwTranscript *transcript);

const char   *mw_connection_get_host (MwConnection *self);
guint16       mw_connection_get_port (MwConnection *self);
MwTranscript *mw_connection_get_transcript (MwConnection *self);

/* Seconds for connecting and for each read or write; 0 means none. */
guint mw_connection_get_timeout (MwConnection *self);
void  mw_connection_set_timeout (MwConnection *self,
                                 guint         seconds);

size_t mw_connection_get_max_line (MwConnection *self);
void   mw_connection_set_max_line (MwConnection *self,
                                   size_t        max_line);

/* The local address to connect from (NULL: any). */
void mw_connection_set_local_address (MwConnection *self,
                                      const char   *address);

/* The name the certificate must carry; defaults to the host. */
void mw_connection_set_server_identity (MwConnection *self,
                                        const char   *identity);

/* A certificate whose SHA-256 fingerprint equals this one is accepted
 * whatever its other problems. */
const char *mw_connection_get_pinned_fingerprint (MwConnection *self);
void        mw_connection_set_pinned_fingerprint (MwConnection *self,
                                                  const char   *fingerprint);

/* Trust anchors other than the system's (a PEM file). */
gboolean mw_connection_set_ca_file (MwConnection *self,
                                    const char   *path,
                                    GError      **error);
void     mw_connection_set_tls_database (MwConnection *self,
                                         GTlsDatabase *database);

void     mw_connection_connect_async (MwConnection       *self,
                                      gboolean            implicit_tls,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
gboolean mw_connection_connect_finish (MwConnection *self,
                                       GAsyncResult *result,
                                       GError      **error);

/* Upgrades the open connection. Call it right after reading the server's
 * positive reply to STLS / STARTTLS: if the server has already sent
 * anything more, that is an injection attempt and the connection fails
 * with MW_CONNECTION_ERROR_STARTTLS_INJECTION. */
void     mw_connection_start_tls_async (MwConnection       *self,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gboolean mw_connection_start_tls_finish (MwConnection *self,
                                         GAsyncResult *result,
                                         GError      **error);

gboolean    mw_connection_is_connected (MwConnection *self);
gboolean    mw_connection_is_tls (MwConnection *self);
const char *mw_connection_get_tls_version (MwConnection *self);
const char *mw_connection_get_tls_cipher (MwConnection *self);
/* After TLS: the server's certificate. After a certificate failure: the
 * rejected certificate, for the UI to offer pinning it. */
MwCertificateInfo *mw_connection_get_certificate_info (MwConnection *self);

/* Writing. Commands are queued, then flushed together: one command at a
 * time or many (pipelining) is the caller's choice. @display is the text the
 * transcript shows instead of @line (the redaction hook: "PASS ****");
 * NULL shows @line. @line must not contain CR, LF or NUL. */
void mw_connection_queue_line (MwConnection *self,
                               const char   *line,
                               const char   *display);
/* Raw bytes (message data); the transcript is told by the caller. */
void   mw_connection_queue_data (MwConnection *self,
                                 const void   *data,
                                 size_t        len);
size_t mw_connection_get_queued (MwConnection *self);

void     mw_connection_flush_async (MwConnection       *self,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data);
gboolean mw_connection_flush_finish (MwConnection *self,
                                     GAsyncResult *result,
                                     GError      **error);

/* Reading one status line (CRLF or bare LF stripped), logged as the server's.
 * Fails with MW_CONNECTION_ERROR_LINE_TOO_LONG past the cap,
 * MW_CONNECTION_ERROR_CLOSED at end of stream. */
void  mw_connection_read_line_async (MwConnection       *self,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
char *mw_connection_read_line_finish (MwConnection *self,
                                      GAsyncResult *result,
                                      MwLineFlags  *out_flags,
                                      GError      **error);

/* Reading a dot-terminated body, unstuffed, into @sink in chunks (never
 * whole in memory). After @max_bytes bytes the rest is read and counted
 * but not written (0: no cap); stats say how much there was. A NULL @sink
 * discards. The transcript gets one folded entry. */
void     mw_connection_read_body_async (MwConnection       *self,
                                        GOutputStream      *sink,
                                        guint64             max_bytes,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gboolean mw_connection_read_body_finish (MwConnection *self,
                                         GAsyncResult *result,
                                         MwBodyStats  *out_stats,
                                         GError      **error);

/* A body longer than @limit bytes fails with MW_CONNECTION_ERROR_PROTOCOL
 * and closes the connection, for replies that can only be that long if
 * the server is broken or hostile. 0: no limit. Applies to the bodies read
 * after the call. */
void mw_connection_set_body_limit (MwConnection *self,
                                   guint64       limit);

/* Bytes received and not yet consumed. */
size_t mw_connection_get_buffered (MwConnection *self);

/* While no command awaits a reply: FALSE if the server sent anything
 * meanwhile (*@out_line: its first line, if whole) or closed (@error). */
gboolean mw_connection_poll_idle (MwConnection *self,
                                  char        **out_line,
                                  GError      **error);

/* Adds a note to the transcript (if any). */
void mw_connection_note (MwConnection     *self,
                         MwTranscriptFlags flags,
                         const char       *format,
                         ...) G_GNUC_PRINTF (3, 4);

/* Closes at once; pending operations fail with G_IO_ERROR_CANCELLED. */
void mw_connection_close (MwConnection *self);

G_END_DECLS
