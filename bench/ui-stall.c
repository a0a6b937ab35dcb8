/* ui-stall.c: does the main window stall while 100,000 messages list?
 *
 * Streams message summaries into the On Server list the way Get Mail's
 * listing delivers them (parsed from TOP headers, in bursts, at the rate
 * a pipelined POP3 session reaches on these machines), while a
 * high-priority timer every 5 ms records how late it runs. The same timer
 * on the idle window is the reference. Reports the maximum and 99th
 * percentile lateness of both and the time until the list is complete
 * and sorted. Needs a display (Xvfb). MW_BENCH_TRACE=1 prints every stall
 * over 50 ms as it happens.
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-application.h"
#include "mw-message-summary.h"
#include "mw-window.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TICK_MS 5

typedef struct
{
  GArray *late; /* gint64 µs */
  gint64  last;
} Probe;

static gboolean
tick_cb (gpointer data)
{
  Probe *probe = data;
  gint64 now = g_get_monotonic_time ();
  gint64 late;

  if (probe->last != 0)
    {
      late = now - probe->last - TICK_MS * 1000;
      if (late < 0)
        late = 0;
      g_array_append_val (probe->late, late);
      if (g_getenv ("MW_BENCH_TRACE") != NULL && late > 50000)
        g_printerr ("stall %.0f ms at %.2f s\n", late / 1000.0, now / 1e6);
    }
  probe->last = now;
  return G_SOURCE_CONTINUE;
}

static guint
probe_start (Probe *probe)
{
  GSource *source = g_timeout_source_new (TICK_MS);
  guint    id;

  probe->late = g_array_new (FALSE, FALSE, sizeof (gint64));
  probe->last = 0;
  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, tick_cb, probe, NULL);
  id = g_source_attach (source, NULL);
  g_source_unref (source);
  return id;
}

static int
compare (gconstpointer a,
         gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
probe_report (Probe      *probe,
              const char *name,
              double     *out_max,
              double     *out_p99)
{
  GArray *late = probe->late;

  g_array_sort (late, compare);
  *out_max = late->len > 0 ? g_array_index (late, gint64, late->len - 1) / 1000.0 : 0;
  *out_p99 = late->len > 0 ? g_array_index (late, gint64, (late->len * 99) / 100) / 1000.0 : 0;
  printf ("%-10s ticks %6u  max stall %8.1f ms  p99 %6.1f ms\n", name, late->len, *out_max, *out_p99);
  g_array_unref (late);
}

static gboolean
stop_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, stop_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* The feeder: what a pipelined POP3 listing hands the window. */

typedef struct
{
  MwWindow *window;
  guint     total;
  guint     burst;
  guint     next;
} Feeder;

static MwMessageSummary *
summary_new (guint number)
{
  static const char *const names[] = { "Ada Lovelace", "Grace Hopper", "Zoë Müller", "Linus", "Katherine Johnson" };
  MwMessageSummary        *summary = mw_message_summary_new (number, 2000 + (number * 7919) % 50000);
  g_autofree char         *uid = g_strdup_printf ("%08X%08X", number * 2654435761u, 42u);
  g_autofree char         *headers = NULL;

  /* Dates spread over a year, out of order, as servers list them. */
  headers = g_strdup_printf ("From: %s <user%u@example.org>\r\n"
                             "To: ada@example.org\r\n"
                             "Subject: Report number %u about =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n"
                             "Date: %s, %u %s 2026 %02u:%02u:%02u +0000\r\n"
                             "Message-ID: <%u.bench@example.org>\r\n"
                             "MIME-Version: 1.0\r\n"
                             "Content-Type: text/plain; charset=utf-8\r\n",
                             names[number % G_N_ELEMENTS (names)], number % 997, number,
                             "Mon", 1 + (number * 31) % 28,
                             (const char *[]){ "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" }[(number * 7) % 12],
                             (number * 13) % 24, (number * 17) % 60, number % 60, number);
  mw_message_summary_set_headers (summary, headers, strlen (headers));
  mw_message_summary_set_uid (summary, uid);
  return summary;
}

static gboolean
feed_cb (gpointer data)
{
  Feeder *feeder = data;

  for (guint i = 0; i < feeder->burst && feeder->next < feeder->total; i++)
    {
      g_autoptr (MwMessageSummary) summary = summary_new (++feeder->next);

      if (feeder->window != NULL)
        mw_window_add_server_summary (feeder->window, summary);
    }
  return feeder->next < feeder->total ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
list_complete (MwWindow *window,
               guint     total)
{
  GListModel *visible = mw_window_get_visible_messages (window);
  GListModel *sorted = gtk_single_selection_get_model (GTK_SINGLE_SELECTION (visible));

  return g_list_model_get_n_items (visible) == total &&
         (!GTK_IS_SORT_LIST_MODEL (sorted) || gtk_sort_list_model_get_pending (GTK_SORT_LIST_MODEL (sorted)) == 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (MwApplication) application = NULL;
  g_autoptr (GError) error = NULL;
  MwWindow *window;
  Feeder    feeder = { 0 };
  Probe     idle = { 0 }, fill = { 0 };
  guint     id;
  gint64    start, end;
  double    idle_max, idle_p99, fill_max, fill_p99;
  guint     total = 100000;
  guint     rate = 12500; /* summaries per second: 10,000 in 0.8 s */

  for (int i = 1; i + 1 < argc; i += 2)
    {
      if (g_str_equal (argv[i], "--messages"))
        total = atoi (argv[i + 1]);
      else if (g_str_equal (argv[i], "--rate"))
        rate = atoi (argv[i + 1]);
    }

  gtk_init ();
  application = g_object_new (MW_TYPE_APPLICATION,
                              "application-id", APP_ID ".Bench",
                              "flags", G_APPLICATION_NON_UNIQUE,
                              NULL);
  g_application_register (G_APPLICATION (application), NULL, &error);
  g_assert_no_error (error);

  window = mw_window_new (application);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  gtk_window_present (GTK_WINDOW (window));
  run_for (1000);

  printf ("ui-stall: %u summaries at %u/s into the On Server list\n", total, rate);

  /* The first rows ever shown build the list's widgets: measured on its
   * own, then the list is emptied as Get Mail does. */
  {
    Probe    first = { 0 };
    double   first_max, first_p99;
    gboolean shown = FALSE;
    g_autoptr (MwMessageSummary) summary = summary_new (1);

    id = probe_start (&first);
    run_for (100);
    mw_window_add_server_summary (window, summary);
    while (!shown)
      {
        g_main_context_iteration (NULL, TRUE);
        shown = g_list_model_get_n_items (mw_window_get_visible_messages (window)) == 1;
      }
    run_for (500);
    g_source_remove (id);
    probe_report (&first, "first-rows", &first_max, &first_p99);
    g_list_store_remove_all (mw_window_get_server_messages (window));
    run_for (500);
  }

  /* Reference: the idle window. */
  id = probe_start (&idle);
  run_for (2000);
  g_source_remove (id);

  /* Bursts every 8 ms, as TOP replies arrive in socket-sized reads. */
  feeder.window = window;
  feeder.total = total;
  feeder.burst = MAX (1, rate * 8 / 1000);
  id = probe_start (&fill);
  start = g_get_monotonic_time ();
  g_timeout_add (8, feed_cb, &feeder);
  if (g_getenv ("MW_BENCH_FEED_ONLY") != NULL)
    {
      /* The feeder's own cost: summaries parsed, then dropped. */
      feeder.window = NULL;
      while (feeder.next < feeder.total)
        g_main_context_iteration (NULL, TRUE);
    }
  else
    while (!list_complete (window, total))
      g_main_context_iteration (NULL, TRUE);
  end = g_get_monotonic_time ();
  /* And the frame that shows it. */
  run_for (100);
  g_source_remove (id);

  probe_report (&idle, "idle", &idle_max, &idle_p99);
  probe_report (&fill, "filling", &fill_max, &fill_p99);
  printf ("fill time %.2f s (feeding alone takes %.2f s)\n",
          (end - start) / (double) G_USEC_PER_SEC, total / (double) rate);
  printf ("max stall %.1f ms (reference %.1f ms, ratio %.1f), p99 %.1f ms (reference %.1f ms)\n",
          fill_max, idle_max, idle_max > 0 ? fill_max / idle_max : 0, fill_p99, idle_p99);
  printf ("goal: no stall over 100 ms: %s\n", fill_max <= 100.0 ? "met" : "MISSED");

  gtk_window_destroy (GTK_WINDOW (window));
  run_for (200);
  return 0;
}
