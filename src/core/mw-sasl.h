/* mw-sasl.h: client side of SASL and APOP
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define MW_SASL_ERROR (mw_sasl_error_quark ())
GQuark mw_sasl_error_quark (void);

typedef enum
{
  MW_SASL_ERROR_UNSUPPORTED_MECHANISM, /* a mechanism Mailwire does not speak */
  MW_SASL_ERROR_INVALID_CREDENTIALS,   /* user name or secret unusable */
  MW_SASL_ERROR_BAD_BASE64,            /* a challenge that is not base64 */
  MW_SASL_ERROR_BAD_CHALLENGE,         /* a challenge of the wrong shape */
  MW_SASL_ERROR_SERVER_SIGNATURE,      /* the server failed to prove itself */
  MW_SASL_ERROR_SERVER_REJECTED,       /* the server reported an error */
  MW_SASL_ERROR_COMPLETE,              /* a challenge after the exchange ended */
} MwSaslError;

/* The largest SCRAM iteration count Mailwire computes. */
#define MW_SASL_SCRAM_MAX_ITERATIONS 100000

/* The longest base64 challenge Mailwire decodes. */
#define MW_SASL_MAX_CHALLENGE 16384

#define MW_TYPE_SASL (mw_sasl_get_type ())
G_DECLARE_FINAL_TYPE (MwSasl, mw_sasl, MW, SASL, GObject)

MwSasl     *mw_sasl_new (const char *mechanism,
                         const char *user,
                         const char *secret,
                         GError    **error);
const char *mw_sasl_get_mechanism (MwSasl *self);
GBytes     *mw_sasl_get_initial_response (MwSasl *self);
gboolean    mw_sasl_step (MwSasl       *self,
                          const guint8 *challenge,
                          size_t        len,
                          GBytes      **out_response,
                          GError      **error);
gboolean    mw_sasl_is_complete (MwSasl *self);
const char *mw_sasl_get_server_message (MwSasl *self);

GBytes *mw_sasl_decode_base64 (const char *text,
                               size_t      len,
                               GError    **error);
char   *mw_sasl_encode_base64 (GBytes *bytes);

const char *mw_sasl_choose (const char *const *offered,
                            gboolean           encrypted,
                            gboolean           allow_plaintext,
                            gboolean           have_token);
gboolean    mw_sasl_is_supported (const char *mechanism);
gboolean    mw_sasl_is_plaintext (const char *mechanism);

char *mw_apop_digest (const char *timestamp,
                      const char *password);
char *mw_apop_timestamp_from_greeting (const char *greeting);

G_END_DECLS
