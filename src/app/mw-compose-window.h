/* mw-compose-window.h: writing and sending a message
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "mw-account-store.h"
#include "mw-message-builder.h"
#include "mw-smtp-client.h"

G_BEGIN_DECLS

#define MW_TYPE_COMPOSE_WINDOW (mw_compose_window_get_type ())
G_DECLARE_FINAL_TYPE (MwComposeWindow, mw_compose_window, MW, COMPOSE_WINDOW, AdwWindow)

/* @client is set up but not connected; the window connects it to send. */
MwComposeWindow *mw_compose_window_new (GtkWindow    *parent,
                                        const char   *from_address,
                                        MwSmtpClient *client);

/* Lets the user trust @host's certificate for @account (pinned on its
 * SMTP side, saved in @store) when sending finds it untrusted. */
void mw_compose_window_set_account (MwComposeWindow *self,
                                    MwAccountStore  *store,
                                    MwAccount       *account,
                                    const char      *host);

void mw_compose_window_set_to (MwComposeWindow *self,
                               const char      *to);
void mw_compose_window_set_cc (MwComposeWindow *self,
                               const char      *cc);
void mw_compose_window_set_bcc (MwComposeWindow *self,
                                const char      *bcc);
void mw_compose_window_set_subject (MwComposeWindow *self,
                                    const char      *subject);
void mw_compose_window_set_body (MwComposeWindow *self,
                                 const char      *body);

/* Starts from @draft, a reply or forward from mw_message_builder_new_reply()
 * or _new_forward(): its recipients, subject and quote fill the fields,
 * and sending keeps its threading headers and forwarded original. */
void        mw_compose_window_set_draft (MwComposeWindow  *self,
                                         MwMessageBuilder *draft);
const char *mw_compose_window_get_to (MwComposeWindow *self);
const char *mw_compose_window_get_cc (MwComposeWindow *self);
const char *mw_compose_window_get_subject (MwComposeWindow *self);
char       *mw_compose_window_dup_body (MwComposeWindow *self);

G_END_DECLS
