/* fuzz-pop3-reply.c: POP3 replies from a hostile server
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "mw-pop3-client-private.h"
#include "mw-sasl.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check_error (GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == MW_POP3_ERROR);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_error_free (error);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autofree char *text = NULL;
  GError          *error = NULL;
  guint8           mode;

  if (size < 1)
    return 0;

  /* The first byte chooses the parser. */
  mode = data[0] % 5;
  data++;
  size--;
  text = g_strndup ((const char *) data, size);
  body = g_bytes_new (data, size);
  client = mw_pop3_client_new ("pop.example.org", 110, MW_SECURITY_TLS, NULL);

  switch (mode)
    {
    case 0:
      {
        /* A negative status line and its response code. */
        g_autofree char *status = g_strconcat ("-ERR", text, NULL);

        check_error (mw_pop3_client_reply_error (client, "USER", status, TRUE));
        check_error (mw_pop3_client_reply_error (client, "RETR 1", status, FALSE));
        break;
      }

    case 1:
      {
        const char *const *lines;
        const char *const *mechanisms;

        mw_pop3_client_parse_capa (client, body);
        g_assert_true (mw_pop3_client_get_capa_known (client));
        lines = mw_pop3_client_get_capability_lines (client);
        mechanisms = mw_pop3_client_get_sasl_mechanisms (client);
        g_assert_nonnull (lines);
        g_assert_nonnull (mechanisms);
        g_assert_cmpuint (g_strv_length ((char **) lines), <=, 256);
        g_assert_cmpuint (g_strv_length ((char **) mechanisms), <=, 64);
        g_assert_cmpint (mw_pop3_client_get_login_delay (client), >=, -1);
        /* Parsing again replaces everything. */
        mw_pop3_client_parse_capa (client, body);
        break;
      }

    case 2:
    case 3:
      {
        gboolean uidl = mode == 3;
        GArray  *entries = mw_pop3_client_parse_listing (client, uidl, body, &error);

        if (entries == NULL)
          {
            check_error (error);
            break;
          }
        for (guint i = 0; i < entries->len; i++)
          {
            if (uidl)
              {
                MwPop3UidEntry *entry = &g_array_index (entries, MwPop3UidEntry, i);
                size_t          len = strlen (entry->uid);

                g_assert_cmpuint (entry->number, >, 0);
                g_assert_cmpuint (len, >, 0);
                g_assert_cmpuint (len, <=, MW_POP3_MAX_UID);
              }
            else
              g_assert_cmpuint (g_array_index (entries, MwPop3ListEntry, i).number, >, 0);
          }
        g_array_unref (entries);
        break;
      }

    case 4:
    default:
      {
        /* The APOP timestamp in a greeting, and the single-line forms. */
        g_autofree char *timestamp = mw_apop_timestamp_from_greeting (text);
        guint            number;
        guint64          octets;
        const char      *uid;

        if (timestamp != NULL)
          {
            g_autofree char *digest = mw_apop_digest (timestamp, "secret");

            g_assert_cmpuint (timestamp[0], ==, '<');
            g_assert_cmpuint (strlen (digest), ==, 32);
          }
        if (mw_pop3_parse_scan_listing (text, &number, &octets))
          g_assert_cmpuint (number, >, 0);
        if (mw_pop3_parse_unique_id_listing (text, &number, &uid))
          g_assert_cmpuint (strlen (uid), <=, MW_POP3_MAX_UID);
        break;
      }
    }

  return 0;
}
