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

G_END_DECLS
