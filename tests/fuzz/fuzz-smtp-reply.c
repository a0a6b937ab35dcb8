/* fuzz-smtp-reply.c: SMTP replies and EHLO keywords from a hostile server
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "mw-smtp-client.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_auto (GStrv) lines = NULL;
  g_autoptr (MwSmtpReply) reply = NULL;
  g_autoptr (MwSmtpReply) copy = NULL;
  g_autoptr (MwSmtpCapabilities) caps = NULL;
  g_autoptr (MwSmtpCapabilities) caps_copy = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *quote = NULL;
  size_t           n;

  /* One reply line per input line, as the client reads them. */
  lines = g_strsplit (text, "\n", MW_SMTP_MAX_REPLY_LINES);
  n = g_strv_length (lines);
  for (size_t i = 0; i < n; i++)
    {
      size_t len = strlen (lines[i]);

      if (len > 0 && lines[i][len - 1] == '\r')
        lines[i][len - 1] = '\0';
    }

  reply = mw_smtp_reply_parse ((const char *const *) lines, &error);
  if (reply == NULL)
    {
      g_assert_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_PROTOCOL);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }

  g_assert_cmpint (reply->code, >=, 200);
  g_assert_cmpint (reply->code, <=, 599);
  g_assert_true (reply->enhanced_class == 0 || reply->enhanced_class == 2 ||
                 reply->enhanced_class == 4 || reply->enhanced_class == 5);
  g_assert_nonnull (reply->text);
  g_assert_nonnull (reply->lines);

  copy = mw_smtp_reply_copy (reply);
  g_assert_cmpint (copy->code, ==, reply->code);
  quote = mw_smtp_reply_quote (reply);
  g_assert_true (g_utf8_validate (quote, -1, NULL));

  caps = mw_smtp_capabilities_parse (reply);
  if (caps != NULL)
    {
      caps_copy = mw_smtp_capabilities_copy (caps);
      for (size_t i = 0; caps->auth != NULL && caps->auth[i] != NULL; i++)
        g_assert_cmpuint (strlen (caps->auth[i]), >, 0);
    }

  return 0;
}
