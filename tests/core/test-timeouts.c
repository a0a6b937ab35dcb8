/* test-timeouts.c: a stalled server at every step, timed out or cancelled
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For each network operation of both clients a server goes silent at that
 * point. With a one-second timeout the operation fails with
 * G_IO_ERROR_TIMED_OUT within the timeout and some slack; with a long
 * timeout and the operation's GCancellable cancelled, it fails with
 * G_IO_ERROR_CANCELLED at once.
 */

#include "config.h"

#include <string.h>
#include <valgrind/valgrind.h>

#include "mw-fake-server.h"
#include "mw-pop3-client.h"
#include "mw-smtp-client.h"

#define USER     "tim"
#define PASSWORD "tanstaaf"
#define STALL_MS 30000

/* The timeout, and how early and late its error may come: the timers
 * have one-second granularity and may fire up to a quarter second early. */
#define TIMEOUT   1
#define EARLY_MS  300
#define SLACK_MS  1500
#define CANCEL_MS 200
#define PROMPT_MS 500
#define HANG_MS   20000

typedef enum
{
  POP3,
  SMTP,
} Protocol;

/* Sanitizers and valgrind slow everything down, TLS handshakes most: the
 * time bounds stretch by this factor. */
static guint
slowdown (void)
{
#if defined(__SANITIZE_ADDRESS__)
  return 4;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return 4;
#endif
#endif
  return RUNNING_ON_VALGRIND ? 20 : 1;
}

typedef enum
{
  OP_CONNECT,
  OP_STAT,
  OP_LIST,
  OP_UIDL,
  OP_TOP,
  OP_RETR,
  OP_DELE,
  OP_QUIT,
  OP_SEND,
  OP_NOOP,
} Operation;

typedef struct
{
  const char *name;
  Protocol    protocol;
  gboolean    starttls;
  /* The TCP connection itself never completes. */
  gboolean  no_accept;
  Operation op;
  void (*script) (MwFakeServer *server);
  /* What a timeout at this point means, when not G_IO_ERROR_TIMED_OUT. */
  GQuark (*timeout_domain) (void);
  int timeout_code;
} Row;

/* POP3. */

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
stall (MwFakeServer *server)
{
  mw_fake_server_stall (server, STALL_MS);
}

static void
pop3_greeting (MwFakeServer *server)
{
  stall (server);
}

static void
pop3_capa (MwFakeServer *server)
{
  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  stall (server);
}

static void
pop3_stls (MwFakeServer *server)
{
  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nSTLS\r\nUSER\r\n.\r\n");
  mw_fake_server_expect (server, "STLS");
  mw_fake_server_send (server, "+OK begin TLS\r\n");
  /* No handshake: the client's hello goes unanswered. */
  stall (server);
}

static void
pop3_user (MwFakeServer *server)
{
  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "-ERR\r\n");
  mw_fake_server_expect (server, "USER " USER);
  stall (server);
}

static void
pop3_pass (MwFakeServer *server)
{
  mw_fake_server_send (server, "+OK ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "-ERR\r\n");
  mw_fake_server_expect (server, "USER " USER);
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_expect (server, "PASS " PASSWORD);
  stall (server);
}

#define POP3_STALL_AFTER(name, command)      \
  static void                                \
  name (MwFakeServer *server)                \
  {                                          \
    pop3_login (server);                     \
    mw_fake_server_expect (server, command); \
    stall (server);                          \
  }

POP3_STALL_AFTER (pop3_stat, "STAT")
POP3_STALL_AFTER (pop3_list, "LIST")
POP3_STALL_AFTER (pop3_uidl, "UIDL")
POP3_STALL_AFTER (pop3_top, "TOP 1 0")
POP3_STALL_AFTER (pop3_retr, "RETR 1")
POP3_STALL_AFTER (pop3_dele, "DELE 1")
POP3_STALL_AFTER (pop3_quit, "QUIT")

/* SMTP. */

#define GREETING "220 fake.example ESMTP\r\n"
#define EHLO     "EHLO [127.0.0.1]"

static void
smtp_greeting (MwFakeServer *server)
{
  stall (server);
}

static void
smtp_ehlo (MwFakeServer *server)
{
  mw_fake_server_send (server, GREETING);
  mw_fake_server_expect (server, EHLO);
  stall (server);
}

static void
smtp_starttls (MwFakeServer *server)
{
  mw_fake_server_send (server, GREETING);
  mw_fake_server_expect (server, EHLO);
  mw_fake_server_send (server, "250-fake.example\r\n250 STARTTLS\r\n");
  mw_fake_server_expect (server, "STARTTLS");
  mw_fake_server_send (server, "220 go ahead\r\n");
  stall (server);
}

static void
smtp_auth (MwFakeServer *server)
{
  mw_fake_server_send (server, GREETING);
  mw_fake_server_expect (server, EHLO);
  mw_fake_server_send (server, "250-fake.example\r\n250 AUTH PLAIN\r\n");
  mw_fake_server_expect_any (server);
  stall (server);
}

static void
smtp_hello (MwFakeServer *server)
{
  mw_fake_server_send (server, GREETING);
  mw_fake_server_expect (server, EHLO);
  mw_fake_server_send (server, "250 fake.example\r\n");
}

static void
smtp_mail (MwFakeServer *server)
{
  smtp_hello (server);
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  stall (server);
}

static void
smtp_rcpt (MwFakeServer *server)
{
  smtp_hello (server);
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  stall (server);
}

static void
smtp_data (MwFakeServer *server)
{
  smtp_hello (server);
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "DATA");
  stall (server);
}

static void
smtp_final (MwFakeServer *server)
{
  smtp_hello (server);
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "DATA");
  mw_fake_server_send (server, "354 go ahead\r\n");
  mw_fake_server_expect_until (server, ".");
  stall (server);
}

static void
smtp_noop (MwFakeServer *server)
{
  smtp_hello (server);
  mw_fake_server_expect (server, "NOOP");
  stall (server);
}

static GQuark
smtp_domain (void)
{
  return MW_SMTP_ERROR;
}

static const Row rows[] = {
  { "pop3/connect", POP3, FALSE, TRUE, OP_CONNECT, NULL },
  { "pop3/greeting", POP3, FALSE, FALSE, OP_CONNECT, pop3_greeting },
  { "pop3/capa", POP3, FALSE, FALSE, OP_CONNECT, pop3_capa },
  { "pop3/stls-handshake", POP3, TRUE, FALSE, OP_CONNECT, pop3_stls },
  { "pop3/user", POP3, FALSE, FALSE, OP_CONNECT, pop3_user },
  { "pop3/pass", POP3, FALSE, FALSE, OP_CONNECT, pop3_pass },
  { "pop3/stat", POP3, FALSE, FALSE, OP_STAT, pop3_stat },
  { "pop3/list", POP3, FALSE, FALSE, OP_LIST, pop3_list },
  { "pop3/uidl", POP3, FALSE, FALSE, OP_UIDL, pop3_uidl },
  { "pop3/top", POP3, FALSE, FALSE, OP_TOP, pop3_top },
  { "pop3/retr", POP3, FALSE, FALSE, OP_RETR, pop3_retr },
  { "pop3/dele", POP3, FALSE, FALSE, OP_DELE, pop3_dele },
  { "pop3/quit", POP3, FALSE, FALSE, OP_QUIT, pop3_quit },
  { "smtp/connect", SMTP, FALSE, TRUE, OP_CONNECT, NULL },
  { "smtp/greeting", SMTP, FALSE, FALSE, OP_CONNECT, smtp_greeting },
  { "smtp/ehlo", SMTP, FALSE, FALSE, OP_CONNECT, smtp_ehlo },
  { "smtp/starttls-handshake", SMTP, TRUE, FALSE, OP_CONNECT, smtp_starttls },
  { "smtp/auth", SMTP, FALSE, FALSE, OP_CONNECT, smtp_auth },
  { "smtp/mail", SMTP, FALSE, FALSE, OP_SEND, smtp_mail },
  { "smtp/rcpt", SMTP, FALSE, FALSE, OP_SEND, smtp_rcpt },
  { "smtp/data", SMTP, FALSE, FALSE, OP_SEND, smtp_data },
  /* The whole message is out: the outcome is unknown, not a failure. */
  { "smtp/final-reply", SMTP, FALSE, FALSE, OP_SEND, smtp_final,
    smtp_domain, MW_SMTP_ERROR_DELIVERY_UNCERTAIN },
  { "smtp/noop", SMTP, FALSE, FALSE, OP_NOOP, smtp_noop },
};

/* A listener whose accept queue is full: connecting to it never
 * completes. */
typedef struct
{
  GSocket *listener;
  GSocket *fillers[4];
  guint16  port;
} Blackhole;

static void
blackhole_init (Blackhole *self)
{
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) error = NULL;

  self->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (self->listener, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_set_listen_backlog (self->listener, 0);
  g_socket_listen (self->listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (self->listener, &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  /* Fill the queue; the later connections hang in SYN-SENT. */
  for (guint i = 0; i < G_N_ELEMENTS (self->fillers); i++)
    {
      self->fillers[i] = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                       G_SOCKET_PROTOCOL_TCP, &error);
      g_assert_no_error (error);
      g_socket_set_blocking (self->fillers[i], FALSE);
      g_socket_connect (self->fillers[i], bound, NULL, NULL);
    }
}

static void
blackhole_clear (Blackhole *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->fillers); i++)
    g_clear_object (&self->fillers[i]);
  g_clear_object (&self->listener);
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
  g_assert_true (mw_test_wait_for (&wait->done, HANG_MS));
  return wait->result;
}

static void
wait_clear (Wait *wait)
{
  g_clear_object (&wait->result);
  wait->done = FALSE;
}

static gboolean
set_true_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static gboolean
pop3_run (MwPop3Client *client,
          Operation     op,
          GCancellable *cancellable,
          gint64       *start,
          GError      **error)
{
  g_autoptr (GOutputStream) sink = g_memory_output_stream_new_resizable ();
  Wait     wait = { 0 };
  gboolean ok;

  if (op != OP_CONNECT)
    {
      mw_pop3_client_connect_async (client, NULL, wait_cb, &wait);
      g_assert_true (mw_pop3_client_connect_finish (client, wait_result (&wait), NULL));
      wait_clear (&wait);
    }

  *start = g_get_monotonic_time ();
  if (cancellable != NULL)
    g_timeout_add (CANCEL_MS, cancel_cb, cancellable);

  switch (op)
    {
    case OP_CONNECT:
      mw_pop3_client_connect_async (client, cancellable, wait_cb, &wait);
      ok = mw_pop3_client_connect_finish (client, wait_result (&wait), error);
      break;
    case OP_STAT:
      mw_pop3_client_stat_async (client, cancellable, wait_cb, &wait);
      ok = mw_pop3_client_stat_finish (client, wait_result (&wait), NULL, NULL, error);
      break;
    case OP_LIST:
      {
        GArray *entries;

        mw_pop3_client_list_async (client, cancellable, wait_cb, &wait);
        entries = mw_pop3_client_list_finish (client, wait_result (&wait), error);
        ok = entries != NULL;
        g_clear_pointer (&entries, g_array_unref);
        break;
      }
    case OP_UIDL:
      {
        GArray *entries;

        mw_pop3_client_uidl_async (client, cancellable, wait_cb, &wait);
        entries = mw_pop3_client_uidl_finish (client, wait_result (&wait), error);
        ok = entries != NULL;
        g_clear_pointer (&entries, g_array_unref);
        break;
      }
    case OP_TOP:
      mw_pop3_client_top_async (client, 1, 0, sink, cancellable, wait_cb, &wait);
      ok = mw_pop3_client_top_finish (client, wait_result (&wait), NULL, error);
      break;
    case OP_RETR:
      mw_pop3_client_retr_async (client, 1, sink, cancellable, wait_cb, &wait);
      ok = mw_pop3_client_retr_finish (client, wait_result (&wait), NULL, error);
      break;
    case OP_DELE:
      mw_pop3_client_dele_async (client, 1, cancellable, wait_cb, &wait);
      ok = mw_pop3_client_dele_finish (client, wait_result (&wait), error);
      break;
    case OP_QUIT:
      {
        gboolean committed = TRUE;

        mw_pop3_client_quit_async (client, cancellable, wait_cb, &wait);
        ok = mw_pop3_client_quit_finish (client, wait_result (&wait), &committed, error);
        /* Whatever happened, nothing counts as deleted. */
        g_assert_false (committed);
        break;
      }
    case OP_SEND:
    case OP_NOOP:
    default:
      g_assert_not_reached ();
    }
  wait_clear (&wait);

  return ok;
}

static gboolean
smtp_run (MwSmtpClient *client,
          Operation     op,
          GCancellable *cancellable,
          gint64       *start,
          GError      **error)
{
  static const char *const recipients[] = { "you@example.net", NULL };
  static const char        message[] = "Subject: hi\r\n\r\nHello.\r\n";
  g_autoptr (GInputStream) stream = g_memory_input_stream_new_from_data (message, strlen (message), NULL);
  g_autoptr (MwSmtpSendResult) result = NULL;
  Wait     wait = { 0 };
  gboolean ok;

  if (op != OP_CONNECT)
    {
      mw_smtp_client_connect_async (client, NULL, wait_cb, &wait);
      g_assert_true (mw_smtp_client_connect_finish (client, wait_result (&wait), NULL));
      wait_clear (&wait);
    }

  *start = g_get_monotonic_time ();
  if (cancellable != NULL)
    g_timeout_add (CANCEL_MS, cancel_cb, cancellable);

  switch (op)
    {
    case OP_CONNECT:
      mw_smtp_client_connect_async (client, cancellable, wait_cb, &wait);
      ok = mw_smtp_client_connect_finish (client, wait_result (&wait), error);
      break;
    case OP_SEND:
      mw_smtp_client_send_async (client, "me@example.org", recipients, stream, -1,
                                 MW_SMTP_SEND_NONE, NULL, cancellable, wait_cb, &wait);
      ok = mw_smtp_client_send_finish (client, wait_result (&wait), &result, error);
      break;
    case OP_NOOP:
      mw_smtp_client_noop_async (client, cancellable, wait_cb, &wait);
      ok = mw_smtp_client_simple_finish (client, wait_result (&wait), error);
      break;
    case OP_STAT:
    case OP_LIST:
    case OP_UIDL:
    case OP_TOP:
    case OP_RETR:
    case OP_DELE:
    case OP_QUIT:
    default:
      g_assert_not_reached ();
    }
  wait_clear (&wait);

  return ok;
}

static void
run_row (const Row *row,
         gboolean   cancel)
{
  g_autoptr (MwFakeServer) server = NULL;
  g_autoptr (GCancellable) cancellable = cancel ? g_cancellable_new () : NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *ca = mw_test_cert_path ("ca.pem");
  MwSecurity       security = row->starttls ? MW_SECURITY_STARTTLS : MW_SECURITY_NONE;
  guint            timeout = cancel ? 30 : TIMEOUT;
  Blackhole        blackhole = { 0 };
  guint16          port;
  gint64           start = 0;
  gint64           elapsed_ms;
  gboolean         ok;

  if (row->no_accept)
    {
      blackhole_init (&blackhole);
      port = blackhole.port;
    }
  else
    {
      server = mw_fake_server_new (MW_FAKE_TLS_NONE, row->starttls ? "server" : NULL);
      row->script (server);
      mw_fake_server_start (server);
      port = mw_fake_server_get_port (server);
    }

  if (row->protocol == POP3)
    {
      g_autoptr (MwPop3Client) client = mw_pop3_client_new ("127.0.0.1", port, security, NULL);

      mw_pop3_client_set_user (client, USER);
      mw_pop3_client_set_password (client, PASSWORD);
      mw_pop3_client_set_allow_plaintext (client, TRUE);
      mw_pop3_client_set_timeout (client, timeout);
      mw_pop3_client_set_ca_file (client, ca);
      mw_pop3_client_set_server_identity (client, "localhost");
      ok = pop3_run (client, row->op, cancellable, &start, &error);
      mw_pop3_client_close (client);
    }
  else
    {
      g_autoptr (MwSmtpClient) client = mw_smtp_client_new ("127.0.0.1", port, security, NULL);

      if (row->script == smtp_auth)
        {
          mw_smtp_client_set_user (client, USER);
          mw_smtp_client_set_password (client, PASSWORD);
        }
      mw_smtp_client_set_allow_plaintext (client, TRUE);
      mw_smtp_client_set_timeout (client, timeout);
      mw_smtp_client_set_final_reply_timeout (client, timeout);
      mw_smtp_client_set_ca_file (client, ca);
      mw_smtp_client_set_server_identity (client, "localhost");
      ok = smtp_run (client, row->op, cancellable, &start, &error);
      mw_smtp_client_close (client);
    }
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("%s %s: %s in %" G_GINT64_FORMAT " ms", row->name, cancel ? "cancelled" : "timed out",
                  error != NULL ? error->message : "success", elapsed_ms);

  g_assert_false (ok);
  if (cancel)
    {
      /* Cancelling after the whole message went out cannot undo it. */
      if (row->timeout_domain != NULL)
        g_assert_error (error, row->timeout_domain (), row->timeout_code);
      else
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_cmpint (elapsed_ms, >=, CANCEL_MS - 50);
      g_assert_cmpint (elapsed_ms, <=, CANCEL_MS + PROMPT_MS * slowdown ());
    }
  else
    {
      if (row->timeout_domain != NULL)
        g_assert_error (error, row->timeout_domain (), row->timeout_code);
      else
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
      g_assert_cmpint (elapsed_ms, >=, TIMEOUT * 1000 - EARLY_MS);
      g_assert_cmpint (elapsed_ms, <=, TIMEOUT * 1000 + SLACK_MS * slowdown ());
    }

  blackhole_clear (&blackhole);
  if (row->no_accept)
    {
      gboolean done = FALSE;

      /* GSocketClient lets go of its abandoned attempt only once the
       * refused connection is reported: give it until a deadline. */
      g_timeout_add (500 * slowdown (), set_true_cb, &done);
      while (!done)
        g_main_context_iteration (NULL, TRUE);
    }
}

static void
test_timeout (gconstpointer data)
{
  run_row (data, FALSE);
}

static void
test_cancel (gconstpointer data)
{
  run_row (data, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (size_t i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *timeout = g_strdup_printf ("/core/timeouts/%s/timeout", rows[i].name);
      g_autofree char *cancel = g_strdup_printf ("/core/timeouts/%s/cancel", rows[i].name);

      g_test_add_data_func (timeout, &rows[i], test_timeout);
      g_test_add_data_func (cancel, &rows[i], test_cancel);
    }

  return g_test_run ();
}
