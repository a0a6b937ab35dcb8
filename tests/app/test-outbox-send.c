/* test-outbox-send.c: sending through the outbox, from the composer to
 * the server and the Sent folder
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "app-test-utils.h"
#include "mw-account-dialog.h"
#include "mw-account-store.h"
#include "mw-application.h"
#include "mw-compose-window.h"
#include "mw-fake-server.h"
#include "mw-mail-server.h"
#include "mw-maildir.h"
#include "mw-message-summary.h"
#include "mw-reply-explainer.h"
#include "mw-window.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#define ADDRESS  "ada@example.org"
#define PASSWORD "analytical"

static MwApplication *application;

typedef struct
{
  char         *account_id;
  MwMailServer *server;
  MwWindow     *window;
} Fixture;

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Stores an account whose POP3 server is @pop3_port and SMTP server
 * @smtp_port on 127.0.0.1, without TLS. */
static void
store_account (const char *id,
               guint16     pop3_port,
               guint16     smtp_port)
{
  g_autoptr (MwAccount) account = mw_account_new (id);

  mw_account_set_display_name (account, "Ada");
  mw_account_set_address (account, ADDRESS);
  mw_account_set_pop3_host (account, "127.0.0.1");
  mw_account_set_pop3_port (account, pop3_port);
  mw_account_set_pop3_security (account, MW_SECURITY_NONE);
  mw_account_set_pop3_user (account, "ada");
  mw_account_set_smtp_host (account, "127.0.0.1");
  mw_account_set_smtp_port (account, smtp_port);
  mw_account_set_smtp_security (account, MW_SECURITY_NONE);
  mw_account_set_smtp_user (account, "ada");
  mw_account_set_allow_plaintext (account, TRUE);
  app_test_store_account (account, PASSWORD);
}

static MwSendQueue *
queue (void)
{
  return mw_application_get_send_queue (application);
}

static MwOutbox *
outbox (Fixture *fixture)
{
  return mw_send_queue_lookup (queue (), fixture->account_id);
}

static gboolean
account_ready (gpointer data)
{
  Fixture *fixture = data;

  return mw_window_get_has_account (fixture->window) &&
         mw_send_queue_has_server (queue (), fixture->account_id) &&
         outbox (fixture) != NULL;
}

/* The account (its id unique to the test: the queue outlives windows)
 * and the window that loads it. */
static void
open_window (Fixture *fixture,
             guint16  smtp_port)
{
  store_account (fixture->account_id,
                 fixture->server != NULL ? mw_mail_server_get_pop3_port (fixture->server) : 1,
                 smtp_port);
  fixture->window = mw_window_new (application);
  gtk_window_present (GTK_WINDOW (fixture->window));
  g_assert_true (app_test_wait (account_ready, fixture, 30));
}

static MwMailServer *
start_server (const char *name)
{
  g_autofree char *dir = g_dir_make_tmp ("mailwire-XXXXXX", NULL);
  g_autofree char *maildir = g_build_filename (dir, name, NULL);
  MwMailServer    *server = mw_mail_server_new (maildir);
  mw_mail_server_add_user (server, "ada", PASSWORD);
  mw_mail_server_set_allow_plaintext_auth (server, TRUE);
  return server;
}

static void
run_server (MwMailServer *server)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (mw_mail_server_start (server, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  static guint n;

  fixture->account_id = g_strdup_printf ("outbox-test-%u", ++n);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  g_autoptr (GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (l->data != fixture->window)
      gtk_window_destroy (l->data);
  if (fixture->window != NULL)
    {
      gpointer window = fixture->window;

      g_object_add_weak_pointer (window, &window);
      gtk_window_destroy (GTK_WINDOW (fixture->window));
      g_assert_true (app_test_wait (is_null, &window, 10));
    }
  if (fixture->server != NULL)
    {
      mw_mail_server_stop (fixture->server);
      g_object_unref (fixture->server);
    }
  g_free (fixture->account_id);
}

/* Files in a Maildir's new/ and cur/. */
static guint
count_files (const char *maildir)
{
  const char *subdirs[] = { "new", "cur" };
  guint       n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *path = g_build_filename (maildir, subdirs[i], NULL);
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);

      while (dir != NULL && g_dir_read_name (dir) != NULL)
        n++;
    }
  return n;
}

static guint
count_account_files (Fixture        *fixture,
                     MwMaildirFolder folder)
{
  g_autoptr (MwMaildir) maildir = mw_maildir_new_for_account (fixture->account_id, folder);

  return count_files (mw_maildir_get_path (maildir));
}

typedef struct
{
  Fixture        *fixture;
  MwMaildirFolder folder;
  guint           n;
} FilesWait;

static gboolean
files_are (gpointer data)
{
  FilesWait *wait = data;

  return count_account_files (wait->fixture, wait->folder) == wait->n;
}

/* Waits until the account's @folder holds @n messages. */
static gboolean
wait_files (Fixture        *fixture,
            MwMaildirFolder folder,
            guint           n)
{
  FilesWait wait = { fixture, folder, n };

  return app_test_wait (files_are, &wait, 10);
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

static AdwMessageDialog *
find_dialog (const char *klass)
{
  g_autoptr (GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_has_css_class (l->data, klass) &&
        gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return find_dialog (data) != NULL;
}

static MwComposeWindow *
compose (Fixture    *fixture,
         const char *to,
         const char *subject,
         const char *body)
{
  MwComposeWindow *compose;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.compose", NULL));
  compose = find_compose ();
  g_assert_nonnull (compose);
  mw_compose_window_set_to (compose, to);
  mw_compose_window_set_subject (compose, subject);
  mw_compose_window_set_body (compose, body);
  return compose;
}

/* Sends and waits until the composer closes. */
static void
send_and_close (MwComposeWindow *compose)
{
  gpointer weak = compose;

  g_object_add_weak_pointer (G_OBJECT (compose), &weak);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (compose), "compose.send", NULL));
  g_assert_true (app_test_wait (is_null, &weak, 30));
}

static MwOutboxItem *
only_item (Fixture *fixture)
{
  GListModel *model = G_LIST_MODEL (outbox (fixture));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (MwOutboxItem) item = g_list_model_get_item (model, i);

      if (mw_outbox_item_get_state (item) != MW_OUTBOX_STATE_SENT)
        return item;
    }
  return NULL;
}

typedef struct
{
  Fixture      *fixture;
  MwOutboxState state;
} StateWait;

static gboolean
state_is (gpointer data)
{
  StateWait    *wait = data;
  MwOutboxItem *item = NULL;
  GListModel   *model = G_LIST_MODEL (outbox (wait->fixture));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (MwOutboxItem) each = g_list_model_get_item (model, i);

      item = each;
    }
  return item != NULL && mw_outbox_item_get_state (item) == wait->state &&
         !mw_outbox_get_busy (outbox (wait->fixture));
}

static gboolean
sending_now (gpointer data)
{
  Fixture      *fixture = data;
  MwOutboxItem *item = only_item (fixture);

  return item != NULL && mw_outbox_item_get_state (item) == MW_OUTBOX_STATE_SENDING;
}

static gboolean
server_has (gpointer data)
{
  gpointer *args = data;

  return count_files (mw_mail_server_get_maildir (args[0])) == GPOINTER_TO_UINT (args[1]);
}

static gboolean
n_server_messages_is (gpointer data)
{
  gpointer *args = data;

  return g_list_model_get_n_items (G_LIST_MODEL (mw_window_get_server_messages (args[0]))) ==
         GPOINTER_TO_UINT (args[1]);
}

static void
network_back (void)
{
  g_signal_emit_by_name (g_network_monitor_get_default (), "network-changed", TRUE);
}

static gboolean
elapsed (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

static void
idle_for (guint msec)
{
  gint64 until = g_get_monotonic_time () + msec * 1000;

  app_test_wait (elapsed, &until, 10);
}

/* A stored account is selected once: the window settles, and goes away
 * when closed (the teardown waits for that). */
static void
test_stored_account (Fixture      *fixture,
                     gconstpointer data)
{
  fixture->server = start_server ("stored");
  run_server (fixture->server);
  open_window (fixture, mw_mail_server_get_smtp_port (fixture->server));
  idle_for (500);
  gtk_window_destroy (GTK_WINDOW (compose (fixture, ADDRESS, "Not sent", "Closed unsent.\n")));
  g_assert_cmpuint (count_account_files (fixture, MW_MAILDIR_FOLDER_OUTBOX), ==, 0);
}

static void
test_send_read_back (Fixture      *fixture,
                     gconstpointer data)
{
  gpointer args[2];
  g_autoptr (MwMessageSummary) summary = NULL;

  fixture->server = start_server ("send-read-back");
  run_server (fixture->server);
  open_window (fixture, mw_mail_server_get_smtp_port (fixture->server));

  send_and_close (compose (fixture, "Ada <" ADDRESS ">", "Through the outbox", "First line.\n"));

  /* The server has it once, as POP3 shows. */
  g_assert_cmpuint (count_files (mw_mail_server_get_maildir (fixture->server)), ==, 1);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.get-mail", NULL);
  args[0] = fixture->window;
  args[1] = GUINT_TO_POINTER (1);
  g_assert_true (app_test_wait (n_server_messages_is, args, 30));
  summary = g_list_model_get_item (G_LIST_MODEL (mw_window_get_server_messages (fixture->window)), 0);
  g_assert_cmpstr (mw_message_summary_get_subject (summary), ==, "Through the outbox");

  /* The copy is in Sent, and the Outbox is empty, on disk and in the
   * outbox. */
  g_assert_cmpuint (count_account_files (fixture, MW_MAILDIR_FOLDER_SENT), ==, 1);
  g_assert_cmpuint (count_account_files (fixture, MW_MAILDIR_FOLDER_OUTBOX), ==, 0);
  g_assert_null (only_item (fixture));
}

static void
test_server_down_then_up (Fixture      *fixture,
                          gconstpointer data)
{
  g_autoptr (MwMailServer) gone = start_server ("gone");
  StateWait     wait = { fixture, MW_OUTBOX_STATE_RETRY_WAIT };
  MwOutboxItem *item;
  guint16       closed_port;
  gpointer      args[2];

  /* A port nobody listens on any more. */
  run_server (gone);
  closed_port = mw_mail_server_get_smtp_port (gone);
  mw_mail_server_stop (gone);

  fixture->server = start_server ("down-then-up");
  open_window (fixture, closed_port);

  /* The composer closes; the message waits in the Outbox. */
  send_and_close (compose (fixture, ADDRESS, "Retried", "Waits for the server.\n"));
  g_assert_true (app_test_wait (state_is, &wait, 10));
  item = only_item (fixture);
  g_assert_nonnull (item);
  g_assert_cmpuint (mw_outbox_item_get_attempts (item), ==, 1);
  g_assert_cmpint (mw_outbox_item_get_next_attempt (item), >, g_get_real_time ());
  g_assert_cmpuint (count_account_files (fixture, MW_MAILDIR_FOLDER_OUTBOX), ==, 1);

  /* The server comes up (where the account now points) and the network
   * comes back: the message goes out, once. */
  run_server (fixture->server);
  mw_send_queue_set_server (queue (), fixture->account_id, "127.0.0.1",
                            mw_mail_server_get_smtp_port (fixture->server), MW_SECURITY_NONE,
                            "ada", PASSWORD, TRUE, NULL);
  network_back ();
  args[0] = fixture->server;
  args[1] = GUINT_TO_POINTER (1);
  g_assert_true (app_test_wait (server_has, args, 30));
  wait.state = MW_OUTBOX_STATE_SENT;
  g_assert_true (app_test_wait (state_is, &wait, 10));
  g_assert_true (wait_files (fixture, MW_MAILDIR_FOLDER_OUTBOX, 0));
  g_assert_true (wait_files (fixture, MW_MAILDIR_FOLDER_SENT, 1));

  /* Another change of network sends nothing more. */
  network_back ();
  idle_for (500);
  g_assert_false (mw_outbox_get_busy (outbox (fixture)));
  g_assert_cmpuint (count_files (mw_mail_server_get_maildir (fixture->server)), ==, 1);
}

static const char *
dialog_body (AdwMessageDialog *dialog)
{
  return adw_message_dialog_get_body (dialog);
}

#define REFUSAL "550 5.1.1 <nobody@example.org>: Recipient address rejected"

static void
test_refused (Fixture      *fixture,
              gconstpointer data)
{
  MwComposeWindow    *window;
  AdwMessageDialog   *dialog;
  MwReplyExplanation *explanation;

  fixture->server = start_server ("refused");
  mw_mail_server_set_refused_recipient (fixture->server, "nobody@example.org", REFUSAL);
  run_server (fixture->server);
  open_window (fixture, mw_mail_server_get_smtp_port (fixture->server));

  window = compose (fixture, "nobody@example.org", "Refused", "Nobody reads this.\n");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "compose.send", NULL));
  g_assert_true (app_test_wait (dialog_shown, "send-report", 30));
  dialog = find_dialog ("send-report");

  /* The server's words and what they mean. */
  g_assert_nonnull (strstr (dialog_body (dialog), "Recipient address rejected"));
  g_assert_nonnull (strstr (dialog_body (dialog), "5.1.1"));
  explanation = mw_reply_explain (MW_REPLY_PROTOCOL_SMTP, REFUSAL);
  g_assert_nonnull (strstr (dialog_body (dialog), explanation->sentence));
  mw_reply_explanation_free (explanation);

  /* The message is back in the composer, editable, and nowhere else: it
   * is not tried again. */
  g_assert_true (find_compose () == window);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (app_test_find (GTK_WIDGET (window), GTK_TYPE_ENTRY, NULL, NULL))));
  g_assert_false (mw_outbox_get_busy (outbox (fixture)));
  g_assert_true (wait_files (fixture, MW_MAILDIR_FOLDER_OUTBOX, 0));
  g_assert_null (only_item (fixture));
  network_back ();
  idle_for (300);
  g_assert_cmpuint (count_files (mw_mail_server_get_maildir (fixture->server)), ==, 0);
  g_assert_cmpuint (count_account_files (fixture, MW_MAILDIR_FOLDER_SENT), ==, 0);
}

/* Some recipients refused for good: the others get it, the message is in
 * Sent, and the report names each refused address with the server's
 * words. */
static void
test_partly_refused (Fixture      *fixture,
                     gconstpointer data)
{
  AdwMessageDialog *dialog;
  gpointer          args[2];

  fixture->server = start_server ("partly-refused");
  mw_mail_server_set_refused_recipient (fixture->server, "nobody@example.org", REFUSAL);
  run_server (fixture->server);
  open_window (fixture, mw_mail_server_get_smtp_port (fixture->server));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (compose (fixture, ADDRESS ", nobody@example.org", "Partly", "For Ada only.\n")),
                                             "compose.send", NULL));
  g_assert_true (app_test_wait (dialog_shown, "send-report", 30));
  dialog = find_dialog ("send-report");
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Some Recipients Were Refused");
  g_assert_nonnull (strstr (dialog_body (dialog), "nobody@example.org"));
  g_assert_nonnull (strstr (dialog_body (dialog), "Recipient address rejected"));
  g_assert_null (strstr (dialog_body (dialog), ADDRESS));

  args[0] = fixture->server;
  args[1] = GUINT_TO_POINTER (1);
  g_assert_true (app_test_wait (server_has, args, 10));
  g_assert_true (wait_files (fixture, MW_MAILDIR_FOLDER_SENT, 1));
  g_assert_true (wait_files (fixture, MW_MAILDIR_FOLDER_OUTBOX, 0));
}

/* The same, with "Send to Nobody if a Recipient Is Refused" chosen in
 * the composer: nothing is sent, the message comes back to the composer
 * with the server's words, and the server holds nothing. */
static void
test_all_or_nothing (Fixture      *fixture,
                     gconstpointer data)
{
  MwComposeWindow  *window;
  AdwMessageDialog *dialog;

  fixture->server = start_server ("all-or-nothing");
  mw_mail_server_set_refused_recipient (fixture->server, "nobody@example.org", REFUSAL);
  run_server (fixture->server);
  open_window (fixture, mw_mail_server_get_smtp_port (fixture->server));

  window = compose (fixture, ADDRESS ", nobody@example.org", "All or nothing", "For both or neither.\n");
  g_assert_false (mw_compose_window_get_all_or_nothing (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "compose.all-or-nothing", NULL));
  g_assert_true (mw_compose_window_get_all_or_nothing (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "compose.send", NULL));
  g_assert_true (app_test_wait (dialog_shown, "send-report", 30));
  dialog = find_dialog ("send-report");
  g_assert_nonnull (strstr (dialog_body (dialog), "Recipient address rejected"));

  g_assert_true (find_compose () == window);
  g_assert_true (wait_files (fixture, MW_MAILDIR_FOLDER_OUTBOX, 0));
  g_assert_null (only_item (fixture));
  idle_for (300);
  g_assert_cmpuint (count_files (mw_mail_server_get_maildir (fixture->server)), ==, 0);
  g_assert_cmpuint (count_account_files (fixture, MW_MAILDIR_FOLDER_SENT), ==, 0);
}

/* Stop Sending while the server keeps the client waiting: the message
 * comes back to the composer and leaves the Outbox. */
static void
test_stop_sending (Fixture      *fixture,
                   gconstpointer data)
{
  g_autoptr (MwFakeServer) fake = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  MwComposeWindow *window;

  mw_fake_server_stall (fake, 5000);
  mw_fake_server_close (fake);
  mw_fake_server_start (fake);
  open_window (fixture, mw_fake_server_get_port (fake));

  window = compose (fixture, ADDRESS, "Stopped", "Never mind.\n");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "compose.send", NULL));
  g_assert_true (app_test_wait (sending_now, fixture, 10));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "compose.cancel-send", NULL));

  g_assert_true (wait_files (fixture, MW_MAILDIR_FOLDER_OUTBOX, 0));
  g_assert_true (find_compose () == window);
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (app_test_find (GTK_WIDGET (window), GTK_TYPE_ENTRY, NULL, NULL))));
  g_assert_null (only_item (fixture));
  g_assert_cmpuint (count_account_files (fixture, MW_MAILDIR_FOLDER_SENT), ==, 0);
}

static gboolean
outbox_listed_empty (gpointer data)
{
  Fixture *fixture = data;

  return g_list_model_get_n_items (mw_window_get_visible_messages (fixture->window)) == 0;
}

static gboolean
outbox_lists_uncertain (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr (MwMessageSummary) summary = NULL;
  GListModel *shown = mw_window_get_visible_messages (fixture->window);

  if (g_list_model_get_n_items (shown) != 1)
    return FALSE;
  summary = g_list_model_get_item (shown, 0);
  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (summary), "outbox-state")) == MW_OUTBOX_STATE_UNCERTAIN;
}

static gboolean
status_icon_shown (gpointer data)
{
  g_autoptr (GPtrArray) stack = g_ptr_array_new ();

  /* An image in the list with the warning icon and the tooltip. */
  g_ptr_array_add (stack, data);
  while (stack->len > 0)
    {
      GtkWidget *widget = g_ptr_array_steal_index (stack, stack->len - 1);

      if (GTK_IS_IMAGE (widget) &&
          g_strcmp0 (gtk_image_get_icon_name (GTK_IMAGE (widget)), "dialog-warning-symbolic") == 0 &&
          gtk_widget_get_tooltip_text (widget) != NULL &&
          strstr (gtk_widget_get_tooltip_text (widget), "Delivery uncertain") != NULL)
        return TRUE;
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        g_ptr_array_add (stack, child);
    }
  return FALSE;
}

static void
test_uncertain (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (MwFakeServer) fake = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  StateWait         wait = { fixture, MW_OUTBOX_STATE_UNCERTAIN };
  AdwMessageDialog *dialog;
  MwOutboxItem     *item;
  g_autofree char  *id = NULL;

  /* The server takes the whole message and hangs up before its answer. */
  mw_fake_server_send (fake, "220 fake.example ESMTP\r\n");
  mw_fake_server_expect_any (fake);
  mw_fake_server_send (fake, "250-fake.example\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n");
  mw_fake_server_expect_any (fake);
  mw_fake_server_send (fake, "235 2.7.0 Accepted\r\n");
  mw_fake_server_expect_any (fake);
  mw_fake_server_send (fake, "250 2.1.0 Ok\r\n");
  mw_fake_server_expect_any (fake);
  mw_fake_server_send (fake, "250 2.1.5 Ok\r\n");
  mw_fake_server_expect (fake, "DATA");
  mw_fake_server_send (fake, "354 End data with <CR><LF>.<CR><LF>\r\n");
  mw_fake_server_expect_until (fake, ".");
  mw_fake_server_close (fake);
  mw_fake_server_start (fake);

  open_window (fixture, mw_fake_server_get_port (fake));
  send_and_close (compose (fixture, "bob@example.org", "Maybe sent", "Did it arrive?\n"));
  g_assert_true (mw_fake_server_wait (fake, 10000));
  g_assert_true (app_test_wait (state_is, &wait, 10));
  g_assert_true (app_test_wait (dialog_shown, "send-report", 10));
  dialog = find_dialog ("send-report");
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Delivery Uncertain");
  gtk_window_destroy (GTK_WINDOW (dialog));
  item = only_item (fixture);
  g_assert_nonnull (item);
  id = g_strdup (mw_outbox_item_get_id (item));
  g_assert_true (mw_outbox_item_get_needs_attention (item) || mw_outbox_item_get_state (item) == MW_OUTBOX_STATE_UNCERTAIN);

  /* Never sent again on its own: not when the network comes back, not by
   * the next flush. */
  network_back ();
  idle_for (300);
  g_assert_cmpint (mw_outbox_item_get_state (mw_outbox_lookup (outbox (fixture), id)), ==, MW_OUTBOX_STATE_UNCERTAIN);
  g_assert_cmpuint (mw_outbox_item_get_attempts (mw_outbox_lookup (outbox (fixture), id)), ==, 0);

  /* The Outbox folder marks it, with an icon and a tooltip. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-folder", "s", "outbox"));
  g_assert_true (app_test_wait (outbox_lists_uncertain, fixture, 20));
  g_assert_true (app_test_wait (status_icon_shown, fixture->window, 20));

  /* Send Again asks first, and says it may arrive twice; cancelling
   * leaves it as it is. */
  {
    GListModel *shown = mw_window_get_visible_messages (fixture->window);

    gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (shown), 0);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.outbox-send-again", NULL));
  g_assert_true (app_test_wait (dialog_shown, "send-again", 10));
  dialog = find_dialog ("send-again");
  g_assert_nonnull (strstr (dialog_body (dialog), "twice"));
  adw_message_dialog_response (dialog, "cancel");
  idle_for (200);
  g_assert_cmpint (mw_outbox_item_get_state (mw_outbox_lookup (outbox (fixture), id)), ==, MW_OUTBOX_STATE_UNCERTAIN);

  /* Delete removes it from the Outbox. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.outbox-delete", NULL));
  g_assert_true (app_test_wait (dialog_shown, "outbox-delete", 10));
  adw_message_dialog_response (find_dialog ("outbox-delete"), "delete");
  g_assert_true (wait_files (fixture, MW_MAILDIR_FOLDER_OUTBOX, 0));
  g_assert_null (mw_outbox_lookup (outbox (fixture), id));
  g_assert_true (app_test_wait (outbox_listed_empty, fixture, 10));
}

static gboolean
size_known (gpointer data)
{
  Fixture *fixture = data;

  return mw_send_queue_get_size_limit (queue (), fixture->account_id) == 6000;
}

static gboolean
warning_shown (gpointer data)
{
  return mw_compose_window_get_size_warning (data);
}

static gboolean
has_attachment (gpointer data)
{
  return mw_compose_window_get_n_attachments (data) == 1;
}

static void
test_size_warning (Fixture      *fixture,
                   gconstpointer data)
{
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "photo.jpg", NULL);
  g_autofree char *contents = g_strnfill (5000, 'x');
  g_autofree char *cached = NULL;
  g_autofree char *cache_path = NULL;
  g_autoptr (GFile) file = NULL;
  MwComposeWindow *window;

  fixture->server = start_server ("size");
  mw_mail_server_set_max_message_size (fixture->server, 6000);
  run_server (fixture->server);
  open_window (fixture, mw_mail_server_get_smtp_port (fixture->server));

  /* Nothing is known before the first session: no warning. */
  window = compose (fixture, ADDRESS, "Small", "Small enough.\n");
  g_assert_false (mw_compose_window_get_size_warning (window));
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_cmpuint (mw_send_queue_get_size_limit (queue (), fixture->account_id), ==, 0);

  /* A session of the outbox records the server's SIZE, for this run and
   * on disk. */
  window = compose (fixture, ADDRESS, "Small", "Small enough.\n");
  send_and_close (window);
  g_assert_true (app_test_wait (size_known, fixture, 10));
  cache_path = g_build_filename (g_get_user_data_dir (), "mailwire", "accounts", fixture->account_id,
                                 "smtp-size", NULL);
  {
    gint64 until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    while (!g_file_test (cache_path, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
  }
  g_assert_true (g_file_get_contents (cache_path, &cached, NULL, NULL));
  g_assert_cmpstr (g_strstrip (cached), ==, "6000");

  /* Test Connection in the accounts dialog learns it too (after a
   * different value, to tell). */
  {
    MwSmtpCapabilities other = { .flags = MW_SMTP_CAP_SIZE, .size = 1 };

    mw_send_queue_note_capabilities (queue (), fixture->account_id, &other);
    g_assert_cmpuint (mw_send_queue_get_size_limit (queue (), fixture->account_id), ==, 1);
  }
  {
    g_autoptr (GList) toplevels = NULL;
    GtkWindow *dialog = NULL;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.accounts", NULL));
    toplevels = gtk_window_list_toplevels ();
    for (GList *l = toplevels; l != NULL; l = l->next)
      if (MW_IS_ACCOUNT_DIALOG (l->data))
        dialog = l->data;
    g_assert_nonnull (dialog);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "account.test", NULL));
    g_assert_true (app_test_wait (size_known, fixture, 20));
    gtk_window_destroy (dialog);
  }

  /* A new message: small, no banner; with an attachment over the limit,
   * the banner, which stays while the body changes. */
  window = compose (fixture, ADDRESS, "Large", "A photo.\n");
  g_assert_false (mw_compose_window_get_size_warning (window));
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  file = g_file_new_for_path (path);
  mw_compose_window_add_attachment (window, file);
  g_assert_true (app_test_wait (has_attachment, window, 10));
  g_assert_true (app_test_wait (warning_shown, window, 10));
  {
    GtkWidget *banner = app_test_find (GTK_WIDGET (window), GTK_TYPE_BOX, (const char *const[]){ "size-warning", NULL }, NULL);

    g_assert_nonnull (banner);
    g_assert_true (gtk_widget_get_mapped (banner) || gtk_revealer_get_reveal_child (GTK_REVEALER (gtk_widget_get_parent (banner))));
  }
  mw_compose_window_set_body (window, "A photo.\n");
  g_assert_true (mw_compose_window_get_size_warning (window));
  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();

  application = app_test_application_new (".OutboxTest");

  g_test_add ("/app/outbox-send/stored-account", Fixture, NULL,
              fixture_set_up, test_stored_account, fixture_tear_down);
  g_test_add ("/app/outbox-send/read-back", Fixture, NULL,
              fixture_set_up, test_send_read_back, fixture_tear_down);
  g_test_add ("/app/outbox-send/server-down-then-up", Fixture, NULL,
              fixture_set_up, test_server_down_then_up, fixture_tear_down);
  g_test_add ("/app/outbox-send/refused", Fixture, NULL,
              fixture_set_up, test_refused, fixture_tear_down);
  g_test_add ("/app/outbox-send/partly-refused", Fixture, NULL,
              fixture_set_up, test_partly_refused, fixture_tear_down);
  g_test_add ("/app/outbox-send/all-or-nothing", Fixture, NULL,
              fixture_set_up, test_all_or_nothing, fixture_tear_down);
  g_test_add ("/app/outbox-send/stop-sending", Fixture, NULL,
              fixture_set_up, test_stop_sending, fixture_tear_down);
  g_test_add ("/app/outbox-send/uncertain", Fixture, NULL,
              fixture_set_up, test_uncertain, fixture_tear_down);
  g_test_add ("/app/outbox-send/size-warning", Fixture, NULL,
              fixture_set_up, test_size_warning, fixture_tear_down);

  ret = g_test_run ();
  g_clear_object (&application);
  return ret;
}
