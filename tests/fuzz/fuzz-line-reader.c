/* fuzz-line-reader.c: status lines from a hostile server
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

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr (MwLineReader) reader = NULL;
  size_t offset = 0;
  size_t max_line;
  size_t step;

  if (size < 2)
    return 0;

  /* The first bytes choose the cap and how the input is split. */
  max_line = 64 + data[0] * 8;
  step = 1 + data[1];
  data += 2;
  size -= 2;

  reader = mw_line_reader_new (max_line);
  while (offset < size)
    {
      size_t       n = MIN (step, size - offset);
      size_t       taken = mw_line_reader_push (reader, data + offset, n);
      MwLineStatus status;

      offset += taken;
      do
        {
          char       *line = NULL;
          size_t      len = 0;
          MwLineFlags flags = 0;

          status = mw_line_reader_next_line (reader, &line, &len, &flags);
          if (status == MW_LINE_STATUS_LINE)
            {
              g_assert (len <= max_line);
              g_assert (line[len] == '\0');
              g_assert (memchr (line, '\n', len) == NULL);
              g_free (line);
            }
        }
      while (status == MW_LINE_STATUS_LINE);

      if (status == MW_LINE_STATUS_TOO_LONG)
        break;
      g_assert (mw_line_reader_get_buffered (reader) <= max_line + 16384);
    }

  return 0;
}
