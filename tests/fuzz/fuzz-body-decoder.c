/* fuzz-body-decoder.c: multi-line bodies from a hostile server
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "mw-line-reader.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* Decodes in one go: the reference the split runs must match. */
static GByteArray *
decode_whole (const uint8_t *data,
              size_t         size,
              size_t        *consumed)
{
  g_autoptr (MwBodyDecoder) decoder = mw_body_decoder_new ();
  GByteArray *out = g_byte_array_sized_new (size + 2);
  size_t      out_len = 0;
  gboolean    done = FALSE;

  g_byte_array_set_size (out, size + 2);
  *consumed = mw_body_decoder_feed (decoder, data, size, out->data, &out_len, &done);
  g_byte_array_set_size (out, out_len);
  return out;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr (MwBodyDecoder) decoder = mw_body_decoder_new ();
  g_autoptr (GByteArray) whole = NULL;
  g_autoptr (GByteArray) split = g_byte_array_new ();
  size_t   whole_consumed;
  size_t   offset = 0;
  size_t   step;
  gboolean done = FALSE;

  if (size < 1)
    return 0;

  step = 1 + data[0] % 17;
  data++;
  size--;

  whole = decode_whole (data, size, &whole_consumed);
  g_assert (whole->len <= size);

  /* However the bytes are split, the result is the same. */
  while (offset < size && !done)
    {
      size_t n = MIN (step, size - offset);
      guint8 out[32];
      size_t out_len = 0;
      size_t used = mw_body_decoder_feed (decoder, data + offset, n, out, &out_len, &done);

      g_assert (out_len <= n + 2);
      g_assert (mw_body_decoder_get_pending (decoder) <= 2);
      g_byte_array_append (split, out, out_len);
      offset += used;
    }

  g_assert (offset == whole_consumed);
  g_assert (split->len == whole->len);
  g_assert (whole->len == 0 || memcmp (split->data, whole->data, whole->len) == 0);

  return 0;
}
