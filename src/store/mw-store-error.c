/* mw-store-error.c: the error domain of the local store
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-store-error.h"

G_DEFINE_QUARK (mw - store - error - quark, mw_store_error)
