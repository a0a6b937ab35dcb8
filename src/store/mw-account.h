/* mw-account.h: the settings of one mail account
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mw-connection.h"
#include "mw-fetch-plan.h"

G_BEGIN_DECLS

typedef enum
{
  MW_PROTOCOL_POP3,
  MW_PROTOCOL_SMTP,
} MwProtocol;

#define MW_TYPE_ACCOUNT (mw_account_get_type ())
G_DECLARE_FINAL_TYPE (MwAccount, mw_account, MW, ACCOUNT, GObject)

/* @id: letters, digits, "-", "_", "."; NULL makes a random one. */
MwAccount *mw_account_new (const char *id);

const char *mw_account_get_id (MwAccount *self);
const char *mw_account_get_display_name (MwAccount *self);
void        mw_account_set_display_name (MwAccount  *self,
                                         const char *display_name);
const char *mw_account_get_address (MwAccount *self);
void        mw_account_set_address (MwAccount  *self,
                                    const char *address);

const char *mw_account_get_pop3_host (MwAccount *self);
void        mw_account_set_pop3_host (MwAccount  *self,
                                      const char *host);
guint       mw_account_get_pop3_port (MwAccount *self);
void        mw_account_set_pop3_port (MwAccount *self,
                                      guint      port);
MwSecurity  mw_account_get_pop3_security (MwAccount *self);
void        mw_account_set_pop3_security (MwAccount *self,
                                          MwSecurity security);
const char *mw_account_get_pop3_user (MwAccount *self);
void        mw_account_set_pop3_user (MwAccount  *self,
                                      const char *user);
/* "auto" or a SASL mechanism name, "USER" or "APOP". */
const char *mw_account_get_pop3_auth_mech (MwAccount *self);
void        mw_account_set_pop3_auth_mech (MwAccount  *self,
                                           const char *mech);
const char *mw_account_get_pop3_fingerprint (MwAccount *self);
void        mw_account_set_pop3_fingerprint (MwAccount  *self,
                                             const char *fingerprint);
/* Allows sending a password over an unencrypted connection. */
gboolean mw_account_get_allow_plaintext (MwAccount *self);
void     mw_account_set_allow_plaintext (MwAccount *self,
                                         gboolean   allow);

const char *mw_account_get_smtp_host (MwAccount *self);
void        mw_account_set_smtp_host (MwAccount  *self,
                                      const char *host);
guint       mw_account_get_smtp_port (MwAccount *self);
void        mw_account_set_smtp_port (MwAccount *self,
                                      guint      port);
MwSecurity  mw_account_get_smtp_security (MwAccount *self);
void        mw_account_set_smtp_security (MwAccount *self,
                                          MwSecurity security);
const char *mw_account_get_smtp_user (MwAccount *self);
void        mw_account_set_smtp_user (MwAccount  *self,
                                      const char *user);
const char *mw_account_get_smtp_auth_mech (MwAccount *self);
void        mw_account_set_smtp_auth_mech (MwAccount  *self,
                                           const char *mech);
const char *mw_account_get_smtp_fingerprint (MwAccount *self);
void        mw_account_set_smtp_fingerprint (MwAccount  *self,
                                             const char *fingerprint);

MwLeavePolicy mw_account_get_leave_policy (MwAccount *self);
void          mw_account_set_leave_policy (MwAccount    *self,
                                           MwLeavePolicy policy);
guint         mw_account_get_leave_days (MwAccount *self);
void          mw_account_set_leave_days (MwAccount *self,
                                         guint      days);
guint64       mw_account_get_max_size (MwAccount *self);
void          mw_account_set_max_size (MwAccount *self,
                                       guint64    max_size);
/* Minutes between automatic checks; 0: only on request. */
guint mw_account_get_check_interval (MwAccount *self);
void  mw_account_set_check_interval (MwAccount *self,
                                     guint      minutes);

/* The policy part as the fetch plan takes it. */
void mw_account_get_fetch_policy (MwAccount     *self,
                                  MwFetchPolicy *policy);

G_END_DECLS
