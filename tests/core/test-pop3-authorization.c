/* test-pop3-authorization.c: a POP3 session connected without logging
 * in, logged in afterwards or by commands typed in the console
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "mw-fake-server.h"
#include "mw-pop3-client.h"

#define WAIT_MS 20000

/* "tim" / "tanstaaftanstaaf" for SASL PLAIN. */
#define PLAIN_RESPONSE "AHRpbQB0YW5zdGFhZnRhbnN0YWFm"

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
do_login (MwPop3Client *client,
          GError      **error)
{
  Wait     wait = { 0 };
  gboolean ok;

  mw_pop3_client_login_async (client, NULL, wait_cb, &wait);
  ok = mw_pop3_client_login_finish (client, wait_result (&wait), error);
  wait_clear (&wait);
  return ok;
}

static gboolean
do_capa (MwPop3Client *client,
         GError      **error)
{
  Wait     wait = { 0 };
  gboolean ok;

  mw_pop3_client_capa_async (client, NULL, wait_cb, &wait);
  ok = mw_pop3_client_capa_finish (client, wait_result (&wait), error);
  wait_clear (&wait);
  return ok;
}

static MwPop3Reply *
do_command (MwPop3Client *client,
            const char   *line,
            GError      **error)
{
  Wait         wait = { 0 };
  MwPop3Reply *reply;

  mw_pop3_client_command_async (client, line, FALSE, NULL, wait_cb, &wait);
  reply = mw_pop3_client_command_finish (client, wait_result (&wait), error);
  wait_clear (&wait);
  return reply;
}

/* A client that only connects: no user, no password. */
static MwPop3Client *
bare_client (MwFakeServer *server,
             MwSecurity    security,
             MwTranscript *transcript)
{
  MwPop3Client    *client = mw_pop3_client_new ("127.0.0.1", mw_fake_server_get_port (server),
                                                security, transcript);
  g_autofree char *ca = mw_test_cert_path ("ca.pem");

  mw_pop3_client_set_ca_file (client, ca);
  mw_pop3_client_set_server_identity (client, "localhost");
  mw_pop3_client_set_timeout (client, 20);
  mw_pop3_client_set_login_on_connect (client, FALSE);
  return client;
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
assert_transcript (MwTranscript *transcript,
                   const char   *present,
                   const char   *absent)
{
  g_autofree char *text = mw_transcript_to_text (transcript);

  if (present != NULL)
    g_assert_nonnull (strstr (text, present));
  if (absent != NULL)
    g_assert_null (strstr (text, absent));
}

/* Greeting and CAPA only: nothing is sent that needs credentials. */
static void
test_connect_without_login (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_IMPLICIT, "server");
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  const char *const *mechanisms;

  mw_fake_server_send (server, "+OK ready <1896.697170952@dbc.mtview.ca.us>\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nUSER\r\nSASL PLAIN SCRAM-SHA-256\r\nRESP-CODES\r\n.\r\n");
  mw_fake_server_expect (server, "QUIT");
  mw_fake_server_send (server, "+OK bye\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = bare_client (server, MW_SECURITY_TLS, NULL);
  g_assert_false (mw_pop3_client_get_login_on_connect (client));
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mw_pop3_client_get_state (client), ==, MW_POP3_STATE_AUTHORIZATION);
  g_assert_null (mw_pop3_client_get_mechanism_used (client));
  g_assert_cmpstr (mw_pop3_client_get_apop_timestamp (client), ==, "<1896.697170952@dbc.mtview.ca.us>");
  mechanisms = mw_pop3_client_get_sasl_mechanisms (client);
  g_assert_cmpstr (mechanisms[0], ==, "PLAIN");
  g_assert_cmpstr (mechanisms[1], ==, "SCRAM-SHA-256");
  g_assert_null (mechanisms[2]);
  g_assert_true (mw_connection_is_tls (mw_pop3_client_get_connection (client)));

  /* Connecting again while the session is open is refused. */
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  {
    Wait     wait = { 0 };
    gboolean committed = TRUE;

    mw_pop3_client_quit_async (client, NULL, wait_cb, &wait);
    g_assert_true (mw_pop3_client_quit_finish (client, wait_result (&wait), &committed, &error));
    g_assert_no_error (error);
    g_assert_true (committed);
    wait_clear (&wait);
  }
  assert_received (server, "CAPA\r\nQUIT\r\n");
}

/* STLS, CAPA before login, login, then CAPA again, which tells more. */
static void
test_login_after_connect (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, "server");
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;

  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nSTLS\r\nUSER\r\n.\r\n");
  mw_fake_server_expect (server, "STLS");
  mw_fake_server_send (server, "+OK Begin TLS\r\n");
  mw_fake_server_start_tls (server);
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nUSER\r\nTOP\r\n.\r\n");
  mw_fake_server_expect (server, "USER tim");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_expect (server, "PASS tanstaaftanstaaf");
  mw_fake_server_send (server, "+OK logged in\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nTOP\r\nUIDL\r\nEXPIRE 30\r\nLOGIN-DELAY 900\r\nIMPLEMENTATION Shlemazle-Plotz-v302\r\n.\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = bare_client (server, MW_SECURITY_STARTTLS, transcript);
  mw_pop3_client_set_user (client, "tim");
  mw_pop3_client_set_password (client, "tanstaaftanstaaf");

  /* Logging in before connecting is refused. */
  g_assert_false (do_login (client, &error));
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_NOT_CONNECTED);
  g_clear_error (&error);

  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mw_pop3_client_get_state (client), ==, MW_POP3_STATE_AUTHORIZATION);
  g_assert_true (mw_connection_is_tls (mw_pop3_client_get_connection (client)));
  g_assert_cmpuint (mw_pop3_client_get_capabilities (client), ==, MW_POP3_CAPABILITY_USER | MW_POP3_CAPABILITY_TOP);
  g_assert_null (mw_pop3_client_get_implementation (client));

  g_assert_true (do_login (client, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mw_pop3_client_get_state (client), ==, MW_POP3_STATE_TRANSACTION);
  g_assert_cmpstr (mw_pop3_client_get_mechanism_used (client), ==, "USER");

  /* Only once: the session is logged in now. */
  g_assert_false (do_login (client, &error));
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_NOT_CONNECTED);
  g_clear_error (&error);

  g_assert_true (do_capa (client, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (mw_pop3_client_get_implementation (client), ==, "Shlemazle-Plotz-v302");
  g_assert_cmpstr (mw_pop3_client_get_expire (client), ==, "30");
  g_assert_cmpint (mw_pop3_client_get_login_delay (client), ==, 900);
  g_assert_true (mw_pop3_client_get_capabilities (client) & MW_POP3_CAPABILITY_UIDL);

  mw_pop3_client_close (client);
  /* Nothing of the login is left holding the client. */
  g_assert_finalize_object (g_steal_pointer (&client));
  assert_received (server, "CAPA\r\nSTLS\r\nCAPA\r\nUSER tim\r\nPASS tanstaaftanstaaf\r\nCAPA\r\n");
  assert_transcript (transcript, "PASS ********", "tanstaaf");
}

/* USER and PASS typed by a person: the state follows the replies, the
 * password stays out of the transcript, DELE and RSET are counted. */
static void
test_console_user_pass (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_IMPLICIT, "server");
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (MwPop3Reply) user = NULL;
  g_autoptr (MwPop3Reply) wrong = NULL;
  g_autoptr (MwPop3Reply) pass = NULL;
  g_autoptr (MwPop3Reply) dele = NULL;
  g_autoptr (MwPop3Reply) rset = NULL;

  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nUSER\r\n.\r\n");
  mw_fake_server_expect (server, "USER tim");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_expect (server, "PASS wrong horse");
  mw_fake_server_send (server, "-ERR [AUTH] Invalid password\r\n");
  mw_fake_server_expect (server, "pass tanstaaftanstaaf");
  mw_fake_server_send (server, "+OK maildrop has 2 messages\r\n");
  mw_fake_server_expect (server, "DELE 1");
  mw_fake_server_send (server, "+OK marked\r\n");
  mw_fake_server_expect (server, "RSET");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = bare_client (server, MW_SECURITY_TLS, transcript);
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);

  user = do_command (client, "USER tim", &error);
  g_assert_no_error (error);
  g_assert_true (user->ok);
  g_assert_cmpint (mw_pop3_client_get_state (client), ==, MW_POP3_STATE_AUTHORIZATION);

  wrong = do_command (client, "PASS wrong horse", &error);
  g_assert_no_error (error);
  g_assert_false (wrong->ok);
  g_assert_false (wrong->challenge);
  g_assert_cmpint (mw_pop3_client_get_state (client), ==, MW_POP3_STATE_AUTHORIZATION);

  pass = do_command (client, "pass tanstaaftanstaaf", &error);
  g_assert_no_error (error);
  g_assert_true (pass->ok);
  g_assert_cmpint (mw_pop3_client_get_state (client), ==, MW_POP3_STATE_TRANSACTION);
  g_assert_cmpstr (mw_pop3_client_get_mechanism_used (client), ==, "USER");

  dele = do_command (client, "DELE 1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mw_pop3_client_get_pending_deletions (client), ==, 1);
  rset = do_command (client, "RSET", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mw_pop3_client_get_pending_deletions (client), ==, 0);

  mw_pop3_client_close (client);
  assert_received (server, "CAPA\r\nUSER tim\r\nPASS wrong horse\r\npass tanstaaftanstaaf\r\nDELE 1\r\nRSET\r\n");
  assert_transcript (transcript, "C: PASS ********", "tanstaaf");
  assert_transcript (transcript, "C: USER tim", "wrong horse");
}

/* Over an unencrypted connection PASS and a cleartext AUTH are not sent
 * unless plain text is allowed; APOP and CRAM-MD5 are. */
static void
test_console_plaintext_refused (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (MwPop3Reply) user = NULL;
  g_autoptr (MwPop3Reply) pass = NULL;
  g_autoptr (MwPop3Reply) plain = NULL;
  g_autoptr (MwPop3Reply) login = NULL;
  g_autoptr (MwPop3Reply) cram = NULL;

  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "-ERR no CAPA\r\n");
  mw_fake_server_expect (server, "USER tim");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_expect (server, "AUTH CRAM-MD5");
  mw_fake_server_send (server, "-ERR not today\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = bare_client (server, MW_SECURITY_NONE, NULL);
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);

  user = do_command (client, "USER tim", &error);
  g_assert_no_error (error);
  pass = do_command (client, "PASS tanstaaftanstaaf", &error);
  g_assert_null (pass);
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_PLAINTEXT_REFUSED);
  g_assert_null (strstr (error->message, "tanstaaf"));
  g_clear_error (&error);
  plain = do_command (client, "AUTH PLAIN " PLAIN_RESPONSE, &error);
  g_assert_null (plain);
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_PLAINTEXT_REFUSED);
  g_clear_error (&error);
  login = do_command (client, "auth login", &error);
  g_assert_null (login);
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_PLAINTEXT_REFUSED);
  g_clear_error (&error);
  g_assert_cmpint (mw_pop3_client_get_state (client), ==, MW_POP3_STATE_AUTHORIZATION);

  cram = do_command (client, "AUTH CRAM-MD5", &error);
  g_assert_no_error (error);
  g_assert_false (cram->ok);
  g_assert_false (mw_pop3_client_get_expects_sasl_response (client));

  mw_pop3_client_close (client);
  assert_received (server, "CAPA\r\nUSER tim\r\nAUTH CRAM-MD5\r\n");
}

/* The same session with plain text allowed sends PASS. */
static void
test_console_plaintext_allowed (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (MwPop3Reply) pass = NULL;

  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "-ERR no CAPA\r\n");
  mw_fake_server_expect (server, "PASS tanstaaftanstaaf");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = bare_client (server, MW_SECURITY_NONE, NULL);
  mw_pop3_client_set_allow_plaintext (client, TRUE);
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  pass = do_command (client, "PASS tanstaaftanstaaf", &error);
  g_assert_no_error (error);
  g_assert_true (pass->ok);
  g_assert_cmpint (mw_pop3_client_get_state (client), ==, MW_POP3_STATE_TRANSACTION);

  mw_pop3_client_close (client);
  assert_received (server, "CAPA\r\nPASS tanstaaftanstaaf\r\n");
}

/* AUTH typed by hand: challenges come back as replies, the lines that
 * answer them and an initial response are redacted, "*" cancels. */
static void
test_console_auth (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_IMPLICIT, "server");
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (MwPop3Reply) initial = NULL;
  g_autoptr (MwPop3Reply) start = NULL;
  g_autoptr (MwPop3Reply) cancel = NULL;
  g_autoptr (MwPop3Reply) again = NULL;
  g_autoptr (MwPop3Reply) response = NULL;

  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nSASL PLAIN\r\n.\r\n");
  mw_fake_server_expect (server, "AUTH PLAIN AHRpbQB3cm9uZw==");
  mw_fake_server_send (server, "-ERR [AUTH] no\r\n");
  mw_fake_server_expect (server, "AUTH PLAIN");
  mw_fake_server_send (server, "+ \r\n");
  mw_fake_server_expect (server, "*");
  mw_fake_server_send (server, "-ERR cancelled\r\n");
  mw_fake_server_expect (server, "AUTH PLAIN");
  mw_fake_server_send (server, "+ \r\n");
  mw_fake_server_expect (server, PLAIN_RESPONSE);
  mw_fake_server_send (server, "+OK logged in\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = bare_client (server, MW_SECURITY_TLS, transcript);
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);

  initial = do_command (client, "AUTH PLAIN AHRpbQB3cm9uZw==", &error);
  g_assert_no_error (error);
  g_assert_false (initial->ok);
  g_assert_false (mw_pop3_client_get_expects_sasl_response (client));

  start = do_command (client, "AUTH PLAIN", &error);
  g_assert_no_error (error);
  g_assert_true (start->challenge);
  g_assert_true (mw_pop3_client_get_expects_sasl_response (client));
  cancel = do_command (client, "*", &error);
  g_assert_no_error (error);
  g_assert_false (cancel->ok);
  g_assert_false (mw_pop3_client_get_expects_sasl_response (client));
  g_assert_cmpint (mw_pop3_client_get_state (client), ==, MW_POP3_STATE_AUTHORIZATION);

  again = do_command (client, "AUTH PLAIN", &error);
  g_assert_no_error (error);
  g_assert_true (again->challenge);
  response = do_command (client, PLAIN_RESPONSE, &error);
  g_assert_no_error (error);
  g_assert_true (response->ok);
  g_assert_false (mw_pop3_client_get_expects_sasl_response (client));
  g_assert_cmpint (mw_pop3_client_get_state (client), ==, MW_POP3_STATE_TRANSACTION);
  g_assert_cmpstr (mw_pop3_client_get_mechanism_used (client), ==, "PLAIN");

  mw_pop3_client_close (client);
  assert_received (server, "CAPA\r\nAUTH PLAIN AHRpbQB3cm9uZw==\r\nAUTH PLAIN\r\n*\r\nAUTH PLAIN\r\n" PLAIN_RESPONSE "\r\n");
  assert_transcript (transcript, "C: AUTH PLAIN ********", PLAIN_RESPONSE);
  assert_transcript (transcript, "C: ********", "AHRpbQB3cm9uZw");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/pop3/authorization/connect", test_connect_without_login);
  g_test_add_func ("/core/pop3/authorization/login-then-capa", test_login_after_connect);
  g_test_add_func ("/core/pop3/authorization/console-user-pass", test_console_user_pass);
  g_test_add_func ("/core/pop3/authorization/console-plaintext-refused", test_console_plaintext_refused);
  g_test_add_func ("/core/pop3/authorization/console-plaintext-allowed", test_console_plaintext_allowed);
  g_test_add_func ("/core/pop3/authorization/console-auth", test_console_auth);

  return g_test_run ();
}
