/* test-log-view.c: the protocol log pane
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "app-test-utils.h"
#include "mw-application.h"
#include "mw-log-view.h"

#include <adwaita.h>
#include <string.h>

typedef struct
{
  GtkWindow    *window;
  MwLogView    *view;
  MwTranscript *transcript;
} Fixture;

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  fixture->transcript = mw_transcript_new (100);
  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 800, 400);
  fixture->view = MW_LOG_VIEW (mw_log_view_new ());
  mw_log_view_set_transcript (fixture->view, fixture->transcript);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->view));
  gtk_window_present (fixture->window);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  gtk_window_destroy (fixture->window);
  g_assert_finalize_object (fixture->transcript);
}

typedef struct
{
  GtkWidget  *root;
  const char *classes[4];
  const char *text;
} Find;

static gboolean
found (gpointer data)
{
  Find *find = data;

  return app_test_find (find->root, GTK_TYPE_BOX, find->classes, find->text) != NULL;
}

static void
test_row_classes (Fixture      *fixture,
                  gconstpointer data)
{
  Find find = { GTK_WIDGET (fixture->view), { "log-row", NULL }, NULL };

  mw_transcript_note (fixture->transcript, MW_TRANSCRIPT_FLAG_NONE, "Connected to 127.0.0.1");
  mw_transcript_append (fixture->transcript, MW_TRANSCRIPT_CLIENT, 0, "NOOP", -1);
  mw_transcript_append (fixture->transcript, MW_TRANSCRIPT_SERVER, 0, "+OK fine", -1);
  mw_transcript_append (fixture->transcript, MW_TRANSCRIPT_SERVER, MW_TRANSCRIPT_FLAG_ERROR,
                        "-ERR [IN-USE] locked", -1);

  find.classes[1] = "client";
  find.text = "NOOP";
  g_assert_true (app_test_wait (found, &find, 10));
  find.classes[1] = "server";
  find.text = "+OK fine";
  g_assert_true (app_test_wait (found, &find, 10));
  find.classes[1] = "note";
  find.text = "Connected to";
  g_assert_true (app_test_wait (found, &find, 10));
  find.classes[1] = "error";
  find.text = "-ERR [IN-USE]";
  g_assert_true (app_test_wait (found, &find, 10));

  /* A client line is never shown as the server's. */
  find.classes[1] = "server";
  find.text = "NOOP";
  g_assert_false (found (&find));
}

static void
test_redacted (Fixture      *fixture,
               gconstpointer data)
{
  Find        find = { GTK_WIDGET (fixture->view), { "log-row", "client", "redacted", NULL }, "PASS ********" };
  GtkWidget  *row;
  const char *text;

  mw_transcript_append (fixture->transcript, MW_TRANSCRIPT_CLIENT, MW_TRANSCRIPT_FLAG_REDACTED,
                        "PASS ********", -1);
  g_assert_true (app_test_wait (found, &find, 10));

  row = app_test_find (find.root, GTK_TYPE_BOX, find.classes, find.text);
  text = app_test_child_text (row, "log-text");
  g_assert_cmpstr (text, ==, "PASS ********");
  g_assert_cmpstr (app_test_child_text (row, "log-prefix"), ==, "C:");
}

static void
test_elapsed (Fixture      *fixture,
              gconstpointer data)
{
  MwTranscriptEntry *client;
  MwTranscriptEntry *server;
  MwTranscriptEntry *more;

  client = mw_transcript_append (fixture->transcript, MW_TRANSCRIPT_CLIENT, 0, "STAT", -1);
  server = mw_transcript_append (fixture->transcript, MW_TRANSCRIPT_SERVER, 0, "+OK 2 320", -1);
  more = mw_transcript_append (fixture->transcript, MW_TRANSCRIPT_SERVER, 0, "+OK again", -1);

  g_assert_cmpint (mw_log_view_get_elapsed (client), ==, -1);
  g_assert_cmpint (mw_log_view_get_elapsed (server), >=, 0);
  g_assert_cmpint (mw_log_view_get_elapsed (server), ==,
                   (mw_transcript_entry_get_monotonic_time (server) -
                    mw_transcript_entry_get_monotonic_time (client)) /
                     1000);
  /* Only the first reply line answers the command. */
  g_assert_cmpint (mw_log_view_get_elapsed (more), ==, -1);
}

static gboolean
has_rows (gpointer data)
{
  Fixture    *fixture = data;
  const char *classes[] = { "log-row", "client", NULL };

  return app_test_find (GTK_WIDGET (fixture->view), GTK_TYPE_BOX, classes, "LINE 0") != NULL;
}

static void
test_clear (Fixture      *fixture,
            gconstpointer data)
{
  mw_transcript_append (fixture->transcript, MW_TRANSCRIPT_CLIENT, 0, "LINE 0", -1);
  g_assert_true (app_test_wait (has_rows, fixture, 10));

  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "log.clear", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->transcript)), ==, 0);
}

static gboolean
following_is_true (gpointer data)
{
  return mw_log_view_get_following (data);
}

static gboolean
is_scrollable (gpointer data)
{
  GtkAdjustment *adj = data;

  return gtk_adjustment_get_upper (adj) > gtk_adjustment_get_page_size (adj) + 100;
}

static void
test_following (Fixture      *fixture,
                gconstpointer data)
{
  GtkScrolledWindow *scrolled;
  GtkAdjustment     *adj;

  for (guint i = 0; i < 80; i++)
    {
      g_autofree char *line = g_strdup_printf ("LINE %u", i);

      mw_transcript_append (fixture->transcript, MW_TRANSCRIPT_CLIENT, 0, line, -1);
    }
  g_assert_true (mw_log_view_get_following (fixture->view));

  /* The user scrolls up: following pauses until the bottom again. */
  scrolled = GTK_SCROLLED_WINDOW (app_test_find (GTK_WIDGET (fixture->view),
                                                 GTK_TYPE_SCROLLED_WINDOW, NULL, NULL));
  adj = gtk_scrolled_window_get_vadjustment (scrolled);
  g_assert_true (app_test_wait (is_scrollable, adj, 10));
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
  gtk_adjustment_set_value (adj, 0);
  g_assert_false (mw_log_view_get_following (fixture->view));

  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "log.follow", NULL);
  g_assert_true (app_test_wait (following_is_true, fixture->view, 10));
}

/* What a server line means. */

static guint
position_of (GListModel *model,
             const char *text)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (MwTranscriptEntry) entry = g_list_model_get_item (model, i);

      if (g_str_equal (mw_transcript_entry_get_text (entry), text))
        return i;
    }
  g_assert_not_reached ();
}

static GtkWidget *
explain_popover (Fixture *fixture)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (fixture->view)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_POPOVER (child) && app_test_child_text (child, "explain-sentence") != NULL)
      return child;
  return NULL;
}

static gboolean
popover_shown (gpointer data)
{
  GtkWidget *popover = explain_popover (data);

  return popover != NULL && gtk_widget_get_visible (popover);
}

static void
test_explain_selected (Fixture      *fixture,
                       gconstpointer data)
{
  const char *reply = "-ERR [IN-USE] locked by another session";
  g_autoptr (MwReplyExplanation) expected = mw_reply_explain (MW_REPLY_PROTOCOL_POP3, reply);
  GtkListView       *list;
  GtkSelectionModel *selection;
  GtkWidget         *popover;

  mw_transcript_append (fixture->transcript, MW_TRANSCRIPT_CLIENT, 0, "USER ada", -1);
  mw_transcript_append (fixture->transcript, MW_TRANSCRIPT_SERVER, MW_TRANSCRIPT_FLAG_ERROR, reply, -1);
  list = GTK_LIST_VIEW (app_test_find (GTK_WIDGET (fixture->view), GTK_TYPE_LIST_VIEW, NULL, NULL));
  selection = gtk_list_view_get_model (list);

  /* Nothing, or a client line, selected: nothing to explain. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "log.explain", NULL);
  g_assert_false (popover_shown (fixture));
  gtk_selection_model_select_item (selection, position_of (G_LIST_MODEL (selection), "USER ada"), TRUE);
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "log.explain", NULL);
  g_assert_false (popover_shown (fixture));

  /* The server's refusal: its words, then the explainer's, with advice. */
  gtk_selection_model_select_item (selection, position_of (G_LIST_MODEL (selection), reply), TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "log.explain", NULL));
  g_assert_true (app_test_wait (popover_shown, fixture, 10));
  popover = explain_popover (fixture);
  g_assert_cmpstr (app_test_child_text (popover, "explain-reply"), ==, reply);
  g_assert_cmpstr (app_test_child_text (popover, "explain-sentence"), ==, expected->sentence);
  g_assert_nonnull (strstr (app_test_child_text (popover, "explain-sentence"), "connected to this mailbox"));
  g_assert_nonnull (expected->advice);
  g_assert_cmpstr (app_test_child_text (popover, "explain-advice"), ==, expected->advice);
}

typedef struct
{
  Fixture    *fixture;
  const char *text;
} RowArgs;

static gboolean
row_shown (gpointer data)
{
  RowArgs    *args = data;
  const char *classes[] = { "log-row", NULL };
  GtkWidget  *row = app_test_find (GTK_WIDGET (args->fixture->view), GTK_TYPE_BOX, classes, args->text);

  /* Placed, so that it can be pointed at. */
  return row != NULL && gtk_widget_get_mapped (row) && gtk_widget_get_width (row) > 0;
}

static void
test_explain_at (Fixture      *fixture,
                 gconstpointer data)
{
  const char *reply = "550 5.1.1 <bob@example.org>: Recipient address rejected";
  g_autoptr (MwReplyExplanation) expected = mw_reply_explain (MW_REPLY_PROTOCOL_SMTP, reply);
  const char      *classes[] = { "log-row", NULL };
  RowArgs          args = { fixture, reply };
  GtkWidget       *row;
  GtkWidget       *popover;
  GtkListView     *list;
  graphene_point_t center;
  graphene_rect_t  bounds;

  mw_transcript_append (fixture->transcript, MW_TRANSCRIPT_CLIENT, 0, "RCPT TO:<bob@example.org>", -1);
  mw_transcript_append (fixture->transcript, MW_TRANSCRIPT_SERVER, MW_TRANSCRIPT_FLAG_ERROR, reply, -1);
  g_assert_true (app_test_wait (row_shown, &args, 10));

  /* A client line has nothing to explain. */
  args.text = "RCPT TO";
  g_assert_true (app_test_wait (row_shown, &args, 10));
  row = app_test_find (GTK_WIDGET (fixture->view), GTK_TYPE_BOX, classes, "RCPT TO");
  g_assert_true (gtk_widget_compute_bounds (row, GTK_WIDGET (fixture->view), &bounds));
  graphene_rect_get_center (&bounds, &center);
  g_assert_false (mw_log_view_explain_at (fixture->view, center.x, center.y));

  /* A right click on the server's row explains it and selects it. */
  row = app_test_find (GTK_WIDGET (fixture->view), GTK_TYPE_BOX, classes, reply);
  g_assert_true (gtk_widget_compute_bounds (row, GTK_WIDGET (fixture->view), &bounds));
  graphene_rect_get_center (&bounds, &center);
  g_assert_true (mw_log_view_explain_at (fixture->view, center.x, center.y));
  g_assert_true (app_test_wait (popover_shown, fixture, 10));
  popover = explain_popover (fixture);
  g_assert_cmpstr (app_test_child_text (popover, "explain-reply"), ==, reply);
  g_assert_cmpstr (app_test_child_text (popover, "explain-sentence"), ==, expected->sentence);
  /* 5.1.1 says the mailbox does not exist. */
  g_assert_nonnull (strstr (app_test_child_text (popover, "explain-detail"), "does not exist"));
  list = GTK_LIST_VIEW (app_test_find (GTK_WIDGET (fixture->view), GTK_TYPE_LIST_VIEW, NULL, NULL));
  g_assert_true (gtk_selection_model_is_selected (gtk_list_view_get_model (list), 1));
  /* Now the keyboard can ask too. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "log.explain", NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  adw_init ();
  mw_application_ensure_resources ();

  g_test_add ("/app/log-view/row-classes", Fixture, NULL,
              fixture_set_up, test_row_classes, fixture_tear_down);
  g_test_add ("/app/log-view/redacted", Fixture, NULL,
              fixture_set_up, test_redacted, fixture_tear_down);
  g_test_add ("/app/log-view/elapsed", Fixture, NULL,
              fixture_set_up, test_elapsed, fixture_tear_down);
  g_test_add ("/app/log-view/clear", Fixture, NULL,
              fixture_set_up, test_clear, fixture_tear_down);
  g_test_add ("/app/log-view/following", Fixture, NULL,
              fixture_set_up, test_following, fixture_tear_down);
  g_test_add ("/app/log-view/explain-selected", Fixture, NULL,
              fixture_set_up, test_explain_selected, fixture_tear_down);
  g_test_add ("/app/log-view/explain-at", Fixture, NULL,
              fixture_set_up, test_explain_at, fixture_tear_down);

  return g_test_run ();
}
