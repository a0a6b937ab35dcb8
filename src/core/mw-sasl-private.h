/* mw-sasl-private.h: internal API of MwSasl for tests
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mw-sasl.h"

G_BEGIN_DECLS

/* Replaces the random SCRAM client nonce; only before the first step. */
void mw_sasl_set_client_nonce (MwSasl     *self,
                               const char *nonce);

G_END_DECLS
