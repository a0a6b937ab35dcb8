/* test-line-reader.c
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "mw-line-reader.h"

static char *
take_line (MwLineReader *reader,
           MwLineFlags  *flags)
{
  char  *line = NULL;
  size_t len = 0;

  g_assert_cmpint (mw_line_reader_next_line (reader, &line, &len, flags), ==, MW_LINE_STATUS_LINE);
  g_assert_cmpuint (strlen (line), <=, len);
  return line;
}

static void
test_lines_crlf (void)
{
  g_autoptr (MwLineReader) reader = mw_line_reader_new (512);
  const char *input = "+OK hello\r\n-ERR no\r\n+OK";
  MwLineFlags flags;
  char       *line = NULL;
  size_t      len;

  g_assert_cmpuint (mw_line_reader_push (reader, input, strlen (input)), ==, strlen (input));

  line = take_line (reader, &flags);
  g_assert_cmpstr (line, ==, "+OK hello");
  g_assert_cmpint (flags, ==, MW_LINE_FLAG_NONE);
  g_free (line);

  line = take_line (reader, &flags);
  g_assert_cmpstr (line, ==, "-ERR no");
  g_free (line);

  /* The rest waits for its line ending. */
  g_assert_cmpint (mw_line_reader_next_line (reader, &line, &len, &flags), ==, MW_LINE_STATUS_NEED_MORE);
  g_assert_cmpuint (mw_line_reader_get_buffered (reader), ==, 3);
  mw_line_reader_push (reader, "\r\n", 2);
  line = take_line (reader, &flags);
  g_assert_cmpstr (line, ==, "+OK");
  g_free (line);
  g_assert_cmpuint (mw_line_reader_get_buffered (reader), ==, 0);
}

static void
test_lines_byte_by_byte (void)
{
  g_autoptr (MwLineReader) reader = mw_line_reader_new (512);
  const char *input = "250-first\r\n250 last\r\n";
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  for (size_t i = 0; input[i] != '\0'; i++)
    {
      char  *line = NULL;
      size_t len;

      mw_line_reader_push (reader, input + i, 1);
      if (mw_line_reader_next_line (reader, &line, &len, NULL) == MW_LINE_STATUS_LINE)
        g_ptr_array_add (lines, line);
    }

  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, "250-first");
  g_assert_cmpstr (g_ptr_array_index (lines, 1), ==, "250 last");
}

static void
test_lines_odd_bytes (void)
{
  g_autoptr (MwLineReader) reader = mw_line_reader_new (512);
  const char  input[] = "bare\nlone\rcr\r\nnul\0byte\r\n";
  MwLineFlags flags;
  char       *line = NULL;
  size_t      len = 0;

  mw_line_reader_push (reader, input, sizeof input - 1);

  /* A bare LF ends a line, and says so. */
  line = take_line (reader, &flags);
  g_assert_cmpstr (line, ==, "bare");
  g_assert_true (flags & MW_LINE_FLAG_BARE_LF);
  g_free (line);

  /* A lone CR does not end a line: it is kept and reported. */
  line = take_line (reader, &flags);
  g_assert_cmpstr (line, ==, "lone\rcr");
  g_assert_true (flags & MW_LINE_FLAG_LONE_CR);
  g_assert_false (flags & MW_LINE_FLAG_BARE_LF);
  g_free (line);

  /* NUL is kept, with the true length. */
  g_assert_cmpint (mw_line_reader_next_line (reader, &line, &len, &flags), ==, MW_LINE_STATUS_LINE);
  g_assert_cmpuint (len, ==, 8);
  g_assert_true (flags & MW_LINE_FLAG_NUL);
  g_assert_cmpmem (line, len, "nul\0byte", 8);
  g_free (line);
}

static void
test_lines_cap (void)
{
  g_autoptr (MwLineReader) reader = mw_line_reader_new (64);
  g_autofree char *exact = g_strnfill (64, 'a');
  g_autofree char *too_long = g_strnfill (65, 'b');
  char            *line = NULL;
  size_t           len;

  /* Exactly at the cap is fine. */
  mw_line_reader_push (reader, exact, 64);
  mw_line_reader_push (reader, "\r\n", 2);
  g_assert_cmpint (mw_line_reader_next_line (reader, &line, &len, NULL), ==, MW_LINE_STATUS_LINE);
  g_assert_cmpuint (len, ==, 64);
  g_free (line);

  /* One more byte is refused, whether the line ending has come… */
  mw_line_reader_push (reader, too_long, 65);
  mw_line_reader_push (reader, "\r\n", 2);
  g_assert_cmpint (mw_line_reader_next_line (reader, &line, &len, NULL), ==, MW_LINE_STATUS_TOO_LONG);

  /* …or not. */
  mw_line_reader_reset (reader);
  mw_line_reader_push (reader, too_long, 65);
  g_assert_cmpint (mw_line_reader_next_line (reader, &line, &len, NULL), ==, MW_LINE_STATUS_TOO_LONG);
}

static void
test_lines_bounded (void)
{
  g_autoptr (MwLineReader) reader = mw_line_reader_new (100);
  guint8 junk[4096];
  size_t total = 0;

  memset (junk, 'x', sizeof junk);

  /* A server that never sends LF cannot grow the buffer. */
  for (int i = 0; i < 1000; i++)
    {
      size_t space;

      mw_line_reader_get_space (reader, &space);
      if (space == 0)
        break;
      total += mw_line_reader_push (reader, junk, sizeof junk);
    }

  g_assert_cmpuint (total, <=, 100 + 16384);
  g_assert_cmpuint (mw_line_reader_get_buffered (reader), ==, total);
}

/* Decodes @input fed in pieces of @chunk bytes; returns the output. */
static GByteArray *
decode (const char  *input,
        size_t       len,
        size_t       chunk,
        size_t      *out_consumed,
        MwBodyStats *out_stats)
{
  g_autoptr (MwBodyDecoder) decoder = mw_body_decoder_new ();
  GByteArray *out = g_byte_array_new ();
  size_t      consumed = 0;
  gboolean    done = FALSE;

  while (consumed < len && !done)
    {
      size_t n = MIN (chunk, len - consumed);
      guint8 buffer[64];
      size_t out_len = 0;
      size_t used;

      g_assert_cmpuint (n + 2, <=, sizeof buffer);
      used = mw_body_decoder_feed (decoder, (const guint8 *) input + consumed, n,
                                   buffer, &out_len, &done);
      g_assert_cmpuint (mw_body_decoder_get_pending (decoder), <=, 2);
      g_byte_array_append (out, buffer, out_len);
      consumed += used;
      if (!done)
        g_assert_cmpuint (used, ==, n);
    }

  g_assert_true (done);
  *out_consumed = consumed;
  *out_stats = *mw_body_decoder_get_stats (decoder);
  return out;
}

static void
test_body_unstuffing (void)
{
  const char *input = "Subject: x\r\n\r\n..dot\r\n...two\r\nend\r\n.\r\n+OK next\r\n";
  const char *expect = "Subject: x\r\n\r\n.dot\r\n..two\r\nend\r\n";
  g_autoptr (GByteArray) out = NULL;
  MwBodyStats stats;
  size_t      consumed;

  out = decode (input, strlen (input), 60, &consumed, &stats);
  g_assert_cmpmem (out->data, out->len, expect, strlen (expect));
  g_assert_cmpuint (stats.lines, ==, 5);
  g_assert_cmpuint (stats.bytes, ==, strlen (expect));
  g_assert_true (stats.flags & MW_LINE_FLAG_DOT_STUFFED);
  /* What follows the terminator is left for the next reply. */
  g_assert_cmpstr (input + consumed, ==, "+OK next\r\n");
}

static void
test_body_every_split (void)
{
  const char *input = "a\r\n..b\r\n.\rc\r\n\r\n.\r\nafter";
  const char *expect = "a\r\n.b\r\n.\rc\r\n\r\n";
  size_t      len = strlen (input);

  /* Chunk sizes from one byte up: the terminator and the stuffed dots fall
   * across every boundary. */
  for (size_t chunk = 1; chunk <= len; chunk++)
    {
      g_autoptr (GByteArray) out = NULL;
      MwBodyStats stats;
      size_t      consumed;

      out = decode (input, len, chunk, &consumed, &stats);
      g_assert_cmpmem (out->data, out->len, expect, strlen (expect));
      g_assert_cmpstr (input + consumed, ==, "after");
      g_assert_true (stats.flags & MW_LINE_FLAG_LONE_CR);
      g_assert_true (stats.flags & MW_LINE_FLAG_UNSTUFFED_DOT);
    }
}

static void
test_body_empty (void)
{
  g_autoptr (GByteArray) out = NULL;
  MwBodyStats stats;
  size_t      consumed;

  out = decode (".\r\n", 3, 3, &consumed, &stats);
  g_assert_cmpuint (out->len, ==, 0);
  g_assert_cmpuint (stats.lines, ==, 0);
  g_assert_cmpuint (consumed, ==, 3);
}

static void
test_body_bare_lf (void)
{
  const char *input = "one\ntwo\r\n.\n";
  g_autoptr (GByteArray) out = NULL;
  MwBodyStats stats;
  size_t      consumed;

  /* Bare LF passes through as it came; "." with a bare LF still ends. */
  out = decode (input, strlen (input), 1, &consumed, &stats);
  g_assert_cmpmem (out->data, out->len, "one\ntwo\r\n", 9);
  g_assert_true (stats.flags & MW_LINE_FLAG_BARE_LF);
  g_assert_cmpuint (stats.lines, ==, 2);
}

static void
test_body_nul (void)
{
  const char input[] = "a\0b\r\n.\r\n";
  g_autoptr (GByteArray) out = NULL;
  MwBodyStats stats;
  size_t      consumed;

  out = decode (input, sizeof input - 1, 2, &consumed, &stats);
  g_assert_cmpmem (out->data, out->len, "a\0b\r\n", 5);
  g_assert_true (stats.flags & MW_LINE_FLAG_NUL);
}

static void
test_body_bounded (void)
{
  g_autoptr (MwBodyDecoder) decoder = mw_body_decoder_new ();
  guint8   in[4096];
  guint8   out[4096 + 2];
  gboolean done = FALSE;

  /* Megabytes of dots and line ends never hold back more than two bytes. */
  for (size_t i = 0; i < sizeof in; i++)
    in[i] = "..\r\n.\r"[i % 6];

  for (int round = 0; round < 1000; round++)
    {
      size_t out_len;
      size_t used = mw_body_decoder_feed (decoder, in, sizeof in, out, &out_len, &done);

      g_assert_false (done);
      g_assert_cmpuint (used, ==, sizeof in);
      g_assert_cmpuint (out_len, <=, sizeof in + 2);
      g_assert_cmpuint (mw_body_decoder_get_pending (decoder), <=, 2);
    }
}

static void
test_body_from_reader (void)
{
  g_autoptr (MwLineReader) reader = mw_line_reader_new (512);
  g_autoptr (MwBodyDecoder) decoder = mw_body_decoder_new ();
  const char *input = "+OK 2 octets\r\nhi\r\n.\r\n+OK bye\r\n";
  guint8      out[64];
  size_t      out_len = 0;
  gboolean    done = FALSE;
  char       *line = NULL;
  size_t      len;

  mw_line_reader_push (reader, input, strlen (input));
  g_assert_cmpint (mw_line_reader_next_line (reader, &line, &len, NULL), ==, MW_LINE_STATUS_LINE);
  g_assert_cmpstr (line, ==, "+OK 2 octets");
  g_free (line);

  mw_line_reader_decode_body (reader, decoder, out, sizeof out, &out_len, &done);
  g_assert_true (done);
  g_assert_cmpmem (out, out_len, "hi\r\n", 4);

  g_assert_cmpint (mw_line_reader_next_line (reader, &line, &len, NULL), ==, MW_LINE_STATUS_LINE);
  g_assert_cmpstr (line, ==, "+OK bye");
  g_free (line);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/line-reader/crlf", test_lines_crlf);
  g_test_add_func ("/core/line-reader/byte-by-byte", test_lines_byte_by_byte);
  g_test_add_func ("/core/line-reader/bare-lf-lone-cr-nul", test_lines_odd_bytes);
  g_test_add_func ("/core/line-reader/cap", test_lines_cap);
  g_test_add_func ("/core/line-reader/bounded", test_lines_bounded);
  g_test_add_func ("/core/body/dot-unstuffing", test_body_unstuffing);
  g_test_add_func ("/core/body/terminator-every-split", test_body_every_split);
  g_test_add_func ("/core/body/empty", test_body_empty);
  g_test_add_func ("/core/body/bare-lf", test_body_bare_lf);
  g_test_add_func ("/core/body/nul", test_body_nul);
  g_test_add_func ("/core/body/bounded", test_body_bounded);
  g_test_add_func ("/core/body/from-reader", test_body_from_reader);

  return g_test_run ();
}
