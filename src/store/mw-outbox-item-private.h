/* mw-outbox-item-private.h: what the outbox changes on its items
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mw-outbox-item.h"

G_BEGIN_DECLS

struct _MwOutboxItem
{
  GObject parent_instance;

  char         *id;
  char         *file_name; /* in the Outbox's new/ (and later Sent's) */
  char         *from;
  char        **recipients;
  MwOutboxState state;
  guint         attempts;
  gint64        next_attempt;
  char         *reply;
  int           reply_code;
  gboolean      needs_attention;
  GPtrArray    *results;    /* MwSmtpRecipient, or NULL */
  guint         send_flags; /* MW_SMTP_SEND_8BITMIME, MW_SMTP_SEND_SMTPUTF8 */
};

MwOutboxItem *mw_outbox_item_new (const char        *id,
                                  const char        *file_name,
                                  const char        *from,
                                  const char *const *recipients);
void          mw_outbox_item_set_state (MwOutboxItem *self,
                                        MwOutboxState state);
void          mw_outbox_item_set_attempts (MwOutboxItem *self,
                                           guint         attempts,
                                           gint64        next_attempt);
void          mw_outbox_item_set_reply (MwOutboxItem *self,
                                        int           code,
                                        const char   *reply);
void          mw_outbox_item_set_needs_attention (MwOutboxItem *self,
                                                  gboolean      needs_attention);
/* Takes @results (element-type MwSmtpRecipient). */
void mw_outbox_item_take_recipient_results (MwOutboxItem *self,
                                            GPtrArray    *results);

G_END_DECLS
