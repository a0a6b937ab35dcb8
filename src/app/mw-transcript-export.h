/* mw-transcript-export.h: saving a transcript as a text file
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mw-transcript.h"

G_BEGIN_DECLS

/* Writes the transcript as shown (secrets already redacted) to @file,
 * replacing it atomically. The text is taken when called. */
void     mw_transcript_export_async (MwTranscript       *transcript,
                                     GFile              *file,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
gboolean mw_transcript_export_finish (GAsyncResult *result,
                                      GError      **error);

G_END_DECLS
