/* mw-certificate-dialog.h: asking whether to trust a server's certificate
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "mw-certificate-info.h"

G_BEGIN_DECLS

#define MW_TYPE_CERTIFICATE_DIALOG (mw_certificate_dialog_get_type ())
G_DECLARE_FINAL_TYPE (MwCertificateDialog, mw_certificate_dialog, MW, CERTIFICATE_DIALOG, AdwMessageDialog)

/* Shows what is wrong with @info, the certificate @host presented, with
 * its subject, issuer, validity and SHA-256 fingerprint. @changed says
 * that the account trusted another certificate of this server before.
 * Responses: "trust" (destructive, never the default) and "cancel". */
MwCertificateDialog *mw_certificate_dialog_new (GtkWindow         *parent,
                                                const char        *host,
                                                MwCertificateInfo *info,
                                                gboolean           changed);

MwCertificateInfo *mw_certificate_dialog_get_info (MwCertificateDialog *self);
gboolean           mw_certificate_dialog_get_changed (MwCertificateDialog *self);

/* What is wrong with the certificate, in words ("self-signed, expired"). */
char *mw_certificate_describe_problems (MwCertificateInfo *info);

G_END_DECLS
