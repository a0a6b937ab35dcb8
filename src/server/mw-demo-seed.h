/* mw-demo-seed.h: the messages demo mode starts with
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The size of the demo's oversized message, in bytes (about). */
#define MW_DEMO_SEED_LARGE_SIZE (30 * 1024 * 1024)

/* Fills the Maildir at @maildir (created if needed) with varied messages:
 * international senders and subjects, attachments, an HTML-only mail, a
 * thread, and problem messages (a 30 MB one, broken MIME, a 200 KB header
 * line). The large one is written in chunks, never whole in memory. Runs
 * in a worker thread. */
void     mw_demo_seed_async (const char         *maildir,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data);
gboolean mw_demo_seed_finish (GAsyncResult *result,
                              GError      **error);

G_END_DECLS
