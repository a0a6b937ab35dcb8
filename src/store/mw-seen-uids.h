/* mw-seen-uids.h: the server messages the user was told about
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The UIDs of the messages on an account's server that a background check
 * has counted already, kept in the file "seen-uids" of the account's data
 * directory (one UID a line), so that a restart does not announce them
 * again. */

/* Returns (transfer full) a set (UID → UID) through @callback; empty when
 * nothing was recorded. */
void        mw_seen_uids_load_async (const char         *account_id,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
GHashTable *mw_seen_uids_load_finish (GAsyncResult *result,
                                      GError      **error);

/* Replaces the record with @uids, durably. */
void     mw_seen_uids_save_async (const char         *account_id,
                                  const char *const  *uids,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);
gboolean mw_seen_uids_save_finish (GAsyncResult *result,
                                   GError      **error);

G_END_DECLS
