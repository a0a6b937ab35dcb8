/* mw-fetch-plan.h: what Get Mail downloads, deletes and leaves alone
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mw-uid-index.h"

G_BEGIN_DECLS

typedef enum
{
  MW_LEAVE_POLICY_KEEP,                  /* leave messages on the server */
  MW_LEAVE_POLICY_DELETE_AFTER_DOWNLOAD, /* delete once stored locally */
  MW_LEAVE_POLICY_DELETE_AFTER_DAYS,     /* delete N days after first seen */
} MwLeavePolicy;

typedef struct
{
  MwLeavePolicy leave;
  guint         days;     /* for MW_LEAVE_POLICY_DELETE_AFTER_DAYS */
  guint64       max_size; /* larger messages are not downloaded; 0: no limit */
} MwFetchPolicy;

/* One line of the server's listing (LIST joined with UIDL). */
typedef struct
{
  guint       number;
  guint64     size;
  const char *uid; /* NULL without UIDL */
} MwServerMessage;

typedef enum /*< flags >*/
{
  MW_FETCH_WARNING_NONE = 0,
  /* The server gave no UIDs: everything is downloaded and nothing is
   * deleted automatically, since nothing can say what was stored before. */
  MW_FETCH_WARNING_NO_UIDL = 1 << 0,
  /* Several messages share a UID: none of them is deleted automatically. */
  MW_FETCH_WARNING_DUPLICATE_UIDS = 1 << 1,
  /* Some UIDs break RFC 1939: those messages are skipped and flagged. */
  MW_FETCH_WARNING_INVALID_UIDS = 1 << 2,
  /* Stored messages due for deletion wait until the index is saved. */
  MW_FETCH_WARNING_NOT_DURABLE = 1 << 3,
} MwFetchWarnings;

typedef enum
{
  MW_FETCH_SKIP_TOO_BIG,     /* over the policy's size limit */
  MW_FETCH_SKIP_INVALID_UID, /* a UID that cannot be recorded */
} MwFetchSkipReason;

typedef struct
{
  guint             number;
  MwFetchSkipReason reason;
} MwFetchSkip;

#define MW_TYPE_FETCH_PLAN (mw_fetch_plan_get_type ())
G_DECLARE_FINAL_TYPE (MwFetchPlan, mw_fetch_plan, MW, FETCH_PLAN, GObject)

/* Decides, without I/O, what one Get Mail does. Messages are deleted only
 * when the index holds their UID durably (saved to disk), and never without
 * UIDL. Messages downloaded in this session become deletable once the index
 * was saved: make a new plan from the same listing then. Fails with
 * MW_STORE_ERROR_INDEX_CORRUPT when the index cannot be trusted. */
MwFetchPlan *mw_fetch_plan_new (const MwServerMessage *messages,
                                size_t                 n_messages,
                                MwUidIndex            *index,
                                const MwFetchPolicy   *policy,
                                gint64                 now,
                                GError               **error);

/* Message numbers to download, in listing order. */
const guint *mw_fetch_plan_get_downloads (MwFetchPlan *self,
                                          size_t      *n_downloads);
/* UIDs to delete, in listing order; NULL-terminated. Map them to message
 * numbers with mw_fetch_remap_uids() in the session that sends DELE. */
const char *const *mw_fetch_plan_get_deletions (MwFetchPlan *self);
const MwFetchSkip *mw_fetch_plan_get_skipped (MwFetchPlan *self,
                                              size_t      *n_skipped);
MwFetchWarnings    mw_fetch_plan_get_warnings (MwFetchPlan *self);
/* UIDs in the index that the server no longer lists; NULL-terminated. */
const char *const *mw_fetch_plan_get_vanished (MwFetchPlan *self);

/* Maps @uids to message numbers of @listing, the UIDL of the current
 * session. UIDs no longer listed, or listed more than once, are not mapped
 * and go to @unmapped. Fails with MW_STORE_ERROR_NO_UIDL when the listing
 * has no UIDs. @numbers: (out) (transfer full) (element-type guint). */
gboolean mw_fetch_remap_uids (const char *const     *uids,
                              const MwServerMessage *listing,
                              size_t                 n_listing,
                              GArray               **numbers,
                              GStrv                 *unmapped,
                              GError               **error);

/* A stand-in for the UIDL identifier of a message on a server that has no
 * UIDL, made from the message's headers (the reply to TOP n 0): a SHA-256 of
 * the fields servers do not rewrite (Message-ID, Date, From, Sender, To, Cc,
 * Subject, Received), unfolded and with runs of white space collapsed, so it
 * stays the same across sessions even when the server adds Status: or
 * X-UIDL: lines once a message was read. Reading stops at the first empty
 * line. Returns "~" and 64 hex digits, a valid UID, or NULL when the headers
 * hold none of those fields. */
char *mw_fetch_header_uid (const char *headers,
                           gsize       length);

G_END_DECLS
