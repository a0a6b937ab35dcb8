/* mw-certificate-info.h: what a person needs to know about a certificate
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MW_TYPE_CERTIFICATE_INFO (mw_certificate_info_get_type ())

typedef struct _MwCertificateInfo MwCertificateInfo;

GType              mw_certificate_info_get_type (void) G_GNUC_CONST;
MwCertificateInfo *mw_certificate_info_new (GTlsCertificate     *certificate,
                                            GTlsCertificateFlags errors);
MwCertificateInfo *mw_certificate_info_ref (MwCertificateInfo *self);
void               mw_certificate_info_unref (MwCertificateInfo *self);

/* "AB:CD:…" upper-case hex of SHA-256 over the DER certificate. */
const char          *mw_certificate_info_get_fingerprint (MwCertificateInfo *self);
const char          *mw_certificate_info_get_subject (MwCertificateInfo *self);
const char          *mw_certificate_info_get_issuer (MwCertificateInfo *self);
GDateTime           *mw_certificate_info_get_not_before (MwCertificateInfo *self);
GDateTime           *mw_certificate_info_get_not_after (MwCertificateInfo *self);
GTlsCertificateFlags mw_certificate_info_get_errors (MwCertificateInfo *self);
GTlsCertificate     *mw_certificate_info_get_certificate (MwCertificateInfo *self);

/* "unknown issuer, expired" – what is wrong, in words. */
char *mw_certificate_errors_to_string (GTlsCertificateFlags errors);
/* Several lines: subject, issuer, validity, fingerprint. */
char *mw_certificate_info_to_string (MwCertificateInfo *self);

/* Normalizes a user-given fingerprint ("ab cd", "AB:CD", "abcd…") to the
 * form above; NULL if it is not 32 bytes of hex. */
char    *mw_fingerprint_normalize (const char *fingerprint);
gboolean mw_fingerprint_equal (const char *a,
                               const char *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MwCertificateInfo, mw_certificate_info_unref)

G_END_DECLS
