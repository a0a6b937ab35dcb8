/* mw-store-util-private.h: file system helpers shared by the store
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Sets a G_IO_ERROR from errno @errsv: "<what> “<path>”: <strerror>". */
void     mw_store_set_io_error (GError    **error,
                                int         errsv,
                                const char *what,
                                const char *path);
gboolean mw_store_fsync_directory (const char *path,
                                   GError    **error);
gboolean mw_store_mkdir (const char *path,
                         GError    **error);
char    *mw_store_account_dir (const char *account_id);
gboolean mw_store_account_id_is_valid (const char *account_id);

G_END_DECLS
