/* mw-error-text.c: server refusals in the server's words and in plain ones
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-error-text.h"
#include "mw-pop3-client.h"
#include "mw-smtp-client.h"

#include <glib/gi18n.h>
#include <string.h>

gboolean
mw_error_text_reply_protocol (const char      *line,
                              MwReplyProtocol *out_protocol)
{
  MwReplyProtocol protocol;

  g_return_val_if_fail (line != NULL, FALSE);

  if (g_ascii_isdigit (line[0]) && g_ascii_isdigit (line[1]) && g_ascii_isdigit (line[2]) &&
      (line[3] == '\0' || line[3] == ' ' || line[3] == '-'))
    protocol = MW_REPLY_PROTOCOL_SMTP;
  else if (g_str_has_prefix (line, "+OK") || g_str_has_prefix (line, "-ERR") ||
           g_str_has_prefix (line, "+ "))
    protocol = MW_REPLY_PROTOCOL_POP3;
  else
    return FALSE;

  if (out_protocol != NULL)
    *out_protocol = protocol;
  return TRUE;
}

char *
mw_error_text_get_reply (const GError    *error,
                         MwReplyProtocol *out_protocol)
{
  const char      *open;
  const char      *close;
  g_autofree char *reply = NULL;

  if (error == NULL || (error->domain != MW_POP3_ERROR && error->domain != MW_SMTP_ERROR))
    return NULL;

  /* The clients quote the server last, between curly quotes. */
  close = g_strrstr (error->message, "”");
  if (close == NULL)
    return NULL;
  open = g_strrstr_len (error->message, close - error->message, "“");
  if (open == NULL)
    return NULL;
  open += strlen ("“");
  reply = g_strndup (open, close - open);
  if (!mw_error_text_reply_protocol (reply, out_protocol))
    return NULL;
  return g_steal_pointer (&reply);
}

char *
mw_error_text_describe (const GError *error)
{
  g_autoptr (MwReplyExplanation) explanation = NULL;
  g_autofree char *reply = NULL;
  MwReplyProtocol  protocol = MW_REPLY_PROTOCOL_POP3;

  g_return_val_if_fail (error != NULL, NULL);

  reply = mw_error_text_get_reply (error, &protocol);
  if (reply == NULL)
    return g_strdup (error->message);

  explanation = mw_reply_explain (protocol, reply);
  /* Translators: an error quoting the server, and what the server's words
   * mean in plain words. */
  return g_strdup_printf (_ ("%s — %s"), error->message, explanation->sentence);
}

char *
mw_error_text_format (const char   *what,
                      const GError *error)
{
  g_autofree char *described = NULL;

  g_return_val_if_fail (what != NULL, NULL);
  g_return_val_if_fail (error != NULL, NULL);

  described = mw_error_text_describe (error);
  return g_strdup_printf ("%s: %s", what, described);
}
