/* test-pop3-roundtrip.c: the POP3 client against the embedded server
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <utime.h>

#include "mw-fake-server.h"
#include "mw-mail-server.h"
#include "mw-message-summary.h"
#include "mw-pop3-client.h"

#define WAIT_MS  30000
#define USER     "tim"
#define PASSWORD "correct horse battery staple"

typedef struct
{
  char         *maildir;
  MwMailServer *server;
} Fixture;

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

static char *
message_text (guint i)
{
  return g_strdup_printf ("From: Sender %u <s%u@example.org>\r\n"
                          "To: tim@example.org\r\n"
                          "Subject: Round trip %u\r\n"
                          "Date: Mon, 23 Nov 2026 10:%02u:00 +0000\r\n"
                          "Message-ID: <%u@example.org>\r\n"
                          "\r\n"
                          "Body of message %u.\r\n"
                          ".A line that starts with a dot.\r\n",
                          i, i, i, i % 60, i, i);
}

static void
put_messages (Fixture *f,
              guint    count)
{
  g_autofree char *dir = g_build_filename (f->maildir, "new", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint i = 1; i <= count; i++)
    {
      g_autofree char *name = g_strdup_printf ("%010u.M%uP1.localhost", 1700000000 + i, i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *text = message_text (i);
      struct utimbuf   times = { 1700000000 + i, 1700000000 + i };
      g_autoptr (GError) error = NULL;

      g_file_set_contents (path, text, -1, &error);
      g_assert_no_error (error);
      g_assert_cmpint (g_utime (path, &times), ==, 0);
    }
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autofree char *cert = mw_test_cert_path ("server.pem");
  g_autofree char *key = mw_test_cert_path ("server-key.pem");
  g_autoptr (GTlsCertificate) certificate = NULL;
  g_autoptr (GError) error = NULL;

  f->maildir = g_build_filename (g_get_user_data_dir (), "Maildir", NULL);
  put_messages (f, GPOINTER_TO_UINT (data));

  f->server = mw_mail_server_new (f->maildir);
  mw_mail_server_add_user (f->server, USER, PASSWORD);
  mw_mail_server_set_auth_failure_delay (f->server, 10);
  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  mw_mail_server_set_certificate (f->server, certificate);
  g_assert_true (mw_mail_server_start (f->server, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  mw_mail_server_stop (f->server);
  g_assert_finalize_object (f->server);
  g_free (f->maildir);
}

static MwPop3Client *
client_new (Fixture      *f,
            MwSecurity    security,
            MwTranscript *transcript)
{
  g_autofree char *ca = mw_test_cert_path ("ca.pem");
  guint16          port = security == MW_SECURITY_TLS ? mw_mail_server_get_pop3s_port (f->server)
                                                      : mw_mail_server_get_pop3_port (f->server);
  MwPop3Client    *client = mw_pop3_client_new ("127.0.0.1", port, security, transcript);

  mw_pop3_client_set_user (client, USER);
  mw_pop3_client_set_password (client, PASSWORD);
  mw_pop3_client_set_ca_file (client, ca);
  mw_pop3_client_set_server_identity (client, "localhost");
  mw_pop3_client_set_timeout (client, 30);
  return client;
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

static void
test_stls_round_trip (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwPop3Client) client = client_new (f, MW_SECURITY_STARTTLS, transcript);
  g_autoptr (MwPop3Client) second = NULL;
  g_autoptr (GPtrArray) summaries = NULL;
  g_autoptr (GPtrArray) after = NULL;
  g_autoptr (GOutputStream) sink = g_memory_output_stream_new_resizable ();
  g_autoptr (GError) error = NULL;
  g_autofree char *expected = message_text (2);
  g_autofree char *text = NULL;
  g_autofree char *deleted_uid = NULL;
  g_autofree char *log = NULL;
  Wait             wait = { 0 };
  gboolean         committed = FALSE;

  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (mw_connection_is_tls (mw_pop3_client_get_connection (client)));
  g_assert_true (mw_pop3_client_get_capabilities (client) & MW_POP3_CAPABILITY_PIPELINING);
  g_assert_false (mw_pop3_client_get_capabilities (client) & MW_POP3_CAPABILITY_STLS);
  g_assert_true (mw_pop3_client_is_pipelining (client));

  summaries = do_previews (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summaries->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      MwMessageSummary *summary = g_ptr_array_index (summaries, i);
      g_autofree char  *subject = g_strdup_printf ("Round trip %u", i + 1);

      g_assert_cmpstr (mw_message_summary_get_subject (summary), ==, subject);
      g_assert_nonnull (mw_message_summary_get_uid (summary));
      g_assert_cmpuint (mw_message_summary_get_flags (summary), ==, MW_MESSAGE_FLAG_NONE);
    }
  deleted_uid = g_strdup (mw_message_summary_get_uid (g_ptr_array_index (summaries, 0)));

  /* RETR gives back the stored message, dots and all. */
  mw_pop3_client_retr_async (client, 2, sink, NULL, wait_cb, &wait);
  g_assert_true (mw_pop3_client_retr_finish (client, wait_result (&wait), NULL, &error));
  g_assert_no_error (error);
  wait_clear (&wait);
  g_output_stream_close (sink, NULL, NULL);
  text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (sink)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (sink)));
  g_assert_cmpstr (text, ==, expected);

  mw_pop3_client_dele_async (client, 1, NULL, wait_cb, &wait);
  g_assert_true (mw_pop3_client_dele_finish (client, wait_result (&wait), &error));
  g_assert_no_error (error);
  wait_clear (&wait);

  g_assert_true (do_quit (client, &committed, &error));
  g_assert_no_error (error);
  g_assert_true (committed);

  log = mw_transcript_to_text (transcript);
  g_assert_null (strstr (log, PASSWORD));

  /* A second session sees the deletion. */
  second = client_new (f, MW_SECURITY_STARTTLS, NULL);
  g_assert_true (do_connect (second, &error));
  g_assert_no_error (error);
  after = do_previews (second, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (after->len, ==, 2);
  for (guint i = 0; i < after->len; i++)
    g_assert_cmpstr (mw_message_summary_get_uid (g_ptr_array_index (after, i)), !=, deleted_uid);
  g_assert_cmpstr (mw_message_summary_get_subject (g_ptr_array_index (after, 0)), ==, "Round trip 2");
  g_assert_true (do_quit (second, NULL, NULL));
}

static void
test_implicit_tls_plain (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr (MwPop3Client) client = client_new (f, MW_SECURITY_TLS, NULL);
  g_autoptr (GError) error = NULL;

  mw_pop3_client_set_auth_mechanism (client, "PLAIN");
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (mw_pop3_client_get_mechanism_used (client), ==, "PLAIN");
  g_assert_true (do_quit (client, NULL, NULL));
}

static void
test_user_pass (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (MwPop3Client) client = client_new (f, MW_SECURITY_TLS, NULL);
  g_autoptr (GError) error = NULL;

  mw_pop3_client_set_auth_mechanism (client, "USER");
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (mw_pop3_client_get_mechanism_used (client), ==, "USER");
  g_assert_true (do_quit (client, NULL, NULL));
}

static void
test_plaintext (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (MwPop3Client) client = client_new (f, MW_SECURITY_NONE, NULL);
  g_autoptr (MwPop3Client) apop = client_new (f, MW_SECURITY_NONE, NULL);
  g_autoptr (GError) error = NULL;

  /* USER/PASS in clear is refused by the client itself... */
  mw_pop3_client_set_auth_mechanism (client, "USER");
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_PLAINTEXT_REFUSED);
  g_clear_error (&error);

  /* ...while the automatic choice finds APOP, which sends no password. */
  g_assert_true (do_connect (apop, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (mw_pop3_client_get_mechanism_used (apop), ==, "APOP");
  g_assert_true (do_quit (apop, NULL, NULL));
}

static void
test_wrong_password (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (MwPop3Client) client = client_new (f, MW_SECURITY_TLS, NULL);
  g_autoptr (GError) error = NULL;

  mw_pop3_client_set_password (client, "wrong");
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "Authentication failed"));
}

static void
test_in_use (Fixture      *f,
             gconstpointer data)
{
  g_autoptr (MwPop3Client) first = client_new (f, MW_SECURITY_TLS, NULL);
  g_autoptr (MwPop3Client) second = client_new (f, MW_SECURITY_TLS, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (do_connect (first, &error));
  g_assert_false (do_connect (second, &error));
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_IN_USE);
  g_assert_true (do_quit (first, NULL, NULL));
}

static void
test_many_previews (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (MwPop3Client) client = client_new (f, MW_SECURITY_TLS, NULL);
  g_autoptr (MwPop3Client) serial = client_new (f, MW_SECURITY_TLS, NULL);
  g_autoptr (GPtrArray) summaries = NULL;
  g_autoptr (GPtrArray) again = NULL;
  g_autoptr (GError) error = NULL;
  guint count = GPOINTER_TO_UINT (data);

  g_assert_true (do_connect (client, &error));
  summaries = do_previews (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summaries->len, ==, count);
  g_assert_cmpstr (mw_message_summary_get_subject (g_ptr_array_index (summaries, count - 1)), ==,
                   "Round trip 500");
  g_assert_true (do_quit (client, NULL, NULL));

  /* One at a time gives the same rows. */
  mw_pop3_client_set_pipelining (serial, MW_POP3_PIPELINING_NEVER);
  g_assert_true (do_connect (serial, &error));
  again = do_previews (serial, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, count);
  for (guint i = 0; i < count; i++)
    g_assert_cmpstr (mw_message_summary_get_uid (g_ptr_array_index (summaries, i)), ==,
                     mw_message_summary_get_uid (g_ptr_array_index (again, i)));
  g_assert_true (do_quit (serial, NULL, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, count, func) \
  g_test_add (path, Fixture, GUINT_TO_POINTER (count), fixture_set_up, func, fixture_tear_down)

  ADD ("/core/pop3/roundtrip/stls", 3, test_stls_round_trip);
  ADD ("/core/pop3/roundtrip/implicit-tls-plain", 1, test_implicit_tls_plain);
  ADD ("/core/pop3/roundtrip/user-pass", 1, test_user_pass);
  ADD ("/core/pop3/roundtrip/plaintext", 1, test_plaintext);
  ADD ("/core/pop3/roundtrip/wrong-password", 1, test_wrong_password);
  ADD ("/core/pop3/roundtrip/in-use", 1, test_in_use);
  ADD ("/core/pop3/roundtrip/many-previews", 500, test_many_previews);

#undef ADD

  return g_test_run ();
}
