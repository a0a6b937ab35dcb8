/* mw-file-save.h: writing bytes the user chose to keep into a file
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Replaces @file with @bytes in a worker thread: written to a temporary
 * file beside it, flushed to disk and renamed over it, so that the file
 * holds either its old contents or all of @bytes. */
void     mw_file_save_bytes_async (GFile              *file,
                                   GBytes             *bytes,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data);
gboolean mw_file_save_bytes_finish (GFile        *file,
                                    GAsyncResult *result,
                                    GError      **error);

G_END_DECLS
