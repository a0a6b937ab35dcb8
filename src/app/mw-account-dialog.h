/* mw-account-dialog.h: adding and editing an account
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "mw-account-store.h"
#include "mw-transcript.h"

G_BEGIN_DECLS

#define MW_TYPE_ACCOUNT_DIALOG (mw_account_dialog_get_type ())
G_DECLARE_FINAL_TYPE (MwAccountDialog, mw_account_dialog, MW, ACCOUNT_DIALOG, AdwWindow)

/* Edits @account (NULL: a new one) of @store; Test Connection writes its
 * exchange into @transcript. ::saved is emitted once the account and its
 * passwords are stored. */
MwAccountDialog *mw_account_dialog_new (GtkWindow      *parent,
                                        MwAccountStore *store,
                                        MwAccount      *account,
                                        MwTranscript   *transcript);

G_END_DECLS
