/* test-smtp-real.c: the SMTP client against a real Postfix and Dovecot
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run by test-smtp-real.sh, which starts tests/lib/mail-servers and
 * exports its DIR/env. Messages go in through Postfix submission and are
 * read back from Dovecot over POP3S.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mw-connection.h"
#include "mw-smtp-client.h"

#define WAIT_MS 30000

static const char *
env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || *value == '\0')
    g_error ("%s is not set: run this through test-smtp-real.sh", name);
  return value;
}

static guint16
env_port (const char *name)
{
  return (guint16) g_ascii_strtoull (env (name), NULL, 10);
}

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

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static GAsyncResult *
wait_result (Wait *wait)
{
  gboolean timed_out = FALSE;
  guint    id = g_timeout_add (WAIT_MS, timeout_cb, &timed_out);

  while (!wait->done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);
  return wait->result;
}

static MwSmtpClient *
client_new (gboolean      implicit_tls,
            MwSecurity    security,
            MwTranscript *transcript)
{
  MwSmtpClient *client;

  client = mw_smtp_client_new (env ("HOST"),
                               env_port (implicit_tls ? "SUBMISSIONS_PORT" : "SUBMISSION_PORT"),
                               security, transcript);
  mw_smtp_client_set_ca_file (client, env ("CA_FILE"));
  mw_smtp_client_set_server_identity (client, env ("TLS_SERVER_NAME"));
  mw_smtp_client_set_user (client, env ("USER1"));
  mw_smtp_client_set_password (client, env ("PASS1"));
  mw_smtp_client_set_timeout (client, 20);
  return client;
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
do_send (MwSmtpClient      *client,
         const char *const *recipients,
         const char        *message,
         MwSmtpSendFlags    flags,
         MwSmtpSendResult **out_result,
         GError           **error)
{
  Wait wait = { 0 };
  g_autoptr (GInputStream) stream = g_memory_input_stream_new_from_data (message, -1, NULL);
  gboolean ok;

  mw_smtp_client_send_async (client, env ("ADDR1"), recipients, stream,
                             (gint64) strlen (message), flags, NULL, NULL, wait_cb, &wait);
  ok = mw_smtp_client_send_finish (client, wait_result (&wait), out_result, error);
  g_object_unref (wait.result);
  return ok;
}

static void
do_quit (MwSmtpClient *client)
{
  Wait wait = { 0 };
  g_autoptr (GError) error = NULL;

  mw_smtp_client_quit_async (client, NULL, wait_cb, &wait);
  g_assert_true (mw_smtp_client_quit_finish (client, wait_result (&wait), &error));
  g_assert_no_error (error);
  g_object_unref (wait.result);
}

/* POP3S read-back. */

static char *
pop3_exchange (MwConnection *connection,
               const char   *command)
{
  Wait wait = { 0 };
  g_autoptr (GError) error = NULL;
  char *line;

  if (command != NULL)
    {
      mw_connection_queue_line (connection, command, NULL);
      mw_connection_flush_async (connection, NULL, wait_cb, &wait);
      mw_connection_flush_finish (connection, wait_result (&wait), &error);
      g_clear_object (&wait.result);
      g_assert_no_error (error);
      wait = (Wait){ 0 };
    }
  mw_connection_read_line_async (connection, NULL, wait_cb, &wait);
  line = mw_connection_read_line_finish (connection, wait_result (&wait), NULL, &error);
  g_object_unref (wait.result);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "+OK"));
  return line;
}

/* Whether a message with @subject is in USER2's maildrop; its text. */
static char *
pop3_find (const char *subject)
{
  g_autoptr (MwConnection) connection = mw_connection_new (env ("HOST"), env_port ("POP3S_PORT"), NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *user = g_strdup_printf ("USER %s", env ("USER2"));
  g_autofree char *pass = g_strdup_printf ("PASS %s", env ("PASS2"));
  g_autofree char *stat = NULL;
  g_autofree char *needle = g_strdup_printf ("\r\nSubject: %s\r\n", subject);
  char            *found = NULL;
  Wait             wait = { 0 };
  guint            count = 0;

  g_assert_true (mw_connection_set_ca_file (connection, env ("CA_FILE"), &error));
  mw_connection_set_server_identity (connection, env ("TLS_SERVER_NAME"));
  mw_connection_connect_async (connection, TRUE, NULL, wait_cb, &wait);
  mw_connection_connect_finish (connection, wait_result (&wait), &error);
  g_clear_object (&wait.result);
  g_assert_no_error (error);

  g_free (pop3_exchange (connection, NULL));
  g_free (pop3_exchange (connection, user));
  g_free (pop3_exchange (connection, pass));
  stat = pop3_exchange (connection, "STAT");
  g_assert_cmpint (sscanf (stat, "+OK %u", &count), ==, 1);

  for (guint i = 1; i <= count && found == NULL; i++)
    {
      g_autofree char *retr = g_strdup_printf ("RETR %u", i);
      g_autoptr (GOutputStream) sink = g_memory_output_stream_new_resizable ();
      g_autoptr (GBytes) bytes = NULL;

      g_free (pop3_exchange (connection, retr));
      wait = (Wait){ 0 };
      mw_connection_read_body_async (connection, sink, 0, NULL, wait_cb, &wait);
      mw_connection_read_body_finish (connection, wait_result (&wait), NULL, &error);
      g_clear_object (&wait.result);
      g_assert_no_error (error);
      g_output_stream_write_all (sink, "", 1, NULL, NULL, NULL);
      g_output_stream_close (sink, NULL, NULL);
      bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (sink));
      if (strstr (g_bytes_get_data (bytes, NULL), needle) != NULL)
        found = g_strdup (g_bytes_get_data (bytes, NULL));
    }

  g_free (pop3_exchange (connection, "QUIT"));
  return found;
}

/* Polls until Postfix has handed the message to Dovecot. */
static char *
wait_for_delivery (const char *subject)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  for (;;)
    {
      char *found = pop3_find (subject);

      if (found != NULL)
        return found;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (200 * 1000);
    }
}

/* Tests. */

static void
test_capabilities (void)
{
  g_autoptr (MwSmtpClient) client = client_new (FALSE, MW_SECURITY_STARTTLS, NULL);
  g_autoptr (GError) error = NULL;
  const MwSmtpCapabilities *caps;
  g_autofree char          *offered = NULL;

  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (mw_connection_is_tls (mw_smtp_client_get_connection (client)));
  g_assert_true (mw_smtp_client_is_authenticated (client));

  caps = mw_smtp_client_get_capabilities (client);
  g_assert_true (caps->flags & MW_SMTP_CAP_PIPELINING);
  g_assert_true (caps->flags & MW_SMTP_CAP_CHUNKING);
  g_assert_true (caps->flags & MW_SMTP_CAP_ENHANCEDSTATUSCODES);
  g_assert_true (caps->flags & MW_SMTP_CAP_SIZE);
  g_assert_cmpuint (caps->size, >, 0);
  /* After TLS, STARTTLS is no longer offered. */
  g_assert_false (caps->flags & MW_SMTP_CAP_STARTTLS);
  offered = g_strjoinv (" ", caps->auth);
  g_test_message ("AUTH offered after STARTTLS: %s; used %s",
                  offered, mw_smtp_client_get_auth_mechanism_used (client));
  do_quit (client);
}

static void
test_auth_mechanism (gconstpointer data)
{
  const char *mechanism = data;
  g_autoptr (MwSmtpClient) client = client_new (TRUE, MW_SECURITY_TLS, NULL);
  g_autoptr (GError) error = NULL;

  mw_smtp_client_set_auth_mechanism (client, mechanism);

  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (mw_smtp_client_get_auth_mechanism_used (client), ==, mechanism);
  do_quit (client);
}

static void
test_wrong_password (void)
{
  g_autoptr (MwSmtpClient) client = client_new (FALSE, MW_SECURITY_STARTTLS, NULL);
  g_autoptr (GError) error = NULL;

  mw_smtp_client_set_password (client, "not the password");
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "535 5.7.8"));
}

static void
test_no_auth_before_tls (void)
{
  g_autoptr (MwSmtpClient) client = client_new (FALSE, MW_SECURITY_NONE, NULL);
  g_autoptr (GError) error = NULL;

  /* Postfix offers AUTH only after STARTTLS. */
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_AUTH_UNAVAILABLE);
}

static void
test_mail_needs_tls (void)
{
  g_autoptr (MwSmtpClient) client = client_new (FALSE, MW_SECURITY_NONE, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSmtpSendResult) result = NULL;
  const char *recipients[] = { env ("ADDR2"), NULL };

  mw_smtp_client_set_password (client, NULL);
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_false (do_send (client, recipients, "Subject: x\r\n\r\nx\r\n", 0, &result, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_SENDER_REFUSED);
  g_assert_nonnull (strstr (error->message, "STARTTLS"));
  g_assert_cmpint (mw_smtp_send_result_get_mail_reply (result)->code, ==, 530);
  do_quit (client);
}

typedef struct
{
  MwSmtpPipelining pipelining;
  MwSmtpChunking   chunking;
} Mode;

static const Mode modes[] = {
  { MW_SMTP_PIPELINING_AUTO, MW_SMTP_CHUNKING_AUTO },
  { MW_SMTP_PIPELINING_AUTO, MW_SMTP_CHUNKING_NEVER },
  { MW_SMTP_PIPELINING_NEVER, MW_SMTP_CHUNKING_NEVER },
};

static void
test_send (gconstpointer data)
{
  const Mode *mode = data;
  g_autoptr (MwSmtpClient) client = client_new (FALSE, MW_SECURITY_STARTTLS, NULL);
  g_autoptr (MwSmtpSendResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *subject = g_strdup_printf ("mailwire %d %d %" G_GINT64_FORMAT,
                                              mode->pipelining, mode->chunking, g_get_real_time ());
  g_autofree char *message = NULL;
  g_autofree char *delivered = NULL;
  const char      *recipients[] = { env ("ADDR2"), "someone@elsewhere.invalid", NULL };

  message = g_strdup_printf ("From: <%s>\nTo: <%s>\nSubject: %s\n\n"
                             "A line\n.\n..\n.dot first\nbare\rCR\nlast line without newline",
                             env ("ADDR1"), env ("ADDR2"), subject);

  mw_smtp_client_set_pipelining (client, mode->pipelining);
  mw_smtp_client_set_chunking (client, mode->chunking);
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);

  /* Postfix refuses to relay for the other domain; the local one gets it. */
  g_assert_true (do_send (client, recipients, message, MW_SMTP_SEND_TO_ACCEPTED_ONLY, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mw_smtp_send_result_get_n_accepted (result), ==, 1);
  {
    MwSmtpRecipient *refused = g_ptr_array_index (mw_smtp_send_result_get_recipients (result), 1);

    g_assert_false (refused->accepted);
    g_assert_cmpint (refused->reply->code, ==, 554);
    g_assert_cmpint (refused->reply->enhanced_class, ==, 5);
  }
  g_assert_cmpint (mw_smtp_send_result_get_final_reply (result)->code, ==, 250);
  g_assert_cmpstr (mw_smtp_send_result_get_final_reply (result)->enhanced, ==, "2.0.0");
  do_quit (client);

  delivered = wait_for_delivery (subject);
  g_assert_nonnull (strstr (delivered, "\r\nA line\r\n.\r\n..\r\n.dot first\r\nbare\r\nCR\r\nlast line without newline\r\n"));
}

static void
test_implicit_tls (void)
{
  g_autoptr (MwSmtpClient) client = client_new (TRUE, MW_SECURITY_TLS, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSmtpReply) reply = NULL;
  Wait wait = { 0 };

  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  mw_smtp_client_noop_async (client, NULL, wait_cb, &wait);
  g_assert_true (mw_smtp_client_simple_finish (client, wait_result (&wait), &error));
  g_clear_object (&wait.result);
  g_assert_no_error (error);

  wait = (Wait){ 0 };
  mw_smtp_client_vrfy_async (client, env ("ADDR2"), NULL, wait_cb, &wait);
  reply = mw_smtp_client_query_finish (client, wait_result (&wait), &error);
  g_clear_object (&wait.result);
  g_assert_no_error (error);
  g_assert_cmpint (reply->code / 100, >=, 2);
  do_quit (client);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/integration/smtp/capabilities", test_capabilities);
  g_test_add_data_func ("/integration/smtp/auth/plain", "PLAIN", test_auth_mechanism);
  g_test_add_data_func ("/integration/smtp/auth/login", "LOGIN", test_auth_mechanism);
  g_test_add_data_func ("/integration/smtp/auth/cram-md5", "CRAM-MD5", test_auth_mechanism);
  g_test_add_data_func ("/integration/smtp/auth/scram-sha-1", "SCRAM-SHA-1", test_auth_mechanism);
  g_test_add_data_func ("/integration/smtp/auth/scram-sha-256", "SCRAM-SHA-256", test_auth_mechanism);
  g_test_add_func ("/integration/smtp/auth/wrong-password", test_wrong_password);
  g_test_add_func ("/integration/smtp/auth/none-before-tls", test_no_auth_before_tls);
  g_test_add_func ("/integration/smtp/mail-needs-tls", test_mail_needs_tls);
  g_test_add_data_func ("/integration/smtp/send/pipelined-bdat", &modes[0], test_send);
  g_test_add_data_func ("/integration/smtp/send/pipelined-data", &modes[1], test_send);
  g_test_add_data_func ("/integration/smtp/send/one-at-a-time-data", &modes[2], test_send);
  g_test_add_func ("/integration/smtp/implicit-tls", test_implicit_tls);

  return g_test_run ();
}
