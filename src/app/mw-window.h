/* mw-window.h: the main window
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "mw-application.h"
#include "mw-log-view.h"
#include "mw-message-summary.h"
#include "mw-transcript.h"

G_BEGIN_DECLS

#define MW_TYPE_WINDOW (mw_window_get_type ())
G_DECLARE_FINAL_TYPE (MwWindow, mw_window, MW, WINDOW, AdwApplicationWindow)

MwWindow *mw_window_new (MwApplication *application);

/* The protocol record of every session this window runs. */
MwTranscript *mw_window_get_transcript (MwWindow *self);
MwLogView    *mw_window_get_log_view (MwWindow *self);

gboolean mw_window_get_log_visible (MwWindow *self);
void     mw_window_set_log_visible (MwWindow *self,
                                    gboolean  visible);

/* The messages on the server (MwMessageSummary), as listed. */
GListStore *mw_window_get_server_messages (MwWindow *self);
/* What the message list shows after search and sorting. */
GListModel *mw_window_get_visible_messages (MwWindow *self);
/* Takes @summary into the On Server list the way Get Mail's listing
 * does, in batches (for benchmarks and tests). */
void mw_window_add_server_summary (MwWindow         *self,
                                   MwMessageSummary *summary);

/* Whether an account is in use (::notify once one is). */
gboolean mw_window_get_has_account (MwWindow *self);
/* (nullable): the id of the stored account shown. */
const char *mw_window_get_account_id (MwWindow *self);
/* Shows the messages on the server of the stored account @account_id. */
void mw_window_show_account (MwWindow   *self,
                             const char *account_id);

/* Shows a short message at the bottom of the window. */
void mw_window_toast (MwWindow   *self,
                      const char *text);

G_END_DECLS
