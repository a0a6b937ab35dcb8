/* test-download.c: Download New Messages with the account's policy
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "app-test-utils.h"
#include "mw-account-dialog.h"
#include "mw-account-store.h"
#include "mw-application.h"
#include "mw-mail-server.h"
#include "mw-maildir.h"
#include "mw-message-summary.h"
#include "mw-pop3-client.h"
#include "mw-window.h"

#include <adwaita.h>
#include <string.h>

#define PASSWORD "download-secret"

typedef struct
{
  char         *account_id;
  char         *server_dir;
  MwMailServer *server;
  MwWindow     *window;
} Fixture;

static MwApplication *application;

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
put_message (Fixture    *fixture,
             const char *name,
             const char *subject,
             size_t      body_size)
{
  g_autofree char *path = g_build_filename (fixture->server_dir, "new", name, NULL);
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  g_string_append_printf (text,
                          "From: Alice <alice@example.org>\r\nTo: ada@example.org\r\n"
                          "Subject: %s\r\nMessage-ID: <%s@example.org>\r\n"
                          "Date: Mon, 2 Nov 2026 10:00:00 +0100\r\n\r\n",
                          subject, name);
  for (size_t i = 0; i < body_size; i += 64)
    g_string_append (text, "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed d\r\n");
  g_file_set_contents (path, text->str, (gssize) text->len, &error);
  g_assert_no_error (error);
}

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
count_downloaded (Fixture *fixture)
{
  g_autoptr (MwMaildir) maildir = mw_maildir_new_for_account (fixture->account_id, MW_MAILDIR_FOLDER_DOWNLOADED);

  return count_files (mw_maildir_get_path (maildir));
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  static guint n;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("mailwire-XXXXXX", NULL);

  fixture->account_id = g_strdup_printf ("download-test-%u", ++n);
  fixture->server_dir = g_build_filename (dir, "server", NULL);
  fixture->server = mw_mail_server_new (fixture->server_dir);
  mw_mail_server_add_user (fixture->server, "ada", PASSWORD);
  mw_mail_server_set_allow_plaintext_auth (fixture->server, TRUE);
  g_assert_true (mw_mail_server_start (fixture->server, &error));
  g_assert_no_error (error);
}

static void
close_window (Fixture *fixture)
{
  gpointer window = fixture->window;

  if (window == NULL)
    return;
  g_object_add_weak_pointer (window, &window);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_assert_true (app_test_wait (is_null, &window, 10));
  fixture->window = NULL;
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  close_window (fixture);
  mw_mail_server_stop (fixture->server);
  g_object_unref (fixture->server);
  g_free (fixture->server_dir);
  g_free (fixture->account_id);
}

static void
store_account (Fixture      *fixture,
               MwLeavePolicy leave,
               guint64       max_size)
{
  g_autoptr (MwAccount) account = mw_account_new (fixture->account_id);

  mw_account_set_display_name (account, "Ada");
  mw_account_set_address (account, "ada@example.org");
  mw_account_set_pop3_host (account, "127.0.0.1");
  mw_account_set_pop3_port (account, mw_mail_server_get_pop3_port (fixture->server));
  mw_account_set_pop3_security (account, MW_SECURITY_NONE);
  mw_account_set_pop3_user (account, "ada");
  mw_account_set_smtp_host (account, "127.0.0.1");
  mw_account_set_smtp_port (account, mw_mail_server_get_smtp_port (fixture->server));
  mw_account_set_smtp_security (account, MW_SECURITY_NONE);
  mw_account_set_smtp_user (account, "ada");
  mw_account_set_allow_plaintext (account, TRUE);
  mw_account_set_leave_policy (account, leave);
  mw_account_set_max_size (account, max_size);
  app_test_store_account (account, PASSWORD);
}

/* The button of @action, whose sensitivity follows the action. */
static GtkWidget *
action_button (GtkWidget  *root,
               const char *action)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (child)), action) == 0)
        return child;
      if ((found = action_button (child, action)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
download_ready (gpointer data)
{
  Fixture   *fixture = data;
  GtkWidget *button = action_button (GTK_WIDGET (fixture->window), "win.download-new");

  return mw_window_get_has_account (fixture->window) && button != NULL && gtk_widget_get_sensitive (button);
}

static gboolean
n_server_messages_is (gpointer data)
{
  gpointer *args = data;

  return g_list_model_get_n_items (G_LIST_MODEL (mw_window_get_server_messages (args[0]))) ==
         GPOINTER_TO_UINT (args[1]);
}

static void
open_window (Fixture *fixture)
{
  fixture->window = mw_window_new (application);
  gtk_window_present (GTK_WINDOW (fixture->window));
  g_assert_true (app_test_wait (download_ready, fixture, 30));
}

static void
get_mail (Fixture *fixture,
          guint    n)
{
  gpointer args[2] = { fixture->window, GUINT_TO_POINTER (n) };

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.get-mail", NULL));
  if (!app_test_wait (n_server_messages_is, args, 30))
    {
      g_autofree char *text = mw_transcript_to_text (mw_window_get_transcript (fixture->window));

      g_test_message ("transcript: %s", text);
      g_assert_not_reached ();
    }
  g_assert_true (app_test_wait (download_ready, fixture, 30));
}

static guint
count_in_transcript (Fixture    *fixture,
                     const char *needle)
{
  g_autofree char *text = mw_transcript_to_text (mw_window_get_transcript (fixture->window));
  guint            n = 0;

  for (const char *p = strstr (text, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static gboolean
quit_count_is (gpointer data)
{
  gpointer *args = data;

  return count_in_transcript (args[0], "C: QUIT") == GPOINTER_TO_UINT (args[1]);
}

/* Starts Download New and waits for its session to end. */
static void
download_new (Fixture *fixture)
{
  gpointer args[2] = { fixture, GUINT_TO_POINTER (count_in_transcript (fixture, "C: QUIT") + 1) };

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.download-new", NULL));
  g_assert_true (app_test_wait (quit_count_is, args, 60));
  g_assert_true (app_test_wait (download_ready, fixture, 30));
}

static MwMessageSummary *
row (Fixture *fixture,
     guint    position)
{
  g_autoptr (MwMessageSummary) summary =
    g_list_model_get_item (G_LIST_MODEL (mw_window_get_server_messages (fixture->window)), position);

  return summary; /* the list holds a reference */
}

/* Delete after download, with a size limit: the small messages are
 * stored, then deleted on the server and from the list; the large one
 * stays there, flagged. */
static void
test_delete_policy (Fixture      *fixture,
                    gconstpointer data)
{
  put_message (fixture, "one", "Small one", 1000);
  put_message (fixture, "two", "Too large", 200 * 1024);
  put_message (fixture, "three", "Small three", 1000);
  store_account (fixture, MW_LEAVE_POLICY_DELETE_AFTER_DOWNLOAD, 100 * 1024);
  open_window (fixture);
  get_mail (fixture, 3);
  g_assert_cmpuint (count_downloaded (fixture), ==, 0);

  /* The listing already flags the message over the account's limit. */
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (!!(mw_message_summary_get_flags (row (fixture, i)) & MW_MESSAGE_FLAG_OVERSIZE), ==,
                     g_strcmp0 (mw_message_summary_get_subject (row (fixture, i)), "Too large") == 0);

  download_new (fixture);
  g_assert_cmpuint (count_downloaded (fixture), ==, 2);
  g_assert_cmpuint (count_files (fixture->server_dir), ==, 1);
  g_assert_cmpuint (count_in_transcript (fixture, "C: DELE "), ==, 2);
  g_assert_cmpuint (count_in_transcript (fixture, "C: RETR "), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (mw_window_get_server_messages (fixture->window))), ==, 1);
  g_assert_cmpstr (mw_message_summary_get_subject (row (fixture, 0)), ==, "Too large");
  g_assert_true (mw_message_summary_get_flags (row (fixture, 0)) & MW_MESSAGE_FLAG_OVERSIZE);

  /* The password went to the server but not into the transcript. */
  g_assert_cmpuint (count_in_transcript (fixture, PASSWORD), ==, 0);
}

static gboolean
has_flag (gpointer data)
{
  gpointer *args = data;

  return mw_message_summary_get_flags (args[0]) & GPOINTER_TO_UINT (args[1]);
}

/* Leave on server: a message opened before is not stored again, a second
 * run stores nothing, and after a restart the list shows what was
 * downloaded. */
static void
test_keep_policy (Fixture      *fixture,
                  gconstpointer data)
{
  GListModel *shown;
  gpointer    flag[2] = { NULL, GUINT_TO_POINTER (MW_MESSAGE_FLAG_DOWNLOADED) };

  put_message (fixture, "one", "First", 1000);
  put_message (fixture, "two", "Second", 1000);
  put_message (fixture, "three", "Third", 1000);
  store_account (fixture, MW_LEAVE_POLICY_KEEP, 0);
  open_window (fixture);
  get_mail (fixture, 3);

  /* Open one: RETR into Downloaded, noted in the index. */
  shown = mw_window_get_visible_messages (fixture->window);
  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (shown), 0);
  flag[0] = gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (shown));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.open", NULL));
  g_assert_true (app_test_wait (has_flag, flag, 30));
  g_assert_true (app_test_wait (download_ready, fixture, 30));
  g_assert_cmpuint (count_downloaded (fixture), ==, 1);

  download_new (fixture);
  g_assert_cmpuint (count_downloaded (fixture), ==, 3);
  g_assert_cmpuint (count_in_transcript (fixture, "C: RETR "), ==, 1 + 2);
  g_assert_cmpuint (count_in_transcript (fixture, "C: DELE "), ==, 0);
  g_assert_cmpuint (count_files (fixture->server_dir), ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_true (mw_message_summary_get_flags (row (fixture, i)) & MW_MESSAGE_FLAG_DOWNLOADED);

  download_new (fixture);
  g_assert_cmpuint (count_downloaded (fixture), ==, 3);
  g_assert_cmpuint (count_in_transcript (fixture, "C: RETR "), ==, 3);

  /* A new window reads the index: every row is flagged as downloaded. */
  close_window (fixture);
  open_window (fixture);
  get_mail (fixture, 3);
  for (guint i = 0; i < 3; i++)
    {
      flag[0] = row (fixture, i);
      g_assert_true (app_test_wait (has_flag, flag, 10));
    }
}

static GtkWidget *
labelled_button (GtkWidget  *root,
                 const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), label) == 0)
        return child;
      if ((found = labelled_button (child, label)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
try_again_shown (gpointer data)
{
  return labelled_button (data, "_Try Again") != NULL;
}

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (mw_pop3_client_connect_finish (MW_POP3_CLIENT (object), result, &error));
  *(gboolean *) user_data = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* A failed Get Mail stays on screen with Try Again, which works once the
 * cause is gone: here another session held the mailbox (IN-USE). */
static void
test_try_again (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (MwPop3Client) other = NULL;
  g_autofree char *text = NULL;
  GtkWidget       *button;
  gboolean         connected = FALSE;
  gpointer         args[2];

  put_message (fixture, "one", "First", 100);
  put_message (fixture, "two", "Second", 100);
  store_account (fixture, MW_LEAVE_POLICY_KEEP, 0);
  open_window (fixture);

  other = mw_pop3_client_new ("127.0.0.1", mw_mail_server_get_pop3_port (fixture->server), MW_SECURITY_NONE, NULL);
  mw_pop3_client_set_user (other, "ada");
  mw_pop3_client_set_password (other, PASSWORD);
  mw_pop3_client_set_allow_plaintext (other, TRUE);
  mw_pop3_client_connect_async (other, NULL, connected_cb, &connected);
  g_assert_true (app_test_wait (is_true, &connected, 20));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.get-mail", NULL));
  g_assert_true (app_test_wait (try_again_shown, fixture->window, 30));
  text = mw_transcript_to_text (mw_window_get_transcript (fixture->window));
  g_assert_nonnull (strstr (text, "IN-USE"));

  /* The other session ends; Try Again lists the mailbox. */
  mw_pop3_client_close (other);
  app_test_wait (never, NULL, 1);
  button = labelled_button (GTK_WIDGET (fixture->window), "_Try Again");
  g_signal_emit_by_name (button, "clicked");
  args[0] = fixture->window;
  args[1] = GUINT_TO_POINTER (2);
  g_assert_true (app_test_wait (n_server_messages_is, args, 30));
}

static void
collect_rows (GtkWidget *root,
              GPtrArray *rows)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (ADW_IS_PREFERENCES_ROW (child))
        g_ptr_array_add (rows, child);
      collect_rows (child, rows);
    }
}

static GtkWidget *
titled (GPtrArray  *rows,
        const char *title)
{
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (rows->pdata[i]), title) == 0)
      return rows->pdata[i];
  g_assert_not_reached ();
}

static GtkSpinButton *
spin_of (GtkWidget *row)
{
  GtkWidget *spin = app_test_find (row, GTK_TYPE_SPIN_BUTTON, NULL, NULL);

  g_assert_nonnull (spin);
  return GTK_SPIN_BUTTON (spin);
}

/* The account dialog shows the policy and saves what the user chose. */
static void
test_dialog (Fixture      *fixture,
             gconstpointer data)
{
  g_autoptr (MwAccountStore) store = mw_account_store_new (NULL);
  g_autoptr (MwAccount) account = mw_account_new ("dialog");
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();
  GtkWindow *dialog;
  GtkWidget *policy;
  GtkWidget *days;
  GtkWidget *limit;

  mw_account_set_address (account, "ada@example.org");
  mw_account_set_pop3_host (account, "127.0.0.1");
  mw_account_set_pop3_port (account, 10110);
  mw_account_set_smtp_host (account, "127.0.0.1");
  mw_account_set_smtp_port (account, 10587);
  mw_account_set_leave_policy (account, MW_LEAVE_POLICY_DELETE_AFTER_DAYS);
  mw_account_set_leave_days (account, 30);
  mw_account_set_max_size (account, 5 * 1024 * 1024);
  g_assert_true (mw_account_store_add (store, account, NULL));

  dialog = GTK_WINDOW (mw_account_dialog_new (NULL, store, account, NULL));
  gtk_window_present (dialog);
  collect_rows (GTK_WIDGET (dialog), rows);
  policy = titled (rows, "After Downloading");
  days = titled (rows, "Days on the Server");
  limit = titled (rows, "Largest Message to Download");

  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (policy)), ==, MW_LEAVE_POLICY_DELETE_AFTER_DAYS);
  g_assert_true (gtk_widget_get_sensitive (days));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin_of (days)), ==, 30);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin_of (limit)), ==, 5);

  /* The days matter only for that policy. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (policy), MW_LEAVE_POLICY_KEEP);
  g_assert_false (gtk_widget_get_sensitive (days));
  adw_combo_row_set_selected (ADW_COMBO_ROW (policy), MW_LEAVE_POLICY_DELETE_AFTER_DOWNLOAD);
  gtk_spin_button_set_value (spin_of (limit), 12);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "account.save", NULL));
  g_assert_cmpint (mw_account_get_leave_policy (account), ==, MW_LEAVE_POLICY_DELETE_AFTER_DOWNLOAD);
  g_assert_cmpuint (mw_account_get_max_size (account), ==, 12 * 1024 * 1024);
  gtk_window_destroy (dialog);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();

  application = app_test_application_new (".DownloadTest");

  g_test_add ("/app/download/delete-policy", Fixture, NULL,
              fixture_set_up, test_delete_policy, fixture_tear_down);
  g_test_add ("/app/download/keep-policy", Fixture, NULL,
              fixture_set_up, test_keep_policy, fixture_tear_down);

  g_test_add ("/app/download/try-again", Fixture, NULL,
              fixture_set_up, test_try_again, fixture_tear_down);
  g_test_add ("/app/download/dialog", Fixture, NULL,
              fixture_set_up, test_dialog, fixture_tear_down);

  ret = g_test_run ();
  g_clear_object (&application);
  return ret;
}
