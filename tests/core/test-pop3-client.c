/* test-pop3-client.c
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "mw-fake-server.h"
#include "mw-message-summary.h"
#include "mw-pop3-client-private.h"
#include "mw-sasl.h"

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

static void
wait_clear (Wait *wait)
{
  g_clear_object (&wait->result);
  wait->done = FALSE;
}

static gboolean
do_connect (MwPop3Client *client,
            GError      **error)
{
  Wait     wait = { 0 };
  gboolean ok;

  mw_pop3_client_connect_async (client, NULL, wait_cb, &wait);
  ok = mw_pop3_client_connect_finish (client, wait_result (&wait), error);
  wait_clear (&wait);
  return ok;
}

static gboolean
do_quit (MwPop3Client *client,
         gboolean     *committed,
         GError      **error)
{
  Wait     wait = { 0 };
  gboolean ok;

  mw_pop3_client_quit_async (client, NULL, wait_cb, &wait);
  ok = mw_pop3_client_quit_finish (client, wait_result (&wait), committed, error);
  wait_clear (&wait);
  return ok;
}

static GArray *
do_list (MwPop3Client *client,
         GError      **error)
{
  Wait    wait = { 0 };
  GArray *entries;

  mw_pop3_client_list_async (client, NULL, wait_cb, &wait);
  entries = mw_pop3_client_list_finish (client, wait_result (&wait), error);
  wait_clear (&wait);
  return entries;
}

static GPtrArray *
do_previews (MwPop3Client *client,
             GError      **error)
{
  Wait       wait = { 0 };
  GPtrArray *summaries;

  mw_pop3_client_previews_async (client, NULL, wait_cb, &wait);
  summaries = mw_pop3_client_previews_finish (client, wait_result (&wait), error);
  wait_clear (&wait);
  return summaries;
}

static gboolean
do_retr (MwPop3Client  *client,
         guint          number,
         GOutputStream *sink,
         MwBodyStats   *stats,
         GError       **error)
{
  Wait     wait = { 0 };
  gboolean ok;

  mw_pop3_client_retr_async (client, number, sink, NULL, wait_cb, &wait);
  ok = mw_pop3_client_retr_finish (client, wait_result (&wait), stats, error);
  wait_clear (&wait);
  return ok;
}

static gboolean
do_dele (MwPop3Client *client,
         guint         number,
         GError      **error)
{
  Wait     wait = { 0 };
  gboolean ok;

  mw_pop3_client_dele_async (client, number, NULL, wait_cb, &wait);
  ok = mw_pop3_client_dele_finish (client, wait_result (&wait), error);
  wait_clear (&wait);
  return ok;
}

static char *
memory_string (GOutputStream *sink)
{
  GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (sink);

  return g_strndup (g_memory_output_stream_get_data (memory),
                    g_memory_output_stream_get_data_size (memory));
}

static MwPop3Client *
client_for (MwFakeServer *server,
            MwSecurity    security,
            MwTranscript *transcript)
{
  MwPop3Client *client = mw_pop3_client_new ("127.0.0.1", mw_fake_server_get_port (server),
                                             security, transcript);

  mw_pop3_client_set_user (client, "tim");
  mw_pop3_client_set_password (client, "tanstaaftanstaaf");
  mw_pop3_client_set_timeout (client, 20);
  return client;
}

static void
trust_test_ca (MwPop3Client *client)
{
  g_autofree char *ca = mw_test_cert_path ("ca.pem");

  mw_pop3_client_set_ca_file (client, ca);
  mw_pop3_client_set_server_identity (client, "localhost");
}

static void
assert_received (MwFakeServer *server,
                 const char   *expected)
{
  g_autofree char *received = NULL;

  g_assert_true (mw_fake_server_wait (server, WAIT_MS));
  g_assert_null (mw_fake_server_get_error (server));
  received = mw_fake_server_get_received_string (server);
  g_assert_cmpstr (received != NULL ? received : "", ==, expected);
}

static void
assert_no_secret (MwTranscript *transcript,
                  const char   *secret)
{
  g_autofree char *text = mw_transcript_to_text (transcript);

  g_assert_null (strstr (text, secret));
}

static gboolean
transcript_contains (MwTranscript *transcript,
                     const char   *needle)
{
  g_autofree char *text = mw_transcript_to_text (transcript);

  return strstr (text, needle) != NULL;
}

/* "C" and "S" for each client and server entry, in order. */
static char *
transcript_directions (MwTranscript *transcript)
{
  GString *out = g_string_new (NULL);
  guint    n = g_list_model_get_n_items (G_LIST_MODEL (transcript));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (MwTranscriptEntry) entry = g_list_model_get_item (G_LIST_MODEL (transcript), i);

      switch (mw_transcript_entry_get_direction (entry))
        {
        case MW_TRANSCRIPT_CLIENT:
          g_string_append_c (out, 'C');
          break;
        case MW_TRANSCRIPT_SERVER:
          /* A body is folded into its own entry: count the reply once. */
          if ((mw_transcript_entry_get_flags (entry) & MW_TRANSCRIPT_FLAG_FOLDED) == 0)
            g_string_append_c (out, 'S');
          break;
        case MW_TRANSCRIPT_NOTE:
        default:
          break;
        }
    }
  return g_string_free (out, FALSE);
}

/* The start of a session with USER/PASS and no CAPA, or with @capa. */
static void
script_login (MwFakeServer *server,
              const char   *capa)
{
  mw_fake_server_send (server, "+OK POP3 ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, capa != NULL ? capa : "-ERR unknown command\r\n");
  mw_fake_server_expect (server, "USER tim");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_expect (server, "PASS tanstaaftanstaaf");
  mw_fake_server_send (server, "+OK logged in\r\n");
}

#define LOGIN_BYTES "CAPA\r\nUSER tim\r\nPASS tanstaaftanstaaf\r\n"

static MwPop3Client *
logged_in_client (MwFakeServer *server,
                  MwTranscript *transcript)
{
  MwPop3Client *client = client_for (server, MW_SECURITY_NONE, transcript);
  g_autoptr (GError) error = NULL;

  mw_pop3_client_set_allow_plaintext (client, TRUE);
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mw_pop3_client_get_state (client), ==, MW_POP3_STATE_TRANSACTION);
  return client;
}

/* Connecting. */

static void
test_capa_parse (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwPop3Client) client = NULL;
  const char *const *mechanisms;
  MwPop3Capabilities caps;

  script_login (server,
                "+OK Capability list follows\r\n"
                "TOP\r\nUIDL\r\nUSER\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
                "LOGIN-DELAY 900\r\nEXPIRE NEVER\r\nIMPLEMENTATION Shlemazle-Plotz-v302\r\n"
                "SASL GSSAPI X-UNKNOWN\r\n.\r\n");
  mw_fake_server_expect (server, "QUIT");
  mw_fake_server_send (server, "+OK bye\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = logged_in_client (server, transcript);
  caps = mw_pop3_client_get_capabilities (client);
  g_assert_true (mw_pop3_client_get_capa_known (client));
  g_assert_cmpuint (caps, ==,
                    MW_POP3_CAPABILITY_TOP | MW_POP3_CAPABILITY_UIDL | MW_POP3_CAPABILITY_USER |
                      MW_POP3_CAPABILITY_RESP_CODES | MW_POP3_CAPABILITY_AUTH_RESP_CODE |
                      MW_POP3_CAPABILITY_PIPELINING | MW_POP3_CAPABILITY_LOGIN_DELAY |
                      MW_POP3_CAPABILITY_EXPIRE | MW_POP3_CAPABILITY_IMPLEMENTATION |
                      MW_POP3_CAPABILITY_SASL);
  g_assert_cmpint (mw_pop3_client_get_login_delay (client), ==, 900);
  g_assert_cmpstr (mw_pop3_client_get_expire (client), ==, "NEVER");
  g_assert_cmpstr (mw_pop3_client_get_implementation (client), ==, "Shlemazle-Plotz-v302");
  mechanisms = mw_pop3_client_get_sasl_mechanisms (client);
  g_assert_cmpstr (mechanisms[0], ==, "GSSAPI");
  g_assert_cmpstr (mechanisms[1], ==, "X-UNKNOWN");
  g_assert_null (mechanisms[2]);
  g_assert_cmpuint (g_strv_length ((char **) mw_pop3_client_get_capability_lines (client)), ==, 10);
  g_assert_null (mw_pop3_client_get_apop_timestamp (client));
  g_assert_cmpstr (mw_pop3_client_get_greeting (client), ==, "+OK POP3 ready");
  g_assert_cmpstr (mw_pop3_client_get_mechanism_used (client), ==, "USER");
  g_assert_true (mw_pop3_client_is_pipelining (client));

  g_assert_true (do_quit (client, NULL, NULL));
  assert_received (server, LOGIN_BYTES "QUIT\r\n");
  g_assert_true (transcript_contains (transcript, " C: PASS ********\n"));
  assert_no_secret (transcript, "tanstaaf");
}

static void
test_no_capa (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwPop3Client) client = NULL;

  script_login (server, NULL);
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = logged_in_client (server, transcript);
  g_assert_false (mw_pop3_client_get_capa_known (client));
  g_assert_cmpuint (mw_pop3_client_get_capabilities (client), ==,
                    MW_POP3_CAPABILITY_TOP | MW_POP3_CAPABILITY_UIDL | MW_POP3_CAPABILITY_USER);
  g_assert_false (mw_pop3_client_is_pipelining (client));
  mw_pop3_client_close (client);
  assert_received (server, LOGIN_BYTES);
}

static void
test_greeting_refused (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;

  mw_fake_server_send (server, "-ERR [SYS/TEMP] too many connections\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_SYS_TEMP);
  g_assert_nonnull (strstr (error->message, "too many connections"));
  assert_received (server, "");
}

static void
test_bad_status (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;

  mw_fake_server_send (server, "+OKAY hello\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "+OKAY hello"));
  g_assert_cmpint (mw_pop3_client_get_state (client), ==, MW_POP3_STATE_DISCONNECTED);
}

static void
test_stls (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, "server");
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;

  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nSTLS\r\nPIPELINING\r\n.\r\n");
  mw_fake_server_expect (server, "STLS");
  mw_fake_server_send (server, "+OK Begin TLS negotiation\r\n");
  mw_fake_server_start_tls (server);
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nUSER\r\nTOP\r\n.\r\n");
  mw_fake_server_expect (server, "USER tim");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_expect (server, "PASS tanstaaftanstaaf");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  /* No allow-plaintext: USER/PASS goes only over the upgraded connection. */
  client = client_for (server, MW_SECURITY_STARTTLS, transcript);
  trust_test_ca (client);
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (mw_connection_is_tls (mw_pop3_client_get_connection (client)));
  /* The capabilities from before TLS are forgotten. */
  g_assert_cmpuint (mw_pop3_client_get_capabilities (client), ==,
                    MW_POP3_CAPABILITY_USER | MW_POP3_CAPABILITY_TOP);
  mw_pop3_client_close (client);
  assert_received (server, "CAPA\r\nSTLS\r\n" LOGIN_BYTES);
  assert_no_secret (transcript, "tanstaaf");
}

static void
test_stls_refused (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, "server");
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;

  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nSTLS\r\nUSER\r\n.\r\n");
  mw_fake_server_expect (server, "STLS");
  mw_fake_server_send (server, "-ERR TLS not available today\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_STARTTLS, NULL);
  mw_pop3_client_set_allow_plaintext (client, TRUE);
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_STARTTLS_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "TLS not available today"));
  /* Nothing went out in clear after the refusal. */
  assert_received (server, "CAPA\r\nSTLS\r\n");
}

static void
test_stls_not_offered (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;

  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nUSER\r\n.\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_STARTTLS, NULL);
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_STARTTLS_UNAVAILABLE);
  assert_received (server, "CAPA\r\n");
}

static void
test_implicit_tls (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_IMPLICIT, "server");
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;

  script_login (server, "+OK\r\nUSER\r\n.\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_TLS, NULL);
  trust_test_ca (client);
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  mw_pop3_client_close (client);
  assert_received (server, LOGIN_BYTES);
}

/* The rejected certificate outlives the connection, for the user to
 * decide on. */
static void
test_certificate_info_kept (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_IMPLICIT, "selfsigned");
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = mw_test_cert_path ("selfsigned.pem");
  g_autoptr (GTlsCertificate) certificate = g_tls_certificate_new_from_file (path, &error);
  g_autoptr (MwCertificateInfo) expected = NULL;
  MwCertificateInfo *info;

  g_assert_no_error (error);
  expected = mw_certificate_info_new (certificate, 0);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_TLS, NULL);
  mw_pop3_client_set_server_identity (client, "localhost");
  g_assert_null (mw_pop3_client_get_certificate_info (client));
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_CERTIFICATE);
  g_clear_error (&error);
  g_assert_null (mw_pop3_client_get_connection (client));
  info = mw_pop3_client_get_certificate_info (client);
  g_assert_nonnull (info);
  g_assert_cmpstr (mw_certificate_info_get_fingerprint (info), ==,
                   mw_certificate_info_get_fingerprint (expected));
  g_assert_true (mw_certificate_info_get_errors (info) & G_TLS_CERTIFICATE_UNKNOWN_CA);

  mw_pop3_client_close (client);
}

/* Logging in. */

static void
test_plaintext_refused (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;

  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nUSER\r\nSASL PLAIN LOGIN\r\n.\r\n");
  mw_fake_server_expect (server, "QUIT");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_PLAINTEXT_REFUSED);
  assert_received (server, "CAPA\r\nQUIT\r\n");
}

static void
test_apop (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;

  /* RFC 1939, section 7. */
  mw_fake_server_send (server, "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n");
  mw_fake_server_expect (server, "APOP mrose c4c9334bac560ecc979e58001b3e22fb");
  mw_fake_server_send (server, "+OK maildrop has 1 message (369 octets)\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, transcript);
  mw_pop3_client_set_user (client, "mrose");
  mw_pop3_client_set_password (client, "tanstaaf");
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (mw_pop3_client_get_apop_timestamp (client), ==, "<1896.697170952@dbc.mtview.ca.us>");
  g_assert_cmpstr (mw_pop3_client_get_mechanism_used (client), ==, "APOP");
  mw_pop3_client_close (client);
  assert_received (server, "CAPA\r\nAPOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
  g_assert_true (transcript_contains (transcript, " C: APOP mrose ********\n"));
  assert_no_secret (transcript, "c4c9334b");
}

static void
test_auth_plain (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *encoded = g_base64_encode ((const guchar *) "\0tim\0tanstaaftanstaaf", 21);
  g_autofree char *line = g_strconcat ("AUTH PLAIN ", encoded, NULL);
  g_autofree char *received = g_strconcat ("CAPA\r\n", line, "\r\n", NULL);

  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nUSER\r\nSASL PLAIN LOGIN\r\n.\r\n");
  mw_fake_server_expect (server, line);
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, transcript);
  mw_pop3_client_set_allow_plaintext (client, TRUE);
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (mw_pop3_client_get_mechanism_used (client), ==, "PLAIN");
  mw_pop3_client_close (client);
  assert_received (server, received);
  g_assert_true (transcript_contains (transcript, " C: AUTH PLAIN ********\n"));
  assert_no_secret (transcript, encoded);
}

static void
test_auth_login (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;

  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nSASL LOGIN\r\n.\r\n");
  mw_fake_server_expect (server, "AUTH LOGIN");
  mw_fake_server_send (server, "+ VXNlcm5hbWU6\r\n");
  mw_fake_server_expect (server, "dGlt");
  mw_fake_server_send (server, "+ UGFzc3dvcmQ6\r\n");
  mw_fake_server_expect (server, "dGFuc3RhYWZ0YW5zdGFhZg==");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, transcript);
  mw_pop3_client_set_allow_plaintext (client, TRUE);
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (mw_pop3_client_get_mechanism_used (client), ==, "LOGIN");
  mw_pop3_client_close (client);
  assert_received (server, "CAPA\r\nAUTH LOGIN\r\ndGlt\r\ndGFuc3RhYWZ0YW5zdGFhZg==\r\n");
  assert_no_secret (transcript, "dGFuc3RhYWZ0YW5zdGFhZg");
}

static void
test_auth_cram_md5 (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;

  /* RFC 2195, section 2; CRAM-MD5 is preferred to PLAIN, and needs no
   * permission to go over an unencrypted connection. */
  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nUSER\r\nSASL PLAIN CRAM-MD5\r\n.\r\n");
  mw_fake_server_expect (server, "AUTH CRAM-MD5");
  mw_fake_server_send (server, "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
  mw_fake_server_expect (server, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, transcript);
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (mw_pop3_client_get_mechanism_used (client), ==, "CRAM-MD5");
  mw_pop3_client_close (client);
  assert_received (server, "CAPA\r\nAUTH CRAM-MD5\r\ndGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n");
  assert_no_secret (transcript, "dGltIGI5MTNh");
}

static char *
b64 (const char *text)
{
  return g_base64_encode ((const guchar *) text, strlen (text));
}

static void
test_auth_scram_sha_256 (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_IMPLICIT, "server");
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  /* RFC 7677, section 3. */
  g_autofree char *client_first = b64 ("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  g_autofree char *server_first = b64 ("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                                       "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
  g_autofree char *client_final = b64 ("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                                       "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  g_autofree char *server_final = b64 ("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  g_autofree char *auth = g_strconcat ("AUTH SCRAM-SHA-256 ", client_first, NULL);
  g_autofree char *challenge1 = g_strconcat ("+ ", server_first, "\r\n", NULL);
  g_autofree char *challenge2 = g_strconcat ("+ ", server_final, "\r\n", NULL);
  g_autofree char *received = g_strconcat ("CAPA\r\n", auth, "\r\n", client_final, "\r\n\r\n", NULL);

  mw_fake_server_send (server, "+OK ready <1.2@example.org>\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nUSER\r\nSASL PLAIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256\r\n.\r\n");
  mw_fake_server_expect (server, auth);
  mw_fake_server_send (server, challenge1);
  mw_fake_server_expect (server, client_final);
  mw_fake_server_send (server, challenge2);
  mw_fake_server_expect (server, "");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_TLS, transcript);
  trust_test_ca (client);
  mw_pop3_client_set_user (client, "user");
  mw_pop3_client_set_password (client, "pencil");
  mw_pop3_client_set_scram_nonce (client, "rOprNGfwEbeRWgbNEkqO");
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (mw_pop3_client_get_mechanism_used (client), ==, "SCRAM-SHA-256");
  mw_pop3_client_close (client);
  assert_received (server, received);
  assert_no_secret (transcript, client_final);
}

static void
test_auth_scram_bad_signature (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_IMPLICIT, "server");
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *server_first = b64 ("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                                       "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
  g_autofree char *server_final = b64 ("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  g_autofree char *challenge1 = g_strconcat ("+ ", server_first, "\r\n", NULL);
  g_autofree char *challenge2 = g_strconcat ("+ ", server_final, "\r\n", NULL);

  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nSASL SCRAM-SHA-256\r\n.\r\n");
  mw_fake_server_expect_any (server);
  mw_fake_server_send (server, challenge1);
  mw_fake_server_expect_any (server);
  mw_fake_server_send (server, challenge2);
  /* The client cancels the exchange. */
  mw_fake_server_expect (server, "*");
  mw_fake_server_send (server, "-ERR [AUTH] cancelled\r\n");
  mw_fake_server_expect (server, "QUIT");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_TLS, NULL);
  trust_test_ca (client);
  mw_pop3_client_set_user (client, "user");
  mw_pop3_client_set_password (client, "pencil");
  mw_pop3_client_set_scram_nonce (client, "rOprNGfwEbeRWgbNEkqO");
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_SASL_ERROR, MW_SASL_ERROR_SERVER_SIGNATURE);
  g_assert_true (mw_fake_server_wait (server, WAIT_MS));
  g_assert_null (mw_fake_server_get_error (server));
}

static void
test_auth_xoauth2 (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_IMPLICIT, "server");
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *encoded = b64 ("user=tim\001auth=Bearer ya29.secret-token\001\001");
  g_autofree char *line = g_strconcat ("AUTH XOAUTH2 ", encoded, NULL);

  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nUSER\r\nSASL PLAIN XOAUTH2\r\n.\r\n");
  mw_fake_server_expect (server, line);
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_TLS, transcript);
  trust_test_ca (client);
  mw_pop3_client_set_password (client, NULL);
  mw_pop3_client_set_oauth2_token (client, "ya29.secret-token");
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (mw_pop3_client_get_mechanism_used (client), ==, "XOAUTH2");
  mw_pop3_client_close (client);
  g_assert_true (mw_fake_server_wait (server, WAIT_MS));
  assert_no_secret (transcript, "secret-token");
  assert_no_secret (transcript, encoded);
  g_assert_true (transcript_contains (transcript, " C: AUTH XOAUTH2 ********\n"));
}

static void
test_token_plaintext_refused (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;

  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nSASL XOAUTH2\r\n.\r\n");
  mw_fake_server_expect (server, "QUIT");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  mw_pop3_client_set_oauth2_token (client, "ya29.secret-token");
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_PLAINTEXT_REFUSED);
  assert_received (server, "CAPA\r\nQUIT\r\n");
}

typedef struct
{
  const char *reply;
  const char *capa;
  int         code;
} ResponseCode;

static const ResponseCode response_codes[] = {
  { "-ERR [IN-USE] Do you have another POP session running?", NULL, MW_POP3_ERROR_IN_USE },
  { "-ERR [LOGIN-DELAY] wait 900 seconds", NULL, MW_POP3_ERROR_LOGIN_DELAY },
  { "-ERR [SYS/TEMP] Unable to copy mail spool file, quota exceeded", NULL, MW_POP3_ERROR_SYS_TEMP },
  { "-ERR [SYS/PERM] Your account is locked", NULL, MW_POP3_ERROR_SYS_PERM },
  { "-ERR [AUTH] Password supplied for \"tim\" is incorrect.", NULL, MW_POP3_ERROR_AUTH },
  { "-ERR invalid password", NULL, MW_POP3_ERROR_AUTH },
  { "-ERR mailbox damaged", "+OK\r\nUSER\r\nAUTH-RESP-CODE\r\n.\r\n", MW_POP3_ERROR_REFUSED },
};

static void
test_response_code (gconstpointer data)
{
  const ResponseCode *rc = data;
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *reply = g_strconcat (rc->reply, "\r\n", NULL);
  const char      *text = strchr (rc->reply, ' ') + 1;

  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, rc->capa != NULL ? rc->capa : "+OK\r\nUSER\r\nRESP-CODES\r\n.\r\n");
  mw_fake_server_expect (server, "USER tim");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_expect (server, "PASS tanstaaftanstaaf");
  mw_fake_server_send (server, reply);
  mw_fake_server_expect (server, "QUIT");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, transcript);
  mw_pop3_client_set_allow_plaintext (client, TRUE);
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_POP3_ERROR, rc->code);
  /* The message quotes the server. */
  g_assert_nonnull (strstr (error->message, text));
  assert_received (server, LOGIN_BYTES "QUIT\r\n");
  assert_no_secret (transcript, "tanstaaf");
  g_assert_cmpint (mw_pop3_client_get_state (client), ==, MW_POP3_STATE_DISCONNECTED);
}

/* Commands. */

static void
retr_progress_cb (MwPop3Client *client,
                  guint         number,
                  guint64       bytes,
                  guint64      *progress)
{
  g_assert_cmpuint (number, ==, 2);
  g_assert_cmpuint (bytes, >=, *progress);
  *progress = bytes;
}

static void
test_commands (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) list = NULL;
  g_autoptr (GArray) uids = NULL;
  g_autoptr (GOutputStream) top = g_memory_output_stream_new_resizable ();
  g_autoptr (GOutputStream) retr = g_memory_output_stream_new_resizable ();
  g_autofree char *top_text = NULL;
  g_autofree char *retr_text = NULL;
  g_autofree char *uid = NULL;
  MwBodyStats      stats = { 0 };
  Wait             wait = { 0 };
  guint            count = 0, last = 0;
  guint64          size = 0;
  gboolean         committed = FALSE;
  guint64          progress = 0;

  script_login (server, NULL);
  mw_fake_server_expect (server, "STAT");
  mw_fake_server_send (server, "+OK 2 320\r\n");
  mw_fake_server_expect (server, "LIST");
  mw_fake_server_send (server, "+OK 2 messages\r\n1 120\r\n2 200 extra info\r\n.\r\n");
  mw_fake_server_expect (server, "LIST 2");
  mw_fake_server_send (server, "+OK 2 200\r\n");
  mw_fake_server_expect (server, "UIDL");
  mw_fake_server_send (server, "+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n");
  mw_fake_server_expect (server, "UIDL 1");
  mw_fake_server_send (server, "+OK 1 whqtswO00WBw418f9t5JxYwZ\r\n");
  mw_fake_server_expect (server, "TOP 1 1");
  mw_fake_server_send (server, "+OK\r\nSubject: hi\r\n\r\nfirst line\r\n.\r\n");
  mw_fake_server_expect (server, "RETR 2");
  mw_fake_server_send (server, "+OK 200 octets\r\nSubject: two\r\n\r\n..dot\r\n...\r\nend\r\n.\r\n");
  mw_fake_server_expect (server, "DELE 1");
  mw_fake_server_send (server, "+OK message 1 deleted\r\n");
  mw_fake_server_expect (server, "RSET");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_expect (server, "DELE 2");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_expect (server, "DELE 9");
  mw_fake_server_send (server, "-ERR no such message\r\n");
  mw_fake_server_expect (server, "NOOP");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_expect (server, "LAST");
  mw_fake_server_send (server, "+OK 2\r\n");
  mw_fake_server_expect (server, "QUIT");
  mw_fake_server_send (server, "+OK dewey POP3 server signing off (maildrop empty)\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = logged_in_client (server, transcript);

  mw_pop3_client_stat_async (client, NULL, wait_cb, &wait);
  g_assert_true (mw_pop3_client_stat_finish (client, wait_result (&wait), &count, &size, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 2);
  g_assert_cmpuint (size, ==, 320);
  wait_clear (&wait);

  list = do_list (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpuint (g_array_index (list, MwPop3ListEntry, 0).number, ==, 1);
  g_assert_cmpuint (g_array_index (list, MwPop3ListEntry, 0).size, ==, 120);
  g_assert_cmpuint (g_array_index (list, MwPop3ListEntry, 1).size, ==, 200);

  mw_pop3_client_list_one_async (client, 2, NULL, wait_cb, &wait);
  g_assert_true (mw_pop3_client_list_one_finish (client, wait_result (&wait), &size, &error));
  g_assert_cmpuint (size, ==, 200);
  wait_clear (&wait);

  mw_pop3_client_uidl_async (client, NULL, wait_cb, &wait);
  uids = mw_pop3_client_uidl_finish (client, wait_result (&wait), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uids->len, ==, 2);
  g_assert_cmpstr (g_array_index (uids, MwPop3UidEntry, 1).uid, ==, "QhdPYR:00WBw1Ph7x7");
  wait_clear (&wait);

  mw_pop3_client_uidl_one_async (client, 1, NULL, wait_cb, &wait);
  uid = mw_pop3_client_uidl_one_finish (client, wait_result (&wait), &error);
  g_assert_cmpstr (uid, ==, "whqtswO00WBw418f9t5JxYwZ");
  wait_clear (&wait);

  mw_pop3_client_top_async (client, 1, 1, top, NULL, wait_cb, &wait);
  g_assert_true (mw_pop3_client_top_finish (client, wait_result (&wait), NULL, &error));
  wait_clear (&wait);
  g_output_stream_close (top, NULL, NULL);
  top_text = memory_string (top);
  g_assert_cmpstr (top_text, ==, "Subject: hi\r\n\r\nfirst line\r\n");

  /* RETR unstuffs dots, and reports progress. */
  g_signal_connect (client, "retr-progress", G_CALLBACK (retr_progress_cb), &progress);
  g_assert_true (do_retr (client, 2, retr, &stats, &error));
  g_assert_cmpuint (progress, ==, stats.bytes);
  g_assert_no_error (error);
  g_output_stream_close (retr, NULL, NULL);
  retr_text = memory_string (retr);
  g_assert_cmpstr (retr_text, ==, "Subject: two\r\n\r\n.dot\r\n..\r\nend\r\n");
  g_assert_cmpuint (stats.lines, ==, 5);
  g_assert_cmpuint (stats.bytes, ==, strlen (retr_text));

  g_assert_true (do_dele (client, 1, &error));
  g_assert_cmpuint (mw_pop3_client_get_pending_deletions (client), ==, 1);
  mw_pop3_client_rset_async (client, NULL, wait_cb, &wait);
  g_assert_true (mw_pop3_client_rset_finish (client, wait_result (&wait), &error));
  wait_clear (&wait);
  g_assert_cmpuint (mw_pop3_client_get_pending_deletions (client), ==, 0);
  g_assert_true (do_dele (client, 2, &error));
  g_assert_false (do_dele (client, 9, &error));
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "no such message"));
  g_clear_error (&error);

  mw_pop3_client_noop_async (client, NULL, wait_cb, &wait);
  g_assert_true (mw_pop3_client_noop_finish (client, wait_result (&wait), &error));
  wait_clear (&wait);
  mw_pop3_client_last_async (client, NULL, wait_cb, &wait);
  g_assert_true (mw_pop3_client_last_finish (client, wait_result (&wait), &last, &error));
  g_assert_cmpuint (last, ==, 2);
  wait_clear (&wait);

  g_assert_true (do_quit (client, &committed, &error));
  g_assert_no_error (error);
  g_assert_true (committed);
  g_assert_cmpint (mw_pop3_client_get_state (client), ==, MW_POP3_STATE_CLOSED);

  assert_received (server, LOGIN_BYTES "STAT\r\nLIST\r\nLIST 2\r\nUIDL\r\nUIDL 1\r\nTOP 1 1\r\n"
                                       "RETR 2\r\nDELE 1\r\nRSET\r\nDELE 2\r\nDELE 9\r\nNOOP\r\n"
                                       "LAST\r\nQUIT\r\n");
}

static void
test_not_logged_in (void)
{
  g_autoptr (MwPop3Client) client = mw_pop3_client_new ("127.0.0.1", 1, MW_SECURITY_TLS, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_false (do_dele (client, 1, &error));
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_NOT_CONNECTED);
}

static void
test_console (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (MwPop3Reply) reply = NULL;
  Wait wait = { 0 };

  script_login (server, NULL);
  mw_fake_server_expect (server, "list");
  mw_fake_server_send (server, "+OK\r\n1 100\r\n.\r\n");
  mw_fake_server_expect (server, "XTND XMIT");
  mw_fake_server_send (server, "-ERR what?\r\n");
  mw_fake_server_expect (server, "PASS hunter2");
  mw_fake_server_send (server, "-ERR already logged in\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = logged_in_client (server, transcript);

  mw_pop3_client_command_async (client, "list", FALSE, NULL, wait_cb, &wait);
  reply = mw_pop3_client_command_finish (client, wait_result (&wait), &error);
  g_assert_no_error (error);
  g_assert_true (reply->ok);
  g_assert_cmpstr (reply->status, ==, "+OK");
  g_assert_cmpuint (g_strv_length (reply->lines), ==, 1);
  g_assert_cmpstr (reply->lines[0], ==, "1 100");
  g_clear_pointer (&reply, mw_pop3_reply_free);
  wait_clear (&wait);

  mw_pop3_client_command_async (client, "XTND XMIT", FALSE, NULL, wait_cb, &wait);
  reply = mw_pop3_client_command_finish (client, wait_result (&wait), &error);
  g_assert_false (reply->ok);
  g_assert_cmpstr (reply->status, ==, "-ERR what?");
  g_clear_pointer (&reply, mw_pop3_reply_free);
  wait_clear (&wait);

  mw_pop3_client_command_async (client, "STLS", FALSE, NULL, wait_cb, &wait);
  reply = mw_pop3_client_command_finish (client, wait_result (&wait), &error);
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  wait_clear (&wait);

  mw_pop3_client_command_async (client, "PASS hunter2", FALSE, NULL, wait_cb, &wait);
  reply = mw_pop3_client_command_finish (client, wait_result (&wait), &error);
  g_assert_false (reply->ok);
  wait_clear (&wait);

  mw_pop3_client_close (client);
  assert_received (server, LOGIN_BYTES "list\r\nXTND XMIT\r\nPASS hunter2\r\n");
  assert_no_secret (transcript, "hunter2");
}

typedef struct
{
  const char *path;
  const char *listing;
  size_t      len; /* 0: up to the NUL */
} BadList;

static const BadList bad_lists[] = {
  { "non-numeric", "1 abc\r\n" },
  { "negative", "1 -5\r\n" },
  { "zero-number", "0 100\r\n" },
  { "number-too-big", "10000001 100\r\n" },
  { "size-overflow", "1 18446744073709551616\r\n" },
  { "duplicate", "1 100\r\n2 200\r\n1 300\r\n" },
  { "no-size", "1\r\n" },
  { "plus-sign", "+1 100\r\n" },
  { "leading-space", " 1 100\r\n" },
  { "nul", "1 100\r\n2 2\0003\r\n", 14 },
};

static void
test_bad_list (gconstpointer data)
{
  const BadList *bad = data;
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) entries = NULL;
  g_autoptr (GString) reply = g_string_new ("+OK\r\n");

  g_string_append_len (reply, bad->listing, bad->len > 0 ? (gssize) bad->len : -1);
  g_string_append (reply, ".\r\n");
  script_login (server, NULL);
  mw_fake_server_expect (server, "LIST");
  mw_fake_server_send_len (server, reply->str, reply->len);
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = logged_in_client (server, NULL);
  entries = do_list (client, &error);
  g_assert_null (entries);
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_PROTOCOL);
  mw_pop3_client_close (client);
}

static void
test_size_max (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) entries = NULL;

  script_login (server, NULL);
  mw_fake_server_expect (server, "LIST");
  mw_fake_server_send (server, "+OK\r\n10000000 18446744073709551615\r\n.\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = logged_in_client (server, NULL);
  entries = do_list (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_array_index (entries, MwPop3ListEntry, 0).number, ==, 10000000);
  g_assert_cmpuint (g_array_index (entries, MwPop3ListEntry, 0).size, ==, G_MAXUINT64);
  mw_pop3_client_close (client);
}

static void
test_retr_dropped (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOutputStream) sink = g_memory_output_stream_new_resizable ();

  script_login (server, NULL);
  mw_fake_server_expect (server, "RETR 1");
  mw_fake_server_send (server, "+OK 5000 octets\r\nSubject: cut\r\n\r\nhalf a mess");
  mw_fake_server_close (server);
  mw_fake_server_start (server);

  client = logged_in_client (server, NULL);
  g_assert_false (do_retr (client, 1, sink, NULL, &error));
  g_assert_error (error, MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_CLOSED);
  g_assert_nonnull (strstr (error->message, "RETR 1 was cut short"));
  g_assert_cmpint (mw_pop3_client_get_state (client), ==, MW_POP3_STATE_DISCONNECTED);
}

static void
test_quit_lost (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  gboolean committed = TRUE;

  script_login (server, NULL);
  mw_fake_server_expect (server, "DELE 1");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_expect (server, "QUIT");
  mw_fake_server_close (server);
  mw_fake_server_start (server);

  client = logged_in_client (server, NULL);
  g_assert_true (do_dele (client, 1, &error));
  g_assert_false (do_quit (client, &committed, &error));
  g_assert_false (committed);
  g_assert_error (error, MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_CLOSED);
  g_assert_nonnull (strstr (error->message, "nothing was deleted"));
}

static void
test_quit_refused (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  gboolean committed = TRUE;

  script_login (server, NULL);
  mw_fake_server_expect (server, "DELE 1");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_expect (server, "QUIT");
  mw_fake_server_send (server, "-ERR [SYS/TEMP] some deleted messages not removed\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = logged_in_client (server, NULL);
  g_assert_true (do_dele (client, 1, &error));
  g_assert_false (do_quit (client, &committed, &error));
  g_assert_false (committed);
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_SYS_TEMP);
}

/* Previews. */

static void
summary_cb (MwPop3Client     *client,
            MwMessageSummary *summary,
            GPtrArray        *seen)
{
  g_ptr_array_add (seen, g_object_ref (summary));
}

static void
progress_cb (MwPop3Client *client,
             guint         done,
             guint         total,
             guint        *last_done)
{
  g_assert_cmpuint (done, ==, *last_done + 1);
  g_assert_cmpuint (done, <=, total);
  *last_done = done;
}

static char *
headers_for (guint i)
{
  return g_strdup_printf ("From: Sender %u <s%u@example.org>\r\nSubject: Message %u\r\n"
                          "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
                          "Message-ID: <%u@example.org>\r\n\r\n",
                          i, i, i, i);
}

#define N_PREVIEWS 200

static void
test_previews_pipelined (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) summaries = NULL;
  g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GString) list = g_string_new ("+OK\r\n");
  g_autoptr (GString) uidl = g_string_new ("+OK\r\n");
  g_autoptr (GString) tops = g_string_new (NULL);
  g_autoptr (GString) expected = g_string_new (LOGIN_BYTES "STAT\r\nLIST\r\nUIDL\r\n");
  g_autofree char *stat = g_strdup_printf ("+OK %u %u\r\n", N_PREVIEWS, N_PREVIEWS * 1000);
  g_autofree char *directions = NULL;
  guint            last_done = 0;

  script_login (server, "+OK\r\nUSER\r\nTOP\r\nUIDL\r\nPIPELINING\r\n.\r\n");
  /* STAT, LIST and UIDL in one burst; then every TOP before any reply:
   * a client that waits for a reply would stall this script. */
  mw_fake_server_expect (server, "STAT");
  mw_fake_server_expect (server, "LIST");
  mw_fake_server_expect (server, "UIDL");
  for (guint i = 1; i <= N_PREVIEWS; i++)
    {
      g_autofree char *headers = headers_for (i);

      g_string_append_printf (list, "%u %u\r\n", i, i * 10);
      g_string_append_printf (uidl, "%u uid-%u\r\n", i, i);
      g_string_append_printf (tops, "+OK\r\n%s.\r\n", headers);
      g_string_append_printf (expected, "TOP %u 0\r\n", i);
    }
  g_string_append (list, ".\r\n");
  g_string_append (uidl, ".\r\n");
  mw_fake_server_send (server, stat);
  mw_fake_server_send (server, list->str);
  mw_fake_server_send (server, uidl->str);
  for (guint i = 1; i <= N_PREVIEWS; i++)
    {
      g_autofree char *line = g_strdup_printf ("TOP %u 0", i);
      mw_fake_server_expect (server, line);
    }
  mw_fake_server_send (server, tops->str);
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = logged_in_client (server, transcript);
  g_signal_connect (client, "summary", G_CALLBACK (summary_cb), seen);
  g_signal_connect (client, "progress", G_CALLBACK (progress_cb), &last_done);
  summaries = do_previews (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summaries->len, ==, N_PREVIEWS);
  g_assert_cmpuint (seen->len, ==, N_PREVIEWS);
  g_assert_cmpuint (last_done, ==, N_PREVIEWS);

  for (guint i = 0; i < N_PREVIEWS; i++)
    {
      MwMessageSummary *summary = g_ptr_array_index (summaries, i);
      g_autofree char  *subject = g_strdup_printf ("Message %u", i + 1);
      g_autofree char  *uid = g_strdup_printf ("uid-%u", i + 1);

      g_assert_true (summary == g_ptr_array_index (seen, i));
      g_assert_cmpuint (mw_message_summary_get_number (summary), ==, i + 1);
      g_assert_cmpuint (mw_message_summary_get_size (summary), ==, (i + 1) * 10);
      g_assert_cmpstr (mw_message_summary_get_uid (summary), ==, uid);
      g_assert_cmpstr (mw_message_summary_get_subject (summary), ==, subject);
      g_assert_cmpuint (mw_message_summary_get_flags (summary), ==, MW_MESSAGE_FLAG_NONE);
    }

  mw_pop3_client_close (client);
  assert_received (server, expected->str);

  /* Greeting, CAPA, USER, PASS one at a time; then STAT, LIST and UIDL
   * before their replies; the TOPs leave as soon as LIST is in, before
   * UIDL's reply is read, and all of them before the first TOP reply. */
  directions = transcript_directions (transcript);
  g_assert_true (g_str_has_prefix (directions, "SCSCSCSCCCSS"));
  g_assert_cmpuint (strspn (directions + 12, "C"), ==, N_PREVIEWS);
  g_assert_cmpuint (strspn (directions + 12 + N_PREVIEWS, "S"), ==, 1 + N_PREVIEWS);
}

static void
test_previews_one_at_a_time (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) summaries = NULL;
  g_autofree char *directions = NULL;
  g_autofree char *expected = NULL;

  script_login (server, "+OK\r\nUSER\r\nTOP\r\nUIDL\r\nPIPELINING\r\n.\r\n");
  mw_fake_server_expect (server, "STAT");
  mw_fake_server_send (server, "+OK 3 30\r\n");
  mw_fake_server_expect (server, "LIST");
  mw_fake_server_send (server, "+OK\r\n1 10\r\n2 10\r\n3 10\r\n.\r\n");
  mw_fake_server_expect (server, "UIDL");
  mw_fake_server_send (server, "+OK\r\n1 a\r\n2 b\r\n3 c\r\n.\r\n");
  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *line = g_strdup_printf ("TOP %u 0", i);
      g_autofree char *headers = headers_for (i);
      g_autofree char *reply = g_strdup_printf ("+OK\r\n%s.\r\n", headers);

      mw_fake_server_expect (server, line);
      mw_fake_server_send (server, reply);
    }
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = logged_in_client (server, transcript);
  /* Forced off although the server offers it. */
  mw_pop3_client_set_pipelining (client, MW_POP3_PIPELINING_NEVER);
  g_assert_false (mw_pop3_client_is_pipelining (client));
  summaries = do_previews (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summaries->len, ==, 3);
  mw_pop3_client_close (client);

  expected = g_strdup (LOGIN_BYTES "STAT\r\nLIST\r\nUIDL\r\nTOP 1 0\r\nTOP 2 0\r\nTOP 3 0\r\n");
  assert_received (server, expected);
  directions = transcript_directions (transcript);
  g_assert_cmpstr (directions, ==, "SCSCSCSCSCSCSCSCSCS");
}

static void
test_previews_fallbacks (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) summaries = NULL;
  g_autofree char  *headers1 = headers_for (1);
  g_autofree char  *headers3 = headers_for (3);
  g_autofree char  *top1 = g_strdup_printf ("+OK\r\n%s.\r\n", headers1);
  g_autofree char  *top3 = g_strdup_printf ("+OK\r\n%s.\r\n", headers3);
  MwMessageSummary *summary;

  /* No UIDL in CAPA: it is not asked for. STAT disagrees with LIST. */
  script_login (server, "+OK\r\nUSER\r\nTOP\r\n.\r\n");
  mw_fake_server_expect (server, "STAT");
  mw_fake_server_send (server, "+OK 4 40\r\n");
  mw_fake_server_expect (server, "LIST");
  mw_fake_server_send (server, "+OK\r\n1 10\r\n2 10\r\n3 10\r\n.\r\n");
  mw_fake_server_expect (server, "TOP 1 0");
  mw_fake_server_send (server, top1);
  mw_fake_server_expect (server, "TOP 2 0");
  mw_fake_server_send (server, "-ERR cannot read message 2\r\n");
  mw_fake_server_expect (server, "TOP 3 0");
  mw_fake_server_send (server, top3);
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = logged_in_client (server, NULL);
  summaries = do_previews (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summaries->len, ==, 3);

  summary = g_ptr_array_index (summaries, 0);
  g_assert_cmpuint (mw_message_summary_get_flags (summary), ==,
                    MW_MESSAGE_FLAG_NO_UID | MW_MESSAGE_FLAG_COUNT_MISMATCH);
  g_assert_cmpstr (mw_message_summary_get_subject (summary), ==, "Message 1");
  summary = g_ptr_array_index (summaries, 1);
  g_assert_cmpuint (mw_message_summary_get_flags (summary), ==,
                    MW_MESSAGE_FLAG_NO_UID | MW_MESSAGE_FLAG_COUNT_MISMATCH | MW_MESSAGE_FLAG_NO_HEADERS);
  g_assert_cmpuint (mw_message_summary_get_size (summary), ==, 10);
  summary = g_ptr_array_index (summaries, 2);
  g_assert_cmpstr (mw_message_summary_get_subject (summary), ==, "Message 3");
  mw_pop3_client_close (client);
  assert_received (server, LOGIN_BYTES "STAT\r\nLIST\r\nTOP 1 0\r\nTOP 2 0\r\nTOP 3 0\r\n");
}

static void
test_previews_uidl_refused (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) summaries = NULL;
  g_autofree char *headers = headers_for (1);
  g_autofree char *top = g_strdup_printf ("+OK\r\n%s.\r\n", headers);

  /* No CAPA: UIDL is tried and its refusal flagged. */
  script_login (server, NULL);
  mw_fake_server_expect (server, "STAT");
  mw_fake_server_send (server, "+OK 1 10\r\n");
  mw_fake_server_expect (server, "LIST");
  mw_fake_server_send (server, "+OK\r\n1 10\r\n.\r\n");
  mw_fake_server_expect (server, "UIDL");
  mw_fake_server_send (server, "-ERR unknown command\r\n");
  mw_fake_server_expect (server, "TOP 1 0");
  mw_fake_server_send (server, top);
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = logged_in_client (server, NULL);
  summaries = do_previews (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summaries->len, ==, 1);
  g_assert_cmpuint (mw_message_summary_get_flags (g_ptr_array_index (summaries, 0)), ==,
                    MW_MESSAGE_FLAG_NO_UID);
  mw_pop3_client_close (client);
}

static void
test_previews_long_header (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) summaries = NULL;
  g_autoptr (GString) top = g_string_new ("+OK\r\nSubject: long\r\nX-Long: ");
  g_autoptr (GString) huge = g_string_new ("+OK\r\nSubject: huge\r\n");

  /* A 200 KB header line is fine; 300 KB of headers are cut and flagged. */
  for (guint i = 0; i < 200 * 1024; i++)
    g_string_append_c (top, 'a' + i % 26);
  g_string_append (top, "\r\n\r\n.\r\n");
  for (guint i = 0; i < 3000; i++)
    g_string_append_printf (huge, "X-Filler-%04u: %090u\r\n", i, i);
  g_string_append (huge, "\r\n.\r\n");

  script_login (server, "+OK\r\nUSER\r\nTOP\r\n.\r\n");
  mw_fake_server_expect (server, "STAT");
  mw_fake_server_send (server, "+OK 2 600000\r\n");
  mw_fake_server_expect (server, "LIST");
  mw_fake_server_send (server, "+OK\r\n1 300000\r\n2 300000\r\n.\r\n");
  mw_fake_server_expect (server, "TOP 1 0");
  mw_fake_server_send (server, top->str);
  mw_fake_server_expect (server, "TOP 2 0");
  mw_fake_server_send (server, huge->str);
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = logged_in_client (server, transcript);
  summaries = do_previews (client, &error);
  g_assert_no_error (error);
  /* The summary reads it (and flags a line past RFC 5322's 998 bytes). */
  g_assert_cmpstr (mw_message_summary_get_subject (g_ptr_array_index (summaries, 0)), ==, "long");
  g_assert_false (mw_message_summary_get_flags (g_ptr_array_index (summaries, 0)) &
                  MW_MESSAGE_FLAG_NO_HEADERS);
  g_assert_cmpstr (mw_message_summary_get_subject (g_ptr_array_index (summaries, 1)), ==, "huge");
  g_assert_true (mw_message_summary_get_flags (g_ptr_array_index (summaries, 1)) &
                 MW_MESSAGE_FLAG_MALFORMED_HEADERS);
  g_assert_true (transcript_contains (transcript, "TOP 2 0: more than 262144 bytes of headers"));
  mw_pop3_client_close (client);
}

static void
test_previews_bad_list (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) summaries = NULL;

  script_login (server, "+OK\r\nUSER\r\nTOP\r\nUIDL\r\nPIPELINING\r\n.\r\n");
  mw_fake_server_expect (server, "STAT");
  mw_fake_server_expect (server, "LIST");
  mw_fake_server_expect (server, "UIDL");
  mw_fake_server_send (server, "+OK 2 20\r\n+OK\r\n1 10\r\n1 10\r\n.\r\n+OK\r\n.\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = logged_in_client (server, NULL);
  summaries = do_previews (client, &error);
  g_assert_null (summaries);
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "1 10"));
  mw_pop3_client_close (client);
}

static void
test_cancel_pending (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  Wait wait1 = { 0 }, wait2 = { 0 };

  /* Without pipelining the second command waits in the queue: cancelling
   * it leaves the session usable. */
  script_login (server, NULL);
  mw_fake_server_expect (server, "NOOP");
  mw_fake_server_stall (server, 200);
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_expect (server, "QUIT");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = logged_in_client (server, NULL);
  mw_pop3_client_noop_async (client, NULL, wait_cb, &wait1);
  mw_pop3_client_dele_async (client, 1, cancellable, wait_cb, &wait2);
  g_cancellable_cancel (cancellable);
  g_assert_false (mw_pop3_client_dele_finish (client, wait_result (&wait2), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (mw_pop3_client_noop_finish (client, wait_result (&wait1), NULL));
  wait_clear (&wait1);
  wait_clear (&wait2);
  g_assert_true (do_quit (client, NULL, NULL));
  assert_received (server, LOGIN_BYTES "NOOP\r\nQUIT\r\n");
}

/* Iterates the main context until the fake has received @len bytes. */
static gboolean
wait_received (MwFakeServer *server,
               size_t        len)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr (GBytes) received = mw_fake_server_get_received (server);

      if (g_bytes_get_size (received) >= len)
        return TRUE;
      g_main_context_iteration (NULL, FALSE);
    }
  return FALSE;
}

static void
test_cancel_in_flight (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  Wait wait = { 0 };

  /* The command is on the wire: its reply would put the session out of
   * step, so the session ends. */
  script_login (server, NULL);
  mw_fake_server_expect (server, "NOOP");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = logged_in_client (server, NULL);
  mw_pop3_client_noop_async (client, cancellable, wait_cb, &wait);
  g_assert_true (wait_received (server, strlen (LOGIN_BYTES "NOOP\r\n")));
  g_cancellable_cancel (cancellable);
  g_assert_false (mw_pop3_client_noop_finish (client, wait_result (&wait), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  wait_clear (&wait);
  g_assert_cmpint (mw_pop3_client_get_state (client), ==, MW_POP3_STATE_DISCONNECTED);
  assert_received (server, LOGIN_BYTES "NOOP\r\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/pop3/connect/capa", test_capa_parse);
  g_test_add_func ("/core/pop3/connect/no-capa", test_no_capa);
  g_test_add_func ("/core/pop3/connect/greeting-refused", test_greeting_refused);
  g_test_add_func ("/core/pop3/connect/bad-status", test_bad_status);
  g_test_add_func ("/core/pop3/connect/implicit-tls", test_implicit_tls);
  g_test_add_func ("/core/pop3/connect/certificate-info-kept", test_certificate_info_kept);
  g_test_add_func ("/core/pop3/stls/success", test_stls);
  g_test_add_func ("/core/pop3/stls/refused", test_stls_refused);
  g_test_add_func ("/core/pop3/stls/not-offered", test_stls_not_offered);
  g_test_add_func ("/core/pop3/login/plaintext-refused", test_plaintext_refused);
  g_test_add_func ("/core/pop3/login/token-plaintext-refused", test_token_plaintext_refused);
  g_test_add_func ("/core/pop3/login/apop", test_apop);
  g_test_add_func ("/core/pop3/login/plain", test_auth_plain);
  g_test_add_func ("/core/pop3/login/login", test_auth_login);
  g_test_add_func ("/core/pop3/login/cram-md5", test_auth_cram_md5);
  g_test_add_func ("/core/pop3/login/scram-sha-256", test_auth_scram_sha_256);
  g_test_add_func ("/core/pop3/login/scram-bad-signature", test_auth_scram_bad_signature);
  g_test_add_func ("/core/pop3/login/xoauth2", test_auth_xoauth2);
  for (size_t i = 0; i < G_N_ELEMENTS (response_codes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/pop3/response-code/%zu", i);
      g_test_add_data_func (path, &response_codes[i], test_response_code);
    }
  g_test_add_func ("/core/pop3/commands", test_commands);
  g_test_add_func ("/core/pop3/commands/not-logged-in", test_not_logged_in);
  g_test_add_func ("/core/pop3/console", test_console);
  for (size_t i = 0; i < G_N_ELEMENTS (bad_lists); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/pop3/list/bad/%s", bad_lists[i].path);
      g_test_add_data_func (path, &bad_lists[i], test_bad_list);
    }
  g_test_add_func ("/core/pop3/list/size-max", test_size_max);
  g_test_add_func ("/core/pop3/retr/dropped", test_retr_dropped);
  g_test_add_func ("/core/pop3/quit/lost", test_quit_lost);
  g_test_add_func ("/core/pop3/quit/refused", test_quit_refused);
  g_test_add_func ("/core/pop3/previews/pipelined", test_previews_pipelined);
  g_test_add_func ("/core/pop3/previews/one-at-a-time", test_previews_one_at_a_time);
  g_test_add_func ("/core/pop3/previews/fallbacks", test_previews_fallbacks);
  g_test_add_func ("/core/pop3/previews/uidl-refused", test_previews_uidl_refused);
  g_test_add_func ("/core/pop3/previews/long-header", test_previews_long_header);
  g_test_add_func ("/core/pop3/previews/bad-list", test_previews_bad_list);
  g_test_add_func ("/core/pop3/cancel/pending", test_cancel_pending);
  g_test_add_func ("/core/pop3/cancel/in-flight", test_cancel_in_flight);

  return g_test_run ();
}
