/* test-pop3-dovecot.c: the POP3 client against a real Dovecot
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts Dovecot with tests/lib/mail-servers once for the whole run and
 * reads the ports and accounts from its env file.
 */

#include "config.h"

#include <string.h>

#include "mw-fake-server.h"
#include "mw-message-summary.h"
#include "mw-pop3-client.h"

#define WAIT_MS 60000

static char       *servers_dir;
static GHashTable *env;

static const char *
env_get (const char *key)
{
  const char *value = g_hash_table_lookup (env, key);

  g_assert_nonnull (value);
  return value;
}

static gboolean
run_harness (const char *const *args,
             char             **out_stdout)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  int              status = 0;

  g_ptr_array_add (argv, (gpointer) MAIL_SERVERS);
  for (size_t i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("mail-servers %s: %s\n%s", args[0], error->message, err != NULL ? err : "");
      return FALSE;
    }
  /* Its output stays out of the TAP stream. */
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  return TRUE;
}

static gboolean
start_servers (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  const char *args[] = { "start", NULL, NULL };

  servers_dir = g_dir_make_tmp ("mw-pop3-it-XXXXXX", &error);
  g_assert_no_error (error);
  args[1] = servers_dir;
  if (!run_harness (args, NULL))
    return FALSE;

  path = g_build_filename (servers_dir, "env", NULL);
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);

  env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  lines = g_strsplit (text, "\n", 0);
  for (size_t i = 0; lines[i] != NULL; i++)
    {
      char *eq = strchr (lines[i], '=');
      char *value;

      if (eq == NULL)
        continue;
      *eq = '\0';
      value = g_shell_unquote (eq + 1, NULL);
      g_hash_table_insert (env, g_strdup (lines[i]), value != NULL ? value : g_strdup (""));
    }
  return TRUE;
}

static void
stop_servers (void)
{
  const char *args[] = { "stop", servers_dir, NULL };
  const char *rm[] = { "rm", "-rf", servers_dir, NULL };

  run_harness (args, NULL);
  g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  g_clear_pointer (&env, g_hash_table_unref);
  g_clear_pointer (&servers_dir, g_free);
}

static void
deliver (const char *user,
         guint       i)
{
  g_autofree char *path = g_build_filename (servers_dir, "message.eml", NULL);
  g_autofree char *text = g_strdup_printf ("From: Sender %u <s%u@example.test>\n"
                                           "To: %s@example.test\n"
                                           "Subject: Dovecot round trip %u\n"
                                           "Date: Mon, 23 Nov 2026 10:00:00 +0000\n"
                                           "Message-ID: <%u.it@example.test>\n"
                                           "\n"
                                           "Hello %u.\n"
                                           ".A line that starts with a dot.\n",
                                           i, i, user, i, i, i);
  const char      *args[] = { "deliver", servers_dir, user, path, NULL };
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (run_harness (args, NULL));
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

static MwPop3Client *
client_new (MwSecurity    security,
            const char   *user_key,
            const char   *pass_key,
            MwTranscript *transcript)
{
  guint16       port = (guint16) atoi (env_get (security == MW_SECURITY_TLS ? "POP3S_PORT" : "POP3_PORT"));
  MwPop3Client *client = mw_pop3_client_new (env_get ("HOST"), port, security, transcript);

  mw_pop3_client_set_user (client, env_get (user_key));
  mw_pop3_client_set_password (client, env_get (pass_key));
  mw_pop3_client_set_ca_file (client, env_get ("CA_FILE"));
  mw_pop3_client_set_server_identity (client, env_get ("TLS_SERVER_NAME"));
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

typedef struct
{
  const char *path;
  MwSecurity  security;
  const char *mechanism; /* NULL: the automatic choice */
  const char *expected;
} Login;

static const Login logins[] = {
  { "stls-auto", MW_SECURITY_STARTTLS, NULL, "SCRAM-SHA-256" },
  { "tls-auto", MW_SECURITY_TLS, NULL, "SCRAM-SHA-256" },
  { "tls-plain", MW_SECURITY_TLS, "PLAIN", "PLAIN" },
  { "tls-login", MW_SECURITY_TLS, "LOGIN", "LOGIN" },
  { "tls-cram-md5", MW_SECURITY_TLS, "CRAM-MD5", "CRAM-MD5" },
  { "tls-scram-sha-1", MW_SECURITY_TLS, "SCRAM-SHA-1", "SCRAM-SHA-1" },
  { "stls-scram-sha-256", MW_SECURITY_STARTTLS, "SCRAM-SHA-256", "SCRAM-SHA-256" },
  { "stls-apop", MW_SECURITY_STARTTLS, "APOP", "APOP" },
  { "stls-user", MW_SECURITY_STARTTLS, "USER", "USER" },
  { "none-cram-md5", MW_SECURITY_NONE, "CRAM-MD5", "CRAM-MD5" },
};

static void
test_login (gconstpointer data)
{
  const Login *login = data;
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autoptr (MwPop3Client) client = client_new (login->security, "USER1", "PASS1", transcript);
  g_autoptr (GError) error = NULL;
  g_autofree char *log = NULL;

  mw_pop3_client_set_auth_mechanism (client, login->mechanism);
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (mw_pop3_client_get_mechanism_used (client), ==, login->expected);
  g_assert_cmpint (mw_connection_is_tls (mw_pop3_client_get_connection (client)), ==,
                   login->security != MW_SECURITY_NONE);
  g_assert_true (do_quit (client, NULL, &error));
  g_assert_no_error (error);

  log = mw_transcript_to_text (transcript);
  g_assert_null (strstr (log, env_get ("PASS1")));
}

static void
test_plaintext_refused (void)
{
  g_autoptr (MwPop3Client) client = client_new (MW_SECURITY_NONE, "USER1", "PASS1", NULL);
  g_autoptr (MwPop3Client) plain = client_new (MW_SECURITY_NONE, "USER1", "PASS1", NULL);
  g_autoptr (GError) error = NULL;

  mw_pop3_client_set_auth_mechanism (client, "USER");
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_PLAINTEXT_REFUSED);
  g_clear_error (&error);

  mw_pop3_client_set_auth_mechanism (plain, "PLAIN");
  g_assert_false (do_connect (plain, &error));
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_PLAINTEXT_REFUSED);
}

static void
test_wrong_password (void)
{
  g_autoptr (MwPop3Client) client = client_new (MW_SECURITY_TLS, "USER1", "PASS2", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_false (do_connect (client, &error));
  g_assert_error (error, MW_POP3_ERROR, MW_POP3_ERROR_AUTH);
}

static void
test_round_trip (void)
{
  g_autoptr (MwPop3Client) client = client_new (MW_SECURITY_STARTTLS, "USER2", "PASS2", NULL);
  g_autoptr (MwPop3Client) second = client_new (MW_SECURITY_TLS, "USER2", "PASS2", NULL);
  g_autoptr (GPtrArray) summaries = NULL;
  g_autoptr (GPtrArray) after = NULL;
  g_autoptr (GArray) uids = NULL;
  g_autoptr (GOutputStream) top = g_memory_output_stream_new_resizable ();
  g_autoptr (GOutputStream) retr = g_memory_output_stream_new_resizable ();
  g_autoptr (GError) error = NULL;
  g_autofree char *deleted_uid = NULL;
  g_autofree char *retr_text = NULL;
  Wait             wait = { 0 };
  gboolean         committed = FALSE;

  for (guint i = 1; i <= 3; i++)
    deliver (env_get ("USER2"), i);

  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (mw_pop3_client_is_pipelining (client));

  summaries = do_previews (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summaries->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      MwMessageSummary *summary = g_ptr_array_index (summaries, i);
      g_autofree char  *subject = g_strdup_printf ("Dovecot round trip %u", i + 1);

      g_assert_cmpstr (mw_message_summary_get_subject (summary), ==, subject);
      g_assert_nonnull (mw_message_summary_get_uid (summary));
      g_assert_false (mw_message_summary_get_flags (summary) &
                      (MW_MESSAGE_FLAG_NO_UID | MW_MESSAGE_FLAG_NO_HEADERS | MW_MESSAGE_FLAG_COUNT_MISMATCH));
    }
  deleted_uid = g_strdup (mw_message_summary_get_uid (g_ptr_array_index (summaries, 0)));

  mw_pop3_client_uidl_async (client, NULL, wait_cb, &wait);
  uids = mw_pop3_client_uidl_finish (client, wait_result (&wait), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_array_index (uids, MwPop3UidEntry, 0).uid, ==, deleted_uid);
  wait_clear (&wait);

  mw_pop3_client_top_async (client, 2, 1, top, NULL, wait_cb, &wait);
  g_assert_true (mw_pop3_client_top_finish (client, wait_result (&wait), NULL, &error));
  wait_clear (&wait);

  mw_pop3_client_retr_async (client, 3, retr, NULL, wait_cb, &wait);
  g_assert_true (mw_pop3_client_retr_finish (client, wait_result (&wait), NULL, &error));
  g_assert_no_error (error);
  wait_clear (&wait);
  g_output_stream_close (retr, NULL, NULL);
  retr_text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (retr)),
                         g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (retr)));
  /* Dovecot sends CRLF; the stuffed dot is gone. */
  g_assert_nonnull (strstr (retr_text, "Subject: Dovecot round trip 3\r\n"));
  g_assert_true (g_str_has_suffix (retr_text, "\r\n.A line that starts with a dot.\r\n"));

  mw_pop3_client_dele_async (client, 1, NULL, wait_cb, &wait);
  g_assert_true (mw_pop3_client_dele_finish (client, wait_result (&wait), &error));
  g_assert_no_error (error);
  wait_clear (&wait);
  g_assert_true (do_quit (client, &committed, &error));
  g_assert_no_error (error);
  g_assert_true (committed);

  /* A second session, over implicit TLS, no longer sees it. */
  g_assert_true (do_connect (second, &error));
  g_assert_no_error (error);
  after = do_previews (second, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (after->len, ==, 2);
  for (guint i = 0; i < after->len; i++)
    g_assert_cmpstr (mw_message_summary_get_uid (g_ptr_array_index (after, i)), !=, deleted_uid);
  g_assert_true (do_quit (second, NULL, NULL));
}

int
main (int   argc,
      char *argv[])
{
  int result;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (size_t i = 0; i < G_N_ELEMENTS (logins); i++)
    {
      g_autofree char *path = g_strdup_printf ("/integration/pop3/login/%s", logins[i].path);
      g_test_add_data_func (path, &logins[i], test_login);
    }
  g_test_add_func ("/integration/pop3/login/plaintext-refused", test_plaintext_refused);
  g_test_add_func ("/integration/pop3/login/wrong-password", test_wrong_password);
  g_test_add_func ("/integration/pop3/round-trip", test_round_trip);

  /* A missing Dovecot is a failure, never a skip. */
  if (!start_servers ())
    return 1;
  result = g_test_run ();
  stop_servers ();
  return result;
}
