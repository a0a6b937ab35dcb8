/* mw-folder.h: a local folder (Downloaded, Sent, Outbox) as a list model
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mw-folder-item.h"
#include "mw-maildir.h"

G_BEGIN_DECLS

#define MW_TYPE_FOLDER (mw_folder_get_type ())
G_DECLARE_FINAL_TYPE (MwFolder, mw_folder, MW, FOLDER, GObject)

/* A GListModel of MwFolderItem over @maildir, sorted by file name. The
 * headers are kept in @cache_path (or a file under the user cache dir
 * named after the Maildir's path when NULL). */
MwFolder   *mw_folder_new (MwMaildir  *maildir,
                           const char *cache_path);
MwMaildir  *mw_folder_get_maildir (MwFolder *self);
const char *mw_folder_get_cache_path (MwFolder *self);

/* Lists the Maildir; only files that are new or changed since the cache was
 * written are opened and their headers parsed (GMime). Emits one
 * items-changed when the list changed. */
void     mw_folder_refresh_async (MwFolder           *self,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);
gboolean mw_folder_refresh_finish (MwFolder     *self,
                                   GAsyncResult *result,
                                   GError      **error);

/* How many files the last refresh parsed. */
guint mw_folder_get_last_parsed (MwFolder *self);

/* Folds a search string for mw_folder_item_matches(). */
char *mw_folder_fold_query (const char *query);

G_END_DECLS
