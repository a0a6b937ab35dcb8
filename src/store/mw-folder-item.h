/* mw-folder-item.h: one message of a local folder, as listed
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MW_TYPE_FOLDER_ITEM (mw_folder_item_get_type ())
G_DECLARE_FINAL_TYPE (MwFolderItem, mw_folder_item, MW, FOLDER_ITEM, GObject)

/* Items are immutable once made. */
MwFolderItem *mw_folder_item_new (const char *subdir,
                                  const char *name,
                                  guint64     size,
                                  gint64      mtime,
                                  const char *from,
                                  const char *subject,
                                  gint64      date,
                                  const char *message_id);

const char *mw_folder_item_get_subdir (MwFolderItem *self);
const char *mw_folder_item_get_name (MwFolderItem *self);
guint64     mw_folder_item_get_size (MwFolderItem *self);
gint64      mw_folder_item_get_mtime (MwFolderItem *self);
const char *mw_folder_item_get_from (MwFolderItem *self);
const char *mw_folder_item_get_subject (MwFolderItem *self);
/* Unix seconds; 0 when the message has no usable Date. */
gint64      mw_folder_item_get_date (MwFolderItem *self);
const char *mw_folder_item_get_message_id (MwFolderItem *self);

/* Whether From or Subject contains @folded_query, a string folded with
 * g_utf8_casefold() (of g_utf8_normalize()d text). An empty query matches. */
gboolean mw_folder_item_matches (MwFolderItem *self,
                                 const char   *folded_query);

G_END_DECLS
