/* mw-pop3-client-private.h: internal API of MwPop3Client for tests
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mw-pop3-client.h"

G_BEGIN_DECLS

/* Replaces the random SCRAM client nonce of the next logins. */
void mw_pop3_client_set_scram_nonce (MwPop3Client *self,
                                     const char   *nonce);

/* Replaces MW_POP3_MAX_UNLISTED_BODY (0: back to it). */
void mw_pop3_client_set_unlisted_body_limit (MwPop3Client *self,
                                             guint64       limit);

/* The reply parsers, for the fuzz targets. */
gboolean mw_pop3_parse_scan_listing (const char *line,
                                     guint      *out_number,
                                     guint64    *out_size);
gboolean mw_pop3_parse_unique_id_listing (const char  *line,
                                          guint       *out_number,
                                          const char **out_uid);
/* A LIST (or with @uidl, UIDL) body: an array as from _list_finish()
 * (_uidl_finish()), or NULL and @error. */
GArray *mw_pop3_client_parse_listing (MwPop3Client *self,
                                      gboolean      uidl,
                                      GBytes       *body,
                                      GError      **error);
void    mw_pop3_client_parse_capa (MwPop3Client *self,
                                   GBytes       *body);
/* The error for a "-ERR" @status to @command. */
GError *mw_pop3_client_reply_error (MwPop3Client *self,
                                    const char   *command,
                                    const char   *status,
                                    gboolean      login);

G_END_DECLS
