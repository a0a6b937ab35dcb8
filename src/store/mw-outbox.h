/* mw-outbox.h: messages on their way out, per account
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mw-maildir.h"
#include "mw-outbox-item.h"
#include "mw-smtp-client.h"

G_BEGIN_DECLS

/* Backoff between automatic attempts: 1, 2, 4 … minutes, at most 1 hour,
 * each shortened by up to a tenth at random so that clients do not retry
 * in step. */
#define MW_OUTBOX_FIRST_RETRY_SECONDS 60
#define MW_OUTBOX_MAX_RETRY_SECONDS   (60 * 60)

/* Returns (transfer full) a new, unconnected SMTP client set up for the
 * account (host, port, security, user, password or token, pinned
 * fingerprint). The outbox connects it, sends and says QUIT. */
typedef MwSmtpClient *(*MwOutboxClientFunc) (gpointer user_data);

/* The time in microseconds since the epoch (g_get_real_time() unless a
 * test says otherwise). */
typedef gint64 (*MwOutboxClockFunc) (gpointer user_data);

/*
 * MwOutbox: the account's Outbox Maildir as a GListModel of MwOutboxItem.
 *
 * On disk, each message is a file in the Outbox Maildir (".Outbox/new/")
 * and its envelope — sender, every recipient including Bcc, state,
 * attempts, the server's last words — is a key file of its own in
 * ".Outbox/envelopes/<id>.envelope". The envelope is never part of the
 * message: Bcc addresses appear only on the SMTP envelope (RCPT TO).
 * Every envelope is written to a temporary file, fsync'd, renamed and its
 * folder fsync'd.
 *
 * Order of writes, and why no message is ever sent twice unknown to the
 * user:
 *
 * 1. Enqueue writes the envelope (state "queued"), then delivers the
 *    message into the Outbox (tmp/, fsync, new/, fsync). Only then does the
 *    call return; nothing touches the network before.
 * 2. Before a message is sent, its envelope is rewritten durably with the
 *    state "sending". A crash while sending leaves "sending" on disk; the
 *    next load shows the item as UNCERTAIN with needs-attention, because
 *    the server may have accepted it, and never sends it on its own.
 * 3. Right after the final 250, and before anything else, the envelope is
 *    rewritten durably with the state "sent". Then the message file is
 *    linked into Sent's new/ (fsync Sent), unlinked from the Outbox (fsync
 *    Outbox), and the envelope removed.
 * 4. A crash anywhere after 3's record leaves "sent" on disk. On load, an
 *    envelope that says "sent" while the message is still in the Outbox
 *    (with or without its Sent copy) is completed — linked into Sent if
 *    needed, removed from the Outbox — and shown as SENT with
 *    needs-attention until the user removes it. It is never sent again.
 *
 * Failures: 4xx replies, 421, connection failures and losses before the end
 * of the message mean RETRY_WAIT with backoff; 5xx means FAILED with the
 * server's reply; some recipients refused while the others got it means
 * PARTIAL; a connection lost after the end of the message means UNCERTAIN.
 * When the message was accepted for some recipients while others were
 * refused for now (4xx), the envelope is narrowed to those others and
 * written durably before anything else, the message is linked into Sent,
 * and the item waits in RETRY_WAIT: a retry, or a crash, never sends to
 * the recipients that have it already. The recipient results keep what
 * happened to everyone.
 * Only mw_outbox_resend_async() sends FAILED or UNCERTAIN messages again.
 *
 * Automatic attempts: a timer on the thread-default main context of the
 * outbox's creator fires when the earliest RETRY_WAIT item is due, and
 * every RETRY_WAIT item is tried at once when the network comes back
 * (mw_outbox_set_network_monitor() or mw_outbox_network_changed()). Both
 * need a client function.
 */
#define MW_TYPE_OUTBOX (mw_outbox_get_type ())
G_DECLARE_FINAL_TYPE (MwOutbox, mw_outbox, MW, OUTBOX, GObject)

MwOutbox *mw_outbox_new (const char *account_id);
/* An outbox over other folders than the account's own (the demo's). */
MwOutbox   *mw_outbox_new_for_maildirs (const char *account_id,
                                        MwMaildir  *outbox,
                                        MwMaildir  *sent);
const char *mw_outbox_get_account_id (MwOutbox *self);
/* Whether a flush is under way. */
gboolean mw_outbox_get_busy (MwOutbox *self);
/* (transfer none) (nullable): the certificate that made the last flush's
 * connection fail (MW_CONNECTION_ERROR_CERTIFICATE), for the user to
 * judge; NULL once a connection succeeds. */
MwCertificateInfo *mw_outbox_get_refused_certificate (MwOutbox *self);
/* (transfer none) (nullable): the item with @id. */
MwOutboxItem *mw_outbox_lookup (MwOutbox   *self,
                                const char *id);

void mw_outbox_set_client_func (MwOutbox          *self,
                                MwOutboxClientFunc func,
                                gpointer           user_data,
                                GDestroyNotify     destroy);
/* NULL restores g_get_real_time(). */
void mw_outbox_set_clock_func (MwOutbox         *self,
                               MwOutboxClockFunc func,
                               gpointer          user_data);
/* Follows "network-changed" of @monitor (the app passes
 * g_network_monitor_get_default()); NULL stops following. */
void mw_outbox_set_network_monitor (MwOutbox        *self,
                                    GNetworkMonitor *monitor);
/* The network became (un)available: when available, every RETRY_WAIT item
 * is tried now. */
void mw_outbox_network_changed (MwOutbox *self,
                                gboolean  available);

/* Creates the Outbox and Sent folders and rebuilds the queue from the
 * Outbox and the envelopes (see above for what a crash leaves). */
void     mw_outbox_load_async (MwOutbox           *self,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data);
gboolean mw_outbox_load_finish (MwOutbox     *self,
                                GAsyncResult *result,
                                GError      **error);

/* Stores @message (as it will be sent: no Bcc header) and its envelope
 * durably. The new item is QUEUED; nothing is sent. Returns (transfer
 * full) the item id. */
void mw_outbox_enqueue_async (MwOutbox           *self,
                              GBytes             *message,
                              const char         *from,
                              const char *const  *recipients,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data);
/* The same, for a message that needs BODY=8BITMIME or SMTPUTF8 (@flags:
 * MW_SMTP_SEND_8BITMIME, MW_SMTP_SEND_SMTPUTF8; kept in the envelope), or
 * that must go to nobody when the server refuses a recipient
 * (MW_SMTP_SEND_ALL_OR_NOTHING; otherwise it goes to the accepted ones).
 * Finish with mw_outbox_enqueue_finish(). */
void  mw_outbox_enqueue_full_async (MwOutbox           *self,
                                    GBytes             *message,
                                    const char         *from,
                                    const char *const  *recipients,
                                    MwSmtpSendFlags     flags,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data);
char *mw_outbox_enqueue_finish (MwOutbox     *self,
                                GAsyncResult *result,
                                GError      **error);

/* Sends every QUEUED item and every RETRY_WAIT item that is due, over one
 * session from the client function. Item outcomes are in the items; the
 * call fails only when nothing could be tried for a reason the user must
 * fix (authentication, TLS, settings), with that error, or when the disk
 * fails. G_IO_ERROR_PENDING while another flush runs; that one then
 * makes another pass for what was queued meanwhile. */
void     mw_outbox_flush_async (MwOutbox           *self,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data);
gboolean mw_outbox_flush_finish (MwOutbox     *self,
                                 GAsyncResult *result,
                                 GError      **error);

/* On the user's request: puts a FAILED, UNCERTAIN or RETRY_WAIT item back
 * to QUEUED (attempts reset). The next flush sends it. */
void     mw_outbox_resend_async (MwOutbox           *self,
                                 const char         *id,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data);
gboolean mw_outbox_resend_finish (MwOutbox     *self,
                                  GAsyncResult *result,
                                  GError      **error);

/* Removes an item that is not being sent: a waiting message is deleted
 * from the Outbox; for a SENT or PARTIAL item only the record goes (the
 * message stays in Sent). This is how the user dismisses needs-attention. */
void     mw_outbox_remove_async (MwOutbox           *self,
                                 const char         *id,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data);
gboolean mw_outbox_remove_finish (MwOutbox     *self,
                                  GAsyncResult *result,
                                  GError      **error);

G_END_DECLS
