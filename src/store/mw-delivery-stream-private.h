/* mw-delivery-stream-private.h: the output stream of a Maildir delivery
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MW_TYPE_DELIVERY_STREAM (mw_delivery_stream_get_type ())
G_DECLARE_FINAL_TYPE (MwDeliveryStream, mw_delivery_stream, MW, DELIVERY_STREAM, GOutputStream)

/* Writes to @fd, which stays owned by the caller: closing the stream does
 * not close it. Errors name @path. Writes fail with @fault_errno once
 * @fault_after bytes were written, when @fault_errno is not 0. */
GOutputStream *mw_delivery_stream_new (int         fd,
                                       const char *path,
                                       guint64     fault_after,
                                       int         fault_errno);
/* The first write error, if any (borrowed). */
const GError *mw_delivery_stream_get_error (MwDeliveryStream *self);
guint64       mw_delivery_stream_get_written (MwDeliveryStream *self);

G_END_DECLS
