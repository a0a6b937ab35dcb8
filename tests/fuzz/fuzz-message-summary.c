/* fuzz-message-summary.c: TOP headers into a message summary
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "mw-message-summary.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check_text (const char *text)
{
  if (text == NULL)
    return;
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_cmpint (g_utf8_strlen (text, -1), <=, MW_MESSAGE_SUMMARY_MAX_TEXT + 1);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr (MwMessageSummary) summary = mw_message_summary_new (1, size);

  mw_message_summary_set_headers (summary, (const char *) data, size);

  check_text (mw_message_summary_get_from (summary));
  check_text (mw_message_summary_get_from_address (summary));
  check_text (mw_message_summary_get_to (summary));
  check_text (mw_message_summary_get_subject (summary));
  check_text (mw_message_summary_get_message_id (summary));
  check_text (mw_message_summary_get_problem (summary));
  (void) mw_message_summary_get_date (summary);
  (void) mw_message_summary_get_has_attachments (summary);
  (void) mw_message_summary_get_flags (summary);

  return 0;
}
