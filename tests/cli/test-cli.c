/* test-cli.c: mailwire-cli, run as a program against the embedded server
 * and scripted fakes
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-fake-server.h"
#include "mw-mail-server.h"
#include "mw-test-wrapper.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define USER     "alice"
#define PASSWORD "secret pass"
#define REFUSED  "bob@example.org"

/* GLib 2.74 leaks the directories G_TEST_OPTION_ISOLATE_DIRS sets up. */
const char *__lsan_default_suppressions (void);

const char *
__lsan_default_suppressions (void)
{
  return "leak:g_set_user_dirs\n";
}

/* One message with CRLF line ends, one with leading dots, a bare LF and
 * a header that needs escaping in JSON. */
static const char message_one[] =
  "From: Alice <alice@example.org>\r\n"
  "To: Carol <carol@example.org>\r\n"
  "Subject: First \"quoted\" \\ and =?UTF-8?B?w7xuw68=?=\r\n"
  "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
  "Message-ID: <one@example.org>\r\n"
  "\r\n"
  "Hello.\r\n";

static const char message_two[] =
  "From: bob@example.org\r\n"
  "Subject: Dots\r\n"
  "Date: Mon, 23 Nov 2026 11:00:00 +0000\r\n"
  "\r\n"
  ".leading dot\r\n"
  "..two dots\r\n"
  "bare\nLF\r\n"
  ".\r\n"
  "end\r\n";

typedef struct
{
  char         *dir;
  char         *maildir;
  char         *password_file;
  char         *ca_file;
  char         *file_one;
  char         *file_two;
  MwMailServer *server;
  char         *pop3s;
  char         *smtps;
} Fixture;

typedef struct
{
  char  *out;
  size_t out_len;
  char  *err;
  int    status;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static char *
cert_path (const char *name)
{
  return g_build_filename (g_getenv ("MW_TEST_CERTS"), name, NULL);
}

static char *
put_message (const char *maildir,
             const char *name,
             const char *data)
{
  g_autofree char *path = g_build_filename (maildir, "new", name, NULL);
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, data, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsCertificate) certificate = NULL;
  g_autofree char *cert = cert_path ("server.pem");
  g_autofree char *key = cert_path ("server-key.pem");
  g_autofree char *new_dir = NULL;

  f->dir = g_build_filename (g_get_user_data_dir (), "cli-test", NULL);
  f->maildir = g_build_filename (f->dir, "Maildir", NULL);
  new_dir = g_build_filename (f->maildir, "new", NULL);
  g_assert_cmpint (g_mkdir_with_parents (new_dir, 0700), ==, 0);
  for (const char *sub = "tmp"; sub != NULL; sub = g_str_equal (sub, "tmp") ? "cur" : NULL)
    {
      g_autofree char *path = g_build_filename (f->maildir, sub, NULL);

      g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
    }

  f->file_one = put_message (f->maildir, "1000000001.M1P1.test", message_one);
  f->file_two = put_message (f->maildir, "1000000002.M2P2.test", message_two);

  f->password_file = g_build_filename (f->dir, "password", NULL);
  g_file_set_contents (f->password_file, PASSWORD "\n", -1, &error);
  g_assert_no_error (error);
  f->ca_file = cert_path ("ca.pem");

  f->server = mw_mail_server_new (f->maildir);
  mw_mail_server_add_user (f->server, USER, PASSWORD);
  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  mw_mail_server_set_certificate (f->server, certificate);
  mw_mail_server_set_auth_failure_delay (f->server, 0);
  mw_mail_server_set_refused_recipient (f->server, REFUSED,
                                        "550 5.1.1 <" REFUSED ">: Recipient address rejected");
  mw_mail_server_start (f->server, &error);
  g_assert_no_error (error);

  f->pop3s = g_strdup_printf ("%u", mw_mail_server_get_pop3s_port (f->server));
  f->smtps = g_strdup_printf ("%u", mw_mail_server_get_smtps_port (f->server));
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  mw_mail_server_stop (f->server);
  g_assert_finalize_object (f->server);
  g_free (f->dir);
  g_free (f->maildir);
  g_free (f->password_file);
  g_free (f->ca_file);
  g_free (f->file_one);
  g_free (f->file_two);
  g_free (f->pop3s);
  g_free (f->smtps);
}

/* Runs mailwire-cli with @args (NULL-terminated), @input on its standard
 * input, and the environment variable MW_TEST_PASSWORD set. */
static void
run_cli_v (Run               *run,
           const char        *input,
           const char *const *args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GBytes) in = g_bytes_new_static (input != NULL ? input : "", input != NULL ? strlen (input) : 0);
  g_autoptr (GBytes) out = NULL;
  g_autoptr (GBytes) err = NULL;
  const char *cli = g_getenv ("MW_CLI");
  g_auto (GStrv) wrapper = mw_test_wrapper_argv ();
  g_autofree char *pid = NULL;

  g_assert_nonnull (cli);
  for (guint i = 0; wrapper[i] != NULL; i++)
    g_ptr_array_add (argv, wrapper[i]);
  g_ptr_array_add (argv, (char *) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "MW_TEST_PASSWORD", PASSWORD, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  pid = g_strdup (g_subprocess_get_identifier (process));

  g_subprocess_communicate (process, in, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  mw_test_wrapper_check (process, pid);

  run->status = g_subprocess_get_exit_status (process);
  /* Kept with any NUL bytes; the extra byte terminates the text. */
  run->out = g_malloc0 (g_bytes_get_size (out) + 1);
  if (g_bytes_get_size (out) > 0)
    memcpy (run->out, g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  run->out_len = g_bytes_get_size (out);
  run->err = g_malloc0 (g_bytes_get_size (err) + 1);
  if (g_bytes_get_size (err) > 0)
    memcpy (run->err, g_bytes_get_data (err, NULL), g_bytes_get_size (err));

  if (g_test_verbose ())
    g_printerr ("status %d\nstdout:\n%s\nstderr:\n%s\n", run->status, run->out, run->err);
}

#define run_cli(run, input, ...) run_cli_v ((run), (input), (const char *const[]){ __VA_ARGS__, NULL })

/* The same with a terminal (a pseudo-terminal) as standard input, on
 * which @input is typed. */
static void
run_cli_tty_v (Run               *run,
               const char        *input,
               const char *const *args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GBytes) out = NULL;
  g_autoptr (GBytes) err = NULL;
  const char *cli = g_getenv ("MW_CLI");
  int         master;
  int         slave;

  master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  slave = open (ptsname (master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (slave, >=, 0);
  g_assert_true (isatty (slave));

  g_ptr_array_add (argv, (char *) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_take_stdin_fd (launcher, slave);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);

  /* Typed ahead, as a quick typist would; the terminal echoes it to the
   * master side, which nobody reads: it is short enough to fit. */
  g_assert_cmpint (write (master, input, strlen (input)), ==, (gssize) strlen (input));

  g_subprocess_communicate (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  close (master);

  run->status = g_subprocess_get_exit_status (process);
  run->out = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  run->out_len = g_bytes_get_size (out);
  run->err = g_strndup (g_bytes_get_data (err, NULL), g_bytes_get_size (err));

  if (g_test_verbose ())
    g_printerr ("status %d\nstdout:\n%s\nstderr:\n%s\n", run->status, run->out, run->err);
}

#define run_cli_tty(run, input, ...) run_cli_tty_v ((run), (input), (const char *const[]){ __VA_ARGS__, NULL })

#define POP3(f) "pop3", "-H", "localhost", "-p", (f)->pop3s, "-u", USER, \
                "--password-file", (f)->password_file, "--ca-file", (f)->ca_file
#define SMTP(f) "smtp", "-H", "localhost", "-p", (f)->smtps, "-u", USER, \
                "--password-file", (f)->password_file, "--ca-file", (f)->ca_file
/* No credentials: the session stops before login. */
#define POP3_ANON(f) "pop3", "-H", "localhost", "-p", (f)->pop3s, "--ca-file", (f)->ca_file
#define SMTP_ANON(f) "smtp", "-H", "localhost", "-p", (f)->smtps, "--ca-file", (f)->ca_file

/* SASL PLAIN for USER and PASSWORD. */
#define PLAIN_B64 "AGFsaWNlAHNlY3JldCBwYXNz"

static guint
count_in (const char *maildir)
{
  guint count = 0;

  for (const char *sub = "new"; sub != NULL; sub = g_str_equal (sub, "new") ? "cur" : NULL)
    {
      g_autofree char *path = g_build_filename (maildir, sub, NULL);
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        count++;
    }
  return count;
}

static guint
count_messages (Fixture *f)
{
  return count_in (f->maildir);
}

/* The newest delivered message other than the two placed by the fixture. */
static char *
read_delivered (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->maildir, "new", NULL);
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      if (!g_str_has_prefix (name, "100000000"))
        {
          g_autofree char *file = g_build_filename (path, name, NULL);
          char            *contents = NULL;

          g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
          return contents;
        }
    }
  return NULL;
}

static char *
expected_fingerprint (void)
{
  g_autofree char *path = cert_path ("server.pem");
  g_autoptr (GTlsCertificate) certificate = g_tls_certificate_new_from_file (path, NULL);
  g_autoptr (GByteArray) der = NULL;
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8   digest[32];
  gsize    len = sizeof digest;
  GString *out = g_string_new (NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  g_checksum_update (checksum, der->data, der->len);
  g_checksum_get_digest (checksum, digest, &len);
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (out, "%s%02X", i > 0 ? ":" : "", digest[i]);
  return g_string_free (out, FALSE);
}

static void
assert_no_password (Run *run)
{
  g_assert_null (strstr (run->out, PASSWORD));
  g_assert_null (strstr (run->err, PASSWORD));
}

/* POP3. */

static void
test_pop3_stat_list_uidl (Fixture      *f,
                          gconstpointer data)
{
  g_auto (Run) stat = { 0 };
  g_auto (Run) list = { 0 };
  g_auto (Run) uidl = { 0 };
  g_auto (Run) one = { 0 };
  g_auto (GStrv) lines = NULL;
  guint64 total = 0;
  guint64 count = 0;

  run_cli (&list, NULL, POP3 (f), "list");
  g_assert_cmpint (list.status, ==, 0);
  lines = g_strsplit (list.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_true (g_str_has_prefix (lines[0], "1 "));
  g_assert_true (g_str_has_prefix (lines[1], "2 "));
  total = g_ascii_strtoull (lines[0] + 2, NULL, 10) + g_ascii_strtoull (lines[1] + 2, NULL, 10);

  run_cli (&stat, NULL, POP3 (f), "stat");
  g_assert_cmpint (stat.status, ==, 0);
  count = g_ascii_strtoull (stat.out, NULL, 10);
  g_assert_cmpuint (count, ==, 2);
  g_assert_cmpuint (g_ascii_strtoull (strchr (stat.out, ' ') + 1, NULL, 10), ==, total);

  run_cli (&uidl, NULL, POP3 (f), "uidl");
  g_assert_cmpint (uidl.status, ==, 0);
  g_assert_nonnull (strstr (uidl.out, "1 1000000001.M1P1.test"));
  g_assert_nonnull (strstr (uidl.out, "2 1000000002.M2P2.test"));

  run_cli (&one, NULL, POP3 (f), "uidl", "2");
  g_assert_cmpint (one.status, ==, 0);
  g_assert_true (g_str_has_prefix (one.out, "2 1000000002.M2P2.test"));
}

static void
test_pop3_top (Fixture      *f,
               gconstpointer data)
{
  g_auto (Run) run = { 0 };
  const char *body = strstr (message_one, "\r\n\r\n") + 4;

  run_cli (&run, NULL, POP3 (f), "top", "1");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (run.out_len, ==, (size_t) (body - message_one));
  g_assert_cmpmem (run.out, run.out_len, message_one, body - message_one);
}

/* The embedded server sends a stored bare LF as CRLF, as Dovecot does: what
 * reaches the client is the file with that one line end changed. */
static char *
message_two_on_wire (void)
{
  g_auto (GStrv) parts = g_strsplit (message_two, "bare\nLF", 2);

  return g_strjoinv ("bare\r\nLF", parts);
}

static void
test_pop3_retr (Fixture      *f,
                gconstpointer data)
{
  g_autofree char *wire = message_two_on_wire ();
  g_auto (Run) run = { 0 };
  g_auto (Run) saved = { 0 };
  g_autofree char *path = g_build_filename (f->dir, "rescued.eml", NULL);
  g_autofree char *part = g_strconcat (path, ".part", NULL);
  g_autofree char *contents = NULL;
  size_t           len = 0;

  run_cli (&run, NULL, POP3 (f), "retr", "2");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpmem (run.out, run.out_len, wire, strlen (wire));

  run_cli (&saved, NULL, POP3 (f), "retr", "2", "-o", path);
  g_assert_cmpint (saved.status, ==, 0);
  g_assert_cmpuint (saved.out_len, ==, 0);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, wire, strlen (wire));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
}

/* A server that passes a bare LF, a NUL-free binary-ish line and stuffed
 * dots: the bytes come out exactly as unstuffed. */
static void
test_pop3_retr_exact (void)
{
  static const char body[] = "Subject: raw\r\n\r\n.dot\r\nbare\nLF\r\nlone\rCR\r\n\xff\xfe\r\n";
  g_autoptr (MwFakeServer) fake = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autofree char *port = NULL;
  g_auto (Run) run = { 0 };

  mw_fake_server_send (fake, "+OK fake ready\r\n");
  mw_fake_server_expect (fake, "CAPA");
  mw_fake_server_send (fake, "+OK\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n");
  mw_fake_server_expect (fake, "USER " USER);
  mw_fake_server_send (fake, "+OK\r\n");
  mw_fake_server_expect (fake, "PASS " PASSWORD);
  mw_fake_server_send (fake, "+OK logged in\r\n");
  mw_fake_server_expect (fake, "LIST 1");
  mw_fake_server_send (fake, "+OK 1 42\r\n");
  mw_fake_server_expect (fake, "RETR 1");
  mw_fake_server_send (fake, "+OK 42 octets\r\nSubject: raw\r\n\r\n..dot\r\nbare\nLF\r\nlone\rCR\r\n\xff\xfe\r\n.\r\n");
  mw_fake_server_expect (fake, "QUIT");
  mw_fake_server_send (fake, "+OK bye\r\n");
  mw_fake_server_close (fake);
  mw_fake_server_start (fake);
  port = g_strdup_printf ("%u", mw_fake_server_get_port (fake));

  run_cli (&run, NULL, "pop3", "-H", "127.0.0.1", "-p", port, "-s", "none", "--allow-plaintext",
           "-u", USER, "--password-env", "MW_TEST_PASSWORD", "retr", "1");
  g_assert_true (mw_fake_server_wait (fake, 10000));
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpmem (run.out, run.out_len, body, strlen (body));
}

static void
test_pop3_dele (Fixture      *f,
                gconstpointer data)
{
  g_auto (Run) run = { 0 };

  run_cli (&run, NULL, POP3 (f), "dele", "1");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Deleted message 1"));
  g_assert_false (g_file_test (f->file_one, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (f->file_two, G_FILE_TEST_EXISTS));
}

static void
test_pop3_dele_uid (Fixture      *f,
                    gconstpointer data)
{
  g_auto (Run) unknown = { 0 };
  g_auto (Run) run = { 0 };
  g_auto (Run) uidl = { 0 };
  g_autofree char *uid = NULL;

  run_cli (&unknown, NULL, POP3 (f), "dele", "--uid", "no-such-uid");
  g_assert_cmpint (unknown.status, ==, 1);
  g_assert_nonnull (strstr (unknown.err, "no-such-uid"));
  g_assert_nonnull (strstr (unknown.err, "nothing was deleted"));
  g_assert_cmpuint (count_messages (f), ==, 2);

  run_cli (&uidl, NULL, POP3 (f), "uidl", "2");
  g_assert_cmpint (uidl.status, ==, 0);
  uid = g_strstrip (g_strdup (uidl.out + 2));

  run_cli (&run, NULL, POP3 (f), "dele", "--uid", uid);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, uid));
  g_assert_false (g_file_test (f->file_two, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (f->file_one, G_FILE_TEST_EXISTS));
}

static void
test_pop3_dele_quit_fails (void)
{
  g_autoptr (MwFakeServer) fake = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autofree char *port = NULL;
  g_auto (Run) run = { 0 };

  mw_fake_server_send (fake, "+OK fake ready\r\n");
  mw_fake_server_expect (fake, "CAPA");
  mw_fake_server_send (fake, "+OK\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n");
  mw_fake_server_expect (fake, "USER " USER);
  mw_fake_server_send (fake, "+OK\r\n");
  mw_fake_server_expect (fake, "PASS " PASSWORD);
  mw_fake_server_send (fake, "+OK logged in\r\n");
  mw_fake_server_expect (fake, "DELE 1");
  mw_fake_server_send (fake, "+OK marked\r\n");
  mw_fake_server_expect (fake, "QUIT");
  mw_fake_server_close (fake);
  mw_fake_server_start (fake);
  port = g_strdup_printf ("%u", mw_fake_server_get_port (fake));

  run_cli (&run, NULL, "pop3", "-H", "127.0.0.1", "-p", port, "-s", "none", "--allow-plaintext",
           "-u", USER, "--password-env", "MW_TEST_PASSWORD", "dele", "1");
  g_assert_true (mw_fake_server_wait (fake, 10000));
  g_assert_cmpint (run.status, ==, 3);
  g_assert_nonnull (strstr (run.err, "nothing was deleted"));
  g_assert_null (strstr (run.out, "Deleted"));
}

static void
test_pop3_previews_json (Fixture      *f,
                         gconstpointer data)
{
  g_auto (Run) run = { 0 };
  g_auto (Run) table = { 0 };

  run_cli (&run, NULL, POP3 (f), "previews", "--json");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "[\n  {\"number\":1,\"size\":"));
  g_assert_true (g_str_has_suffix (run.out, "}\n]\n"));
  g_assert_true (g_utf8_validate (run.out, -1, NULL));
  g_assert_nonnull (strstr (run.out, "\"uid\":\"1000000001.M1P1.test\""));
  g_assert_nonnull (strstr (run.out, "\"subject\":\"First \\\"quoted\\\" \\\\ and ünï\""));
  g_assert_nonnull (strstr (run.out, "\"from\":\"Alice\",\"from_address\":\"alice@example.org\""));
  g_assert_nonnull (strstr (run.out, "\"date\":\"2026-11-23T10:00:00Z\""));
  g_assert_nonnull (strstr (run.out, "{\"number\":2,"));
  g_assert_nonnull (strstr (run.out, "\"subject\":\"Dots\""));
  /* No raw control characters inside the JSON text. */
  for (const char *p = run.out; *p != '\0'; p++)
    g_assert_true (*p == '\n' || (unsigned char) *p >= 0x20);

  run_cli (&table, NULL, POP3 (f), "previews");
  g_assert_cmpint (table.status, ==, 0);
  g_assert_nonnull (strstr (table.out, "Dots"));
}

static void
test_pop3_serverinfo (Fixture      *f,
                      gconstpointer data)
{
  g_auto (Run) run = { 0 };
  g_autofree char *fingerprint = expected_fingerprint ();
  g_autofree char *line = g_strconcat ("SHA-256 fingerprint: ", fingerprint, NULL);

  run_cli (&run, NULL, POP3 (f), "serverinfo");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, line));
  g_assert_nonnull (strstr (run.out, "Encryption: TLS"));
  g_assert_nonnull (strstr (run.out, "Greeting: +OK"));
  g_assert_nonnull (strstr (run.out, "PIPELINING"));
  g_assert_nonnull (strstr (run.out, "Subject: CN=localhost"));
  /* CAPA is shown before and after login. */
  g_assert_nonnull (strstr (run.out, "Capabilities before login (CAPA):"));
  g_assert_nonnull (strstr (run.out, "Logged in with:"));
  g_assert_nonnull (strstr (strstr (run.out, "Logged in with:"), "Capabilities after login (CAPA):"));
}

/* Without --user: everything up to login, and nothing asked for. */
static void
test_pop3_serverinfo_anonymous (Fixture      *f,
                                gconstpointer data)
{
  g_auto (Run) run = { 0 };

  run_cli (&run, NULL, POP3_ANON (f), "-v", "serverinfo");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Greeting: +OK"));
  g_assert_nonnull (strstr (run.out, "Encryption: TLS"));
  g_assert_nonnull (strstr (run.out, "Capabilities before login (CAPA):"));
  g_assert_nonnull (strstr (run.out, "Login methods:"));
  g_assert_nonnull (strstr (run.out, "Not logged in"));
  g_assert_null (strstr (run.out, "Capabilities after login"));
  g_assert_null (strstr (run.err, "C: USER"));
  g_assert_null (strstr (run.err, "C: AUTH"));
  g_assert_nonnull (strstr (run.err, "C: QUIT"));
}

/* USER and PASS typed by hand in a console opened without --user. */
static void
test_pop3_console_login (Fixture      *f,
                         gconstpointer data)
{
  g_auto (Run) run = { 0 };

  run_cli (&run, "STAT\nUSER " USER "\nPASS " PASSWORD "\nSTAT\nQUIT\n", POP3_ANON (f), "-v", "console");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "not logged in"));
  g_assert_nonnull (strstr (run.err, "C: USER " USER));
  g_assert_nonnull (strstr (run.err, "C: PASS ********"));
  g_assert_nonnull (strstr (run.err, "Logged in with USER"));
  /* STAT before login is refused by the server, after it answered. */
  g_assert_nonnull (strstr (run.out, "-ERR"));
  g_assert_nonnull (strstr (run.out, "+OK 2 "));
  assert_no_password (&run);
}

/* PASS over an unencrypted connection only with --allow-plaintext. */
static void
test_pop3_console_plaintext (Fixture      *f,
                             gconstpointer data)
{
  g_auto (Run) refused = { 0 };
  g_auto (Run) allowed = { 0 };
  g_autofree char *port = g_strdup_printf ("%u", mw_mail_server_get_pop3_port (f->server));
  const char      *input = "USER " USER "\nPASS " PASSWORD "\nQUIT\n";

  run_cli (&refused, input, "pop3", "-H", "127.0.0.1", "-p", port, "-s", "none", "-v", "console");
  g_assert_cmpint (refused.status, ==, 0);
  g_assert_nonnull (strstr (refused.err, "PASS was not sent"));
  g_assert_nonnull (strstr (refused.err, "--allow-plaintext"));
  g_assert_null (strstr (refused.err, "C: PASS"));
  g_assert_null (strstr (refused.err, "Logged in"));
  assert_no_password (&refused);

  run_cli (&allowed, input, "pop3", "-H", "127.0.0.1", "-p", port, "-s", "none", "--allow-plaintext",
           "-v", "console");
  g_assert_cmpint (allowed.status, ==, 0);
  /* Sent this time (the embedded server still wants STLS first). */
  g_assert_nonnull (strstr (allowed.err, "C: PASS ********"));
  g_assert_null (strstr (allowed.err, "was not sent"));
  assert_no_password (&allowed);
}

static void
test_pop3_console (Fixture      *f,
                   gconstpointer data)
{
  g_auto (Run) run = { 0 };

  run_cli (&run, "CAPA\nhelp LAST\nPASS hunter2\nDELE 1\nRSET\nQUIT\n", POP3 (f), "-v", "console");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "+OK Capability list follows\nTOP\n"));
  g_assert_nonnull (strstr (run.out, "\nUIDL\n"));
  g_assert_nonnull (strstr (run.out, "RFC 1460"));
  g_assert_nonnull (strstr (run.out, "RFC 1725"));
  g_assert_nonnull (strstr (run.err, "C: PASS ********"));
  g_assert_nonnull (strstr (run.err, "applied at QUIT"));
  g_assert_null (strstr (run.out, "hunter2"));
  g_assert_null (strstr (run.err, "hunter2"));
  assert_no_password (&run);
  /* RSET undid the mark. */
  g_assert_cmpuint (count_messages (f), ==, 2);
}

/* Not a terminal: the warnings go to standard error and the commands are
 * sent without asking. */
static void
test_pop3_console_warnings (Fixture      *f,
                            gconstpointer data)
{
  g_auto (Run) run = { 0 };
  g_auto (Run) help = { 0 };

  run_cli (&run, "DELE 1\nDELE 2\nRSET\nDELE 2\nQUIT\n", POP3 (f), "console");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "DELE only marks the message"));
  g_assert_nonnull (strstr (run.err, "RSET unmarks the 2 messages marked with DELE"));
  g_assert_nonnull (strstr (run.err, "QUIT deletes the 1 message marked with DELE"));
  g_assert_null (strstr (run.err, "[y/N]"));
  g_assert_null (strstr (run.err, "Not sent"));
  /* RSET undid two marks, QUIT applied the third. */
  g_assert_cmpuint (count_messages (f), ==, 1);
  g_assert_true (g_file_test (f->file_one, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (f->file_two, G_FILE_TEST_EXISTS));

  run_cli (&help, NULL, "pop3", "console", "--help");
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "asks for confirmation"));
  g_assert_nonnull (strstr (help.out, "without asking"));
}

/* A terminal: each warning asks, and only "y" sends. */
static void
test_pop3_console_confirm (Fixture      *f,
                           gconstpointer data)
{
  g_auto (Run) run = { 0 };

  run_cli_tty (&run, "DELE 1\nn\nDELE 2\ny\nQUIT\n\nQUIT\nyes\n", POP3 (f), "-v", "console");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "Send it? [y/N]"));
  /* DELE 1 and the first QUIT were declined. */
  g_assert_null (strstr (run.err, "C: DELE 1"));
  g_assert_nonnull (strstr (run.err, "C: DELE 2"));
  g_assert_nonnull (strstr (strstr (run.err, "Not sent.") + 1, "Not sent."));
  g_assert_nonnull (strstr (run.err, "QUIT deletes the 1 message"));
  g_assert_nonnull (strstr (run.err, "C: QUIT"));
  g_assert_true (g_file_test (f->file_one, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (f->file_two, G_FILE_TEST_EXISTS));
  assert_no_password (&run);
}

static void
test_usage (Fixture      *f,
            gconstpointer data)
{
  g_auto (Run) none = { 0 };
  g_auto (Run) unknown = { 0 };
  g_auto (Run) number = { 0 };
  g_auto (Run) host = { 0 };
  g_auto (Run) help = { 0 };
  g_auto (Run) sub_help = { 0 };
  g_auto (Run) smtp = { 0 };

  run_cli (&none, NULL, "pop3");
  g_assert_cmpint (none.status, ==, 2);
  run_cli (&unknown, NULL, "pop3", "-H", "localhost", "bogus");
  g_assert_cmpint (unknown.status, ==, 2);
  run_cli (&number, NULL, POP3 (f), "list", "abc");
  g_assert_cmpint (number.status, ==, 2);
  run_cli (&host, NULL, "pop3", "stat");
  g_assert_cmpint (host.status, ==, 2);
  g_assert_nonnull (strstr (host.err, "--host"));
  run_cli (&help, NULL, "pop3", "--help");
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "previews"));
  g_assert_nonnull (strstr (help.out, "console"));
  run_cli (&sub_help, NULL, "pop3", "retr", "--help");
  g_assert_cmpint (sub_help.status, ==, 0);
  g_assert_nonnull (strstr (sub_help.out, "--output"));
  run_cli (&smtp, NULL, "smtp", "-H", "localhost", "send", "--to", "carol@example.org");
  g_assert_cmpint (smtp.status, ==, 2);
}

static void
test_pop3_wrong_password (Fixture      *f,
                          gconstpointer data)
{
  g_auto (Run) run = { 0 };
  g_autofree char *bad = g_build_filename (f->dir, "bad", NULL);

  g_assert_true (g_file_set_contents (bad, "wrong\n", -1, NULL));
  run_cli (&run, NULL, "pop3", "-H", "localhost", "-p", f->pop3s, "-u", USER, "--password-file", bad,
           "--ca-file", f->ca_file, "--auth", "USER", "-v", "stat");
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "mailwire-cli: "));
  g_assert_nonnull (strstr (run.err, "“-ERR"));
  g_assert_nonnull (strstr (run.err, "\n  "));
  g_assert_null (strstr (run.err, "wrong\n"));
  g_assert_nonnull (strstr (run.err, "PASS ********"));
}

static void
test_pop3_connection_refused (void)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *port = NULL;
  g_auto (Run) run = { 0 };

  /* A port that was free a moment ago and is closed now. */
  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);
  port = g_strdup_printf ("%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_listener_close (listener);

  run_cli (&run, NULL, "pop3", "-H", "127.0.0.1", "-p", port, "-u", USER, "--password-env",
           "MW_TEST_PASSWORD", "stat");
  g_assert_cmpint (run.status, ==, 3);
  g_assert_nonnull (strstr (run.err, "mailwire-cli: "));
}

static void
test_pop3_bad_certificate (Fixture      *f,
                           gconstpointer data)
{
  g_auto (Run) run = { 0 };
  g_auto (Run) pinned = { 0 };
  g_autofree char *fingerprint = expected_fingerprint ();

  run_cli (&run, NULL, "pop3", "-H", "localhost", "-p", f->pop3s, "-u", USER, "--password-file",
           f->password_file, "stat");
  g_assert_cmpint (run.status, ==, 3);
  g_assert_nonnull (strstr (run.err, "unknown authority"));
  g_assert_nonnull (strstr (run.err, fingerprint));

  run_cli (&pinned, NULL, "pop3", "-H", "localhost", "-p", f->pop3s, "-u", USER, "--password-file",
           f->password_file, "--fingerprint", fingerprint, "stat");
  g_assert_cmpint (pinned.status, ==, 0);
}

static void
test_pop3_password_env (Fixture      *f,
                        gconstpointer data)
{
  g_auto (Run) run = { 0 };
  g_auto (Run) missing = { 0 };

  run_cli (&run, NULL, "pop3", "-H", "localhost", "-p", f->pop3s, "-u", USER, "--password-env",
           "MW_TEST_PASSWORD", "--ca-file", f->ca_file, "--auth", "USER", "-v", "stat");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "2 "));
  g_assert_nonnull (strstr (run.err, "C: PASS ********"));
  assert_no_password (&run);

  run_cli (&missing, NULL, "pop3", "-H", "localhost", "-p", f->pop3s, "-u", USER, "--password-env",
           "MW_NO_SUCH_VARIABLE", "stat");
  g_assert_cmpint (missing.status, ==, 2);
}

static void
test_pop3_fetch (Fixture      *f,
                 gconstpointer data)
{
  g_auto (Run) run = { 0 };
  g_auto (Run) again = { 0 };
  g_autofree char *local = g_build_filename (f->dir, "local", NULL);

  run_cli (&run, NULL, POP3 (f), "fetch", "--maildir", local);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "2 messages downloaded"));
  g_assert_cmpuint (count_messages (f), ==, 2);

  run_cli (&again, NULL, POP3 (f), "fetch", "--maildir", local, "--delete");
  g_assert_cmpint (again.status, ==, 0);
  g_assert_nonnull (strstr (again.out, "0 messages downloaded"));
  g_assert_nonnull (strstr (again.out, "Deleted message 1"));
  g_assert_cmpuint (count_messages (f), ==, 0);
}

/* A server without UIDL: messages are recognised by their headers, so a
 * second run downloads nothing and --delete still removes them. */
static void
test_pop3_fetch_no_uidl (Fixture      *f,
                         gconstpointer data)
{
  g_auto (Run) run = { 0 };
  g_auto (Run) again = { 0 };
  g_auto (Run) delete = { 0 };
  g_autofree char *local = g_build_filename (f->dir, "local", NULL);

  mw_mail_server_set_pop3_uidl (f->server, FALSE);

  run_cli (&run, NULL, POP3 (f), "fetch", "--maildir", local);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "recognised by their headers"));
  g_assert_nonnull (strstr (run.out, "2 messages downloaded"));
  g_assert_cmpuint (count_in (local), ==, 2);

  run_cli (&again, NULL, POP3 (f), "fetch", "--maildir", local);
  g_assert_cmpint (again.status, ==, 0);
  g_assert_nonnull (strstr (again.out, "0 messages downloaded"));
  g_assert_cmpuint (count_in (local), ==, 2);

  run_cli (&delete, NULL, POP3 (f), "fetch", "--maildir", local, "--delete");
  g_assert_cmpint (delete.status, ==, 0);
  g_assert_nonnull (strstr (delete.out, "0 messages downloaded"));
  g_assert_nonnull (strstr (delete.out, "Deleted message 2"));
  g_assert_cmpuint (count_messages (f), ==, 0);
  g_assert_cmpuint (count_in (local), ==, 2);
}

/* Without UIDL and TOP nothing identifies a message: everything is
 * downloaded each time and nothing is ever deleted. */
static void
test_pop3_fetch_no_uidl_no_top (Fixture      *f,
                                gconstpointer data)
{
  g_auto (Run) run = { 0 };
  g_auto (Run) again = { 0 };
  g_autofree char *local = g_build_filename (f->dir, "local", NULL);

  mw_mail_server_set_pop3_uidl (f->server, FALSE);
  mw_mail_server_set_pop3_top (f->server, FALSE);

  run_cli (&run, NULL, POP3 (f), "fetch", "--maildir", local, "--delete");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "cannot be recognised by its headers"));
  g_assert_nonnull (strstr (run.err, "nothing is deleted"));
  g_assert_nonnull (strstr (run.out, "2 messages downloaded"));
  g_assert_null (strstr (run.out, "Deleted"));
  g_assert_cmpuint (count_messages (f), ==, 2);
  g_assert_cmpuint (count_in (local), ==, 2);

  run_cli (&again, NULL, POP3 (f), "fetch", "--maildir", local, "--delete");
  g_assert_cmpint (again.status, ==, 0);
  g_assert_cmpuint (count_messages (f), ==, 2);
  g_assert_cmpuint (count_in (local), ==, 4);
}

/* SMTP. */

static void
test_smtp_send_bcc (Fixture      *f,
                    gconstpointer data)
{
  g_auto (Run) run = { 0 };
  g_autofree char *delivered = NULL;

  run_cli (&run, "Hello Carol.\n.a line with a dot\n", SMTP (f), "-v", "send", "--from",
           "alice@example.org", "--to", "carol@example.org", "--bcc", "dave@example.org",
           "--subject", "Greetings");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "carol@example.org: accepted: 250"));
  g_assert_nonnull (strstr (run.out, "dave@example.org: accepted: 250"));
  assert_no_password (&run);

  delivered = read_delivered (f);
  g_assert_nonnull (delivered);
  g_assert_nonnull (strstr (delivered, "Subject: Greetings"));
  g_assert_nonnull (strstr (delivered, "\n.a line with a dot"));
  g_assert_null (strstr (delivered, "Bcc:"));
  g_assert_null (strstr (delivered, "dave@example.org"));
}

static void
test_smtp_partly_refused (Fixture      *f,
                          gconstpointer data)
{
  g_auto (Run) run = { 0 };
  g_auto (Run) all = { 0 };
  g_autofree char *file = g_build_filename (f->dir, "message.eml", NULL);

  g_assert_true (g_file_set_contents (file, message_one, -1, NULL));
  run_cli (&run, NULL, SMTP (f), "send", "--from", "alice@example.org", "--to", "carol@example.org",
           "--to", REFUSED, file);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "carol@example.org: accepted: 250"));
  g_assert_nonnull (strstr (run.out, REFUSED ": refused: 550 5.1.1"));
  g_assert_nonnull (strstr (run.err, "\n  "));

  run_cli (&all, NULL, SMTP (f), "send", "--from", "alice@example.org", "--to", REFUSED, file);
  g_assert_cmpint (all.status, ==, 1);
  g_assert_nonnull (strstr (all.out, REFUSED ": refused: 550 5.1.1"));
}

static void
test_smtp_uncertain (void)
{
  g_autoptr (MwFakeServer) fake = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autofree char *port = NULL;
  g_auto (Run) run = { 0 };

  mw_fake_server_send (fake, "220 fake ESMTP\r\n");
  mw_fake_server_expect_any (fake);
  mw_fake_server_send (fake, "250 fake\r\n");
  mw_fake_server_expect (fake, "MAIL FROM:<alice@example.org>");
  mw_fake_server_send (fake, "250 ok\r\n");
  mw_fake_server_expect (fake, "RCPT TO:<carol@example.org>");
  mw_fake_server_send (fake, "250 ok\r\n");
  mw_fake_server_expect (fake, "DATA");
  mw_fake_server_send (fake, "354 go ahead\r\n");
  mw_fake_server_expect_until (fake, ".");
  mw_fake_server_close (fake);
  mw_fake_server_start (fake);
  port = g_strdup_printf ("%u", mw_fake_server_get_port (fake));

  run_cli (&run, "Hello.\n", "smtp", "-H", "127.0.0.1", "-p", port, "-s", "none", "send", "--from",
           "alice@example.org", "--to", "carol@example.org", "--subject", "Maybe");
  g_assert_true (mw_fake_server_wait (fake, 10000));
  g_assert_cmpint (run.status, ==, 4);
  g_assert_nonnull (strstr (run.err, "may or may not have been delivered"));
  g_assert_nonnull (strstr (run.err, "NOT sent again"));
}

static void
test_smtp_console_data (Fixture      *f,
                        gconstpointer data)
{
  g_auto (Run) run = { 0 };
  g_autofree char *delivered = NULL;

  run_cli (&run,
           "help TURN\n"
           "TURN\n"
           "MAIL FROM:<alice@example.org>\n"
           "RCPT TO:<carol@example.org>\n"
           "DATA\n"
           "Subject: typed\n"
           "\n"
           ".starts with a dot\n"
           "last line\n"
           ".\n"
           "QUIT\n",
           SMTP (f), "-v", "console");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "unsafe"));
  g_assert_nonnull (strstr (run.err, "TURN is not sent"));
  g_assert_nonnull (strstr (run.out, "354"));
  g_assert_nonnull (strstr (run.out, "221"));
  assert_no_password (&run);

  delivered = read_delivered (f);
  g_assert_nonnull (delivered);
  g_assert_nonnull (strstr (delivered, "Subject: typed\r\n\r\n.starts with a dot\r\nlast line\r\n"));
}

/* BDAT typed by hand: the lines after it make the chunk, counted with
 * their CRLF, sent as they are (no dot-stuffing); a count that does not
 * match sends nothing. */
static void
test_smtp_console_bdat (Fixture      *f,
                        gconstpointer data)
{
  g_auto (Run) run = { 0 };
  g_autofree char *delivered = NULL;

  run_cli (&run,
           "MAIL FROM:<alice@example.org>\n"
           "RCPT TO:<carol@example.org>\n"
           "BDAT 5\n"
           "more than five\n"
           "BDAT 20\n"
           "Subject: chunked\n"
           "\n"
           "BDAT 12 LAST\n"
           ".dot stays\n"
           "QUIT\n",
           SMTP (f), "-v", "console");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "comes to 16 bytes, more than the 5 BDAT announced"));
  g_assert_null (strstr (run.err, "C: BDAT 5"));
  g_assert_nonnull (strstr (run.err, "C: BDAT 20"));
  g_assert_nonnull (strstr (run.err, "C: BDAT 12 LAST"));
  g_assert_nonnull (strstr (run.out, "221"));

  delivered = read_delivered (f);
  g_assert_nonnull (delivered);
  g_assert_nonnull (strstr (delivered, "Subject: chunked\r\n\r\n.dot stays\r\n"));
  g_assert_null (strstr (delivered, "more than five"));
}

static void
test_smtp_serverinfo (Fixture      *f,
                      gconstpointer data)
{
  g_auto (Run) run = { 0 };
  g_auto (Run) verify = { 0 };
  g_autofree char *fingerprint = expected_fingerprint ();

  run_cli (&run, NULL, SMTP (f), "serverinfo");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, fingerprint));
  g_assert_nonnull (strstr (run.out, "52428800 bytes"));
  g_assert_nonnull (strstr (run.out, "CHUNKING"));
  g_assert_nonnull (strstr (run.out, "Login methods: PLAIN"));

  run_cli (&verify, NULL, SMTP (f), "verify", "carol@example.org");
  g_assert_cmpint (verify.status, <=, 1);
  g_assert_true (g_ascii_isdigit (verify.out[0]));
}

/* RSET after MAIL FROM warns that the envelope is discarded. */
static void
test_smtp_console_warnings (Fixture      *f,
                            gconstpointer data)
{
  g_auto (Run) run = { 0 };

  run_cli (&run, "RSET\nMAIL FROM:<alice@example.org>\nRSET\nMAIL FROM:<alice@example.org>\nQUIT\n", SMTP (f), "console");
  g_assert_cmpint (run.status, ==, 0);
  /* Once for the RSET after MAIL, not for the first one. */
  g_assert_nonnull (strstr (run.err, "RSET discards the sender"));
  g_assert_null (strstr (strstr (run.err, "RSET discards the sender") + 1, "RSET discards the sender"));
  g_assert_nonnull (strstr (run.err, "QUIT ends the session before DATA"));
  g_assert_null (strstr (run.err, "[y/N]"));
  g_assert_nonnull (strstr (run.out, "221"));
}

static void
test_smtp_serverinfo_anonymous (Fixture      *f,
                                gconstpointer data)
{
  g_auto (Run) run = { 0 };

  run_cli (&run, NULL, SMTP_ANON (f), "-v", "serverinfo");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Encryption: TLS"));
  g_assert_nonnull (strstr (run.out, "Login methods: PLAIN"));
  g_assert_nonnull (strstr (run.out, "Capabilities (EHLO):"));
  g_assert_null (strstr (run.out, "Logged in with"));
  g_assert_null (strstr (run.err, "C: AUTH"));
}

/* AUTH typed by hand, its response on the next line: never shown. */
static void
test_smtp_console_auth (Fixture      *f,
                        gconstpointer data)
{
  g_auto (Run) run = { 0 };

  run_cli (&run, "AUTH PLAIN\n" PLAIN_B64 "\nQUIT\n", SMTP_ANON (f), "-v", "console");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "not logged in"));
  g_assert_nonnull (strstr (run.out, "334"));
  g_assert_nonnull (strstr (run.out, "235"));
  g_assert_nonnull (strstr (run.err, "C: ****"));
  g_assert_nonnull (strstr (run.err, "Logged in with PLAIN"));
  g_assert_null (strstr (run.out, PLAIN_B64));
  g_assert_null (strstr (run.err, PLAIN_B64));
  assert_no_password (&run);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/cli/pop3/stat-list-uidl", test_pop3_stat_list_uidl);
  ADD ("/cli/pop3/top", test_pop3_top);
  ADD ("/cli/pop3/retr", test_pop3_retr);
  g_test_add_func ("/cli/pop3/retr-exact", test_pop3_retr_exact);
  ADD ("/cli/pop3/dele", test_pop3_dele);
  ADD ("/cli/pop3/dele-uid", test_pop3_dele_uid);
  g_test_add_func ("/cli/pop3/dele-quit-fails", test_pop3_dele_quit_fails);
  ADD ("/cli/pop3/previews-json", test_pop3_previews_json);
  ADD ("/cli/pop3/serverinfo", test_pop3_serverinfo);
  ADD ("/cli/pop3/console", test_pop3_console);
  ADD ("/cli/pop3/serverinfo-anonymous", test_pop3_serverinfo_anonymous);
  ADD ("/cli/pop3/console-login", test_pop3_console_login);
  ADD ("/cli/pop3/console-plaintext", test_pop3_console_plaintext);
  ADD ("/cli/pop3/console-warnings", test_pop3_console_warnings);
  ADD ("/cli/pop3/console-confirm", test_pop3_console_confirm);
  ADD ("/cli/usage", test_usage);
  ADD ("/cli/pop3/wrong-password", test_pop3_wrong_password);
  g_test_add_func ("/cli/pop3/connection-refused", test_pop3_connection_refused);
  ADD ("/cli/pop3/bad-certificate", test_pop3_bad_certificate);
  ADD ("/cli/pop3/password-env", test_pop3_password_env);
  ADD ("/cli/pop3/fetch", test_pop3_fetch);
  ADD ("/cli/pop3/fetch-no-uidl", test_pop3_fetch_no_uidl);
  ADD ("/cli/pop3/fetch-no-uidl-no-top", test_pop3_fetch_no_uidl_no_top);
  ADD ("/cli/smtp/send-bcc", test_smtp_send_bcc);
  ADD ("/cli/smtp/partly-refused", test_smtp_partly_refused);
  g_test_add_func ("/cli/smtp/uncertain", test_smtp_uncertain);
  ADD ("/cli/smtp/console-data", test_smtp_console_data);
  ADD ("/cli/smtp/console-bdat", test_smtp_console_bdat);
  ADD ("/cli/smtp/serverinfo", test_smtp_serverinfo);
  ADD ("/cli/smtp/serverinfo-anonymous", test_smtp_serverinfo_anonymous);
  ADD ("/cli/smtp/console-auth", test_smtp_console_auth);
  ADD ("/cli/smtp/console-warnings", test_smtp_console_warnings);
#undef ADD

  return g_test_run ();
}
