/* fuzz-sasl.c: every SASL mechanism's steps on a hostile server's challenges
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "mw-sasl-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static const char *const mechanisms[] = {
  "PLAIN",
  "LOGIN",
  "CRAM-MD5",
  "SCRAM-SHA-1",
  "SCRAM-SHA-256",
  "XOAUTH2",
  "OAUTHBEARER",
};

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr (MwSasl) sasl = NULL;
  g_autoptr (GBytes) initial = NULL;
  g_autoptr (GError) error = NULL;
  const char *mechanism;
  const char *secret;
  size_t      offset = 0;

  if (size < 1)
    return 0;

  mechanism = mechanisms[data[0] % G_N_ELEMENTS (mechanisms)];
  data++;
  size--;

  /* Mechanisms that do not exist are refused, not crashed on. */
  if (!mw_sasl_is_supported (mechanism))
    return 0;

  secret = g_str_has_suffix (mechanism, "OAUTH2") || g_str_equal (mechanism, "OAUTHBEARER")
             ? "ya29.token"
             : "pencil";
  sasl = mw_sasl_new (mechanism, "user", secret, &error);
  g_assert_no_error (error);
  if (g_str_has_prefix (mechanism, "SCRAM-"))
    mw_sasl_set_client_nonce (sasl, "rOprNGfwEbeRWgbNEkqO");
  initial = mw_sasl_get_initial_response (sasl);

  /* Challenges are separated by newlines; each goes through base64 as
   * the client decodes it, and raw too. */
  for (int round = 0; round < 6 && offset <= size; round++)
    {
      const uint8_t *start = data + offset;
      const uint8_t *end = memchr (start, '\n', size - offset);
      size_t         len = end != NULL ? (size_t) (end - start) : size - offset;
      g_autoptr (GBytes) decoded = NULL;
      g_autoptr (GBytes) response = NULL;
      g_autoptr (GError) step_error = NULL;
      gboolean ok;

      offset += len + 1;
      decoded = mw_sasl_decode_base64 ((const char *) start, len, NULL);
      if (decoded != NULL)
        ok = mw_sasl_step (sasl, g_bytes_get_data (decoded, NULL), g_bytes_get_size (decoded),
                           &response, &step_error);
      else
        ok = mw_sasl_step (sasl, start, len, &response, &step_error);

      if (!ok)
        {
          g_assert_nonnull (step_error);
          g_assert_true (step_error->domain == MW_SASL_ERROR);
          /* An error never carries the secret, unless the server sent
           * it (an error quotes the server's words). */
          if (g_strstr_len ((const char *) data, size, secret) == NULL)
            g_assert_null (strstr (step_error->message, secret));
          break;
        }
      g_assert_no_error (step_error);
      if (response != NULL)
        {
          g_autofree char *encoded = mw_sasl_encode_base64 (response);

          g_assert_nonnull (encoded);
        }
      if (mw_sasl_is_complete (sasl))
        (void) mw_sasl_get_server_message (sasl);
    }

  return 0;
}
