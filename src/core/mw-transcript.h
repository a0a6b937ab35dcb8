/* mw-transcript.h: the live record of a protocol session
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  MW_TRANSCRIPT_CLIENT,
  MW_TRANSCRIPT_SERVER,
  MW_TRANSCRIPT_NOTE,
} MwTranscriptDirection;

typedef enum /*< flags >*/
{
  MW_TRANSCRIPT_FLAG_NONE = 0,
  MW_TRANSCRIPT_FLAG_REDACTED = 1 << 0,   /* a secret was replaced by stars */
  MW_TRANSCRIPT_FLAG_FOLDED = 1 << 1,     /* a body folded into one entry */
  MW_TRANSCRIPT_FLAG_TLS = 1 << 2,        /* a TLS note */
  MW_TRANSCRIPT_FLAG_ERROR = 1 << 3,      /* an error note or a negative reply */
  MW_TRANSCRIPT_FLAG_UNEXPECTED = 1 << 4, /* a reply the client did not expect */
  MW_TRANSCRIPT_FLAG_TRUNCATED = 1 << 5,  /* text cut at the entry size cap */
  MW_TRANSCRIPT_FLAG_BINARY = 1 << 6,     /* control bytes were escaped */
} MwTranscriptFlags;

#define MW_TYPE_TRANSCRIPT_ENTRY (mw_transcript_entry_get_type ())
G_DECLARE_FINAL_TYPE (MwTranscriptEntry, mw_transcript_entry, MW, TRANSCRIPT_ENTRY, GObject)

GDateTime            *mw_transcript_entry_get_time (MwTranscriptEntry *self);
gint64                mw_transcript_entry_get_monotonic_time (MwTranscriptEntry *self);
MwTranscriptDirection mw_transcript_entry_get_direction (MwTranscriptEntry *self);
const char           *mw_transcript_entry_get_text (MwTranscriptEntry *self);
MwTranscriptFlags     mw_transcript_entry_get_flags (MwTranscriptEntry *self);
void                  mw_transcript_entry_add_flags (MwTranscriptEntry *self,
                                                     MwTranscriptFlags  flags);
guint64               mw_transcript_entry_get_lines (MwTranscriptEntry *self);
guint64               mw_transcript_entry_get_bytes (MwTranscriptEntry *self);
const char           *mw_transcript_direction_to_prefix (MwTranscriptDirection direction);
char                 *mw_transcript_entry_format (MwTranscriptEntry *self);

#define MW_TYPE_TRANSCRIPT (mw_transcript_get_type ())
G_DECLARE_FINAL_TYPE (MwTranscript, mw_transcript, MW, TRANSCRIPT, GObject)

#define MW_TRANSCRIPT_DEFAULT_MAX_ENTRIES 5000
#define MW_TRANSCRIPT_MAX_TEXT            2048

MwTranscript *mw_transcript_new (guint max_entries);
guint         mw_transcript_get_max_entries (MwTranscript *self);
guint64       mw_transcript_get_dropped (MwTranscript *self);

/* Appends a line. Text is copied, capped at MW_TRANSCRIPT_MAX_TEXT bytes,
 * invalid UTF-8 and control bytes escaped. Returns the new entry (borrowed). */
MwTranscriptEntry *mw_transcript_append (MwTranscript         *self,
                                         MwTranscriptDirection direction,
                                         MwTranscriptFlags     flags,
                                         const char           *text,
                                         gssize                len);
MwTranscriptEntry *mw_transcript_note (MwTranscript     *self,
                                       MwTranscriptFlags flags,
                                       const char       *format,
                                       ...) G_GNUC_PRINTF (3, 4);

/* One entry standing for a whole body (folded). */
MwTranscriptEntry *mw_transcript_append_body (MwTranscript         *self,
                                              MwTranscriptDirection direction,
                                              guint64               lines,
                                              guint64               bytes);

void  mw_transcript_clear (MwTranscript *self);
char *mw_transcript_to_text (MwTranscript *self);

G_END_DECLS
