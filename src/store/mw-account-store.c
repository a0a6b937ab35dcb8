/* mw-account-store.c: the accounts, their settings file and their passwords
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-account-store.h"

#include "mw-account-private.h"
#include "mw-store-error.h"
#include "mw-store-util-private.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>
#include <string.h>

#define GROUP_PREFIX "Account "

struct _MwAccountStore
{
  GObject parent_instance;

  char      *path;
  GPtrArray *accounts; /* MwAccount */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MwAccountStore, mw_account_store, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum
{
  PROP_0,
  PROP_PATH,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static const SecretSchema *
password_schema (void)
{
  static const SecretSchema schema = {
    MW_PASSWORD_SCHEMA_NAME,
    SECRET_SCHEMA_NONE,
    {
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "protocol", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

void
mw_password_free (char *password)
{
  if (password == NULL)
    return;

  explicit_bzero (password, strlen (password));
  g_free (password);
}

static GType
mw_account_store_get_item_type (GListModel *model)
{
  return MW_TYPE_ACCOUNT;
}

static guint
mw_account_store_get_n_items (GListModel *model)
{
  return MW_ACCOUNT_STORE (model)->accounts->len;
}

static gpointer
mw_account_store_get_item (GListModel *model,
                           guint       position)
{
  MwAccountStore *self = MW_ACCOUNT_STORE (model);

  if (position >= self->accounts->len)
    return NULL;
  return g_object_ref (self->accounts->pdata[position]);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = mw_account_store_get_item_type;
  iface->get_n_items = mw_account_store_get_n_items;
  iface->get_item = mw_account_store_get_item;
}

static void
mw_account_store_finalize (GObject *object)
{
  MwAccountStore *self = MW_ACCOUNT_STORE (object);

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->accounts, g_ptr_array_unref);

  G_OBJECT_CLASS (mw_account_store_parent_class)->finalize (object);
}

static void
mw_account_store_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  MwAccountStore *self = MW_ACCOUNT_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_account_store_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  MwAccountStore *self = MW_ACCOUNT_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      if (self->path == NULL)
        self->path = g_build_filename (g_get_user_config_dir (), "mailwire", "accounts.ini", NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_account_store_class_init (MwAccountStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mw_account_store_finalize;
  object_class->get_property = mw_account_store_get_property;
  object_class->set_property = mw_account_store_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mw_account_store_init (MwAccountStore *self)
{
  self->accounts = g_ptr_array_new_with_free_func (g_object_unref);
}

MwAccountStore *
mw_account_store_new (const char *path)
{
  return g_object_new (MW_TYPE_ACCOUNT_STORE, "path", path, NULL);
}

const char *
mw_account_store_get_path (MwAccountStore *self)
{
  g_return_val_if_fail (MW_IS_ACCOUNT_STORE (self), NULL);
  return self->path;
}

/* Load */

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char *path = task_data;
  g_autoptr (GKeyFile) key_file = g_key_file_new ();
  g_autoptr (GPtrArray) accounts = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto (GStrv) groups = NULL;
  GError *error = NULL;

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_KEEP_COMMENTS, &error))
    {
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_clear_error (&error);
          g_task_return_pointer (task, g_steal_pointer (&accounts), (GDestroyNotify) g_ptr_array_unref);
          return;
        }

      if (error->domain == G_KEY_FILE_ERROR)
        {
          GError *parse_error = error;

          error = g_error_new (MW_STORE_ERROR, MW_STORE_ERROR_CONFIG_CORRUPT,
                               _ ("The account settings in “%s” cannot be read: %s"),
                               path, parse_error->message);
          g_error_free (parse_error);
        }
      g_task_return_error (task, error);
      return;
    }

  groups = g_key_file_get_groups (key_file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      MwAccount *account;

      if (!g_str_has_prefix (groups[i], GROUP_PREFIX))
        continue;

      account = mw_account_new_from_key_file (groups[i] + strlen (GROUP_PREFIX), key_file, groups[i], &error);
      if (account == NULL)
        {
          g_prefix_error (&error, "%s: ", path);
          g_task_return_error (task, error);
          return;
        }
      g_ptr_array_add (accounts, account);
    }

  g_task_return_pointer (task, g_steal_pointer (&accounts), (GDestroyNotify) g_ptr_array_unref);
}

void
mw_account_store_load_async (MwAccountStore     *self,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (MW_IS_ACCOUNT_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_account_store_load_async);
  g_task_set_task_data (task, g_strdup (self->path), g_free);
  g_task_run_in_thread (task, load_thread);
}

gboolean
mw_account_store_load_finish (MwAccountStore *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  GPtrArray *accounts;
  guint      removed;

  g_return_val_if_fail (MW_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  accounts = g_task_propagate_pointer (G_TASK (result), error);
  if (accounts == NULL)
    return FALSE;

  removed = self->accounts->len;
  g_ptr_array_unref (self->accounts);
  self->accounts = accounts;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, accounts->len);
  return TRUE;
}

/* Save */

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  MwAccountStore  *self = source_object;
  GBytes          *data = task_data;
  g_autofree char *dir = g_path_get_dirname (self->path);
  GError          *error = NULL;
  gsize            length;
  const char      *bytes = g_bytes_get_data (data, &length);

  if (!mw_store_mkdir (dir, &error) ||
      !g_file_set_contents_full (self->path, bytes, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &error))
    {
      g_prefix_error (&error, _ ("Could not save the account settings: "));
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
mw_account_store_save_async (MwAccountStore     *self,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GKeyFile) key_file = g_key_file_new ();
  g_autofree char *data = NULL;
  gsize            length;

  g_return_if_fail (MW_IS_ACCOUNT_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  for (guint i = 0; i < self->accounts->len; i++)
    {
      MwAccount       *account = self->accounts->pdata[i];
      g_autofree char *group = g_strconcat (GROUP_PREFIX, mw_account_get_id (account), NULL);

      mw_account_save_to_key_file (account, key_file, group);
    }
  data = g_key_file_to_data (key_file, &length, NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_account_store_save_async);
  g_task_set_task_data (task, g_bytes_new_take (g_steal_pointer (&data), length),
                        (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, save_thread);
}

gboolean
mw_account_store_save_finish (MwAccountStore *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (MW_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The list */

gboolean
mw_account_store_add (MwAccountStore *self,
                      MwAccount      *account,
                      GError        **error)
{
  g_return_val_if_fail (MW_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (MW_IS_ACCOUNT (account), FALSE);

  if (mw_account_store_lookup (self, mw_account_get_id (account)) != NULL)
    {
      g_set_error (error, MW_STORE_ERROR, MW_STORE_ERROR_DUPLICATE_ACCOUNT,
                   _ ("An account “%s” exists already"), mw_account_get_id (account));
      return FALSE;
    }

  g_ptr_array_add (self->accounts, g_object_ref (account));
  g_list_model_items_changed (G_LIST_MODEL (self), self->accounts->len - 1, 0, 1);
  return TRUE;
}

gboolean
mw_account_store_remove (MwAccountStore *self,
                         const char     *id)
{
  g_return_val_if_fail (MW_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  for (guint i = 0; i < self->accounts->len; i++)
    {
      if (g_strcmp0 (mw_account_get_id (self->accounts->pdata[i]), id) == 0)
        {
          g_ptr_array_remove_index (self->accounts, i);
          g_list_model_items_changed (G_LIST_MODEL (self), i, 1, 0);
          return TRUE;
        }
    }

  return FALSE;
}

MwAccount *
mw_account_store_lookup (MwAccountStore *self,
                         const char     *id)
{
  g_return_val_if_fail (MW_IS_ACCOUNT_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < self->accounts->len; i++)
    if (g_strcmp0 (mw_account_get_id (self->accounts->pdata[i]), id) == 0)
      return self->accounts->pdata[i];

  return NULL;
}

/* Passwords */

static const char *
protocol_name (MwProtocol protocol)
{
  return protocol == MW_PROTOCOL_SMTP ? "smtp" : "pop3";
}

static GHashTable *
password_attributes (MwAccount *account,
                     MwProtocol protocol,
                     gboolean   with_server)
{
  GHashTable *attributes = g_hash_table_new (g_str_hash, g_str_equal);
  const char *user, *server;

  if (protocol == MW_PROTOCOL_SMTP)
    {
      user = mw_account_get_smtp_user (account);
      server = mw_account_get_smtp_host (account);
    }
  else
    {
      user = mw_account_get_pop3_user (account);
      server = mw_account_get_pop3_host (account);
    }

  g_hash_table_insert (attributes, "account", (gpointer) mw_account_get_id (account));
  g_hash_table_insert (attributes, "protocol", (gpointer) protocol_name (protocol));
  if (with_server)
    {
      g_hash_table_insert (attributes, "user", (gpointer) (user != NULL ? user : ""));
      g_hash_table_insert (attributes, "server", (gpointer) (server != NULL ? server : ""));
    }

  return attributes;
}

static GError *
secret_error (GError *error)
{
  GError *wrapped;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;

  wrapped = g_error_new (MW_STORE_ERROR, MW_STORE_ERROR_SECRET_SERVICE,
                         _ ("The password store (Secret Service) failed: %s"), error->message);
  g_error_free (error);
  return wrapped;
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  char   *secret;

  secret = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, secret_error (error));
      return;
    }

  if (secret == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  {
    /* Move it into memory mw_password_free() can release. */
    char *copy = g_strdup (secret);

    secret_password_free (secret);
    g_task_return_pointer (task, copy, (GDestroyNotify) mw_password_free);
  }
}

void
mw_account_store_lookup_password_async (MwAccountStore     *self,
                                        MwAccount          *account,
                                        MwProtocol          protocol,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GHashTable) attributes = NULL;

  g_return_if_fail (MW_IS_ACCOUNT_STORE (self));
  g_return_if_fail (MW_IS_ACCOUNT (account));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_account_store_lookup_password_async);

  attributes = password_attributes (account, protocol, TRUE);
  secret_password_lookupv (password_schema (), attributes, cancellable, lookup_cb, g_steal_pointer (&task));
}

char *
mw_account_store_lookup_password_finish (MwAccountStore *self,
                                         GAsyncResult   *result,
                                         GError        **error)
{
  g_return_val_if_fail (MW_IS_ACCOUNT_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, secret_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

void
mw_account_store_store_password_async (MwAccountStore     *self,
                                       MwAccount          *account,
                                       MwProtocol          protocol,
                                       const char         *password,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GHashTable) attributes = NULL;
  g_autofree char *label = NULL;
  const char      *user, *server;

  g_return_if_fail (MW_IS_ACCOUNT_STORE (self));
  g_return_if_fail (MW_IS_ACCOUNT (account));
  g_return_if_fail (password != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_account_store_store_password_async);

  attributes = password_attributes (account, protocol, TRUE);
  user = g_hash_table_lookup (attributes, "user");
  server = g_hash_table_lookup (attributes, "server");
  label = g_strdup_printf (_ ("Mailwire password for %s on %s (%s)"),
                           user, server, protocol == MW_PROTOCOL_SMTP ? "SMTP" : "POP3");
  secret_password_storev (password_schema (), attributes, SECRET_COLLECTION_DEFAULT, label,
                          password, cancellable, store_cb, g_steal_pointer (&task));
}

gboolean
mw_account_store_store_password_finish (MwAccountStore *self,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  g_return_val_if_fail (MW_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error: there was nothing to remove. */
  if (!secret_password_clear_finish (result, &error) && error != NULL)
    g_task_return_error (task, secret_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

void
mw_account_store_clear_password_async (MwAccountStore     *self,
                                       MwAccount          *account,
                                       MwProtocol          protocol,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GHashTable) attributes = NULL;

  g_return_if_fail (MW_IS_ACCOUNT_STORE (self));
  g_return_if_fail (MW_IS_ACCOUNT (account));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_account_store_clear_password_async);

  attributes = password_attributes (account, protocol, FALSE);
  secret_password_clearv (password_schema (), attributes, cancellable, clear_cb, g_steal_pointer (&task));
}

gboolean
mw_account_store_clear_password_finish (MwAccountStore *self,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  g_return_val_if_fail (MW_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
