/* mw-message-summary.h: one message in a POP3 maildrop
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * MwMessageFlags:
 * @MW_MESSAGE_FLAG_NONE: nothing to say
 * @MW_MESSAGE_FLAG_DELETED: marked for deletion; takes effect at QUIT
 * @MW_MESSAGE_FLAG_DOWNLOADED: stored locally
 * @MW_MESSAGE_FLAG_OVERSIZE: larger than the user's size limit
 * @MW_MESSAGE_FLAG_MALFORMED_HEADERS: the headers are damaged
 * @MW_MESSAGE_FLAG_DOWNLOAD_FAILED: the last download failed
 * @MW_MESSAGE_FLAG_NO_UID: the server gave no unique ID
 * @MW_MESSAGE_FLAG_NO_HEADERS: TOP was refused or failed
 * @MW_MESSAGE_FLAG_COUNT_MISMATCH: STAT, LIST and UIDL disagree
 */
typedef enum /*< flags >*/
{
  MW_MESSAGE_FLAG_NONE = 0,
  MW_MESSAGE_FLAG_DELETED = 1 << 0,
  MW_MESSAGE_FLAG_DOWNLOADED = 1 << 1,
  MW_MESSAGE_FLAG_OVERSIZE = 1 << 2,
  MW_MESSAGE_FLAG_MALFORMED_HEADERS = 1 << 3,
  MW_MESSAGE_FLAG_DOWNLOAD_FAILED = 1 << 4,
  MW_MESSAGE_FLAG_NO_UID = 1 << 5,
  MW_MESSAGE_FLAG_NO_HEADERS = 1 << 6,
  MW_MESSAGE_FLAG_COUNT_MISMATCH = 1 << 7,
} MwMessageFlags;

/* The most header bytes parsed; the rest is ignored and flagged. */
#define MW_MESSAGE_SUMMARY_MAX_HEADERS (1024 * 1024)

/* The longest display string kept, in characters. */
#define MW_MESSAGE_SUMMARY_MAX_TEXT 1000

#define MW_TYPE_MESSAGE_SUMMARY (mw_message_summary_get_type ())
G_DECLARE_FINAL_TYPE (MwMessageSummary, mw_message_summary, MW, MESSAGE_SUMMARY, GObject)

MwMessageSummary *mw_message_summary_new (guint   number,
                                          guint64 size);

guint          mw_message_summary_get_number (MwMessageSummary *self);
void           mw_message_summary_set_number (MwMessageSummary *self,
                                              guint             number);
const char    *mw_message_summary_get_uid (MwMessageSummary *self);
void           mw_message_summary_set_uid (MwMessageSummary *self,
                                           const char       *uid);
guint64        mw_message_summary_get_size (MwMessageSummary *self);
void           mw_message_summary_set_size (MwMessageSummary *self,
                                            guint64           size);
MwMessageFlags mw_message_summary_get_flags (MwMessageSummary *self);
void           mw_message_summary_set_flags (MwMessageSummary *self,
                                             MwMessageFlags    flags);
void           mw_message_summary_add_flags (MwMessageSummary *self,
                                             MwMessageFlags    flags);
void           mw_message_summary_remove_flags (MwMessageSummary *self,
                                                MwMessageFlags    flags);
const char    *mw_message_summary_get_problem (MwMessageSummary *self);

gboolean    mw_message_summary_set_headers (MwMessageSummary *self,
                                            const char       *data,
                                            size_t            len);
gboolean    mw_message_summary_has_headers (MwMessageSummary *self);
const char *mw_message_summary_get_from (MwMessageSummary *self);
const char *mw_message_summary_get_from_address (MwMessageSummary *self);
const char *mw_message_summary_get_to (MwMessageSummary *self);
const char *mw_message_summary_get_subject (MwMessageSummary *self);
GDateTime  *mw_message_summary_get_date (MwMessageSummary *self);
const char *mw_message_summary_get_message_id (MwMessageSummary *self);
gboolean    mw_message_summary_get_has_attachments (MwMessageSummary *self);

/* Sets the fields a local folder listing already decoded; @date is Unix
 * seconds, 0 for none. */
void mw_message_summary_set_listed (MwMessageSummary *self,
                                    const char       *from,
                                    const char       *subject,
                                    gint64            date,
                                    const char       *message_id);

G_END_DECLS
