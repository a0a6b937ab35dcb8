/* mw-outbox-view.h: how the Outbox folder shows and acts on its messages
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "mw-message-summary.h"
#include "mw-outbox.h"

G_BEGIN_DECLS

/* Marks @summary, the Outbox message in the file @file_name, with what
 * @outbox knows about it: its item id ("outbox-id" data), its state and a
 * description of it for the status column and the reader. */
void mw_outbox_view_annotate (MwMessageSummary *summary,
                              MwOutbox         *outbox,
                              const char       *file_name);

/* (nullable): the status icon and its tooltip for an annotated summary
 * (NULL for anything else). */
const char *mw_outbox_view_status_icon (gpointer summary);
const char *mw_outbox_view_status_text (gpointer summary);

/* For the user, what @item's state means. */
char *mw_outbox_view_describe (MwOutboxItem *item);

/* Sends the message again, after a confirmation that says it may arrive
 * twice when its delivery is uncertain. */
void mw_outbox_view_send_again (GtkWindow  *parent,
                                MwOutbox   *outbox,
                                const char *id);

/* Deletes the message from the Outbox after a confirmation. */
void mw_outbox_view_delete (GtkWindow  *parent,
                            MwOutbox   *outbox,
                            const char *id);

G_END_DECLS
