/* mw-uid-index.h: which server messages were stored locally, and where
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* RFC 1939: a unique-id is 1 to 70 characters in the range 0x21 to 0x7E. */
#define MW_UID_MAX_LENGTH 70

typedef enum
{
  MW_UID_INDEX_STATE_UNLOADED, /* load() has not completed */
  MW_UID_INDEX_STATE_READY,
  MW_UID_INDEX_STATE_CORRUPT, /* the file could not be trusted; see recover() */
} MwUidIndexState;

#define MW_TYPE_UID_INDEX (mw_uid_index_get_type ())
G_DECLARE_FINAL_TYPE (MwUidIndex, mw_uid_index, MW, UID_INDEX, GObject)

gboolean mw_uid_is_valid (const char *uid,
                          GError    **error);

MwUidIndex *mw_uid_index_new (const char *path);
/* The index of an account, next to its Maildir. */
MwUidIndex     *mw_uid_index_new_for_account (const char *account_id);
const char     *mw_uid_index_get_path (MwUidIndex *self);
MwUidIndexState mw_uid_index_get_state (MwUidIndex *self);

/* Reads the file; a missing file is an empty index. A truncated or damaged
 * file fails with MW_STORE_ERROR_INDEX_CORRUPT: the file is copied to
 * "<path>.bak" (or "<path>.<n>.bak"), the entries that could be read are
 * kept, and the state is MW_UID_INDEX_STATE_CORRUPT until recover() is
 * called: the caller must tell the user before anything is downloaded again. */
void     mw_uid_index_load_async (MwUidIndex         *self,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);
gboolean mw_uid_index_load_finish (MwUidIndex   *self,
                                   GAsyncResult *result,
                                   GError      **error);

/* Accepts the entries read from a corrupt file, after the user agreed. */
void mw_uid_index_recover (MwUidIndex *self);

/* Replaces the file atomically and durably (temporary file, fsync, rename,
 * fsync of the folder). Saves run one after the other; entries present when
 * a save started count as durable once it succeeded. Refused while the
 * state is not MW_UID_INDEX_STATE_READY. */
void     mw_uid_index_save_async (MwUidIndex         *self,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);
gboolean mw_uid_index_save_finish (MwUidIndex   *self,
                                   GAsyncResult *result,
                                   GError      **error);

guint    mw_uid_index_get_n_uids (MwUidIndex *self);
gboolean mw_uid_index_contains (MwUidIndex *self,
                                const char *uid);
/* Whether the entry for @uid was on disk when the last save completed, or
 * was loaded from disk. */
gboolean mw_uid_index_is_durable (MwUidIndex *self,
                                  const char *uid);
/* Records that @uid was stored in the Maildir file @file at @time (Unix
 * seconds). The "seen on server since" date is kept if earlier. */
gboolean mw_uid_index_add (MwUidIndex *self,
                           const char *uid,
                           const char *file,
                           gint64      time,
                           GError    **error);
/* Moves the "seen on server since" date of a known UID earlier. */
void     mw_uid_index_set_seen_since (MwUidIndex *self,
                                      const char *uid,
                                      gint64      time);
gboolean mw_uid_index_remove (MwUidIndex *self,
                              const char *uid);

const char *mw_uid_index_get_file (MwUidIndex *self,
                                   const char *uid);
gint64      mw_uid_index_get_downloaded (MwUidIndex *self,
                                         const char *uid);
gint64      mw_uid_index_get_seen_since (MwUidIndex *self,
                                         const char *uid);

/* Returns (transfer full), sorted. */
GStrv mw_uid_index_dup_uids (MwUidIndex *self);
/* UIDs seen on the server at least @days days before @now (Unix seconds).
 * Returns (transfer full), sorted. */
GStrv mw_uid_index_uids_older_than (MwUidIndex *self,
                                    guint       days,
                                    gint64      now);

G_END_DECLS
