/* test-secrets.c: passwords through the Secret Service
 *
 * Runs against the Secret Service of the session bus when one is there.
 * Otherwise it starts a private gnome-keyring-daemon with an unlocked login
 * keyring, re-running itself under dbus-run-session first when there is no
 * session bus at all. When neither works the test fails: a skip would hide
 * that passwords were never tested.
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-account-store.h"
#include "mw-store-error.h"

#include "mw-store-test-util.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SECRETS_NAME  "org.freedesktop.secrets"
#define REEXEC_MARKER "MAILWIRE_TEST_SECRETS_REEXEC"
#define PASSWORD      "s3cret-p\xc3\xa4ssword-7f3a"

static GSubprocess *keyring;
static char        *keyring_root;

static void
name_appeared_cb (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
wait_for_secret_service (GDBusConnection *bus,
                         guint            seconds)
{
  gboolean appeared = FALSE;
  gboolean timed_out = FALSE;
  guint    watch, timeout;

  watch = g_bus_watch_name_on_connection (bus, SECRETS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                          name_appeared_cb, NULL, &appeared, NULL);
  timeout = g_timeout_add_seconds (seconds, timeout_cb, &timed_out);
  while (!appeared && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_bus_unwatch_name (watch);
  if (!timed_out)
    g_source_remove (timeout);
  return appeared;
}

static void
start_keyring (GDBusConnection *bus)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  const char *subdirs[] = { "home", "runtime", "data", "config", "cache" };

  keyring_root = g_dir_make_tmp ("mailwire-keyring-XXXXXX", &error);
  g_assert_no_error (error);
  for (size_t i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *dir = g_build_filename (keyring_root, subdirs[i], NULL);

      g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_cwd (launcher, keyring_root);
#define SETENV(var, sub)                                                \
  G_STMT_START                                                          \
  {                                                                     \
    g_autofree char *_dir = g_build_filename (keyring_root, sub, NULL); \
    g_subprocess_launcher_setenv (launcher, var, _dir, TRUE);           \
  }                                                                     \
  G_STMT_END
  SETENV ("HOME", "home");
  SETENV ("XDG_RUNTIME_DIR", "runtime");
  SETENV ("XDG_DATA_HOME", "data");
  SETENV ("XDG_CONFIG_HOME", "config");
  SETENV ("XDG_CACHE_HOME", "cache");
#undef SETENV

  /* --unlock reads the login keyring's password from stdin and creates the
   * keyring, unlocked, as the default collection. An empty password creates
   * nothing, and the daemon would then try to prompt on a display. */
  keyring = g_subprocess_launcher_spawn (launcher, &error,
                                         "gnome-keyring-daemon", "--unlock",
                                         "--components=secrets", "--foreground", NULL);
  if (keyring == NULL)
    g_error ("Could not start gnome-keyring-daemon for the Secret Service: %s", error->message);

  if (!g_output_stream_write_all (g_subprocess_get_stdin_pipe (keyring), "mailwire-test", 13, NULL, NULL, &error) ||
      !g_output_stream_close (g_subprocess_get_stdin_pipe (keyring), NULL, &error))
    g_error ("Could not unlock the private keyring: %s", error->message);

  if (!wait_for_secret_service (bus, 30))
    g_error ("gnome-keyring-daemon started but did not take %s on the session bus", SECRETS_NAME);

  g_test_message ("Started a private gnome-keyring-daemon in %s", keyring_root);
}

static void
ensure_secret_service (void)
{
  g_autoptr (GDBusConnection) bus = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError) error = NULL;
  gboolean has_owner = FALSE;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (bus == NULL)
    g_error ("No session bus for the Secret Service: %s", error->message);

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", SECRETS_NAME), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(b)", &has_owner);

  if (has_owner)
    g_test_message ("Using the Secret Service already on the session bus");
  else
    start_keyring (bus);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
stop_keyring (void)
{
  if (keyring != NULL)
    {
      g_subprocess_send_signal (keyring, SIGTERM);
      g_subprocess_wait (keyring, NULL, NULL);
      g_clear_object (&keyring);
    }

  if (keyring_root != NULL)
    {
      remove_tree (keyring_root);
      g_clear_pointer (&keyring_root, g_free);
    }
}

/* Helpers over the async API */

static char *
lookup (MwAccountStore *store,
        MwAccount      *account,
        MwProtocol      protocol)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GAsyncResult *pending = NULL;
  char         *password;

  mw_account_store_lookup_password_async (store, account, protocol, NULL, mw_test_result_cb, &pending);
  result = mw_test_wait (&pending);
  password = mw_account_store_lookup_password_finish (store, result, &error);
  g_assert_no_error (error);
  return password;
}

static void
store_password (MwAccountStore *store,
                MwAccount      *account,
                MwProtocol      protocol,
                const char     *password)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GAsyncResult *pending = NULL;

  mw_account_store_store_password_async (store, account, protocol, password, NULL, mw_test_result_cb, &pending);
  result = mw_test_wait (&pending);
  g_assert_true (mw_account_store_store_password_finish (store, result, &error));
  g_assert_no_error (error);
}

static void
clear_password (MwAccountStore *store,
                MwAccount      *account,
                MwProtocol      protocol)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GAsyncResult *pending = NULL;

  mw_account_store_clear_password_async (store, account, protocol, NULL, mw_test_result_cb, &pending);
  result = mw_test_wait (&pending);
  g_assert_true (mw_account_store_clear_password_finish (store, result, &error));
  g_assert_no_error (error);
}

static MwAccount *
account_new (const char *id)
{
  MwAccount *account = mw_account_new (id);

  mw_account_set_pop3_host (account, "pop.example.org");
  mw_account_set_pop3_user (account, "ann");
  mw_account_set_smtp_host (account, "smtp.example.org");
  mw_account_set_smtp_user (account, "ann@example.org");
  return account;
}

#define ASSERT_PASSWORD(store, account, protocol, expected) \
  G_STMT_START                                              \
  {                                                         \
    char *_pw = lookup (store, account, protocol);          \
    g_assert_cmpstr (_pw, ==, expected);                    \
    mw_password_free (_pw);                                 \
  }                                                         \
  G_STMT_END

static void
test_round_trip (void)
{
  MwAccountStore *store = mw_account_store_new (NULL);
  g_autoptr (MwAccount) account = account_new ("round-trip");

  ASSERT_PASSWORD (store, account, MW_PROTOCOL_POP3, NULL);
  store_password (store, account, MW_PROTOCOL_POP3, PASSWORD);
  ASSERT_PASSWORD (store, account, MW_PROTOCOL_POP3, PASSWORD);
  ASSERT_PASSWORD (store, account, MW_PROTOCOL_SMTP, NULL);

  store_password (store, account, MW_PROTOCOL_POP3, "replaced");
  ASSERT_PASSWORD (store, account, MW_PROTOCOL_POP3, "replaced");

  clear_password (store, account, MW_PROTOCOL_POP3);
  mw_test_finalize_object (store);
}

static void
test_not_in_key_file (void)
{
  MwAccountStore *store = mw_account_store_new (NULL);
  g_autoptr (MwAccount) account = account_new ("key-file");
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  GAsyncResult    *pending = NULL;

  g_assert_true (mw_account_store_add (store, account, &error));
  store_password (store, account, MW_PROTOCOL_POP3, PASSWORD);
  store_password (store, account, MW_PROTOCOL_SMTP, PASSWORD "-smtp");

  mw_account_store_save_async (store, NULL, mw_test_result_cb, &pending);
  result = mw_test_wait (&pending);
  g_assert_true (mw_account_store_save_finish (store, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  g_assert_true (g_file_get_contents (mw_account_store_get_path (store), &contents, NULL, &error));
  g_assert_nonnull (strstr (contents, "pop.example.org"));
  g_assert_null (strstr (contents, "s3cret"));
  g_assert_null (strstr (contents, "password"));

  clear_password (store, account, MW_PROTOCOL_POP3);
  clear_password (store, account, MW_PROTOCOL_SMTP);
  mw_test_finalize_object (store);
}

static void
test_bound_to_server (void)
{
  MwAccountStore *store = mw_account_store_new (NULL);
  g_autoptr (MwAccount) account = account_new ("bound");
  g_autoptr (MwAccount) other = account_new ("bound-other");

  store_password (store, account, MW_PROTOCOL_POP3, PASSWORD);

  /* Never offered to another server, another user or another account. */
  mw_account_set_pop3_host (account, "evil.example.net");
  ASSERT_PASSWORD (store, account, MW_PROTOCOL_POP3, NULL);
  mw_account_set_pop3_host (account, "pop.example.org");
  mw_account_set_pop3_user (account, "bob");
  ASSERT_PASSWORD (store, account, MW_PROTOCOL_POP3, NULL);
  mw_account_set_pop3_user (account, "ann");
  ASSERT_PASSWORD (store, account, MW_PROTOCOL_POP3, PASSWORD);
  ASSERT_PASSWORD (store, other, MW_PROTOCOL_POP3, NULL);

  clear_password (store, account, MW_PROTOCOL_POP3);
  mw_test_finalize_object (store);
}

static void
test_clear (void)
{
  MwAccountStore *store = mw_account_store_new (NULL);
  g_autoptr (MwAccount) account = account_new ("clear");

  store_password (store, account, MW_PROTOCOL_POP3, PASSWORD);
  store_password (store, account, MW_PROTOCOL_SMTP, "smtp-one");

  /* Clearing also finds a password stored under an older server name. */
  mw_account_set_pop3_host (account, "pop2.example.org");
  clear_password (store, account, MW_PROTOCOL_POP3);
  mw_account_set_pop3_host (account, "pop.example.org");
  ASSERT_PASSWORD (store, account, MW_PROTOCOL_POP3, NULL);
  ASSERT_PASSWORD (store, account, MW_PROTOCOL_SMTP, "smtp-one");

  /* Clearing nothing is not an error. */
  clear_password (store, account, MW_PROTOCOL_POP3);
  clear_password (store, account, MW_PROTOCOL_SMTP);
  ASSERT_PASSWORD (store, account, MW_PROTOCOL_SMTP, NULL);
  mw_test_finalize_object (store);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
      g_auto (GStrv) args = NULL;

      if (g_getenv (REEXEC_MARKER) != NULL)
        {
          printf ("Bail out! No session bus, even under dbus-run-session\n");
          return 1;
        }

      g_setenv (REEXEC_MARKER, "1", TRUE);
      g_strv_builder_add_many (builder, "dbus-run-session", "--", NULL);
      for (int i = 0; i < argc; i++)
        g_strv_builder_add (builder, argv[i]);
      args = g_strv_builder_end (builder);
      fflush (stdout);
      execvp (args[0], args);
      printf ("Bail out! Could not run dbus-run-session: %s\n", g_strerror (errno));
      return 1;
    }

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ensure_secret_service ();

  g_test_add_func ("/store/secrets/round-trip", test_round_trip);
  g_test_add_func ("/store/secrets/not-in-key-file", test_not_in_key_file);
  g_test_add_func ("/store/secrets/bound-to-server", test_bound_to_server);
  g_test_add_func ("/store/secrets/clear", test_clear);

  ret = g_test_run ();
  stop_keyring ();
  return ret;
}
