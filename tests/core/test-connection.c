/* test-connection.c
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "mw-connection.h"
#include "mw-fake-server.h"

#define WAIT_MS 20000

typedef struct
{
  gboolean      done;
  GAsyncResult *result;
} Wait;

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

static GAsyncResult *
wait_result (Wait *wait)
{
  g_assert_true (mw_test_wait_for (&wait->done, WAIT_MS));
  return wait->result;
}

static gboolean
do_connect (MwConnection *connection,
            gboolean      tls,
            GCancellable *cancellable,
            GError      **error)
{
  Wait     wait = { 0 };
  gboolean ok;

  mw_connection_connect_async (connection, tls, cancellable, wait_cb, &wait);
  ok = mw_connection_connect_finish (connection, wait_result (&wait), error);
  g_object_unref (wait.result);
  return ok;
}

static gboolean
do_start_tls (MwConnection *connection,
              GError      **error)
{
  Wait     wait = { 0 };
  gboolean ok;

  mw_connection_start_tls_async (connection, NULL, wait_cb, &wait);
  ok = mw_connection_start_tls_finish (connection, wait_result (&wait), error);
  g_object_unref (wait.result);
  return ok;
}

static char *
do_read_line (MwConnection *connection,
              GCancellable *cancellable,
              GError      **error)
{
  Wait  wait = { 0 };
  char *line;

  mw_connection_read_line_async (connection, cancellable, wait_cb, &wait);
  line = mw_connection_read_line_finish (connection, wait_result (&wait), NULL, error);
  g_object_unref (wait.result);
  return line;
}

static gboolean
do_flush (MwConnection *connection,
          GError      **error)
{
  Wait     wait = { 0 };
  gboolean ok;

  mw_connection_flush_async (connection, NULL, wait_cb, &wait);
  ok = mw_connection_flush_finish (connection, wait_result (&wait), error);
  g_object_unref (wait.result);
  return ok;
}

static gboolean
do_read_body (MwConnection  *connection,
              GOutputStream *sink,
              guint64        max_bytes,
              MwBodyStats   *stats,
              GError       **error)
{
  Wait     wait = { 0 };
  gboolean ok;

  mw_connection_read_body_async (connection, sink, max_bytes, NULL, wait_cb, &wait);
  ok = mw_connection_read_body_finish (connection, wait_result (&wait), stats, error);
  g_object_unref (wait.result);
  return ok;
}

static MwConnection *
connection_for (MwFakeServer *server,
                MwTranscript *transcript)
{
  return mw_connection_new ("127.0.0.1", mw_fake_server_get_port (server), transcript);
}

/* Trusts the test CA and expects the certificate's name. */
static void
trust_test_ca (MwConnection *connection)
{
  g_autofree char *ca = mw_test_cert_path ("ca.pem");
  g_autoptr (GError) error = NULL;

  g_assert_true (mw_connection_set_ca_file (connection, ca, &error));
  g_assert_no_error (error);
  mw_connection_set_server_identity (connection, "localhost");
}

static gboolean
transcript_contains (MwTranscript *transcript,
                     const char   *needle)
{
  g_autofree char *text = mw_transcript_to_text (transcript);
  return strstr (text, needle) != NULL;
}

static void
test_plain_exchange (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *received = NULL;
  guint            n;

  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_expect (server, "NOOP");
  mw_fake_server_send (server, "+OK caps\r\n+OK noop\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  connection = connection_for (server, transcript);
  g_assert_true (do_connect (connection, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (mw_connection_is_tls (connection));

  line = do_read_line (connection, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "+OK ready");
  g_clear_pointer (&line, g_free);

  /* Two commands in one write, as pipelining does. */
  mw_connection_queue_line (connection, "CAPA", NULL);
  mw_connection_queue_line (connection, "NOOP", NULL);
  g_assert_cmpuint (mw_connection_get_queued (connection), ==, 12);
  g_assert_true (do_flush (connection, &error));
  g_assert_cmpuint (mw_connection_get_queued (connection), ==, 0);

  line = do_read_line (connection, NULL, &error);
  g_assert_cmpstr (line, ==, "+OK caps");
  g_clear_pointer (&line, g_free);
  line = do_read_line (connection, NULL, &error);
  g_assert_cmpstr (line, ==, "+OK noop");

  mw_connection_close (connection);
  g_assert_true (mw_fake_server_wait (server, WAIT_MS));
  received = mw_fake_server_get_received_string (server);
  g_assert_cmpstr (received, ==, "CAPA\r\nNOOP\r\n");

  /* The transcript has each line once, in order, with its direction. */
  n = g_list_model_get_n_items (G_LIST_MODEL (transcript));
  g_assert_cmpuint (n, >=, 5);
  g_assert_true (transcript_contains (transcript, " S: +OK ready\n"));
  g_assert_true (transcript_contains (transcript, " C: CAPA\n"));
  g_assert_true (transcript_contains (transcript, " C: NOOP\n"));
  g_assert_true (transcript_contains (transcript, " S: +OK noop\n"));
  g_assert_true (transcript_contains (transcript, "Connection closed"));
}

static void
test_implicit_tls (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_IMPLICIT, "server");
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char   *line = NULL;
  MwCertificateInfo *info;

  mw_fake_server_send (server, "+OK secure\r\n");
  mw_fake_server_expect (server, "QUIT");
  mw_fake_server_start (server);

  connection = connection_for (server, transcript);
  trust_test_ca (connection);
  g_assert_true (do_connect (connection, TRUE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (mw_connection_is_tls (connection));
  g_assert_true (g_str_has_prefix (mw_connection_get_tls_version (connection), "TLS 1."));
  g_assert_nonnull (mw_connection_get_tls_cipher (connection));

  info = mw_connection_get_certificate_info (connection);
  g_assert_nonnull (info);
  g_assert_true (strstr (mw_certificate_info_get_subject (info), "CN=localhost") != NULL);
  g_assert_true (strstr (mw_certificate_info_get_issuer (info), "CN=Mailwire Test CA") != NULL);
  g_assert_cmpuint (strlen (mw_certificate_info_get_fingerprint (info)), ==, 95);
  g_assert_cmpint (g_date_time_get_year (mw_certificate_info_get_not_after (info)), >, 2100);

  line = do_read_line (connection, NULL, &error);
  g_assert_cmpstr (line, ==, "+OK secure");
  mw_connection_queue_line (connection, "QUIT", NULL);
  g_assert_true (do_flush (connection, &error));
  g_assert_true (mw_fake_server_wait (server, WAIT_MS));

  /* The TLS note names the version and the fingerprint. */
  g_assert_true (transcript_contains (transcript, "TLS established: TLS 1."));
  g_assert_true (transcript_contains (transcript, mw_certificate_info_get_fingerprint (info)));
}

typedef struct
{
  const char          *certificate;
  gboolean             trust_ca;
  GTlsCertificateFlags flag;
  const char          *words;
} BadCertificate;

static const BadCertificate bad_certificates[] = {
  { "server", FALSE, G_TLS_CERTIFICATE_UNKNOWN_CA, "unknown authority" },
  { "selfsigned", TRUE, G_TLS_CERTIFICATE_UNKNOWN_CA, "unknown authority" },
  { "expired", TRUE, G_TLS_CERTIFICATE_EXPIRED, "expired" },
  { "wronghost", TRUE, G_TLS_CERTIFICATE_BAD_IDENTITY, "different host name" },
};

static void
test_bad_certificate (gconstpointer data)
{
  const BadCertificate *bad = data;
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_IMPLICIT, bad->certificate);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  MwCertificateInfo *info;

  mw_fake_server_send (server, "+OK never seen\r\n");
  mw_fake_server_start (server);

  connection = connection_for (server, transcript);
  if (bad->trust_ca)
    trust_test_ca (connection);
  else
    mw_connection_set_server_identity (connection, "localhost");

  g_assert_false (do_connect (connection, TRUE, NULL, &error));
  g_assert_error (error, MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_CERTIFICATE);
  g_assert_false (mw_connection_is_connected (connection));

  /* The error says what is wrong and shows what a person checks. */
  info = mw_connection_get_certificate_info (connection);
  g_assert_nonnull (info);
  g_assert_true (mw_certificate_info_get_errors (info) & bad->flag);
  g_assert_true (strstr (error->message, bad->words) != NULL);
  g_assert_true (strstr (error->message, mw_certificate_info_get_fingerprint (info)) != NULL);
  g_assert_true (strstr (error->message, "Subject: ") != NULL);
  g_assert_true (strstr (error->message, "Issuer: ") != NULL);
  g_assert_true (strstr (error->message, "Valid from ") != NULL);
  g_assert_true (transcript_contains (transcript, "not trusted"));
}

static char *
fingerprint_of_test_cert (const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s.pem", name);
  g_autofree char *path = mw_test_cert_path (file);
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsCertificate) certificate = g_tls_certificate_new_from_file (path, &error);
  g_autoptr (MwCertificateInfo) info = NULL;

  g_assert_no_error (error);
  info = mw_certificate_info_new (certificate, 0);
  return g_strdup (mw_certificate_info_get_fingerprint (info));
}

static void
test_pinned_fingerprint (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_IMPLICIT, "selfsigned");
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *fingerprint = fingerprint_of_test_cert ("selfsigned");
  g_autofree char *lower = g_ascii_strdown (fingerprint, -1);
  g_autofree char *line = NULL;

  mw_fake_server_send (server, "+OK pinned\r\n");
  mw_fake_server_start (server);

  connection = connection_for (server, transcript);
  mw_connection_set_server_identity (connection, "localhost");
  /* Any common spelling of the fingerprint will do. */
  mw_connection_set_pinned_fingerprint (connection, lower);
  g_assert_cmpstr (mw_connection_get_pinned_fingerprint (connection), ==, fingerprint);

  g_assert_true (do_connect (connection, TRUE, NULL, &error));
  g_assert_no_error (error);
  line = do_read_line (connection, NULL, &error);
  g_assert_cmpstr (line, ==, "+OK pinned");
  g_assert_true (transcript_contains (transcript, "accepted by its pinned SHA-256 fingerprint"));
  g_assert_true (mw_fake_server_wait (server, WAIT_MS));
}

static void
test_pinned_fingerprint_mismatch (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_IMPLICIT, "selfsigned");
  g_autoptr (MwConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *other = fingerprint_of_test_cert ("server");

  mw_fake_server_start (server);
  connection = connection_for (server, NULL);
  mw_connection_set_server_identity (connection, "localhost");
  mw_connection_set_pinned_fingerprint (connection, other);

  g_assert_false (do_connect (connection, TRUE, NULL, &error));
  g_assert_error (error, MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_CERTIFICATE);
}

static void
test_fingerprint_normalize (void)
{
  g_autofree char *a = mw_fingerprint_normalize ("sha256:"
                                                 "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF");
  g_autofree char *b = mw_fingerprint_normalize ("00 11 22");
  g_autofree char *c = mw_fingerprint_normalize ("zz112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF");

  g_assert_cmpstr (a, ==, "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF");
  g_assert_null (b);
  g_assert_null (c);
}

static void
test_starttls (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, "server");
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  char *line;

  mw_fake_server_send (server, "+OK plain\r\n");
  mw_fake_server_expect (server, "STLS");
  mw_fake_server_send (server, "+OK Begin TLS negotiation\r\n");
  mw_fake_server_start_tls (server);
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK over TLS\r\n");
  mw_fake_server_start (server);

  connection = connection_for (server, transcript);
  trust_test_ca (connection);
  g_assert_true (do_connect (connection, FALSE, NULL, &error));
  line = do_read_line (connection, NULL, &error);
  g_free (line);
  mw_connection_queue_line (connection, "STLS", NULL);
  g_assert_true (do_flush (connection, &error));
  line = do_read_line (connection, NULL, &error);
  g_assert_cmpstr (line, ==, "+OK Begin TLS negotiation");
  g_free (line);

  g_assert_true (do_start_tls (connection, &error));
  g_assert_no_error (error);
  g_assert_true (mw_connection_is_tls (connection));

  mw_connection_queue_line (connection, "CAPA", NULL);
  g_assert_true (do_flush (connection, &error));
  line = do_read_line (connection, NULL, &error);
  g_assert_cmpstr (line, ==, "+OK over TLS");
  g_free (line);
  g_assert_true (mw_fake_server_wait (server, WAIT_MS));
  g_assert_true (transcript_contains (transcript, "TLS established"));
}

static void
test_starttls_injection (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, "server");
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  char *line;

  /* The reply and an injected one arrive in the same packet. */
  mw_fake_server_send (server, "220 ready\r\n");
  mw_fake_server_expect (server, "STARTTLS");
  mw_fake_server_send (server, "220 Go ahead\r\n250 injected\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  connection = connection_for (server, transcript);
  trust_test_ca (connection);
  g_assert_true (do_connect (connection, FALSE, NULL, &error));
  g_free (do_read_line (connection, NULL, &error));
  mw_connection_queue_line (connection, "STARTTLS", NULL);
  g_assert_true (do_flush (connection, &error));

  line = do_read_line (connection, NULL, &error);
  g_assert_cmpstr (line, ==, "220 Go ahead");
  g_free (line);

  /* Both lines were sent in one write and read together. */
  g_assert_cmpuint (mw_connection_get_buffered (connection), ==, strlen ("250 injected\r\n"));

  g_assert_false (do_start_tls (connection, &error));
  g_assert_error (error, MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_STARTTLS_INJECTION);
  g_assert_true (strstr (error->message, "injected") != NULL);
  g_assert_false (mw_connection_is_connected (connection));
  /* The injected line never reached the protocol layer or the transcript. */
  g_assert_false (transcript_contains (transcript, "250 injected"));
  g_assert_true (mw_fake_server_wait (server, WAIT_MS));
}

static void
test_read_timeout (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  gint64           start;

  mw_fake_server_send (server, "+OK");
  mw_fake_server_stall (server, 10000);
  mw_fake_server_start (server);

  connection = connection_for (server, transcript);
  mw_connection_set_timeout (connection, 1);
  g_assert_true (do_connect (connection, FALSE, NULL, &error));

  start = g_get_monotonic_time ();
  line = do_read_line (connection, NULL, &error);
  g_assert_null (line);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_test_message ("%s", error->message);
  g_assert_true (strstr (error->message, "within 1 seconds") != NULL);
  /* A peer that stopped answering is not talked to again. */
  g_assert_false (mw_connection_is_connected (connection));
  g_assert_true (transcript_contains (transcript, "No answer from 127.0.0.1"));
}

static void
test_tls_handshake_timeout (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwConnection) connection = NULL;
  g_autoptr (GError) error = NULL;

  /* A server that accepts and never speaks TLS. */
  mw_fake_server_stall (server, 10000);
  mw_fake_server_start (server);

  connection = connection_for (server, NULL);
  mw_connection_set_timeout (connection, 1);
  g_assert_false (do_connect (connection, TRUE, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel_read (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwConnection) connection = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  gint64           start;

  mw_fake_server_stall (server, 10000);
  mw_fake_server_start (server);

  connection = connection_for (server, NULL);
  g_assert_true (do_connect (connection, FALSE, NULL, &error));

  start = g_get_monotonic_time ();
  g_timeout_add (100, cancel_cb, cancellable);
  line = do_read_line (connection, cancellable, &error);
  g_assert_null (line);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);

  /* Cancelling one read leaves the connection usable. */
  g_assert_true (mw_connection_is_connected (connection));
}

static void
test_cancel_connect (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwConnection) connection = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;

  mw_fake_server_stall (server, 10000);
  mw_fake_server_start (server);

  connection = connection_for (server, NULL);
  g_cancellable_cancel (cancellable);
  g_assert_false (do_connect (connection, TRUE, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_line_too_long (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *endless = g_strnfill (200000, 'A');
  g_autofree char *line = NULL;

  mw_fake_server_send (server, endless);
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  connection = connection_for (server, NULL);
  mw_connection_set_max_line (connection, 1000);
  g_assert_true (do_connect (connection, FALSE, NULL, &error));
  line = do_read_line (connection, NULL, &error);
  g_assert_null (line);
  g_assert_error (error, MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_LINE_TOO_LONG);
  g_assert_true (strstr (error->message, "1000 bytes") != NULL);
  g_assert_false (mw_connection_is_connected (connection));
}

static void
test_closed (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;

  mw_fake_server_send (server, "+OK bye\r\n-ERR half a li");
  mw_fake_server_close (server);
  mw_fake_server_start (server);

  connection = connection_for (server, NULL);
  g_assert_true (do_connect (connection, FALSE, NULL, &error));
  line = do_read_line (connection, NULL, &error);
  g_assert_cmpstr (line, ==, "+OK bye");
  g_clear_pointer (&line, g_free);
  line = do_read_line (connection, NULL, &error);
  g_assert_null (line);
  g_assert_error (error, MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_CLOSED);
}

static void
test_body_split_byte_by_byte (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOutputStream) sink = g_memory_output_stream_new_resizable ();
  g_autofree char *line = NULL;
  const char      *expect = "Subject: hi\r\n\r\n.leading dot\r\nbare\nend\r\n";
  MwBodyStats      stats = { 0 };

  mw_fake_server_send_split (server, "+OK\r\nSubject: hi\r\n\r\n..leading dot\r\nbare\nend\r\n.\r\n+OK next\r\n", 1);
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  connection = connection_for (server, transcript);
  g_assert_true (do_connect (connection, FALSE, NULL, &error));
  g_free (do_read_line (connection, NULL, &error));

  g_assert_true (do_read_body (connection, sink, 0, &stats, &error));
  g_assert_no_error (error);
  g_output_stream_close (sink, NULL, NULL);
  g_assert_cmpmem (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (sink)),
                   g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (sink)),
                   expect, strlen (expect));
  g_assert_cmpuint (stats.lines, ==, 5);
  g_assert_true (stats.flags & MW_LINE_FLAG_BARE_LF);

  line = do_read_line (connection, NULL, &error);
  g_assert_cmpstr (line, ==, "+OK next");
  g_assert_true (transcript_contains (transcript, "… 5 lines"));
  g_assert_false (transcript_contains (transcript, "leading dot"));
}

static void
progress_cb (MwConnection *connection,
             guint64       bytes,
             guint64      *progress)
{
  g_assert_cmpuint (bytes, >=, *progress);
  *progress = bytes;
}

static void
test_body_fold_and_cap (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOutputStream) sink = g_memory_output_stream_new_resizable ();
  g_autoptr (GString) body = g_string_new ("+OK\r\n");
  MwBodyStats stats = { 0 };
  guint       before;
  guint64     progress = 0;

  for (int i = 0; i < 3000; i++)
    g_string_append_printf (body, "line %04d of a long message body\r\n", i);
  g_string_append (body, ".\r\n");

  mw_fake_server_send (server, body->str);
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  connection = connection_for (server, transcript);
  g_signal_connect (connection, "body-progress", G_CALLBACK (progress_cb), &progress);
  g_assert_true (do_connect (connection, FALSE, NULL, &error));
  g_free (do_read_line (connection, NULL, &error));
  before = g_list_model_get_n_items (G_LIST_MODEL (transcript));

  /* Only the first 1000 bytes are kept; all of it is read and counted. */
  g_assert_true (do_read_body (connection, sink, 1000, &stats, &error));
  g_output_stream_close (sink, NULL, NULL);
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (sink)), ==, 1000);
  g_assert_cmpuint (stats.lines, ==, 3000);
  g_assert_cmpuint (stats.bytes, ==, 3000 * 34);
  g_assert_cmpuint (progress, ==, stats.bytes);

  /* The whole body is one transcript entry. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (transcript)), ==, before + 1);
  g_assert_true (transcript_contains (transcript, "… 3000 lines"));
}

static void
test_redaction (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char   *received = NULL;
  g_autofree char   *text = NULL;
  MwTranscriptEntry *entry;

  mw_fake_server_expect (server, "PASS s3cr3t-Pa55");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_start (server);

  connection = connection_for (server, transcript);
  g_assert_true (do_connect (connection, FALSE, NULL, &error));
  mw_connection_queue_line (connection, "PASS s3cr3t-Pa55", "PASS ********");
  g_assert_true (do_flush (connection, &error));
  g_free (do_read_line (connection, NULL, &error));
  g_assert_true (mw_fake_server_wait (server, WAIT_MS));

  /* The server got the secret; the transcript never did. */
  received = mw_fake_server_get_received_string (server);
  g_assert_cmpstr (received, ==, "PASS s3cr3t-Pa55\r\n");
  text = mw_transcript_to_text (transcript);
  g_assert_null (strstr (text, "s3cr3t"));
  g_assert_nonnull (strstr (text, "C: PASS ********"));

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (transcript)); i++)
    {
      entry = g_list_model_get_item (G_LIST_MODEL (transcript), i);
      if (g_str_has_prefix (mw_transcript_entry_get_text (entry), "PASS"))
        g_assert_true (mw_transcript_entry_get_flags (entry) & MW_TRANSCRIPT_FLAG_REDACTED);
      g_object_unref (entry);
    }
}

static void
test_connection_refused (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  guint16 port;

  /* A port that was just free. */
  mw_fake_server_start (server);
  port = mw_fake_server_get_port (server);
  g_clear_pointer (&server, mw_fake_server_free);

  connection = mw_connection_new ("127.0.0.1", port, NULL);
  g_assert_false (do_connect (connection, FALSE, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_true (strstr (error->message, "Could not connect to 127.0.0.1") != NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/connection/plain-exchange", test_plain_exchange);
  g_test_add_func ("/core/connection/refused", test_connection_refused);
  g_test_add_func ("/core/connection/closed", test_closed);
  g_test_add_func ("/core/connection/tls/implicit", test_implicit_tls);
  for (size_t i = 0; i < G_N_ELEMENTS (bad_certificates); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/connection/tls/bad-certificate/%s%s",
                                               bad_certificates[i].certificate,
                                               bad_certificates[i].trust_ca ? "" : "-untrusted-ca");
      g_test_add_data_func (path, &bad_certificates[i], test_bad_certificate);
    }
  g_test_add_func ("/core/connection/tls/pinned", test_pinned_fingerprint);
  g_test_add_func ("/core/connection/tls/pinned-mismatch", test_pinned_fingerprint_mismatch);
  g_test_add_func ("/core/connection/tls/fingerprint-normalize", test_fingerprint_normalize);
  g_test_add_func ("/core/connection/tls/starttls", test_starttls);
  g_test_add_func ("/core/connection/tls/starttls-injection", test_starttls_injection);
  g_test_add_func ("/core/connection/timeout/read", test_read_timeout);
  g_test_add_func ("/core/connection/timeout/tls-handshake", test_tls_handshake_timeout);
  g_test_add_func ("/core/connection/cancel/read", test_cancel_read);
  g_test_add_func ("/core/connection/cancel/connect", test_cancel_connect);
  g_test_add_func ("/core/connection/line-too-long", test_line_too_long);
  g_test_add_func ("/core/connection/body/split-byte-by-byte", test_body_split_byte_by_byte);
  g_test_add_func ("/core/connection/body/fold-and-cap", test_body_fold_and_cap);
  g_test_add_func ("/core/connection/redaction", test_redaction);

  return g_test_run ();
}
