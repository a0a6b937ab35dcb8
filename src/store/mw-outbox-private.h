/* mw-outbox-private.h: test hooks of the outbox
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mw-outbox.h"

G_BEGIN_DECLS

/* Simulates a crash right after the durable "sent" record: the message is
 * neither moved to Sent nor removed from the Outbox, and the flush stops
 * there with G_IO_ERROR_CANCELLED. */
void mw_outbox_set_crash_after_sent_record (MwOutbox *self,
                                            gboolean  crash);

/* The delay before attempt @attempts + 1, without jitter, in seconds. */
guint mw_outbox_backoff_seconds (guint attempts);

G_END_DECLS
