/* test-cli-hostile.c: mailwire-cli against hostile servers, and its secrets
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A representative subset of the hostile servers of tests/core, through
 * the program: protocol violations end with exit status 3 (4 when a
 * delivery is uncertain), in bounded time, and with --transcript on, no
 * password, token or secret-bearing SASL response shows on either output.
 */

#include "config.h"

#include <string.h>

#include "mw-fake-server.h"
#include "mw-test-wrapper.h"

#define USER     "tim"
#define PASSWORD "Cli-Leaky-Pa55-4d2b"
#define TOKEN    "ya29.Cli-Leaky-Token-8e0f"

/* base64 of "\0tim\0PASSWORD", of PASSWORD, and of the XOAUTH2 response. */
static char *plain_b64;
static char *password_b64;
static char *xoauth2_b64;

/* GLib 2.74 leaks the directories G_TEST_OPTION_ISOLATE_DIRS sets up. */
const char *__lsan_default_suppressions (void);

const char *
__lsan_default_suppressions (void)
{
  return "leak:g_set_user_dirs\n";
}

typedef struct
{
  int    status;
  char  *out;
  char  *err;
  gint64 elapsed_ms;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

static char *
bytes_to_string (GBytes *bytes)
{
  size_t len = g_bytes_get_size (bytes);
  char  *text = g_malloc0 (len + 1);

  if (len > 0)
    memcpy (text, g_bytes_get_data (bytes, NULL), len);
  /* NUL bytes in the output would hide what follows them. */
  for (size_t i = 0; i < len; i++)
    if (text[i] == '\0')
      text[i] = ' ';
  return text;
}

/* Runs mailwire-cli PROTOCOL -H 127.0.0.1 -p PORT -v ARGS… */
static void
run_cli (Run               *run,
         const char        *input,
         const char        *protocol,
         guint16            port,
         const char *const *args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GBytes) in = g_bytes_new (input != NULL ? input : "", input != NULL ? strlen (input) : 0);
  g_autoptr (GBytes) out = NULL;
  g_autoptr (GBytes) err = NULL;
  const char *cli = g_getenv ("MW_CLI");
  g_auto (GStrv) wrapper = mw_test_wrapper_argv ();
  g_autofree char *pid = NULL;
  gint64           start;

  g_assert_nonnull (cli);
  for (guint i = 0; wrapper[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (wrapper[i]));
  g_ptr_array_add (argv, g_strdup (cli));
  g_ptr_array_add (argv, g_strdup (protocol));
  g_ptr_array_add (argv, g_strdup ("-H"));
  g_ptr_array_add (argv, g_strdup ("127.0.0.1"));
  g_ptr_array_add (argv, g_strdup ("-p"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", port));
  g_ptr_array_add (argv, g_strdup ("-v"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "MW_TEST_PASSWORD", PASSWORD, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  /* Whatever the program logs goes to its standard error: check it too. */
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);

  start = g_get_monotonic_time ();
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  pid = g_strdup (g_subprocess_get_identifier (process));
  g_subprocess_communicate (process, in, NULL, &out, &err, &error);
  g_assert_no_error (error);
  run->elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_assert_true (g_subprocess_get_if_exited (process));
  mw_test_wrapper_check (process, pid);

  run->status = g_subprocess_get_exit_status (process);
  run->out = bytes_to_string (out);
  run->err = bytes_to_string (err);

  if (g_test_verbose ())
    g_test_message ("status %d in %" G_GINT64_FORMAT " ms\nstdout:\n%s\nstderr:\n%s",
                    run->status, run->elapsed_ms, run->out, run->err);
}

static void
assert_no_secret (const Run  *run,
                  const char *received)
{
  const char *outputs[] = { run->out, run->err };

  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    {
      g_assert_null (strstr (outputs[i], PASSWORD));
      g_assert_null (strstr (outputs[i], TOKEN));
      g_assert_null (strstr (outputs[i], plain_b64));
      g_assert_null (strstr (outputs[i], password_b64));
      g_assert_null (strstr (outputs[i], xoauth2_b64));
    }

  /* Every SASL response and PASS/APOP argument the client sent. */
  if (received != NULL)
    {
      g_auto (GStrv) lines = g_strsplit (received, "\r\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        {
          const char *secret = NULL;

          if (g_str_has_prefix (lines[i], "PASS ") || g_str_has_prefix (lines[i], "APOP "))
            secret = strrchr (lines[i], ' ') + 1;
          else if (g_str_has_prefix (lines[i], "AUTH ") && strchr (lines[i] + 5, ' ') != NULL)
            secret = strchr (lines[i] + 5, ' ') + 1;
          else if (strlen (lines[i]) >= 16 && strchr (lines[i], ' ') == NULL &&
                   strchr (lines[i], ':') == NULL)
            secret = lines[i];

          if (secret != NULL && strlen (secret) >= 8)
            for (guint j = 0; j < G_N_ELEMENTS (outputs); j++)
              g_assert_null (strstr (outputs[j], secret));
        }
    }
}

/* Hostile servers. */

typedef struct
{
  const char *path;
  const char *protocol;
  const char *certificate;
  const char *args[12];
  void (*script) (MwFakeServer *server);
  int         status;
  const char *never_shown; /* injected text that must not be trusted, or NULL */
} Row;

static void
pop3_login (MwFakeServer *server)
{
  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "-ERR\r\n");
  mw_fake_server_expect (server, "USER " USER);
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_expect (server, "PASS " PASSWORD);
  mw_fake_server_send (server, "+OK\r\n");
}

static void
pop3_http (MwFakeServer *server)
{
  mw_fake_server_send (server, "HTTP/1.1 400 Bad Request\r\n\r\n");
  mw_fake_server_drain (server);
}

static void
pop3_endless (MwFakeServer *server)
{
  mw_fake_server_send (server, "+OK ");
  mw_fake_server_send_repeat (server, "A", 50 * 1024 * 1024);
  mw_fake_server_drain (server);
}

static void
pop3_silence (MwFakeServer *server)
{
  mw_fake_server_stall (server, 30000);
}

static void
pop3_stls_injection (MwFakeServer *server)
{
  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nSTLS\r\nUSER\r\n.\r\n");
  mw_fake_server_expect (server, "STLS");
  mw_fake_server_send (server, "+OK begin\r\n+OK injected-by-attacker\r\n");
  mw_fake_server_drain (server);
}

static void
pop3_stat_huge (MwFakeServer *server)
{
  pop3_login (server);
  mw_fake_server_expect (server, "STAT");
  mw_fake_server_send (server, "+OK 1 18446744073709551616\r\n");
  mw_fake_server_drain (server);
}

static void
pop3_list_duplicate (MwFakeServer *server)
{
  pop3_login (server);
  mw_fake_server_expect (server, "LIST");
  mw_fake_server_send (server, "+OK\r\n1 100\r\n1 200\r\n.\r\n");
  mw_fake_server_drain (server);
}

static void
pop3_unasked (MwFakeServer *server)
{
  pop3_login (server);
  mw_fake_server_expect (server, "STAT");
  mw_fake_server_send (server, "+OK 1 100\r\n+OK injected-by-attacker\r\n");
  mw_fake_server_drain (server);
}

#define BODY_LINE "A line of a message that runs on far past its announced size.\r\n"

static void
pop3_retr_endless (MwFakeServer *server)
{
  pop3_login (server);
  mw_fake_server_expect (server, "LIST 1");
  mw_fake_server_send (server, "+OK 1 1000\r\n");
  mw_fake_server_expect (server, "RETR 1");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_send_repeat (server, BODY_LINE, 1024 * 1024);
  mw_fake_server_drain (server);
}

/* With --no-size-limit, no LIST and no bound: 3 MB come in whole. */
static void
pop3_retr_unbounded (MwFakeServer *server)
{
  pop3_login (server);
  mw_fake_server_expect (server, "RETR 1");
  mw_fake_server_send (server, "+OK 100 octets\r\n");
  mw_fake_server_send_repeat (server, BODY_LINE, 3 * 1024 * 1024 / strlen (BODY_LINE));
  mw_fake_server_send (server, ".\r\n");
  mw_fake_server_expect (server, "QUIT");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_drain (server);
}

static void
smtp_hello (MwFakeServer *server,
            const char   *caps)
{
  mw_fake_server_send (server, "220 fake.example ESMTP\r\n");
  mw_fake_server_expect (server, "EHLO [127.0.0.1]");
  mw_fake_server_send (server, caps);
}

static void
smtp_binary (MwFakeServer *server)
{
  mw_fake_server_send_len (server, "\x16\x03\x01\x00\xff\r\n", 7);
  mw_fake_server_drain (server);
}

static void
smtp_inconsistent (MwFakeServer *server)
{
  smtp_hello (server, "250-fake.example\r\n251 PIPELINING\r\n");
  mw_fake_server_drain (server);
}

static void
smtp_starttls_injection (MwFakeServer *server)
{
  smtp_hello (server, "250-fake.example\r\n250 STARTTLS\r\n");
  mw_fake_server_expect (server, "STARTTLS");
  mw_fake_server_send (server, "220 go ahead\r\n250 injected-by-attacker\r\n");
  mw_fake_server_drain (server);
}

static void
smtp_envelope (MwFakeServer *server)
{
  smtp_hello (server, "250 fake.example\r\n");
  mw_fake_server_expect_any (server);
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "DATA");
  mw_fake_server_send (server, "354 go ahead\r\n");
}

static void
smtp_final_late_close (MwFakeServer *server)
{
  /* The final reply may take ten minutes (RFC 5321 4.5.3.2.6), longer
   * than -t: the server gives up first. */
  smtp_envelope (server);
  mw_fake_server_expect_until (server, ".");
  mw_fake_server_stall (server, 1000);
  mw_fake_server_reset (server);
}

static void
smtp_final_closed (MwFakeServer *server)
{
  smtp_envelope (server);
  mw_fake_server_expect_until (server, ".");
  mw_fake_server_close (server);
}

static void
smtp_reset_mid_data (MwFakeServer *server)
{
  smtp_envelope (server);
  mw_fake_server_expect_any (server);
  mw_fake_server_reset (server);
}

#define POP3_ARGS(command)                                                                       \
  {                                                                                              \
    "-s", "none", "-u", USER, "--password-env", "MW_TEST_PASSWORD", "--allow-plaintext", command \
  }
#define SMTP_SEND                                                                               \
  {                                                                                             \
    "-s", "none", "-t", "1", "send", "--from", "me@example.org", "--to", "you@example.net", "-" \
  }

/* Either a connection failure or an uncertain delivery, never success. */
#define STATUS_3_OR_4 34

static const Row rows[] = {
  { "/cli/hostile/pop3/greeting/http", "pop3", NULL, POP3_ARGS ("stat"), pop3_http, 3, NULL },
  { "/cli/hostile/pop3/greeting/endless-line", "pop3", NULL, POP3_ARGS ("stat"), pop3_endless, 3, NULL },
  { "/cli/hostile/pop3/greeting/silence", "pop3", NULL, { "-s", "none", "-t", "1", "-u", USER, "--password-env", "MW_TEST_PASSWORD", "stat" }, pop3_silence, 3, NULL },
  { "/cli/hostile/pop3/stls/injection", "pop3", "server", { "-s", "starttls", "-u", USER, "--password-env", "MW_TEST_PASSWORD", "stat" }, pop3_stls_injection, 3, "injected-by-attacker" },
  { "/cli/hostile/pop3/stat/size-2-64", "pop3", NULL, POP3_ARGS ("stat"), pop3_stat_huge, 3, NULL },
  { "/cli/hostile/pop3/list/duplicate-number", "pop3", NULL, POP3_ARGS ("list"), pop3_list_duplicate, 3, NULL },
  { "/cli/hostile/pop3/retr/endless", "pop3", NULL, { "-s", "none", "-u", USER, "--password-env", "MW_TEST_PASSWORD", "--allow-plaintext", "retr", "1" }, pop3_retr_endless, 3, NULL },
  { "/cli/hostile/pop3/retr/no-size-limit", "pop3", NULL, { "-s", "none", "-u", USER, "--password-env", "MW_TEST_PASSWORD", "--allow-plaintext", "retr", "1", "--no-size-limit" }, pop3_retr_unbounded, 0, NULL },
  { "/cli/hostile/pop3/reply/unasked", "pop3", NULL, POP3_ARGS ("stat"), pop3_unasked, 3, NULL },
  { "/cli/hostile/smtp/greeting/binary", "smtp", NULL, { "-s", "none", "ehlo" }, smtp_binary, 3, NULL },
  { "/cli/hostile/smtp/ehlo/inconsistent-codes", "smtp", NULL, { "-s", "none", "ehlo" }, smtp_inconsistent, 3, NULL },
  { "/cli/hostile/smtp/starttls/injection", "smtp", "server", { "-s", "starttls", "-u", USER, "--password-env", "MW_TEST_PASSWORD", "ehlo" }, smtp_starttls_injection, 3, "injected-by-attacker" },
  { "/cli/hostile/smtp/data/final-late-reset", "smtp", NULL, SMTP_SEND, smtp_final_late_close, 4, NULL },
  { "/cli/hostile/smtp/data/final-closed", "smtp", NULL, SMTP_SEND, smtp_final_closed, 4, NULL },
  /* The whole small message, final dot included, may already sit in the
   * kernel's buffer when the reset comes: then the client cannot know
   * whether it arrived, and "uncertain" (4) is the honest answer. */
  { "/cli/hostile/smtp/data/reset", "smtp", NULL, SMTP_SEND, smtp_reset_mid_data, STATUS_3_OR_4, NULL },
};

static void
test_hostile (gconstpointer data)
{
  const Row *row = data;
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, row->certificate);
  g_autofree char *received = NULL;
  const char      *message = "Subject: hi\r\n\r\nHello.\r\n";
  Run              run = { 0 };

  row->script (server);
  mw_fake_server_start (server);

  run_cli (&run, g_str_equal (row->protocol, "smtp") ? message : NULL, row->protocol,
           mw_fake_server_get_port (server), row->args);
  g_test_message ("%s: status %d in %" G_GINT64_FORMAT " ms", row->path, run.status, run.elapsed_ms);

  if (row->status == STATUS_3_OR_4)
    g_assert_true (run.status == 3 || run.status == 4);
  else
    g_assert_cmpint (run.status, ==, row->status);
  /* Timeouts are one second; the default of 60 would show here. */
  g_assert_cmpint (run.elapsed_ms, <, 10000);
  if (row->never_shown != NULL)
    {
      g_assert_null (strstr (run.out, row->never_shown));
      g_assert_null (strstr (run.err, row->never_shown));
    }

  mw_fake_server_free (g_steal_pointer (&server));
  assert_no_secret (&run, NULL);
  run_clear (&run);
}

/* Logins with --transcript: nothing secret on either output. */

typedef struct
{
  const char *path;
  const char *protocol;
  const char *args[12];
  void (*script) (MwFakeServer *server);
  const char *input;
} LoginRow;

static void
pop3_user_pass (MwFakeServer *server)
{
  pop3_login (server);
  mw_fake_server_expect (server, "STAT");
  mw_fake_server_send (server, "+OK 0 0\r\n");
  mw_fake_server_expect (server, "QUIT");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_drain (server);
}

static void
pop3_sasl (MwFakeServer *server,
           const char   *mechanism)
{
  g_autofree char *capa = g_strdup_printf ("+OK\r\nSASL %s\r\n.\r\n", mechanism);

  mw_fake_server_send (server, "+OK ready <1.2@fake.example>\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, capa);
}

static void
pop3_stat_quit (MwFakeServer *server)
{
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_expect (server, "STAT");
  mw_fake_server_send (server, "+OK 0 0\r\n");
  mw_fake_server_expect (server, "QUIT");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_drain (server);
}

static void
pop3_plain (MwFakeServer *server)
{
  pop3_sasl (server, "PLAIN");
  mw_fake_server_expect_any (server);
  pop3_stat_quit (server);
}

static void
pop3_login_mech (MwFakeServer *server)
{
  pop3_sasl (server, "LOGIN");
  mw_fake_server_expect (server, "AUTH LOGIN");
  mw_fake_server_send (server, "+ VXNlcm5hbWU6\r\n");
  mw_fake_server_expect_any (server);
  mw_fake_server_send (server, "+ UGFzc3dvcmQ6\r\n");
  mw_fake_server_expect_any (server);
  pop3_stat_quit (server);
}

static void
pop3_cram (MwFakeServer *server)
{
  pop3_sasl (server, "CRAM-MD5");
  mw_fake_server_expect (server, "AUTH CRAM-MD5");
  mw_fake_server_send (server, "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
  mw_fake_server_expect_any (server);
  pop3_stat_quit (server);
}

static void
pop3_apop (MwFakeServer *server)
{
  mw_fake_server_send (server, "+OK ready <1.2@fake.example>\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nUSER\r\n.\r\n");
  mw_fake_server_expect_any (server);
  pop3_stat_quit (server);
}

static void
pop3_xoauth2 (MwFakeServer *server)
{
  pop3_sasl (server, "XOAUTH2");
  mw_fake_server_expect_any (server);
  pop3_stat_quit (server);
}

static void
pop3_console (MwFakeServer *server)
{
  pop3_login (server);
  mw_fake_server_expect (server, "PASS " PASSWORD);
  mw_fake_server_send (server, "-ERR already logged in\r\n");
  mw_fake_server_expect (server, "QUIT");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_drain (server);
}

static void
smtp_auth (MwFakeServer *server,
           const char   *mechanism)
{
  g_autofree char *caps = g_strdup_printf ("250-fake.example\r\n250 AUTH %s\r\n", mechanism);

  smtp_hello (server, caps);
}

static void
smtp_done (MwFakeServer *server)
{
  mw_fake_server_send (server, "235 2.7.0 OK\r\n");
  mw_fake_server_expect (server, "QUIT");
  mw_fake_server_send (server, "221 bye\r\n");
  mw_fake_server_drain (server);
}

static void
smtp_plain (MwFakeServer *server)
{
  smtp_auth (server, "PLAIN");
  mw_fake_server_expect_any (server);
  smtp_done (server);
}

static void
smtp_login (MwFakeServer *server)
{
  smtp_auth (server, "LOGIN");
  mw_fake_server_expect (server, "AUTH LOGIN");
  mw_fake_server_send (server, "334 VXNlcm5hbWU6\r\n");
  mw_fake_server_expect_any (server);
  mw_fake_server_send (server, "334 UGFzc3dvcmQ6\r\n");
  mw_fake_server_expect_any (server);
  smtp_done (server);
}

/* A login typed in a console opened without credentials. */
static void
pop3_typed_user_pass (MwFakeServer *server)
{
  pop3_user_pass (server);
}

static void
pop3_typed_auth (MwFakeServer *server)
{
  pop3_sasl (server, "PLAIN");
  mw_fake_server_expect (server, "AUTH PLAIN");
  mw_fake_server_send (server, "+ \r\n");
  mw_fake_server_expect_any (server);
  pop3_stat_quit (server);
}

static void
smtp_typed_auth (MwFakeServer *server)
{
  smtp_login (server);
}

/* base64 of "\0" USER "\0" PASSWORD, of USER and of PASSWORD, typed. */
#define TYPED_PLAIN    "AHRpbQBDbGktTGVha3ktUGE1NS00ZDJi"
#define TYPED_USER     "dGlt"
#define TYPED_PASSWORD "Q2xpLUxlYWt5LVBhNTUtNGQyYg=="
#define TYPED_CONSOLE                            \
  {                                              \
    "-s", "none", "--allow-plaintext", "console" \
  }

#define POP3_LOGIN(mech)                                                                                    \
  {                                                                                                         \
    "-s", "none", "-u", USER, "--password-env", "MW_TEST_PASSWORD", "--allow-plaintext", "-a", mech, "stat" \
  }

static const LoginRow logins[] = {
  { "/cli/secrets/pop3/user-pass", "pop3", POP3_LOGIN ("USER"), pop3_user_pass, NULL },
  { "/cli/secrets/pop3/apop", "pop3", POP3_LOGIN ("APOP"), pop3_apop, NULL },
  { "/cli/secrets/pop3/plain", "pop3", POP3_LOGIN ("PLAIN"), pop3_plain, NULL },
  { "/cli/secrets/pop3/login", "pop3", POP3_LOGIN ("LOGIN"), pop3_login_mech, NULL },
  { "/cli/secrets/pop3/cram-md5", "pop3", POP3_LOGIN ("CRAM-MD5"), pop3_cram, NULL },
  { "/cli/secrets/pop3/xoauth2", "pop3", { "-s", "none", "-u", USER, "--oauth2-token-command", "echo " TOKEN, "--allow-plaintext", "stat" }, pop3_xoauth2, NULL },
  { "/cli/secrets/pop3/console-pass", "pop3", POP3_LOGIN ("USER"), pop3_console, "PASS " PASSWORD "\nQUIT\n" },
  { "/cli/secrets/pop3/console-typed-user-pass", "pop3", TYPED_CONSOLE, pop3_typed_user_pass, "USER " USER "\nPASS " PASSWORD "\nSTAT\nQUIT\n" },
  { "/cli/secrets/pop3/console-typed-auth", "pop3", TYPED_CONSOLE, pop3_typed_auth, "AUTH PLAIN\n" TYPED_PLAIN "\nSTAT\nQUIT\n" },
  { "/cli/secrets/smtp/console-typed-auth", "smtp", TYPED_CONSOLE, smtp_typed_auth, "AUTH LOGIN\n" TYPED_USER "\n" TYPED_PASSWORD "\nQUIT\n" },
  { "/cli/secrets/smtp/plain", "smtp", { "-s", "none", "-u", USER, "--password-env", "MW_TEST_PASSWORD", "--allow-plaintext", "-a", "PLAIN", "ehlo" }, smtp_plain, NULL },
  { "/cli/secrets/smtp/login", "smtp", { "-s", "none", "-u", USER, "--password-env", "MW_TEST_PASSWORD", "--allow-plaintext", "-a", "LOGIN", "ehlo" }, smtp_login, NULL },
};

static void
test_login (gconstpointer data)
{
  const LoginRow *row = data;
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autofree char *received = NULL;
  g_autofree char *exported = NULL;
  const char      *args[16] = { NULL };
  Run              run = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (row->args) && row->args[i] != NULL; i++)
    args[i] = row->args[i];
  if (row->input != NULL)
    {
      /* The console instead of the last argument. */
      for (guint i = 0; args[i] != NULL; i++)
        if (g_str_equal (args[i], "stat"))
          args[i] = "console";
      for (guint i = 0; args[i] != NULL; i++)
        if (g_str_equal (args[i], "-a"))
          args[i] = args[i + 1] = "--allow-plaintext";
    }

  row->script (server);
  mw_fake_server_start (server);
  run_cli (&run, row->input, row->protocol, mw_fake_server_get_port (server), args);

  g_assert_true (mw_fake_server_wait (server, 20000));
  g_assert_null (mw_fake_server_get_error (server));
  g_assert_cmpint (run.status, ==, 0);
  received = mw_fake_server_get_received_string (server);
  /* The transcript was on: the session shows, the secrets do not. */
  g_assert_nonnull (strstr (run.err, g_str_equal (row->protocol, "pop3") ? "CAPA" : "EHLO"));
  assert_no_secret (&run, received);
  run_clear (&run);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  plain_b64 = g_base64_encode ((const guchar *) "\0" USER "\0" PASSWORD, strlen (USER) + strlen (PASSWORD) + 2);
  password_b64 = g_base64_encode ((const guchar *) PASSWORD, strlen (PASSWORD));
  xoauth2_b64 = g_base64_encode ((const guchar *) "user=" USER "\001auth=Bearer " TOKEN "\001\001",
                                 strlen ("user=" USER "\001auth=Bearer " TOKEN "\001\001"));

  for (size_t i = 0; i < G_N_ELEMENTS (rows); i++)
    g_test_add_data_func (rows[i].path, &rows[i], test_hostile);
  for (size_t i = 0; i < G_N_ELEMENTS (logins); i++)
    g_test_add_data_func (logins[i].path, &logins[i], test_login);

  return g_test_run ();
}
