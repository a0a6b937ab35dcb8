/* test-window.c: the main window
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "app-test-utils.h"
#include "mw-account-dialog.h"
#include "mw-application.h"
#include "mw-compose-window.h"
#include "mw-mail-server.h"
#include "mw-message-summary.h"
#include "mw-window.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

typedef struct
{
  MwApplication *app;
  MwWindow      *window;
} Fixture;

/* One registered application for the whole program, as in a session. */
static MwApplication *application;

static void
set_up (Fixture *fixture,
        gboolean demo)
{
  fixture->app = application;
  mw_application_set_demo (fixture->app, demo);

  fixture->window = mw_window_new (fixture->app);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  set_up (fixture, FALSE);
}

static void
fixture_set_up_demo (Fixture      *fixture,
                     gconstpointer data)
{
  set_up (fixture, TRUE);
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  gpointer window = fixture->window;

  g_object_add_weak_pointer (window, &window);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_assert_true (app_test_wait (is_null, &window, 10));
  mw_application_set_demo (fixture->app, FALSE);
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static void
test_opens (Fixture      *fixture,
            gconstpointer data)
{
  g_assert_true (app_test_wait (is_mapped, fixture->window, 10));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (mw_window_get_server_messages (fixture->window))), ==, 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (mw_window_get_log_view (fixture->window))));
}

static void
test_toggle_log (Fixture      *fixture,
                 gconstpointer data)
{
  GtkWidget *log_view = GTK_WIDGET (mw_window_get_log_view (fixture->window));

  g_assert_false (mw_window_get_log_visible (fixture->window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.toggle-log", NULL));
  g_assert_true (mw_window_get_log_visible (fixture->window));
  g_assert_true (app_test_wait (is_mapped, log_view, 10));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.toggle-log", NULL));
  g_assert_false (mw_window_get_log_visible (fixture->window));
  g_assert_false (gtk_widget_get_visible (log_view));
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
test_transcript_shows (Fixture      *fixture,
                       gconstpointer data)
{
  MwTranscript *transcript = mw_window_get_transcript (fixture->window);
  Find          find = { GTK_WIDGET (mw_window_get_log_view (fixture->window)),
                         { "log-row", "client", NULL },
                         "CAPA" };

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.toggle-log", NULL);
  mw_transcript_append (transcript, MW_TRANSCRIPT_CLIENT, 0, "CAPA", -1);
  g_assert_true (app_test_wait (found, &find, 10));
}

static gboolean
n_messages_is (gpointer data)
{
  gpointer *args = data;

  return g_list_model_get_n_items (args[0]) == GPOINTER_TO_UINT (args[1]);
}

static guint find_subject (GListModel *model,
                           const char *subject);

static void
test_demo_list (Fixture      *fixture,
                gconstpointer data)
{
  GListModel      *all = G_LIST_MODEL (mw_window_get_server_messages (fixture->window));
  GListModel      *shown = mw_window_get_visible_messages (fixture->window);
  MwTranscript    *transcript = mw_window_get_transcript (fixture->window);
  g_autofree char *text = NULL;
  gpointer         args[2] = { all, GUINT_TO_POINTER (12) };
  GtkWidget       *entry;

  /* Seeding writes a 30 MB message first; then the list fills from TOP. */
  g_assert_true (app_test_wait (n_messages_is, args, 90));
  args[0] = shown;
  g_assert_true (app_test_wait (n_messages_is, args, 10));

  /* The 30 MB message is over the demo account's download limit. */
  {
    g_autoptr (MwMessageSummary) big = g_list_model_get_item (shown, find_subject (shown, "Nightly backup archive (30 MB)"));
    g_autoptr (MwMessageSummary) small = g_list_model_get_item (shown, find_subject (shown, "Welcome to Mailwire"));

    g_assert_true (mw_message_summary_get_flags (big) & MW_MESSAGE_FLAG_OVERSIZE);
    g_assert_false (mw_message_summary_get_flags (small) & MW_MESSAGE_FLAG_OVERSIZE);
  }

  /* The demo logs in without a readable secret. */
  text = mw_transcript_to_text (transcript);
  g_assert_nonnull (strstr (text, "+OK"));
  g_assert_nonnull (strstr (text, "TOP 1 0"));

  /* The search narrows the list to the thread. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.search", NULL);
  entry = app_test_find (GTK_WIDGET (fixture->window), GTK_TYPE_SEARCH_BAR, NULL, NULL);
  g_assert_nonnull (entry);
  entry = app_test_find (entry, GTK_TYPE_SEARCH_ENTRY, NULL, NULL);
  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "Release planning");
  args[1] = GUINT_TO_POINTER (3);
  g_assert_true (app_test_wait (n_messages_is, args, 10));

  gtk_editable_set_text (GTK_EDITABLE (entry), "Müller");
  args[1] = GUINT_TO_POINTER (1);
  g_assert_true (app_test_wait (n_messages_is, args, 10));

  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  args[1] = GUINT_TO_POINTER (12);
  g_assert_true (app_test_wait (n_messages_is, args, 10));
}

static gboolean
reader_shows (gpointer data)
{
  gpointer        *args = data;
  const char      *classes[] = { "reader-body", NULL };
  GtkWidget       *view = app_test_find (args[0], GTK_TYPE_TEXT_VIEW, classes, NULL);
  GtkTextBuffer   *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextIter      start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  return strstr (text, args[1]) != NULL;
}

static guint
find_subject (GListModel *model,
              const char *subject)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (MwMessageSummary) summary = g_list_model_get_item (model, i);

      if (g_strcmp0 (mw_message_summary_get_subject (summary), subject) == 0)
        return i;
    }
  g_assert_not_reached ();
}

static gboolean
lists_subject (gpointer data)
{
  gpointer   *args = data;
  GListModel *model = args[0];

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (MwMessageSummary) summary = g_list_model_get_item (model, i);

      if (g_strcmp0 (mw_message_summary_get_subject (summary), args[1]) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
show_folder (Fixture    *fixture,
             const char *name)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-folder",
                                             "s", name));
}

static void
test_demo_reader (Fixture      *fixture,
                  gconstpointer data)
{
  GListModel *shown = mw_window_get_visible_messages (fixture->window);
  gpointer    args[2] = { mw_window_get_server_messages (fixture->window), GUINT_TO_POINTER (12) };
  gpointer    reader[2] = { fixture->window, NULL };

  g_assert_true (app_test_wait (n_messages_is, args, 90));
  args[0] = shown;
  g_assert_true (app_test_wait (n_messages_is, args, 10));

  /* The preview decodes quoted-printable UTF-8 from TOP. */
  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (shown),
                                     find_subject (shown, "Grüße aus München – Fotos vom Wochenende 📷"));
  reader[1] = "Schöne Grüße";
  g_assert_true (app_test_wait (reader_shows, reader, 20));

  /* An HTML-only message is shown as text. */
  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (shown),
                                     find_subject (shown, "This week: TLS 1.3 everywhere, and why your mail client still says QUIT"));
  reader[1] = "no plain-text part";
  g_assert_true (app_test_wait (reader_shows, reader, 20));
}

static gboolean
has_flag (gpointer data)
{
  gpointer *args = data;

  return (mw_message_summary_get_flags (args[0]) & GPOINTER_TO_UINT (args[1])) != 0;
}

static gboolean
lacks_flag (gpointer data)
{
  return !has_flag (data);
}

static void
test_demo_delete (Fixture      *fixture,
                  gconstpointer data)
{
  GListModel *all = G_LIST_MODEL (mw_window_get_server_messages (fixture->window));
  GListModel *shown = mw_window_get_visible_messages (fixture->window);
  g_autoptr (MwMessageSummary) summary = NULL;
  gpointer         args[2] = { all, GUINT_TO_POINTER (12) };
  gpointer         flag[2] = { NULL, GUINT_TO_POINTER (MW_MESSAGE_FLAG_DELETED) };
  g_autofree char *text = NULL;

  g_assert_true (app_test_wait (n_messages_is, args, 90));
  args[0] = shown;
  g_assert_true (app_test_wait (n_messages_is, args, 10));
  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (shown),
                                     find_subject (shown, "Release planning for 2.0"));
  summary = g_object_ref (gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (shown)));
  flag[0] = summary;

  /* Undo sends RSET before QUIT: the message stays. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.delete", NULL));
  g_assert_true (app_test_wait (has_flag, flag, 20));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.undo-delete", NULL);
  g_assert_true (app_test_wait (lacks_flag, flag, 20));
  args[0] = all;
  g_assert_true (n_messages_is (args));
  text = mw_transcript_to_text (mw_window_get_transcript (fixture->window));
  g_assert_nonnull (strstr (text, "C: RSET"));

  /* Without Undo, the message goes once QUIT is answered. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.delete", NULL);
  g_assert_true (app_test_wait (has_flag, flag, 20));
  args[1] = GUINT_TO_POINTER (11);
  g_assert_true (app_test_wait (n_messages_is, args, 30));
  g_clear_pointer (&text, g_free);
  text = mw_transcript_to_text (mw_window_get_transcript (fixture->window));
  g_assert_nonnull (strstr (text, "messages deleted"));
}

static gboolean
transcript_has (gpointer data)
{
  gpointer        *args = data;
  g_autofree char *text = mw_transcript_to_text (args[0]);

  return strstr (text, args[1]) != NULL;
}

static void
test_demo_console (Fixture      *fixture,
                   gconstpointer data)
{
  GListModel *all = G_LIST_MODEL (mw_window_get_server_messages (fixture->window));
  GtkWidget  *log_view = GTK_WIDGET (mw_window_get_log_view (fixture->window));
  gpointer    args[2] = { all, GUINT_TO_POINTER (12) };
  gpointer    seen[2] = { mw_window_get_transcript (fixture->window), NULL };
  const char *classes[] = { "monospace", NULL };
  GtkWidget  *entry;

  g_assert_true (app_test_wait (n_messages_is, args, 90));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.toggle-log", NULL);

  /* The console opens a session of its own and shows the exchange. */
  entry = app_test_find (log_view, GTK_TYPE_ENTRY, classes, NULL);
  g_assert_nonnull (entry);
  g_assert_true (gtk_widget_get_sensitive (entry));
  gtk_editable_set_text (GTK_EDITABLE (entry), "STAT");
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  seen[1] = "C: STAT";
  g_assert_true (app_test_wait (transcript_has, seen, 20));
  seen[1] = "S: +OK 12 ";
  g_assert_true (app_test_wait (transcript_has, seen, 20));
}

static MwComposeWindow *
find_compose (void)
{
  g_autoptr (GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (MW_IS_COMPOSE_WINDOW (l->data))
      return l->data;
  return NULL;
}

static void
test_demo_compose (Fixture      *fixture,
                   gconstpointer data)
{
  GListModel      *all = G_LIST_MODEL (mw_window_get_server_messages (fixture->window));
  gpointer         args[2] = { all, GUINT_TO_POINTER (12) };
  gpointer         seen[2] = { mw_window_get_transcript (fixture->window), NULL };
  MwComposeWindow *compose;
  GtkWidget       *to;
  gpointer         weak;

  g_assert_true (app_test_wait (n_messages_is, args, 90));

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.compose", NULL);
  compose = find_compose ();
  g_assert_nonnull (compose);

  /* A bad address is marked. */
  mw_compose_window_set_to (compose, "not an address@");
  to = app_test_find (GTK_WIDGET (compose), GTK_TYPE_ENTRY, (const char *const[]){ "error", NULL }, NULL);
  g_assert_nonnull (to);

  mw_compose_window_set_to (compose, "Demo User <"
                                     "demo@mailwire.invalid"
                                     ">");
  g_assert_null (app_test_find (GTK_WIDGET (compose), GTK_TYPE_ENTRY, (const char *const[]){ "error", NULL }, NULL));
  mw_compose_window_set_subject (compose, "Sent from the compose window");
  mw_compose_window_set_body (compose, "Über den Wolken.\n");

  /* Sending delivers into the demo mailbox; the window closes on 250. */
  weak = compose;
  g_object_add_weak_pointer (G_OBJECT (compose), &weak);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (compose), "compose.send", NULL));
  g_assert_true (app_test_wait (is_null, &weak, 30));
  seen[1] = "C: RCPT TO:<demo@mailwire.invalid>";
  g_assert_true (transcript_has (seen));

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.get-mail", NULL);
  args[1] = GUINT_TO_POINTER (13);
  g_assert_true (app_test_wait (n_messages_is, args, 30));

  /* A copy went into Sent through the store, and reads back from disk. */
  show_folder (fixture, "sent");
  {
    GListModel *shown = mw_window_get_visible_messages (fixture->window);
    gpointer    listed[2] = { shown, "Sent from the compose window" };
    gpointer    reader[2] = { fixture->window, "Über den Wolken." };

    g_assert_true (app_test_wait (lists_subject, listed, 20));
    gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (shown),
                                       find_subject (shown, "Sent from the compose window"));
    g_assert_true (app_test_wait (reader_shows, reader, 20));
  }
}

/* args: window, list, subject, text. Selects the message with that
 * subject whenever it is not selected (a folder that refreshes after the
 * selection was made replaces its rows), and waits for the reader. */
static gboolean
selected_reader_shows (gpointer data)
{
  gpointer         *args = data;
  GListModel       *model = args[1];
  MwMessageSummary *selected = gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (model));
  gpointer          reader[2] = { args[0], args[3] };

  if (selected == NULL || g_strcmp0 (mw_message_summary_get_subject (selected), args[2]) != 0)
    {
      gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (model), find_subject (model, args[2]));
      return FALSE;
    }
  return reader_shows (reader);
}

static void
test_demo_open (Fixture      *fixture,
                gconstpointer data)
{
  GListModel *shown = mw_window_get_visible_messages (fixture->window);
  gpointer    args[2] = { mw_window_get_server_messages (fixture->window), GUINT_TO_POINTER (12) };
  gpointer    flag[2] = { NULL, GUINT_TO_POINTER (MW_MESSAGE_FLAG_DOWNLOADED) };
  gpointer    reader[2] = { fixture->window, "Schöne Grüße" };
  gpointer    seen[2] = { mw_window_get_transcript (fixture->window), "C: RETR " };

  g_assert_true (app_test_wait (n_messages_is, args, 90));
  args[0] = shown;
  g_assert_true (app_test_wait (n_messages_is, args, 10));
  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (shown),
                                     find_subject (shown, "Grüße aus München – Fotos vom Wochenende 📷"));
  flag[0] = gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (shown));

  /* RETR into the local Maildir, then the decoded text. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.open", NULL));
  g_assert_true (app_test_wait (has_flag, flag, 30));
  g_assert_true (transcript_has (seen));
  g_assert_true (app_test_wait (reader_shows, reader, 20));

  /* The message is now listed in Downloaded, and read from the local file. */
  show_folder (fixture, "downloaded");
  {
    const char *subject = "Grüße aus München – Fotos vom Wochenende 📷";
    gpointer    listed[2] = { shown, (gpointer) subject };
    gpointer    selected[4] = { fixture->window, shown, (gpointer) subject, reader[1] };

    g_assert_true (app_test_wait (lists_subject, listed, 20));
    g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);
    gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (shown), GTK_INVALID_LIST_POSITION);
    g_assert_true (app_test_wait (selected_reader_shows, selected, 20));
  }
}

/* Stop during Open: the download ends, nothing of it is kept, and the
 * window is ready for the next operation. */
static void
test_demo_stop (Fixture      *fixture,
                gconstpointer data)
{
  const char       *subject = "Nightly backup archive (30 MB)";
  GListModel       *shown = mw_window_get_visible_messages (fixture->window);
  gpointer          args[2] = { mw_window_get_server_messages (fixture->window), GUINT_TO_POINTER (12) };
  gpointer          seen[2] = { mw_window_get_transcript (fixture->window), "C: RETR " };
  gpointer          reader[2] = { fixture->window, "The download was stopped" };
  MwMessageSummary *summary;

  g_assert_true (app_test_wait (n_messages_is, args, 90));
  args[0] = shown;
  g_assert_true (app_test_wait (n_messages_is, args, 10));
  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (shown), find_subject (shown, subject));
  summary = gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (shown));
  g_assert_nonnull (summary);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.open", NULL));
  g_assert_true (app_test_wait (transcript_has, seen, 30));
  /* Thirty megabytes take many turns of the main loop: still running. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.stop", NULL));
  g_assert_true (app_test_wait (reader_shows, reader, 20));

  g_assert_false (mw_message_summary_get_flags (summary) & MW_MESSAGE_FLAG_DOWNLOADED);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.get-mail", NULL));
  args[0] = mw_window_get_server_messages (fixture->window);
  g_assert_true (app_test_wait (n_messages_is, args, 90));
}

static void
collect (GtkWidget *root,
         GType      type,
         GPtrArray *out)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        g_ptr_array_add (out, child);
      else
        collect (child, type, out);
    }
}

static GtkWindow *
find_toplevel (GType type)
{
  g_autoptr (GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type))
      return l->data;
  return NULL;
}

static gboolean
subtitle_has (gpointer data)
{
  gpointer   *args = data;
  const char *subtitle = adw_action_row_get_subtitle (args[0]);

  return subtitle != NULL && strstr (subtitle, args[1]) != NULL;
}

static gboolean
has_toplevel (gpointer data)
{
  return find_toplevel (GPOINTER_TO_SIZE (data)) != NULL;
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static gboolean
lacks_toplevel (gpointer data)
{
  return !has_toplevel (data);
}

/* Checks the file chooser the window opened and cancels it: the chooser
 * is GTK's; what it answers is given to the action it would run. */
static void
check_chooser (const char *expected_name)
{
  GtkWindow       *dialog;
  g_autofree char *current = NULL;

  g_assert_true (app_test_wait (has_toplevel, GSIZE_TO_POINTER (GTK_TYPE_FILE_CHOOSER_DIALOG), 10));
  dialog = find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG);
  current = gtk_file_chooser_get_current_name (GTK_FILE_CHOOSER (dialog));
  g_assert_cmpstr (current, ==, expected_name);
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  g_assert_true (app_test_wait (lacks_toplevel, GSIZE_TO_POINTER (GTK_TYPE_FILE_CHOOSER_DIALOG), 10));
}

static MwComposeWindow *
wait_compose (void)
{
  g_assert_true (app_test_wait (has_toplevel, GSIZE_TO_POINTER (MW_TYPE_COMPOSE_WINDOW), 30));
  return find_compose ();
}

static void
close_compose (MwComposeWindow *compose)
{
  gpointer weak = compose;

  g_object_add_weak_pointer (G_OBJECT (compose), &weak);
  gtk_window_destroy (GTK_WINDOW (compose));
  g_assert_true (app_test_wait (is_null, &weak, 10));
}

static void
test_demo_attachments_reply (Fixture      *fixture,
                             gconstpointer data)
{
  const char      *subject = "Grüße aus München – Fotos vom Wochenende 📷";
  GListModel      *shown = mw_window_get_visible_messages (fixture->window);
  gpointer         args[2] = { mw_window_get_server_messages (fixture->window), GUINT_TO_POINTER (12) };
  gpointer         reader[2] = { fixture->window, "Schöne Grüße" };
  g_autofree char *dir = g_dir_make_tmp ("mw-save-XXXXXX", NULL);
  g_autofree char *csv_path = g_build_filename (dir, "saved.csv", NULL);
  g_autofree char *eml_path = g_build_filename (dir, "saved.eml", NULL);
  g_autofree char *csv_uri = g_filename_to_uri (csv_path, NULL, NULL);
  g_autofree char *eml_uri = g_filename_to_uri (eml_path, NULL, NULL);
  g_autofree char *contents = NULL;
  g_autofree char *body = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();
  GtkWidget       *list;
  MwComposeWindow *compose;

  g_assert_true (app_test_wait (n_messages_is, args, 90));
  args[0] = shown;
  g_assert_true (app_test_wait (n_messages_is, args, 10));

  /* Reply on a message only listed downloads it first. */
  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (shown), find_subject (shown, subject));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.reply", NULL));
  compose = wait_compose ();
  g_assert_cmpstr (mw_compose_window_get_subject (compose), ==, "Re: Grüße aus München – Fotos vom Wochenende 📷");
  g_assert_nonnull (strstr (mw_compose_window_get_to (compose), "zoe.mueller@example.de"));
  g_assert_cmpstr (mw_compose_window_get_cc (compose), ==, "");
  body = mw_compose_window_dup_body (compose);
  g_assert_nonnull (strstr (body, "> Hallo!"));
  close_compose (compose);
  g_assert_true (app_test_wait (reader_shows, reader, 20));

  /* The attachments are listed with name, type and size. */
  list = app_test_find (GTK_WIDGET (fixture->window), GTK_TYPE_LIST_BOX,
                        (const char *const[]){ "attachments", NULL }, NULL);
  g_assert_nonnull (list);
  collect (list, ADW_TYPE_ACTION_ROW, rows);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpstr (adw_preferences_row_get_title (rows->pdata[0]), ==, "wochenende.png");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (rows->pdata[0]), "image/png"));
  g_assert_cmpstr (adw_preferences_row_get_title (rows->pdata[1]), ==, "liste.csv");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (rows->pdata[1]), "text/csv"));

  /* Save As… writes the decoded attachment where the user chose. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.save-attachment",
                                             "u", 1));
  check_chooser ("liste.csv");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.save-attachment-to",
                                             "(us)", 1, csv_uri));
  g_assert_true (app_test_wait (file_exists, csv_path, 10));
  g_assert_true (g_file_get_contents (csv_path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "Punkt,Verantwortlich,Termin\n"
                                 "Budget,Tanaka,2026-12-01\n"
                                 "Release,Müller,2026-12-15\n");
  g_clear_pointer (&contents, g_free);

  /* Save as .eml… writes the message as received. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.save-eml", NULL));
  check_chooser ("Grüße aus München – Fotos vom Wochenende 📷.eml");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.save-eml-to",
                                             "s", eml_uri));
  g_assert_true (app_test_wait (file_exists, eml_path, 10));
  g_assert_true (g_file_get_contents (eml_path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "Message-ID: <20261101.zoe@example.de>"));

  /* Reply All leaves out the account's own address; Forward keeps none. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.reply-all", NULL));
  compose = wait_compose ();
  g_assert_nonnull (strstr (mw_compose_window_get_to (compose), "zoe.mueller@example.de"));
  g_assert_null (strstr (mw_compose_window_get_cc (compose), "demo@mailwire.invalid"));
  close_compose (compose);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.forward", NULL));
  compose = wait_compose ();
  g_assert_cmpstr (mw_compose_window_get_subject (compose), ==, "Fwd: Grüße aus München – Fotos vom Wochenende 📷");
  g_assert_cmpstr (mw_compose_window_get_to (compose), ==, "");
  close_compose (compose);

  g_assert_cmpint (g_remove (csv_path), ==, 0);
  g_assert_cmpint (g_remove (eml_path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_account_test_connection (Fixture      *fixture,
                              gconstpointer data)
{
  g_autofree char *maildir = g_build_filename (g_get_tmp_dir (), "server-maildir", NULL);
  g_autoptr (MwMailServer) server = mw_mail_server_new (maildir);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = g_ptr_array_new ();
  g_autoptr (GPtrArray) combos = g_ptr_array_new ();
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();
  g_autofree char *pop3_port = NULL;
  g_autofree char *smtp_port = NULL;
  GtkWindow       *dialog;
  GtkWidget       *plaintext;
  gpointer         args[2] = { NULL, "logged in" };

  mw_mail_server_add_user (server, "ada", "analytical");
  mw_mail_server_set_allow_plaintext_auth (server, TRUE);
  g_assert_true (mw_mail_server_start (server, &error));
  g_assert_no_error (error);
  pop3_port = g_strdup_printf ("%u", mw_mail_server_get_pop3_port (server));
  smtp_port = g_strdup_printf ("%u", mw_mail_server_get_smtp_port (server));

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.accounts", NULL);
  dialog = find_toplevel (MW_TYPE_ACCOUNT_DIALOG);
  g_assert_nonnull (dialog);

  /* Name, address, POP3 server, port, user, password, then SMTP's. */
  collect (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, entries);
  g_assert_cmpuint (entries->len, ==, 10);
  gtk_editable_set_text (entries->pdata[1], "ada@example.org");
  gtk_editable_set_text (entries->pdata[2], "127.0.0.1");
  gtk_editable_set_text (entries->pdata[3], pop3_port);
  gtk_editable_set_text (entries->pdata[4], "ada");
  gtk_editable_set_text (entries->pdata[5], "analytical");
  gtk_editable_set_text (entries->pdata[6], "127.0.0.1");
  gtk_editable_set_text (entries->pdata[7], smtp_port);
  gtk_editable_set_text (entries->pdata[8], "ada");
  gtk_editable_set_text (entries->pdata[9], "analytical");
  collect (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW, combos);
  /* POP3 security, what Download New does on the server, SMTP security. */
  g_assert_cmpuint (combos->len, ==, 3);
  adw_combo_row_set_selected (combos->pdata[0], 2);
  adw_combo_row_set_selected (combos->pdata[2], 2);
  plaintext = app_test_find (GTK_WIDGET (dialog), GTK_TYPE_SWITCH, NULL, NULL);
  gtk_switch_set_active (GTK_SWITCH (plaintext), TRUE);

  /* Test Connection logs in to both and says so. */
  collect (GTK_WIDGET (dialog), ADW_TYPE_ACTION_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (rows->pdata[i]), "Test Connection") == 0)
      args[0] = rows->pdata[i];
  g_assert_nonnull (args[0]);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "account.test", NULL));
  g_assert_true (app_test_wait (subtitle_has, args, 20));
  args[1] = "accepted the login";
  g_assert_true (app_test_wait (subtitle_has, args, 20));

  gtk_window_destroy (dialog);
  mw_mail_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* The file chooser needs the system icon theme: GTK's own fallback
   * icons fail to load in its loader thread without it. Data and config
   * homes stay isolated. */
  g_setenv ("XDG_DATA_DIRS", "/usr/share", TRUE);
  gtk_init ();

  application = app_test_application_new (".Test");

  g_test_add ("/app/window/opens", Fixture, NULL,
              fixture_set_up, test_opens, fixture_tear_down);
  g_test_add ("/app/window/toggle-log", Fixture, NULL,
              fixture_set_up, test_toggle_log, fixture_tear_down);
  g_test_add ("/app/window/transcript-shows", Fixture, NULL,
              fixture_set_up, test_transcript_shows, fixture_tear_down);
  g_test_add ("/app/window/demo-list", Fixture, NULL,
              fixture_set_up_demo, test_demo_list, fixture_tear_down);
  g_test_add ("/app/window/demo-reader", Fixture, NULL,
              fixture_set_up_demo, test_demo_reader, fixture_tear_down);
  g_test_add ("/app/window/demo-delete", Fixture, NULL,
              fixture_set_up_demo, test_demo_delete, fixture_tear_down);
  g_test_add ("/app/window/demo-console", Fixture, NULL,
              fixture_set_up_demo, test_demo_console, fixture_tear_down);
  g_test_add ("/app/window/demo-compose", Fixture, NULL,
              fixture_set_up_demo, test_demo_compose, fixture_tear_down);
  g_test_add ("/app/window/demo-attachments-reply", Fixture, NULL,
              fixture_set_up_demo, test_demo_attachments_reply, fixture_tear_down);
  g_test_add ("/app/window/demo-open", Fixture, NULL,
              fixture_set_up_demo, test_demo_open, fixture_tear_down);
  g_test_add ("/app/window/demo-stop", Fixture, NULL,
              fixture_set_up_demo, test_demo_stop, fixture_tear_down);
  g_test_add ("/app/window/account-test-connection", Fixture, NULL,
              fixture_set_up, test_account_test_connection, fixture_tear_down);

  ret = g_test_run ();
  g_clear_object (&application);
  return ret;
}
