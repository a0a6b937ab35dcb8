/* mw-application.h: the Mailwire application
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "mw-account-store.h"
#include "mw-mail-checker.h"
#include "mw-send-queue.h"

G_BEGIN_DECLS

#define MW_TYPE_APPLICATION (mw_application_get_type ())
G_DECLARE_FINAL_TYPE (MwApplication, mw_application, MW, APPLICATION, AdwApplication)

MwApplication *mw_application_new (void);

/* Registers the app's GResource once; widgets call it from class_init. */
void mw_application_ensure_resources (void);

/* The About window, not yet shown, with the translators of the user's
 * language. */
GtkWindow *mw_application_new_about_window (MwApplication *self);

/* Opens @uri for the user, from @parent (may be NULL). */
typedef void (*MwUriLauncher) (GtkWindow  *parent,
                               const char *uri,
                               gpointer    user_data);

/* Replaces how links such as "help:mailwire" are opened; NULL restores
 * gtk_show_uri(). */
void mw_application_set_uri_launcher (MwApplication *self,
                                      MwUriLauncher  launcher,
                                      gpointer       user_data);

/* Whether the app runs against the built-in demo server (--demo). */
gboolean mw_application_get_demo (MwApplication *self);
void     mw_application_set_demo (MwApplication *self,
                                  gboolean       demo);

/* (transfer none): every account's outbox. */
MwSendQueue *mw_application_get_send_queue (MwApplication *self);
/* (transfer none): the background checks for new mail. */
MwMailChecker *mw_application_get_mail_checker (MwApplication *self);
/* The stored accounts were read: outboxes and checks follow them. */
void mw_application_set_accounts (MwApplication  *self,
                                  MwAccountStore *accounts);

G_END_DECLS
