/* mw-fetcher.h: Get Mail into a Maildir, with the account's policy
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mw-fetch-plan.h"
#include "mw-maildir.h"
#include "mw-pop3-client.h"
#include "mw-uid-index.h"

G_BEGIN_DECLS

/* Where a fetch ended. Only MW_FETCH_STOP_NONE may have deleted anything. */
typedef enum
{
  MW_FETCH_STOP_NONE,     /* finished; deletions confirmed by QUIT's +OK */
  MW_FETCH_STOP_LISTING,  /* before any download: LIST, UIDL, TOP, index */
  MW_FETCH_STOP_DOWNLOAD, /* a download or its storage failed */
  MW_FETCH_STOP_DELETE,   /* DELE failed: closed without QUIT */
  MW_FETCH_STOP_QUIT,     /* QUIT was not confirmed: nothing was deleted */
} MwFetchStop;

/*
 * MwFetcher: one Get Mail on a logged-in POP3 session. Lists the server
 * (LIST, UIDL; without UIDL the headers of each message through TOP n 0,
 * see mw_fetch_header_uid()), downloads what the MwFetchPlan says into the
 * Maildir — each message committed durably and its UID saved in the index
 * before the next one — then deletes what the policy asks, by UID mapped
 * again in this session, and ends with QUIT. A failed download closes the
 * session without QUIT, so nothing is deleted.
 *
 * Signals: ::warning (a sentence for the user), ::skipped (number,
 * MwFetchSkipReason), ::planned (how many will be downloaded),
 * ::message-stored (number, UID or NULL, file name in new/), ::deleted
 * (number, UID; after QUIT's +OK).
 */
#define MW_TYPE_FETCHER (mw_fetcher_get_type ())
G_DECLARE_FINAL_TYPE (MwFetcher, mw_fetcher, MW, FETCHER, GObject)

/* @client must be logged in (MW_POP3_STATE_TRANSACTION); @maildir open and
 * @index loaded. */
MwFetcher *mw_fetcher_new (MwPop3Client        *client,
                           MwMaildir           *maildir,
                           MwUidIndex          *index,
                           const MwFetchPolicy *policy);

void     mw_fetcher_run_async (MwFetcher          *self,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data);
gboolean mw_fetcher_run_finish (MwFetcher    *self,
                                GAsyncResult *result,
                                GError      **error);

/* After the run. */
MwFetchStop mw_fetcher_get_stop (MwFetcher *self);
/* The message whose download failed (MW_FETCH_STOP_DOWNLOAD), or 0. */
guint mw_fetcher_get_failed_number (MwFetcher *self);
guint mw_fetcher_get_n_listed (MwFetcher *self);
guint mw_fetcher_get_n_downloaded (MwFetcher *self);
guint mw_fetcher_get_n_to_download (MwFetcher *self);
/* How many messages were sent DELE; deleted only with MW_FETCH_STOP_NONE. */
guint mw_fetcher_get_n_marked (MwFetcher *self);
/* The numbers deleted on the server, confirmed by QUIT. */
GArray *mw_fetcher_get_deleted (MwFetcher *self);
/* Whether messages were recognised by their headers (no UIDL). */
gboolean mw_fetcher_get_by_headers (MwFetcher *self);

/* Puts into @index the messages of @maildir stored before an
 * interruption: their UID is in the file name but was not yet saved in
 * the index, and they must not be downloaded again. Saves the index when
 * it found any. Returns how many, or -1 with @error. */
void mw_fetcher_recover_async (MwMaildir          *maildir,
                               MwUidIndex         *index,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data);
int  mw_fetcher_recover_finish (GAsyncResult *result,
                                GError      **error);

G_END_DECLS
