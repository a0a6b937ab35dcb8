/* mw-message-text.h: the readable text of a message or of its beginning
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Decodes the first text part of @len bytes of a message (whole, or the
 * headers and first lines from TOP): transfer encoding and charset undone,
 * HTML reduced to its text. Sets @out_html when only HTML was found.
 * Never fails: damaged MIME gives what could be read. */
char *mw_message_text_extract (const char *data,
                               size_t      len,
                               gboolean   *out_html);

/* One attachment of a message: its file name (never empty), MIME type and
 * decoded contents. */
typedef struct
{
  char   *name;
  char   *content_type;
  GBytes *data;
} MwMessageAttachment;

void mw_message_attachment_free (MwMessageAttachment *attachment);

/* The attachments of @len bytes of a whole message, in order; a part
 * counts when it is marked as an attachment or is not text. Returns
 * (transfer full) (element-type MwMessageAttachment). */
GPtrArray *mw_message_text_list_attachments (const char *data,
                                             size_t      len);

G_END_DECLS
