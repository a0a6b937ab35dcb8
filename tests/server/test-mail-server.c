/* test-mail-server.c: the embedded POP3 and SMTP server, over the wire
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-mail-server.h"

#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#define USER     "alice"
#define PASSWORD "secret pass"
/* Seconds before a silent server fails a test instead of hanging it. */
#define CLIENT_TIMEOUT 20

/* GLib 2.74 leaks the directories G_TEST_OPTION_ISOLATE_DIRS sets up. To
 * recognise them, LeakSanitizer needs whole stacks: GLib has no frame
 * pointers. Both hooks are read only under the sanitizers. */
const char *__lsan_default_suppressions (void);
const char *__asan_default_options (void);

const char *
__lsan_default_suppressions (void)
{
  return "leak:g_set_user_dirs\n";
}

const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}

/* A blocking client with exact framing checks. */

typedef struct
{
  GSocketConnection *connection;
  GIOStream         *io;
  GString           *buf;
  guint16            port;
} Client;

static char *
cert_path (const char *name)
{
  return g_build_filename (TEST_CERTS_DIR, name, NULL);
}

static void
client_start_tls (Client *c)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *ca = cert_path ("ca.pem");
  g_autoptr (GTlsDatabase) database = NULL;
  g_autoptr (GSocketConnectable) identity = NULL;
  g_autoptr (GIOStream) tls = NULL;

  /* Whatever the server sent before the handshake would be an injection. */
  g_assert_cmpuint (c->buf->len, ==, 0);

  database = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);
  identity = g_network_address_new ("localhost", c->port);
  tls = g_tls_client_connection_new (c->io, identity, &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
  g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error);
  g_assert_no_error (error);

  g_set_object (&c->io, tls);
}

static Client *
client_new (guint16  port,
            gboolean tls)
{
  g_autoptr (GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  Client *c = g_new0 (Client, 1);

  c->port = port;
  c->buf = g_string_new (NULL);
  /* No proxy lookup: it would need GSettings schemas. */
  g_socket_client_set_enable_proxy (socket_client, FALSE);
  c->connection = g_socket_client_connect (socket_client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (c->connection), CLIENT_TIMEOUT);
  c->io = g_object_ref (G_IO_STREAM (c->connection));

  if (tls)
    client_start_tls (c);

  return c;
}

static void
client_free (Client *c)
{
  g_io_stream_close (c->io, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (c->connection), NULL, NULL);
  g_object_unref (c->io);
  g_object_unref (c->connection);
  g_string_free (c->buf, TRUE);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

static void
client_send_len (Client     *c,
                 const char *data,
                 size_t      len)
{
  g_autoptr (GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (c->io), data, len, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
client_send (Client     *c,
             const char *str)
{
  client_send_len (c, str, strlen (str));
}

/* Returns the number of bytes read; 0 at the end of the stream. */
static gssize
client_read_more (Client *c)
{
  g_autoptr (GError) error = NULL;
  char   chunk[16384];
  gssize n;

  n = g_input_stream_read (g_io_stream_get_input_stream (c->io), chunk, sizeof chunk, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
      g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_EOF) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
    return 0;
  g_assert_no_error (error);
  g_string_append_len (c->buf, chunk, n);

  return n;
}

/* One line, without its CRLF, which must be there. */
static char *
client_read_line (Client *c)
{
  char *crlf;
  char *line;

  while ((crlf = strstr (c->buf->str, "\r\n")) == NULL)
    g_assert_cmpint (client_read_more (c), >, 0);

  line = g_strndup (c->buf->str, (size_t) (crlf - c->buf->str));
  g_assert_null (strchr (line, '\n'));
  g_string_erase (c->buf, 0, crlf + 2 - c->buf->str);

  return line;
}

static void
client_expect (Client     *c,
               const char *expected)
{
  g_autofree char *line = client_read_line (c);

  g_assert_cmpstr (line, ==, expected);
}

static void
client_expect_prefix (Client     *c,
                      const char *prefix)
{
  g_autofree char *line = client_read_line (c);

  if (!g_str_has_prefix (line, prefix))
    g_error ("Expected a line starting with “%s”, got “%s”", prefix, line);
}

/* The raw body of a multi-line reply up to, not including, ".\r\n". */
static GString *
client_read_body (Client *c)
{
  GString *body = g_string_new (NULL);

  for (;;)
    {
      char *crlf;

      while ((crlf = strstr (c->buf->str, "\r\n")) == NULL)
        g_assert_cmpint (client_read_more (c), >, 0);

      if (crlf == c->buf->str + 1 && c->buf->str[0] == '.')
        {
          g_string_erase (c->buf, 0, 3);
          return body;
        }

      g_string_append_len (body, c->buf->str, crlf + 2 - c->buf->str);
      g_string_erase (c->buf, 0, crlf + 2 - c->buf->str);
    }
}

static void
client_expect_body (Client     *c,
                    const char *expected)
{
  g_autoptr (GString) body = client_read_body (c);

  g_assert_cmpstr (body->str, ==, expected);
}

static void
client_expect_closed (Client *c)
{
  g_assert_cmpuint (c->buf->len, ==, 0);
  g_assert_cmpint (client_read_more (c), ==, 0);
}

static char *
unstuff (const char *raw)
{
  GString *out = g_string_new (NULL);
  gboolean line_start = TRUE;

  for (const char *p = raw; *p != '\0'; p++)
    {
      if (line_start && *p == '.')
        {
          line_start = FALSE;
          continue;
        }
      g_string_append_c (out, *p);
      line_start = *p == '\n';
    }

  return g_string_free (out, FALSE);
}

/* Fixture */

typedef struct
{
  char         *maildir;
  MwMailServer *server;
} Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  f->maildir = g_build_filename (g_get_user_data_dir (), "Maildir", NULL);
  f->server = mw_mail_server_new (f->maildir);
  mw_mail_server_add_user (f->server, USER, PASSWORD);
  mw_mail_server_set_auth_failure_delay (f->server, 50);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  g_autofree char *lock = g_build_filename (f->maildir, "mailwire-pop3.lock", NULL);
  g_autofree char *tmp = g_build_filename (f->maildir, "tmp", NULL);
  g_autoptr (GDir) dir = NULL;

  mw_mail_server_stop (f->server);
  g_assert_finalize_object (f->server);

  /* Nothing left behind: no lock, no half-delivered message. */
  g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));
  dir = g_dir_open (tmp, 0, NULL);
  if (dir != NULL)
    g_assert_null (g_dir_read_name (dir));

  g_free (f->maildir);
}

static void
start (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  mw_mail_server_start (f->server, &error);
  g_assert_no_error (error);
}

static void
start_with_certificate (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *cert = cert_path ("server.pem");
  g_autofree char *key = cert_path ("server-key.pem");
  g_autoptr (GTlsCertificate) certificate = g_tls_certificate_new_from_files (cert, key, &error);

  g_assert_no_error (error);
  mw_mail_server_set_certificate (f->server, certificate);
  start (f);
}

/* Puts a message file in the Maildir with a given delivery time. */
static char *
put_message (Fixture    *f,
             const char *name,
             const char *contents,
             time_t      mtime)
{
  g_autoptr (GError) error = NULL;
  char            *path = g_build_filename (f->maildir, name, NULL);
  struct utimbuf   times = { mtime, mtime };
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_utime (path, &times), ==, 0);

  return path;
}

static guint
count_files (Fixture    *f,
             const char *subdir)
{
  g_autofree char *path = g_build_filename (f->maildir, subdir, NULL);
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

static Client *
pop3_connect (Fixture *f)
{
  Client *c = client_new (mw_mail_server_get_pop3_port (f->server), FALSE);

  client_expect_prefix (c, "+OK Mailwire POP3 ready <");
  return c;
}

static void
pop3_login (Client     *c,
            const char *expected)
{
  client_send (c, "USER " USER "\r\nPASS " PASSWORD "\r\n");
  client_expect (c, "+OK Send the password");
  client_expect (c, expected);
}

static gboolean
wait_for_unlock (Fixture *f)
{
  g_autofree char *lock = g_build_filename (f->maildir, "mailwire-pop3.lock", NULL);
  gint64           deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  /* The server unlocks once it has seen the connection end. */
  while (g_file_test (lock, G_FILE_TEST_EXISTS))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_thread_yield ();
    }

  return TRUE;
}

/* POP3 */

static void
test_pop3_capa (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (Client) c = NULL;
  g_autofree char *greeting = NULL;

  start (f);
  c = client_new (mw_mail_server_get_pop3_port (f->server), FALSE);
  greeting = client_read_line (c);
  g_assert_true (g_regex_match_simple ("^\\+OK Mailwire POP3 ready <[^<>@ ]+@localhost>$", greeting, 0, 0));

  client_send (c, "CAPA\r\n");
  client_expect (c, "+OK Capability list follows");
  client_expect_body (c,
                      "TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
                      "EXPIRE NEVER\r\nLOGIN-DELAY 0\r\nUSER\r\nSASL PLAIN\r\n"
                      "IMPLEMENTATION Mailwire\r\n");

  pop3_login (c, "+OK Logged in as alice, 0 messages (0 octets)");
  client_send (c, "capa\r\n");
  client_expect (c, "+OK Capability list follows");
  client_expect_body (c,
                      "TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
                      "EXPIRE NEVER\r\nLOGIN-DELAY 0\r\nIMPLEMENTATION Mailwire\r\n");
  client_send (c, "QUIT\r\n");
  client_expect (c, "+OK Mailwire POP3 server signing off (0 messages deleted)");
  client_expect_closed (c);
}

static void
test_pop3_user_pass (Fixture      *f,
                     gconstpointer data)
{
  g_autofree char *lock = g_build_filename (f->maildir, "mailwire-pop3.lock", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *pid = g_strdup_printf ("%ld\n", (long) getpid ());
  g_autoptr (Client) c = NULL;

  start (f);
  c = pop3_connect (f);

  client_send (c, "PASS " PASSWORD "\r\n");
  client_expect (c, "-ERR Send USER first");

  pop3_login (c, "+OK Logged in as alice, 0 messages (0 octets)");

  /* The lock file holds our pid while the session runs. */
  g_assert_true (g_file_get_contents (lock, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, pid);

  client_send (c, "USER " USER "\r\n");
  client_expect (c, "-ERR Command not valid in this state");
  client_send (c, "QUIT\r\n");
  client_expect (c, "+OK Mailwire POP3 server signing off (0 messages deleted)");
  g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));
}

static void
test_pop3_wrong_password (Fixture      *f,
                          gconstpointer data)
{
  g_autoptr (Client) c = NULL;
  gint64 before;

  start (f);
  c = pop3_connect (f);

  before = g_get_monotonic_time ();
  client_send (c, "USER " USER "\r\nPASS wrong\r\n");
  client_expect (c, "+OK Send the password");
  client_expect (c, "-ERR [AUTH] Authentication failed");
  g_assert_cmpint (g_get_monotonic_time () - before, >=, 50 * 1000);

  /* An unknown user looks the same. */
  client_send (c, "USER nobody\r\nPASS " PASSWORD "\r\n");
  client_expect (c, "+OK Send the password");
  client_expect (c, "-ERR [AUTH] Authentication failed");

  client_send (c, "APOP " USER " 0123456789abcdef0123456789abcdef\r\n");
  client_expect (c, "-ERR [AUTH] Authentication failed, too many attempts");
  client_expect_closed (c);
}

static void
test_pop3_apop (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (Client) c = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *timestamp = NULL;
  g_autofree char *input = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *command = NULL;
  g_autofree char *upper = NULL;

  start (f);
  c = client_new (mw_mail_server_get_pop3_port (f->server), FALSE);
  greeting = client_read_line (c);
  timestamp = g_strdup (strchr (greeting, '<'));

  input = g_strconcat (timestamp, PASSWORD, NULL);
  digest = g_compute_checksum_for_string (G_CHECKSUM_MD5, input, -1);

  client_send (c, "APOP " USER " ffffffffffffffffffffffffffffffff\r\n");
  client_expect (c, "-ERR [AUTH] Authentication failed");

  /* Hex digits in either case. */
  upper = g_ascii_strup (digest, -1);
  command = g_strdup_printf ("APOP " USER " %s\r\n", upper);
  client_send (c, command);
  client_expect (c, "+OK Logged in as alice, 0 messages (0 octets)");
  client_send (c, "QUIT\r\n");
  client_expect (c, "+OK Mailwire POP3 server signing off (0 messages deleted)");
}

static char *
plain_response (const char *authzid,
                const char *user,
                const char *password)
{
  g_autoptr (GString) raw = g_string_new (authzid);

  g_string_append_c (raw, '\0');
  g_string_append (raw, user);
  g_string_append_c (raw, '\0');
  g_string_append (raw, password);

  return g_base64_encode ((const guchar *) raw->str, raw->len);
}

static void
test_pop3_auth_plain (Fixture      *f,
                      gconstpointer data)
{
  g_autofree char *good = plain_response ("", USER, PASSWORD);
  g_autofree char *other = plain_response ("bob", USER, PASSWORD);
  g_autofree char *command = NULL;
  g_autoptr (Client) c = NULL;
  g_autoptr (Client) d = NULL;

  start (f);
  c = pop3_connect (f);

  client_send (c, "AUTH\r\n");
  client_expect (c, "+OK");
  client_expect_body (c, "PLAIN\r\n");

  client_send (c, "AUTH CRAM-MD5\r\n");
  client_expect (c, "-ERR Unsupported authentication mechanism");

  /* Continuation, cancelled. */
  client_send (c, "AUTH PLAIN\r\n");
  client_expect (c, "+ ");
  client_send (c, "*\r\n");
  client_expect (c, "-ERR Authentication cancelled");

  /* Acting for another user is refused. */
  command = g_strdup_printf ("AUTH PLAIN %s\r\n", other);
  client_send (c, command);
  client_expect (c, "-ERR [AUTH] Authentication failed");

  client_send (c, "AUTH PLAIN not-base64!\r\n");
  client_expect (c, "-ERR [AUTH] Authentication failed");

  /* Continuation. */
  client_send (c, "AUTH PLAIN\r\n");
  client_expect (c, "+ ");
  client_send (c, good);
  client_send (c, "\r\n");
  client_expect (c, "+OK Logged in as alice, 0 messages (0 octets)");
  client_send (c, "QUIT\r\n");
  client_expect (c, "+OK Mailwire POP3 server signing off (0 messages deleted)");

  /* Initial response. */
  d = pop3_connect (f);
  g_free (command);
  command = g_strdup_printf ("AUTH plain %s\r\n", good);
  client_send (d, command);
  client_expect (d, "+OK Logged in as alice, 0 messages (0 octets)");
  client_send (d, "QUIT\r\n");
  client_expect (d, "+OK Mailwire POP3 server signing off (0 messages deleted)");
}

static void
put_three (Fixture *f)
{
  g_free (put_message (f, "new/b", "Subject: b\r\n\r\nbee\r\n", 1000)); /* 19 */
  g_free (put_message (f, "new/a", "Subject: a\n\nay\n", 2000));        /* 18 */
  g_free (put_message (f, "cur/c:2,S", "Subject: c\r\n", 2000));        /* 12 */
}

static void
test_pop3_stat_list_uidl (Fixture      *f,
                          gconstpointer data)
{
  g_autoptr (Client) c = NULL;

  put_three (f);
  start (f);
  c = pop3_connect (f);
  pop3_login (c, "+OK Logged in as alice, 3 messages (49 octets)");

  /* Delivery time first, then the file name; sizes as on the wire. */
  client_send (c, "STAT\r\n");
  client_expect (c, "+OK 3 49");
  client_send (c, "LIST\r\n");
  client_expect (c, "+OK 3 messages (49 octets)");
  client_expect_body (c, "1 19\r\n2 18\r\n3 12\r\n");
  client_send (c, "UIDL\r\n");
  client_expect (c, "+OK Unique-ID listing follows");
  client_expect_body (c, "1 b\r\n2 a\r\n3 c\r\n");

  client_send (c, "LIST 2\r\n");
  client_expect (c, "+OK 2 18");
  client_send (c, "UIDL 3\r\n");
  client_expect (c, "+OK 3 c");
  client_send (c, "LIST 4\r\n");
  client_expect (c, "-ERR No such message");
  client_send (c, "LIST 0\r\n");
  client_expect (c, "-ERR No such message");
  client_send (c, "LIST -1\r\n");
  client_expect (c, "-ERR Invalid message number");
  client_send (c, "UIDL 1 2\r\n");
  client_expect (c, "-ERR Syntax: UIDL [msg]");
  client_send (c, "NOOP\r\n");
  client_expect (c, "+OK");
  client_send (c, "QUIT\r\n");
  client_expect (c, "+OK Mailwire POP3 server signing off (0 messages deleted)");
}

static void
test_pop3_uid_and_size_from_name (Fixture      *f,
                                  gconstpointer data)
{
  g_autofree char *long_name = g_strnfill (80, 'u');
  g_autofree char *path = g_strconcat ("new/", long_name, NULL);
  g_autofree char *uidl = NULL;
  g_autoptr (Client) c = NULL;
  g_autoptr (Client) d = NULL;

  /* The size in the name is trusted; W= (wire size) wins over S=. */
  g_free (put_message (f, "new/1.x,S=999", "short\r\n", 1000));
  g_free (put_message (f, "new/2.x,S=5,W=7:2,", "short\n", 1001));
  g_free (put_message (f, "new/3 with space", "x\r\n", 1002));
  g_free (put_message (f, path, "x\r\n", 1003));
  start (f);

  c = pop3_connect (f);
  pop3_login (c, "+OK Logged in as alice, 4 messages (1012 octets)");
  client_send (c, "LIST\r\n");
  client_expect (c, "+OK 4 messages (1012 octets)");
  client_expect_body (c, "1 999\r\n2 7\r\n3 3\r\n4 3\r\n");
  client_send (c, "UIDL\r\n");
  client_expect (c, "+OK Unique-ID listing follows");
  uidl = g_string_free (client_read_body (c), FALSE);
  g_assert_true (g_regex_match_simple ("^1 1\\.x,S=999\r\n2 2\\.x,S=5,W=7\r\n3 x[0-9a-f]{40}\r\n4 x[0-9a-f]{40}\r\n$",
                                       uidl, 0, 0));
  client_send (c, "QUIT\r\n");
  client_expect_prefix (c, "+OK");

  /* The same UIDs in the next session. */
  d = pop3_connect (f);
  pop3_login (d, "+OK Logged in as alice, 4 messages (1012 octets)");
  client_send (d, "UIDL\r\n");
  client_expect (d, "+OK Unique-ID listing follows");
  client_expect_body (d, uidl);
  client_send (d, "QUIT\r\n");
  client_expect_prefix (d, "+OK");
}

static void
test_pop3_retr (Fixture      *f,
                gconstpointer data)
{
  const char      *stored = "Subject: dots\n\n.leading\n..two\r\n.\nplain\r\nlone\rcr\r\nno newline";
  const char      *wire = "Subject: dots\r\n\r\n.leading\r\n..two\r\n.\r\nplain\r\nlone\rcr\r\nno newline\r\n";
  g_autofree char *status = g_strdup_printf ("+OK %zu octets", strlen (wire));
  g_autofree char *list = g_strdup_printf ("+OK 1 %zu", strlen (wire));
  g_autoptr (GString) raw = NULL;
  g_autofree char *unstuffed = NULL;
  g_autoptr (Client) c = NULL;

  g_free (put_message (f, "new/1", stored, 1000));
  g_free (put_message (f, "new/2", "", 1001));
  start (f);
  c = pop3_connect (f);
  pop3_login (c, "+OK Logged in as alice, 2 messages (65 octets)");

  client_send (c, "LIST 1\r\n");
  client_expect (c, list);
  client_send (c, "RETR 1\r\n");
  client_expect (c, status);
  raw = client_read_body (c);
  g_assert_cmpstr (raw->str, ==,
                   "Subject: dots\r\n\r\n..leading\r\n...two\r\n..\r\nplain\r\nlone\rcr\r\nno newline\r\n");
  unstuffed = unstuff (raw->str);
  g_assert_cmpstr (unstuffed, ==, wire);

  client_send (c, "RETR 2\r\n");
  client_expect (c, "+OK 0 octets");
  client_expect_body (c, "");

  client_send (c, "RETR 3\r\n");
  client_expect (c, "-ERR No such message");
  client_send (c, "RETR\r\n");
  client_expect (c, "-ERR Syntax: RETR msg");
  client_send (c, "QUIT\r\n");
  client_expect_prefix (c, "+OK");
}

static void
test_pop3_top (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (Client) c = NULL;

  g_free (put_message (f, "new/1", "From: a\r\nSubject: t\r\n\r\none\r\n.two\r\nthree\r\n", 1000));
  g_free (put_message (f, "new/2", "Subject: headers only\n", 1001));
  start (f);
  c = pop3_connect (f);
  pop3_login (c, "+OK Logged in as alice, 2 messages (64 octets)");

  client_send (c, "TOP 1 0\r\n");
  client_expect (c, "+OK Top of message follows");
  client_expect_body (c, "From: a\r\nSubject: t\r\n\r\n");
  client_send (c, "TOP 1 2\r\n");
  client_expect (c, "+OK Top of message follows");
  client_expect_body (c, "From: a\r\nSubject: t\r\n\r\none\r\n..two\r\n");
  client_send (c, "TOP 1 4294967296\r\n");
  client_expect (c, "+OK Top of message follows");
  client_expect_body (c, "From: a\r\nSubject: t\r\n\r\none\r\n..two\r\nthree\r\n");
  client_send (c, "TOP 2 5\r\n");
  client_expect (c, "+OK Top of message follows");
  client_expect_body (c, "Subject: headers only\r\n");
  client_send (c, "TOP 1 x\r\n");
  client_expect (c, "-ERR Invalid number of lines");
  client_send (c, "TOP 1\r\n");
  client_expect (c, "-ERR Syntax: TOP msg n");
  client_send (c, "QUIT\r\n");
  client_expect_prefix (c, "+OK");
}

static void
test_pop3_dele_rset (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (Client) c = NULL;
  g_autoptr (Client) d = NULL;

  put_three (f);
  start (f);
  c = pop3_connect (f);
  pop3_login (c, "+OK Logged in as alice, 3 messages (49 octets)");

  client_send (c, "DELE 1\r\n");
  client_expect (c, "+OK Message 1 deleted");
  client_send (c, "DELE 1\r\n");
  client_expect (c, "-ERR Message 1 is already deleted");
  client_send (c, "RETR 1\r\n");
  client_expect (c, "-ERR Message 1 is already deleted");
  client_send (c, "STAT\r\n");
  client_expect (c, "+OK 2 30");
  client_send (c, "LIST\r\n");
  client_expect (c, "+OK 2 messages (30 octets)");
  client_expect_body (c, "2 18\r\n3 12\r\n");
  client_send (c, "RSET\r\n");
  client_expect (c, "+OK Maildrop has 3 messages (49 octets)");
  client_send (c, "QUIT\r\n");
  client_expect (c, "+OK Mailwire POP3 server signing off (0 messages deleted)");
  g_assert_cmpuint (count_files (f, "new"), ==, 2);
  g_assert_cmpuint (count_files (f, "cur"), ==, 1);

  /* A connection that ends without QUIT deletes nothing. */
  d = pop3_connect (f);
  pop3_login (d, "+OK Logged in as alice, 3 messages (49 octets)");
  client_send (d, "DELE 1\r\nDELE 3\r\n");
  client_expect (d, "+OK Message 1 deleted");
  client_expect (d, "+OK Message 3 deleted");
  g_clear_pointer (&d, client_free);
  g_assert_true (wait_for_unlock (f));
  g_assert_cmpuint (count_files (f, "new"), ==, 2);
  g_assert_cmpuint (count_files (f, "cur"), ==, 1);
}

static void
test_pop3_dele_quit (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (Client) c = NULL;
  g_autoptr (Client) d = NULL;
  g_autofree char *b = NULL;
  g_autofree char *cpath = NULL;

  g_free (put_message (f, "new/a", "Subject: a\n\nay\n", 2000));
  b = put_message (f, "new/b", "Subject: b\r\n\r\nbee\r\n", 1000);
  cpath = put_message (f, "cur/c:2,S", "Subject: c\r\n", 2000);
  start (f);
  c = pop3_connect (f);
  pop3_login (c, "+OK Logged in as alice, 3 messages (49 octets)");
  client_send (c, "DELE 1\r\nDELE 3\r\nQUIT\r\n");
  client_expect (c, "+OK Message 1 deleted");
  client_expect (c, "+OK Message 3 deleted");
  /* The reply comes after the files are gone. */
  client_expect (c, "+OK Mailwire POP3 server signing off (2 messages deleted)");
  g_assert_false (g_file_test (b, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (cpath, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_files (f, "new"), ==, 1);
  client_expect_closed (c);

  d = pop3_connect (f);
  pop3_login (d, "+OK Logged in as alice, 1 messages (18 octets)");
  client_send (d, "UIDL\r\n");
  client_expect (d, "+OK Unique-ID listing follows");
  client_expect_body (d, "1 a\r\n");
  client_send (d, "QUIT\r\n");
  client_expect_prefix (d, "+OK");
}

static void
test_pop3_in_use (Fixture      *f,
                  gconstpointer data)
{
  g_autofree char *lock = g_build_filename (f->maildir, "mailwire-pop3.lock", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *ours = g_strdup_printf ("%ld\n", (long) getpid ());
  g_autofree char *theirs = NULL;
  g_autoptr (Client) c = NULL;
  g_autoptr (Client) d = NULL;
  g_autoptr (GError) error = NULL;
  pid_t child;
  int   status;

  put_three (f);
  start (f);
  c = pop3_connect (f);
  pop3_login (c, "+OK Logged in as alice, 3 messages (49 octets)");

  /* Locked in this process. */
  d = pop3_connect (f);
  pop3_login (d, "-ERR [IN-USE] The maildrop is locked by another session");
  client_send (c, "QUIT\r\n");
  client_expect_prefix (c, "+OK");
  pop3_login (d, "+OK Logged in as alice, 3 messages (49 octets)");
  client_send (d, "QUIT\r\n");
  client_expect_prefix (d, "+OK");
  g_clear_pointer (&c, client_free);
  g_clear_pointer (&d, client_free);

  /* Locked by another process that still runs. */
  theirs = g_strdup_printf ("%ld\n", (long) getppid ());
  g_file_set_contents (lock, theirs, -1, &error);
  g_assert_no_error (error);
  c = pop3_connect (f);
  pop3_login (c, "-ERR [IN-USE] The maildrop is locked by another session");
  g_assert_true (g_file_get_contents (lock, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, theirs);
  g_clear_pointer (&contents, g_free);

  /* Left by a process that is gone: taken over. */
  child = fork ();
  if (child == 0)
    _exit (0);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_free (theirs);
  theirs = g_strdup_printf ("%ld\n", (long) child);
  g_file_set_contents (lock, theirs, -1, &error);
  g_assert_no_error (error);
  pop3_login (c, "+OK Logged in as alice, 3 messages (49 octets)");
  g_assert_true (g_file_get_contents (lock, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, ours);
  client_send (c, "QUIT\r\n");
  client_expect_prefix (c, "+OK");
}

static void
test_pop3_pipelining (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (GString) batch = g_string_new (NULL);
  g_autoptr (Client) c = NULL;

  put_three (f);
  start (f);
  c = pop3_connect (f);

  client_send (c, "CAPA\r\nUSER " USER "\r\nPASS " PASSWORD "\r\nSTAT\r\nLIST\r\nUIDL 2\r\n"
                  "TOP 1 0\r\nNOOP\r\nRETR 2\r\nDELE 3\r\nFOO\r\nSTAT\r\nQUIT\r\n");
  client_expect (c, "+OK Capability list follows");
  g_string_free (client_read_body (c), TRUE);
  client_expect (c, "+OK Send the password");
  client_expect (c, "+OK Logged in as alice, 3 messages (49 octets)");
  client_expect (c, "+OK 3 49");
  client_expect (c, "+OK 3 messages (49 octets)");
  client_expect_body (c, "1 19\r\n2 18\r\n3 12\r\n");
  client_expect (c, "+OK 2 a");
  client_expect (c, "+OK Top of message follows");
  client_expect_body (c, "Subject: b\r\n\r\n");
  client_expect (c, "+OK");
  client_expect (c, "+OK 18 octets");
  client_expect_body (c, "Subject: a\r\n\r\nay\r\n");
  client_expect (c, "+OK Message 3 deleted");
  client_expect (c, "-ERR Unknown command");
  client_expect (c, "+OK 2 37");
  client_expect (c, "+OK Mailwire POP3 server signing off (1 messages deleted)");
  client_expect_closed (c);
}

static void
test_pop3_bad_lines (Fixture      *f,
                     gconstpointer data)
{
  g_autofree char *long_line = g_strnfill (600, 'A');
  g_autofree char *huge_line = g_strnfill (50000, 'B');
  g_autoptr (Client) c = NULL;

  start (f);
  c = pop3_connect (f);

  client_send (c, long_line);
  client_send (c, "\r\nNOOP\r\n");
  client_expect (c, "-ERR Line too long");
  client_expect (c, "-ERR Command not valid in this state");
  client_send (c, huge_line);
  client_send (c, "\r\nFOO\r\n");
  client_expect (c, "-ERR Line too long");
  client_expect (c, "-ERR Unknown command");
  client_send_len (c, "US\0ER x\r\n", 9);
  client_expect (c, "-ERR Invalid characters in command");
  client_send (c, "USER a\rb\r\n");
  client_expect (c, "-ERR Invalid characters in command");
  client_send (c, "STLS\r\n");
  client_expect (c, "-ERR STLS is not available");

  /* A bare LF ends a command too. */
  client_send (c, "USER " USER "\nPASS " PASSWORD "\n");
  client_expect (c, "+OK Send the password");
  client_expect (c, "+OK Logged in as alice, 0 messages (0 octets)");
  client_send (c, "STLS\r\n");
  client_expect (c, "-ERR Command not valid in this state");
  client_send (c, "QUIT\r\n");
  client_expect_prefix (c, "+OK");
}

static void
test_pop3_stls (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (Client) c = NULL;

  start_with_certificate (f);
  c = pop3_connect (f);

  client_send (c, "CAPA\r\n");
  client_expect (c, "+OK Capability list follows");
  client_expect_body (c,
                      "TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
                      "EXPIRE NEVER\r\nLOGIN-DELAY 0\r\nSTLS\r\nIMPLEMENTATION Mailwire\r\n");

  /* No password in the clear. */
  client_send (c, "USER " USER "\r\n");
  client_expect (c, "-ERR [AUTH] Plaintext authentication is disallowed before STLS");

  /* What follows STLS in the same packet is thrown away. */
  client_send (c, "STLS\r\nCAPA\r\n");
  client_expect (c, "+OK Begin TLS negotiation");
  client_start_tls (c);

  client_send (c, "CAPA\r\n");
  client_expect (c, "+OK Capability list follows");
  client_expect_body (c,
                      "TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
                      "EXPIRE NEVER\r\nLOGIN-DELAY 0\r\nUSER\r\nSASL PLAIN\r\n"
                      "IMPLEMENTATION Mailwire\r\n");
  client_send (c, "STLS\r\n");
  client_expect (c, "-ERR Already using TLS");
  pop3_login (c, "+OK Logged in as alice, 0 messages (0 octets)");
  client_send (c, "QUIT\r\n");
  client_expect_prefix (c, "+OK");
}

static void
test_pop3_implicit_tls (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (Client) c = NULL;

  put_three (f);
  start_with_certificate (f);
  g_assert_cmpuint (mw_mail_server_get_pop3s_port (f->server), !=, 0);
  c = client_new (mw_mail_server_get_pop3s_port (f->server), TRUE);
  client_expect_prefix (c, "+OK Mailwire POP3 ready <");
  client_send (c, "CAPA\r\n");
  client_expect (c, "+OK Capability list follows");
  client_expect_body (c,
                      "TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
                      "EXPIRE NEVER\r\nLOGIN-DELAY 0\r\nUSER\r\nSASL PLAIN\r\n"
                      "IMPLEMENTATION Mailwire\r\n");
  pop3_login (c, "+OK Logged in as alice, 3 messages (49 octets)");
  client_send (c, "RETR 1\r\n");
  client_expect (c, "+OK 19 octets");
  client_expect_body (c, "Subject: b\r\n\r\nbee\r\n");
  client_send (c, "QUIT\r\n");
  client_expect_prefix (c, "+OK");
}

static void
test_pop3_idle_timeout (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (Client) c = NULL;

  mw_mail_server_set_idle_timeout (f->server, 1);
  start (f);
  c = pop3_connect (f);
  pop3_login (c, "+OK Logged in as alice, 0 messages (0 octets)");

  /* Silence: the server hangs up and releases the maildrop. */
  client_expect_closed (c);
  g_assert_true (wait_for_unlock (f));
}

static void
test_pop3_no_tls_ports (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  start (f);
  g_assert_cmpuint (mw_mail_server_get_pop3_port (f->server), !=, 0);
  g_assert_cmpuint (mw_mail_server_get_smtp_port (f->server), !=, 0);
  g_assert_cmpuint (mw_mail_server_get_pop3s_port (f->server), ==, 0);
  g_assert_cmpuint (mw_mail_server_get_smtps_port (f->server), ==, 0);

  g_assert_false (mw_mail_server_start (f->server, &error));
  g_assert_error (error, MW_MAIL_SERVER_ERROR, MW_MAIL_SERVER_ERROR_STARTED);
}

static void
test_stop_ends_sessions (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr (Client) c = NULL;
  g_autoptr (Client) s = NULL;

  put_three (f);
  start (f);
  c = pop3_connect (f);
  pop3_login (c, "+OK Logged in as alice, 3 messages (49 octets)");
  client_send (c, "DELE 1\r\n");
  client_expect (c, "+OK Message 1 deleted");
  s = client_new (mw_mail_server_get_smtp_port (f->server), FALSE);
  client_expect (s, "220 localhost ESMTP Mailwire");

  mw_mail_server_stop (f->server);

  /* Sessions are gone, nothing was deleted, nothing is locked. */
  client_expect_closed (c);
  client_expect_closed (s);
  g_assert_cmpuint (count_files (f, "new"), ==, 2);
  g_assert_cmpuint (count_files (f, "cur"), ==, 1);
}

/* SMTP */

static Client *
smtp_connect (Fixture *f)
{
  Client *c = client_new (mw_mail_server_get_smtp_port (f->server), FALSE);

  client_expect (c, "220 localhost ESMTP Mailwire");
  return c;
}

static void
expect_ehlo (Client     *c,
             const char *extensions)
{
  g_autoptr (GString) got = g_string_new (NULL);

  for (;;)
    {
      g_autofree char *line = client_read_line (c);

      g_string_append (got, line);
      g_string_append (got, "\n");
      if (g_str_has_prefix (line, "250 "))
        break;
      g_assert_true (g_str_has_prefix (line, "250-"));
    }

  g_assert_cmpstr (got->str, ==, extensions);
}

#define EHLO_BASE                        \
  "250-localhost Hello client.example\n" \
  "250-PIPELINING\n"                     \
  "250-SIZE 52428800\n"                  \
  "250-8BITMIME\n"                       \
  "250-SMTPUTF8\n"                       \
  "250-ENHANCEDSTATUSCODES\n"            \
  "250-CHUNKING\n"                       \
  "250-DSN\n"

/* Logs in over POP3 and returns message 1, unstuffed, after checking that
 * LIST gives its exact size. */
static char *
pop3_fetch_first (Fixture *f,
                  guint    expected_count)
{
  g_autoptr (Client) c = pop3_connect (f);
  g_autoptr (GString) raw = NULL;
  g_autofree char *login = NULL;
  g_autofree char *list = NULL;
  g_autofree char *expected_list = NULL;
  char            *message;

  client_send (c, "USER " USER "\r\nPASS " PASSWORD "\r\n");
  client_expect (c, "+OK Send the password");
  login = client_read_line (c);
  g_assert_true (g_str_has_prefix (login, "+OK Logged in as alice, "));
  client_send (c, "LIST 1\r\nRETR 1\r\nQUIT\r\n");
  list = client_read_line (c);
  client_expect_prefix (c, "+OK");
  raw = client_read_body (c);
  client_expect_prefix (c, "+OK");

  message = unstuff (raw->str);
  expected_list = g_strdup_printf ("+OK 1 %zu", strlen (message));
  g_assert_cmpstr (list, ==, expected_list);
  g_assert_cmpuint (count_files (f, "new"), ==, expected_count);

  return message;
}

static void
test_smtp_ehlo (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (Client) c = NULL;

  start (f);
  c = smtp_connect (f);
  client_send (c, "MAIL FROM:<a@example.org>\r\n");
  client_expect (c, "503 5.5.1 Send HELO or EHLO first");
  client_send (c, "EHLO\r\n");
  client_expect (c, "501 5.5.4 Syntax: EHLO domain");
  client_send (c, "EHLO client.example\r\n");
  expect_ehlo (c, EHLO_BASE "250-AUTH PLAIN LOGIN\n250 HELP\n");
  client_send (c, "HELO client.example\r\n");
  client_expect (c, "250 localhost");
  client_send (c, "HELP\r\n");
  client_expect (c, "214-Mailwire ESMTP; commands:");
  client_expect (c, "214-  HELO EHLO MAIL RCPT DATA BDAT RSET");
  client_expect (c, "214-  NOOP QUIT VRFY EXPN HELP STARTTLS AUTH");
  client_expect (c, "214 2.0.0 End of HELP");
  client_send (c, "VRFY bob\r\nEXPN staff\r\nNOOP\r\nRSET\r\nFROB\r\n");
  client_expect (c, "252 2.5.2 Cannot VRFY the user, but will accept mail for delivery");
  client_expect (c, "502 5.5.1 EXPN is not supported");
  client_expect (c, "250 2.0.0 Ok");
  client_expect (c, "250 2.0.0 Ok");
  client_expect (c, "500 5.5.2 Command not recognized");
  client_send (c, "STARTTLS\r\n");
  client_expect (c, "502 5.5.1 STARTTLS is not available");
  client_send (c, "QUIT\r\n");
  client_expect (c, "221 2.0.0 Bye");
  client_expect_closed (c);
}

static void
test_smtp_send_and_retrieve (Fixture      *f,
                             gconstpointer data)
{
  const char *message = "From: Alice <alice@example.org>\r\n"
                        "To: bob@example.org, carol@example.org\r\n"
                        "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n"
                        "\r\n"
                        ".a line with a dot\r\n"
                        "..two dots\r\n"
                        "\r\n"
                        "8-bit: \xc3\xa4\xc3\xb6\xc3\xbc\r\n";
  const char *stuffed = "From: Alice <alice@example.org>\r\n"
                        "To: bob@example.org, carol@example.org\r\n"
                        "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n"
                        "\r\n"
                        "..a line with a dot\r\n"
                        "...two dots\r\n"
                        "\r\n"
                        "8-bit: \xc3\xa4\xc3\xb6\xc3\xbc\r\n"
                        ".\r\n";
  g_autoptr (Client) c = NULL;
  g_autofree char *queued = NULL;
  g_autofree char *fetched = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr (GMatchInfo) match = NULL;
  g_autoptr (GRegex) regex = NULL;

  start (f);
  c = smtp_connect (f);
  client_send (c, "EHLO client.example\r\n");
  expect_ehlo (c, EHLO_BASE "250-AUTH PLAIN LOGIN\n250 HELP\n");

  client_send (c, "MAIL FROM:<alice@example.org> BODY=8BITMIME SIZE=300\r\n"
                  "RCPT TO:<bob@example.org>\r\n"
                  "RCPT TO:<carol@example.org> NOTIFY=SUCCESS,FAILURE\r\n"
                  "DATA\r\n");
  client_expect (c, "250 2.1.0 Ok");
  client_expect (c, "250 2.1.5 Ok");
  client_expect (c, "250 2.1.5 Ok");
  client_expect (c, "354 End data with <CR><LF>.<CR><LF>");
  client_send (c, stuffed);
  queued = client_read_line (c);
  g_assert_true (g_str_has_prefix (queued, "250 2.0.0 Ok: queued as "));
  client_send (c, "QUIT\r\n");
  client_expect (c, "221 2.0.0 Bye");

  fetched = pop3_fetch_first (f, 1);
  prefix = g_strdup_printf ("Return-Path: <alice@example.org>\r\n"
                            "Received: from client.example (localhost [127.0.0.1])\r\n"
                            "\tby localhost (Mailwire) with ESMTP id %s;\r\n\t",
                            queued + strlen ("250 2.0.0 Ok: queued as "));
  g_assert_true (g_str_has_prefix (fetched, prefix));
  g_assert_true (g_str_has_suffix (fetched, message));

  /* The date line between them: RFC 5322, in English. */
  regex = g_regex_new ("^\t(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{1,2} [A-Z][a-z]{2} [0-9]{4} "
                       "[0-9]{2}:[0-9]{2}:[0-9]{2} [-+][0-9]{4}\r\n$",
                       0, 0, NULL);
  {
    g_autofree char *date = g_strndup (fetched + strlen (prefix) - 1,
                                       strlen (fetched) - strlen (prefix) + 1 - strlen (message));

    g_assert_true (g_regex_match (regex, date, 0, &match));
  }
}

static void
test_smtp_single_recipient_trace (Fixture      *f,
                                  gconstpointer data)
{
  g_autoptr (Client) c = NULL;
  g_autofree char *fetched = NULL;

  start (f);
  c = smtp_connect (f);
  client_send (c, "HELO old.example\r\nMAIL FROM:<>\r\nRCPT TO:<Postmaster>\r\nDATA\r\n");
  client_expect (c, "250 localhost");
  client_expect (c, "250 2.1.0 Ok");
  client_expect (c, "250 2.1.5 Ok");
  client_expect (c, "354 End data with <CR><LF>.<CR><LF>");
  client_send (c, "Subject: bounce\r\n\r\nbody\r\n.\r\n");
  client_expect_prefix (c, "250 2.0.0 Ok: queued as ");

  fetched = pop3_fetch_first (f, 1);
  g_assert_true (g_str_has_prefix (fetched, "Return-Path: <>\r\nReceived: from old.example (localhost [127.0.0.1])\r\n"
                                            "\tby localhost (Mailwire) with SMTP id "));
  g_assert_nonnull (strstr (fetched, "\r\n\tfor <Postmaster>;\r\n\t"));
  g_assert_true (g_str_has_suffix (fetched, "\r\nSubject: bounce\r\n\r\nbody\r\n"));
}

static void
test_smtp_size (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (Client) c = NULL;
  g_autofree char *big = g_strnfill (2000, 'x');

  mw_mail_server_set_max_message_size (f->server, 1000);
  start (f);
  c = smtp_connect (f);
  client_send (c, "EHLO client.example\r\n");
  expect_ehlo (c,
               "250-localhost Hello client.example\n250-PIPELINING\n250-SIZE 1000\n"
               "250-8BITMIME\n250-SMTPUTF8\n250-ENHANCEDSTATUSCODES\n250-CHUNKING\n"
               "250-DSN\n250-AUTH PLAIN LOGIN\n250 HELP\n");

  client_send (c, "MAIL FROM:<a@example.org> SIZE=1001\r\n");
  client_expect (c, "552 5.3.4 Message size exceeds fixed maximum message size");
  client_send (c, "MAIL FROM:<a@example.org> SIZE=99999999999999999999\r\n");
  client_expect (c, "552 5.3.4 Message size exceeds fixed maximum message size");

  /* A declared size that lies. */
  client_send (c, "MAIL FROM:<a@example.org> SIZE=500\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
  client_expect (c, "250 2.1.0 Ok");
  client_expect (c, "250 2.1.5 Ok");
  client_expect (c, "354 End data with <CR><LF>.<CR><LF>");
  client_send (c, "Subject: big\r\n\r\n");
  client_send (c, big);
  client_send (c, "\r\n.\r\n");
  client_expect (c, "552 5.3.4 Message size exceeds fixed maximum message size");
  g_assert_cmpuint (count_files (f, "new"), ==, 0);

  /* The session is still in step. */
  client_send (c, "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
  client_expect (c, "250 2.1.0 Ok");
  client_expect (c, "250 2.1.5 Ok");
  client_expect (c, "354 End data with <CR><LF>.<CR><LF>");
  client_send (c, "Subject: small\r\n\r\nok\r\n.\r\n");
  client_expect_prefix (c, "250 2.0.0 Ok: queued as ");
  g_assert_cmpuint (count_files (f, "new"), ==, 1);
}

static void
test_smtp_refused_recipient (Fixture      *f,
                             gconstpointer data)
{
  g_autoptr (Client) c = NULL;

  mw_mail_server_set_refused_recipient (f->server, "bob@example.org",
                                        "550 5.1.1 <bob@example.org>: Recipient address rejected");
  mw_mail_server_set_refused_recipient (f->server, "dan@example.org", "450 4.2.1 Mailbox busy");
  mw_mail_server_set_refused_recipient (f->server, "dan@example.org", NULL);
  start (f);
  c = smtp_connect (f);
  client_send (c, "EHLO client.example\r\n");
  expect_ehlo (c, EHLO_BASE "250-AUTH PLAIN LOGIN\n250 HELP\n");

  client_send (c, "MAIL FROM:<a@example.org>\r\nRCPT TO:<Bob@Example.ORG>\r\n"
                  "RCPT TO:<carol@example.org>\r\nRCPT TO:<dan@example.org>\r\nDATA\r\n");
  client_expect (c, "250 2.1.0 Ok");
  client_expect (c, "550 5.1.1 <bob@example.org>: Recipient address rejected");
  client_expect (c, "250 2.1.5 Ok");
  client_expect (c, "250 2.1.5 Ok");
  client_expect (c, "354 End data with <CR><LF>.<CR><LF>");
  client_send (c, "Subject: hi\r\n\r\nhi\r\n.\r\n");
  client_expect_prefix (c, "250 2.0.0 Ok: queued as ");

  /* No recipient left: DATA is refused, and no data follows. */
  client_send (c, "MAIL FROM:<a@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nNOOP\r\n");
  client_expect (c, "250 2.1.0 Ok");
  client_expect (c, "550 5.1.1 <bob@example.org>: Recipient address rejected");
  client_expect (c, "554 5.5.1 No valid recipients");
  client_expect (c, "250 2.0.0 Ok");
  g_assert_cmpuint (count_files (f, "new"), ==, 1);
}

static void
test_smtp_bare_line_ends (Fixture      *f,
                          gconstpointer data)
{
  g_autoptr (Client) c = NULL;

  start (f);
  c = smtp_connect (f);
  client_send (c, "EHLO client.example\r\n");
  expect_ehlo (c, EHLO_BASE "250-AUTH PLAIN LOGIN\n250 HELP\n");

  /* A bare LF, and a "\n.\r\n" that must not end the data: the smuggled
   * commands are data, and one reply comes. */
  client_send (c, "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
  client_expect (c, "250 2.1.0 Ok");
  client_expect (c, "250 2.1.5 Ok");
  client_expect (c, "354 End data with <CR><LF>.<CR><LF>");
  client_send (c, "Subject: x\r\n\r\nline\n.\r\nMAIL FROM:<evil@example.org>\r\nRSET\r\n.\r\nNOOP\r\n");
  client_expect (c, "554 5.6.0 Message contains a bare CR or LF");
  client_expect (c, "250 2.0.0 Ok");

  /* A bare CR. */
  client_send (c, "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
  client_expect (c, "250 2.1.0 Ok");
  client_expect (c, "250 2.1.5 Ok");
  client_expect (c, "354 End data with <CR><LF>.<CR><LF>");
  client_send (c, "Subject: x\r\n\r\na\rb\r\n.\r\n");
  client_expect (c, "554 5.6.0 Message contains a bare CR or LF");

  /* The transaction is over. */
  client_send (c, "RCPT TO:<b@example.org>\r\n");
  client_expect (c, "503 5.5.1 Need MAIL command first");
  g_assert_cmpuint (count_files (f, "new"), ==, 0);
}

static void
test_smtp_bdat (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (Client) c = NULL;
  g_autofree char *fetched = NULL;
  const char      *part1 = "Subject: chunks\r\n\r\n.dot";
  const char      *part2 = " stays\r\nend\r\n";
  g_autofree char *command = NULL;

  mw_mail_server_set_max_message_size (f->server, 100);
  start (f);
  c = smtp_connect (f);
  client_send (c, "EHLO client.example\r\n");
  expect_ehlo (c,
               "250-localhost Hello client.example\n250-PIPELINING\n250-SIZE 100\n"
               "250-8BITMIME\n250-SMTPUTF8\n250-ENHANCEDSTATUSCODES\n250-CHUNKING\n"
               "250-DSN\n250-AUTH PLAIN LOGIN\n250 HELP\n");

  /* Chunks before a transaction are read and refused. */
  client_send (c, "BDAT 5\r\nHELLOBDAT 3 LAST\r\nabcNOOP\r\n");
  client_expect (c, "503 5.5.1 Need MAIL command first");
  client_expect (c, "503 5.5.1 Need MAIL command first");
  client_expect (c, "250 2.0.0 Ok");

  command = g_strdup_printf ("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nBDAT %zu\r\n%sBDAT %zu LAST\r\n%s",
                             strlen (part1), part1, strlen (part2), part2);
  client_send (c, command);
  client_expect (c, "250 2.1.0 Ok");
  client_expect (c, "250 2.1.5 Ok");
  client_expect (c, "250 2.0.0 Ok: 23 octets received");
  client_expect_prefix (c, "250 2.0.0 Ok: 36 octets, queued as ");

  /* Over the limit. */
  client_send (c, "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nBDAT 60\r\n");
  client_send (c, "012345678901234567890123456789012345678901234567890123456789");
  client_send (c, "BDAT 60\r\n");
  client_send (c, "012345678901234567890123456789012345678901234567890123456789");
  client_expect (c, "250 2.1.0 Ok");
  client_expect (c, "250 2.1.5 Ok");
  client_expect (c, "250 2.0.0 Ok: 60 octets received");
  client_expect (c, "552 5.3.4 Message size exceeds fixed maximum message size");

  /* DATA cannot follow BDAT. */
  client_send (c, "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nBDAT 1\r\nxDATA\r\nBDAT x\r\nRSET\r\n");
  client_expect (c, "250 2.1.0 Ok");
  client_expect (c, "250 2.1.5 Ok");
  client_expect (c, "250 2.0.0 Ok: 1 octets received");
  client_expect (c, "503 5.5.1 DATA is not allowed after BDAT");
  client_expect (c, "501 5.5.4 Syntax: BDAT size [LAST]");
  client_expect (c, "250 2.0.0 Ok");

  fetched = pop3_fetch_first (f, 1);
  g_assert_true (g_str_has_suffix (fetched, "\r\nSubject: chunks\r\n\r\n.dot stays\r\nend\r\n"));
  g_assert_true (g_str_has_prefix (fetched, "Return-Path: <a@example.org>\r\n"));
}

static void
test_smtp_commands (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (Client) c = NULL;
  g_autofree char *long_line = g_strnfill (5000, 'x');

  start (f);
  c = smtp_connect (f);
  client_send (c, "EHLO client.example\r\n");
  expect_ehlo (c, EHLO_BASE "250-AUTH PLAIN LOGIN\n250 HELP\n");

  client_send (c, "RCPT TO:<b@example.org>\r\n");
  client_expect (c, "503 5.5.1 Need MAIL command first");
  client_send (c, "DATA\r\n");
  client_expect (c, "503 5.5.1 Need MAIL command first");
  client_send (c, "MAIL TO:<a@example.org>\r\n");
  client_expect (c, "501 5.5.4 Syntax: MAIL FROM:<address>");
  client_send (c, "MAIL FROM:a@example.org\r\n");
  client_expect (c, "501 5.1.7 Bad sender address syntax");
  client_send (c, "MAIL FROM:<a@example.org> FOO=BAR\r\n");
  client_expect (c, "555 5.5.4 Unsupported parameter");
  client_send (c, "MAIL FROM:<a@example.org> BODY=BINARYMIME\r\n");
  client_expect (c, "501 5.5.4 Invalid parameter");
  client_send (c, "MAIL FROM:<j\xc3\xb6rg@example.org>\r\n");
  client_expect (c, "553 5.6.7 Non-ASCII address needs SMTPUTF8");
  client_send (c, "MAIL FROM:<j\xc3\xb6rg@example.org> SMTPUTF8\r\n");
  client_expect (c, "250 2.1.0 Ok");
  client_send (c, "MAIL FROM:<a@example.org>\r\n");
  client_expect (c, "503 5.5.1 Nested MAIL command");
  client_send (c, "RCPT TO:<>\r\n");
  client_expect (c, "501 5.1.3 Bad recipient address syntax");
  client_send (c, "RCPT TO:<nobody>\r\n");
  client_expect (c, "501 5.1.3 Bad recipient address syntax");
  client_send (c, "RCPT TO:<@relay.example:b@example.org> ORCPT=rfc822;b@example.org\r\n");
  client_expect (c, "250 2.1.5 Ok");
  client_send (c, "RCPT TO:<\xc3\xa5@example.org>\r\n");
  client_expect (c, "250 2.1.5 Ok");
  client_send (c, "DATA extra\r\n");
  client_expect (c, "501 5.5.4 Syntax: DATA");
  client_send (c, "RSET\r\n");
  client_expect (c, "250 2.0.0 Ok");
  client_send (c, long_line);
  client_send (c, "\r\nNOOP\r\n");
  client_expect (c, "500 5.5.2 Line too long");
  client_expect (c, "250 2.0.0 Ok");
  client_send_len (c, "NO\0OP\r\n", 7);
  client_expect (c, "500 5.5.2 Invalid characters in command");
  client_send (c, "QUIT\r\n");
  client_expect (c, "221 2.0.0 Bye");
}

static void
test_smtp_auth (Fixture      *f,
                gconstpointer data)
{
  g_autofree char *good = plain_response ("", USER, PASSWORD);
  g_autofree char *bad = plain_response ("", USER, "nope");
  g_autofree char *user64 = g_base64_encode ((const guchar *) USER, strlen (USER));
  g_autofree char *pass64 = g_base64_encode ((const guchar *) PASSWORD, strlen (PASSWORD));
  g_autofree char *command = NULL;
  g_autoptr (Client) c = NULL;
  g_autofree char *fetched = NULL;

  start (f);
  c = smtp_connect (f);
  client_send (c, "AUTH PLAIN\r\n");
  client_expect (c, "503 5.5.1 Send EHLO first");
  client_send (c, "EHLO client.example\r\n");
  expect_ehlo (c, EHLO_BASE "250-AUTH PLAIN LOGIN\n250 HELP\n");

  client_send (c, "AUTH DIGEST-MD5\r\n");
  client_expect (c, "504 5.5.4 Unrecognized authentication type");

  command = g_strdup_printf ("AUTH PLAIN %s\r\n", bad);
  client_send (c, command);
  client_expect (c, "535 5.7.8 Authentication credentials invalid");

  client_send (c, "AUTH PLAIN\r\n");
  client_expect (c, "334 ");
  client_send (c, "*\r\n");
  client_expect (c, "501 5.7.0 Authentication cancelled");

  /* LOGIN, step by step. */
  client_send (c, "AUTH LOGIN\r\n");
  client_expect (c, "334 VXNlcm5hbWU6");
  client_send (c, user64);
  client_send (c, "\r\n");
  client_expect (c, "334 UGFzc3dvcmQ6");
  client_send (c, pass64);
  client_send (c, "\r\n");
  client_expect (c, "235 2.7.0 Authentication successful");
  client_send (c, "AUTH PLAIN\r\n");
  client_expect (c, "503 5.5.1 Already authenticated");

  client_send (c, "MAIL FROM:<alice@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
  client_expect (c, "250 2.1.0 Ok");
  client_expect (c, "250 2.1.5 Ok");
  client_expect (c, "354 End data with <CR><LF>.<CR><LF>");
  client_send (c, "Subject: authed\r\n\r\n.\r\n");
  client_expect_prefix (c, "250 2.0.0 Ok: queued as ");
  g_clear_pointer (&c, client_free);

  fetched = pop3_fetch_first (f, 1);
  g_assert_nonnull (strstr (fetched, " with ESMTPA id "));

  /* PLAIN with an initial response, and LOGIN with one. */
  c = smtp_connect (f);
  g_free (command);
  command = g_strdup_printf ("EHLO client.example\r\nAUTH PLAIN %s\r\n", good);
  client_send (c, command);
  expect_ehlo (c, EHLO_BASE "250-AUTH PLAIN LOGIN\n250 HELP\n");
  client_expect (c, "235 2.7.0 Authentication successful");
  client_send (c, "EHLO client.example\r\n");
  expect_ehlo (c, EHLO_BASE "250 HELP\n");
  g_clear_pointer (&c, client_free);

  c = smtp_connect (f);
  g_free (command);
  command = g_strdup_printf ("EHLO client.example\r\nAUTH LOGIN %s\r\n", user64);
  client_send (c, command);
  expect_ehlo (c, EHLO_BASE "250-AUTH PLAIN LOGIN\n250 HELP\n");
  client_expect (c, "334 UGFzc3dvcmQ6");
  client_send (c, "bm9wZQ==\r\n");
  client_expect (c, "535 5.7.8 Authentication credentials invalid");
}

static void
test_smtp_starttls (Fixture      *f,
                    gconstpointer data)
{
  g_autofree char *good = plain_response (USER, USER, PASSWORD);
  g_autofree char *command = NULL;
  g_autoptr (GString) body = NULL;
  g_autoptr (Client) c = NULL;

  start_with_certificate (f);
  c = smtp_connect (f);
  client_send (c, "EHLO client.example\r\n");
  expect_ehlo (c, EHLO_BASE "250-STARTTLS\n250 HELP\n");

  command = g_strdup_printf ("AUTH PLAIN %s\r\n", good);
  client_send (c, command);
  client_expect (c, "538 5.7.11 Encryption required for requested authentication mechanism");

  /* Pipelined plaintext after STARTTLS is thrown away. */
  client_send (c, "STARTTLS\r\nMAIL FROM:<evil@example.org>\r\n");
  client_expect (c, "220 2.0.0 Ready to start TLS");
  client_start_tls (c);

  /* The state is as after the greeting. */
  client_send (c, "MAIL FROM:<alice@example.org>\r\n");
  client_expect (c, "503 5.5.1 Send HELO or EHLO first");
  client_send (c, "EHLO client.example\r\n");
  expect_ehlo (c, EHLO_BASE "250-AUTH PLAIN LOGIN\n250 HELP\n");
  client_send (c, "STARTTLS\r\n");
  client_expect (c, "503 5.5.1 Already using TLS");
  client_send (c, command);
  client_expect (c, "235 2.7.0 Authentication successful");

  client_send (c, "MAIL FROM:<alice@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
  client_expect (c, "250 2.1.0 Ok");
  client_expect (c, "250 2.1.5 Ok");
  client_expect (c, "354 End data with <CR><LF>.<CR><LF>");
  client_send (c, "Subject: secret\r\n\r\n.\r\n");
  client_expect_prefix (c, "250 2.0.0 Ok: queued as ");
  client_send (c, "QUIT\r\n");
  client_expect (c, "221 2.0.0 Bye");

  /* Read back over POP3S: the trace says TLS and authentication. */
  g_clear_pointer (&c, client_free);
  c = client_new (mw_mail_server_get_pop3s_port (f->server), TRUE);
  client_expect_prefix (c, "+OK Mailwire POP3 ready <");
  client_send (c, "USER " USER "\r\nPASS " PASSWORD "\r\nRETR 1\r\nQUIT\r\n");
  client_expect (c, "+OK Send the password");
  client_expect_prefix (c, "+OK Logged in as alice, 1 messages (");
  client_expect_prefix (c, "+OK ");
  body = client_read_body (c);
  g_assert_nonnull (strstr (body->str, " with ESMTPSA id "));
  client_expect_prefix (c, "+OK");
}

static void
test_smtp_implicit_tls (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (Client) c = NULL;

  start_with_certificate (f);
  g_assert_cmpuint (mw_mail_server_get_smtps_port (f->server), !=, 0);
  c = client_new (mw_mail_server_get_smtps_port (f->server), TRUE);
  client_expect (c, "220 localhost ESMTP Mailwire");
  client_send (c, "EHLO client.example\r\n");
  expect_ehlo (c, EHLO_BASE "250-AUTH PLAIN LOGIN\n250 HELP\n");
  client_send (c, "QUIT\r\n");
  client_expect (c, "221 2.0.0 Bye");
}

static void
test_smtp_plaintext_allowed (Fixture      *f,
                             gconstpointer data)
{
  g_autoptr (Client) c = NULL;

  mw_mail_server_set_allow_plaintext_auth (f->server, TRUE);
  start_with_certificate (f);
  c = smtp_connect (f);
  client_send (c, "EHLO client.example\r\n");
  expect_ehlo (c, EHLO_BASE "250-STARTTLS\n250-AUTH PLAIN LOGIN\n250 HELP\n");
  g_clear_pointer (&c, client_free);

  c = pop3_connect (f);
  pop3_login (c, "+OK Logged in as alice, 0 messages (0 octets)");
  client_send (c, "QUIT\r\n");
  client_expect_prefix (c, "+OK");
}

/* The program */

static void
test_program (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "program", NULL);
  g_autofree char *maildir = g_build_filename (dir, "Maildir", NULL);
  g_autofree char *password = g_build_filename (dir, "password", NULL);
  g_autofree char *cert = cert_path ("server.pem");
  g_autofree char *key = cert_path ("server-key.pem");
  g_autofree char *line = NULL;
  g_autoptr (GMatchInfo) match = NULL;
  g_autoptr (GRegex) regex = NULL;
  g_autoptr (Client) c = NULL;
  g_autofree char *pop3s = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (password, PASSWORD "\n", -1, &error);
  g_assert_no_error (error);

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              MAILWIRE_TEST_SERVER, "--maildir", maildir, "--user", USER,
                              "--password-file", password, "--cert", cert, "--key", key, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);

  regex = g_regex_new ("^pop3=([0-9]+) pop3s=([0-9]+) smtp=([0-9]+) smtps=([0-9]+)$", 0, 0, NULL);
  g_assert_true (g_regex_match (regex, line, 0, &match));
  pop3s = g_match_info_fetch (match, 2);

  c = client_new ((guint16) g_ascii_strtoull (pop3s, NULL, 10), TRUE);
  client_expect_prefix (c, "+OK Mailwire POP3 ready <");
  pop3_login (c, "+OK Logged in as alice, 0 messages (0 octets)");
  g_assert_true (g_file_test (maildir, G_FILE_TEST_IS_DIR));

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  client_expect_closed (c);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* Linking GnuTLS from the start keeps its thread-local storage out of
   * dynamically allocated TLS, on which LeakSanitizer (GCC 12, glibc 2.36)
   * crashes when the TLS backend is loaded as a module later. */
  g_test_message ("GnuTLS %s", gnutls_check_version (NULL));

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/server/pop3/capa", test_pop3_capa);
  ADD ("/server/pop3/user-pass", test_pop3_user_pass);
  ADD ("/server/pop3/wrong-password", test_pop3_wrong_password);
  ADD ("/server/pop3/apop", test_pop3_apop);
  ADD ("/server/pop3/auth-plain", test_pop3_auth_plain);
  ADD ("/server/pop3/stat-list-uidl", test_pop3_stat_list_uidl);
  ADD ("/server/pop3/uid-and-size-from-name", test_pop3_uid_and_size_from_name);
  ADD ("/server/pop3/retr", test_pop3_retr);
  ADD ("/server/pop3/top", test_pop3_top);
  ADD ("/server/pop3/dele-rset", test_pop3_dele_rset);
  ADD ("/server/pop3/dele-quit", test_pop3_dele_quit);
  ADD ("/server/pop3/in-use", test_pop3_in_use);
  ADD ("/server/pop3/pipelining", test_pop3_pipelining);
  ADD ("/server/pop3/bad-lines", test_pop3_bad_lines);
  ADD ("/server/pop3/stls", test_pop3_stls);
  ADD ("/server/pop3/implicit-tls", test_pop3_implicit_tls);
  ADD ("/server/pop3/idle-timeout", test_pop3_idle_timeout);
  ADD ("/server/ports", test_pop3_no_tls_ports);
  ADD ("/server/stop-ends-sessions", test_stop_ends_sessions);
  ADD ("/server/smtp/ehlo", test_smtp_ehlo);
  ADD ("/server/smtp/send-and-retrieve", test_smtp_send_and_retrieve);
  ADD ("/server/smtp/single-recipient-trace", test_smtp_single_recipient_trace);
  ADD ("/server/smtp/size", test_smtp_size);
  ADD ("/server/smtp/refused-recipient", test_smtp_refused_recipient);
  ADD ("/server/smtp/bare-line-ends", test_smtp_bare_line_ends);
  ADD ("/server/smtp/bdat", test_smtp_bdat);
  ADD ("/server/smtp/commands", test_smtp_commands);
  ADD ("/server/smtp/auth", test_smtp_auth);
  ADD ("/server/smtp/starttls", test_smtp_starttls);
  ADD ("/server/smtp/implicit-tls", test_smtp_implicit_tls);
  ADD ("/server/smtp/plaintext-allowed", test_smtp_plaintext_allowed);
  g_test_add_func ("/server/program", test_program);

  return g_test_run ();
}
