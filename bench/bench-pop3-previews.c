/* bench-pop3-previews.c: how fast previews come in over a slow link
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Times a whole previews job (connect over implicit TLS, CAPA, log in,
 * then STAT, LIST, UIDL and TOP n 0 for every message) through a
 * userspace proxy that delays every chunk by half the round-trip time in
 * each direction without waiting for earlier chunks. Two proxies run side
 * by side, one adding nothing and one adding RTT, and every measurement
 * alternates between them so that both see the same machine load.
 *
 *   bench-pop3-previews [--messages N] [--rtt MS] [--runs R]
 *                       [--env FILE [--sample S]] [--serial]
 *
 * Without --env it fills a Maildir and serves it with the embedded
 * server. With --env it reads the env file of tests/lib/mail-servers and
 * talks to Dovecot: USER1 holds N messages, USER2 a sample of S on which
 * one command at a time is timed and extrapolated to N
 * (bench/pop3-previews.sh prepares both).
 *
 * The bound: round trips × measured RTT + bytes ÷ loopback throughput,
 * the throughput being that of the same job through the proxy at RTT 0.
 * The exit status is 1 when the pipelined job takes more than 1.5 times
 * the bound.
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
#define TARGET   1.5

/* The delaying proxy. */

typedef struct
{
  GSocketListener *listener;
  guint16          port;
  guint16          target;
  gint64           delay_us; /* one way */
  GThread         *thread;
  GMutex           lock;
  guint64          bytes; /* both directions, all sessions */
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
  Proxy       *proxy;
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
        {
          chunk->bytes = g_bytes_new (buffer, n);
          g_mutex_lock (&pipe->proxy->lock);
          pipe->proxy->bytes += n;
          g_mutex_unlock (&pipe->proxy->lock);
        }
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
start_pipe (Proxy   *proxy,
            GSocket *from,
            GSocket *to)
{
  Pipe *pipe = g_new0 (Pipe, 1);

  pipe->from = g_object_ref (from);
  pipe->to = g_object_ref (to);
  pipe->queue = g_async_queue_new ();
  pipe->delay_us = proxy->delay_us;
  pipe->proxy = proxy;
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
      start_pipe (proxy, g_socket_connection_get_socket (in), g_socket_connection_get_socket (out));
      start_pipe (proxy, g_socket_connection_get_socket (out), g_socket_connection_get_socket (in));
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
  g_mutex_init (&proxy->lock);
  g_socket_listener_add_address (proxy->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  proxy->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  proxy->thread = g_thread_new ("proxy", proxy_thread, proxy);
  return proxy;
}

static guint64
proxy_get_bytes (Proxy *proxy)
{
  guint64 bytes;

  g_mutex_lock (&proxy->lock);
  bytes = proxy->bytes;
  g_mutex_unlock (&proxy->lock);
  return bytes;
}

/* The client. */

typedef struct
{
  const char *user;
  const char *password;
  const char *ca_file;
  const char *server_name;
} Account;

typedef struct
{
  double connect;  /* TCP, TLS, greeting, CAPA, login */
  double previews; /* STAT, LIST, UIDL, the TOPs */
  double total;
  double bytes; /* through the proxy, both directions */
} Job;

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
connect_client (guint16        port,
                const Account *account,
                MwTranscript  *transcript)
{
  MwPop3Client *client = mw_pop3_client_new ("127.0.0.1", port, MW_SECURITY_TLS, transcript);
  g_autoptr (GError) error = NULL;
  Wait wait = { 0 };

  mw_pop3_client_set_user (client, account->user);
  mw_pop3_client_set_password (client, account->password);
  mw_pop3_client_set_ca_file (client, account->ca_file);
  mw_pop3_client_set_server_identity (client, account->server_name);
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
measure_rtt (guint16        port,
             const Account *account)
{
  MwPop3Client *client = connect_client (port, account, NULL);
  gint64        start;
  Wait          wait = { 0 };

  mw_pop3_client_set_pipelining (client, MW_POP3_PIPELINING_NEVER);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr (GError) error = NULL;

      mw_pop3_client_noop_async (client, NULL, wait_cb, &wait);
      if (!mw_pop3_client_noop_finish (client, wait_result (&wait), &error))
        g_error ("NOOP: %s", error->message);
      wait_clear (&wait);
    }
  quit_client (client);
  return (g_get_monotonic_time () - start) / 20.0 / G_USEC_PER_SEC;
}

/* The round trips the client starts after the greeting until it is
 * logged in: a client line that follows a server line (or comes first)
 * waits for the server, lines sent back to back share a round trip. */
static guint
count_login_round_trips (guint16        port,
                         const Account *account,
                         char         **out_commands)
{
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  GString      *commands = g_string_new (NULL);
  MwPop3Client *client = connect_client (port, account, transcript);
  guint         n = g_list_model_get_n_items (G_LIST_MODEL (transcript));
  guint         turns = 0;
  gboolean      waiting = FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (MwTranscriptEntry) entry = g_list_model_get_item (G_LIST_MODEL (transcript), i);
      MwTranscriptDirection direction = mw_transcript_entry_get_direction (entry);

      if (direction == MW_TRANSCRIPT_SERVER)
        waiting = FALSE;
      else if (direction == MW_TRANSCRIPT_CLIENT)
        {
          const char *text = mw_transcript_entry_get_text (entry);

          if (!waiting)
            turns++;
          waiting = TRUE;
          g_string_append_printf (commands, "%s%.*s", commands->len > 0 ? ", " : "",
                                  (int) strcspn (text, " "), text);
        }
    }
  quit_client (client);
  *out_commands = g_string_free (commands, FALSE);
  return turns;
}

static Job
run_job (Proxy         *proxy,
         const Account *account,
         gboolean       serial,
         guint          expected)
{
  g_autoptr (GPtrArray) summaries = NULL;
  g_autoptr (GError) error = NULL;
  guint64       bytes = proxy_get_bytes (proxy);
  gint64        start = g_get_monotonic_time ();
  MwPop3Client *client = connect_client (proxy->port, account, NULL);
  gint64        logged_in = g_get_monotonic_time ();
  Wait          wait = { 0 };
  Job           job;

  if (serial)
    mw_pop3_client_set_pipelining (client, MW_POP3_PIPELINING_NEVER);
  mw_pop3_client_previews_async (client, NULL, wait_cb, &wait);
  summaries = mw_pop3_client_previews_finish (client, wait_result (&wait), &error);
  job.connect = (double) (logged_in - start) / G_USEC_PER_SEC;
  job.previews = (double) (g_get_monotonic_time () - logged_in) / G_USEC_PER_SEC;
  job.total = job.connect + job.previews;
  if (summaries == NULL)
    g_error ("previews: %s", error->message);
  if (summaries->len != (guint) expected)
    g_error ("previews: %u messages, not %u", summaries->len, expected);
  wait_clear (&wait);
  /* What the proxy has seen is complete once the last reply is in. */
  job.bytes = (double) (proxy_get_bytes (proxy) - bytes);
  quit_client (client);
  return job;
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

/* KEY=VALUE lines, values quoted for the shell. */
static GHashTable *
read_env (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  GHashTable *env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (!g_file_get_contents (path, &text, NULL, &error))
    g_error ("%s", error->message);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *eq = strchr (lines[i], '=');
      char       *value;

      if (eq == NULL)
        continue;
      value = g_shell_unquote (eq + 1, &error);
      if (value == NULL)
        g_error ("%s: %s", path, error->message);
      g_hash_table_insert (env, g_strndup (lines[i], eq - lines[i]), value);
    }
  return env;
}

static const char *
env_get (GHashTable *env,
         const char *key)
{
  const char *value = g_hash_table_lookup (env, key);

  if (value == NULL)
    g_error ("the env file has no %s", key);
  return value;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (const double *values,
        guint         n)
{
  g_autofree double *sorted = g_memdup2 (values, n * sizeof *values);

  qsort (sorted, n, sizeof *sorted, compare_double);
  return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/* The median of one field of the jobs, given by its offset. */
static double
job_median (const Job *jobs,
            int        n,
            size_t     offset)
{
  g_autofree double *values = g_new (double, n);

  for (int i = 0; i < n; i++)
    values[i] = G_STRUCT_MEMBER (double, &jobs[i], offset);
  return median (values, n);
}

/* Round trips of the TOP batch: Mailwire keeps at most
 * MW_POP3_PIPELINE_BYTES of commands and MW_POP3_PIPELINE_REPLIES replies
 * in flight, so each round trip carries at most one window. */
static guint
top_windows (guint    messages,
             guint64 *out_command_bytes)
{
  guint64 bytes = 0;
  guint64 by_bytes, by_replies;

  for (guint i = 1; i <= messages; i++)
    {
      g_autofree char *line = g_strdup_printf ("TOP %u 0\r\n", i);

      bytes += strlen (line);
    }
  by_bytes = (bytes + MW_POP3_PIPELINE_BYTES - 1) / MW_POP3_PIPELINE_BYTES;
  by_replies = (messages + MW_POP3_PIPELINE_REPLIES - 1) / MW_POP3_PIPELINE_REPLIES;
  *out_command_bytes = bytes;
  return (guint) MAX (by_bytes, by_replies);
}

int
main (int   argc,
      char *argv[])
{
  int              messages = 10000;
  int              sample = 0;
  int              rtt_ms = 50;
  int              runs = 3;
  gboolean         serial = FALSE;
  g_autofree char *env_path = NULL;
  GOptionEntry     entries[] = {
        { "messages", 'n', 0, G_OPTION_ARG_INT, &messages, "Messages in the maildrop", "N" },
        { "rtt", 'r', 0, G_OPTION_ARG_INT, &rtt_ms, "Added round-trip time", "MS" },
        { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs of each measurement", "R" },
        { "env", 0, 0, G_OPTION_ARG_FILENAME, &env_path, "Use the servers of tests/lib/mail-servers", "FILE" },
        { "sample", 0, 0, G_OPTION_ARG_INT, &sample, "Messages of USER2, timed one at a time", "S" },
        { "serial", 0, 0, G_OPTION_ARG_NONE, &serial, "Also time one command at a time on all N", NULL },
        { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- time POP3 previews");
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) env = NULL;
  g_autoptr (MwMailServer) server = NULL;
  g_autofree char   *ca = NULL;
  g_autofree char   *commands = NULL;
  g_autofree Job    *fast = NULL;
  g_autofree Job    *slow = NULL;
  g_autofree Job    *sample_fast = NULL;
  g_autofree Job    *sample_slow = NULL;
  g_autofree double *rtts = NULL;
  g_autofree double *rtts0 = NULL;
  Account            account = { USER, PASSWORD, NULL, "localhost" };
  Account            sample_account = { 0 };
  const char        *what;
  guint16            target;
  Proxy             *proxy0, *proxy;
  guint64            command_bytes;
  guint              login_trips, windows, trips;
  double             rtt, rtt0, fast_total, slow_total, bytes, throughput, bound;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  if (messages < 1 || runs < 1 || rtt_ms < 0 || sample < 0 || (sample > 0 && env_path == NULL))
    g_error ("--messages and --runs must be positive; --sample needs --env");

  if (env_path != NULL)
    {
      env = read_env (env_path);
      target = (guint16) atoi (env_get (env, "POP3S_PORT"));
      account.user = env_get (env, "USER1");
      account.password = env_get (env, "PASS1");
      account.ca_file = env_get (env, "CA_FILE");
      account.server_name = env_get (env, "TLS_SERVER_NAME");
      sample_account = account;
      sample_account.user = env_get (env, "USER2");
      sample_account.password = env_get (env, "PASS2");
      what = "Dovecot";
    }
  else
    {
      g_autofree char *tmp = NULL;
      g_autofree char *maildir = NULL;
      g_autofree char *cert = g_build_filename (MW_CERTS_DIR, "server.pem", NULL);
      g_autofree char *key = g_build_filename (MW_CERTS_DIR, "server-key.pem", NULL);
      g_autoptr (GTlsCertificate) certificate = NULL;

      ca = g_build_filename (MW_CERTS_DIR, "ca.pem", NULL);
      account.ca_file = ca;
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
      target = mw_mail_server_get_pop3s_port (server);
      what = "the embedded server";
    }

  /* The same proxy code on both paths, so that only the delay differs. */
  proxy0 = proxy_new (target, 0);
  proxy = proxy_new (target, rtt_ms);

  /* Not measured: lets the server build its indexes and caches. */
  run_job (proxy0, &account, FALSE, messages);
  if (sample > 0)
    run_job (proxy0, &sample_account, FALSE, sample);

  fast = g_new0 (Job, runs);
  slow = g_new0 (Job, runs);
  sample_fast = g_new0 (Job, runs);
  sample_slow = g_new0 (Job, runs);
  rtts = g_new0 (double, runs);
  rtts0 = g_new0 (double, runs);
  for (int i = 0; i < runs; i++)
    {
      /* Interleaved, so that all see the same machine load. */
      rtts0[i] = measure_rtt (proxy0->port, &account);
      rtts[i] = measure_rtt (proxy->port, &account) - rtts0[i];
      fast[i] = run_job (proxy0, &account, FALSE, messages);
      slow[i] = run_job (proxy, &account, FALSE, messages);
      if (sample > 0)
        {
          sample_fast[i] = run_job (proxy, &sample_account, FALSE, sample);
          sample_slow[i] = run_job (proxy, &sample_account, TRUE, sample);
        }
      g_printerr ("run %d: RTT 0 %.3f s, RTT %d ms %.3f s", i + 1, fast[i].total, rtt_ms, slow[i].total);
      if (sample > 0)
        g_printerr (", sample of %d one at a time %.3f s", sample, sample_slow[i].total);
      g_printerr ("\n");
    }

  rtt0 = median (rtts0, runs);
  rtt = median (rtts, runs);
  fast_total = job_median (fast, runs, G_STRUCT_OFFSET (Job, total));
  slow_total = job_median (slow, runs, G_STRUCT_OFFSET (Job, total));
  bytes = job_median (slow, runs, G_STRUCT_OFFSET (Job, bytes));
  throughput = job_median (fast, runs, G_STRUCT_OFFSET (Job, bytes)) / fast_total;

  /* Round trips: the TLS handshake with the greeting (1: over TLS 1.3
   * the server may send the greeting right after its Finished; the
   * cross-check below shows whether it did), the client's own round trips
   * up to the end of the login (counted in a transcript), STAT, LIST and
   * UIDL together (1: the TOPs leave when LIST's reply is in), then one
   * per window of TOPs. The TCP handshake is with the proxy on loopback
   * and adds none. */
  login_trips = count_login_round_trips (proxy0->port, &account, &commands);
  windows = top_windows (messages, &command_bytes);
  trips = 1 + login_trips + 1 + windows;
  bound = trips * rtt + bytes / throughput;

  g_print ("POP3 previews of %d messages from %s over implicit TLS, %d runs, medians\n", messages, what, runs);
  g_print ("added RTT: %.1f ms measured (20 x NOOP through the %d ms proxy minus through the 0 ms proxy: %.1f ms vs %.1f ms)\n",
           rtt * 1000, rtt_ms, (rtt + rtt0) * 1000, rtt0 * 1000);
  g_print ("pipelined at RTT 0:     %.3f s (connect+login %.3f s, previews %.3f s), %.1f MB on the wire: %.1f MB/s\n",
           fast_total, job_median (fast, runs, G_STRUCT_OFFSET (Job, connect)), job_median (fast, runs, G_STRUCT_OFFSET (Job, previews)),
           job_median (fast, runs, G_STRUCT_OFFSET (Job, bytes)) / 1e6, throughput / 1e6);
  g_print ("pipelined at RTT %d ms: %.3f s (connect+login %.3f s, previews %.3f s)\n",
           rtt_ms, slow_total, job_median (slow, runs, G_STRUCT_OFFSET (Job, connect)), job_median (slow, runs, G_STRUCT_OFFSET (Job, previews)));
  g_print ("round trips: %u = TLS handshake and greeting 1 + login %u (%s) + STAT/LIST/UIDL 1 + TOP windows %u "
           "(%" G_GUINT64_FORMAT " bytes of TOP commands, windows of %u bytes / %u replies)\n",
           trips, login_trips, commands, windows, command_bytes, MW_POP3_PIPELINE_BYTES, MW_POP3_PIPELINE_REPLIES);
  g_print ("  connect+login cross-check: (time at RTT %d ms - time at RTT 0) / RTT = %.1f round trips (counted %u)\n",
           rtt_ms, (job_median (slow, runs, G_STRUCT_OFFSET (Job, connect)) - job_median (fast, runs, G_STRUCT_OFFSET (Job, connect))) / rtt, 1 + login_trips);
  g_print ("bound = %u x %.1f ms + %.1f MB / %.1f MB/s = %.3f s\n", trips, rtt * 1000, bytes / 1e6, throughput / 1e6, bound);
  g_print ("ratio pipelined / bound: %.2f (target <= %.1f)\n", slow_total / bound, TARGET);

  if (sample > 0)
    {
      double pipelined = job_median (sample_fast, runs, G_STRUCT_OFFSET (Job, total));
      double one = job_median (sample_slow, runs, G_STRUCT_OFFSET (Job, total));
      double one_connect = job_median (sample_slow, runs, G_STRUCT_OFFSET (Job, connect));
      double one_previews = job_median (sample_slow, runs, G_STRUCT_OFFSET (Job, previews));
      /* One at a time: STAT, LIST and UIDL, then one round trip per TOP. */
      double per_message = (one_previews - 3 * rtt) / sample;
      double extrapolated = one_connect + 3 * rtt + messages * per_message;

      g_print ("one at a time, measured on a sample of %d messages (USER2) at RTT %d ms: %.3f s; "
               "pipelined on the same sample: %.3f s; ratio %.1f\n",
               sample, rtt_ms, one, pipelined, one / pipelined);
      g_print ("  per message: %.2f ms = (previews %.3f s - 3 x RTT) / %d, i.e. %.2f x the measured RTT\n",
               per_message * 1000, one_previews, sample, per_message / rtt);
      g_print ("one at a time, EXTRAPOLATED to %d messages (not measured): %.0f s = connect+login %.3f s + 3 x RTT + %d x %.2f ms\n",
               messages, extrapolated, one_connect, messages, per_message * 1000);
      g_print ("ratio one at a time (extrapolated) / pipelined: %.0f\n", extrapolated / slow_total);
    }

  if (serial)
    {
      Job job = run_job (proxy, &account, TRUE, messages);

      g_print ("one at a time at RTT %d ms, all %d messages: %.3f s (%.1f x pipelined)\n",
               rtt_ms, messages, job.total, job.total / slow_total);
    }

  if (server != NULL)
    mw_mail_server_stop (server);
  return slow_total / bound <= TARGET ? 0 : 1;
}
