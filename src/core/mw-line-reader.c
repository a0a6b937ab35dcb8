/* mw-line-reader.c: protocol framing without I/O
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-line-reader.h"

#include <string.h>

/* How much is read from the network at a time, beyond the line cap. */
#define READ_CHUNK 16384

struct _MwLineReader
{
  guint8 *data;
  size_t  capacity;
  size_t  start;   /* first unconsumed byte */
  size_t  end;     /* one past the last received byte */
  size_t  scanned; /* bytes after start known to hold no LF */
  size_t  max_line;
};

MwLineReader *
mw_line_reader_new (size_t max_line)
{
  MwLineReader *self = g_new0 (MwLineReader, 1);

  g_return_val_if_fail (max_line > 0, NULL);

  self->max_line = max_line;
  self->capacity = max_line + READ_CHUNK;
  self->data = g_malloc (self->capacity);

  return self;
}

void
mw_line_reader_free (MwLineReader *self)
{
  if (self == NULL)
    return;

  g_free (self->data);
  g_free (self);
}

void
mw_line_reader_reset (MwLineReader *self)
{
  self->start = self->end = self->scanned = 0;
}

size_t
mw_line_reader_get_buffered (MwLineReader *self)
{
  return self->end - self->start;
}

size_t
mw_line_reader_get_max_line (MwLineReader *self)
{
  return self->max_line;
}

static void
compact (MwLineReader *self)
{
  if (self->start == 0)
    return;

  memmove (self->data, self->data + self->start, self->end - self->start);
  self->end -= self->start;
  self->start = 0;
}

guint8 *
mw_line_reader_get_space (MwLineReader *self,
                          size_t       *out_len)
{
  if (self->capacity - self->end < READ_CHUNK)
    compact (self);

  *out_len = self->capacity - self->end;
  return self->data + self->end;
}

void
mw_line_reader_commit (MwLineReader *self,
                       size_t        len)
{
  g_assert (len <= self->capacity - self->end);
  self->end += len;
}

size_t
mw_line_reader_push (MwLineReader *self,
                     const void   *data,
                     size_t        len)
{
  size_t  space;
  guint8 *dest = mw_line_reader_get_space (self, &space);
  size_t  n = MIN (space, len);

  memcpy (dest, data, n);
  mw_line_reader_commit (self, n);

  return n;
}

MwLineStatus
mw_line_reader_next_line (MwLineReader *self,
                          char        **out_line,
                          size_t       *out_len,
                          MwLineFlags  *out_flags)
{
  const guint8 *begin = self->data + self->start;
  size_t        avail = self->end - self->start;
  const guint8 *lf;
  size_t        len;
  MwLineFlags   flags = MW_LINE_FLAG_NONE;
  char         *line;

  lf = memchr (begin + self->scanned, '\n', avail - self->scanned);
  if (lf == NULL)
    {
      self->scanned = avail;
      /* Nothing but a line longer than the cap can fill this much. */
      if (avail > self->max_line)
        return MW_LINE_STATUS_TOO_LONG;
      return MW_LINE_STATUS_NEED_MORE;
    }

  len = (size_t) (lf - begin);
  if (len > 0 && begin[len - 1] == '\r')
    len--;
  else
    flags |= MW_LINE_FLAG_BARE_LF;

  if (len > self->max_line)
    return MW_LINE_STATUS_TOO_LONG;

  if (memchr (begin, '\0', len) != NULL)
    flags |= MW_LINE_FLAG_NUL;
  if (memchr (begin, '\r', len) != NULL)
    flags |= MW_LINE_FLAG_LONE_CR;

  line = g_malloc (len + 1);
  memcpy (line, begin, len);
  line[len] = '\0';

  self->start += (size_t) (lf - begin) + 1;
  self->scanned = 0;
  if (self->start == self->end)
    self->start = self->end = 0;

  *out_line = line;
  if (out_len != NULL)
    *out_len = len;
  if (out_flags != NULL)
    *out_flags = flags;

  return MW_LINE_STATUS_LINE;
}

/* Body decoding. The states say where in a line the decoder is. */
typedef enum
{
  BODY_LINE_START, /* at the first byte of a line */
  BODY_DOT,        /* a line began with "."; held back */
  BODY_DOT_CR,     /* a line began with ".\r"; both held back */
  BODY_MIDDLE,     /* inside a line */
  BODY_DONE,
} BodyState;

struct _MwBodyDecoder
{
  BodyState   state;
  gboolean    last_was_cr;
  MwBodyStats stats;
};

MwBodyDecoder *
mw_body_decoder_new (void)
{
  return g_new0 (MwBodyDecoder, 1);
}

void
mw_body_decoder_free (MwBodyDecoder *self)
{
  g_free (self);
}

void
mw_body_decoder_reset (MwBodyDecoder *self)
{
  memset (self, 0, sizeof *self);
}

const MwBodyStats *
mw_body_decoder_get_stats (MwBodyDecoder *self)
{
  return &self->stats;
}

size_t
mw_body_decoder_get_pending (MwBodyDecoder *self)
{
  switch (self->state)
    {
    case BODY_DOT:
      return 1;
    case BODY_DOT_CR:
      return 2;
    case BODY_LINE_START:
    case BODY_MIDDLE:
    case BODY_DONE:
    default:
      return 0;
    }
}

/* Copies the bytes of a line body up to and including the next LF. */
static size_t
copy_middle (MwBodyDecoder *self,
             const guint8  *in,
             size_t         in_len,
             guint8        *out,
             size_t        *o)
{
  const guint8 *lf = memchr (in, '\n', in_len);
  size_t        n = lf != NULL ? (size_t) (lf - in) + 1 : in_len;

  for (size_t i = 0; i < n; i++)
    {
      guint8 c = in[i];

      if (c == '\0')
        self->stats.flags |= MW_LINE_FLAG_NUL;
      if (self->last_was_cr && c != '\n')
        self->stats.flags |= MW_LINE_FLAG_LONE_CR;
      if (c == '\n' && !self->last_was_cr)
        self->stats.flags |= MW_LINE_FLAG_BARE_LF;
      self->last_was_cr = (c == '\r');
    }

  memcpy (out + *o, in, n);
  *o += n;

  if (lf != NULL)
    {
      self->stats.lines++;
      self->state = BODY_LINE_START;
    }

  return n;
}

size_t
mw_body_decoder_feed (MwBodyDecoder *self,
                      const guint8  *in,
                      size_t         in_len,
                      guint8        *out,
                      size_t        *out_len,
                      gboolean      *done)
{
  size_t i = 0;
  size_t o = 0;

  while (i < in_len && self->state != BODY_DONE)
    {
      guint8 c = in[i];

      switch (self->state)
        {
        case BODY_LINE_START:
          self->last_was_cr = FALSE;
          if (c == '.')
            {
              self->state = BODY_DOT;
              i++;
            }
          else
            {
              self->state = BODY_MIDDLE;
            }
          break;

        case BODY_DOT:
          if (c == '.')
            {
              /* A stuffed dot: keep one. */
              self->stats.flags |= MW_LINE_FLAG_DOT_STUFFED;
              out[o++] = '.';
              self->state = BODY_MIDDLE;
              i++;
            }
          else if (c == '\r')
            {
              self->state = BODY_DOT_CR;
              i++;
            }
          else if (c == '\n')
            {
              /* "." and a bare LF: the server meant the end. */
              self->stats.flags |= MW_LINE_FLAG_BARE_LF;
              self->state = BODY_DONE;
              i++;
            }
          else
            {
              /* The server did not stuff this dot; keep it as sent. */
              self->stats.flags |= MW_LINE_FLAG_UNSTUFFED_DOT;
              out[o++] = '.';
              self->state = BODY_MIDDLE;
            }
          break;

        case BODY_DOT_CR:
          if (c == '\n')
            {
              self->state = BODY_DONE;
              i++;
            }
          else
            {
              /* ".\r" then something else: not the end after all. */
              self->stats.flags |= MW_LINE_FLAG_UNSTUFFED_DOT;
              out[o++] = '.';
              out[o++] = '\r';
              self->last_was_cr = TRUE;
              self->state = BODY_MIDDLE;
            }
          break;

        case BODY_MIDDLE:
          i += copy_middle (self, in + i, in_len - i, out, &o);
          break;

        case BODY_DONE:
        default:
          g_assert_not_reached ();
        }
    }

  self->stats.bytes += o;
  *out_len = o;
  *done = (self->state == BODY_DONE);

  return i;
}

size_t
mw_line_reader_decode_body (MwLineReader  *self,
                            MwBodyDecoder *decoder,
                            guint8        *out,
                            size_t         out_size,
                            size_t        *out_len,
                            gboolean      *done)
{
  size_t avail = self->end - self->start;
  size_t take;
  size_t consumed;

  g_assert (out_size > 2);

  /* Output can exceed input by the two held-back bytes. */
  take = MIN (avail, out_size - 2);
  consumed = mw_body_decoder_feed (decoder, self->data + self->start, take,
                                   out, out_len, done);
  self->start += consumed;
  self->scanned = 0;
  if (self->start == self->end)
    self->start = self->end = 0;

  return consumed;
}
