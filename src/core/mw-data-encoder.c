/* mw-data-encoder.c: SMTP message data normalizer
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-data-encoder.h"

/* MwDataEncoder turns arbitrary message bytes into what SMTP may carry:
 * every line ends in CRLF (a bare LF or a bare CR becomes CRLF, so no
 * "\n.\n" or "\r.\r" can end the data early at a lax server), and in DATA
 * mode every line that starts with "." gets one more (RFC 5321 section
 * 4.5.2). Input arrives in chunks split anywhere; the encoder keeps the
 * two facts it needs across them: whether a CR is pending and whether the
 * next byte starts a line.
 *
 * Each input byte writes at most two bytes, except that the byte after a
 * pending CR may also write the CRLF for it: a feed of n bytes writes at
 * most 2n + 2, and the whole stream at most 2n + 5 with the finish. */

struct _MwDataEncoder
{
  MwDataEncoderMode mode;
  gboolean          pending_cr;
  gboolean          line_start;
  gboolean          finished;
  guint64           bytes_in;
  guint64           bytes_out;
};

/* Not G_DEFINE_BOXED_TYPE: its transparent union trips -Wpedantic. */
GType
mw_data_encoder_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      GType type = g_boxed_type_register_static (g_intern_static_string ("MwDataEncoder"),
                                                 (GBoxedCopyFunc) mw_data_encoder_copy,
                                                 (GBoxedFreeFunc) mw_data_encoder_free);

      g_once_init_leave (&type_id, type);
    }
  return type_id;
}

/**
 * mw_data_encoder_new:
 * @mode: DATA or BDAT
 *
 * Returns: (transfer full): a new encoder at the start of a message
 */
MwDataEncoder *
mw_data_encoder_new (MwDataEncoderMode mode)
{
  MwDataEncoder *self;

  g_return_val_if_fail (mode == MW_DATA_ENCODER_MODE_DATA ||
                          mode == MW_DATA_ENCODER_MODE_BDAT,
                        NULL);

  self = g_new0 (MwDataEncoder, 1);
  self->mode = mode;
  mw_data_encoder_reset (self);
  return self;
}

/**
 * mw_data_encoder_copy:
 * @self: a #MwDataEncoder
 *
 * Returns: (transfer full): an encoder in the same state
 */
MwDataEncoder *
mw_data_encoder_copy (const MwDataEncoder *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_memdup2 (self, sizeof *self);
}

void
mw_data_encoder_free (MwDataEncoder *self)
{
  g_free (self);
}

MwDataEncoderMode
mw_data_encoder_get_mode (const MwDataEncoder *self)
{
  g_return_val_if_fail (self != NULL, MW_DATA_ENCODER_MODE_DATA);

  return self->mode;
}

/**
 * mw_data_encoder_reset:
 * @self: a #MwDataEncoder
 *
 * Starts a new message.
 */
void
mw_data_encoder_reset (MwDataEncoder *self)
{
  g_return_if_fail (self != NULL);

  self->pending_cr = FALSE;
  self->line_start = TRUE;
  self->finished = FALSE;
  self->bytes_in = 0;
  self->bytes_out = 0;
}

/**
 * mw_data_encoder_max_output:
 * @len: an input length
 *
 * Returns: the most mw_data_encoder_feed() writes for @len input bytes
 */
size_t
mw_data_encoder_max_output (size_t len)
{
  g_return_val_if_fail (len <= (G_MAXSIZE - 2) / 2, G_MAXSIZE);

  return 2 * len + 2;
}

/**
 * mw_data_encoder_feed:
 * @self: a #MwDataEncoder
 * @data: (array length=len): message bytes
 * @len: their number
 * @out: (array length=out_size): where the encoded bytes go
 * @out_size: the size of @out, at least mw_data_encoder_max_output (@len)
 *
 * Returns: the number of bytes written to @out
 */
size_t
mw_data_encoder_feed (MwDataEncoder *self,
                      const guint8  *data,
                      size_t         len,
                      guint8        *out,
                      size_t         out_size)
{
  gboolean stuff;
  size_t   n = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (!self->finished, 0);
  g_return_val_if_fail (data != NULL || len == 0, 0);
  g_return_val_if_fail (len <= (G_MAXSIZE - 2) / 2, 0);
  g_return_val_if_fail (out != NULL || len == 0, 0);
  g_return_val_if_fail (len == 0 || out_size >= mw_data_encoder_max_output (len), 0);

  stuff = self->mode == MW_DATA_ENCODER_MODE_DATA;

  for (size_t i = 0; i < len; i++)
    {
      guint8 c = data[i];

      if (c == '\n')
        {
          /* LF, alone or after a CR. */
          out[n++] = '\r';
          out[n++] = '\n';
          self->pending_cr = FALSE;
          self->line_start = TRUE;
          continue;
        }

      if (self->pending_cr)
        {
          /* The CR before this byte was bare. */
          out[n++] = '\r';
          out[n++] = '\n';
          self->pending_cr = FALSE;
          self->line_start = TRUE;
        }

      if (c == '\r')
        {
          self->pending_cr = TRUE;
          continue;
        }

      if (self->line_start && c == '.' && stuff)
        out[n++] = '.';
      out[n++] = c;
      self->line_start = FALSE;
    }

  g_assert (n <= out_size);
  self->bytes_in += len;
  self->bytes_out += n;
  return n;
}

/**
 * mw_data_encoder_feed_to_array:
 * @self: a #MwDataEncoder
 * @data: (array length=len): message bytes
 * @len: their number
 * @out: the array the encoded bytes are appended to
 */
void
mw_data_encoder_feed_to_array (MwDataEncoder *self,
                               const guint8  *data,
                               size_t         len,
                               GByteArray    *out)
{
  guint  old_len;
  size_t written;

  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL);
  g_return_if_fail (len <= (G_MAXUINT - out->len - 2) / 2);

  old_len = out->len;
  g_byte_array_set_size (out, old_len + (guint) mw_data_encoder_max_output (len));
  written = mw_data_encoder_feed (self, data, len, out->data + old_len,
                                  out->len - old_len);
  g_byte_array_set_size (out, old_len + (guint) written);
}

/**
 * mw_data_encoder_finish:
 * @self: a #MwDataEncoder
 * @out: (array length=out_size): where the last bytes go
 * @out_size: the size of @out, at least %MW_DATA_ENCODER_FINISH_MAX
 *
 * Ends the data: a CRLF if the last line had none, and in DATA mode the
 * terminating ".\r\n". The encoder takes no more input until reset.
 *
 * Returns: the number of bytes written to @out
 */
size_t
mw_data_encoder_finish (MwDataEncoder *self,
                        guint8        *out,
                        size_t         out_size)
{
  size_t n = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (!self->finished, 0);
  g_return_val_if_fail (out != NULL, 0);
  g_return_val_if_fail (out_size >= MW_DATA_ENCODER_FINISH_MAX, 0);

  if (self->pending_cr || !self->line_start)
    {
      out[n++] = '\r';
      out[n++] = '\n';
    }
  if (self->mode == MW_DATA_ENCODER_MODE_DATA)
    {
      out[n++] = '.';
      out[n++] = '\r';
      out[n++] = '\n';
    }

  self->pending_cr = FALSE;
  self->line_start = TRUE;
  self->finished = TRUE;
  self->bytes_out += n;
  return n;
}

/**
 * mw_data_encoder_finish_to_array:
 * @self: a #MwDataEncoder
 * @out: the array the last bytes are appended to
 */
void
mw_data_encoder_finish_to_array (MwDataEncoder *self,
                                 GByteArray    *out)
{
  guint8 last[MW_DATA_ENCODER_FINISH_MAX];
  size_t n;

  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL);

  n = mw_data_encoder_finish (self, last, sizeof last);
  g_byte_array_append (out, last, (guint) n);
}

gboolean
mw_data_encoder_is_finished (const MwDataEncoder *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->finished;
}

/**
 * mw_data_encoder_get_bytes_in:
 * @self: a #MwDataEncoder
 *
 * Returns: the message bytes fed since the start, for progress
 */
guint64
mw_data_encoder_get_bytes_in (const MwDataEncoder *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->bytes_in;
}

/**
 * mw_data_encoder_get_bytes_out:
 * @self: a #MwDataEncoder
 *
 * Returns: the bytes written since the start, the terminator included
 */
guint64
mw_data_encoder_get_bytes_out (const MwDataEncoder *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->bytes_out;
}
