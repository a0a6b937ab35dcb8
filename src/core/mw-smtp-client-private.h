/* mw-smtp-client-private.h: internals of the ESMTP client for tests
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mw-smtp-client.h"

G_BEGIN_DECLS

/* The size of BDAT chunks (default 1 MiB); tests use small ones. */
void mw_smtp_client_set_bdat_chunk_size (MwSmtpClient *self,
                                         size_t        size);

G_END_DECLS
