/* mw-size-limit.h: the SIZE an account's outgoing server advertised
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The SIZE limit (RFC 1870) of an account's outgoing server, as seen in
 * its last EHLO reply, kept in the file "smtp-size" of the account's data
 * directory so that a message can be checked before any session. */

/* Returns the limit in bytes through @callback; 0 when none is known. */
void    mw_size_limit_load_async (const char         *account_id,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);
guint64 mw_size_limit_load_finish (GAsyncResult *result,
                                   GError      **error);

/* Writes @size (0 when the server stated none) durably. */
void     mw_size_limit_save_async (const char         *account_id,
                                   guint64             size,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data);
gboolean mw_size_limit_save_finish (GAsyncResult *result,
                                    GError      **error);

G_END_DECLS
