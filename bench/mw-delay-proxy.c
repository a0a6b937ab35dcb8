/* mw-delay-proxy.c: a TCP proxy on loopback that adds round-trip time
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The kernel here has no netem, so latency is added in user space: every
 * chunk read from one side is written to the other RTT/2 later, without
 * waiting for earlier chunks to be answered, so pipelined traffic overlaps
 * as it does on a real link.
 *
 *   mw-delay-proxy --target-port PORT --rtt-ms MS [--listen-port PORT]
 *
 * prints "port=N" once listening, then serves until killed.
 */

#include "config.h"

#include <gio/gio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>

typedef struct
{
  gint64  due;
  GBytes *data; /* NULL: end of stream */
} Chunk;

typedef struct
{
  GSocket      *from;
  GSocket      *to;
  GAsyncQueue  *queue;
  gint64        delay_us;
  volatile int *closed;
} Pump;

static void
chunk_free (Chunk *chunk)
{
  g_clear_pointer (&chunk->data, g_bytes_unref);
  g_free (chunk);
}

static gpointer
reader_thread (gpointer data)
{
  Pump  *pump = data;
  guint8 buffer[65536];

  for (;;)
    {
      gssize n = g_socket_receive (pump->from, (char *) buffer, sizeof buffer, NULL, NULL);
      Chunk *chunk = g_new0 (Chunk, 1);

      chunk->due = g_get_monotonic_time () + pump->delay_us;
      if (n > 0)
        chunk->data = g_bytes_new (buffer, n);
      g_async_queue_push (pump->queue, chunk);
      if (n <= 0)
        break;
    }

  return NULL;
}

static gpointer
writer_thread (gpointer data)
{
  Pump *pump = data;

  for (;;)
    {
      Chunk        *chunk = g_async_queue_pop (pump->queue);
      gint64        wait = chunk->due - g_get_monotonic_time ();
      const guint8 *bytes;
      gsize         len;
      gsize         sent = 0;

      if (wait > 0)
        g_usleep (wait);

      if (chunk->data == NULL)
        {
          g_socket_shutdown (pump->to, FALSE, TRUE, NULL);
          chunk_free (chunk);
          break;
        }

      bytes = g_bytes_get_data (chunk->data, &len);
      while (sent < len)
        {
          gssize n = g_socket_send (pump->to, (const char *) bytes + sent, len - sent, NULL, NULL);

          if (n <= 0)
            break;
          sent += n;
        }
      chunk_free (chunk);
    }

  return NULL;
}

typedef struct
{
  GSocket *client;
  guint16  target_port;
  gint64   delay_us;
} Session;

static gpointer
session_thread (gpointer data)
{
  Session *session = data;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) target = g_inet_socket_address_new (loopback, session->target_port);
  g_autoptr (GSocket) server = NULL;
  Pump     up = { 0 };
  Pump     down = { 0 };
  GThread *threads[4];

  server = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  if (server == NULL || !g_socket_connect (server, target, NULL, NULL))
    {
      g_socket_close (session->client, NULL);
      g_object_unref (session->client);
      g_free (session);
      return NULL;
    }
  g_socket_set_option (server, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  g_socket_set_option (session->client, IPPROTO_TCP, TCP_NODELAY, 1, NULL);

  up = (Pump){ session->client, server, g_async_queue_new (), session->delay_us, NULL };
  down = (Pump){ server, session->client, g_async_queue_new (), session->delay_us, NULL };

  threads[0] = g_thread_new ("up-read", reader_thread, &up);
  threads[1] = g_thread_new ("up-write", writer_thread, &up);
  threads[2] = g_thread_new ("down-read", reader_thread, &down);
  threads[3] = g_thread_new ("down-write", writer_thread, &down);
  for (int i = 0; i < 4; i++)
    g_thread_join (threads[i]);

  g_async_queue_unref (up.queue);
  g_async_queue_unref (down.queue);
  g_socket_close (session->client, NULL);
  g_socket_close (server, NULL);
  g_object_unref (session->client);
  g_free (session);

  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  int                listen_port = 0;
  int                target_port = 0;
  int                rtt_ms = 0;
  const GOptionEntry entries[] = {
    { "listen-port", 0, 0, G_OPTION_ARG_INT, &listen_port, "Port to listen on (0: any free)", "PORT" },
    { "target-port", 0, 0, G_OPTION_ARG_INT, &target_port, "Port on 127.0.0.1 to forward to", "PORT" },
    { "rtt-ms", 0, 0, G_OPTION_ARG_INT, &rtt_ms, "Round-trip time to add", "MS" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- add latency on loopback");
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GSocket) listener = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || target_port <= 0 || rtt_ms < 0)
    {
      fprintf (stderr, "mw-delay-proxy: %s\n", error != NULL ? error->message : "--target-port is needed");
      return 2;
    }

  address = g_inet_socket_address_new (loopback, listen_port);
  listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  if (listener == NULL || !g_socket_bind (listener, address, TRUE, &error) ||
      !g_socket_listen (listener, &error))
    {
      fprintf (stderr, "mw-delay-proxy: %s\n", error->message);
      return 1;
    }

  bound = g_socket_get_local_address (listener, NULL);
  printf ("port=%u\n", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  fflush (stdout);

  for (;;)
    {
      GSocket *client = g_socket_accept (listener, NULL, &error);
      Session *session;

      if (client == NULL)
        {
          fprintf (stderr, "mw-delay-proxy: %s\n", error->message);
          return 1;
        }

      session = g_new0 (Session, 1);
      session->client = client;
      session->target_port = target_port;
      session->delay_us = (gint64) rtt_ms * 1000 / 2;
      g_thread_unref (g_thread_new ("session", session_thread, session));
    }

  return 0;
}
