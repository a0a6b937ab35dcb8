/* test-error-text.c: server refusals in the server's words and plain ones
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "app-test-utils.h"
#include "mw-error-text.h"
#include "mw-mail-server.h"
#include "mw-pop3-client.h"
#include "mw-smtp-client.h"

#include <gtk/gtk.h>
#include <string.h>

static void
test_reply_protocol (void)
{
  MwReplyProtocol protocol = MW_REPLY_PROTOCOL_POP3;

  g_assert_true (mw_error_text_reply_protocol ("550 5.1.1 no such user", &protocol));
  g_assert_cmpint (protocol, ==, MW_REPLY_PROTOCOL_SMTP);
  g_assert_true (mw_error_text_reply_protocol ("250-PIPELINING", &protocol));
  g_assert_cmpint (protocol, ==, MW_REPLY_PROTOCOL_SMTP);
  g_assert_true (mw_error_text_reply_protocol ("-ERR [IN-USE] locked", &protocol));
  g_assert_cmpint (protocol, ==, MW_REPLY_PROTOCOL_POP3);
  g_assert_true (mw_error_text_reply_protocol ("+OK 2 320", &protocol));
  g_assert_cmpint (protocol, ==, MW_REPLY_PROTOCOL_POP3);
  g_assert_false (mw_error_text_reply_protocol ("Connected to 127.0.0.1", NULL));
  g_assert_false (mw_error_text_reply_protocol ("25 lines", NULL));
  g_assert_false (mw_error_text_reply_protocol ("2500 bytes", NULL));
}

static void
test_quoted (void)
{
  g_autoptr (GError) pop3 = g_error_new_literal (MW_POP3_ERROR, MW_POP3_ERROR_IN_USE,
                                                 "RETR: another program is connected (the server said “-ERR [IN-USE] locked”)");
  g_autoptr (GError) smtp = g_error_new_literal (MW_SMTP_ERROR, MW_SMTP_ERROR_RECIPIENTS_REFUSED,
                                                 "RCPT: the server answered “550 5.1.1 <bob@example.org>: no such user”");
  g_autoptr (GError) io = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "the server said “-ERR no”");
  g_autoptr (MwReplyExplanation) in_use = mw_reply_explain (MW_REPLY_PROTOCOL_POP3, "-ERR [IN-USE] locked");
  g_autoptr (MwReplyExplanation) refused = mw_reply_explain (MW_REPLY_PROTOCOL_SMTP, "550 5.1.1 <bob@example.org>: no such user");
  g_autofree char *reply = NULL;
  g_autofree char *text = NULL;
  MwReplyProtocol  protocol = MW_REPLY_PROTOCOL_SMTP;

  reply = mw_error_text_get_reply (pop3, &protocol);
  g_assert_cmpstr (reply, ==, "-ERR [IN-USE] locked");
  g_assert_cmpint (protocol, ==, MW_REPLY_PROTOCOL_POP3);

  /* The server's words stay; the plain ones follow. */
  text = mw_error_text_format ("Could not download the message", pop3);
  g_assert_true (g_str_has_prefix (text, "Could not download the message: RETR: another program"));
  g_assert_nonnull (strstr (text, "“-ERR [IN-USE] locked”"));
  g_assert_true (g_str_has_suffix (text, in_use->sentence));

  g_clear_pointer (&text, g_free);
  text = mw_error_text_describe (smtp);
  g_assert_nonnull (strstr (text, "550 5.1.1"));
  g_assert_true (g_str_has_suffix (text, refused->sentence));

  /* Only the protocol clients' errors quote a server. */
  g_assert_null (mw_error_text_get_reply (io, NULL));
  g_clear_pointer (&text, g_free);
  text = mw_error_text_format ("Failed", io);
  g_assert_cmpstr (text, ==, "Failed: the server said “-ERR no”");
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GError **error = user_data;

  g_assert_false (mw_pop3_client_connect_finish (MW_POP3_CLIENT (object), result, error));
}

static gboolean
has_error (gpointer data)
{
  return *(GError **) data != NULL;
}

/* A real refusal: the embedded server turns down a wrong password. */
static void
test_real_refusal (void)
{
  g_autofree char *maildir = g_build_filename (g_get_user_data_dir (), "Maildir", NULL);
  g_autoptr (MwMailServer) server = mw_mail_server_new (maildir);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (100);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (MwReplyExplanation) expected = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *text = NULL;

  mw_mail_server_add_user (server, "ada", "analytical");
  mw_mail_server_set_allow_plaintext_auth (server, TRUE);
  mw_mail_server_set_auth_failure_delay (server, 10);
  g_assert_true (mw_mail_server_start (server, &error));
  g_assert_no_error (error);

  client = mw_pop3_client_new ("127.0.0.1", mw_mail_server_get_pop3_port (server), MW_SECURITY_NONE, transcript);
  mw_pop3_client_set_user (client, "ada");
  mw_pop3_client_set_password (client, "wrong");
  mw_pop3_client_set_allow_plaintext (client, TRUE);
  mw_pop3_client_connect_async (client, NULL, connect_cb, &error);
  g_assert_true (app_test_wait (has_error, &error, 20));
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_AUTH);

  reply = mw_error_text_get_reply (error, NULL);
  g_assert_nonnull (reply);
  g_assert_true (g_str_has_prefix (reply, "-ERR"));
  expected = mw_reply_explain (MW_REPLY_PROTOCOL_POP3, reply);
  text = mw_error_text_format ("Could not connect to the server", error);
  g_assert_nonnull (strstr (text, error->message));
  g_assert_true (g_str_has_suffix (text, expected->sentence));

  mw_pop3_client_close (client);
  mw_mail_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/app/error-text/reply-protocol", test_reply_protocol);
  g_test_add_func ("/app/error-text/quoted", test_quoted);
  g_test_add_func ("/app/error-text/real-refusal", test_real_refusal);

  return g_test_run ();
}
