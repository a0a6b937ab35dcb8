/* mw-account-guess.h: filling in server, port and security as the user types
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define MW_TYPE_ACCOUNT_GUESS (mw_account_guess_get_type ())
G_DECLARE_FINAL_TYPE (MwAccountGuess, mw_account_guess, MW, ACCOUNT_GUESS, GObject)

/* Watches the rows of the accounts dialog: an address fills in the POP3
 * and SMTP servers of its domain, a server fills in its port and
 * security, from DNS SRV records or the well-known names (see
 * mw_server_guess_async()). A field the user changed is never
 * overwritten. The security rows list MwSecurity in order. */
MwAccountGuess *mw_account_guess_new (AdwEntryRow *address_row,
                                      AdwEntryRow *pop3_host_row,
                                      AdwEntryRow *pop3_port_row,
                                      AdwComboRow *pop3_security_row,
                                      AdwEntryRow *smtp_host_row,
                                      AdwEntryRow *smtp_port_row,
                                      AdwComboRow *smtp_security_row);

/* Takes the servers filled in so far (an account being edited) as the
 * user's own. */
void mw_account_guess_keep_filled (MwAccountGuess *self);

/* Stops watching and cancels what is under way. */
void mw_account_guess_stop (MwAccountGuess *self);

G_END_DECLS
