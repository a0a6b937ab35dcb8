/* test-list-stream.c: a long listing streams in, then is sorted
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "app-test-utils.h"
#include "mw-application.h"
#include "mw-message-summary.h"
#include "mw-window.h"

#include <string.h>

/* Longer than the listing the window sorts as it comes (2,000 rows).
 * Under memcheck (MW_TEST_WRAPPER is set by `--setup valgrind`), which
 * runs GTK some thirty times slower, a shorter one takes the same path. */
static guint n_summaries = 5000;
#define N_SUMMARIES n_summaries

static MwMessageSummary *
summary_new (guint number)
{
  MwMessageSummary *summary = mw_message_summary_new (number, 1000 + number);
  g_autofree char  *headers = NULL;

  /* Dates out of order, as a maildrop lists them. */
  headers = g_strdup_printf ("From: user%u@example.org\r\n"
                             "Subject: Message %u\r\n"
                             "Date: %u Mar 2026 %02u:%02u:%02u +0000\r\n",
                             number, number, 1 + (number * 7) % 28, (number * 13) % 24,
                             (number * 17) % 60, number % 60);
  mw_message_summary_set_headers (summary, headers, strlen (headers));
  return summary;
}

typedef struct
{
  MwWindow *window;
  guint     next;
} Feed;

static gboolean
feed_cb (gpointer data)
{
  Feed *feed = data;

  /* Bursts, as TOP replies arrive. */
  for (guint i = 0; i < 250 && feed->next < N_SUMMARIES; i++)
    {
      g_autoptr (MwMessageSummary) summary = summary_new (++feed->next);

      mw_window_add_server_summary (feed->window, summary);
    }
  return feed->next < N_SUMMARIES ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Newest first, as the window's date column sorts. */
static gboolean
sorted_by_date (gpointer data)
{
  GListModel *model = mw_window_get_visible_messages (data);
  guint       n = g_list_model_get_n_items (model);
  gint64      previous = G_MAXINT64;

  if (n != N_SUMMARIES)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (MwMessageSummary) summary = g_list_model_get_item (model, i);
      gint64 date = g_date_time_to_unix (mw_message_summary_get_date (summary));

      if (date > previous)
        return FALSE;
      previous = date;
    }
  return TRUE;
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
test_stream_then_sorted (void)
{
  g_autoptr (MwApplication) application = app_test_application_new (".Test");
  Feed     feed = { 0 };
  gpointer window;

  feed.window = mw_window_new (application);
  gtk_window_present (GTK_WINDOW (feed.window));
  g_timeout_add (10, feed_cb, &feed);

  /* Every row arrives, and once the stream pauses the list is in order. */
  g_assert_true (app_test_wait (sorted_by_date, feed.window, g_getenv ("MW_TEST_WRAPPER") != NULL ? 900 : 120));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (mw_window_get_server_messages (feed.window))), ==, N_SUMMARIES);

  window = feed.window;
  g_object_add_weak_pointer (window, &window);
  gtk_window_destroy (GTK_WINDOW (feed.window));
  g_assert_true (app_test_wait (is_null, &window, 10));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  if (g_getenv ("MW_TEST_WRAPPER") != NULL)
    n_summaries = 2500;

  g_test_add_func ("/app/list-stream/stream-then-sorted", test_stream_then_sorted);

  return g_test_run ();
}
