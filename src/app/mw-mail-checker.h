/* mw-mail-checker.h: background checks for new mail, with notifications
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mw-account-store.h"

G_BEGIN_DECLS

/*
 * MwMailChecker: looks at each account's server every check interval of
 * the account (0: never), with the headers of the messages there (STAT,
 * LIST, UIDL, TOP), and tells the user about messages it has not counted
 * before — neither announced by an earlier check (kept on disk, so a
 * restart does not announce them again) nor downloaded — with one
 * GNotification per account whose default action is
 * "app.show-account" with the account id.
 */
#define MW_TYPE_MAIL_CHECKER (mw_mail_checker_get_type ())
G_DECLARE_FINAL_TYPE (MwMailChecker, mw_mail_checker, MW, MAIL_CHECKER, GObject)

/* @application (borrowed) sends the notifications. */
MwMailChecker *mw_mail_checker_new (GApplication *application);

/* Follows the accounts of @accounts and their check intervals. */
void mw_mail_checker_set_accounts (MwMailChecker  *self,
                                   MwAccountStore *accounts);

/* Checks the account now. Returns through @callback the number of new
 * messages announced. */
void  mw_mail_checker_check_async (MwMailChecker      *self,
                                   const char         *account_id,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data);
guint mw_mail_checker_check_finish (MwMailChecker *self,
                                    GAsyncResult  *result,
                                    GError       **error);

/* What the notification says: "3 new messages from Alice, Bob and 1
 * other". @senders are the distinct senders, in order. */
char *mw_mail_checker_describe (guint              n_new,
                                const char *const *senders);

G_END_DECLS
