/* mw-gmime.c: GMime set-up shared by the core
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-gmime-private.h"

static gpointer
init_once (gpointer data)
{
  g_mime_init ();
  return NULL;
}

void
mw_gmime_init (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, init_once, NULL);
}

/**
 * mw_gmime_parser_options_new:
 *
 * Returns: (transfer full): options for parsing mail from servers
 */
GMimeParserOptions *
mw_gmime_parser_options_new (void)
{
  static const char  *charsets[] = { "UTF-8", "windows-1252", "ISO-8859-1", NULL };
  GMimeParserOptions *options;

  mw_gmime_init ();

  options = g_mime_parser_options_new ();
  g_mime_parser_options_set_address_compliance_mode (options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_parameter_compliance_mode (options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_rfc2047_compliance_mode (options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_fallback_charsets (options, charsets);
  return options;
}

/**
 * mw_gmime_parse_message:
 * @data: (array length=len): the message
 * @len: its length
 * @options: (nullable): parser options, or %NULL for the defaults
 *
 * Returns: (transfer full) (nullable): the message, or %NULL
 */
GMimeMessage *
mw_gmime_parse_message (const char         *data,
                        size_t              len,
                        GMimeParserOptions *options)
{
  g_autoptr (GMimeStream) stream = NULL;
  g_autoptr (GMimeParser) parser = NULL;
  g_autoptr (GMimeParserOptions) own_options = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  mw_gmime_init ();

  if (options == NULL)
    options = own_options = mw_gmime_parser_options_new ();

  stream = g_mime_stream_mem_new_with_buffer (data != NULL ? data : "", len);
  parser = g_mime_parser_new_with_stream (stream);
  g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
  return g_mime_parser_construct_message (parser, options);
}
