/* fuzz-reply-explainer.c: explaining whatever a server answered
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "mw-reply-explainer.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  g_autoptr (MwReplyExplanation) explanation = NULL;
  g_autofree char *paragraph = NULL;
  MwReplyProtocol  protocol;
  int              klass, subject, detail;
  size_t           consumed;

  if (size < 1)
    return 0;

  protocol = data[0] & 1 ? MW_REPLY_PROTOCOL_SMTP : MW_REPLY_PROTOCOL_POP3;
  text = g_strndup ((const char *) data + 1, size - 1);

  explanation = mw_reply_explain (protocol, text);
  g_assert_nonnull (explanation);
  g_assert_nonnull (explanation->sentence);
  g_assert_true (g_utf8_validate (explanation->sentence, -1, NULL));
  g_assert_nonnull (memchr (explanation->enhanced, '\0', sizeof explanation->enhanced));
  g_assert_nonnull (memchr (explanation->response, '\0', sizeof explanation->response));
  paragraph = mw_reply_explanation_to_string (explanation);
  g_assert_true (g_utf8_validate (paragraph, -1, NULL));

  consumed = mw_enhanced_status_parse (text, &klass, &subject, &detail);
  if (consumed > 0)
    {
      g_autofree char *description = NULL;

      g_assert_cmpuint (consumed, <=, strlen (text));
      description = mw_enhanced_status_describe (klass, subject, detail);
    }

  return 0;
}
