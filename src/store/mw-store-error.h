/* mw-store-error.h: the error domain of the local store
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MW_STORE_ERROR (mw_store_error_quark ())
GQuark mw_store_error_quark (void);

typedef enum
{
  MW_STORE_ERROR_FAILED,
  MW_STORE_ERROR_INVALID_UID,       /* not 1-70 printable ASCII bytes (RFC 1939) */
  MW_STORE_ERROR_INVALID_NAME,      /* a file name or account id that cannot be stored */
  MW_STORE_ERROR_INDEX_CORRUPT,     /* the UID index cannot be trusted; a backup was kept */
  MW_STORE_ERROR_INDEX_NEWER,       /* the UID index was written by a newer Mailwire */
  MW_STORE_ERROR_CONFIG_CORRUPT,    /* the account settings file cannot be read */
  MW_STORE_ERROR_DELIVERY_FINISHED, /* the delivery was already committed or aborted */
  MW_STORE_ERROR_NO_UIDL,           /* deletions cannot be re-mapped without UIDL */
  MW_STORE_ERROR_UNKNOWN_ACCOUNT,
  MW_STORE_ERROR_DUPLICATE_ACCOUNT,
  MW_STORE_ERROR_SECRET_SERVICE, /* the Secret Service failed or is missing */
} MwStoreError;

G_END_DECLS
