/* mw-compose-window.h: writing and sending a message
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "mw-account-store.h"
#include "mw-message-builder.h"
#include "mw-outbox.h"
#include "mw-send-queue.h"

G_BEGIN_DECLS

#define MW_TYPE_COMPOSE_WINDOW (mw_compose_window_get_type ())
G_DECLARE_FINAL_TYPE (MwComposeWindow, mw_compose_window, MW, COMPOSE_WINDOW, AdwWindow)

/* Send stores the message in @outbox, then sends it from there: the
 * outbox's client function reaches the server. */
MwComposeWindow *mw_compose_window_new (GtkWindow  *parent,
                                        const char *from_address,
                                        MwOutbox   *outbox);
/* Follows the queue's progress and SIZE limit for the outbox's account. */
void mw_compose_window_set_send_queue (MwComposeWindow *self,
                                       MwSendQueue     *queue);
/* The largest message the server takes (its SIZE), or 0: a banner warns
 * while the message is larger. */
/* The stored account the message goes out from: a certificate the user
 * trusts while sending is pinned on it. */
void mw_compose_window_set_account (MwComposeWindow *self,
                                    MwAccountStore  *accounts,
                                    MwAccount       *account);

void     mw_compose_window_set_size_limit (MwComposeWindow *self,
                                           guint64          size);
gboolean mw_compose_window_get_size_warning (MwComposeWindow *self);

/* Reads @file and adds it as an attachment (as a drop or the file chooser
 * does). */
void  mw_compose_window_add_attachment (MwComposeWindow *self,
                                        GFile           *file);
guint mw_compose_window_get_n_attachments (MwComposeWindow *self);

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
void mw_compose_window_set_draft (MwComposeWindow  *self,
                                  MwMessageBuilder *draft);
/* When the server refuses some recipients, send to nobody (TRUE) or to
 * the others (FALSE, the default). The "compose.all-or-nothing" action. */
gboolean mw_compose_window_get_all_or_nothing (MwComposeWindow *self);
void     mw_compose_window_set_all_or_nothing (MwComposeWindow *self,
                                               gboolean         all_or_nothing);

const char *mw_compose_window_get_to (MwComposeWindow *self);
const char *mw_compose_window_get_cc (MwComposeWindow *self);
const char *mw_compose_window_get_subject (MwComposeWindow *self);
char       *mw_compose_window_dup_body (MwComposeWindow *self);

G_END_DECLS
