/* mw-format.h: how the app shows sizes, dates and message states
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "mw-message-summary.h"

G_BEGIN_DECLS

/* "4.2 MB"; in the list, sizes are what the server said (LIST). */
char *mw_format_size (guint64 size);

/* "14:05" today, "Mon 14:05" this week, "3 Mar" this year, else
 * "3 Mar 2024"; an empty string without a date. */
char *mw_format_date (GDateTime *date,
                      GDateTime *now);

/* The icon for the status column, or NULL for an ordinary message. */
const char *mw_format_status_icon (MwMessageFlags flags);

/* A sentence for the status column's tooltip, or NULL. */
char *mw_format_status_text (MwMessageFlags flags,
                             const char    *problem);

G_END_DECLS
