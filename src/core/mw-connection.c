/* mw-connection.c: one TCP connection, TLS, framing and the transcript
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-connection.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

/* How much body is handed to the sink at a time. */
#define BODY_CHUNK 65536

struct _MwConnection
{
  GObject parent_instance;

  /* Owned */
  char              *host;
  char              *server_identity;
  char              *pinned_fingerprint;
  char              *local_address;
  MwTranscript      *transcript;
  GTlsDatabase      *database;
  GSocketConnection *socket_connection;
  GIOStream         *stream; /* the socket, or the TLS connection over it */
  MwLineReader      *reader;
  GByteArray        *out;
  GPtrArray         *out_log; /* display text of the queued lines */
  MwCertificateInfo *certificate_info;
  char              *tls_version;
  char              *tls_cipher;
  GCancellable      *close_cancellable;

  guint16 port;
  guint   timeout;
  size_t  max_line;
  guint64 body_limit;

  guint reading : 1;
  guint writing : 1;
  guint handshaking : 1;
};

G_DEFINE_FINAL_TYPE (MwConnection, mw_connection, G_TYPE_OBJECT)

G_DEFINE_QUARK (mw - connection - error - quark, mw_connection_error)

enum
{
  SIGNAL_BODY_PROGRESS,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

/* One operation under way: its own cancellable, fed by the caller's, by
 * close() and by an inactivity timer. */
typedef struct
{
  MwConnection  *self; /* borrowed; the task holds a ref */
  GCancellable  *cancellable;
  GCancellable  *user_cancellable;
  gulong         user_handler;
  gulong         close_handler;
  GCancellable  *close_cancellable;
  GSource       *timer;
  gboolean       timed_out;
  GBytes        *data; /* writes: the bytes under way */
  GOutputStream *sink; /* bodies */
  guint64        max_bytes;
  MwBodyDecoder *decoder;
  guint8        *chunk; /* decoded body bytes */
  size_t         chunk_len;
  gboolean       body_done;
  gboolean       is_read;
  gboolean       is_write;
} Op;

static void
op_free (Op *op)
{
  if (op->timer != NULL)
    {
      g_source_destroy (op->timer);
      g_source_unref (op->timer);
    }
  if (op->user_handler != 0)
    g_cancellable_disconnect (op->user_cancellable, op->user_handler);
  if (op->close_handler != 0)
    g_cancellable_disconnect (op->close_cancellable, op->close_handler);
  g_clear_object (&op->close_cancellable);
  g_clear_object (&op->user_cancellable);
  g_clear_object (&op->cancellable);
  g_clear_pointer (&op->data, g_bytes_unref);
  g_clear_object (&op->sink);
  g_clear_pointer (&op->decoder, mw_body_decoder_free);
  g_free (op->chunk);
  g_free (op);
}

static void
chain_cancel_cb (GCancellable *source,
                 GCancellable *target)
{
  g_cancellable_cancel (target);
}

static gboolean
op_timeout_cb (gpointer data)
{
  Op *op = data;

  op->timed_out = TRUE;
  g_cancellable_cancel (op->cancellable);
  g_clear_pointer (&op->timer, g_source_unref);

  return G_SOURCE_REMOVE;
}

/* Restarts the inactivity timer: called whenever bytes move. */
static void
op_touch (Op    *op,
          GTask *task)
{
  if (op->self->timeout == 0 || op->timed_out)
    return;

  if (op->timer != NULL)
    {
      g_source_destroy (op->timer);
      g_source_unref (op->timer);
    }

  op->timer = g_timeout_source_new_seconds (op->self->timeout);
  g_source_set_callback (op->timer, op_timeout_cb, op, NULL);
  g_source_set_name (op->timer, "[mailwire] connection timeout");
  g_source_attach (op->timer, g_task_get_context (task));
}

static GTask *
op_task_new (MwConnection       *self,
             GCancellable       *cancellable,
             gpointer            source_tag,
             GAsyncReadyCallback callback,
             gpointer            user_data,
             Op                **out_op)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Op    *op = g_new0 (Op, 1);

  g_task_set_source_tag (task, source_tag);
  op->self = self;
  op->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      op->user_cancellable = g_object_ref (cancellable);
      op->user_handler = g_cancellable_connect (cancellable,
                                                G_CALLBACK (chain_cancel_cb),
                                                op->cancellable, NULL);
    }
  if (self->close_cancellable != NULL)
    {
      op->close_cancellable = g_object_ref (self->close_cancellable);
      op->close_handler = g_cancellable_connect (op->close_cancellable,
                                                 G_CALLBACK (chain_cancel_cb),
                                                 op->cancellable, NULL);
    }
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);
  op_touch (op, task);

  *out_op = op;
  return task;
}

/* Consumes @task and @error. */
static void
op_return_error (GTask  *task,
                 GError *error)
{
  Op           *op = g_task_get_task_data (task);
  MwConnection *self = op->self;

  if (op->is_read)
    self->reading = FALSE;
  if (op->is_write)
    self->writing = FALSE;

  if ((op->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      g_clear_error (&error);
      error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           _ ("No answer from %s port %u within %u seconds"),
                           self->host, self->port, self->timeout);
      /* A peer that stopped answering is gone: nothing more can be trusted
       * to line up with what we send next. */
      mw_connection_close (self);
    }

  if (self->transcript != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    mw_transcript_note (self->transcript, MW_TRANSCRIPT_FLAG_ERROR, "%s", error->message);

  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
mw_connection_dispose (GObject *object)
{
  MwConnection *self = MW_CONNECTION (object);

  mw_connection_close (self);

  G_OBJECT_CLASS (mw_connection_parent_class)->dispose (object);
}

static void
mw_connection_finalize (GObject *object)
{
  MwConnection *self = MW_CONNECTION (object);

  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->server_identity, g_free);
  g_clear_pointer (&self->pinned_fingerprint, g_free);
  g_clear_pointer (&self->local_address, g_free);
  g_clear_object (&self->transcript);
  g_clear_object (&self->database);
  g_clear_pointer (&self->reader, mw_line_reader_free);
  g_clear_pointer (&self->out, g_byte_array_unref);
  g_clear_pointer (&self->out_log, g_ptr_array_unref);
  g_clear_pointer (&self->certificate_info, mw_certificate_info_unref);
  g_clear_pointer (&self->tls_version, g_free);
  g_clear_pointer (&self->tls_cipher, g_free);
  g_clear_object (&self->close_cancellable);

  G_OBJECT_CLASS (mw_connection_parent_class)->finalize (object);
}

static void
mw_connection_class_init (MwConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mw_connection_dispose;
  object_class->finalize = mw_connection_finalize;

  /**
   * MwConnection::body-progress:
   * @bytes: body bytes received so far
   *
   * Emitted while a body is being read, after each chunk.
   */
  signals[SIGNAL_BODY_PROGRESS] =
    g_signal_new ("body-progress", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT64);
}

static void
mw_connection_init (MwConnection *self)
{
  self->timeout = MW_CONNECTION_DEFAULT_TIMEOUT;
  self->max_line = MW_CONNECTION_DEFAULT_MAX_LINE;
  self->out = g_byte_array_new ();
  self->out_log = g_ptr_array_new_with_free_func (g_free);
}

/**
 * mw_connection_new:
 * @host: a host name or address
 * @port: a TCP port
 * @transcript: (nullable): where to record the exchange
 *
 * Returns: (transfer full): a connection, not yet connected
 */
MwConnection *
mw_connection_new (const char   *host,
                   guint16       port,
                   MwTranscript *transcript)
{
  MwConnection *self;

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (transcript == NULL || MW_IS_TRANSCRIPT (transcript), NULL);

  self = g_object_new (MW_TYPE_CONNECTION, NULL);
  self->host = g_strdup (host);
  self->port = port;
  if (transcript != NULL)
    self->transcript = g_object_ref (transcript);

  return self;
}

const char *
mw_connection_get_host (MwConnection *self)
{
  g_return_val_if_fail (MW_IS_CONNECTION (self), NULL);
  return self->host;
}

guint16
mw_connection_get_port (MwConnection *self)
{
  g_return_val_if_fail (MW_IS_CONNECTION (self), 0);
  return self->port;
}

/**
 * mw_connection_get_transcript:
 *
 * Returns: (transfer none) (nullable): the transcript
 */
MwTranscript *
mw_connection_get_transcript (MwConnection *self)
{
  g_return_val_if_fail (MW_IS_CONNECTION (self), NULL);
  return self->transcript;
}

guint
mw_connection_get_timeout (MwConnection *self)
{
  g_return_val_if_fail (MW_IS_CONNECTION (self), 0);
  return self->timeout;
}

void
mw_connection_set_timeout (MwConnection *self,
                           guint         seconds)
{
  g_return_if_fail (MW_IS_CONNECTION (self));
  self->timeout = seconds;
}

size_t
mw_connection_get_max_line (MwConnection *self)
{
  g_return_val_if_fail (MW_IS_CONNECTION (self), 0);
  return self->max_line;
}

void
mw_connection_set_max_line (MwConnection *self,
                            size_t        max_line)
{
  g_return_if_fail (MW_IS_CONNECTION (self));
  g_return_if_fail (max_line >= 64);
  g_return_if_fail (self->reader == NULL);
  self->max_line = max_line;
}

void
mw_connection_set_local_address (MwConnection *self,
                                 const char   *address)
{
  g_return_if_fail (MW_IS_CONNECTION (self));
  g_free (self->local_address);
  self->local_address = g_strdup (address);
}

void
mw_connection_set_server_identity (MwConnection *self,
                                   const char   *identity)
{
  g_return_if_fail (MW_IS_CONNECTION (self));
  g_free (self->server_identity);
  self->server_identity = g_strdup (identity);
}

const char *
mw_connection_get_pinned_fingerprint (MwConnection *self)
{
  g_return_val_if_fail (MW_IS_CONNECTION (self), NULL);
  return self->pinned_fingerprint;
}

void
mw_connection_set_pinned_fingerprint (MwConnection *self,
                                      const char   *fingerprint)
{
  g_return_if_fail (MW_IS_CONNECTION (self));
  g_free (self->pinned_fingerprint);
  self->pinned_fingerprint = mw_fingerprint_normalize (fingerprint);
  if (fingerprint != NULL && self->pinned_fingerprint == NULL)
    g_warning ("Ignoring a malformed certificate fingerprint");
}

gboolean
mw_connection_set_ca_file (MwConnection *self,
                           const char   *path,
                           GError      **error)
{
  g_autoptr (GTlsDatabase) database = NULL;

  g_return_val_if_fail (MW_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  database = g_tls_file_database_new (path, error);
  if (database == NULL)
    {
      g_prefix_error (error, _ ("Could not load the certificate authorities in %s: "), path);
      return FALSE;
    }

  g_set_object (&self->database, database);
  return TRUE;
}

void
mw_connection_set_tls_database (MwConnection *self,
                                GTlsDatabase *database)
{
  g_return_if_fail (MW_IS_CONNECTION (self));
  g_set_object (&self->database, database);
}

gboolean
mw_connection_is_connected (MwConnection *self)
{
  g_return_val_if_fail (MW_IS_CONNECTION (self), FALSE);
  return self->stream != NULL && !g_io_stream_is_closed (self->stream);
}

gboolean
mw_connection_is_tls (MwConnection *self)
{
  g_return_val_if_fail (MW_IS_CONNECTION (self), FALSE);
  return self->stream != NULL && G_IS_TLS_CONNECTION (self->stream);
}

const char *
mw_connection_get_tls_version (MwConnection *self)
{
  g_return_val_if_fail (MW_IS_CONNECTION (self), NULL);
  return self->tls_version;
}

const char *
mw_connection_get_tls_cipher (MwConnection *self)
{
  g_return_val_if_fail (MW_IS_CONNECTION (self), NULL);
  return self->tls_cipher;
}

/**
 * mw_connection_get_certificate_info:
 *
 * Returns: (transfer none) (nullable): the server's certificate
 */
MwCertificateInfo *
mw_connection_get_certificate_info (MwConnection *self)
{
  g_return_val_if_fail (MW_IS_CONNECTION (self), NULL);
  return self->certificate_info;
}

void
mw_connection_set_body_limit (MwConnection *self,
                              guint64       limit)
{
  g_return_if_fail (MW_IS_CONNECTION (self));
  self->body_limit = limit;
}

size_t
mw_connection_get_buffered (MwConnection *self)
{
  g_return_val_if_fail (MW_IS_CONNECTION (self), 0);
  return self->reader != NULL ? mw_line_reader_get_buffered (self->reader) : 0;
}

/**
 * mw_connection_poll_idle:
 * @out_line: (out) (transfer full) (nullable): the first line that came
 *
 * For a connection on which no command awaits a reply: takes, without
 * waiting, whatever the server sent meanwhile. Nothing: TRUE. Bytes: FALSE
 * with @out_line set to their first line, logged as the server's (NULL if
 * it is not complete yet); the caller decides what they mean. End of
 * stream or a read failure: FALSE and @error.
 *
 * Returns: whether the connection is still quiet
 */
gboolean
mw_connection_poll_idle (MwConnection *self,
                         char        **out_line,
                         GError      **error)
{
  GInputStream *input;
  char         *line = NULL;
  size_t        len = 0;
  MwLineFlags   flags = 0;

  g_return_val_if_fail (MW_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (out_line != NULL, FALSE);

  *out_line = NULL;
  if (self->stream == NULL || self->reading)
    return TRUE;

  input = g_io_stream_get_input_stream (self->stream);
  if (mw_line_reader_get_buffered (self->reader) == 0)
    {
      g_autoptr (GError) local_error = NULL;
      size_t  space;
      guint8 *dest;
      gssize  n;

      if (!G_IS_POLLABLE_INPUT_STREAM (input) ||
          !g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (input)))
        return TRUE;

      /* Over TLS this also consumes records that carry no data (session
       * tickets): only application bytes count. */
      dest = mw_line_reader_get_space (self->reader, &space);
      n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (input), dest, space,
                                                    NULL, &local_error);
      if (n < 0 && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return TRUE;
      if (n <= 0)
        {
          g_set_error (error, MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_CLOSED,
                       _ ("%s closed the connection"), self->host);
          return FALSE;
        }
      mw_line_reader_commit (self->reader, n);
    }

  if (mw_line_reader_next_line (self->reader, &line, &len, &flags) == MW_LINE_STATUS_LINE)
    {
      if (self->transcript != NULL)
        mw_transcript_append (self->transcript, MW_TRANSCRIPT_SERVER, 0, line, len);
      *out_line = line;
    }
  return FALSE;
}

void
mw_connection_note (MwConnection     *self,
                    MwTranscriptFlags flags,
                    const char       *format,
                    ...)
{
  g_autofree char *text = NULL;
  va_list          args;

  g_return_if_fail (MW_IS_CONNECTION (self));

  if (self->transcript == NULL)
    return;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  mw_transcript_append (self->transcript, MW_TRANSCRIPT_NOTE, flags, text, -1);
}

const char *
mw_security_to_string (MwSecurity security)
{
  switch (security)
    {
    case MW_SECURITY_TLS:
      return "tls";
    case MW_SECURITY_STARTTLS:
      return "starttls";
    case MW_SECURITY_NONE:
      return "none";
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
mw_security_from_string (const char *str,
                         MwSecurity *out_security)
{
  if (g_strcmp0 (str, "tls") == 0 || g_strcmp0 (str, "ssl") == 0)
    *out_security = MW_SECURITY_TLS;
  else if (g_strcmp0 (str, "starttls") == 0 || g_strcmp0 (str, "stls") == 0)
    *out_security = MW_SECURITY_STARTTLS;
  else if (g_strcmp0 (str, "none") == 0 || g_strcmp0 (str, "plain") == 0)
    *out_security = MW_SECURITY_NONE;
  else
    return FALSE;

  return TRUE;
}

/* TLS. */

static const char *
protocol_version_name (GTlsProtocolVersion version)
{
  switch (version)
    {
    case G_TLS_PROTOCOL_VERSION_SSL_3_0:
      return "SSL 3.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_0:
      return "TLS 1.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_1:
      return "TLS 1.1";
    case G_TLS_PROTOCOL_VERSION_TLS_1_2:
      return "TLS 1.2";
    case G_TLS_PROTOCOL_VERSION_TLS_1_3:
      return "TLS 1.3";
    case G_TLS_PROTOCOL_VERSION_DTLS_1_0:
      return "DTLS 1.0";
    case G_TLS_PROTOCOL_VERSION_DTLS_1_2:
      return "DTLS 1.2";
    case G_TLS_PROTOCOL_VERSION_UNKNOWN:
    default:
      return "TLS (unknown version)";
    }
}

static gboolean
accept_certificate_cb (GTlsConnection      *tls,
                       GTlsCertificate     *certificate,
                       GTlsCertificateFlags errors,
                       MwConnection        *self)
{
  g_autofree char *problems = NULL;

  g_clear_pointer (&self->certificate_info, mw_certificate_info_unref);
  self->certificate_info = mw_certificate_info_new (certificate, errors);

  if (self->pinned_fingerprint == NULL ||
      !mw_fingerprint_equal (self->pinned_fingerprint,
                             mw_certificate_info_get_fingerprint (self->certificate_info)))
    return FALSE;

  problems = mw_certificate_errors_to_string (errors);
  mw_connection_note (self, MW_TRANSCRIPT_FLAG_TLS,
                      "Certificate accepted by its pinned SHA-256 fingerprint although it is %s",
                      problems);
  return TRUE;
}

static void
handshake_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTlsConnection *tls = G_TLS_CONNECTION (object);
  g_autoptr (GTask) task = user_data;
  Op           *op = g_task_get_task_data (task);
  MwConnection *self = op->self;
  g_autoptr (GError) error = NULL;
  GTlsCertificate *peer;

  self->handshaking = FALSE;

  if (!g_tls_connection_handshake_finish (tls, result, &error))
    {
      if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE) &&
          self->certificate_info != NULL)
        {
          MwCertificateInfo *info = self->certificate_info;
          g_autofree char   *problems = mw_certificate_errors_to_string (mw_certificate_info_get_errors (info));
          g_autofree char   *details = mw_certificate_info_to_string (info);

          g_clear_error (&error);
          error = g_error_new (MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_CERTIFICATE,
                               _ ("The certificate of %s is not trusted: it is %s.\n%s"),
                               self->host, problems, details);
        }
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
               error->domain != MW_CONNECTION_ERROR)
        {
          const char *message = error->message;
          GError     *tls_error = g_error_new (MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_TLS,
                                               _ ("TLS with %s failed: %s"), self->host, message);
          g_clear_error (&error);
          error = tls_error;
        }
      mw_connection_close (self);
      op_return_error (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  g_clear_object (&self->stream);
  self->stream = G_IO_STREAM (g_object_ref (tls));
  mw_line_reader_reset (self->reader);

  peer = g_tls_connection_get_peer_certificate (tls);
  if (peer != NULL &&
      (self->certificate_info == NULL ||
       mw_certificate_info_get_certificate (self->certificate_info) != peer))
    {
      g_clear_pointer (&self->certificate_info, mw_certificate_info_unref);
      self->certificate_info = mw_certificate_info_new (peer, g_tls_connection_get_peer_certificate_errors (tls));
    }

  g_free (self->tls_version);
  self->tls_version = g_strdup (protocol_version_name (g_tls_connection_get_protocol_version (tls)));
  g_free (self->tls_cipher);
  self->tls_cipher = g_tls_connection_get_ciphersuite_name (tls);

  mw_connection_note (self, MW_TRANSCRIPT_FLAG_TLS,
                      "TLS established: %s, %s, certificate SHA-256 %s",
                      self->tls_version,
                      self->tls_cipher != NULL ? self->tls_cipher : "unknown cipher",
                      self->certificate_info != NULL ? mw_certificate_info_get_fingerprint (self->certificate_info) : "none");

  self->reading = self->writing = FALSE;
  g_task_return_boolean (task, TRUE);
}

static void
start_handshake (MwConnection *self,
                 GTask        *task)
{
  Op *op = g_task_get_task_data (task);
  g_autoptr (GSocketConnectable) identity = NULL;
  g_autoptr (GError) error = NULL;
  GIOStream *tls;

  identity = g_network_address_new (self->server_identity != NULL ? self->server_identity : self->host,
                                    self->port);
  tls = g_tls_client_connection_new (G_IO_STREAM (self->socket_connection), identity, &error);
  if (tls == NULL)
    {
      op_return_error (task, g_error_new (MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_TLS,
                                          _ ("TLS is not available: %s"), error->message));
      return;
    }

  if (self->database != NULL)
    g_tls_connection_set_database (G_TLS_CONNECTION (tls), self->database);
  g_signal_connect_object (tls, "accept-certificate", G_CALLBACK (accept_certificate_cb), self, 0);

  g_clear_pointer (&self->certificate_info, mw_certificate_info_unref);
  self->handshaking = TRUE;
  self->reading = self->writing = TRUE;
  op->is_read = op->is_write = TRUE;
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                    op->cancellable, handshake_cb, task);
  g_object_unref (tls);
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Op           *op = g_task_get_task_data (task);
  MwConnection *self = op->self;
  g_autoptr (GError) error = NULL;
  GSocketConnection *connection;
  gboolean           implicit_tls = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "implicit-tls"));

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (object), result, &error);
  if (connection == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, _ ("Could not connect to %s port %u: "), self->host, self->port);
      op_return_error (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  self->socket_connection = connection;
  /* From here on the connection's own inactivity timer rules. */
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 0);
  self->stream = G_IO_STREAM (g_object_ref (connection));
  g_clear_pointer (&self->reader, mw_line_reader_free);
  self->reader = mw_line_reader_new (self->max_line);

  {
    g_autoptr (GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
    g_autofree char *address = NULL;

    if (G_IS_INET_SOCKET_ADDRESS (remote))
      address = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
    mw_connection_note (self, MW_TRANSCRIPT_FLAG_NONE, "Connected to %s (%s) port %u",
                        self->host, address != NULL ? address : "?", self->port);
  }

  if (implicit_tls)
    {
      op_touch (op, task);
      start_handshake (self, g_steal_pointer (&task));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

/**
 * mw_connection_connect_async:
 * @implicit_tls: whether TLS starts with the first byte
 *
 * Opens the TCP connection (and TLS), within the timeout.
 */
void
mw_connection_connect_async (MwConnection       *self,
                             gboolean            implicit_tls,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GSocketClient) client = NULL;
  g_autoptr (GSocketConnectable) address = NULL;
  Op *op;

  g_return_if_fail (MW_IS_CONNECTION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (self->stream != NULL)
    {
      g_task_report_new_error (self, callback, user_data, mw_connection_connect_async,
                               MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_BUSY,
                               _ ("Already connected to %s"), self->host);
      return;
    }

  g_clear_object (&self->close_cancellable);
  self->close_cancellable = g_cancellable_new ();

  task = op_task_new (self, cancellable, mw_connection_connect_async, callback, user_data, &op);
  g_object_set_data (G_OBJECT (task), "implicit-tls", GINT_TO_POINTER (implicit_tls));

  mw_connection_note (self, MW_TRANSCRIPT_FLAG_NONE, "Connecting to %s port %u%s",
                      self->host, self->port, implicit_tls ? " with TLS" : "");

  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, self->timeout);
  /* Mail goes straight to the server: a desktop HTTP proxy setting is not
   * meant for it. */
  g_socket_client_set_enable_proxy (client, FALSE);
  if (self->local_address != NULL)
    {
      g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (self->local_address);

      if (inet != NULL)
        {
          g_autoptr (GSocketAddress) local = g_inet_socket_address_new (inet, 0);
          g_socket_client_set_local_address (client, local);
        }
    }
  address = g_network_address_new (self->host, self->port);
  g_socket_client_connect_async (client, address, op->cancellable, connect_cb, g_steal_pointer (&task));
}

gboolean
mw_connection_connect_finish (MwConnection *self,
                              GAsyncResult *result,
                              GError      **error)
{
  g_return_val_if_fail (MW_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * mw_connection_start_tls_async:
 *
 * Upgrades the open connection to TLS. Fails at once, closing the
 * connection, when the server has sent anything not yet read.
 */
void
mw_connection_start_tls_async (MwConnection       *self,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  size_t buffered;
  Op    *op;

  g_return_if_fail (MW_IS_CONNECTION (self));

  if (!mw_connection_is_connected (self) || mw_connection_is_tls (self) ||
      self->reading || self->writing)
    {
      g_task_report_new_error (self, callback, user_data, mw_connection_start_tls_async,
                               MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_BUSY,
                               _ ("Cannot start TLS now"));
      return;
    }

  task = op_task_new (self, cancellable, mw_connection_start_tls_async, callback, user_data, &op);

  buffered = mw_line_reader_get_buffered (self->reader);
  if (buffered > 0)
    {
      GError *error = g_error_new (MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_STARTTLS_INJECTION,
                                   ngettext ("%s sent %zu byte after agreeing to start TLS and before "
                                             "the handshake; it may have been injected by an attacker, so the "
                                             "connection was closed",
                                             "%s sent %zu bytes after agreeing to start TLS and before "
                                             "the handshake; they may have been injected by an attacker, so the "
                                             "connection was closed",
                                             buffered),
                                   self->host, buffered);

      mw_connection_close (self);
      op_return_error (g_steal_pointer (&task), error);
      return;
    }

  start_handshake (self, g_steal_pointer (&task));
}

gboolean
mw_connection_start_tls_finish (MwConnection *self,
                                GAsyncResult *result,
                                GError      **error)
{
  g_return_val_if_fail (MW_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Writing. */

static gboolean
line_is_clean (const char *line)
{
  return strpbrk (line, "\r\n") == NULL;
}

void
mw_connection_queue_line (MwConnection *self,
                          const char   *line,
                          const char   *display)
{
  g_return_if_fail (MW_IS_CONNECTION (self));
  g_return_if_fail (line != NULL);
  g_return_if_fail (line_is_clean (line));

  g_byte_array_append (self->out, (const guint8 *) line, strlen (line));
  g_byte_array_append (self->out, (const guint8 *) "\r\n", 2);

  if (display == NULL)
    g_ptr_array_add (self->out_log, g_strdup (line));
  else
    g_ptr_array_add (self->out_log, g_strdup_printf ("\x01%s", display));
}

void
mw_connection_queue_data (MwConnection *self,
                          const void   *data,
                          size_t        len)
{
  g_return_if_fail (MW_IS_CONNECTION (self));
  g_return_if_fail (data != NULL || len == 0);

  g_byte_array_append (self->out, data, len);
}

size_t
mw_connection_get_queued (MwConnection *self)
{
  g_return_val_if_fail (MW_IS_CONNECTION (self), 0);
  return self->out->len;
}

static void
log_queued_lines (MwConnection *self)
{
  for (guint i = 0; i < self->out_log->len; i++)
    {
      const char       *text = g_ptr_array_index (self->out_log, i);
      MwTranscriptFlags flags = MW_TRANSCRIPT_FLAG_NONE;

      /* A leading \x01 marks text the protocol layer redacted. */
      if (text[0] == '\x01')
        {
          flags |= MW_TRANSCRIPT_FLAG_REDACTED;
          text++;
        }
      if (self->transcript != NULL)
        mw_transcript_append (self->transcript, MW_TRANSCRIPT_CLIENT, flags, text, -1);
    }
  g_ptr_array_set_size (self->out_log, 0);
}

static void
flush_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
        {
          g_clear_error (&error);
          error = g_error_new (MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_CLOSED,
                               _ ("%s closed the connection"), op->self->host);
        }
      op_return_error (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  op->self->writing = FALSE;
  g_task_return_boolean (task, TRUE);
}

void
mw_connection_flush_async (MwConnection       *self,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  GOutputStream *output;
  Op            *op;

  g_return_if_fail (MW_IS_CONNECTION (self));

  if (!mw_connection_is_connected (self) || self->writing)
    {
      g_task_report_new_error (self, callback, user_data, mw_connection_flush_async,
                               MW_CONNECTION_ERROR,
                               self->writing ? MW_CONNECTION_ERROR_BUSY : MW_CONNECTION_ERROR_NOT_CONNECTED,
                               self->writing ? _ ("A write is already under way")
                                             : _ ("Not connected"));
      return;
    }

  task = op_task_new (self, cancellable, mw_connection_flush_async, callback, user_data, &op);
  log_queued_lines (self);

  if (self->out->len == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  op->is_write = TRUE;
  self->writing = TRUE;
  op->data = g_byte_array_free_to_bytes (g_steal_pointer (&self->out));
  self->out = g_byte_array_new ();

  output = g_io_stream_get_output_stream (self->stream);
  g_output_stream_write_all_async (output,
                                   g_bytes_get_data (op->data, NULL),
                                   g_bytes_get_size (op->data),
                                   G_PRIORITY_DEFAULT, op->cancellable,
                                   flush_cb, g_steal_pointer (&task));
}

gboolean
mw_connection_flush_finish (MwConnection *self,
                            GAsyncResult *result,
                            GError      **error)
{
  g_return_val_if_fail (MW_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Reading. */

static void fill_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data);

/* Reads more bytes into the line reader; the callback goes on with @step. */
static void
fill (GTask *task)
{
  Op           *op = g_task_get_task_data (task);
  MwConnection *self = op->self;
  size_t        space;
  guint8       *dest = mw_line_reader_get_space (self->reader, &space);

  g_assert (space > 0);
  g_input_stream_read_async (g_io_stream_get_input_stream (self->stream),
                             dest, space, G_PRIORITY_DEFAULT, op->cancellable,
                             fill_cb, task);
}

static void try_line (GTask *task);
static void try_body (GTask *task);

static void
fill_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Op           *op = g_task_get_task_data (task);
  MwConnection *self = op->self;
  g_autoptr (GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (n < 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
          g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_EOF))
        {
          g_clear_error (&error);
          error = g_error_new (MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_CLOSED,
                               _ ("%s closed the connection"), self->host);
        }
      op_return_error (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  if (n == 0)
    {
      op_return_error (g_steal_pointer (&task),
                       g_error_new (MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_CLOSED,
                                    _ ("%s closed the connection"), self->host));
      return;
    }

  mw_line_reader_commit (self->reader, n);
  op_touch (op, task);

  if (op->decoder != NULL)
    try_body (g_steal_pointer (&task));
  else
    try_line (g_steal_pointer (&task));
}

static void
try_line (GTask *task)
{
  Op           *op = g_task_get_task_data (task);
  MwConnection *self = op->self;
  char         *line = NULL;
  size_t        len = 0;
  MwLineFlags   flags = 0;

  switch (mw_line_reader_next_line (self->reader, &line, &len, &flags))
    {
    case MW_LINE_STATUS_LINE:
      if (self->transcript != NULL)
        mw_transcript_append (self->transcript, MW_TRANSCRIPT_SERVER, 0, line, len);
      self->reading = FALSE;
      g_object_set_data (G_OBJECT (task), "line-flags", GUINT_TO_POINTER (flags));
      g_task_return_pointer (task, line, g_free);
      g_object_unref (task);
      return;

    case MW_LINE_STATUS_TOO_LONG:
      {
        GError *error = g_error_new (MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_LINE_TOO_LONG,
                                     _ ("%s sent a reply line longer than %zu bytes; "
                                        "the connection was closed"),
                                     self->host, self->max_line);
        mw_connection_close (self);
        op_return_error (task, error);
        return;
      }

    case MW_LINE_STATUS_NEED_MORE:
    default:
      fill (task);
      return;
    }
}

void
mw_connection_read_line_async (MwConnection       *self,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  GTask *task;
  Op    *op;

  g_return_if_fail (MW_IS_CONNECTION (self));

  if (!mw_connection_is_connected (self) || self->reading)
    {
      g_task_report_new_error (self, callback, user_data, mw_connection_read_line_async,
                               MW_CONNECTION_ERROR,
                               self->reading ? MW_CONNECTION_ERROR_BUSY : MW_CONNECTION_ERROR_NOT_CONNECTED,
                               self->reading ? _ ("A read is already under way")
                                             : _ ("Not connected"));
      return;
    }

  task = op_task_new (self, cancellable, mw_connection_read_line_async, callback, user_data, &op);
  op->is_read = TRUE;
  self->reading = TRUE;
  try_line (task);
}

/**
 * mw_connection_read_line_finish:
 * @out_flags: (out) (optional): what the reader noticed
 *
 * Returns: (transfer full): the line, without its line ending
 */
char *
mw_connection_read_line_finish (MwConnection *self,
                                GAsyncResult *result,
                                MwLineFlags  *out_flags,
                                GError      **error)
{
  g_return_val_if_fail (MW_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (out_flags != NULL)
    *out_flags = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (result), "line-flags"));

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
body_write_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      Op *op = g_task_get_task_data (task);

      /* The rest of the body is still on the wire: the session cannot go
       * on in step, so close it. */
      mw_connection_close (op->self);
      op_return_error (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  try_body (g_steal_pointer (&task));
}

static void
finish_body (GTask *task)
{
  Op                *op = g_task_get_task_data (task);
  MwConnection      *self = op->self;
  const MwBodyStats *stats = mw_body_decoder_get_stats (op->decoder);

  if (self->transcript != NULL)
    mw_transcript_append_body (self->transcript, MW_TRANSCRIPT_SERVER, stats->lines, stats->bytes);

  self->reading = FALSE;
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
try_body (GTask *task)
{
  Op           *op = g_task_get_task_data (task);
  MwConnection *self = op->self;
  guint64       before;

  if (op->body_done)
    {
      finish_body (task);
      return;
    }

  /* Decode whatever is buffered; an empty buffer means a network read. */
  if (mw_line_reader_get_buffered (self->reader) == 0)
    {
      fill (task);
      return;
    }

  before = mw_body_decoder_get_stats (op->decoder)->bytes;
  mw_line_reader_decode_body (self->reader, op->decoder, op->chunk, BODY_CHUNK,
                              &op->chunk_len, &op->body_done);

  if (self->body_limit > 0 && mw_body_decoder_get_stats (op->decoder)->bytes > self->body_limit)
    {
      GError *error = g_error_new (MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_PROTOCOL,
                                   _ ("%s sent a reply of more than %" PRIu64 " bytes; "
                                      "the connection was closed"),
                                   self->host, self->body_limit);
      mw_connection_close (self);
      op_return_error (task, error);
      return;
    }

  g_signal_emit (self, signals[SIGNAL_BODY_PROGRESS], 0,
                 mw_body_decoder_get_stats (op->decoder)->bytes);

  if (op->sink != NULL && op->chunk_len > 0 &&
      (op->max_bytes == 0 || before < op->max_bytes))
    {
      size_t len = op->chunk_len;

      if (op->max_bytes > 0 && before + len > op->max_bytes)
        len = op->max_bytes - before;

      g_output_stream_write_all_async (op->sink, op->chunk, len, G_PRIORITY_DEFAULT,
                                       op->cancellable, body_write_cb, task);
      return;
    }

  try_body (task);
}

/**
 * mw_connection_read_body_async:
 * @sink: (nullable): where the unstuffed body goes
 * @max_bytes: how much of it to write at most; 0 for all
 *
 * Reads a multi-line body up to its terminating "." line.
 */
void
mw_connection_read_body_async (MwConnection       *self,
                               GOutputStream      *sink,
                               guint64             max_bytes,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  GTask *task;
  Op    *op;

  g_return_if_fail (MW_IS_CONNECTION (self));
  g_return_if_fail (sink == NULL || G_IS_OUTPUT_STREAM (sink));

  if (!mw_connection_is_connected (self) || self->reading)
    {
      g_task_report_new_error (self, callback, user_data, mw_connection_read_body_async,
                               MW_CONNECTION_ERROR,
                               self->reading ? MW_CONNECTION_ERROR_BUSY : MW_CONNECTION_ERROR_NOT_CONNECTED,
                               self->reading ? _ ("A read is already under way")
                                             : _ ("Not connected"));
      return;
    }

  task = op_task_new (self, cancellable, mw_connection_read_body_async, callback, user_data, &op);
  op->is_read = TRUE;
  self->reading = TRUE;
  op->decoder = mw_body_decoder_new ();
  op->chunk = g_malloc (BODY_CHUNK);
  op->max_bytes = max_bytes;
  if (sink != NULL)
    op->sink = g_object_ref (sink);

  try_body (task);
}

/**
 * mw_connection_read_body_finish:
 * @out_stats: (out) (optional): what was read
 */
gboolean
mw_connection_read_body_finish (MwConnection *self,
                                GAsyncResult *result,
                                MwBodyStats  *out_stats,
                                GError      **error)
{
  Op *op;

  g_return_val_if_fail (MW_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  op = g_task_get_task_data (G_TASK (result));
  if (out_stats != NULL && op->decoder != NULL)
    *out_stats = *mw_body_decoder_get_stats (op->decoder);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * mw_connection_close:
 *
 * Closes the connection at once, without waiting for the peer; operations
 * under way fail with %G_IO_ERROR_CANCELLED.
 */
void
mw_connection_close (MwConnection *self)
{
  g_return_if_fail (MW_IS_CONNECTION (self));

  if (self->close_cancellable != NULL)
    g_cancellable_cancel (self->close_cancellable);

  if (self->socket_connection != NULL)
    {
      GSocket *socket = g_socket_connection_get_socket (self->socket_connection);

      /* Closing the socket itself needs no I/O, whatever runs over it. */
      g_socket_close (socket, NULL);
      mw_connection_note (self, MW_TRANSCRIPT_FLAG_NONE, "Connection closed");
    }

  g_clear_object (&self->stream);
  g_clear_object (&self->socket_connection);
  g_byte_array_set_size (self->out, 0);
  g_ptr_array_set_size (self->out_log, 0);
}
