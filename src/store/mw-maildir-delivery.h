/* mw-maildir-delivery.h: one message on its way into a Maildir
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MW_TYPE_MAILDIR_DELIVERY (mw_maildir_delivery_get_type ())
G_DECLARE_FINAL_TYPE (MwMaildirDelivery, mw_maildir_delivery, MW, MAILDIR_DELIVERY, GObject)

/* Writes go to the file in tmp/. A failed write (G_IO_ERROR_NO_SPACE, …)
 * names the file; after one, the delivery can only be aborted. */
GOutputStream *mw_maildir_delivery_get_output_stream (MwMaildirDelivery *self);
const char    *mw_maildir_delivery_get_tmp_path (MwMaildirDelivery *self);
/* The unique part of the name, as in tmp/ and before ",S=" in new/. */
const char *mw_maildir_delivery_get_unique (MwMaildirDelivery *self);

/* Records the server's UID in the file name (",U=<hex>"), so that a message
 * stored just before a crash, and not yet in the UID index, is recognized
 * the next time instead of being downloaded twice. Call before commit. */
void mw_maildir_delivery_set_uid (MwMaildirDelivery *self,
                                  const char        *uid);

/* In a worker thread: fsyncs the file, links it into new/ as
 * "<unique>,S=<size>[,U=<hex>]", removes it from tmp/ and fsyncs new/ and
 * the Maildir.
 * On failure nothing is left in new/ and the tmp/ file is removed.
 * Returns (transfer full) the file name in new/. */
void  mw_maildir_delivery_commit_async (MwMaildirDelivery  *self,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
char *mw_maildir_delivery_commit_finish (MwMaildirDelivery *self,
                                         GAsyncResult      *result,
                                         GError           **error);

/* Removes the tmp/ file. Disposing of an unfinished delivery aborts it. */
void mw_maildir_delivery_abort (MwMaildirDelivery *self);

G_END_DECLS
