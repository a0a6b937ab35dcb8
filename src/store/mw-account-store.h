/* mw-account-store.h: the accounts, their settings file and their passwords
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mw-account.h"

G_BEGIN_DECLS

#define MW_PASSWORD_SCHEMA_NAME "io.github.mailwire.Mailwire.Password"

#define MW_TYPE_ACCOUNT_STORE (mw_account_store_get_type ())
G_DECLARE_FINAL_TYPE (MwAccountStore, mw_account_store, MW, ACCOUNT_STORE, GObject)

/* A GListModel of MwAccount, kept in a key file (@path, or
 * g_get_user_config_dir()/mailwire/accounts.ini when NULL). Passwords live
 * in the Secret Service only, never in the key file. */
MwAccountStore *mw_account_store_new (const char *path);
const char     *mw_account_store_get_path (MwAccountStore *self);

/* A missing file is no accounts. Replaces the list with one items-changed. */
void     mw_account_store_load_async (MwAccountStore     *self,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
gboolean mw_account_store_load_finish (MwAccountStore *self,
                                       GAsyncResult   *result,
                                       GError        **error);

/* Replaces the file atomically and durably, mode 0600. */
void     mw_account_store_save_async (MwAccountStore     *self,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
gboolean mw_account_store_save_finish (MwAccountStore *self,
                                       GAsyncResult   *result,
                                       GError        **error);

gboolean mw_account_store_add (MwAccountStore *self,
                               MwAccount      *account,
                               GError        **error);
gboolean mw_account_store_remove (MwAccountStore *self,
                                  const char     *id);
/* Returns (transfer none) (nullable). */
MwAccount *mw_account_store_lookup (MwAccountStore *self,
                                    const char     *id);

/* Passwords are keyed by account id, protocol, user and server, so a
 * password is never offered to a server it was not given for. */
void mw_account_store_lookup_password_async (MwAccountStore     *self,
                                             MwAccount          *account,
                                             MwProtocol          protocol,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);
/* Returns (transfer full) (nullable): NULL without error when none is
 * stored. Free with mw_password_free(). */
char *mw_account_store_lookup_password_finish (MwAccountStore *self,
                                               GAsyncResult   *result,
                                               GError        **error);

void     mw_account_store_store_password_async (MwAccountStore     *self,
                                                MwAccount          *account,
                                                MwProtocol          protocol,
                                                const char         *password,
                                                GCancellable       *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data);
gboolean mw_account_store_store_password_finish (MwAccountStore *self,
                                                 GAsyncResult   *result,
                                                 GError        **error);

/* Removes every password of @account for @protocol. */
void     mw_account_store_clear_password_async (MwAccountStore     *self,
                                                MwAccount          *account,
                                                MwProtocol          protocol,
                                                GCancellable       *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data);
gboolean mw_account_store_clear_password_finish (MwAccountStore *self,
                                                 GAsyncResult   *result,
                                                 GError        **error);

/* Overwrites, then frees a password. */
void mw_password_free (char *password);

G_END_DECLS
