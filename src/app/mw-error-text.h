/* mw-error-text.h: server refusals in the server's words and in plain ones
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "mw-reply-explainer.h"

G_BEGIN_DECLS

/* Whether @line is a server reply, and of which protocol: SMTP for a
 * three-digit code, POP3 for "+OK", "-ERR" or "+ ". */
gboolean mw_error_text_reply_protocol (const char      *line,
                                       MwReplyProtocol *out_protocol);

/* The server reply quoted in an error of the POP3 or SMTP client
 * ("… (the server said “-ERR [IN-USE] locked”)"), or NULL. */
char *mw_error_text_get_reply (const GError    *error,
                               MwReplyProtocol *out_protocol);

/* The error's message and, when it quotes the server, what the reply
 * means in plain words. */
char *mw_error_text_describe (const GError *error);

/* "What failed: the error" and, when the error quotes the server, what
 * its reply means in plain words. */
char *mw_error_text_format (const char   *what,
                            const GError *error);

G_END_DECLS
