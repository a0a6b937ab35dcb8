/* mw-gmime-private.h: GMime set-up and cleanups for g_autoptr
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gmime/gmime.h>

G_BEGIN_DECLS

/* GMime 3.2 declares no g_autoptr cleanups; these are the only ones. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeContentType, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeDataWrapper, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeFilter, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeFormatOptions, g_mime_format_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessagePart, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMultipart, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeObject, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeParser, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeParserOptions, g_mime_parser_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimePart, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeTextPart, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (InternetAddress, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (InternetAddressList, g_object_unref)

/* Initializes GMime once per process; call before any GMime use. */
void mw_gmime_init (void);

/* Parser options for mail from servers: loose RFC compliance and the
 * charsets tried for undeclared 8-bit text, last the one that never
 * fails. */
GMimeParserOptions *mw_gmime_parser_options_new (void);

/* Parses @len bytes as a message. */
GMimeMessage *mw_gmime_parse_message (const char         *data,
                                      size_t              len,
                                      GMimeParserOptions *options);

G_END_DECLS
