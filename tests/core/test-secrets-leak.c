/* test-secrets-leak.c: passwords and tokens never leave the protocol
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every authenticated path runs with a distinctive password or token,
 * logging in successfully and being refused. The secret, and every
 * secret-bearing line the client sent (PASS and APOP arguments, SASL
 * responses, in base64), must then be absent from every transcript entry,
 * the exported transcript, the error, and everything logged.
 */

#include "config.h"

#include <string.h>

#include "mw-fake-server.h"
#include "mw-pop3-client-private.h"
#include "mw-smtp-client.h"

#define USER     "tim"
#define PASSWORD "Leaky-Pa55word-7f3a"
#define TOKEN    "ya29.Leaky-Token-9c1e"
#define WAIT_MS  20000

/* Everything logged, by anyone, at any level. */
static GMutex   log_mutex;
static GString *log_text;

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  g_mutex_lock (&log_mutex);
  for (gsize i = 0; i < n_fields; i++)
    {
      if (fields[i].length < 0)
        g_string_append (log_text, fields[i].value);
      else
        g_string_append_len (log_text, fields[i].value, fields[i].length);
      g_string_append_c (log_text, '\n');
    }
  g_mutex_unlock (&log_mutex);

  /* Problems still show as usual. */
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    return g_log_writer_default (log_level, fields, n_fields, user_data);
  return G_LOG_WRITER_HANDLED;
}

typedef enum
{
  POP3,
  SMTP,
} Protocol;

typedef struct
{
  const char *path;
  Protocol    protocol;
  const char *mechanism; /* forced, or NULL */
  gboolean    token;     /* OAuth 2.0 token instead of a password */
  gboolean    refused;   /* the server refuses the credentials */
  void (*script) (MwFakeServer *server,
                  gboolean      refused);
} Row;

/* POP3 scripts. */

static void
pop3_start (MwFakeServer *server,
            const char   *greeting,
            const char   *capa)
{
  mw_fake_server_send (server, greeting);
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, capa);
}

static void
pop3_end (MwFakeServer *server,
          gboolean      refused)
{
  mw_fake_server_send (server, refused ? "-ERR [AUTH] invalid credentials\r\n" : "+OK\r\n");
  mw_fake_server_drain (server);
}

static void
pop3_user_pass (MwFakeServer *server,
                gboolean      refused)
{
  pop3_start (server, "+OK ready\r\n", "+OK\r\nUSER\r\n.\r\n");
  mw_fake_server_expect (server, "USER " USER);
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_expect_any (server);
  pop3_end (server, refused);
}

static void
pop3_apop (MwFakeServer *server,
           gboolean      refused)
{
  pop3_start (server, "+OK ready <1896.697170952@dbc.mtview.ca.us>\r\n", "+OK\r\nUSER\r\n.\r\n");
  mw_fake_server_expect_any (server);
  pop3_end (server, refused);
}

static void
pop3_one_step (MwFakeServer *server,
               gboolean      refused)
{
  pop3_start (server, "+OK ready\r\n", "+OK\r\nSASL PLAIN XOAUTH2\r\n.\r\n");
  mw_fake_server_expect_any (server);
  pop3_end (server, refused);
}

static void
pop3_login (MwFakeServer *server,
            gboolean      refused)
{
  pop3_start (server, "+OK ready\r\n", "+OK\r\nSASL LOGIN\r\n.\r\n");
  mw_fake_server_expect (server, "AUTH LOGIN");
  mw_fake_server_send (server, "+ VXNlcm5hbWU6\r\n");
  mw_fake_server_expect_any (server);
  mw_fake_server_send (server, "+ UGFzc3dvcmQ6\r\n");
  mw_fake_server_expect_any (server);
  pop3_end (server, refused);
}

static void
pop3_cram_md5 (MwFakeServer *server,
               gboolean      refused)
{
  pop3_start (server, "+OK ready\r\n", "+OK\r\nSASL CRAM-MD5\r\n.\r\n");
  mw_fake_server_expect (server, "AUTH CRAM-MD5");
  mw_fake_server_send (server, "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
  mw_fake_server_expect_any (server);
  pop3_end (server, refused);
}

static void
pop3_scram (MwFakeServer *server,
            gboolean      refused)
{
  g_autofree char *first = g_base64_encode ((const guchar *) "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                                                             "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
                                            85);
  g_autofree char *challenge = g_strconcat ("+ ", first, "\r\n", NULL);

  /* The client-final message carries the proof; the server refuses it
   * either way, as it cannot know this password's salted form. */
  pop3_start (server, "+OK ready\r\n", "+OK\r\nSASL SCRAM-SHA-256\r\n.\r\n");
  mw_fake_server_expect_any (server);
  mw_fake_server_send (server, challenge);
  mw_fake_server_expect_any (server);
  pop3_end (server, TRUE);
}

/* SMTP scripts. */

static void
smtp_start (MwFakeServer *server,
            const char   *auth)
{
  g_autofree char *caps = g_strdup_printf ("250-fake.example\r\n250 AUTH %s\r\n", auth);

  mw_fake_server_send (server, "220 fake.example ESMTP\r\n");
  mw_fake_server_expect (server, "EHLO [127.0.0.1]");
  mw_fake_server_send (server, caps);
}

static void
smtp_end (MwFakeServer *server,
          gboolean      refused)
{
  mw_fake_server_send (server, refused ? "535 5.7.8 Authentication credentials invalid\r\n"
                                       : "235 2.7.0 Authentication successful\r\n");
  mw_fake_server_drain (server);
}

static void
smtp_plain (MwFakeServer *server,
            gboolean      refused)
{
  smtp_start (server, "PLAIN");
  mw_fake_server_expect_any (server);
  smtp_end (server, refused);
}

static void
smtp_login (MwFakeServer *server,
            gboolean      refused)
{
  smtp_start (server, "LOGIN");
  mw_fake_server_expect (server, "AUTH LOGIN");
  mw_fake_server_send (server, "334 VXNlcm5hbWU6\r\n");
  mw_fake_server_expect_any (server);
  mw_fake_server_send (server, "334 UGFzc3dvcmQ6\r\n");
  mw_fake_server_expect_any (server);
  smtp_end (server, refused);
}

static void
smtp_cram_md5 (MwFakeServer *server,
               gboolean      refused)
{
  smtp_start (server, "CRAM-MD5");
  mw_fake_server_expect (server, "AUTH CRAM-MD5");
  mw_fake_server_send (server, "334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
  mw_fake_server_expect_any (server);
  smtp_end (server, refused);
}

static void
smtp_xoauth2 (MwFakeServer *server,
              gboolean      refused)
{
  smtp_start (server, "XOAUTH2");
  mw_fake_server_expect_any (server);
  if (refused)
    {
      /* The error details come as a challenge, answered with an empty
       * line (RFC 7628 style). */
      mw_fake_server_send (server, "334 eyJzdGF0dXMiOiI0MDEifQ==\r\n");
      mw_fake_server_expect_any (server);
    }
  smtp_end (server, refused);
}

#define BOTH(path, protocol, mechanism, token, script)                              \
  { "/core/secrets/" path "/accepted", protocol, mechanism, token, FALSE, script }, \
  {                                                                                 \
    "/core/secrets/" path "/refused", protocol, mechanism, token, TRUE, script      \
  }

static const Row rows[] = {
  BOTH ("pop3/user-pass", POP3, "USER", FALSE, pop3_user_pass),
  BOTH ("pop3/apop", POP3, "APOP", FALSE, pop3_apop),
  BOTH ("pop3/plain", POP3, "PLAIN", FALSE, pop3_one_step),
  BOTH ("pop3/login", POP3, "LOGIN", FALSE, pop3_login),
  BOTH ("pop3/cram-md5", POP3, "CRAM-MD5", FALSE, pop3_cram_md5),
  { "/core/secrets/pop3/scram-sha-256/refused", POP3, "SCRAM-SHA-256", FALSE, TRUE, pop3_scram },
  BOTH ("pop3/xoauth2", POP3, "XOAUTH2", TRUE, pop3_one_step),
  BOTH ("smtp/plain", SMTP, "PLAIN", FALSE, smtp_plain),
  BOTH ("smtp/login", SMTP, "LOGIN", FALSE, smtp_login),
  BOTH ("smtp/cram-md5", SMTP, "CRAM-MD5", FALSE, smtp_cram_md5),
  BOTH ("smtp/xoauth2", SMTP, "XOAUTH2", TRUE, smtp_xoauth2),
};

/* Running. */

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

static const char *const commands[] = {
  "CAPA",
  "USER",
  "QUIT",
  "EHLO",
  "STLS",
  "STARTTLS",
  "NOOP",
  "*",
  NULL,
};

/* The secret-bearing parts of what the client sent: PASS and APOP
 * arguments, initial responses and every SASL response. */
static GPtrArray *
secret_parts (const char *received)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) lines = g_strsplit (received, "\r\n", -1);
  g_autofree char *user_b64 = g_base64_encode ((const guchar *) USER, strlen (USER));

  for (size_t i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) words = g_strsplit (lines[i], " ", -1);
      guint n = g_strv_length (words);

      if (n == 0 || words[0][0] == '\0' || g_strv_contains (commands, words[0]))
        continue;
      if (g_str_equal (words[0], "PASS"))
        {
          if (n >= 2)
            g_ptr_array_add (parts, g_strdup (lines[i] + 5));
        }
      else if (g_str_equal (words[0], "APOP") || g_str_equal (words[0], "AUTH"))
        {
          /* The user and the mechanism name are no secret. */
          if (n >= 3)
            g_ptr_array_add (parts, g_strdup (words[n - 1]));
        }
      else if (!g_str_equal (lines[i], user_b64))
        g_ptr_array_add (parts, g_strdup (lines[i]));
    }

  return g_steal_pointer (&parts);
}

static void
assert_absent (const char *where,
               const char *text,
               GPtrArray  *parts)
{
  if (text == NULL)
    return;

  if (strstr (text, PASSWORD) != NULL || strstr (text, TOKEN) != NULL)
    g_error ("the secret is in the %s: %s", where, text);
  for (guint i = 0; i < parts->len; i++)
    if (strstr (text, g_ptr_array_index (parts, i)) != NULL)
      g_error ("“%s”, sent during login, is in the %s", (char *) g_ptr_array_index (parts, i), where);
}

static void
check_everything (MwFakeServer *server,
                  MwTranscript *transcript,
                  const GError *error,
                  guint         min_parts)
{
  g_autofree char *received = mw_fake_server_get_received_string (server);
  g_autoptr (GPtrArray) parts = secret_parts (received != NULL ? received : "");
  g_autofree char *exported = mw_transcript_to_text (transcript);
  guint            n = g_list_model_get_n_items (G_LIST_MODEL (transcript));

  /* The test saw what it guards. */
  g_assert_cmpuint (parts->len, >=, min_parts);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (MwTranscriptEntry) entry = g_list_model_get_item (G_LIST_MODEL (transcript), i);
      g_autofree char *formatted = mw_transcript_entry_format (entry);

      assert_absent ("transcript entry", mw_transcript_entry_get_text (entry), parts);
      assert_absent ("formatted transcript entry", formatted, parts);
    }
  assert_absent ("exported transcript", exported, parts);
  if (error != NULL)
    assert_absent ("error", error->message, parts);

  g_mutex_lock (&log_mutex);
  /* The writer did see the session (GIO logs every connection). */
  g_assert_cmpuint (log_text->len, >, 0);
  assert_absent ("log", log_text->str, parts);
  g_mutex_unlock (&log_mutex);
}

static void
test_row (gconstpointer data)
{
  const Row *row = data;
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (GError) error = NULL;
  Wait     wait = { 0 };
  gboolean ok;

  row->script (server, row->refused);
  mw_fake_server_start (server);

  if (row->protocol == POP3)
    {
      g_autoptr (MwPop3Client) client = mw_pop3_client_new ("127.0.0.1", mw_fake_server_get_port (server),
                                                            MW_SECURITY_NONE, transcript);

      mw_pop3_client_set_user (client, USER);
      if (row->token)
        mw_pop3_client_set_oauth2_token (client, TOKEN);
      else
        mw_pop3_client_set_password (client, PASSWORD);
      mw_pop3_client_set_allow_plaintext (client, TRUE);
      mw_pop3_client_set_auth_mechanism (client, row->mechanism);
      mw_pop3_client_set_scram_nonce (client, "rOprNGfwEbeRWgbNEkqO");
      mw_pop3_client_set_timeout (client, 5);
      mw_pop3_client_connect_async (client, NULL, wait_cb, &wait);
      ok = mw_pop3_client_connect_finish (client, wait_result (&wait), &error);
      mw_pop3_client_close (client);
    }
  else
    {
      g_autoptr (MwSmtpClient) client = mw_smtp_client_new ("127.0.0.1", mw_fake_server_get_port (server),
                                                            MW_SECURITY_NONE, transcript);

      mw_smtp_client_set_user (client, USER);
      if (row->token)
        mw_smtp_client_set_oauth2_token (client, TOKEN);
      else
        mw_smtp_client_set_password (client, PASSWORD);
      mw_smtp_client_set_allow_plaintext (client, TRUE);
      mw_smtp_client_set_auth_mechanism (client, row->mechanism);
      mw_smtp_client_set_timeout (client, 5);
      mw_smtp_client_connect_async (client, NULL, wait_cb, &wait);
      ok = mw_smtp_client_connect_finish (client, wait_result (&wait), &error);
      mw_smtp_client_close (client);
    }
  g_clear_object (&wait.result);

  if (row->refused)
    {
      g_assert_false (ok);
      g_assert_nonnull (error);
    }
  else
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }

  g_assert_true (mw_fake_server_wait (server, WAIT_MS));
  check_everything (server, transcript, error, 1);
}

/* A person typing PASS and APOP in the console. */
static void
test_console (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (MwPop3Reply) reply = NULL;
  Wait wait = { 0 };

  pop3_user_pass (server, FALSE);
  mw_fake_server_start (server);

  /* The server has ended the script with a drain: it reads whatever the
   * console sends, and answers nothing, so the command times out. */
  client = mw_pop3_client_new ("127.0.0.1", mw_fake_server_get_port (server), MW_SECURITY_NONE, transcript);
  mw_pop3_client_set_user (client, USER);
  mw_pop3_client_set_password (client, "not-the-one-typed");
  mw_pop3_client_set_allow_plaintext (client, TRUE);
  mw_pop3_client_set_timeout (client, 1);
  mw_pop3_client_connect_async (client, NULL, wait_cb, &wait);
  g_assert_true (mw_pop3_client_connect_finish (client, wait_result (&wait), &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  wait.done = FALSE;

  mw_pop3_client_command_async (client, "PASS " PASSWORD, FALSE, NULL, wait_cb, &wait);
  reply = mw_pop3_client_command_finish (client, wait_result (&wait), &error);
  g_assert_null (reply);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_object (&wait.result);
  mw_pop3_client_close (client);

  g_assert_true (mw_fake_server_wait (server, WAIT_MS));
  {
    g_autofree char *received = mw_fake_server_get_received_string (server);
    g_autofree char *exported = mw_transcript_to_text (transcript);

    /* It did go to the server, and shows as stars. */
    g_assert_nonnull (strstr (received, "PASS " PASSWORD "\r\n"));
    g_assert_nonnull (strstr (exported, " C: PASS ********\n"));
  }
  check_everything (server, transcript, error, 2);
}

int
main (int   argc,
      char *argv[])
{
  log_text = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (size_t i = 0; i < G_N_ELEMENTS (rows); i++)
    g_test_add_data_func (rows[i].path, &rows[i], test_row);
  g_test_add_func ("/core/secrets/pop3/console/pass", test_console);

  return g_test_run ();
}
