/* mw-outbox-item.h: one message waiting in the outbox
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * MwOutboxState:
 * @MW_OUTBOX_STATE_QUEUED: stored in the Outbox, waiting for a flush
 * @MW_OUTBOX_STATE_SENDING: being sent now
 * @MW_OUTBOX_STATE_SENT: the server answered 250; the message is in Sent
 * @MW_OUTBOX_STATE_RETRY_WAIT: a temporary failure (4xx, 421, the
 *   connection lost before the end of the message); tried again at
 *   the next attempt time
 * @MW_OUTBOX_STATE_FAILED: refused for good (5xx); the reply holds the
 *   server's words. Sent again only by mw_outbox_resend_async()
 * @MW_OUTBOX_STATE_UNCERTAIN: the connection ended after the whole message
 *   was sent and before the server's answer, or Mailwire stopped while
 *   sending it; never sent again automatically
 * @MW_OUTBOX_STATE_PARTIAL: sent (and in Sent), but some recipients were
 *   refused; see the recipient results
 */
typedef enum
{
  MW_OUTBOX_STATE_QUEUED,
  MW_OUTBOX_STATE_SENDING,
  MW_OUTBOX_STATE_SENT,
  MW_OUTBOX_STATE_RETRY_WAIT,
  MW_OUTBOX_STATE_FAILED,
  MW_OUTBOX_STATE_UNCERTAIN,
  MW_OUTBOX_STATE_PARTIAL,
} MwOutboxState;

#define MW_TYPE_OUTBOX_ITEM (mw_outbox_item_get_type ())
G_DECLARE_FINAL_TYPE (MwOutboxItem, mw_outbox_item, MW, OUTBOX_ITEM, GObject)

/* The item id: the unique part of the message's file name. */
const char *mw_outbox_item_get_id (MwOutboxItem *self);
const char *mw_outbox_item_get_from (MwOutboxItem *self);
/* Every envelope recipient (To, Cc and Bcc). */
const char *const *mw_outbox_item_get_recipients (MwOutboxItem *self);
MwOutboxState      mw_outbox_item_get_state (MwOutboxItem *self);
/* Attempts made so far that failed temporarily. */
guint mw_outbox_item_get_attempts (MwOutboxItem *self);
/* When the next automatic attempt is due (microseconds since the epoch,
 * on the outbox's clock), or 0. */
gint64 mw_outbox_item_get_next_attempt (MwOutboxItem *self);
/* (nullable): the server's reply or the error of the last attempt, for
 * the user. */
const char *mw_outbox_item_get_reply (MwOutboxItem *self);
/* (nullable): the reply code of the last attempt, or 0. */
int mw_outbox_item_get_reply_code (MwOutboxItem *self);
/* Something happened that the user must be told about: a message found
 * sent but still in the Outbox after a crash, or one whose sending was
 * interrupted. */
gboolean mw_outbox_item_get_needs_attention (MwOutboxItem *self);
/* (transfer none) (element-type MwSmtpRecipient) (nullable): what the
 * server said to each recipient in the last attempt. */
GPtrArray *mw_outbox_item_get_recipient_results (MwOutboxItem *self);

G_END_DECLS
