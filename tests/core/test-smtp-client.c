/* test-smtp-client.c
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "mw-fake-server.h"
#include "mw-message-builder.h"
#include "mw-smtp-client.h"
#include "mw-smtp-client-private.h"

#define WAIT_MS 20000

#define GREETING "220 fake.example ESMTP ready\r\n"
#define EHLO     "EHLO [127.0.0.1]"

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
do_connect (MwSmtpClient *client,
            GError      **error)
{
  Wait     wait = { 0 };
  gboolean ok;

  mw_smtp_client_connect_async (client, NULL, wait_cb, &wait);
  ok = mw_smtp_client_connect_finish (client, wait_result (&wait), error);
  g_object_unref (wait.result);
  return ok;
}

static gboolean
do_send_full (MwSmtpClient      *client,
              const char        *from,
              const char *const *recipients,
              const char        *message,
              gssize             message_len,
              gint64             size_hint,
              MwSmtpSendFlags    flags,
              const MwSmtpDsn   *dsn,
              MwSmtpSendResult **out_result,
              GError           **error)
{
  Wait wait = { 0 };
  g_autoptr (GInputStream) stream = NULL;
  gboolean ok;

  if (message_len < 0)
    message_len = (gssize) strlen (message);
  stream = g_memory_input_stream_new_from_data (message, message_len, NULL);
  mw_smtp_client_send_async (client, from, recipients, stream, size_hint, flags, dsn,
                             NULL, wait_cb, &wait);
  ok = mw_smtp_client_send_finish (client, wait_result (&wait), out_result, error);
  g_object_unref (wait.result);
  return ok;
}

static gboolean
do_send (MwSmtpClient      *client,
         const char *const *recipients,
         const char        *message,
         MwSmtpSendFlags    flags,
         MwSmtpSendResult **out_result,
         GError           **error)
{
  return do_send_full (client, "me@example.org", recipients, message, -1, -1, flags, NULL,
                       out_result, error);
}

static MwSmtpReply *
do_command (MwSmtpClient *client,
            const char   *line,
            GError      **error)
{
  Wait         wait = { 0 };
  MwSmtpReply *reply;

  mw_smtp_client_command_async (client, line, NULL, wait_cb, &wait);
  reply = mw_smtp_client_command_finish (client, wait_result (&wait), error);
  g_object_unref (wait.result);
  return reply;
}

static gboolean
do_quit (MwSmtpClient *client,
         GError      **error)
{
  Wait     wait = { 0 };
  gboolean ok;

  mw_smtp_client_quit_async (client, NULL, wait_cb, &wait);
  ok = mw_smtp_client_quit_finish (client, wait_result (&wait), error);
  g_object_unref (wait.result);
  return ok;
}

static MwSmtpClient *
client_for (MwFakeServer *server,
            MwSecurity    security,
            MwTranscript *transcript)
{
  MwSmtpClient *client = mw_smtp_client_new ("127.0.0.1", mw_fake_server_get_port (server),
                                             security, transcript);

  mw_smtp_client_set_timeout (client, 10);
  return client;
}

static void
trust_test_ca (MwSmtpClient *client)
{
  g_autofree char *ca = mw_test_cert_path ("ca.pem");

  mw_smtp_client_set_ca_file (client, ca);
  mw_smtp_client_set_server_identity (client, "localhost");
}

/* The greeting and an EHLO answered with @caps ("250-…\r\n250 …\r\n"). */
static void
script_hello (MwFakeServer *server,
              const char   *caps)
{
  mw_fake_server_send (server, GREETING);
  mw_fake_server_expect (server, EHLO);
  mw_fake_server_send (server, caps);
}

static char *
transcript_text (MwTranscript *transcript)
{
  return mw_transcript_to_text (transcript);
}

static gboolean
transcript_contains (MwTranscript *transcript,
                     const char   *needle)
{
  g_autofree char *text = transcript_text (transcript);
  return strstr (text, needle) != NULL;
}

static void
assert_server_ok (MwFakeServer *server)
{
  gboolean ok = mw_fake_server_wait (server, WAIT_MS);

  g_assert_cmpstr (mw_fake_server_get_error (server), ==, NULL);
  g_assert_true (ok);
}

/* Replies. */

static void
test_reply_parse (void)
{
  const char *multi[] = { "250-mail.example Hello", "250-SIZE 1000", "250 8BITMIME", NULL };
  const char *enhanced[] = { "550-5.1.1 <x@example.org>: Recipient", "550 5.1.1 address rejected", NULL };
  const char *bare[] = { "250", NULL };
  const char *mixed[] = { "250-first", "251 second", NULL };
  const char *no_space[] = { "250-first", "250second", NULL };
  const char *early_end[] = { "250 first", "250 second", NULL };
  const char *not_code[] = { "2x0 what", NULL };
  const char *wrong_class[] = { "550 4.1.1 mismatch", NULL };
  g_autoptr (MwSmtpReply) reply = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *quote = NULL;

  reply = mw_smtp_reply_parse (multi, &error);
  g_assert_no_error (error);
  g_assert_cmpint (reply->code, ==, 250);
  g_assert_cmpstr (reply->text, ==, "mail.example Hello\nSIZE 1000\n8BITMIME");
  g_assert_null (reply->enhanced);
  g_assert_cmpint (reply->enhanced_class, ==, 0);
  g_clear_pointer (&reply, mw_smtp_reply_free);

  reply = mw_smtp_reply_parse (enhanced, &error);
  g_assert_no_error (error);
  g_assert_cmpint (reply->code, ==, 550);
  g_assert_cmpstr (reply->enhanced, ==, "5.1.1");
  g_assert_cmpint (reply->enhanced_class, ==, 5);
  g_assert_cmpint (reply->enhanced_subject, ==, 1);
  g_assert_cmpint (reply->enhanced_detail, ==, 1);
  g_assert_cmpstr (reply->text, ==, "<x@example.org>: Recipient\naddress rejected");
  quote = mw_smtp_reply_quote (reply);
  g_assert_cmpstr (quote, ==, "550-5.1.1 <x@example.org>: Recipient / 550 5.1.1 address rejected");
  g_clear_pointer (&reply, mw_smtp_reply_free);

  reply = mw_smtp_reply_parse (bare, &error);
  g_assert_no_error (error);
  g_assert_cmpint (reply->code, ==, 250);
  g_assert_cmpstr (reply->text, ==, "");
  g_clear_pointer (&reply, mw_smtp_reply_free);

  reply = mw_smtp_reply_parse (wrong_class, &error);
  g_assert_no_error (error);
  g_assert_null (reply->enhanced);
  g_clear_pointer (&reply, mw_smtp_reply_free);

  reply = mw_smtp_reply_parse (mixed, &error);
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_PROTOCOL);
  g_assert_null (reply);
  g_clear_error (&error);
  reply = mw_smtp_reply_parse (no_space, &error);
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_PROTOCOL);
  g_clear_error (&error);
  reply = mw_smtp_reply_parse (early_end, &error);
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_PROTOCOL);
  g_clear_error (&error);
  reply = mw_smtp_reply_parse (not_code, &error);
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_PROTOCOL);
}

static void
test_capabilities_parse (void)
{
  const char *lines[] = { "250-mail.example Hello [127.0.0.1]", "250-SIZE 52428800",
                          "250-pipelining", "250-8BITMIME", "250-SMTPUTF8", "250-CHUNKING",
                          "250-DSN", "250-ENHANCEDSTATUSCODES", "250-AUTH PLAIN login X-FOO plain",
                          "250-AUTH=LOGIN", "250-X-EXPS GSSAPI NTLM", "250 STARTTLS", NULL };
  const char *expected_auth[] = { "PLAIN", "LOGIN", "X-FOO", NULL };
  g_autoptr (MwSmtpReply) reply = mw_smtp_reply_parse (lines, NULL);
  g_autoptr (MwSmtpCapabilities) caps = mw_smtp_capabilities_parse (reply);

  g_assert_cmpstr (caps->domain, ==, "mail.example");
  g_assert_cmpuint (caps->size, ==, 52428800);
  g_assert_cmpuint (caps->flags, ==,
                    MW_SMTP_CAP_SIZE | MW_SMTP_CAP_PIPELINING | MW_SMTP_CAP_8BITMIME |
                      MW_SMTP_CAP_SMTPUTF8 | MW_SMTP_CAP_CHUNKING | MW_SMTP_CAP_DSN |
                      MW_SMTP_CAP_ENHANCEDSTATUSCODES | MW_SMTP_CAP_AUTH | MW_SMTP_CAP_STARTTLS);
  g_assert_true (g_strv_equal ((const char *const *) caps->auth, expected_auth));
  g_assert_cmpuint (g_strv_length (caps->keywords), ==, 11);
  g_assert_cmpstr (caps->keywords[9], ==, "X-EXPS GSSAPI NTLM");
}

/* Connecting. */

static void
test_connect_ehlo (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;
  const MwSmtpCapabilities *caps;

  script_hello (server, "250-fake.example\r\n250-SIZE 1000000\r\n250-PIPELINING\r\n"
                        "250 ENHANCEDSTATUSCODES\r\n");
  mw_fake_server_expect (server, "QUIT");
  mw_fake_server_send (server, "221 2.0.0 Bye\r\n");
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, transcript);
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (mw_smtp_client_is_connected (client));
  g_assert_false (mw_smtp_client_is_authenticated (client));
  g_assert_cmpint (mw_smtp_client_get_greeting (client)->code, ==, 220);

  caps = mw_smtp_client_get_capabilities (client);
  g_assert_cmpuint (caps->flags, ==,
                    MW_SMTP_CAP_ESMTP | MW_SMTP_CAP_SIZE | MW_SMTP_CAP_PIPELINING |
                      MW_SMTP_CAP_ENHANCEDSTATUSCODES);
  g_assert_cmpuint (caps->size, ==, 1000000);

  g_assert_true (do_quit (client, &error));
  g_assert_no_error (error);
  g_assert_false (mw_smtp_client_is_connected (client));
  assert_server_ok (server);
  g_assert_true (transcript_contains (transcript, " C: EHLO [127.0.0.1]\n"));
  g_assert_true (transcript_contains (transcript, " S: 250 ENHANCEDSTATUSCODES\n"));
}

static void
test_connect_helo_fallback (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *received = NULL;

  script_hello (server, "502 5.5.1 Command not implemented\r\n");
  mw_fake_server_expect (server, "HELO [127.0.0.1]");
  mw_fake_server_send (server, "250 fake.example\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mw_smtp_client_get_capabilities (client)->flags, ==, MW_SMTP_CAP_NONE);
  g_assert_cmpstr (mw_smtp_client_get_capabilities (client)->domain, ==, "fake.example");
  mw_smtp_client_close (client);
  assert_server_ok (server);
  received = mw_fake_server_get_received_string (server);
  g_assert_cmpstr (received, ==, "EHLO [127.0.0.1]\r\nHELO [127.0.0.1]\r\n");
}

static void
test_connect_greeting_554 (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;

  mw_fake_server_send (server, "554 5.7.1 No SMTP service here for you\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_GREETING_REFUSED);
  g_assert_nonnull (strstr (error->message, "554 5.7.1 No SMTP service here for you"));
  g_assert_false (mw_smtp_client_is_connected (client));
  assert_server_ok (server);
}

static void
test_connect_inconsistent_codes (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;

  script_hello (server, "250-fake.example\r\n250-PIPELINING\r\n251 SIZE 100\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "251 SIZE 100"));
  g_assert_false (mw_smtp_client_is_connected (client));
  assert_server_ok (server);
}

static void
test_connect_bare_lf_reply (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;

  mw_fake_server_send (server, "220 fake.example\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_PROTOCOL);
  assert_server_ok (server);
}

static void
test_starttls (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, "server");
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;
  const MwSmtpCapabilities *caps;

  /* Before TLS the server claims a tiny SIZE and no AUTH; after TLS it
   * says something else, and only the second answer may count. */
  script_hello (server, "250-fake.example\r\n250-SIZE 10\r\n250 STARTTLS\r\n");
  mw_fake_server_expect (server, "STARTTLS");
  mw_fake_server_send (server, "220 2.0.0 Ready to start TLS\r\n");
  mw_fake_server_start_tls (server);
  mw_fake_server_expect (server, EHLO);
  mw_fake_server_send (server, "250-fake.example\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n");
  mw_fake_server_expect (server, "AUTH PLAIN AHVzZXIAc2VjcmV0");
  mw_fake_server_send (server, "235 2.7.0 Authentication successful\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_STARTTLS, transcript);
  trust_test_ca (client);
  mw_smtp_client_set_user (client, "user");
  mw_smtp_client_set_password (client, "secret");
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (mw_connection_is_tls (mw_smtp_client_get_connection (client)));
  g_assert_true (mw_smtp_client_is_authenticated (client));
  g_assert_cmpstr (mw_smtp_client_get_auth_mechanism_used (client), ==, "PLAIN");

  caps = mw_smtp_client_get_capabilities (client);
  g_assert_cmpuint (caps->flags, ==, MW_SMTP_CAP_ESMTP | MW_SMTP_CAP_AUTH | MW_SMTP_CAP_8BITMIME);
  g_assert_cmpuint (caps->size, ==, 0);

  mw_smtp_client_close (client);
  assert_server_ok (server);
  g_assert_true (transcript_contains (transcript, "TLS established"));
  /* The credentials never reach the transcript. */
  g_assert_false (transcript_contains (transcript, "AHVzZXIAc2VjcmV0"));
  g_assert_true (transcript_contains (transcript, " C: AUTH PLAIN ****\n"));
}

static void
test_starttls_not_offered (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *received = NULL;

  script_hello (server, "250-fake.example\r\n250-AUTH PLAIN LOGIN\r\n250 PIPELINING\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_STARTTLS, NULL);
  mw_smtp_client_set_user (client, "user");
  mw_smtp_client_set_password (client, "secret");
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_STARTTLS_UNAVAILABLE);
  g_assert_false (mw_smtp_client_is_connected (client));
  assert_server_ok (server);

  /* Nothing after EHLO, above all no AUTH. */
  received = mw_fake_server_get_received_string (server);
  g_assert_cmpstr (received, ==, EHLO "\r\n");
}

/* Logging in. */

static void
test_auth_login_redacted (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  script_hello (server, "250-fake.example\r\n250 AUTH LOGIN\r\n");
  mw_fake_server_expect (server, "AUTH LOGIN");
  mw_fake_server_send (server, "334 VXNlcm5hbWU6\r\n");
  mw_fake_server_expect (server, "dXNlcg==");
  mw_fake_server_send (server, "334 UGFzc3dvcmQ6\r\n");
  mw_fake_server_expect (server, "c2VjcmV0");
  mw_fake_server_send (server, "235 2.7.0 OK\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, transcript);
  mw_smtp_client_set_allow_plaintext (client, TRUE);
  mw_smtp_client_set_user (client, "user");
  mw_smtp_client_set_password (client, "secret");
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (mw_smtp_client_is_authenticated (client));
  mw_smtp_client_close (client);
  assert_server_ok (server);

  text = transcript_text (transcript);
  g_assert_null (strstr (text, "c2VjcmV0"));
  g_assert_null (strstr (text, "dXNlcg=="));
  g_assert_nonnull (strstr (text, " C: AUTH LOGIN\n"));
  g_assert_nonnull (strstr (text, " S: 334 UGFzc3dvcmQ6\n"));
  g_assert_nonnull (strstr (text, " C: ****\n"));
}

static void
test_auth_failure_535 (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;

  script_hello (server, "250-fake.example\r\n250 AUTH CRAM-MD5 PLAIN\r\n");
  mw_fake_server_expect (server, "AUTH CRAM-MD5");
  mw_fake_server_send (server, "334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
  mw_fake_server_expect_any (server);
  mw_fake_server_send (server, "535 5.7.8 Authentication credentials invalid\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  mw_smtp_client_set_user (client, "tim");
  mw_smtp_client_set_password (client, "tanstaaftanstaaf");
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "535 5.7.8 Authentication credentials invalid"));
  g_assert_false (mw_smtp_client_is_connected (client));
  assert_server_ok (server);
}

static void
test_auth_unknown_mechanisms (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_IMPLICIT, "server");
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *received = NULL;

  script_hello (server, "250-fake.example\r\n250 AUTH GSSAPI NTLM X-UNKNOWN\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_TLS, NULL);
  trust_test_ca (client);
  mw_smtp_client_set_user (client, "user");
  mw_smtp_client_set_password (client, "secret");
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_NO_MECHANISM);
  g_assert_nonnull (strstr (error->message, "GSSAPI NTLM X-UNKNOWN"));
  assert_server_ok (server);
  received = mw_fake_server_get_received_string (server);
  g_assert_cmpstr (received, ==, EHLO "\r\n");
}

static void
test_auth_cleartext_refused (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *received = NULL;

  script_hello (server, "250-fake.example\r\n250 AUTH PLAIN LOGIN\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  mw_smtp_client_set_user (client, "user");
  mw_smtp_client_set_password (client, "secret");
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_PLAINTEXT_REFUSED);
  assert_server_ok (server);
  received = mw_fake_server_get_received_string (server);
  g_assert_cmpstr (received, ==, EHLO "\r\n");
}

static void
test_auth_bad_challenge (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;

  script_hello (server, "250-fake.example\r\n250 AUTH CRAM-MD5\r\n");
  mw_fake_server_expect (server, "AUTH CRAM-MD5");
  mw_fake_server_send (server, "334 not*base64!\r\n");
  mw_fake_server_expect (server, "*");
  mw_fake_server_send (server, "501 5.7.0 Authentication cancelled\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  mw_smtp_client_set_user (client, "user");
  mw_smtp_client_set_password (client, "secret");
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "334 not*base64!"));
  assert_server_ok (server);
}

/* Sending. */

static const char *const one_rcpt[] = { "you@example.net", NULL };
static const char *const three_rcpts[] = { "a@example.net", "b@example.net", "c@example.net", NULL };

#define SIMPLE_MESSAGE "Subject: hi\r\n\r\nHello.\r\n"

static void
test_send_one_at_a_time (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (MwSmtpSendResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *received = NULL;
  g_autofree char *text = NULL;

  script_hello (server, "250 fake.example\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "DATA");
  mw_fake_server_send (server, "354 Go ahead\r\n");
  mw_fake_server_expect_until (server, ".");
  mw_fake_server_send (server, "250 Queued as 1234\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, transcript);
  g_assert_true (do_connect (client, &error));
  g_assert_true (do_send (client, one_rcpt, SIMPLE_MESSAGE, 0, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mw_smtp_send_result_get_n_accepted (result), ==, 1);
  g_assert_cmpint (mw_smtp_send_result_get_final_reply (result)->code, ==, 250);
  g_assert_cmpuint (mw_smtp_send_result_get_bytes_sent (result), ==, strlen (SIMPLE_MESSAGE ".\r\n"));
  g_assert_false (mw_smtp_send_result_get_used_pipelining (result));
  g_assert_true (mw_smtp_client_is_connected (client));
  mw_smtp_client_close (client);
  assert_server_ok (server);

  received = mw_fake_server_get_received_string (server);
  g_assert_cmpstr (received, ==,
                   EHLO "\r\nMAIL FROM:<me@example.org>\r\nRCPT TO:<you@example.net>\r\nDATA\r\n" SIMPLE_MESSAGE ".\r\n");

  /* The message is one folded entry between 354 and the final reply. */
  text = transcript_text (transcript);
  g_assert_nonnull (strstr (text, " S: 354 Go ahead\n"));
  g_assert_nonnull (strstr (text, "… 4 lines"));
  g_assert_null (strstr (text, "Hello."));
  g_assert_true (strstr (text, "… 4 lines") < strstr (text, " S: 250 Queued as 1234"));
}

static void
test_send_pipelined_one_packet (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (MwSmtpSendResult) result = NULL;
  g_autoptr (GError) error = NULL;

  /* The fake reads the whole group before answering: a client waiting
   * for a reply in between would hang here. */
  script_hello (server, "250-fake.example\r\n250 PIPELINING\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_expect (server, "RCPT TO:<a@example.net>");
  mw_fake_server_expect (server, "RCPT TO:<b@example.net>");
  mw_fake_server_expect (server, "RCPT TO:<c@example.net>");
  mw_fake_server_expect (server, "DATA");
  mw_fake_server_send (server, "250 2.1.0 OK\r\n250 2.1.5 OK\r\n250 2.1.5 OK\r\n250 2.1.5 OK\r\n354 Go\r\n");
  mw_fake_server_expect_until (server, ".");
  mw_fake_server_send (server, "250 2.0.0 Queued\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_true (do_connect (client, &error));
  g_assert_true (do_send (client, three_rcpts, SIMPLE_MESSAGE, MW_SMTP_SEND_TO_ACCEPTED_ONLY,
                          &result, &error));
  g_assert_no_error (error);
  g_assert_true (mw_smtp_send_result_get_used_pipelining (result));
  g_assert_cmpuint (mw_smtp_send_result_get_n_accepted (result), ==, 3);
  g_assert_cmpstr (mw_smtp_send_result_get_final_reply (result)->enhanced, ==, "2.0.0");
  mw_smtp_client_close (client);
  assert_server_ok (server);
}

static void
test_send_pipelined_split_replies (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;

  /* Replies that straddle reads, byte by byte, line up all the same. */
  script_hello (server, "250-fake.example\r\n250 PIPELINING\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  mw_fake_server_expect (server, "DATA");
  mw_fake_server_send_split (server, "250 OK\r\n250-Recipient\r\n250 OK\r\n354 Go\r\n", 1);
  mw_fake_server_expect_until (server, ".");
  mw_fake_server_send (server, "250 Queued\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_true (do_connect (client, &error));
  g_assert_true (do_send (client, one_rcpt, SIMPLE_MESSAGE, MW_SMTP_SEND_TO_ACCEPTED_ONLY,
                          NULL, &error));
  g_assert_no_error (error);
  mw_smtp_client_close (client);
  assert_server_ok (server);
}

static void
assert_recipient (MwSmtpSendResult *result,
                  guint             index,
                  const char       *address,
                  gboolean          accepted,
                  int               code,
                  const char       *enhanced)
{
  GPtrArray       *recipients = mw_smtp_send_result_get_recipients (result);
  MwSmtpRecipient *recipient = g_ptr_array_index (recipients, index);

  g_assert_cmpstr (recipient->address, ==, address);
  g_assert_cmpint (recipient->accepted, ==, accepted);
  g_assert_nonnull (recipient->reply);
  g_assert_cmpint (recipient->reply->code, ==, code);
  g_assert_cmpstr (recipient->reply->enhanced, ==, enhanced);
}

static const char *const four_rcpts[] = { "ok@example.net", "full@example.net",
                                          "nobody@example.net", "big@example.net", NULL };

#define REFUSALS "250 2.1.5 OK\r\n"                                 \
                 "452 4.2.2 Mailbox full\r\n"                       \
                 "550 5.1.1 <nobody@example.net>: User unknown\r\n" \
                 "552 5.2.2 Over quota\r\n"

static void
test_send_refused_to_accepted_only (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (MwSmtpSendResult) result = NULL;
  g_autoptr (GError) error = NULL;

  script_hello (server, "250-fake.example\r\n250-ENHANCEDSTATUSCODES\r\n250 PIPELINING\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  for (guint i = 0; four_rcpts[i] != NULL; i++)
    {
      g_autofree char *line = g_strdup_printf ("RCPT TO:<%s>", four_rcpts[i]);
      mw_fake_server_expect (server, line);
    }
  mw_fake_server_expect (server, "DATA");
  mw_fake_server_send (server, "250 2.1.0 OK\r\n" REFUSALS "354 Go ahead\r\n");
  mw_fake_server_expect_until (server, ".");
  mw_fake_server_send (server, "250 2.0.0 Queued\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_true (do_connect (client, &error));
  g_assert_true (do_send (client, four_rcpts, SIMPLE_MESSAGE, MW_SMTP_SEND_TO_ACCEPTED_ONLY,
                          &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mw_smtp_send_result_get_n_accepted (result), ==, 1);
  g_assert_cmpuint (mw_smtp_send_result_get_n_refused (result), ==, 3);
  assert_recipient (result, 0, "ok@example.net", TRUE, 250, "2.1.5");
  assert_recipient (result, 1, "full@example.net", FALSE, 452, "4.2.2");
  assert_recipient (result, 2, "nobody@example.net", FALSE, 550, "5.1.1");
  assert_recipient (result, 3, "big@example.net", FALSE, 552, "5.2.2");
  mw_smtp_client_close (client);
  assert_server_ok (server);
}

static void
test_send_refused_all_or_nothing (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (MwSmtpSendResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *received = NULL;

  /* DATA is held back until the recipients are answered. */
  script_hello (server, "250-fake.example\r\n250 PIPELINING\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  for (guint i = 0; four_rcpts[i] != NULL; i++)
    {
      g_autofree char *line = g_strdup_printf ("RCPT TO:<%s>", four_rcpts[i]);
      mw_fake_server_expect (server, line);
    }
  mw_fake_server_send (server, "250 2.1.0 OK\r\n" REFUSALS);
  mw_fake_server_expect (server, "RSET");
  mw_fake_server_send (server, "250 2.0.0 Reset\r\n");
  mw_fake_server_expect (server, "NOOP");
  mw_fake_server_send (server, "250 2.0.0 OK\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_true (do_connect (client, &error));
  g_assert_false (do_send (client, four_rcpts, SIMPLE_MESSAGE, MW_SMTP_SEND_NONE, &result, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_RECIPIENTS_REFUSED);
  g_assert_nonnull (strstr (error->message, "<nobody@example.net>: “550 5.1.1 <nobody@example.net>: User unknown”"));
  g_assert_nonnull (strstr (error->message, "452 4.2.2 Mailbox full"));
  g_assert_null (strstr (error->message, "ok@example.net"));
  g_assert_nonnull (result);
  assert_recipient (result, 1, "full@example.net", FALSE, 452, "4.2.2");
  assert_recipient (result, 3, "big@example.net", FALSE, 552, "5.2.2");

  g_clear_error (&error);

  /* The session is still usable. */
  g_assert_true (mw_smtp_client_is_connected (client));
  {
    g_autoptr (MwSmtpReply) reply = do_command (client, "NOOP", &error);
    g_assert_no_error (error);
    g_assert_cmpint (reply->code, ==, 250);
  }
  mw_smtp_client_close (client);
  assert_server_ok (server);
  received = mw_fake_server_get_received_string (server);
  g_assert_null (strstr (received, "DATA"));
}

static void
test_send_all_refused (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;

  /* DATA pipelined, and refused because no recipient was accepted. */
  script_hello (server, "250-fake.example\r\n250 PIPELINING\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  mw_fake_server_expect (server, "DATA");
  mw_fake_server_send (server, "250 OK\r\n550 5.7.1 Relaying denied\r\n554 5.5.1 No valid recipients\r\n");
  mw_fake_server_expect (server, "RSET");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_true (do_connect (client, &error));
  g_assert_false (do_send (client, one_rcpt, SIMPLE_MESSAGE, MW_SMTP_SEND_TO_ACCEPTED_ONLY, NULL, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_RECIPIENTS_REFUSED);
  g_assert_nonnull (strstr (error->message, "Relaying denied"));
  mw_smtp_client_close (client);
  assert_server_ok (server);
}

static void
test_send_354_then_554 (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (MwSmtpSendResult) result = NULL;
  g_autoptr (GError) error = NULL;
  MwSmtpReply *final;

  script_hello (server, "250-fake.example\r\n250 ENHANCEDSTATUSCODES\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_send (server, "250 2.1.0 OK\r\n");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  mw_fake_server_send (server, "250 2.1.5 OK\r\n");
  mw_fake_server_expect (server, "DATA");
  mw_fake_server_send (server, "354 Go ahead\r\n");
  mw_fake_server_expect_until (server, ".");
  mw_fake_server_send (server, "554-5.7.1 Message rejected:\r\n554 5.7.1 looks like spam\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_true (do_connect (client, &error));
  g_assert_false (do_send (client, one_rcpt, SIMPLE_MESSAGE, 0, &result, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_MESSAGE_REFUSED);
  g_assert_nonnull (strstr (error->message, "554 5.7.1 looks like spam"));
  final = mw_smtp_send_result_get_final_reply (result);
  g_assert_cmpint (final->code, ==, 554);
  g_assert_cmpint (final->enhanced_class, ==, 5);
  g_assert_cmpint (final->enhanced_subject, ==, 7);
  g_assert_cmpint (final->enhanced_detail, ==, 1);
  g_assert_cmpstr (final->text, ==, "Message rejected:\nlooks like spam");
  /* The transaction is over; the session goes on. */
  g_assert_true (mw_smtp_client_is_connected (client));
  mw_smtp_client_close (client);
  assert_server_ok (server);
}

static void
test_send_421_mid_session (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;

  script_hello (server, "250 fake.example\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_send (server, "421 4.3.2 fake.example Service shutting down, closing connection\r\n");
  mw_fake_server_close (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_true (do_connect (client, &error));
  g_assert_false (do_send (client, one_rcpt, SIMPLE_MESSAGE, 0, NULL, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_SERVICE_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "421 4.3.2 fake.example Service shutting down"));
  g_assert_false (mw_smtp_client_is_connected (client));
  assert_server_ok (server);
}

static void
test_send_size_refused_before_mail (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *received = NULL;

  script_hello (server, "250-fake.example\r\n250 SIZE 1000\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_true (do_connect (client, &error));
  g_assert_false (do_send_full (client, "me@example.org", one_rcpt, SIMPLE_MESSAGE, -1, 5000,
                                0, NULL, NULL, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_MESSAGE_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "SIZE 1000"));
  g_assert_true (mw_smtp_client_is_connected (client));
  mw_smtp_client_close (client);
  assert_server_ok (server);

  received = mw_fake_server_get_received_string (server);
  g_assert_cmpstr (received, ==, EHLO "\r\n");
}

static void
test_send_mail_parameters (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;
  MwSmtpDsn         dsn = { MW_SMTP_DSN_NOTIFY_SUCCESS | MW_SMTP_DSN_NOTIFY_FAILURE,
                            MW_SMTP_DSN_RET_HDRS, "id+1=x y" };
  const char *const rcpt[] = { "jörg@example.net", NULL };
  g_autofree char  *mail = NULL;

  script_hello (server, "250-fake.example\r\n250-SIZE 100000\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 DSN\r\n");
  mail = g_strdup_printf ("MAIL FROM:<me@example.org> SIZE=%zu BODY=8BITMIME SMTPUTF8 RET=HDRS "
                          "ENVID=id+2B1+3Dx+20y",
                          strlen (SIMPLE_MESSAGE));
  mw_fake_server_expect (server, mail);
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "RCPT TO:<jörg@example.net> NOTIFY=SUCCESS,FAILURE");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "DATA");
  mw_fake_server_send (server, "354 Go ahead\r\n");
  mw_fake_server_expect_until (server, ".");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_true (do_connect (client, &error));
  /* SMTPUTF8 follows from the address alone. */
  g_assert_true (do_send_full (client, "me@example.org", rcpt, SIMPLE_MESSAGE, -1,
                               strlen (SIMPLE_MESSAGE), MW_SMTP_SEND_8BITMIME, &dsn, NULL, &error));
  g_assert_no_error (error);
  mw_smtp_client_close (client);
  assert_server_ok (server);
}

static void
test_send_needs_smtputf8 (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;
  const char *const rcpt[] = { "jörg@example.net", NULL };
  const char *const bad[] = { "a@example.net>\r\nRSET", NULL };
  g_autofree char  *received = NULL;

  script_hello (server, "250-fake.example\r\n250 8BITMIME\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_true (do_connect (client, &error));
  g_assert_false (do_send (client, rcpt, SIMPLE_MESSAGE, 0, NULL, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_false (do_send (client, bad, SIMPLE_MESSAGE, 0, NULL, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_INVALID_ARGUMENT);
  mw_smtp_client_close (client);
  assert_server_ok (server);
  received = mw_fake_server_get_received_string (server);
  g_assert_cmpstr (received, ==, EHLO "\r\n");
}

/* Every line of @data ends in CRLF, and there is no lone CR or LF. */
static void
assert_crlf_only (const char *data,
                  size_t      len)
{
  for (size_t i = 0; i < len; i++)
    {
      if (data[i] == '\r')
        g_assert_true (i + 1 < len && data[i + 1] == '\n');
      if (data[i] == '\n')
        g_assert_true (i > 0 && data[i - 1] == '\r');
    }
}

#define AWKWARD_MESSAGE "Subject: dots\n" \
                        "\n"              \
                        ".\n"             \
                        "..\n"            \
                        ".\r\n"           \
                        ".\rx\n"          \
                        "bare\rcr\n"      \
                        ".leading\n"      \
                        "no newline at end"

#define AWKWARD_DATA "Subject: dots\r\n" \
                     "\r\n"              \
                     "..\r\n"            \
                     "...\r\n"           \
                     "..\r\n"            \
                     "..\r\n"            \
                     "x\r\n"             \
                     "bare\r\n"          \
                     "cr\r\n"            \
                     "..leading\r\n"     \
                     "no newline at end\r\n"

static void
test_send_dot_stuffing (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *received = NULL;
  const char      *data;

  script_hello (server, "250 fake.example\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "DATA");
  mw_fake_server_send (server, "354 Go ahead\r\n");
  mw_fake_server_expect_until (server, ".");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_true (do_connect (client, &error));
  g_assert_true (do_send (client, one_rcpt, AWKWARD_MESSAGE, 0, NULL, &error));
  g_assert_no_error (error);
  mw_smtp_client_close (client);
  assert_server_ok (server);

  received = mw_fake_server_get_received_string (server);
  data = strstr (received, "DATA\r\n");
  g_assert_nonnull (data);
  data += strlen ("DATA\r\n");
  g_assert_cmpstr (data, ==, AWKWARD_DATA ".\r\n");
  assert_crlf_only (received, strlen (received));
}

static void
test_send_chunking (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (MwSmtpSendResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *received = NULL;
  g_autofree char *expected = NULL;
  /* BDAT normalizes line ends but does not stuff dots. */
  const char *bdat_data = "Subject: dots\r\n\r\n.\r\n..\r\n.\r\n.\r\nx\r\nbare\r\ncr\r\n.leading\r\nno newline at end\r\n";

  script_hello (server, "250-fake.example\r\n250-PIPELINING\r\n250 CHUNKING\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  mw_fake_server_send (server, "250 OK\r\n250 OK\r\n");
  mw_fake_server_expect_any (server);
  mw_fake_server_expect_bytes (server, strlen (bdat_data));
  mw_fake_server_send (server, "250 2.0.0 Queued\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, transcript);
  g_assert_true (do_connect (client, &error));
  g_assert_true (do_send (client, one_rcpt, AWKWARD_MESSAGE, 0, &result, &error));
  g_assert_no_error (error);
  g_assert_true (mw_smtp_send_result_get_used_chunking (result));
  mw_smtp_client_close (client);
  assert_server_ok (server);

  received = mw_fake_server_get_received_string (server);
  expected = g_strdup_printf (EHLO "\r\nMAIL FROM:<me@example.org>\r\nRCPT TO:<you@example.net>\r\n"
                                   "BDAT %zu LAST\r\n%s",
                              strlen (bdat_data), bdat_data);
  g_assert_cmpstr (received, ==, expected);
  g_free (expected);
  expected = g_strdup_printf (" C: BDAT %zu LAST\n", strlen (bdat_data));
  g_assert_true (transcript_contains (transcript, expected));
}

static void
test_send_chunking_two_chunks (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) message = g_string_new (NULL);

  /* 1536 bytes in chunks of 1000: without PIPELINING the first waits for
   * its answer, then the rest goes with LAST. */
  while (message->len < 1536)
    g_string_append (message, "01234567890123456789012345678901234567890123456789012345678901\r\n");

  script_hello (server, "250-fake.example\r\n250 CHUNKING\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "BDAT 1000");
  mw_fake_server_expect_bytes (server, 1000);
  mw_fake_server_send (server, "250 2.0.0 1000 octets received\r\n");
  mw_fake_server_expect (server, "BDAT 536 LAST");
  mw_fake_server_expect_bytes (server, 536);
  mw_fake_server_send (server, "250 2.0.0 Queued\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  mw_smtp_client_set_bdat_chunk_size (client, 1000);
  g_assert_true (do_connect (client, &error));
  g_assert_true (do_send (client, one_rcpt, message->str, 0, NULL, &error));
  g_assert_no_error (error);
  mw_smtp_client_close (client);
  assert_server_ok (server);
}

static void
test_send_chunking_pipelined_refused (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (MwSmtpSendResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) message = g_string_new (NULL);

  /* With PIPELINING the chunks do not wait; a refused one decides. */
  while (message->len < 2500)
    g_string_append (message, "01234567890123456789012345678901234567890123456789012345678901\r\n");

  script_hello (server, "250-fake.example\r\n250-PIPELINING\r\n250 CHUNKING\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  mw_fake_server_send (server, "250 OK\r\n250 OK\r\n");
  mw_fake_server_expect (server, "BDAT 1000");
  mw_fake_server_expect_bytes (server, 1000);
  mw_fake_server_expect (server, "BDAT 1000");
  mw_fake_server_expect_bytes (server, 1000);
  mw_fake_server_expect (server, "BDAT 560 LAST");
  mw_fake_server_expect_bytes (server, 560);
  mw_fake_server_send (server, "250 OK\r\n552 5.3.4 Message size exceeds fixed limit\r\n503 5.5.1 Bad sequence\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  mw_smtp_client_set_bdat_chunk_size (client, 1000);
  g_assert_true (do_connect (client, &error));
  g_assert_false (do_send (client, one_rcpt, message->str, 0, &result, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_MESSAGE_TOO_LARGE);
  g_assert_cmpint (mw_smtp_send_result_get_final_reply (result)->code, ==, 552);
  g_assert_cmpstr (mw_smtp_send_result_get_final_reply (result)->enhanced, ==, "5.3.4");
  mw_smtp_client_close (client);
  assert_server_ok (server);
}

static void
test_send_built_message_no_bcc (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (MwMessageBuilder) builder = mw_message_builder_new ();
  g_autoptr (GBytes) message = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) recipients = NULL;
  g_autofree char *received = NULL;
  const char      *data;
  size_t           len;

  mw_message_builder_set_from (builder, "Me", "me@example.org");
  mw_message_builder_add_to (builder, "You", "you@example.net");
  mw_message_builder_add_cc (builder, NULL, "cc@example.net");
  mw_message_builder_add_bcc (builder, "Hidden", "hidden@example.net");
  mw_message_builder_set_subject (builder, "Dots");
  mw_message_builder_set_body_text (builder, "Line one\n.\n..\n.hidden dot\nend\n");
  message = mw_message_builder_build (builder, &error);
  g_assert_no_error (error);
  recipients = mw_message_builder_get_envelope_recipients (builder);
  g_assert_cmpuint (g_strv_length (recipients), ==, 3);

  script_hello (server, "250-fake.example\r\n250 PIPELINING\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_expect_any (server);
  mw_fake_server_expect_any (server);
  mw_fake_server_expect_any (server);
  mw_fake_server_send (server, "250 OK\r\n250 OK\r\n250 OK\r\n250 OK\r\n");
  mw_fake_server_expect (server, "DATA");
  mw_fake_server_send (server, "354 Go ahead\r\n");
  mw_fake_server_expect_until (server, ".");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_true (do_connect (client, &error));
  data = g_bytes_get_data (message, &len);
  g_assert_true (do_send_full (client, "me@example.org", (const char *const *) recipients, data,
                               (gssize) len, (gint64) len, 0, NULL, NULL, &error));
  g_assert_no_error (error);
  mw_smtp_client_close (client);
  assert_server_ok (server);

  received = mw_fake_server_get_received_string (server);
  g_assert_nonnull (strstr (received, "RCPT TO:<hidden@example.net>\r\n"));
  data = strstr (received, "DATA\r\n");
  g_assert_nonnull (data);
  g_assert_null (strstr (data, "hidden@example.net"));
  g_assert_null (g_strstr_len (data, -1, "\nBcc:"));
  g_assert_null (g_strstr_len (data, -1, "\nbcc:"));
  g_assert_nonnull (strstr (data, "\r\n..\r\n...\r\n..hidden dot\r\n"));
  g_assert_true (g_str_has_suffix (data, "\r\n.\r\n"));
  assert_crlf_only (received, strlen (received));
}

static void
test_send_delivery_uncertain (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (MwSmtpSendResult) result = NULL;
  g_autoptr (GError) error = NULL;

  script_hello (server, "250 fake.example\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "DATA");
  mw_fake_server_send (server, "354 Go ahead\r\n");
  mw_fake_server_expect_until (server, ".");
  mw_fake_server_close (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_true (do_connect (client, &error));
  g_assert_false (do_send (client, one_rcpt, SIMPLE_MESSAGE, 0, &result, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_DELIVERY_UNCERTAIN);
  g_assert_nonnull (strstr (error->message, "may or may not have been delivered"));
  g_assert_null (mw_smtp_send_result_get_final_reply (result));
  g_assert_false (mw_smtp_client_is_connected (client));
  assert_server_ok (server);
}

static void
test_send_closed_before_end (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;

  /* Closed before DATA is answered: certainly not delivered. */
  script_hello (server, "250 fake.example\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "DATA");
  mw_fake_server_close (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_true (do_connect (client, &error));
  g_assert_false (do_send (client, one_rcpt, SIMPLE_MESSAGE, 0, NULL, &error));
  g_assert_error (error, MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_CLOSED);
  assert_server_ok (server);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* The server stalls after the final dot; @how ends the wait. */
static void
test_send_uncertain_wait (gconstpointer data)
{
  gboolean how_timeout = GPOINTER_TO_INT (data);
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (GError) error = NULL;
  Wait wait = { 0 };

  script_hello (server, "250 fake.example\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "DATA");
  mw_fake_server_send (server, "354 Go ahead\r\n");
  mw_fake_server_expect_until (server, ".");
  mw_fake_server_stall (server, 3000);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_true (do_connect (client, &error));
  mw_smtp_client_set_timeout (client, 1);
  mw_smtp_client_set_final_reply_timeout (client, 1);
  if (!how_timeout)
    {
      mw_smtp_client_set_timeout (client, 10);
      g_timeout_add (300, cancel_cb, cancellable);
    }

  stream = g_memory_input_stream_new_from_data (SIMPLE_MESSAGE, -1, NULL);
  mw_smtp_client_send_async (client, "me@example.org", one_rcpt, stream, -1, 0, NULL,
                             cancellable, wait_cb, &wait);
  g_assert_false (mw_smtp_client_send_finish (client, wait_result (&wait), NULL, &error));
  g_object_unref (wait.result);
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_DELIVERY_UNCERTAIN);
  g_assert_false (mw_smtp_client_is_connected (client));
  /* Freeing the fake ends its stall. */
}

static void
test_send_cancelled_before_end (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (GError) error = NULL;
  Wait wait = { 0 };

  /* Cancelled while MAIL waits for its answer: nothing was delivered. */
  script_hello (server, "250 fake.example\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_stall (server, 3000);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_true (do_connect (client, &error));
  g_timeout_add (300, cancel_cb, cancellable);
  stream = g_memory_input_stream_new_from_data (SIMPLE_MESSAGE, -1, NULL);
  mw_smtp_client_send_async (client, "me@example.org", one_rcpt, stream, -1, 0, NULL,
                             cancellable, wait_cb, &wait);
  g_assert_false (mw_smtp_client_send_finish (client, wait_result (&wait), NULL, &error));
  g_object_unref (wait.result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Out of step with the server: closed, not reused. */
  g_assert_false (mw_smtp_client_is_connected (client));
  /* Freeing the fake ends its stall. */
}

#define XOAUTH2_RESPONSE "user=user@example.org\001auth=Bearer ya29.token\001\001"

static void
test_auth_xoauth2_redacted (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_IMPLICIT, "server");
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *encoded = g_base64_encode ((const guchar *) XOAUTH2_RESPONSE, strlen (XOAUTH2_RESPONSE));

  expected = g_strdup_printf ("AUTH XOAUTH2 %s", encoded);
  script_hello (server, "250-fake.example\r\n250 AUTH PLAIN LOGIN XOAUTH2\r\n");
  mw_fake_server_expect (server, expected);
  mw_fake_server_send (server, "235 2.7.0 Accepted\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_TLS, transcript);
  trust_test_ca (client);
  mw_smtp_client_set_user (client, "user@example.org");
  mw_smtp_client_set_oauth2_token (client, "ya29.token");
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (mw_smtp_client_get_auth_mechanism_used (client), ==, "XOAUTH2");
  mw_smtp_client_close (client);
  assert_server_ok (server);

  text = transcript_text (transcript);
  g_assert_null (strstr (text, encoded));
  g_assert_nonnull (strstr (text, " C: AUTH XOAUTH2 ****\n"));
}

static void
test_auth_reply_codes (void)
{
  const struct
  {
    const char *reply;
    int         code;
  } cases[] = {
    { "534 5.7.9 Authentication mechanism is too weak", MW_SMTP_ERROR_AUTH_TOO_WEAK },
    { "538 5.7.11 Encryption required for requested authentication mechanism", MW_SMTP_ERROR_AUTH_ENCRYPTION_REQUIRED },
    { "454 4.7.0 Temporary authentication failure", MW_SMTP_ERROR_AUTH_TEMPORARY },
    { "421 4.7.0 Too many failures, closing", MW_SMTP_ERROR_SERVICE_UNAVAILABLE },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
      g_autoptr (MwSmtpClient) client = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree char *reply = g_strdup_printf ("%s\r\n", cases[i].reply);

      script_hello (server, "250-fake.example\r\n250 AUTH CRAM-MD5\r\n");
      mw_fake_server_expect (server, "AUTH CRAM-MD5");
      mw_fake_server_send (server, reply);
      mw_fake_server_drain (server);
      mw_fake_server_start (server);

      client = client_for (server, MW_SECURITY_NONE, NULL);
      mw_smtp_client_set_user (client, "user");
      mw_smtp_client_set_password (client, "secret");
      g_assert_false (do_connect (client, &error));
      g_assert_error (error, MW_SMTP_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].reply));
      assert_server_ok (server);
    }
}

/* Commands. */

static void
test_command_console (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwSmtpClient) client = NULL;
  g_autoptr (MwSmtpReply) reply = NULL;
  g_autoptr (GError) error = NULL;

  script_hello (server, "250 fake.example\r\n");
  mw_fake_server_expect (server, "HELP");
  mw_fake_server_send (server, "214-2.0.0 Commands:\r\n214-2.0.0 HELO EHLO MAIL RCPT DATA\r\n214 2.0.0 End of HELP info\r\n");
  mw_fake_server_expect (server, "VRFY postmaster");
  mw_fake_server_send (server, "252 2.0.0 Cannot VRFY user\r\n");
  mw_fake_server_expect (server, "QUIT");
  mw_fake_server_send (server, "221 2.0.0 Bye\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = client_for (server, MW_SECURITY_NONE, NULL);
  g_assert_true (do_connect (client, &error));

  reply = do_command (client, "HELP", &error);
  g_assert_no_error (error);
  g_assert_cmpint (reply->code, ==, 214);
  g_assert_cmpuint (g_strv_length (reply->lines), ==, 3);
  g_assert_cmpstr (reply->text, ==, "Commands:\nHELO EHLO MAIL RCPT DATA\nEnd of HELP info");
  g_clear_pointer (&reply, mw_smtp_reply_free);

  /* Refused locally, with the reason. */
  reply = do_command (client, "DATA", &error);
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  reply = do_command (client, "turn", &error);
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "RFC 2821"));
  g_clear_error (&error);
  /* A cleartext login over an unencrypted connection is not sent. */
  reply = do_command (client, "AUTH PLAIN AHVzZXIAc2VjcmV0", &error);
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_PLAINTEXT_REFUSED);
  g_assert_null (strstr (error->message, "AHVzZXIAc2VjcmV0"));
  g_clear_error (&error);

  reply = do_command (client, "VRFY postmaster", &error);
  g_assert_no_error (error);
  g_assert_cmpint (reply->code, ==, 252);
  g_clear_pointer (&reply, mw_smtp_reply_free);

  reply = do_command (client, "QUIT", &error);
  g_assert_no_error (error);
  g_assert_cmpint (reply->code, ==, 221);
  g_assert_false (mw_smtp_client_is_connected (client));
  assert_server_ok (server);
}

static void
test_ehlo_name (void)
{
  g_autoptr (MwSmtpClient) client = mw_smtp_client_new ("localhost", 25, MW_SECURITY_NONE, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_cmpstr (mw_smtp_client_get_ehlo_name (client), ==, "[127.0.0.1]");
  g_assert_true (mw_smtp_client_set_ehlo_name (client, "host.example.org", &error));
  g_assert_true (mw_smtp_client_set_ehlo_name (client, "[IPv6:2001:db8::1]", &error));
  g_assert_true (mw_smtp_client_set_ehlo_name (client, "[192.0.2.1]", &error));
  g_assert_no_error (error);
  g_assert_false (mw_smtp_client_set_ehlo_name (client, "bad name\r\nMAIL", &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (mw_smtp_client_set_ehlo_name (client, "-bad.example", &error));
  g_clear_error (&error);
  g_assert_false (mw_smtp_client_set_ehlo_name (client, "[300.1.1.1]", &error));
  g_clear_error (&error);
  g_assert_cmpstr (mw_smtp_client_get_ehlo_name (client), ==, "[192.0.2.1]");
}

/* BDAT as typed in a console. */
static void
test_parse_bdat_command (void)
{
  guint64  size = 0;
  gboolean last = FALSE;

  g_assert_true (mw_smtp_parse_bdat_command ("BDAT 20", 100, &size, &last));
  g_assert_cmpuint (size, ==, 20);
  g_assert_false (last);
  g_assert_true (mw_smtp_parse_bdat_command ("bdat  0   last", 100, &size, &last));
  g_assert_cmpuint (size, ==, 0);
  g_assert_true (last);
  g_assert_true (mw_smtp_parse_bdat_command ("BDAT 100 LAST", 100, &size, &last));
  g_assert_cmpuint (size, ==, 100);

  g_assert_false (mw_smtp_parse_bdat_command ("BDAT 101", 100, NULL, NULL));
  g_assert_false (mw_smtp_parse_bdat_command ("BDAT", 100, NULL, NULL));
  g_assert_false (mw_smtp_parse_bdat_command ("BDAT -1", 100, NULL, NULL));
  g_assert_false (mw_smtp_parse_bdat_command ("BDAT +5", 100, NULL, NULL));
  g_assert_false (mw_smtp_parse_bdat_command ("BDAT 5x", 100, NULL, NULL));
  g_assert_false (mw_smtp_parse_bdat_command ("BDAT 5 FIRST", 100, NULL, NULL));
  g_assert_false (mw_smtp_parse_bdat_command ("BDAT 5 LAST more", 100, NULL, NULL));
  g_assert_false (mw_smtp_parse_bdat_command ("DATA 5", 100, NULL, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/smtp/reply/parse", test_reply_parse);
  g_test_add_func ("/core/smtp/parse-bdat-command", test_parse_bdat_command);
  g_test_add_func ("/core/smtp/reply/capabilities", test_capabilities_parse);
  g_test_add_func ("/core/smtp/ehlo-name", test_ehlo_name);
  g_test_add_func ("/core/smtp/connect/ehlo", test_connect_ehlo);
  g_test_add_func ("/core/smtp/connect/helo-fallback", test_connect_helo_fallback);
  g_test_add_func ("/core/smtp/connect/greeting-554", test_connect_greeting_554);
  g_test_add_func ("/core/smtp/connect/inconsistent-codes", test_connect_inconsistent_codes);
  g_test_add_func ("/core/smtp/connect/bare-lf-reply", test_connect_bare_lf_reply);
  g_test_add_func ("/core/smtp/starttls/ehlo-again", test_starttls);
  g_test_add_func ("/core/smtp/starttls/not-offered", test_starttls_not_offered);
  g_test_add_func ("/core/smtp/auth/login-redacted", test_auth_login_redacted);
  g_test_add_func ("/core/smtp/auth/failure-535", test_auth_failure_535);
  g_test_add_func ("/core/smtp/auth/unknown-mechanisms", test_auth_unknown_mechanisms);
  g_test_add_func ("/core/smtp/auth/cleartext-refused", test_auth_cleartext_refused);
  g_test_add_func ("/core/smtp/auth/bad-challenge", test_auth_bad_challenge);
  g_test_add_func ("/core/smtp/send/one-at-a-time", test_send_one_at_a_time);
  g_test_add_func ("/core/smtp/send/pipelined-one-packet", test_send_pipelined_one_packet);
  g_test_add_func ("/core/smtp/send/pipelined-split-replies", test_send_pipelined_split_replies);
  g_test_add_func ("/core/smtp/send/refused/to-accepted-only", test_send_refused_to_accepted_only);
  g_test_add_func ("/core/smtp/send/refused/all-or-nothing", test_send_refused_all_or_nothing);
  g_test_add_func ("/core/smtp/send/refused/all", test_send_all_refused);
  g_test_add_func ("/core/smtp/send/354-then-554", test_send_354_then_554);
  g_test_add_func ("/core/smtp/send/421-mid-session", test_send_421_mid_session);
  g_test_add_func ("/core/smtp/send/size-refused-before-mail", test_send_size_refused_before_mail);
  g_test_add_func ("/core/smtp/send/mail-parameters", test_send_mail_parameters);
  g_test_add_func ("/core/smtp/send/needs-smtputf8", test_send_needs_smtputf8);
  g_test_add_func ("/core/smtp/send/dot-stuffing", test_send_dot_stuffing);
  g_test_add_func ("/core/smtp/send/chunking", test_send_chunking);
  g_test_add_func ("/core/smtp/send/chunking-two-chunks", test_send_chunking_two_chunks);
  g_test_add_func ("/core/smtp/send/chunking-pipelined-refused", test_send_chunking_pipelined_refused);
  g_test_add_func ("/core/smtp/send/built-message-no-bcc", test_send_built_message_no_bcc);
  g_test_add_func ("/core/smtp/send/delivery-uncertain", test_send_delivery_uncertain);
  g_test_add_func ("/core/smtp/send/closed-before-end", test_send_closed_before_end);
  g_test_add_data_func ("/core/smtp/send/uncertain-after-timeout", GINT_TO_POINTER (TRUE), test_send_uncertain_wait);
  g_test_add_data_func ("/core/smtp/send/uncertain-after-cancel", GINT_TO_POINTER (FALSE), test_send_uncertain_wait);
  g_test_add_func ("/core/smtp/send/cancelled-before-end", test_send_cancelled_before_end);
  g_test_add_func ("/core/smtp/auth/xoauth2-redacted", test_auth_xoauth2_redacted);
  g_test_add_func ("/core/smtp/auth/reply-codes", test_auth_reply_codes);
  g_test_add_func ("/core/smtp/command/console", test_command_console);

  return g_test_run ();
}
