/* mw-protocol-commands.h: every POP3 and SMTP command, and what Mailwire does with it
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "mw-reply-explainer.h"

G_BEGIN_DECLS

/**
 * MwCommandFate:
 * @MW_COMMAND_FATE_USED: the client sends it itself (and the console offers it)
 * @MW_COMMAND_FATE_CONSOLE: offered in the console, with help; the client
 *   does not use it
 * @MW_COMMAND_FATE_REFUSED: refused in the console, with the reason
 */
typedef enum
{
  MW_COMMAND_FATE_USED,
  MW_COMMAND_FATE_CONSOLE,
  MW_COMMAND_FATE_REFUSED,
} MwCommandFate;

typedef struct
{
  const char   *name;   /* "RETR", "MAIL" */
  const char   *syntax; /* "RETR msg", "MAIL FROM:<address> [parameters]" */
  MwCommandFate fate;
  const char   *standard; /* "RFC 1939" */
  const char   *help;     /* what it does, untranslated: use mw_protocol_command_get_help() */
  const char   *refusal;  /* why it is refused, or NULL */
} MwProtocolCommand;

/* The commands of a protocol, in the order people meet them. */
const MwProtocolCommand *mw_protocol_commands (MwReplyProtocol protocol,
                                               size_t         *n_commands);
/* By name, case-insensitive; NULL when unknown. */
const MwProtocolCommand *mw_protocol_command_lookup (MwReplyProtocol protocol,
                                                     const char     *name);
const char              *mw_protocol_command_get_help (const MwProtocolCommand *command);
const char              *mw_protocol_command_get_refusal (const MwProtocolCommand *command);

/* Whether the reply to this POP3 command line has a body ending in ".":
 * CAPA, LIST and UIDL without an argument, TOP, RETR. */
gboolean mw_pop3_command_is_multiline (const char *line);

/* Whether a line typed in a console carries a secret that the transcript
 * must not show; if so, *@out_display gets the redacted text. */
gboolean mw_protocol_command_redact (MwReplyProtocol protocol,
                                     const char     *line,
                                     char          **out_display);

/* An EHLO keyword or a POP3 CAPA tag in words (translated); NULL for an
 * unknown one. Only the first word of @line counts. */
const char *mw_esmtp_keyword_explain (const char *line);
const char *mw_pop3_capability_explain (const char *line);

/* One line of an EHLO reply (without the code) or of a CAPA reply, its
 * arguments included ("SIZE 52428800", "AUTH PLAIN LOGIN", "SASL
 * SCRAM-SHA-256", "EXPIRE 30"), explained in one translated sentence
 * that uses the arguments. An unknown keyword is said to be unknown,
 * never dropped. Returns (transfer full) a sentence, never NULL. */
char *mw_protocol_explain_keyword (MwReplyProtocol protocol,
                                   const char     *keyword_line);
/* Whether the first word of @keyword_line is an EHLO keyword or CAPA tag
 * that Mailwire knows. */
gboolean mw_protocol_keyword_is_known (MwReplyProtocol protocol,
                                       const char     *keyword_line);

G_END_DECLS
