/* bench-pop3-previews.c: how fast previews come in over a slow link
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fills a Maildir with N messages, serves it with the embedded server
 * (implicit TLS) behind a userspace proxy that delays every chunk by half
 * the round-trip time in each direction without waiting for earlier
 * chunks, and times the previews (STAT, LIST, UIDL, TOP n 0 for each
 * message) pipelined and, optionally, one command at a time.
 *
 *   bench-pop3-previews [--messages N] [--rtt MS] [--serial] [--runs R]
 *
 * The bound it checks: previews within 1.5 × (round trips × RTT + the
 * same job's time at RTT 0).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <utime.h>

#include "mw-mail-server.h"
#include "mw-pop3-client.h"

#define USER     "bench"
#define PASSWORD "bench-password"

/* The delaying proxy. */

typedef struct
{
  GSocketListener *listener;
  guint16          port;
  guint16          target;
  gint64           delay_us; /* one way */
  GThread         *thread;
} Proxy;

typedef struct
{
  gint64  due;
  GBytes *bytes; /* NULL: end of stream */
} Chunk;

typedef struct
{
  GSocket     *from;
  GSocket     *to;
  GAsyncQueue *queue;
  gint64       delay_us;
} Pipe;

static gpointer
pipe_reader (gpointer data)
{
  Pipe  *pipe = data;
  guint8 buffer[65536];

  for (;;)
    {
      gssize n = g_socket_receive (pipe->from, (char *) buffer, sizeof buffer, NULL, NULL);
      Chunk *chunk = g_new0 (Chunk, 1);

      chunk->due = g_get_monotonic_time () + pipe->delay_us;
      if (n > 0)
        chunk->bytes = g_bytes_new (buffer, n);
      g_async_queue_push (pipe->queue, chunk);
      if (n <= 0)
        return NULL;
    }
}

static gpointer
pipe_writer (gpointer data)
{
  Pipe *pipe = data;

  for (;;)
    {
      Chunk *chunk = g_async_queue_pop (pipe->queue);
      gint64 wait = chunk->due - g_get_monotonic_time ();

      if (wait > 0)
        g_usleep (wait);
      if (chunk->bytes == NULL)
        {
          g_socket_shutdown (pipe->to, FALSE, TRUE, NULL);
          g_free (chunk);
          return NULL;
        }
      {
        size_t        len;
        const guint8 *p = g_bytes_get_data (chunk->bytes, &len);

        while (len > 0)
          {
            gssize n = g_socket_send (pipe->to, (const char *) p, len, NULL, NULL);

            if (n <= 0)
              break;
            p += n;
            len -= n;
          }
      }
      g_bytes_unref (chunk->bytes);
      g_free (chunk);
    }
}

static void
start_pipe (GSocket *from,
            GSocket *to,
            gint64   delay_us)
{
  Pipe *pipe = g_new0 (Pipe, 1);

  pipe->from = g_object_ref (from);
  pipe->to = g_object_ref (to);
  pipe->queue = g_async_queue_new ();
  pipe->delay_us = delay_us;
  g_thread_unref (g_thread_new ("reader", pipe_reader, pipe));
  g_thread_unref (g_thread_new ("writer", pipe_writer, pipe));
}

static gpointer
proxy_thread (gpointer data)
{
  Proxy *proxy = data;

  for (;;)
    {
      g_autoptr (GSocketConnection) in = NULL;
      g_autoptr (GSocketConnection) out = NULL;
      g_autoptr (GSocketClient) client = g_socket_client_new ();

      in = g_socket_listener_accept (proxy->listener, NULL, NULL, NULL);
      if (in == NULL)
        return NULL;
      out = g_socket_client_connect_to_host (client, "127.0.0.1", proxy->target, NULL, NULL);
      if (out == NULL)
        continue;
      g_socket_set_option (g_socket_connection_get_socket (in), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
      g_socket_set_option (g_socket_connection_get_socket (out), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
      start_pipe (g_socket_connection_get_socket (in), g_socket_connection_get_socket (out), proxy->delay_us);
      start_pipe (g_socket_connection_get_socket (out), g_socket_connection_get_socket (in), proxy->delay_us);
      /* The pipes hold the sockets; the connections must stay open. */
      g_object_ref (in);
      g_object_ref (out);
    }
}

static Proxy *
proxy_new (guint16 target,
           guint   rtt_ms)
{
  Proxy *proxy = g_new0 (Proxy, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) effective = NULL;

  proxy->listener = g_socket_listener_new ();
  proxy->target = target;
  proxy->delay_us = (gint64) rtt_ms * 1000 / 2;
  g_socket_listener_add_address (proxy->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  proxy->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  proxy->thread = g_thread_new ("proxy", proxy_thread, proxy);
  return proxy;
}

/* The client. */

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
  while (!wait->done)
    g_main_context_iteration (NULL, TRUE);
  return wait->result;
}

static void
wait_clear (Wait *wait)
{
  g_clear_object (&wait->result);
  wait->done = FALSE;
}

static MwPop3Client *
connect_client (guint16 port)
{
  MwPop3Client *client = mw_pop3_client_new ("127.0.0.1", port, MW_SECURITY_TLS, NULL);
  g_autoptr (GError) error = NULL;
  Wait wait = { 0 };

  mw_pop3_client_set_user (client, USER);
  mw_pop3_client_set_password (client, PASSWORD);
  mw_pop3_client_set_ca_file (client, g_getenv ("MW_BENCH_CA"));
  mw_pop3_client_set_server_identity (client, "localhost");
  mw_pop3_client_set_timeout (client, 600);
  mw_pop3_client_connect_async (client, NULL, wait_cb, &wait);
  if (!mw_pop3_client_connect_finish (client, wait_result (&wait), &error))
    g_error ("connect: %s", error->message);
  wait_clear (&wait);
  return client;
}

static void
quit_client (MwPop3Client *client)
{
  Wait wait = { 0 };

  mw_pop3_client_quit_async (client, NULL, wait_cb, &wait);
  mw_pop3_client_quit_finish (client, wait_result (&wait), NULL, NULL);
  wait_clear (&wait);
  g_object_unref (client);
}

/* Seconds per protocol round trip, from 20 NOOPs one after the other. */
static double
measure_rtt (guint16 port)
{
  MwPop3Client *client = connect_client (port);
  gint64        start;
  Wait          wait = { 0 };

  mw_pop3_client_set_pipelining (client, MW_POP3_PIPELINING_NEVER);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < 20; i++)
    {
      mw_pop3_client_noop_async (client, NULL, wait_cb, &wait);
      g_assert_true (mw_pop3_client_noop_finish (client, wait_result (&wait), NULL));
      wait_clear (&wait);
    }
  quit_client (client);
  return (g_get_monotonic_time () - start) / 20.0 / G_USEC_PER_SEC;
}

static double
time_previews (guint16  port,
               gboolean serial,
               guint    expected)
{
  MwPop3Client *client = connect_client (port);
  g_autoptr (GPtrArray) summaries = NULL;
  g_autoptr (GError) error = NULL;
  gint64 start;
  Wait   wait = { 0 };
  double seconds;

  if (serial)
    mw_pop3_client_set_pipelining (client, MW_POP3_PIPELINING_NEVER);
  start = g_get_monotonic_time ();
  mw_pop3_client_previews_async (client, NULL, wait_cb, &wait);
  summaries = mw_pop3_client_previews_finish (client, wait_result (&wait), &error);
  seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  if (summaries == NULL)
    g_error ("previews: %s", error->message);
  g_assert_cmpuint (summaries->len, ==, expected);
  wait_clear (&wait);
  quit_client (client);
  return seconds;
}

static void
fill_maildir (const char *maildir,
              guint       count)
{
  g_autofree char *dir = g_build_filename (maildir, "new", NULL);
  GString         *filler = g_string_new (NULL);

  g_mkdir_with_parents (dir, 0700);
  for (guint i = 0; i < 20; i++)
    g_string_append_printf (filler, "Received: from relay%u.example.net (relay%u.example.net "
                                    "[192.0.2.%u]) by mx.example.org with ESMTPS id %08X\r\n",
                            i, i, i, g_random_int ());
  for (guint i = 1; i <= count; i++)
    {
      g_autofree char *name = g_strdup_printf ("%u.M%uP1.bench,S=0", 1600000000 + i, i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *text = g_strdup_printf ("%sFrom: Sender %u <s%u@example.org>\r\n"
                                               "To: bench@example.org\r\nSubject: Message number %u\r\n"
                                               "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
                                               "Message-ID: <%u.bench@example.org>\r\n\r\n"
                                               "Hello %u.\r\n",
                                               filler->str, i, i, i, i, i);
      struct utimbuf   times = { 1600000000 + i, 1600000000 + i };

      g_file_set_contents (path, text, -1, NULL);
      g_utime (path, &times);
    }
  g_string_free (filler, TRUE);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof *values, compare_double);
  return values[n / 2];
}

int
main (int   argc,
      char *argv[])
{
  int          messages = 10000;
  int          rtt_ms = 50;
  int          runs = 3;
  gboolean     serial = FALSE;
  GOptionEntry entries[] = {
    { "messages", 'n', 0, G_OPTION_ARG_INT, &messages, "Messages in the maildrop", "N" },
    { "rtt", 'r', 0, G_OPTION_ARG_INT, &rtt_ms, "Added round-trip time", "MS" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs of each measurement", "R" },
    { "serial", 0, 0, G_OPTION_ARG_NONE, &serial, "Also time one command at a time", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- time POP3 previews");
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *maildir = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autoptr (GTlsCertificate) certificate = NULL;
  g_autoptr (MwMailServer) server = NULL;
  g_autofree double *fast = NULL;
  g_autofree double *slow = NULL;
  Proxy             *proxy;
  double             rtt, floor_time, slow_time, bound;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);

  cert = g_build_filename (MW_CERTS_DIR, "server.pem", NULL);
  key = g_build_filename (MW_CERTS_DIR, "server-key.pem", NULL);
  if (g_getenv ("MW_BENCH_CA") == NULL)
    {
      g_autofree char *ca = g_build_filename (MW_CERTS_DIR, "ca.pem", NULL);
      g_setenv ("MW_BENCH_CA", ca, TRUE);
    }

  tmp = g_dir_make_tmp ("mailwire-bench-XXXXXX", &error);
  g_assert_no_error (error);
  maildir = g_build_filename (tmp, "Maildir", NULL);
  fill_maildir (maildir, messages);

  server = mw_mail_server_new (maildir);
  mw_mail_server_add_user (server, USER, PASSWORD);
  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  mw_mail_server_set_certificate (server, certificate);
  if (!mw_mail_server_start (server, &error))
    g_error ("%s", error->message);

  proxy = proxy_new (mw_mail_server_get_pop3s_port (server), rtt_ms);

  fast = g_new0 (double, runs);
  slow = g_new0 (double, runs);
  for (int i = 0; i < runs; i++)
    {
      /* Interleaved, so both see the same machine load. */
      fast[i] = time_previews (mw_mail_server_get_pop3s_port (server), FALSE, messages);
      slow[i] = time_previews (proxy->port, FALSE, messages);
    }
  floor_time = median (fast, runs);
  slow_time = median (slow, runs);
  rtt = measure_rtt (proxy->port) - measure_rtt (mw_mail_server_get_pop3s_port (server));

  /* STAT+LIST+UIDL in one round trip, then the TOPs in another. */
  bound = 2 * rtt + floor_time;
  g_print ("messages %d, added RTT %.1f ms (measured), runs %d\n", messages, rtt * 1000, runs);
  g_print ("pipelined previews at RTT 0:     %.3f s (median)\n", floor_time);
  g_print ("pipelined previews at RTT %d ms: %.3f s (median)\n", rtt_ms, slow_time);
  g_print ("bound 2 x RTT + time at RTT 0:   %.3f s; ratio %.2f (target <= 1.5)\n",
           bound, slow_time / bound);

  if (serial)
    {
      double t = time_previews (proxy->port, TRUE, messages);

      g_print ("one at a time at RTT %d ms:      %.3f s (%.1f x pipelined)\n", rtt_ms, t, t / slow_time);
    }

  mw_mail_server_stop (server);
  return slow_time / bound <= 1.5 ? 0 : 1;
}
