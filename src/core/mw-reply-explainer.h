/* mw-reply-explainer.h: server replies in plain words
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  MW_REPLY_PROTOCOL_POP3,
  MW_REPLY_PROTOCOL_SMTP,
} MwReplyProtocol;

typedef enum
{
  MW_REPLY_KIND_SUCCESS,      /* POP3 +OK, SMTP 2xx */
  MW_REPLY_KIND_INTERMEDIATE, /* SMTP 3xx, POP3 "+ " continuation */
  MW_REPLY_KIND_TEMPORARY,    /* SMTP 4xx, POP3 [SYS/TEMP], [IN-USE], [LOGIN-DELAY] */
  MW_REPLY_KIND_PERMANENT,    /* SMTP 5xx, other POP3 -ERR */
  MW_REPLY_KIND_UNKNOWN,      /* not a reply at all */
} MwReplyKind;

typedef struct
{
  MwReplyKind kind;
  int         code;         /* SMTP reply code, or 0 */
  char        enhanced[16]; /* "5.7.8", or "" */
  char        response[32]; /* POP3 response code without brackets, or "" */
  char       *sentence;     /* what it means, one sentence */
  char       *advice;       /* what to do about it, or NULL */
  char       *detail;       /* what the enhanced or response code says, or NULL */
} MwReplyExplanation;

/* Explains one reply. @reply is the server's text: a single line, or the
 * lines of a multi-line SMTP reply joined with "\n". Never returns NULL:
 * anything unrecognized still gets a sentence from its class. */
MwReplyExplanation *mw_reply_explain (MwReplyProtocol protocol,
                                      const char     *reply);
void                mw_reply_explanation_free (MwReplyExplanation *self);

/* "Sentence Advice" as one paragraph. */
char *mw_reply_explanation_to_string (MwReplyExplanation *self);

/* What an enhanced status code means (RFC 3463 and its registry);
 * NULL when the class or subject is unknown. */
char *mw_enhanced_status_describe (int klass,
                                   int subject,
                                   int detail);
/* Parses "X.Y.Z" at the start of @text; returns the bytes consumed or 0. */
size_t mw_enhanced_status_parse (const char *text,
                                 int        *klass,
                                 int        *subject,
                                 int        *detail);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MwReplyExplanation, mw_reply_explanation_free)

G_END_DECLS
