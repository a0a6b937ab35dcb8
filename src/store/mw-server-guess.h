/* mw-server-guess.h: a mail domain's servers, from DNS SRV records
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mw-account.h"

G_BEGIN_DECLS

/* Where a guess came from. */
typedef enum
{
  MW_SERVER_GUESS_DNS,        /* an SRV record of the domain */
  MW_SERVER_GUESS_WELL_KNOWN, /* pop.DOMAIN or smtp.DOMAIN */
} MwServerGuessSource;

#define MW_SERVER_GUESS_POP3_TLS_PORT       995
#define MW_SERVER_GUESS_SUBMISSION_TLS_PORT 465

/* Finds the POP3 or submission server of @domain through the default
 * GResolver (RFC 6186, RFC 8314): _pop3s._tcp / _submissions._tcp
 * (implicit TLS) first, then _pop3._tcp / _submission._tcp (STARTTLS),
 * each by priority and weight, skipping the target "." (not offered).
 * Without a usable record it guesses pop.DOMAIN on 995 or smtp.DOMAIN on
 * 465, both with TLS. */
void     mw_server_guess_async (const char         *domain,
                                MwProtocol          protocol,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data);
gboolean mw_server_guess_finish (GAsyncResult        *result,
                                 char               **out_host,
                                 guint16             *out_port,
                                 MwSecurity          *out_security,
                                 MwServerGuessSource *out_source,
                                 GError             **error);

/* The domain of an address ("ada@Example.ORG" → "example.org"), or NULL. */
char *mw_server_guess_domain_of (const char *address);

G_END_DECLS
