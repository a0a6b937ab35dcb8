/* mw-account-private.h: key file form of an account
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mw-account.h"

G_BEGIN_DECLS

/* Writes every setting but the id as keys of @group. */
void       mw_account_save_to_key_file (MwAccount  *self,
                                        GKeyFile   *key_file,
                                        const char *group);
MwAccount *mw_account_new_from_key_file (const char *id,
                                         GKeyFile   *key_file,
                                         const char *group,
                                         GError    **error);

G_END_DECLS
