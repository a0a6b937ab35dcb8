/* test-console.c: the log pane's console against the embedded server
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "app-test-utils.h"
#include "mw-application.h"
#include "mw-log-view.h"
#include "mw-mail-server.h"
#include "mw-pop3-client.h"
#include "mw-fake-server.h"
#include "mw-protocol-commands.h"

#include <adwaita.h>
#include <string.h>

#define USER     "ada"
#define PASSWORD "analytical"

typedef struct
{
  char             *maildir;
  MwMailServer     *server;
  MwTranscript     *transcript;
  GtkWindow        *window;
  MwLogView        *view;
  GtkWidget        *entry;
  MwConsoleSession *pop3;
  MwConsoleSession *smtp;
} Fixture;

static void
put_message (Fixture    *f,
             const char *name,
             const char *contents)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (f->maildir, "cur", name, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const char *classes[] = { "monospace", NULL };

  f->maildir = g_build_filename (g_get_user_data_dir (), "Maildir", NULL);
  put_message (f, "1000.1.host:2,", "Subject: one\r\n\r\nThe first.\r\n");
  put_message (f, "1001.1.host:2,", "Subject: two\r\n\r\nThe second.\r\n");
  put_message (f, "1002.1.host:2,", "Subject: three\r\n\r\nThe third.\r\n");
  f->server = mw_mail_server_new (f->maildir);
  mw_mail_server_add_user (f->server, USER, PASSWORD);
  mw_mail_server_set_allow_plaintext_auth (f->server, TRUE);
  mw_mail_server_start (f->server, &error);
  g_assert_no_error (error);

  f->transcript = mw_transcript_new (1000);
  f->pop3 = mw_console_session_new (MW_REPLY_PROTOCOL_POP3, "127.0.0.1",
                                    mw_mail_server_get_pop3_port (f->server),
                                    MW_SECURITY_NONE, f->transcript);
  mw_console_session_set_credentials (f->pop3, USER, PASSWORD, TRUE);
  f->smtp = mw_console_session_new (MW_REPLY_PROTOCOL_SMTP, "127.0.0.1",
                                    mw_mail_server_get_smtp_port (f->server),
                                    MW_SECURITY_NONE, f->transcript);
  mw_console_session_set_credentials (f->smtp, USER, PASSWORD, TRUE);

  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 900, 500);
  f->view = MW_LOG_VIEW (mw_log_view_new ());
  mw_log_view_set_transcript (f->view, f->transcript);
  mw_log_view_set_consoles (f->view, f->pop3, f->smtp);
  gtk_window_set_child (f->window, GTK_WIDGET (f->view));
  gtk_window_present (f->window);

  f->entry = app_test_find (GTK_WIDGET (f->view), GTK_TYPE_ENTRY, classes, NULL);
  g_assert_nonnull (f->entry);
  g_assert_true (gtk_widget_get_sensitive (f->entry));
}

static gboolean
not_busy (gpointer data)
{
  Fixture *f = data;

  return !mw_log_view_get_console_busy (f->view);
}

static gboolean
transcript_gone (gpointer data)
{
  Fixture *f = data;

  return f->transcript == NULL;
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  g_assert_true (app_test_wait (not_busy, f, 20));
  gtk_window_destroy (f->window);
  g_clear_object (&f->pop3);
  g_clear_object (&f->smtp);
  /* A closing session's QUIT holds the transcript until it is answered. */
  g_object_add_weak_pointer (G_OBJECT (f->transcript), (gpointer *) &f->transcript);
  g_object_unref (f->transcript);
  g_assert_true (app_test_wait (transcript_gone, f, 20));
  mw_mail_server_stop (f->server);
  g_clear_object (&f->server);
  g_free (f->maildir);
}

/* Helpers. */

static char *
transcript_text (Fixture *f)
{
  return mw_transcript_to_text (f->transcript);
}

typedef struct
{
  Fixture    *f;
  const char *text;
} Seen;

static gboolean
transcript_has (gpointer data)
{
  Seen            *seen = data;
  g_autofree char *text = transcript_text (seen->f);

  return strstr (text, seen->text) != NULL;
}

static void
assert_seen (Fixture    *f,
             const char *text)
{
  Seen seen = { f, text };

  if (!app_test_wait (transcript_has, &seen, 20))
    {
      g_autofree char *all = transcript_text (f);

      g_test_message ("transcript:\n%s", all);
      g_error ("“%s” never appeared in the transcript", text);
    }
}

static guint
count (const char *haystack,
       const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* Types @line, presses Enter and waits for the whole exchange. */
static void
type (Fixture    *f,
      const char *line)
{
  gtk_editable_set_text (GTK_EDITABLE (f->entry), line);
  g_signal_emit_by_name (f->entry, "activate");
  g_assert_true (app_test_wait (not_busy, f, 20));
}

static gboolean
press (Fixture *f,
       guint    keyval)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (f->entry);
  guint n = g_list_model_get_n_items (controllers);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GtkEventController) controller = g_list_model_get_item (controllers, i);
      gboolean handled = FALSE;

      if (!GTK_IS_EVENT_CONTROLLER_KEY (controller))
        continue;
      g_signal_emit_by_name (controller, "key-pressed", keyval, 0, (GdkModifierType) 0, &handled);
      if (handled)
        return TRUE;
    }
  return FALSE;
}

static const char *
entry_text (Fixture *f)
{
  return gtk_editable_get_text (GTK_EDITABLE (f->entry));
}

static gboolean
find_dialog_cb (gpointer data)
{
  AdwMessageDialog **out = data;
  g_autoptr (GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      {
        *out = l->data;
        return TRUE;
      }
  return FALSE;
}

static AdwMessageDialog *
find_dialog (void)
{
  AdwMessageDialog *dialog = NULL;

  app_test_wait (find_dialog_cb, &dialog, 5);
  return dialog;
}

static gboolean
no_dialog_cb (gpointer data)
{
  AdwMessageDialog *dialog = NULL;

  return !find_dialog_cb (&dialog);
}

static void
respond (const char *response)
{
  g_autoptr (AdwMessageDialog) dialog = find_dialog ();

  g_assert_nonnull (dialog);
  g_object_ref (dialog);
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (app_test_wait (no_dialog_cb, NULL, 5));
}

/* Tests. */

static void
test_help (Fixture      *f,
           gconstpointer data)
{
  const char *search_classes[] = { "console-help-search", NULL };
  const char *syntax_classes[] = { "console-help-syntax", NULL };
  GtkWidget  *search = app_test_find (GTK_WIDGET (f->view), GTK_TYPE_SEARCH_ENTRY, search_classes, NULL);
  GtkWidget  *uidl;
  GtkWidget  *stat;
  GtkWidget  *row;

  g_assert_nonnull (search);
  /* Every POP3 command is listed with its syntax and what it does. */
  uidl = app_test_find (GTK_WIDGET (f->view), GTK_TYPE_LABEL, syntax_classes, "UIDL [msg]");
  stat = app_test_find (GTK_WIDGET (f->view), GTK_TYPE_LABEL, syntax_classes, "STAT");
  g_assert_nonnull (uidl);
  g_assert_nonnull (stat);
  g_assert_nonnull (app_test_find (gtk_widget_get_parent (uidl), GTK_TYPE_LABEL, NULL,
                                   mw_protocol_command_get_help (mw_protocol_command_lookup (MW_REPLY_PROTOCOL_POP3, "UIDL"))));

  /* The filter keeps UIDL and hides STAT. */
  gtk_editable_set_text (GTK_EDITABLE (search), "uidl");
  g_signal_emit_by_name (search, "search-changed");
  row = gtk_widget_get_ancestor (uidl, GTK_TYPE_LIST_BOX_ROW);
  g_assert_true (gtk_widget_get_child_visible (row));
  g_assert_false (gtk_widget_get_child_visible (gtk_widget_get_ancestor (stat, GTK_TYPE_LIST_BOX_ROW)));

  /* Choosing it puts it in the entry, ready for its argument. */
  g_signal_emit_by_name (gtk_widget_get_parent (row), "row-activated", row);
  g_assert_cmpstr (entry_text (f), ==, "UIDL ");

  /* The SMTP console lists SMTP's commands, TURN with why it is refused. */
  mw_log_view_set_console_protocol (f->view, MW_REPLY_PROTOCOL_SMTP);
  gtk_editable_set_text (GTK_EDITABLE (search), "");
  g_assert_null (app_test_find (GTK_WIDGET (f->view), GTK_TYPE_LABEL, syntax_classes, "UIDL [msg]"));
  g_assert_nonnull (app_test_find (GTK_WIDGET (f->view), GTK_TYPE_LABEL, syntax_classes, "EHLO domain"));
  g_assert_nonnull (app_test_find (GTK_WIDGET (f->view), GTK_TYPE_LABEL, (const char *const[]){ "error", NULL },
                                   mw_protocol_command_get_refusal (mw_protocol_command_lookup (MW_REPLY_PROTOCOL_SMTP, "TURN"))));
}

static void
test_completion (Fixture      *f,
                 gconstpointer data)
{
  const char *hint_classes[] = { "console-hint", NULL };
  GtkWidget  *hint = app_test_find (GTK_WIDGET (f->view), GTK_TYPE_LABEL, hint_classes, NULL);

  /* One match: completed. */
  gtk_editable_set_text (GTK_EDITABLE (f->entry), "UI");
  g_assert_true (press (f, GDK_KEY_Tab));
  g_assert_cmpstr (entry_text (f), ==, "UIDL");

  /* Case does not matter. */
  gtk_editable_set_text (GTK_EDITABLE (f->entry), "st");
  g_assert_true (press (f, GDK_KEY_Tab));
  g_assert_cmpstr (entry_text (f), ==, "STLS");

  /* Several: shown, and Tab goes round them. */
  gtk_editable_set_text (GTK_EDITABLE (f->entry), "R");
  g_assert_true (press (f, GDK_KEY_Tab));
  g_assert_cmpstr (entry_text (f), ==, "RETR");
  g_assert_true (gtk_widget_get_visible (hint));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (hint)), "RETR"));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (hint)), "RSET"));
  g_assert_true (press (f, GDK_KEY_Tab));
  g_assert_cmpstr (entry_text (f), ==, "RSET");
  g_assert_true (press (f, GDK_KEY_Tab));
  g_assert_cmpstr (entry_text (f), ==, "RETR");

  /* No match: nothing changes. */
  gtk_editable_set_text (GTK_EDITABLE (f->entry), "XY");
  g_assert_true (press (f, GDK_KEY_Tab));
  g_assert_cmpstr (entry_text (f), ==, "XY");

  /* After the command name, and in an empty entry, Tab moves the focus. */
  gtk_editable_set_text (GTK_EDITABLE (f->entry), "UIDL 1");
  g_assert_false (press (f, GDK_KEY_Tab));
  gtk_editable_set_text (GTK_EDITABLE (f->entry), "");
  g_assert_false (press (f, GDK_KEY_Tab));

  /* SMTP has its own commands. */
  mw_log_view_set_console_protocol (f->view, MW_REPLY_PROTOCOL_SMTP);
  gtk_editable_set_text (GTK_EDITABLE (f->entry), "EH");
  g_assert_true (press (f, GDK_KEY_Tab));
  g_assert_cmpstr (entry_text (f), ==, "EHLO");
}

static void
test_history (Fixture      *f,
              gconstpointer data)
{
  type (f, "NOOP");
  type (f, "STAT");
  assert_seen (f, "S: +OK 3 ");

  /* Up goes back, Down forward, and past the newest the line being typed
   * comes back. */
  gtk_editable_set_text (GTK_EDITABLE (f->entry), "LI");
  g_assert_true (press (f, GDK_KEY_Up));
  g_assert_cmpstr (entry_text (f), ==, "STAT");
  g_assert_true (press (f, GDK_KEY_Up));
  g_assert_cmpstr (entry_text (f), ==, "NOOP");
  g_assert_true (press (f, GDK_KEY_Up));
  g_assert_cmpstr (entry_text (f), ==, "NOOP");
  g_assert_true (press (f, GDK_KEY_Down));
  g_assert_cmpstr (entry_text (f), ==, "STAT");
  g_assert_true (press (f, GDK_KEY_Down));
  g_assert_cmpstr (entry_text (f), ==, "LI");
  g_assert_false (press (f, GDK_KEY_Down));

  /* Each protocol has its own. */
  mw_log_view_set_console_protocol (f->view, MW_REPLY_PROTOCOL_SMTP);
  gtk_editable_set_text (GTK_EDITABLE (f->entry), "");
  g_assert_false (press (f, GDK_KEY_Up));
  type (f, "NOOP");
  g_assert_true (press (f, GDK_KEY_Up));
  g_assert_cmpstr (entry_text (f), ==, "NOOP");
  mw_log_view_set_console_protocol (f->view, MW_REPLY_PROTOCOL_POP3);
  gtk_editable_set_text (GTK_EDITABLE (f->entry), "");
  g_assert_true (press (f, GDK_KEY_Up));
  g_assert_cmpstr (entry_text (f), ==, "STAT");

  /* A password never goes into the history. */
  gtk_editable_set_text (GTK_EDITABLE (f->entry), "");
  type (f, "PASS secret");
  g_assert_true (press (f, GDK_KEY_Up));
  g_assert_cmpstr (entry_text (f), ==, "STAT");
}

static void
test_deletion_warnings (Fixture      *f,
                        gconstpointer data)
{
  g_autofree char *text = NULL;

  type (f, "STAT");
  assert_seen (f, "S: +OK 3 ");

  /* DELE asks first; Cancel sends nothing and keeps the line. */
  type (f, "DELE 1");
  g_assert_nonnull (find_dialog ());
  respond ("cancel");
  g_assert_true (app_test_wait (not_busy, f, 5));
  type (f, "NOOP");
  text = transcript_text (f);
  g_assert_null (strstr (text, "C: DELE"));
  g_assert_cmpuint (mw_console_session_get_pending_deletions (f->pop3), ==, 0);

  /* Confirmed, it is sent and the mark is counted from the +OK. */
  type (f, "DELE 1");
  respond ("send");
  assert_seen (f, "C: DELE 1");
  g_assert_true (app_test_wait (not_busy, f, 20));
  g_assert_cmpuint (mw_console_session_get_pending_deletions (f->pop3), ==, 1);

  /* A refused DELE is not counted. */
  type (f, "DELE 99");
  respond ("send");
  assert_seen (f, "C: DELE 99");
  g_assert_true (app_test_wait (not_busy, f, 20));
  g_assert_cmpuint (mw_console_session_get_pending_deletions (f->pop3), ==, 1);

  /* QUIT with a mark pending asks; Cancel keeps the session. */
  type (f, "QUIT");
  respond ("cancel");
  g_clear_pointer (&text, g_free);
  text = transcript_text (f);
  g_assert_null (strstr (text, "C: QUIT"));

  /* RSET with a mark pending asks too, and clears the count. */
  type (f, "RSET");
  respond ("send");
  assert_seen (f, "C: RSET");
  g_assert_true (app_test_wait (not_busy, f, 20));
  g_assert_cmpuint (mw_console_session_get_pending_deletions (f->pop3), ==, 0);

  /* Without marks, QUIT and RSET go at once. */
  type (f, "RSET");
  g_assert_true (no_dialog_cb (NULL));
  type (f, "QUIT");
  g_assert_true (no_dialog_cb (NULL));
  assert_seen (f, "C: QUIT");

  /* Nothing was deleted: a new session still has three. */
  type (f, "STAT");
  g_clear_pointer (&text, g_free);
  text = transcript_text (f);
  g_assert_cmpuint (count (text, "S: +OK 3 "), ==, 2);
}

static void
test_multiline (Fixture      *f,
                gconstpointer data)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  guint noops = 0;
  /* Each command is followed by NOOP: a body read as a status line (or a
   * status read as a body) would show up as a reply out of step. */
  const char *commands[] = { "CAPA", "LIST", "LIST 2", "UIDL", "UIDL 3", "TOP 1 0", "RETR 2", "RETR", NULL };

  for (guint i = 0; commands[i] != NULL; i++)
    {
      type (f, commands[i]);
      type (f, "NOOP");
    }
  text = transcript_text (f);
  g_assert_cmpuint (count (text, "C: NOOP"), ==, 8);
  g_assert_cmpuint (count (text, "S: +OK"), >=, 8 + 7);
  /* Every NOOP is answered by the next status line. */
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (strstr (lines[i], " C: NOOP") == NULL)
        continue;
      g_assert_nonnull (lines[i + 1]);
      g_assert_nonnull (strstr (lines[i + 1], " S: +OK"));
      noops++;
    }
  g_assert_cmpuint (noops, ==, 8);
  /* LIST 2 and UIDL 3 are one line each, with the number. */
  g_assert_nonnull (strstr (text, "S: +OK 2 "));
  g_assert_nonnull (strstr (text, "S: +OK 3 "));
  /* RETR without a number is refused, and the session goes on. */
  g_assert_nonnull (strstr (text, "C: RETR\n"));
  g_assert_nonnull (strstr (text, "S: -ERR"));
  g_assert_cmpuint (mw_console_session_get_pending_deletions (f->pop3), ==, 0);
}

static void
retr_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr (GError) error = NULL;

  g_assert_true (mw_pop3_client_retr_finish (MW_POP3_CLIENT (object), result, NULL, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr (GError) error = NULL;

  g_assert_true (mw_pop3_client_connect_finish (MW_POP3_CLIENT (object), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

/* Message @number of the mailbox, read back over POP3 as a string. */
static char *
read_back (Fixture *f,
           guint    number)
{
  g_autoptr (MwTranscript) transcript = mw_transcript_new (100);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GOutputStream) sink = g_memory_output_stream_new_resizable ();
  gboolean done = FALSE;

  client = mw_pop3_client_new ("127.0.0.1", mw_mail_server_get_pop3_port (f->server),
                               MW_SECURITY_NONE, transcript);
  mw_pop3_client_set_user (client, USER);
  mw_pop3_client_set_password (client, PASSWORD);
  mw_pop3_client_set_allow_plaintext (client, TRUE);
  mw_pop3_client_connect_async (client, NULL, connect_cb, &done);
  g_assert_true (app_test_wait (flag_set, &done, 20));
  done = FALSE;
  mw_pop3_client_retr_async (client, number, sink, NULL, retr_cb, &done);
  g_assert_true (app_test_wait (flag_set, &done, 20));
  mw_pop3_client_close (client);
  g_output_stream_write_all (sink, "", 1, NULL, NULL, NULL);
  g_output_stream_close (sink, NULL, NULL);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (sink));
}

static void
test_smtp_data (Fixture      *f,
                gconstpointer data)
{
  g_autofree char *text = NULL;
  g_autofree char *message = NULL;

  mw_log_view_set_console_protocol (f->view, MW_REPLY_PROTOCOL_SMTP);
  type (f, "EHLO console.example");
  type (f, "MAIL FROM:<ada@example.org>");
  type (f, "RCPT TO:<ada@example.org>");
  assert_seen (f, "S: 250");

  /* DATA: the server's 354 turns the entry into the message. */
  type (f, "DATA");
  assert_seen (f, "S: 354");
  g_assert_true (mw_console_session_get_in_data (f->smtp));
  type (f, "Subject: typed in the console");
  type (f, "");
  type (f, "First line.");
  type (f, ".A line that starts with a dot");
  type (f, "QUIT is only text here");
  type (f, ".");
  g_assert_false (mw_console_session_get_in_data (f->smtp));
  type (f, "NOOP");

  text = transcript_text (f);
  /* EHLO's reply is multi-line; the message is one folded entry, its
   * lines are not commands. */
  g_assert_cmpuint (count (text, "S: 250-"), >=, 1);
  g_assert_null (strstr (text, "C: Subject"));
  g_assert_null (strstr (text, "C: QUIT"));
  g_assert_cmpuint (count (text, "S: 250"), >=, 5);

  /* The message reached the mailbox, unstuffed: four messages now. */
  message = read_back (f, 4);
  g_assert_nonnull (strstr (message, "Subject: typed in the console\r\n\r\nFirst line.\r\n"
                                     ".A line that starts with a dot\r\nQUIT is only text here\r\n"));
}

/* BDAT by hand: the lines typed after it make the chunk, each counted with
 * its CRLF and sent as typed; a count that does not match sends nothing. */
static void
test_smtp_bdat (Fixture      *f,
                gconstpointer data)
{
  g_autofree char *text = NULL;
  g_autofree char *message = NULL;

  mw_log_view_set_console_protocol (f->view, MW_REPLY_PROTOCOL_SMTP);
  type (f, "EHLO console.example");
  type (f, "MAIL FROM:<ada@example.org>");
  type (f, "RCPT TO:<ada@example.org>");

  /* Five bytes announced, sixteen typed: nothing goes out. */
  type (f, "BDAT 5");
  g_assert_true (mw_console_session_get_in_data (f->smtp));
  g_assert_cmpuint (mw_console_session_get_chunk_remaining (f->smtp), ==, 5);
  type (f, "more than five");
  g_assert_false (mw_console_session_get_in_data (f->smtp));
  assert_seen (f, "more than the 5 BDAT announced");

  type (f, "BDAT 20");
  type (f, "Subject: chunked");
  g_assert_cmpuint (mw_console_session_get_chunk_remaining (f->smtp), ==, 2);
  type (f, "");
  g_assert_false (mw_console_session_get_in_data (f->smtp));
  type (f, "BDAT 12 LAST");
  type (f, ".dot stays");
  g_assert_false (mw_console_session_get_in_data (f->smtp));
  type (f, "NOOP");

  text = transcript_text (f);
  g_assert_null (strstr (text, "C: BDAT 5"));
  g_assert_null (strstr (text, "C: more than five"));
  g_assert_nonnull (strstr (text, "C: BDAT 20"));
  g_assert_nonnull (strstr (text, "C: BDAT 12 LAST"));
  g_assert_null (strstr (text, "C: Subject"));

  /* The chunks reached the mailbox as typed, the dot included. */
  message = read_back (f, 4);
  g_assert_nonnull (strstr (message, "Subject: chunked\r\n\r\n.dot stays\r\n"));
}

static void
test_refused (Fixture      *f,
              gconstpointer data)
{
  const MwProtocolCommand *turn = mw_protocol_command_lookup (MW_REPLY_PROTOCOL_SMTP, "TURN");
  g_autofree char         *text = NULL;

  mw_log_view_set_console_protocol (f->view, MW_REPLY_PROTOCOL_SMTP);
  type (f, "TURN");
  text = transcript_text (f);
  /* It is not sent, and the log says why. */
  g_assert_null (strstr (text, "C: TURN"));
  g_assert_nonnull (strstr (text, mw_protocol_command_get_refusal (turn)));
}

/* A scripted server: a multi-line HELP, then NOOP in step. */
static void
test_fake_help (void)
{
  g_autoptr (MwFakeServer) server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwTranscript) transcript = mw_transcript_new (100);
  g_autoptr (MwConsoleSession) smtp = NULL;
  g_auto (GStrv) lines = NULL;
  g_autofree char *text = NULL;
  Fixture          f = { NULL };
  GtkWidget       *entry;
  guint            i;

  mw_fake_server_send (server, "220 fake.example ESMTP\r\n");
  mw_fake_server_expect_any (server);
  mw_fake_server_send (server, "250-fake.example\r\n250 HELP\r\n");
  mw_fake_server_expect (server, "HELP");
  mw_fake_server_send (server, "214-2.0.0 Commands:\r\n214-2.0.0   EHLO MAIL RCPT DATA\r\n214 2.0.0 End of HELP\r\n");
  mw_fake_server_expect (server, "NOOP");
  mw_fake_server_send (server, "250 2.0.0 Ok\r\n");
  mw_fake_server_expect (server, "QUIT");
  mw_fake_server_send (server, "221 2.0.0 Bye\r\n");
  mw_fake_server_start (server);

  smtp = mw_console_session_new (MW_REPLY_PROTOCOL_SMTP, "127.0.0.1", mw_fake_server_get_port (server),
                                 MW_SECURITY_NONE, transcript);
  f.transcript = transcript;
  f.window = GTK_WINDOW (gtk_window_new ());
  f.view = MW_LOG_VIEW (mw_log_view_new ());
  mw_log_view_set_transcript (f.view, transcript);
  mw_log_view_set_consoles (f.view, NULL, smtp);
  g_assert_cmpint (mw_log_view_get_console_protocol (f.view), ==, MW_REPLY_PROTOCOL_SMTP);
  gtk_window_set_child (f.window, GTK_WIDGET (f.view));
  gtk_window_present (f.window);
  entry = app_test_find (GTK_WIDGET (f.view), GTK_TYPE_ENTRY, (const char *const[]){ "monospace", NULL }, NULL);
  f.entry = entry;

  type (&f, "HELP");
  type (&f, "NOOP");
  gtk_window_destroy (f.window);
  mw_console_session_close (smtp);
  g_assert_true (mw_fake_server_wait (server, 20000));
  g_assert_null (mw_fake_server_get_error (server));

  /* The three lines of HELP are one reply: NOOP gets its own. */
  text = mw_transcript_to_text (transcript);
  g_assert_nonnull (strstr (text, "S: 214 2.0.0 End of HELP"));
  lines = g_strsplit (text, "\n", -1);
  for (i = 0; lines[i] != NULL && strstr (lines[i], " C: NOOP") == NULL; i++)
    ;
  g_assert_nonnull (lines[i]);
  g_assert_nonnull (strstr (lines[i + 1], " S: 250 2.0.0 Ok"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  adw_init ();
  mw_application_ensure_resources ();

  g_test_add ("/app/console/help", Fixture, NULL, fixture_set_up, test_help, fixture_tear_down);
  g_test_add ("/app/console/completion", Fixture, NULL, fixture_set_up, test_completion, fixture_tear_down);
  g_test_add ("/app/console/history", Fixture, NULL, fixture_set_up, test_history, fixture_tear_down);
  g_test_add ("/app/console/deletion-warnings", Fixture, NULL,
              fixture_set_up, test_deletion_warnings, fixture_tear_down);
  g_test_add ("/app/console/multiline", Fixture, NULL, fixture_set_up, test_multiline, fixture_tear_down);
  g_test_add ("/app/console/smtp-data", Fixture, NULL, fixture_set_up, test_smtp_data, fixture_tear_down);
  g_test_add ("/app/console/smtp-bdat", Fixture, NULL, fixture_set_up, test_smtp_bdat, fixture_tear_down);
  g_test_add_func ("/app/console/fake-help", test_fake_help);
  g_test_add ("/app/console/refused", Fixture, NULL, fixture_set_up, test_refused, fixture_tear_down);

  return g_test_run ();
}
