/* test-data-encoder.c: CRLF normalization and dot-stuffing for SMTP
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-data-encoder.h"

#include <string.h>

/* The whole-buffer definition the streaming encoder must match. */
static GByteArray *
reference_encode (const guint8 *in,
                  size_t        len,
                  gboolean      data_mode)
{
  GByteArray *out = g_byte_array_new ();
  gboolean    line_start = TRUE;
  size_t      i = 0;

  while (i < len)
    {
      if (in[i] == '\r' || in[i] == '\n')
        {
          i += (in[i] == '\r' && i + 1 < len && in[i + 1] == '\n') ? 2 : 1;
          g_byte_array_append (out, (const guint8 *) "\r\n", 2);
          line_start = TRUE;
          continue;
        }
      if (line_start && in[i] == '.' && data_mode)
        g_byte_array_append (out, (const guint8 *) ".", 1);
      g_byte_array_append (out, &in[i], 1);
      line_start = FALSE;
      i++;
    }

  if (!line_start)
    g_byte_array_append (out, (const guint8 *) "\r\n", 2);
  if (data_mode)
    g_byte_array_append (out, (const guint8 *) ".\r\n", 3);
  return out;
}

/* Feeds @in cut at each position in @cuts (ascending, ending with len). */
static GByteArray *
encode_split (MwDataEncoderMode mode,
              const guint8     *in,
              size_t            len,
              const size_t     *cuts,
              size_t            n_cuts)
{
  g_autoptr (MwDataEncoder) encoder = mw_data_encoder_new (mode);
  GByteArray *out = g_byte_array_new ();
  size_t      start = 0;

  for (size_t i = 0; i < n_cuts; i++)
    {
      size_t chunk = cuts[i] - start;
      guint8 buffer[2 * 100 + 2];
      size_t n;

      g_assert_cmpuint (chunk, <=, 100);
      n = mw_data_encoder_feed (encoder, in + start, chunk, buffer,
                                mw_data_encoder_max_output (chunk));
      g_assert_cmpuint (n, <=, 2 * chunk + 2);
      g_byte_array_append (out, buffer, (guint) n);
      start = cuts[i];
    }
  g_assert_cmpuint (start, ==, len);

  mw_data_encoder_finish_to_array (encoder, out);
  g_assert_true (mw_data_encoder_is_finished (encoder));
  g_assert_cmpuint (mw_data_encoder_get_bytes_in (encoder), ==, len);
  g_assert_cmpuint (mw_data_encoder_get_bytes_out (encoder), ==, out->len);
  g_assert_cmpuint (out->len, <=, 2 * len + 5);
  return out;
}

static void
assert_no_early_end (GByteArray *out,
                     gboolean    data_mode)
{
  const char *text = (const char *) out->data;

  /* "\r\n.\r\n" only as the terminator of DATA (BDAT carries any
   * bytes), and no bare CR or LF. */
  for (size_t i = 0; data_mode && i + 5 <= out->len; i++)
    if (memcmp (text + i, "\r\n.\r\n", 5) == 0)
      g_assert_cmpuint (i + 5, ==, out->len);
  if (out->len > 3 && data_mode)
    g_assert_false (memcmp (text, ".\r\n", 3) == 0);

  for (size_t i = 0; i < out->len; i++)
    {
      if (text[i] == '\r')
        g_assert_true (i + 1 < out->len && text[i + 1] == '\n');
      if (text[i] == '\n')
        g_assert_true (i > 0 && text[i - 1] == '\r');
    }
}

static void
check_input (const guint8 *in,
             size_t        len,
             gboolean      every_cut)
{
  for (int mode = MW_DATA_ENCODER_MODE_DATA; mode <= MW_DATA_ENCODER_MODE_BDAT; mode++)
    {
      gboolean data_mode = mode == MW_DATA_ENCODER_MODE_DATA;
      g_autoptr (GByteArray) expected = reference_encode (in, len, data_mode);
      size_t singles[64];
      size_t whole[1] = { len };

      g_assert_cmpuint (len, <, G_N_ELEMENTS (singles));

      /* In one piece. */
      {
        g_autoptr (GByteArray) out = encode_split (mode, in, len, whole, 1);

        g_assert_cmpmem (out->data, out->len, expected->data, expected->len);
        assert_no_early_end (out, data_mode);
      }

      /* Cut in two at every position. */
      for (size_t cut = 0; cut <= len; cut++)
        {
          size_t cuts[2] = { cut, len };
          g_autoptr (GByteArray) out = encode_split (mode, in, len, cuts, 2);

          g_assert_cmpmem (out->data, out->len, expected->data, expected->len);
        }

      /* One byte at a time. */
      if (every_cut)
        {
          for (size_t i = 0; i < len; i++)
            singles[i] = i + 1;
          {
            g_autoptr (GByteArray) out = encode_split (mode, in, len, singles, len);

            g_assert_cmpmem (out->data, out->len, expected->data, expected->len);
          }
        }
    }
}

static void
test_exhaustive (void)
{
  static const guint8 alphabet[] = { '\r', '\n', '.', 'a' };
  guint8              in[6];

  for (size_t len = 0; len <= sizeof in; len++)
    {
      size_t total = 1;

      for (size_t i = 0; i < len; i++)
        total *= G_N_ELEMENTS (alphabet);

      for (size_t k = 0; k < total; k++)
        {
          size_t v = k;

          for (size_t i = 0; i < len; i++)
            {
              in[i] = alphabet[v % G_N_ELEMENTS (alphabet)];
              v /= G_N_ELEMENTS (alphabet);
            }
          check_input (in, len, len <= 5);
        }
    }
}

static void
test_examples (void)
{
  static const struct
  {
    const char *in;
    const char *data;
    const char *bdat;
  } cases[] = {
    { "", ".\r\n", "" },
    { "a", "a\r\n.\r\n", "a\r\n" },
    { "a\r\n", "a\r\n.\r\n", "a\r\n" },
    { "a\n", "a\r\n.\r\n", "a\r\n" },
    { "a\r", "a\r\n.\r\n", "a\r\n" },
    { ".", "..\r\n.\r\n", ".\r\n" },
    { ".\r\n", "..\r\n.\r\n", ".\r\n" },
    { "a\r\n.b\r\n..c\r\n", "a\r\n..b\r\n...c\r\n.\r\n", "a\r\n.b\r\n..c\r\n" },
    { "a.b\n", "a.b\r\n.\r\n", "a.b\r\n" },
    { "\n\n", "\r\n\r\n.\r\n", "\r\n\r\n" },
    { "\r\r", "\r\n\r\n.\r\n", "\r\n\r\n" },
    { "\n\r", "\r\n\r\n.\r\n", "\r\n\r\n" },
    { "\r\n\r", "\r\n\r\n.\r\n", "\r\n\r\n" },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      for (int mode = MW_DATA_ENCODER_MODE_DATA; mode <= MW_DATA_ENCODER_MODE_BDAT; mode++)
        {
          g_autoptr (MwDataEncoder) encoder = mw_data_encoder_new (mode);
          g_autoptr (GByteArray) out = g_byte_array_new ();
          const char *expected = mode == MW_DATA_ENCODER_MODE_DATA ? cases[i].data : cases[i].bdat;

          g_assert_cmpint (mw_data_encoder_get_mode (encoder), ==, mode);
          mw_data_encoder_feed_to_array (encoder, (const guint8 *) cases[i].in,
                                         strlen (cases[i].in), out);
          mw_data_encoder_finish_to_array (encoder, out);
          g_assert_cmpmem (out->data, out->len, expected, strlen (expected));
        }
    }
}

static void
test_smuggling (void)
{
  static const char *cases[] = {
    "Subject: x\r\n\r\nhello\n.\nMAIL FROM:<evil@example.com>\r\n",
    "Subject: x\r\n\r\nhello\r.\rMAIL FROM:<evil@example.com>\r\n",
    "Subject: x\r\n\r\nhello\n.\r\nMAIL FROM:<evil@example.com>\r\n",
    "Subject: x\r\n\r\nhello\r\n.\nMAIL FROM:<evil@example.com>\r\n",
    "Subject: x\r\n\r\nhello\r.\r\nMAIL FROM:<evil@example.com>\r\n",
    "Subject: x\r\n\r\nhello\r\n.\rMAIL FROM:<evil@example.com>\r\n",
    "Subject: x\r\n\r\nhello\r\n.\r\nMAIL FROM:<evil@example.com>\r\n",
    "Subject: x\r\n\r\nhello\n\n.\n\nQUIT\n",
    "\n.\n",
    "\r.\r",
    "\n.\r\n",
    "\r\n.\n",
    "\r.\n",
    ".\r\n",
    "\r\n.\r\n",
    "\r\n..\r\n.\r\n",
    "a\r\r\n.\r\r\n",
    "a\n\r.\n\r",
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const guint8 *in = (const guint8 *) cases[i];
      size_t        len = strlen (cases[i]);

      g_test_message ("input %zu", i);
      check_input (in, len, TRUE);

      /* Cut in three at every pair of positions. */
      for (size_t a = 0; a <= len; a++)
        for (size_t b = a; b <= len; b++)
          {
            size_t cuts[3] = { a, b, len };
            g_autoptr (GByteArray) out = encode_split (MW_DATA_ENCODER_MODE_DATA, in, len, cuts, 3);

            assert_no_early_end (out, TRUE);
          }
    }
}

static void
test_bound (void)
{
  /* The worst case: bare CRs before dots. */
  g_autoptr (GString) in = g_string_new (NULL);
  g_autoptr (MwDataEncoder) encoder = mw_data_encoder_new (MW_DATA_ENCODER_MODE_DATA);
  g_autoptr (GByteArray) out = g_byte_array_new ();

  for (int i = 0; i < 1000; i++)
    g_string_append (in, "\r.");
  g_string_append_c (in, '\r');

  for (size_t i = 0; i < in->len; i++)
    mw_data_encoder_feed_to_array (encoder, (const guint8 *) in->str + i, 1, out);
  mw_data_encoder_finish_to_array (encoder, out);
  g_assert_cmpuint (out->len, <=, 2 * in->len + 5);
  g_assert_cmpuint (out->len, ==, 2 * in->len + 3);
  g_assert_cmpuint (mw_data_encoder_max_output (10), ==, 22);
}

static void
test_caller_buffer (void)
{
  g_autoptr (MwDataEncoder) encoder = mw_data_encoder_new (MW_DATA_ENCODER_MODE_DATA);
  g_autoptr (MwDataEncoder) copy = NULL;
  guint8 buffer[64];
  guint8 last[MW_DATA_ENCODER_FINISH_MAX];
  size_t n;

  memset (buffer, 0xaa, sizeof buffer);
  n = mw_data_encoder_feed (encoder, (const guint8 *) "x\r", 2, buffer, sizeof buffer);
  g_assert_cmpmem (buffer, n, "x", 1);

  /* The copy carries the pending CR. */
  copy = mw_data_encoder_copy (encoder);
  n = mw_data_encoder_feed (copy, (const guint8 *) "\n.", 2, buffer, sizeof buffer);
  g_assert_cmpmem (buffer, n, "\r\n..", 4);
  n = mw_data_encoder_finish (copy, last, sizeof last);
  g_assert_cmpmem (last, n, "\r\n.\r\n", 5);

  n = mw_data_encoder_feed (encoder, NULL, 0, NULL, 0);
  g_assert_cmpuint (n, ==, 0);
  n = mw_data_encoder_finish (encoder, last, sizeof last);
  g_assert_cmpmem (last, n, "\r\n.\r\n", 5);

  /* A reset starts a new message. */
  mw_data_encoder_reset (encoder);
  g_assert_false (mw_data_encoder_is_finished (encoder));
  g_assert_cmpuint (mw_data_encoder_get_bytes_out (encoder), ==, 0);
  n = mw_data_encoder_feed (encoder, (const guint8 *) ".", 1, buffer, sizeof buffer);
  g_assert_cmpmem (buffer, n, "..", 2);
}

static void
test_boxed (void)
{
  MwDataEncoder *encoder = mw_data_encoder_new (MW_DATA_ENCODER_MODE_BDAT);
  MwDataEncoder *copy = g_boxed_copy (MW_TYPE_DATA_ENCODER, encoder);

  g_assert_cmpint (mw_data_encoder_get_mode (copy), ==, MW_DATA_ENCODER_MODE_BDAT);
  g_boxed_free (MW_TYPE_DATA_ENCODER, copy);
  mw_data_encoder_free (encoder);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/data-encoder/exhaustive", test_exhaustive);
  g_test_add_func ("/core/data-encoder/examples", test_examples);
  g_test_add_func ("/core/data-encoder/smuggling", test_smuggling);
  g_test_add_func ("/core/data-encoder/bound", test_bound);
  g_test_add_func ("/core/data-encoder/caller-buffer", test_caller_buffer);
  g_test_add_func ("/core/data-encoder/boxed", test_boxed);

  return g_test_run ();
}
