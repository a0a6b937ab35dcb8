/* smtp-send.c: what pipelining saves when sending, at two round-trip times
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   smtp-send --proxy PATH-TO-mw-delay-proxy [--runs N] [--rtt-ms MS]
 *
 * Sends, through mw-delay-proxy to the embedded server on loopback, one
 * message to 50 recipients and one 25 MB message, at 0 and MS (default
 * 50) ms of added round-trip time, with pipelining and without. Two cores
 * are shared with other work, so it reports the median of several runs and
 * the ratio of the two modes measured in the same run, never a single
 * absolute time. The RTT the proxy really adds is measured with 20 NOOPs.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mw-mail-server.h"
#include "mw-smtp-client.h"

#define N_RECIPIENTS 50
#define LARGE_SIZE   (25 * 1024 * 1024)

#define SMALL_MESSAGE "From: <bench@example.org>\r\nSubject: fifty\r\n\r\nHello, all of you.\r\n"

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
check (gboolean    ok,
       GError     *error,
       const char *what)
{
  if (!ok)
    {
      g_printerr ("smtp-send: %s: %s\n", what, error != NULL ? error->message : "failed");
      exit (1);
    }
}

/* A proxy in front of @port adding @rtt_ms; returns its port. */
static guint16
start_proxy (const char   *path,
             guint16       port,
             guint         rtt_ms,
             GSubprocess **out_proxy)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *target = g_strdup_printf ("%u", port);
  g_autofree char *rtt = g_strdup_printf ("%u", rtt_ms);
  g_autoptr (GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  GSubprocess     *proxy;

  proxy = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, path,
                            "--target-port", target, "--rtt-ms", rtt, NULL);
  check (proxy != NULL, error, "starting the delay proxy");
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proxy));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  check (line != NULL && g_str_has_prefix (line, "port="), error, "reading the proxy's port");
  *out_proxy = proxy;
  return (guint16) atoi (line + 5);
}

static MwSmtpClient *
connect_client (guint16          port,
                MwSmtpPipelining pipelining)
{
  MwSmtpClient *client = mw_smtp_client_new ("127.0.0.1", port, MW_SECURITY_NONE, NULL);
  g_autoptr (GError) error = NULL;
  Wait wait = { 0 };

  mw_smtp_client_set_pipelining (client, pipelining);
  mw_smtp_client_set_timeout (client, 120);
  mw_smtp_client_connect_async (client, NULL, wait_cb, &wait);
  check (mw_smtp_client_connect_finish (client, wait_result (&wait), &error), error, "connecting");
  g_object_unref (wait.result);
  return client;
}

static void
quit (MwSmtpClient *client)
{
  Wait wait = { 0 };

  mw_smtp_client_quit_async (client, NULL, wait_cb, &wait);
  mw_smtp_client_quit_finish (client, wait_result (&wait), NULL);
  g_object_unref (wait.result);
  g_object_unref (client);
}

/* Seconds for one transaction on an open session. */
static double
time_send (MwSmtpClient      *client,
           const char *const *recipients,
           GBytes            *message)
{
  g_autoptr (GInputStream) stream = g_memory_input_stream_new_from_bytes (message);
  g_autoptr (GError) error = NULL;
  Wait   wait = { 0 };
  gint64 start = g_get_monotonic_time ();

  mw_smtp_client_send_async (client, "bench@example.org", recipients, stream,
                             (gint64) g_bytes_get_size (message), MW_SMTP_SEND_NONE, NULL,
                             NULL, wait_cb, &wait);
  check (mw_smtp_client_send_finish (client, wait_result (&wait), NULL, &error), error, "sending");
  g_object_unref (wait.result);
  return (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
}

/* The RTT as the protocol sees it: the median of 20 NOOPs. */
static double
measure_rtt (guint16 port)
{
  MwSmtpClient *client = connect_client (port, MW_SMTP_PIPELINING_NEVER);
  double        samples[20];

  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      Wait   wait = { 0 };
      gint64 start = g_get_monotonic_time ();

      mw_smtp_client_noop_async (client, NULL, wait_cb, &wait);
      check (mw_smtp_client_simple_finish (client, wait_result (&wait), NULL), NULL, "NOOP");
      g_object_unref (wait.result);
      samples[i] = (double) (g_get_monotonic_time () - start) / 1000.0;
    }
  quit (client);

  for (guint i = 1; i < G_N_ELEMENTS (samples); i++)
    for (guint j = i; j > 0 && samples[j - 1] > samples[j]; j--)
      {
        double t = samples[j];
        samples[j] = samples[j - 1];
        samples[j - 1] = t;
      }
  return (samples[9] + samples[10]) / 2;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof *values, compare_doubles);
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* Empties the Maildir so 25 MB copies do not pile up. */
static void
empty_maildir (const char *maildir)
{
  const char *subdirs[] = { "new", "cur", NULL };

  for (guint i = 0; subdirs[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (maildir, subdirs[i], NULL);
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *file = g_build_filename (path, name, NULL);
          g_unlink (file);
        }
    }
}

/* Runs @runs times each mode, alternating, in the same sessions' time. */
static void
run_case (const char        *name,
          guint16            port,
          const char        *maildir,
          const char *const *recipients,
          GBytes            *message,
          guint              runs)
{
  g_autofree double *pipelined = g_new0 (double, runs);
  g_autofree double *one_at_a_time = g_new0 (double, runs);
  g_autofree double *ratios = g_new0 (double, runs);

  for (guint r = 0; r < runs; r++)
    {
      MwSmtpClient *a = connect_client (port, MW_SMTP_PIPELINING_AUTO);
      MwSmtpClient *b = connect_client (port, MW_SMTP_PIPELINING_NEVER);

      /* Alternate which goes first so neither always meets a warm cache. */
      if (r % 2 == 0)
        {
          pipelined[r] = time_send (a, recipients, message);
          one_at_a_time[r] = time_send (b, recipients, message);
        }
      else
        {
          one_at_a_time[r] = time_send (b, recipients, message);
          pipelined[r] = time_send (a, recipients, message);
        }
      ratios[r] = one_at_a_time[r] / pipelined[r];
      quit (a);
      quit (b);
      empty_maildir (maildir);
    }

  printf ("  %-28s pipelined %8.3f s   one at a time %8.3f s   ratio %6.2f×   (median of %u)\n",
          name, median (pipelined, runs), median (one_at_a_time, runs), median (ratios, runs), runs);
  fflush (stdout);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = g_option_context_new ("- SMTP send benchmark");
  g_autoptr (GError) error = NULL;
  g_autofree char *proxy_path = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *maildir = NULL;
  g_autoptr (MwMailServer) server = NULL;
  g_autoptr (GPtrArray) recipients = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GBytes) small = NULL;
  g_autoptr (GBytes) large = NULL;
  g_autoptr (GString) text = NULL;
  const char *const one[] = { "rcpt0@example.org", NULL };
  int               runs = 5;
  int               rtt_ms = 50;
  guint             rtts[2];
  GOptionEntry      entries[] = {
         { "proxy", 0, 0, G_OPTION_ARG_FILENAME, &proxy_path, "The delay proxy", "PATH" },
         { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs per case (default 5)", "N" },
         { "rtt-ms", 0, 0, G_OPTION_ARG_INT, &rtt_ms, "Added RTT (default 50)", "MS" },
         { NULL },
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || proxy_path == NULL || runs < 1 || rtt_ms < 0)
    {
      g_printerr ("usage: smtp-send --proxy PATH [--runs N] [--rtt-ms MS]\n");
      return 2;
    }
  rtts[0] = 0;
  rtts[1] = (guint) rtt_ms;

  tmp = g_dir_make_tmp ("mailwire-bench-XXXXXX", &error);
  check (tmp != NULL, error, "making a temporary directory");
  maildir = g_build_filename (tmp, "Maildir", NULL);
  server = mw_mail_server_new (maildir);
  check (mw_mail_server_start (server, &error), error, "starting the embedded server");

  for (guint i = 0; i < N_RECIPIENTS; i++)
    g_ptr_array_add (recipients, g_strdup_printf ("rcpt%u@example.org", i));
  g_ptr_array_add (recipients, NULL);

  small = g_bytes_new_static (SMALL_MESSAGE, strlen (SMALL_MESSAGE));
  text = g_string_sized_new (LARGE_SIZE + 128);
  g_string_append (text, "From: <bench@example.org>\r\nSubject: large\r\n\r\n");
  for (guint i = 0; text->len < LARGE_SIZE; i++)
    g_string_append_printf (text, "%08u The quick brown fox jumps over the lazy dog, again and again.\r\n", i);
  large = g_bytes_new (text->str, text->len);

  printf ("SMTP send through mw-delay-proxy to the embedded server; ratio = one at a time / pipelined\n");
  for (guint k = 0; k < G_N_ELEMENTS (rtts); k++)
    {
      g_autoptr (GSubprocess) proxy = NULL;
      guint16          port = start_proxy (proxy_path, mw_mail_server_get_smtp_port (server), rtts[k], &proxy);
      g_autofree char *large_name = g_strdup_printf ("1 × %.0f MB message", (double) LARGE_SIZE / (1024 * 1024));

      printf ("added RTT %u ms (measured with 20 NOOPs: %.1f ms)\n", rtts[k], measure_rtt (port));
      run_case ("50 recipients, 1 message", port, maildir,
                (const char *const *) recipients->pdata, small, (guint) runs);
      run_case (large_name, port, maildir, one, large, (guint) MAX (1, runs / 2 + 1));

      g_subprocess_force_exit (proxy);
      g_subprocess_wait (proxy, NULL, NULL);
    }

  mw_mail_server_stop (server);
  empty_maildir (maildir);
  for (guint i = 0; i < 3; i++)
    {
      const char      *subdirs[] = { "new", "cur", "tmp" };
      g_autofree char *path = g_build_filename (maildir, subdirs[i], NULL);

      g_rmdir (path);
    }
  g_rmdir (maildir);
  g_rmdir (tmp);
  return 0;
}
