/* test-account.c
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-account-store.h"
#include "mw-store-error.h"

#include "mw-store-test-util.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

static void
test_defaults_and_notify (void)
{
  g_autoptr (MwAccount) account = mw_account_new ("a1");
  g_autoptr (MwAccount) random = mw_account_new (NULL);
  MwFetchPolicy policy;
  guint         notifies = 0;

  g_assert_cmpstr (mw_account_get_id (account), ==, "a1");
  g_assert_nonnull (mw_account_get_id (random));
  g_assert_cmpuint (mw_account_get_pop3_port (account), ==, 995);
  g_assert_cmpint (mw_account_get_pop3_security (account), ==, MW_SECURITY_TLS);
  g_assert_cmpuint (mw_account_get_smtp_port (account), ==, 465);
  g_assert_cmpstr (mw_account_get_pop3_auth_mech (account), ==, "auto");
  g_assert_false (mw_account_get_allow_plaintext (account));
  g_assert_cmpint (mw_account_get_leave_policy (account), ==, MW_LEAVE_POLICY_KEEP);
  g_assert_cmpuint (mw_account_get_leave_days (account), ==, 14);
  g_assert_null (mw_account_get_pop3_host (account));

  g_signal_connect (account, "notify", G_CALLBACK (notify_cb), &notifies);
  mw_account_set_pop3_host (account, "pop.example.org");
  mw_account_set_pop3_host (account, "pop.example.org");
  g_assert_cmpuint (notifies, ==, 1);
  mw_account_set_pop3_port (account, 995);
  g_assert_cmpuint (notifies, ==, 1);
  mw_account_set_pop3_port (account, 110);
  mw_account_set_leave_policy (account, MW_LEAVE_POLICY_DELETE_AFTER_DAYS);
  mw_account_set_leave_days (account, 30);
  mw_account_set_max_size (account, 1 << 20);
  g_assert_cmpuint (notifies, ==, 5);

  mw_account_get_fetch_policy (account, &policy);
  g_assert_cmpint (policy.leave, ==, MW_LEAVE_POLICY_DELETE_AFTER_DAYS);
  g_assert_cmpuint (policy.days, ==, 30);
  g_assert_cmpuint (policy.max_size, ==, 1 << 20);
}

static MwAccount *
full_account (const char *id)
{
  MwAccount *account = mw_account_new (id);

  mw_account_set_display_name (account, "Ann Example — Work");
  mw_account_set_address (account, "ann@example.org");
  mw_account_set_pop3_host (account, "pop.example.org");
  mw_account_set_pop3_port (account, 110);
  mw_account_set_pop3_security (account, MW_SECURITY_STARTTLS);
  mw_account_set_pop3_user (account, "ann");
  mw_account_set_pop3_auth_mech (account, "SCRAM-SHA-256");
  mw_account_set_pop3_fingerprint (account, "AB:CD:EF");
  mw_account_set_allow_plaintext (account, TRUE);
  mw_account_set_smtp_host (account, "smtp.example.org");
  mw_account_set_smtp_port (account, 587);
  mw_account_set_smtp_security (account, MW_SECURITY_NONE);
  mw_account_set_smtp_user (account, "ann@example.org");
  mw_account_set_smtp_auth_mech (account, "PLAIN");
  mw_account_set_smtp_fingerprint (account, "12:34");
  mw_account_set_leave_policy (account, MW_LEAVE_POLICY_DELETE_AFTER_DOWNLOAD);
  mw_account_set_leave_days (account, 3);
  mw_account_set_max_size (account, G_GUINT64_CONSTANT (5000000000));
  mw_account_set_check_interval (account, 0);
  return account;
}

static void
store_save (MwAccountStore *store)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GAsyncResult *pending = NULL;

  mw_account_store_save_async (store, NULL, mw_test_result_cb, &pending);
  result = mw_test_wait (&pending);
  g_assert_true (mw_account_store_save_finish (store, result, &error));
  g_assert_no_error (error);
}

static gboolean
store_load (MwAccountStore *store,
            GError        **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  GAsyncResult *pending = NULL;

  mw_account_store_load_async (store, NULL, mw_test_result_cb, &pending);
  result = mw_test_wait (&pending);
  return mw_account_store_load_finish (store, result, error);
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *signals)
{
  (*signals)++;
}

static void
test_round_trip (void)
{
  MwAccountStore *store = mw_account_store_new (NULL);
  g_autoptr (MwAccount) account = full_account ("work");
  g_autoptr (MwAccount) other = mw_account_new ("home");
  g_autoptr (MwAccount) copy = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *expected_path = g_build_filename (g_get_user_config_dir (), "mailwire", "accounts.ini", NULL);
  g_autofree char *dir = g_path_get_dirname (expected_path);
  MwAccountStore  *reloaded;
  MwAccount       *loaded;
  GParamSpec     **pspecs;
  guint            n_pspecs, signals = 0;
  struct stat      st;

  g_assert_cmpstr (mw_account_store_get_path (store), ==, expected_path);
  g_assert_true (mw_account_store_add (store, account, &error));
  g_assert_true (mw_account_store_add (store, other, &error));
  g_assert_no_error (error);
  store_save (store);

  g_assert_cmpint (g_stat (expected_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpuint (mw_test_count_files (dir), ==, 1); /* no temporary left */

  reloaded = mw_account_store_new (NULL);
  g_signal_connect (reloaded, "items-changed", G_CALLBACK (items_changed_cb), &signals);
  g_assert_true (store_load (reloaded, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (signals, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, 2);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (reloaded)) == MW_TYPE_ACCOUNT);

  loaded = mw_account_store_lookup (reloaded, "work");
  g_assert_nonnull (loaded);
  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (account), &n_pspecs);
  for (guint i = 0; i < n_pspecs; i++)
    {
      g_auto (GValue) a = G_VALUE_INIT;
      g_auto (GValue) b = G_VALUE_INIT;

      g_value_init (&a, pspecs[i]->value_type);
      g_value_init (&b, pspecs[i]->value_type);
      g_object_get_property (G_OBJECT (account), pspecs[i]->name, &a);
      g_object_get_property (G_OBJECT (loaded), pspecs[i]->name, &b);
      g_assert_cmpint (g_param_values_cmp (pspecs[i], &a, &b), ==, 0);
    }
  g_free (pspecs);

  g_assert_cmpuint (mw_account_get_smtp_port (mw_account_store_lookup (reloaded, "home")), ==, 465);

  g_assert_true (mw_account_store_remove (reloaded, "home"));
  g_assert_false (mw_account_store_remove (reloaded, "home"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, 1);

  copy = mw_account_new ("work");
  g_assert_false (mw_account_store_add (reloaded, copy, &error));
  g_assert_error (error, MW_STORE_ERROR, MW_STORE_ERROR_DUPLICATE_ACCOUNT);

  mw_test_finalize_object (reloaded);
  mw_test_finalize_object (store);
}

static void
test_missing_file (void)
{
  MwAccountStore *store = mw_account_store_new (NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (store_load (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  mw_test_finalize_object (store);
}

static void
check_bad_file (const char *contents)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "accounts.ini", NULL);
  MwAccountStore  *store = mw_account_store_new (path);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_config_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  g_assert_false (store_load (store, &error));
  g_assert_error (error, MW_STORE_ERROR, MW_STORE_ERROR_CONFIG_CORRUPT);
  mw_test_finalize_object (store);
}

static void
test_bad_values (void)
{
  check_bad_file ("[Account a]\npop3-security=sometimes\n");
  check_bad_file ("[Account a]\npop3-port=0\n");
  check_bad_file ("[Account a]\npop3-port=70000\n");
  check_bad_file ("[Account a]\nmax-size=-1\n");
  check_bad_file ("[Account a]\nallow-plaintext=maybe\n");
  check_bad_file ("not a key file\n");
}

static void
test_unknown_keys (void)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "accounts.ini", NULL);
  MwAccountStore  *store = mw_account_store_new (path);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_config_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "[Other]\nx=1\n[Account a]\nfuture-key=1\npop3-host=h\n", -1, NULL));
  g_assert_true (store_load (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  g_assert_cmpstr (mw_account_get_pop3_host (mw_account_store_lookup (store, "a")), ==, "h");
  mw_test_finalize_object (store);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/account/defaults-and-notify", test_defaults_and_notify);
  g_test_add_func ("/store/account/round-trip", test_round_trip);
  g_test_add_func ("/store/account/missing-file", test_missing_file);
  g_test_add_func ("/store/account/bad-values", test_bad_values);
  g_test_add_func ("/store/account/unknown-keys", test_unknown_keys);

  return g_test_run ();
}
