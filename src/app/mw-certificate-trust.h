/* mw-certificate-trust.h: asking the user to trust a certificate, and pinning it
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "mw-account-store.h"
#include "mw-certificate-info.h"

G_BEGIN_DECLS

/* Called with the fingerprint the user chose to trust, if @owner is
 * still alive then. */
typedef void (*MwCertificateTrustFunc) (GObject    *owner,
                                        const char *fingerprint,
                                        gpointer    user_data);

/* Called once the fingerprint is pinned and saved, to try again. */
typedef void (*MwCertificateRetryFunc) (GObject *owner,
                                        gpointer user_data);

/* If @error says that the certificate @info of @host was not trusted,
 * shows an MwCertificateDialog over @parent (one per certificate at a
 * time) and returns TRUE; on Trust, calls @func. @pinned is the
 * fingerprint trusted before, if any: a different certificate is
 * reported as changed. Returns FALSE, showing nothing, for any other
 * error. @user_data is freed with @destroy in either case. */
gboolean mw_certificate_trust_ask (GtkWindow             *parent,
                                   GObject               *owner,
                                   const GError          *error,
                                   MwCertificateInfo     *info,
                                   const char            *host,
                                   const char            *pinned,
                                   MwCertificateTrustFunc func,
                                   gpointer               user_data,
                                   GDestroyNotify         destroy);

/* The same for a stored account: on Trust the fingerprint is pinned on
 * @account's @protocol side, @store is saved, then @retry is called. */
gboolean mw_certificate_trust_offer (GtkWindow             *parent,
                                     GObject               *owner,
                                     MwAccountStore        *store,
                                     MwAccount             *account,
                                     MwProtocol             protocol,
                                     const char            *host,
                                     const GError          *error,
                                     MwCertificateInfo     *info,
                                     MwCertificateRetryFunc retry,
                                     gpointer               user_data,
                                     GDestroyNotify         destroy);

G_END_DECLS
