/* mw-maildir.h: a Maildir (tmp/, new/, cur/) on disk
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mw-maildir-delivery.h"

G_BEGIN_DECLS

/* Files in tmp/ older than this are left over from a crash. */
#define MW_MAILDIR_STALE_TMP_SECONDS (36 * 60 * 60)

typedef enum /*< flags >*/
{
  MW_MAILDIR_FLAG_NONE = 0,
  MW_MAILDIR_FLAG_DRAFT = 1 << 0,   /* D */
  MW_MAILDIR_FLAG_FLAGGED = 1 << 1, /* F */
  MW_MAILDIR_FLAG_PASSED = 1 << 2,  /* P */
  MW_MAILDIR_FLAG_REPLIED = 1 << 3, /* R */
  MW_MAILDIR_FLAG_SEEN = 1 << 4,    /* S */
  MW_MAILDIR_FLAG_TRASHED = 1 << 5, /* T */
} MwMaildirFlags;

typedef enum
{
  MW_MAILDIR_FOLDER_DOWNLOADED,
  MW_MAILDIR_FOLDER_SENT,
  MW_MAILDIR_FOLDER_OUTBOX,
} MwMaildirFolder;

/* One message file, as listed from new/ or cur/. */
typedef struct
{
  char          *name;   /* the file name, with any ":2," info */
  const char    *subdir; /* "new" or "cur" (static) */
  guint64        size;
  gint64         mtime; /* seconds since the epoch */
  MwMaildirFlags flags;
} MwMaildirEntry;

#define MW_TYPE_MAILDIR_ENTRY (mw_maildir_entry_get_type ())
GType           mw_maildir_entry_get_type (void) G_GNUC_CONST;
MwMaildirEntry *mw_maildir_entry_copy (const MwMaildirEntry *entry);
void            mw_maildir_entry_free (MwMaildirEntry *entry);
/* The name without the ":2," info part: what the UID index records. */
char *mw_maildir_entry_dup_unique (const MwMaildirEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MwMaildirEntry, mw_maildir_entry_free)

MwMaildirFlags mw_maildir_parse_flags (const char *name);
/* The server UID a delivery recorded in a file name (",U=<hex>"), or NULL. */
char *mw_maildir_name_dup_uid (const char *name);

#define MW_TYPE_MAILDIR (mw_maildir_get_type ())
G_DECLARE_FINAL_TYPE (MwMaildir, mw_maildir, MW, MAILDIR, GObject)

MwMaildir *mw_maildir_new (const char *path);
/* The account's Maildir under the user data dir; Sent and Outbox are
 * Maildir++ subfolders (".Sent", ".Outbox") of the Downloaded one. */
MwMaildir  *mw_maildir_new_for_account (const char     *account_id,
                                        MwMaildirFolder folder);
const char *mw_maildir_get_path (MwMaildir *self);

/* Creates tmp/, new/ and cur/ (mode 0700) if needed and removes files in
 * tmp/ older than MW_MAILDIR_STALE_TMP_SECONDS. Returns how many were removed. */
void     mw_maildir_open_async (MwMaildir          *self,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data);
gboolean mw_maildir_open_finish (MwMaildir    *self,
                                 GAsyncResult *result,
                                 guint        *n_stale_removed,
                                 GError      **error);

/* Creates a new unique file in tmp/. Write the message to the delivery's
 * output stream, then commit or abort it. */
MwMaildirDelivery *mw_maildir_begin_delivery (MwMaildir *self,
                                              GError   **error);

/* Lists new/ and cur/ with readdir and stat, never opening a message.
 * Returns (transfer full) (element-type MwMaildirEntry), sorted by name. */
void       mw_maildir_list_async (MwMaildir          *self,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);
GPtrArray *mw_maildir_list_finish (MwMaildir    *self,
                                   GAsyncResult *result,
                                   GError      **error);

G_END_DECLS
