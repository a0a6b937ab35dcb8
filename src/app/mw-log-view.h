/* mw-log-view.h: the protocol log pane and its console
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "mw-console-session.h"
#include "mw-transcript.h"

G_BEGIN_DECLS

#define MW_TYPE_LOG_VIEW (mw_log_view_get_type ())
G_DECLARE_FINAL_TYPE (MwLogView, mw_log_view, MW, LOG_VIEW, GtkWidget)

GtkWidget *mw_log_view_new (void);

MwTranscript *mw_log_view_get_transcript (MwLogView *self);
void          mw_log_view_set_transcript (MwLogView    *self,
                                          MwTranscript *transcript);

/* Whether the view scrolls to new lines; it stops while the user has
 * scrolled up and starts again at the bottom. */
gboolean mw_log_view_get_following (MwLogView *self);

/* The sessions the console writes to; both NULL disable it. With both,
 * the user picks the protocol. */
void            mw_log_view_set_consoles (MwLogView        *self,
                                          MwConsoleSession *pop3,
                                          MwConsoleSession *smtp);
MwReplyProtocol mw_log_view_get_console_protocol (MwLogView *self);
void            mw_log_view_set_console_protocol (MwLogView      *self,
                                                  MwReplyProtocol protocol);
/* Whether a console line is on its way to the server. */
gboolean mw_log_view_get_console_busy (MwLogView *self);

/* Explains the server line at @x, @y (in the view's coordinates) in a
 * popover, as a right click does; FALSE if there is none. */
gboolean mw_log_view_explain_at (MwLogView *self,
                                 double     x,
                                 double     y);

/* The milliseconds between a server reply and the client line it answers,
 * or -1 for other lines. */
gint64 mw_log_view_get_elapsed (MwTranscriptEntry *entry);

G_END_DECLS
