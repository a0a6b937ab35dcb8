/* fuzz-mailto.c: mailto: links from web pages and other programs
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "mw-mailto.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static gboolean
is_header_safe (const char *text)
{
  g_assert (g_utf8_validate (text, -1, NULL));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if ((c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029)
        return FALSE;
    }

  return TRUE;
}

static size_t
check_addresses (GStrv addresses)
{
  size_t n = 0;

  g_assert_nonnull (addresses);
  for (; addresses[n] != NULL; n++)
    {
      g_assert (addresses[n][0] != '\0');
      g_assert (is_header_safe (addresses[n]));
    }

  return n;
}

static void
check (const char *uri)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwMailto) mailto = mw_mailto_parse (uri, &error);
  g_autoptr (MwMailto) copy = NULL;
  size_t n;

  if (mailto == NULL)
    {
      g_assert_nonnull (error);
      g_assert (error->domain == MW_MAILTO_ERROR);
      g_assert (g_utf8_validate (error->message, -1, NULL));
      return;
    }

  g_assert_null (error);
  n = check_addresses (mailto->to) + check_addresses (mailto->cc) + check_addresses (mailto->bcc);
  g_assert (n <= MW_MAILTO_MAX_ADDRESSES);

  if (mailto->subject != NULL)
    g_assert (is_header_safe (mailto->subject));
  if (mailto->in_reply_to != NULL)
    g_assert (is_header_safe (mailto->in_reply_to));
  if (mailto->body != NULL)
    {
      g_assert (g_utf8_validate (mailto->body, -1, NULL));
      g_assert (strchr (mailto->body, '\r') == NULL);
    }

  g_assert_nonnull (mailto->ignored);
  for (size_t i = 0; mailto->ignored[i] != NULL; i++)
    {
      const char *name = mailto->ignored[i];

      g_assert (name[0] != '\0');
      for (const char *p = name; *p != '\0'; p++)
        g_assert (*p > 32 && *p < 127 && *p != ':' && !g_ascii_isupper (*p));
    }

  copy = mw_mailto_copy (mailto);
  g_assert (g_strv_equal ((const char *const *) copy->to, (const char *const *) mailto->to));
  g_assert_cmpstr (copy->body, ==, mailto->body);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *uri = NULL;
  g_autofree char *prefixed = NULL;

  /* The parser takes a C string; a NUL in the input ends it early, as it
   * would for a link handed over on the command line. */
  uri = g_strndup ((const char *) data, size);
  check (uri);

  /* Most random inputs are not mailto: links at all; try each as one too. */
  prefixed = g_strconcat ("mailto:", uri, NULL);
  check (prefixed);

  return 0;
}
