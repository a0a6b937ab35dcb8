/* mw-line-reader.h: protocol framing without I/O
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * MwLineFlags:
 * @MW_LINE_FLAG_NONE: a clean CRLF-terminated line
 * @MW_LINE_FLAG_BARE_LF: the line ended with a bare LF instead of CRLF
 * @MW_LINE_FLAG_LONE_CR: the line holds a CR that is not part of a CRLF
 * @MW_LINE_FLAG_NUL: the line holds a NUL byte
 * @MW_LINE_FLAG_DOT_STUFFED: a leading dot was removed (multi-line bodies)
 * @MW_LINE_FLAG_UNSTUFFED_DOT: a body line began with a single dot that was
 *   not followed by another dot (a server that forgot to stuff it)
 *
 * What the reader noticed about a line or a body.
 */
typedef enum
{
  MW_LINE_FLAG_NONE = 0,
  MW_LINE_FLAG_BARE_LF = 1 << 0,
  MW_LINE_FLAG_LONE_CR = 1 << 1,
  MW_LINE_FLAG_NUL = 1 << 2,
  MW_LINE_FLAG_DOT_STUFFED = 1 << 3,
  MW_LINE_FLAG_UNSTUFFED_DOT = 1 << 4,
} MwLineFlags;

/**
 * MwLineStatus:
 * @MW_LINE_STATUS_NEED_MORE: no complete line is buffered yet
 * @MW_LINE_STATUS_LINE: a line was returned
 * @MW_LINE_STATUS_TOO_LONG: the buffered line exceeds the cap
 *
 * The outcome of mw_line_reader_next_line().
 */
typedef enum
{
  MW_LINE_STATUS_NEED_MORE,
  MW_LINE_STATUS_LINE,
  MW_LINE_STATUS_TOO_LONG,
} MwLineStatus;

typedef struct _MwLineReader MwLineReader;

/* A bounded buffer of bytes received from a peer, with status-line framing. */
MwLineReader *mw_line_reader_new (size_t max_line);
void          mw_line_reader_free (MwLineReader *self);
void          mw_line_reader_reset (MwLineReader *self);

/* Room to receive into: a pointer to *@out_len free bytes (the buffer never
 * grows beyond max_line plus one read). Zero free bytes means a line longer
 * than the cap fills the buffer. */
guint8 *mw_line_reader_get_space (MwLineReader *self,
                                  size_t       *out_len);
void    mw_line_reader_commit (MwLineReader *self,
                               size_t        len);

/* Feeds bytes from elsewhere (tests, fuzzing); returns how many were taken. */
size_t mw_line_reader_push (MwLineReader *self,
                            const void   *data,
                            size_t        len);

size_t mw_line_reader_get_buffered (MwLineReader *self);
size_t mw_line_reader_get_max_line (MwLineReader *self);

/* Takes one status line: CRLF or bare LF ends it; the terminator is not
 * returned. @out_line is a NUL-terminated copy (embedded NULs are kept and
 * reported through @out_len and MW_LINE_FLAG_NUL). */
MwLineStatus mw_line_reader_next_line (MwLineReader *self,
                                       char        **out_line,
                                       size_t       *out_len,
                                       MwLineFlags  *out_flags);

/* Multi-line bodies (POP3 RETR/TOP/CAPA…, SMTP is the other way round):
 * a streaming decoder that removes dot-stuffing and finds the terminating
 * "." line, whatever way the bytes are split. Line endings inside the body
 * are passed on exactly as received. */
typedef struct _MwBodyDecoder MwBodyDecoder;

typedef struct
{
  guint64     bytes; /* bytes of body produced, after unstuffing */
  guint64     lines; /* lines in the body */
  MwLineFlags flags; /* everything noticed on the way */
} MwBodyStats;

MwBodyDecoder *mw_body_decoder_new (void);
void           mw_body_decoder_free (MwBodyDecoder *self);
void           mw_body_decoder_reset (MwBodyDecoder *self);

/* Decodes as much of @in as possible into @out, which must hold at least
 * @in_len + 2 bytes (two held-back bytes may be released). Returns the number of
 * input bytes consumed; *@out_len gets the number of output bytes; *@done is
 * set when the terminator was consumed: bytes after it are not consumed. */
size_t mw_body_decoder_feed (MwBodyDecoder *self,
                             const guint8  *in,
                             size_t         in_len,
                             guint8        *out,
                             size_t        *out_len,
                             gboolean      *done);

const MwBodyStats *mw_body_decoder_get_stats (MwBodyDecoder *self);

/* Body bytes held back because they may be part of the terminator. They are
 * released by the next call to mw_body_decoder_feed(). */
size_t mw_body_decoder_get_pending (MwBodyDecoder *self);

/* Takes body bytes from a line reader's buffer. */
size_t mw_line_reader_decode_body (MwLineReader  *self,
                                   MwBodyDecoder *decoder,
                                   guint8        *out,
                                   size_t         out_size,
                                   size_t        *out_len,
                                   gboolean      *done);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MwLineReader, mw_line_reader_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MwBodyDecoder, mw_body_decoder_free)

G_END_DECLS
