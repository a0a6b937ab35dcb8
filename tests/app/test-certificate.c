/* test-certificate.c: trusting a server's certificate from the app
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "app-test-utils.h"
#include "mw-account-dialog.h"
#include "mw-account-store.h"
#include "mw-application.h"
#include "mw-log-view.h"
#include "mw-certificate-dialog.h"
#include "mw-compose-window.h"
#include "mw-mail-server.h"
#include "mw-window.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#define N_MESSAGES 3

/* One registered application for the whole program, as in a session. */
static MwApplication *application;

typedef struct
{
  MwMailServer *server;
  char         *maildir;
  char         *fingerprint; /* of the server's certificate */
  char         *other;       /* of another certificate */
  MwWindow     *window;
} Fixture;

static char *
cert_path (const char *name)
{
  return g_build_filename (MW_TEST_CERTS_DIR, name, NULL);
}

static char *
fingerprint_of (const char *name)
{
  g_autofree char *path = cert_path (name);
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsCertificate) certificate = g_tls_certificate_new_from_file (path, &error);
  g_autoptr (MwCertificateInfo) info = NULL;

  g_assert_no_error (error);
  info = mw_certificate_info_new (certificate, 0);
  return g_strdup (mw_certificate_info_get_fingerprint (info));
}

static void
put_messages (const char *maildir)
{
  g_autofree char *dir = g_build_filename (maildir, "new", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint i = 0; i < N_MESSAGES; i++)
    {
      g_autofree char *name = g_strdup_printf ("%u.test", 1000 + i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *text = g_strdup_printf ("From: Ada <ada@example.org>\r\n"
                                               "Subject: Note %u\r\n"
                                               "Message-ID: <%u@example.org>\r\n"
                                               "\r\n"
                                               "Body %u\r\n",
                                               i, i, i);
      g_autoptr (GError) error = NULL;

      g_file_set_contents (path, text, -1, &error);
      g_assert_no_error (error);
    }
}

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

static gboolean
is_done (gpointer data)
{
  return ((Wait *) data)->done;
}

/* Stores an account for the server in the settings file the window reads,
 * with its password in the keyring. */
static void
store_account (Fixture    *fixture,
               const char *pinned)
{
  g_autoptr (MwAccountStore) store = mw_account_store_new (NULL);
  g_autoptr (MwAccount) account = mw_account_new (NULL);
  g_autoptr (GError) error = NULL;
  Wait wait = { 0 };

  mw_account_set_display_name (account, "Secure");
  mw_account_set_address (account, "ada@example.org");
  mw_account_set_pop3_host (account, "127.0.0.1");
  mw_account_set_pop3_port (account, mw_mail_server_get_pop3s_port (fixture->server));
  mw_account_set_pop3_security (account, MW_SECURITY_TLS);
  mw_account_set_pop3_user (account, "ada");
  mw_account_set_pop3_fingerprint (account, pinned);
  mw_account_set_smtp_host (account, "127.0.0.1");
  mw_account_set_smtp_port (account, mw_mail_server_get_smtps_port (fixture->server));
  mw_account_set_smtp_security (account, MW_SECURITY_TLS);
  mw_account_set_smtp_user (account, "ada");
  g_assert_true (mw_account_store_add (store, account, &error));
  g_assert_no_error (error);

  mw_account_store_save_async (store, NULL, wait_cb, &wait);
  g_assert_true (app_test_wait (is_done, &wait, 20));
  g_assert_true (mw_account_store_save_finish (store, wait.result, &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);

  wait.done = FALSE;
  mw_account_store_store_password_async (store, account, MW_PROTOCOL_POP3, "analytical", NULL,
                                         wait_cb, &wait);
  g_assert_true (app_test_wait (is_done, &wait, 20));
  g_assert_true (mw_account_store_store_password_finish (store, wait.result, &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  g_autofree char *cert = cert_path ("selfsigned.pem");
  g_autofree char *key = cert_path ("selfsigned-key.pem");
  g_autoptr (GTlsCertificate) certificate = NULL;
  g_autoptr (GError) error = NULL;

  fixture->maildir = g_build_filename (g_get_user_data_dir (), "server-maildir", NULL);
  put_messages (fixture->maildir);
  fixture->server = mw_mail_server_new (fixture->maildir);
  mw_mail_server_add_user (fixture->server, "ada", "analytical");
  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  mw_mail_server_set_certificate (fixture->server, certificate);
  g_assert_true (mw_mail_server_start (fixture->server, &error));
  g_assert_no_error (error);

  fixture->fingerprint = fingerprint_of ("selfsigned.pem");
  fixture->other = fingerprint_of ("server.pem");
}

static gboolean
has_account (gpointer data)
{
  return mw_window_get_has_account (data);
}

static void
open_window (Fixture *fixture)
{
  fixture->window = mw_window_new (application);
  gtk_window_present (GTK_WINDOW (fixture->window));
  g_assert_true (app_test_wait (has_account, fixture->window, 30));
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
destroy (gpointer window)
{
  g_object_add_weak_pointer (window, &window);
  gtk_window_destroy (window);
  g_assert_true (app_test_wait (is_null, &window, 10));
}

static MwCertificateDialog *
find_certificate_dialog (void)
{
  g_autoptr (GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (MW_IS_CERTIFICATE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return find_certificate_dialog () != NULL;
}

static gboolean
dialog_gone (gpointer data)
{
  return find_certificate_dialog () == NULL;
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  MwCertificateDialog *dialog;
  g_autofree char     *accounts = g_build_filename (g_get_user_config_dir (), "mailwire", "accounts.ini", NULL);

  while ((dialog = find_certificate_dialog ()) != NULL)
    destroy (dialog);
  if (fixture->window != NULL)
    destroy (fixture->window);
  mw_mail_server_stop (fixture->server);
  g_assert_finalize_object (fixture->server);
  g_remove (accounts);
  g_free (fixture->maildir);
  g_free (fixture->fingerprint);
  g_free (fixture->other);
}

/* The dialog's text: heading, body and every label of its details. */
static char *
dialog_text (MwCertificateDialog *dialog)
{
  GString *text = g_string_new (NULL);
  g_autoptr (GPtrArray) stack = g_ptr_array_new ();

  g_string_append_printf (text, "%s\n%s\n", adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)),
                          adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)));
  g_ptr_array_add (stack, adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (dialog)));
  while (stack->len > 0)
    {
      GtkWidget *widget = g_ptr_array_steal_index (stack, stack->len - 1);

      if (GTK_IS_LABEL (widget))
        g_string_append_printf (text, "%s\n", gtk_label_get_label (GTK_LABEL (widget)));
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        g_ptr_array_add (stack, child);
    }
  return g_string_free (text, FALSE);
}

/* Clicks the dialog's button for @response, as a person would. */
static void
respond (MwCertificateDialog *dialog,
         const char          *response)
{
  const char *label = g_str_equal (response, "trust") ? "Trust This Certificate" : "Cancel";
  GtkWidget  *button = app_test_find (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, NULL, label);

  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (app_test_wait (dialog_gone, NULL, 10));
}

static char *
read_accounts_file (void)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "mailwire", "accounts.ini", NULL);
  char            *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

static gboolean
n_messages_is (gpointer data)
{
  gpointer *args = data;

  return g_list_model_get_n_items (args[0]) == GPOINTER_TO_UINT (args[1]);
}

/* The window is idle again: its progress bar is hidden. */
static gboolean
get_mail_enabled (gpointer data)
{
  GtkWidget *bar = app_test_find (data, GTK_TYPE_PROGRESS_BAR, NULL, NULL);

  return bar != NULL && !gtk_widget_is_visible (bar);
}

static void
check_details (Fixture             *fixture,
               MwCertificateDialog *dialog)
{
  g_autofree char   *text = dialog_text (dialog);
  MwCertificateInfo *info = mw_certificate_dialog_get_info (dialog);

  g_assert_cmpstr (mw_certificate_info_get_fingerprint (info), ==, fixture->fingerprint);
  /* The problem in words, and what a person compares. */
  g_assert_nonnull (strstr (text, "self-signed"));
  g_assert_nonnull (strstr (text, "127.0.0.1"));
  g_assert_nonnull (strstr (text, fixture->fingerprint));
  g_assert_nonnull (strstr (text, mw_certificate_info_get_subject (info)));
  g_assert_nonnull (strstr (text, mw_certificate_info_get_issuer (info)));
  g_assert_nonnull (strstr (text, "until"));
}

/* The log pane's console, in @window. */
static GtkWidget *
console_entry (MwWindow *window)
{
  const char *classes[] = { "monospace", NULL };
  GtkWidget  *entry = app_test_find (GTK_WIDGET (mw_window_get_log_view (window)), GTK_TYPE_ENTRY,
                                     classes, NULL);

  g_assert_nonnull (entry);
  return entry;
}

static gboolean
console_idle (gpointer data)
{
  return !mw_log_view_get_console_busy (mw_window_get_log_view (data));
}

typedef struct
{
  MwWindow   *window;
  const char *text;
} Seen;

static gboolean
transcript_has (gpointer data)
{
  Seen            *seen = data;
  g_autofree char *text = mw_transcript_to_text (mw_window_get_transcript (seen->window));

  return strstr (text, seen->text) != NULL;
}

static void
test_get_mail (Fixture      *fixture,
               gconstpointer data)
{
  GListModel          *messages;
  MwCertificateDialog *dialog;
  g_autofree char     *before = NULL;
  g_autofree char     *after = NULL;
  gpointer             args[2];

  store_account (fixture, NULL);
  open_window (fixture);
  messages = G_LIST_MODEL (mw_window_get_server_messages (fixture->window));
  args[0] = messages;
  args[1] = GUINT_TO_POINTER (N_MESSAGES);

  /* The system does not trust the certificate: the app asks. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.get-mail", NULL));
  g_assert_true (app_test_wait (dialog_shown, NULL, 20));
  dialog = find_certificate_dialog ();
  check_details (fixture, dialog);
  g_assert_false (mw_certificate_dialog_get_changed (dialog));
  g_assert_cmpstr (adw_message_dialog_get_default_response (ADW_MESSAGE_DIALOG (dialog)), ==, "cancel");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (ADW_MESSAGE_DIALOG (dialog), "trust"),
                   ==, ADW_RESPONSE_DESTRUCTIVE);

  /* Cancel trusts nothing and lists nothing. */
  respond (dialog, "cancel");
  g_assert_true (app_test_wait (get_mail_enabled, fixture->window, 10));
  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, 0);
  before = read_accounts_file ();
  g_assert_null (strstr (before, fixture->fingerprint));
  g_assert_null (strstr (before, "fingerprint"));

  /* Trust pins the fingerprint in the settings file and lists the mail. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.get-mail", NULL));
  g_assert_true (app_test_wait (dialog_shown, NULL, 20));
  respond (find_certificate_dialog (), "trust");
  g_assert_true (app_test_wait (n_messages_is, args, 30));
  after = read_accounts_file ();
  g_assert_nonnull (strstr (after, fixture->fingerprint));
  g_assert_null (find_certificate_dialog ());

  /* The console's own session accepts the pinned certificate too: NOOP,
   * which nothing else sends, gets its +OK. */
  {
    GtkWidget       *entry = console_entry (fixture->window);
    Seen             seen = { fixture->window, "C: NOOP\n" };
    g_autofree char *text = NULL;
    const char      *noop;

    gtk_editable_set_text (GTK_EDITABLE (entry), "NOOP");
    g_signal_emit_by_name (entry, "activate");
    g_assert_true (app_test_wait (console_idle, fixture->window, 20));
    g_assert_true (app_test_wait (transcript_has, &seen, 20));
    text = mw_transcript_to_text (mw_window_get_transcript (fixture->window));
    noop = strstr (text, "C: NOOP\n");
    g_assert_nonnull (strstr (noop, "S: +OK"));
    g_assert_null (find_certificate_dialog ());
  }
}

static void
test_changed (Fixture      *fixture,
              gconstpointer data)
{
  MwCertificateDialog *dialog;
  g_autofree char     *text = NULL;
  g_autofree char     *contents = NULL;

  /* The account trusted another certificate of this server before. */
  store_account (fixture, fixture->other);
  open_window (fixture);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.get-mail", NULL));
  g_assert_true (app_test_wait (dialog_shown, NULL, 20));
  dialog = find_certificate_dialog ();
  check_details (fixture, dialog);
  g_assert_true (mw_certificate_dialog_get_changed (dialog));
  text = dialog_text (dialog);
  g_assert_nonnull (strstr (text, "Changed"));

  respond (dialog, "cancel");
  g_assert_true (app_test_wait (get_mail_enabled, fixture->window, 10));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (mw_window_get_server_messages (fixture->window))), ==, 0);
  contents = read_accounts_file ();
  g_assert_nonnull (strstr (contents, fixture->other));
  g_assert_null (strstr (contents, fixture->fingerprint));
}

static void
collect_rows (GtkWidget *root,
              GPtrArray *out)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (ADW_IS_PREFERENCES_ROW (child))
        g_ptr_array_add (out, child);
      collect_rows (child, out);
    }
}

/* The @nth row (from 0) titled @title. */
static gpointer
row (GPtrArray  *rows,
     const char *title,
     guint       nth)
{
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (rows->pdata[i]), title) == 0 && nth-- == 0)
      return rows->pdata[i];
  g_assert_not_reached ();
}

static gboolean
subtitle_has (gpointer data)
{
  gpointer   *args = data;
  const char *subtitle = adw_action_row_get_subtitle (args[0]);

  return subtitle != NULL && strstr (subtitle, args[1]) != NULL;
}

static GtkWindow *
find_account_dialog (void)
{
  g_autoptr (GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (MW_IS_ACCOUNT_DIALOG (l->data))
      return l->data;
  return NULL;
}

static gboolean
account_saved (gpointer data)
{
  return find_account_dialog () == NULL;
}

static void
test_test_connection (Fixture      *fixture,
                      gconstpointer data)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();
  g_autofree char     *pop3s = g_strdup_printf ("%u", mw_mail_server_get_pop3s_port (fixture->server));
  g_autofree char     *smtps = g_strdup_printf ("%u", mw_mail_server_get_smtps_port (fixture->server));
  g_autofree char     *contents = NULL;
  MwCertificateDialog *dialog;
  GtkWindow           *window;
  gpointer             args[2];

  fixture->window = mw_window_new (application);
  gtk_window_present (GTK_WINDOW (fixture->window));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.accounts", NULL);
  window = find_account_dialog ();
  g_assert_nonnull (window);

  collect_rows (GTK_WIDGET (window), rows);
  gtk_editable_set_text (row (rows, "Email Address", 0), "ada@example.org");
  gtk_editable_set_text (row (rows, "Server", 0), "127.0.0.1");
  adw_combo_row_set_selected (row (rows, "Security", 0), MW_SECURITY_TLS);
  gtk_editable_set_text (row (rows, "Port", 0), pop3s);
  gtk_editable_set_text (row (rows, "User Name", 0), "ada");
  gtk_editable_set_text (row (rows, "Password", 0), "analytical");
  gtk_editable_set_text (row (rows, "Server", 1), "127.0.0.1");
  adw_combo_row_set_selected (row (rows, "Security", 1), MW_SECURITY_TLS);
  gtk_editable_set_text (row (rows, "Port", 1), smtps);
  gtk_editable_set_text (row (rows, "User Name", 1), "ada");
  gtk_editable_set_text (row (rows, "Password", 1), "analytical");

  /* Both servers show the same untrusted certificate: one question. */
  args[0] = row (rows, "Test Connection", 0);
  args[1] = "SMTP: ";
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "account.test", NULL));
  g_assert_true (app_test_wait (dialog_shown, NULL, 20));
  dialog = find_certificate_dialog ();
  check_details (fixture, dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == window);
  g_assert_true (app_test_wait (subtitle_has, args, 20));

  /* Trusting it runs the test again, and it passes. */
  respond (dialog, "trust");
  args[1] = "logged in";
  g_assert_true (app_test_wait (subtitle_has, args, 20));
  if (find_certificate_dialog () != NULL)
    respond (find_certificate_dialog (), "trust");
  args[1] = "accepted the login";
  g_assert_true (app_test_wait (subtitle_has, args, 20));
  g_assert_null (find_certificate_dialog ());

  /* Saving keeps the pin on both sides. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "account.save", NULL));
  g_assert_true (app_test_wait (account_saved, NULL, 20));
  contents = read_accounts_file ();
  g_assert_nonnull (strstr (contents, fixture->fingerprint));
  g_assert_nonnull (strstr (strstr (contents, fixture->fingerprint) + 1, fixture->fingerprint));
}

static guint
count_server_messages (Fixture *fixture)
{
  g_autofree char *dir = g_build_filename (fixture->maildir, "new", NULL);
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (listing != NULL && g_dir_read_name (listing) != NULL)
    n++;
  return n;
}

static gboolean
server_has_one_more (gpointer data)
{
  return count_server_messages (data) == N_MESSAGES + 1;
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

static gboolean
compose_gone (gpointer data)
{
  return find_compose () == NULL;
}

/* Sending meets the same self-signed certificate on SMTPS: the composer
 * shows it, and after Trust This Certificate the message goes out and the
 * pin is the account's for SMTP. */
static void
test_compose (Fixture      *fixture,
              gconstpointer data)
{
  MwComposeWindow     *compose;
  MwCertificateDialog *dialog;
  g_autofree char     *accounts = NULL;

  store_account (fixture, NULL);
  open_window (fixture);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.compose", NULL));
  compose = find_compose ();
  g_assert_nonnull (compose);
  mw_compose_window_set_to (compose, "ada@example.org");
  mw_compose_window_set_subject (compose, "Through a pinned certificate");
  mw_compose_window_set_body (compose, "Hello.\n");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (compose), "compose.send", NULL));

  g_assert_true (app_test_wait (dialog_shown, NULL, 30));
  dialog = find_certificate_dialog ();
  check_details (fixture, dialog);
  g_assert_cmpuint (count_server_messages (fixture), ==, N_MESSAGES);
  respond (dialog, "trust");

  g_assert_true (app_test_wait (server_has_one_more, fixture, 30));
  g_assert_true (app_test_wait (compose_gone, NULL, 10));
  accounts = read_accounts_file ();
  g_assert_nonnull (strstr (accounts, fixture->fingerprint));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();

  application = app_test_application_new (".Test");

  g_test_add ("/app/certificate/get-mail", Fixture, NULL,
              fixture_set_up, test_get_mail, fixture_tear_down);
  g_test_add ("/app/certificate/changed", Fixture, NULL,
              fixture_set_up, test_changed, fixture_tear_down);
  g_test_add ("/app/certificate/compose", Fixture, NULL,
              fixture_set_up, test_compose, fixture_tear_down);
  g_test_add ("/app/certificate/test-connection", Fixture, NULL,
              fixture_set_up, test_test_connection, fixture_tear_down);

  ret = g_test_run ();
  g_clear_object (&application);
  return ret;
}
