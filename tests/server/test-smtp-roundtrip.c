/* test-smtp-roundtrip.c: the SMTP client against the embedded server
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "mw-connection.h"
#include "mw-mail-server.h"
#include "mw-message-builder.h"
#include "mw-smtp-client.h"

#define USER     "alice"
#define PASSWORD "correct horse"
#define WAIT_MS  30000

static char *
cert_path (const char *name)
{
  return g_build_filename (TEST_CERTS_DIR, name, NULL);
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
  gboolean *timed_out = data;

  *timed_out = TRUE;
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

/* Fixture: a started server with a certificate, and a client for its
 * submission port with STARTTLS. */

typedef struct
{
  char         *maildir;
  MwMailServer *server;
  MwTranscript *transcript;
  MwSmtpClient *client;
} Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *cert = cert_path ("server.pem");
  g_autofree char *key = cert_path ("server-key.pem");
  g_autoptr (GTlsCertificate) certificate = g_tls_certificate_new_from_files (cert, key, &error);

  g_assert_no_error (error);
  f->maildir = g_build_filename (g_get_user_data_dir (), "Maildir", NULL);
  f->server = mw_mail_server_new (f->maildir);
  mw_mail_server_add_user (f->server, USER, PASSWORD);
  mw_mail_server_set_auth_failure_delay (f->server, 10);
  mw_mail_server_set_certificate (f->server, certificate);
  /* POP3 is read back in clear below; SMTP still uses STARTTLS. */
  mw_mail_server_set_allow_plaintext_auth (f->server, TRUE);
}

static void
start (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *ca = cert_path ("ca.pem");

  mw_mail_server_start (f->server, &error);
  g_assert_no_error (error);

  f->transcript = mw_transcript_new (0);
  f->client = mw_smtp_client_new ("127.0.0.1", mw_mail_server_get_smtp_port (f->server),
                                  MW_SECURITY_STARTTLS, f->transcript);
  mw_smtp_client_set_ca_file (f->client, ca);
  mw_smtp_client_set_server_identity (f->client, "localhost");
  mw_smtp_client_set_user (f->client, USER);
  mw_smtp_client_set_password (f->client, PASSWORD);
  mw_smtp_client_set_timeout (f->client, 20);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  if (f->client != NULL)
    {
      mw_smtp_client_close (f->client);
      g_assert_finalize_object (f->client);
    }
  g_clear_object (&f->transcript);
  mw_mail_server_stop (f->server);
  g_assert_finalize_object (f->server);
  g_free (f->maildir);
}

static void
do_connect (Fixture *f)
{
  Wait wait = { 0 };
  g_autoptr (GError) error = NULL;

  mw_smtp_client_connect_async (f->client, NULL, wait_cb, &wait);
  mw_smtp_client_connect_finish (f->client, wait_result (&wait), &error);
  g_object_unref (wait.result);
  g_assert_no_error (error);
  g_assert_true (mw_smtp_client_is_authenticated (f->client));
}

static gboolean
do_send (Fixture           *f,
         const char        *from,
         const char *const *recipients,
         GBytes            *message,
         MwSmtpSendFlags    flags,
         MwSmtpSendResult **out_result,
         GError           **error)
{
  Wait wait = { 0 };
  g_autoptr (GInputStream) stream = g_memory_input_stream_new_from_bytes (message);
  gboolean ok;

  mw_smtp_client_send_async (f->client, from, recipients, stream,
                             (gint64) g_bytes_get_size (message), flags, NULL,
                             NULL, wait_cb, &wait);
  ok = mw_smtp_client_send_finish (f->client, wait_result (&wait), out_result, error);
  g_object_unref (wait.result);
  return ok;
}

/* POP3 read-back over a bare connection. */

static char *
pop3_line (MwConnection *connection)
{
  Wait wait = { 0 };
  g_autoptr (GError) error = NULL;
  char *line;

  mw_connection_read_line_async (connection, NULL, wait_cb, &wait);
  line = mw_connection_read_line_finish (connection, wait_result (&wait), NULL, &error);
  g_object_unref (wait.result);
  g_assert_no_error (error);
  return line;
}

static char *
pop3_command (MwConnection *connection,
              const char   *command)
{
  Wait wait = { 0 };
  g_autoptr (GError) error = NULL;
  char *line;

  mw_connection_queue_line (connection, command, NULL);
  mw_connection_flush_async (connection, NULL, wait_cb, &wait);
  mw_connection_flush_finish (connection, wait_result (&wait), &error);
  g_object_unref (wait.result);
  g_assert_no_error (error);

  line = pop3_line (connection);
  g_assert_true (g_str_has_prefix (line, "+OK"));
  return line;
}

/* Returns every message in the maildrop, in order. */
static GPtrArray *
pop3_retrieve_all (Fixture *f)
{
  g_autoptr (MwConnection) connection = mw_connection_new ("127.0.0.1", mw_mail_server_get_pop3_port (f->server), NULL);
  g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (GError) error = NULL;
  g_autofree char *stat = NULL;
  Wait             wait = { 0 };
  guint            count = 0;

  mw_connection_connect_async (connection, FALSE, NULL, wait_cb, &wait);
  mw_connection_connect_finish (connection, wait_result (&wait), &error);
  g_clear_object (&wait.result);
  g_assert_no_error (error);

  g_free (pop3_line (connection));
  g_free (pop3_command (connection, "USER " USER));
  g_free (pop3_command (connection, "PASS " PASSWORD));
  stat = pop3_command (connection, "STAT");
  g_assert_cmpint (sscanf (stat, "+OK %u", &count), ==, 1);

  for (guint i = 1; i <= count; i++)
    {
      g_autofree char *retr = g_strdup_printf ("RETR %u", i);
      g_autoptr (GOutputStream) sink = g_memory_output_stream_new_resizable ();

      g_free (pop3_command (connection, retr));
      wait = (Wait){ 0 };
      mw_connection_read_body_async (connection, sink, 0, NULL, wait_cb, &wait);
      mw_connection_read_body_finish (connection, wait_result (&wait), NULL, &error);
      g_clear_object (&wait.result);
      g_assert_no_error (error);
      g_output_stream_close (sink, NULL, NULL);
      g_ptr_array_add (messages, g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (sink)));
    }

  g_free (pop3_command (connection, "QUIT"));
  return g_steal_pointer (&messages);
}

static gboolean
bytes_has_suffix (GBytes *bytes,
                  GBytes *suffix)
{
  size_t        len, suffix_len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  const guint8 *suffix_data = g_bytes_get_data (suffix, &suffix_len);

  return len >= suffix_len && memcmp (data + len - suffix_len, suffix_data, suffix_len) == 0;
}

static GBytes *
build_message (const char *body,
               GStrv      *out_recipients)
{
  g_autoptr (MwMessageBuilder) builder = mw_message_builder_new ();
  g_autoptr (GError) error = NULL;
  GBytes *message;

  mw_message_builder_set_from (builder, "Alice", "alice@example.org");
  mw_message_builder_add_to (builder, "Bob", "bob@example.net");
  mw_message_builder_add_cc (builder, NULL, "carol@example.net");
  mw_message_builder_add_bcc (builder, "Dave", "dave@example.net");
  mw_message_builder_set_subject (builder, "Round trip");
  mw_message_builder_set_body_text (builder, body);
  message = mw_message_builder_build (builder, &error);
  g_assert_no_error (error);
  *out_recipients = mw_message_builder_get_envelope_recipients (builder);
  return message;
}

/* Modes: pipelining and chunking on or off. */
typedef struct
{
  MwSmtpPipelining pipelining;
  MwSmtpChunking   chunking;
} Mode;

static const Mode modes[] = {
  { MW_SMTP_PIPELINING_AUTO, MW_SMTP_CHUNKING_AUTO },
  { MW_SMTP_PIPELINING_AUTO, MW_SMTP_CHUNKING_NEVER },
  { MW_SMTP_PIPELINING_NEVER, MW_SMTP_CHUNKING_AUTO },
  { MW_SMTP_PIPELINING_NEVER, MW_SMTP_CHUNKING_NEVER },
};

static void
test_send_and_retrieve (Fixture      *f,
                        gconstpointer data)
{
  const Mode *mode = data;
  g_autoptr (GBytes) message = NULL;
  g_autoptr (MwSmtpSendResult) result = NULL;
  g_autoptr (GPtrArray) messages = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) recipients = NULL;
  g_autofree char *text = NULL;
  const char      *retrieved;

  start (f);
  mw_smtp_client_set_pipelining (f->client, mode->pipelining);
  mw_smtp_client_set_chunking (f->client, mode->chunking);
  do_connect (f);

  message = build_message ("Hello Bob,\n.\n..\n.starts with a dot\nbare\rCR\n\nAlice\n", &recipients);
  g_assert_cmpuint (g_strv_length (recipients), ==, 3);
  g_assert_true (do_send (f, "alice@example.org", (const char *const *) recipients, message, 0, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mw_smtp_send_result_get_n_accepted (result), ==, 3);
  g_assert_cmpint (mw_smtp_send_result_get_final_reply (result)->code, ==, 250);
  g_assert_cmpint (mw_smtp_send_result_get_used_pipelining (result), ==, mode->pipelining == MW_SMTP_PIPELINING_AUTO);
  g_assert_cmpint (mw_smtp_send_result_get_used_chunking (result), ==, mode->chunking == MW_SMTP_CHUNKING_AUTO);

  /* The server delivers one copy per accepted recipient into the same
   * maildrop; each is the message as built, after the server's trace
   * headers, with no Bcc. */
  messages = pop3_retrieve_all (f);
  g_assert_cmpuint (messages->len, >=, 1);
  for (guint i = 0; i < messages->len; i++)
    {
      GBytes *got = g_ptr_array_index (messages, i);

      g_assert_true (bytes_has_suffix (got, message));
      retrieved = g_bytes_get_data (got, NULL);
      g_assert_null (g_strstr_len (retrieved, (gssize) g_bytes_get_size (got), "dave@example.net"));
    }

  text = mw_transcript_to_text (f->transcript);
  g_assert_nonnull (strstr (text, "C: AUTH PLAIN ****"));
  g_assert_null (strstr (text, "Hello Bob"));
}

static void
test_refused_recipient (Fixture      *f,
                        gconstpointer data)
{
  const char *const recipients[] = { "bob@example.net", "nobody@example.net", NULL };
  g_autoptr (GBytes) message = g_bytes_new_static ("Subject: x\r\n\r\nx\r\n", 17);
  g_autoptr (MwSmtpSendResult) result = NULL;
  g_autoptr (GPtrArray) messages = NULL;
  g_autoptr (GError) error = NULL;
  MwSmtpRecipient *refused;

  mw_mail_server_set_refused_recipient (f->server, "nobody@example.net",
                                        "550 5.1.1 <nobody@example.net>: User unknown");
  start (f);
  do_connect (f);

  /* All or nothing: nothing is delivered. */
  g_assert_false (do_send (f, "alice@example.org", recipients, message, 0, &result, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_RECIPIENTS_REFUSED);
  g_clear_error (&error);
  g_clear_object (&result);

  /* To the accepted ones only. */
  g_assert_true (do_send (f, "alice@example.org", recipients, message,
                          MW_SMTP_SEND_TO_ACCEPTED_ONLY, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mw_smtp_send_result_get_n_accepted (result), ==, 1);
  refused = g_ptr_array_index (mw_smtp_send_result_get_recipients (result), 1);
  g_assert_false (refused->accepted);
  g_assert_cmpint (refused->reply->code, ==, 550);
  g_assert_cmpstr (refused->reply->enhanced, ==, "5.1.1");

  messages = pop3_retrieve_all (f);
  g_assert_cmpuint (messages->len, ==, 1);
}

static void
test_size_limit (Fixture      *f,
                 gconstpointer data)
{
  const char *const recipients[] = { "bob@example.net", NULL };
  g_autofree char  *big = g_strnfill (4000, 'x');
  g_autofree char  *text = g_strdup_printf ("Subject: big\r\n\r\n%s\r\n", big);
  g_autoptr (GBytes) message = g_bytes_new (text, strlen (text));
  g_autoptr (GError) error = NULL;

  mw_mail_server_set_max_message_size (f->server, 1000);
  start (f);
  do_connect (f);
  g_assert_cmpuint (mw_smtp_client_get_capabilities (f->client)->size, ==, 1000);
  g_assert_false (do_send (f, "alice@example.org", recipients, message, 0, NULL, &error));
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_MESSAGE_TOO_LARGE);
  g_assert_true (mw_smtp_client_is_connected (f->client));
}

static void
test_wrong_password (Fixture      *f,
                     gconstpointer data)
{
  Wait wait = { 0 };
  g_autoptr (GError) error = NULL;

  start (f);
  mw_smtp_client_set_password (f->client, "wrong");
  mw_smtp_client_connect_async (f->client, NULL, wait_cb, &wait);
  g_assert_false (mw_smtp_client_connect_finish (f->client, wait_result (&wait), &error));
  g_object_unref (wait.result);
  g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "535"));
}

static void
test_large_message (Fixture      *f,
                    gconstpointer data)
{
  const Mode       *mode = data;
  const char *const recipients[] = { "bob@example.net", NULL };
  g_autoptr (GString) text = g_string_new ("Subject: large\n\n");
  g_autoptr (GBytes) message = NULL;
  g_autoptr (MwSmtpSendResult) result = NULL;
  g_autoptr (GPtrArray) messages = NULL;
  g_autoptr (GError) error = NULL;
  guint line = 0;

  /* 3 MB with bare LFs and leading dots: more than one BDAT chunk and
   * many DATA writes. */
  while (text->len < 3 * 1024 * 1024)
    {
      g_string_append_printf (text, "%sline %u of a large message, with some padding text\n",
                              line % 7 == 0 ? "." : "", line);
      line++;
    }
  message = g_bytes_new (text->str, text->len);

  start (f);
  mw_smtp_client_set_chunking (f->client, mode->chunking);
  do_connect (f);
  g_assert_true (do_send (f, "alice@example.org", recipients, message, 0, &result, &error));
  g_assert_no_error (error);

  messages = pop3_retrieve_all (f);
  g_assert_cmpuint (messages->len, ==, 1);
  {
    g_autoptr (GString) crlf = g_string_sized_new (text->len + line + 2);
    g_autoptr (GBytes) expected = NULL;

    /* What arrives is the message with CRLF line ends. */
    for (size_t k = 0; k < text->len; k++)
      {
        if (text->str[k] == '\n')
          g_string_append_c (crlf, '\r');
        g_string_append_c (crlf, text->str[k]);
      }
    expected = g_bytes_new (crlf->str, crlf->len);
    g_assert_true (bytes_has_suffix (g_ptr_array_index (messages, 0), expected));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("/server/smtp-roundtrip/send/pipelined-bdat", test_send_and_retrieve, &modes[0]);
  ADD ("/server/smtp-roundtrip/send/pipelined-data", test_send_and_retrieve, &modes[1]);
  ADD ("/server/smtp-roundtrip/send/one-at-a-time-bdat", test_send_and_retrieve, &modes[2]);
  ADD ("/server/smtp-roundtrip/send/one-at-a-time-data", test_send_and_retrieve, &modes[3]);
  ADD ("/server/smtp-roundtrip/refused-recipient", test_refused_recipient, NULL);
  ADD ("/server/smtp-roundtrip/size-limit", test_size_limit, NULL);
  ADD ("/server/smtp-roundtrip/wrong-password", test_wrong_password, NULL);
  ADD ("/server/smtp-roundtrip/large/bdat", test_large_message, &modes[0]);
  ADD ("/server/smtp-roundtrip/large/data", test_large_message, &modes[1]);

#undef ADD

  return g_test_run ();
}
