/* mw-send-queue.h: every account's outbox, for the whole application
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mw-account-store.h"
#include "mw-connection.h"
#include "mw-outbox.h"
#include "mw-smtp-client.h"
#include "mw-transcript.h"

G_BEGIN_DECLS

/*
 * MwSendQueue: one MwOutbox per account, alive as long as the application.
 *
 * Each outbox is loaded when it is added, follows the network monitor (a
 * message that failed for now goes out when the network comes back) and
 * its own retry timer, and reaches its server with the settings given by
 * mw_send_queue_set_server(). The SIZE limit the server advertised in the
 * last session is kept per account so that the composer can warn before
 * sending.
 */
#define MW_TYPE_SEND_QUEUE (mw_send_queue_get_type ())
G_DECLARE_FINAL_TYPE (MwSendQueue, mw_send_queue, MW, SEND_QUEUE, GObject)

MwSendQueue *mw_send_queue_new (void);

/* The transcript each SMTP session writes to (the log pane's). */
void mw_send_queue_set_transcript (MwSendQueue  *self,
                                   MwTranscript *transcript);
/* NULL: stop following the network. By default the queue follows
 * g_network_monitor_get_default(). */
void mw_send_queue_set_network_monitor (MwSendQueue     *self,
                                        GNetworkMonitor *monitor);

/* Adds @outbox (not loaded yet) and loads it; what was queued before is
 * sent once the server is known. Replaces an outbox of the same account. */
void mw_send_queue_add (MwSendQueue *self,
                        MwOutbox    *outbox);
/* (transfer none) (nullable): the account's outbox. */
MwOutbox *mw_send_queue_lookup (MwSendQueue *self,
                                const char  *account_id);
/* The outgoing server of the account's outbox. */
void mw_send_queue_set_server (MwSendQueue *self,
                               const char  *account_id,
                               const char  *host,
                               guint16      port,
                               MwSecurity   security,
                               const char  *user,
                               const char  *password,
                               gboolean     allow_plaintext,
                               const char  *fingerprint);
/* Whether the account's outgoing server is known (its settings and
 * password were read). */
/* The SMTP certificate the user trusted for the account (a pin), at once,
 * without waiting for the account store. */
void     mw_send_queue_set_fingerprint (MwSendQueue *self,
                                        const char  *account_id,
                                        const char  *fingerprint);
gboolean mw_send_queue_has_server (MwSendQueue *self,
                                   const char  *account_id);

/* Adds an outbox for every account of @accounts (removing the others),
 * looks up their SMTP passwords and sets their servers. */
void mw_send_queue_set_accounts (MwSendQueue    *self,
                                 MwAccountStore *accounts);

/* The SIZE limit the account's server advertised last time, in bytes, or
 * 0 when none is known. "size-limit-changed" says when it changes;
 * "send-progress" (account id, bytes) follows each message going out. */
guint64 mw_send_queue_get_size_limit (MwSendQueue *self,
                                      const char  *account_id);
/* What the account's server said in an EHLO outside the outbox (the
 * accounts dialog's Test Connection); @caps may be NULL. */
void mw_send_queue_note_capabilities (MwSendQueue              *self,
                                      const char               *account_id,
                                      const MwSmtpCapabilities *caps);

G_END_DECLS
