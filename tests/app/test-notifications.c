/* test-notifications.c: background checks tell the user about new mail
 *
 * GLib 2.74 sends a GNotification through org.gtk.Notifications when that
 * name has an owner (GNOME Shell), through the portal in a sandbox, and
 * otherwise through org.freedesktop.Notifications: Notify() with the
 * summary, body and a "default" action, and the ActionInvoked signal back.
 * Under dbus-run-session nobody owns org.gtk.Notifications, so this test
 * owns org.freedesktop.Notifications on a connection of its own to the
 * same session bus and plays the notification server.
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "app-test-utils.h"
#include "mw-account-dialog.h"
#include "mw-account-store.h"
#include "mw-application.h"
#include "mw-mail-checker.h"
#include "mw-mail-server.h"
#include "mw-window.h"

#include <glib/gstdio.h>
#include <string.h>

#define PASSWORD "analytical"

static MwApplication *application;

/* The notification server. */

typedef struct
{
  char *summary;
  char *body;
  GStrv actions;
  guint id;
} Notified;

static void
notified_free (Notified *notified)
{
  g_free (notified->summary);
  g_free (notified->body);
  g_strfreev (notified->actions);
  g_free (notified);
}

typedef struct
{
  GDBusConnection *connection;
  guint            registration;
  guint            owner;
  gboolean         owned;
  GPtrArray       *notified; /* Notified */
  guint            next_id;
} FakeServer;

static const char introspection[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "    </method>"
  "    <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "    <signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "  </interface>"
  "</node>";

static void
method_call_cb (GDBusConnection       *connection,
                const char            *sender,
                const char            *path,
                const char            *interface,
                const char            *method,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  FakeServer *server = user_data;

  if (g_str_equal (method, "Notify"))
    {
      Notified *notified = g_new0 (Notified, 1);

      g_variant_get_child (parameters, 3, "s", &notified->summary);
      g_variant_get_child (parameters, 4, "s", &notified->body);
      g_variant_get_child (parameters, 5, "^as", &notified->actions);
      notified->id = ++server->next_id;
      g_ptr_array_add (server->notified, notified);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", notified->id));
    }
  else if (g_str_equal (method, "GetCapabilities"))
    {
      const char *caps[] = { "actions", "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_str_equal (method, "GetServerInformation"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ssss)", "fake", "mailwire", "1", "1.2"));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static const GDBusInterfaceVTable vtable = { method_call_cb, NULL, NULL, { NULL } };

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  ((FakeServer *) user_data)->owned = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static void
fake_server_start (FakeServer *server)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (introspection, &error);
  g_autofree char *address = NULL;

  g_assert_no_error (error);
  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  server->connection = g_dbus_connection_new_for_address_sync (address,
                                                               G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                                 G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                               NULL, NULL, &error);
  g_assert_no_error (error);
  server->notified = g_ptr_array_new_with_free_func ((GDestroyNotify) notified_free);
  server->registration = g_dbus_connection_register_object (server->connection,
                                                            "/org/freedesktop/Notifications",
                                                            info->interfaces[0], &vtable,
                                                            server, NULL, &error);
  g_assert_no_error (error);
  server->owner = g_bus_own_name_on_connection (server->connection, "org.freedesktop.Notifications",
                                                G_BUS_NAME_OWNER_FLAGS_NONE, name_acquired_cb,
                                                NULL, server, NULL);
  g_assert_true (app_test_wait (is_true, &server->owned, 10));
}

static void
fake_server_stop (FakeServer *server)
{
  g_bus_unown_name (server->owner);
  g_dbus_connection_unregister_object (server->connection, server->registration);
  g_dbus_connection_close_sync (server->connection, NULL, NULL);
  g_clear_object (&server->connection);
  g_clear_pointer (&server->notified, g_ptr_array_unref);
}

/* The account and its server. */

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (mw_account_store_load_finish (MW_ACCOUNT_STORE (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
store_account (const char *id,
               guint16     pop3_port)
{
  g_autoptr (MwAccount) account = mw_account_new (id);

  mw_account_set_display_name (account, "Ada");
  mw_account_set_address (account, "ada@example.org");
  mw_account_set_pop3_host (account, "127.0.0.1");
  mw_account_set_pop3_port (account, pop3_port);
  mw_account_set_pop3_security (account, MW_SECURITY_NONE);
  mw_account_set_pop3_user (account, "ada");
  mw_account_set_smtp_host (account, "127.0.0.1");
  mw_account_set_smtp_port (account, 1);
  mw_account_set_allow_plaintext (account, TRUE);
  mw_account_set_check_interval (account, 15);
  app_test_store_account (account, PASSWORD);
}

static void
put_message (const char *maildir,
             const char *name,
             const char *from,
             const char *subject)
{
  g_autofree char *dir = g_build_filename (maildir, "new", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = g_strdup_printf ("From: %s\r\nTo: ada@example.org\r\nSubject: %s\r\n"
                                           "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
                                           "Message-ID: <%s@example.org>\r\n\r\nHello.\r\n",
                                           from, subject, name);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static gboolean
window_ready (gpointer data)
{
  return mw_window_get_has_account (data);
}

typedef struct
{
  MwMailChecker *checker;
  gboolean       done;
  guint          n_new;
  GError        *error;
} CheckWait;

static void
checked_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  CheckWait *wait = user_data;

  wait->n_new = mw_mail_checker_check_finish (MW_MAIL_CHECKER (object), result, &wait->error);
  wait->done = TRUE;
}

static guint
check (MwMailChecker *checker,
       const char    *id)
{
  CheckWait wait = { checker, FALSE, 0, NULL };

  mw_mail_checker_check_async (checker, id, NULL, checked_cb, &wait);
  g_assert_true (app_test_wait (is_true, &wait.done, 30));
  g_assert_no_error (wait.error);
  return wait.n_new;
}

static gboolean
notified_n (gpointer data)
{
  gpointer *args = data;

  return ((FakeServer *) args[0])->notified->len == GPOINTER_TO_UINT (args[1]);
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

static const char *
selected_folder (MwWindow *window)
{
  g_autoptr (GPtrArray) stack = g_ptr_array_new ();

  g_ptr_array_add (stack, window);
  while (stack->len > 0)
    {
      GtkWidget *widget = g_ptr_array_steal_index (stack, stack->len - 1);

      if (GTK_IS_LIST_BOX (widget) && gtk_list_box_get_selected_row (GTK_LIST_BOX (widget)) != NULL)
        {
          const char *name = gtk_widget_get_name (GTK_WIDGET (gtk_list_box_get_selected_row (GTK_LIST_BOX (widget))));

          if (g_strv_contains ((const char *const[]){ "server", "downloaded", "sent", "outbox", NULL }, name))
            return name;
        }
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        g_ptr_array_add (stack, child);
    }
  return NULL;
}

static gboolean
shows_server (gpointer data)
{
  return g_strcmp0 (selected_folder (data), "server") == 0 && gtk_window_is_active (data);
}

static void
set_true (gboolean *flag)
{
  *flag = TRUE;
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
test_new_mail (void)
{
  g_autofree char *dir = g_dir_make_tmp ("mailwire-XXXXXX", NULL);
  g_autofree char *maildir = g_build_filename (dir, "maildrop", NULL);
  g_autoptr (MwMailServer) server = mw_mail_server_new (maildir);
  g_autoptr (GError) error = NULL;
  g_autoptr (MwMailChecker) restarted = NULL;
  FakeServer     notifications = { 0 };
  MwMailChecker *checker = mw_application_get_mail_checker (application);
  MwWindow      *window;
  Notified      *notified;
  gpointer       args[2] = { &notifications, GUINT_TO_POINTER (1) };
  gpointer       weak;

  fake_server_start (&notifications);

  put_message (maildir, "1.a", "Alice Liddell <alice@example.org>", "Tea");
  put_message (maildir, "2.b", "Bob <bob@example.org>", "Lunch");
  put_message (maildir, "3.c", "Alice Liddell <alice@example.org>", "More tea");
  put_message (maildir, "4.d", "carol@example.org", "Hello");
  mw_mail_server_add_user (server, "ada", PASSWORD);
  mw_mail_server_set_allow_plaintext_auth (server, TRUE);
  g_assert_true (mw_mail_server_start (server, &error));
  g_assert_no_error (error);
  store_account ("ada", mw_mail_server_get_pop3_port (server));

  window = mw_window_new (application);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (app_test_wait (window_ready, window, 30));

  /* Four new messages from three senders: one notification that names
   * the count and the senders. */
  g_assert_cmpuint (check (checker, "ada"), ==, 4);
  g_assert_true (app_test_wait (notified_n, args, 10));
  notified = g_ptr_array_index (notifications.notified, 0);
  g_assert_cmpstr (notified->summary, ==, "Ada");
  g_assert_cmpstr (notified->body, ==, "4 new messages from Alice Liddell, Bob and 1 other");
  g_assert_true (g_strv_contains ((const char *const *) notified->actions, "default"));

  /* Nothing new: nothing said, not even after a restart. */
  g_assert_cmpuint (check (checker, "ada"), ==, 0);
  restarted = mw_mail_checker_new (G_APPLICATION (application));
  {
    g_autoptr (MwAccountStore) store = mw_account_store_new (NULL);
    gboolean loaded = FALSE;

    mw_account_store_load_async (store, NULL, loaded_cb, &loaded);
    g_assert_true (app_test_wait (is_true, &loaded, 10));
    mw_mail_checker_set_accounts (restarted, store);
  }
  g_assert_cmpuint (check (restarted, "ada"), ==, 0);
  idle_for (300);
  g_assert_cmpuint (notifications.notified->len, ==, 1);

  /* Clicking the notification brings the window back on that account's
   * messages on the server. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-folder", "s", "sent"));
  g_assert_cmpstr (selected_folder (window), ==, "sent");
  g_assert_true (g_dbus_connection_emit_signal (notifications.connection, NULL,
                                                "/org/freedesktop/Notifications",
                                                "org.freedesktop.Notifications", "ActionInvoked",
                                                g_variant_new ("(us)", notified->id, "default"),
                                                &error));
  g_assert_no_error (error);
  g_assert_true (app_test_wait (shows_server, window, 10));
  g_assert_cmpstr (mw_window_get_account_id (window), ==, "ada");

  /* The interval is the account's, edited in the accounts dialog. */
  {
    g_autoptr (MwAccountStore) store = mw_account_store_new (NULL);
    GtkWindow *dialog = NULL;
    GtkWidget *spin;
    gboolean   saved = FALSE, loaded = FALSE;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.accounts", NULL));
    {
      g_autoptr (GList) toplevels = gtk_window_list_toplevels ();

      for (GList *l = toplevels; l != NULL; l = l->next)
        if (MW_IS_ACCOUNT_DIALOG (l->data))
          dialog = l->data;
    }
    g_assert_nonnull (dialog);
    spin = app_test_find (GTK_WIDGET (dialog), GTK_TYPE_SPIN_BUTTON, NULL, NULL);
    g_assert_nonnull (spin);
    g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (spin)), ==, 15);
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 0);
    g_signal_connect_swapped (dialog, "saved", G_CALLBACK (set_true), &saved);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "account.save", NULL));
    g_assert_true (app_test_wait (is_true, &saved, 20));
    mw_account_store_load_async (store, NULL, loaded_cb, &loaded);
    g_assert_true (app_test_wait (is_true, &loaded, 10));
    g_assert_cmpuint (mw_account_get_check_interval (mw_account_store_lookup (store, "ada")), ==, 0);
  }

  weak = window;
  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (app_test_wait (is_null, &weak, 10));
  mw_mail_server_stop (server);
  fake_server_stop (&notifications);
}

static gboolean
lists_n (gpointer data)
{
  gpointer *args = data;

  return g_list_model_get_n_items (G_LIST_MODEL (mw_window_get_server_messages (args[0]))) ==
         GPOINTER_TO_UINT (args[1]);
}

/* Messages the user saw listed by Get Mail are not announced afterwards;
 * a message that came later is. */
static void
test_listed_not_announced (void)
{
  g_autofree char *dir = g_dir_make_tmp ("mailwire-XXXXXX", NULL);
  g_autofree char *maildir = g_build_filename (dir, "maildrop", NULL);
  g_autoptr (MwMailServer) server = mw_mail_server_new (maildir);
  g_autoptr (GError) error = NULL;
  MwMailChecker *checker = mw_application_get_mail_checker (application);
  FakeServer     notifications = { 0 };
  MwWindow      *window;
  gpointer       args[2];
  gpointer       weak;

  fake_server_start (&notifications);
  put_message (maildir, "1.a", "Alice Liddell <alice@example.org>", "Tea");
  put_message (maildir, "2.b", "Bob <bob@example.org>", "Lunch");
  mw_mail_server_add_user (server, "ada", PASSWORD);
  mw_mail_server_set_allow_plaintext_auth (server, TRUE);
  g_assert_true (mw_mail_server_start (server, &error));
  g_assert_no_error (error);
  store_account ("listed", mw_mail_server_get_pop3_port (server));

  window = mw_window_new (application);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (app_test_wait (window_ready, window, 30));
  mw_window_show_account (window, "listed");
  idle_for (500);
  g_assert_cmpstr (mw_window_get_account_id (window), ==, "listed");
  g_assert_true (app_test_wait (window_ready, window, 30));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.get-mail", NULL));
  args[0] = window;
  args[1] = GUINT_TO_POINTER (2);
  g_assert_true (app_test_wait (lists_n, args, 30));
  idle_for (500);

  g_assert_cmpuint (check (checker, "listed"), ==, 0);
  put_message (maildir, "3.c", "carol@example.org", "Hello");
  g_assert_cmpuint (check (checker, "listed"), ==, 1);
  args[0] = &notifications;
  args[1] = GUINT_TO_POINTER (1);
  g_assert_true (app_test_wait (notified_n, args, 10));
  g_assert_cmpstr (((Notified *) g_ptr_array_index (notifications.notified, 0))->body, ==,
                   "1 new message from carol@example.org");

  weak = window;
  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (app_test_wait (is_null, &weak, 10));
  mw_mail_server_stop (server);
  fake_server_stop (&notifications);
}

/* Keeping running in the background: the window closes, the application
 * stays until the preference is turned off. */

typedef struct
{
  GSettings *settings;
  gboolean   alive_after_close;
  gboolean   returned;
} Background;

static gboolean
still_running_cb (gpointer user_data)
{
  Background *background = user_data;

  background->alive_after_close = !background->returned &&
                                  gtk_application_get_windows (GTK_APPLICATION (application)) == NULL;
  /* Turning it off lets the application end. */
  g_settings_set_boolean (background->settings, "run-in-background", FALSE);
  return G_SOURCE_REMOVE;
}

static gboolean
close_windows_cb (gpointer user_data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (application));

  g_assert_nonnull (windows);
  while (windows != NULL)
    {
      GList *next = windows->next;

      gtk_window_destroy (windows->data);
      windows = next;
    }
  g_timeout_add (500, still_running_cb, user_data);
  return G_SOURCE_REMOVE;
}

static void
test_background (void)
{
  Background background = { 0 };
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (application), "run-in-background");

  /* The main menu's toggle is the setting. */
  g_assert_nonnull (action);
  g_action_activate (action, NULL);
  g_assert_true (g_settings_get_boolean (settings, "run-in-background"));

  background.settings = settings;
  g_idle_add (close_windows_cb, &background);
  g_assert_cmpint (g_application_run (G_APPLICATION (application), 0, NULL), ==, 0);
  background.returned = TRUE;
  g_assert_true (background.alive_after_close);
  g_assert_false (g_settings_get_boolean (settings, "run-in-background"));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();

  application = app_test_application_new (".NotificationTest");

  g_test_add_func ("/app/notifications/new-mail", test_new_mail);
  g_test_add_func ("/app/notifications/listed-not-announced", test_listed_not_announced);
  g_test_add_func ("/app/notifications/background", test_background);

  ret = g_test_run ();
  g_clear_object (&application);
  return ret;
}
