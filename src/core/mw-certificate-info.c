/* mw-certificate-info.c: what a person needs to know about a certificate
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-certificate-info.h"

#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

struct _MwCertificateInfo
{
  gatomicrefcount      ref_count;
  GTlsCertificate     *certificate;
  GTlsCertificateFlags errors;
  char                *fingerprint;
  char                *subject;
  char                *issuer;
  GDateTime           *not_before;
  GDateTime           *not_after;
};

G_DEFINE_BOXED_TYPE (MwCertificateInfo, mw_certificate_info, mw_certificate_info_ref, mw_certificate_info_unref)

static char *
dn_to_string (gnutls_x509_crt_t crt,
              gboolean          issuer)
{
  gnutls_datum_t dn = { NULL, 0 };
  char          *result;
  int            ret;

  ret = issuer ? gnutls_x509_crt_get_issuer_dn3 (crt, &dn, 0)
               : gnutls_x509_crt_get_dn3 (crt, &dn, 0);
  if (ret < 0)
    return g_strdup (_ ("(unreadable)"));

  result = g_utf8_make_valid ((const char *) dn.data, dn.size);
  gnutls_free (dn.data);

  return result;
}

static char *
fingerprint_of (const guint8 *der,
                size_t        len)
{
  guint8     digest[32];
  size_t     digest_len = sizeof digest;
  GChecksum *checksum = g_checksum_new (G_CHECKSUM_SHA256);
  GString   *out = g_string_sized_new (96);

  g_checksum_update (checksum, der, len);
  g_checksum_get_digest (checksum, digest, &digest_len);
  g_checksum_free (checksum);

  for (size_t i = 0; i < digest_len; i++)
    g_string_append_printf (out, i == 0 ? "%02X" : ":%02X", digest[i]);

  return g_string_free (out, FALSE);
}

/**
 * mw_certificate_info_new:
 * @certificate: a certificate as GIO gives it
 * @errors: what verification found wrong with it
 *
 * Returns: (transfer full): its details
 */
MwCertificateInfo *
mw_certificate_info_new (GTlsCertificate     *certificate,
                         GTlsCertificateFlags errors)
{
  MwCertificateInfo *self;
  g_autoptr (GByteArray) der = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t    datum;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  self = g_new0 (MwCertificateInfo, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->certificate = g_object_ref (certificate);
  self->errors = errors;

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    {
      self->fingerprint = g_strdup ("");
      self->subject = g_strdup (_ ("(unreadable)"));
      self->issuer = g_strdup (_ ("(unreadable)"));
      return self;
    }

  self->fingerprint = fingerprint_of (der->data, der->len);

  datum.data = der->data;
  datum.size = der->len;
  if (gnutls_x509_crt_init (&crt) == GNUTLS_E_SUCCESS &&
      gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER) == GNUTLS_E_SUCCESS)
    {
      time_t activation = gnutls_x509_crt_get_activation_time (crt);
      time_t expiration = gnutls_x509_crt_get_expiration_time (crt);

      self->subject = dn_to_string (crt, FALSE);
      self->issuer = dn_to_string (crt, TRUE);
      if (activation != (time_t) -1)
        self->not_before = g_date_time_new_from_unix_utc (activation);
      if (expiration != (time_t) -1)
        self->not_after = g_date_time_new_from_unix_utc (expiration);
    }
  else
    {
      self->subject = g_strdup (_ ("(unreadable)"));
      self->issuer = g_strdup (_ ("(unreadable)"));
    }

  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);

  return self;
}

MwCertificateInfo *
mw_certificate_info_ref (MwCertificateInfo *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
mw_certificate_info_unref (MwCertificateInfo *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_clear_object (&self->certificate);
  g_clear_pointer (&self->not_before, g_date_time_unref);
  g_clear_pointer (&self->not_after, g_date_time_unref);
  g_free (self->fingerprint);
  g_free (self->subject);
  g_free (self->issuer);
  g_free (self);
}

const char *
mw_certificate_info_get_fingerprint (MwCertificateInfo *self)
{
  return self->fingerprint;
}

const char *
mw_certificate_info_get_subject (MwCertificateInfo *self)
{
  return self->subject;
}

const char *
mw_certificate_info_get_issuer (MwCertificateInfo *self)
{
  return self->issuer;
}

GDateTime *
mw_certificate_info_get_not_before (MwCertificateInfo *self)
{
  return self->not_before;
}

GDateTime *
mw_certificate_info_get_not_after (MwCertificateInfo *self)
{
  return self->not_after;
}

GTlsCertificateFlags
mw_certificate_info_get_errors (MwCertificateInfo *self)
{
  return self->errors;
}

GTlsCertificate *
mw_certificate_info_get_certificate (MwCertificateInfo *self)
{
  return self->certificate;
}

/**
 * mw_certificate_errors_to_string:
 *
 * Returns: (transfer full): the problems, in words, separated by commas
 */
char *
mw_certificate_errors_to_string (GTlsCertificateFlags errors)
{
  static const struct
  {
    GTlsCertificateFlags flag;
    const char          *text;
  } names[] = {
    { G_TLS_CERTIFICATE_UNKNOWN_CA, N_ ("issued by an unknown authority") },
    { G_TLS_CERTIFICATE_BAD_IDENTITY, N_ ("made out to a different host name") },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, N_ ("not valid yet") },
    { G_TLS_CERTIFICATE_EXPIRED, N_ ("expired") },
    { G_TLS_CERTIFICATE_REVOKED, N_ ("revoked") },
    { G_TLS_CERTIFICATE_INSECURE, N_ ("signed with an insecure algorithm") },
    { G_TLS_CERTIFICATE_GENERIC_ERROR, N_ ("unusable") },
  };
  GString *out = g_string_new (NULL);

  for (size_t i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if ((errors & names[i].flag) == 0)
        continue;
      if (out->len > 0)
        g_string_append (out, ", ");
      g_string_append (out, _ (names[i].text));
    }

  if (out->len == 0)
    g_string_append (out, _ ("not trusted"));

  return g_string_free (out, FALSE);
}

static char *
format_date (GDateTime *date)
{
  if (date == NULL)
    return g_strdup (_ ("unknown"));
  return g_date_time_format (date, "%Y-%m-%d %H:%M:%S UTC");
}

/**
 * mw_certificate_info_to_string:
 *
 * Returns: (transfer full): subject, issuer, validity and fingerprint, one a line
 */
char *
mw_certificate_info_to_string (MwCertificateInfo *self)
{
  g_autofree char *from = format_date (self->not_before);
  g_autofree char *until = format_date (self->not_after);

  return g_strdup_printf (_ ("Subject: %s\n"
                             "Issuer: %s\n"
                             "Valid from %s until %s\n"
                             "SHA-256 fingerprint: %s"),
                          self->subject, self->issuer, from, until,
                          self->fingerprint);
}

/**
 * mw_fingerprint_normalize:
 *
 * Returns: (transfer full) (nullable): "AB:CD:…", or %NULL when @fingerprint
 *   is not 32 bytes of hexadecimal
 */
char *
mw_fingerprint_normalize (const char *fingerprint)
{
  GString *out;
  guint    digits = 0;

  if (fingerprint == NULL)
    return NULL;

  /* Accept "sha256:" or "SHA256/" prefixes some tools print. */
  if (g_ascii_strncasecmp (fingerprint, "sha256", 6) == 0)
    {
      fingerprint += 6;
      if (*fingerprint == ':' || *fingerprint == '/' || *fingerprint == '=')
        fingerprint++;
    }

  out = g_string_sized_new (96);
  for (const char *p = fingerprint; *p != '\0'; p++)
    {
      if (*p == ':' || *p == ' ' || *p == '-')
        continue;
      if (!g_ascii_isxdigit (*p) || digits >= 64)
        {
          g_string_free (out, TRUE);
          return NULL;
        }
      if (digits > 0 && digits % 2 == 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_toupper (*p));
      digits++;
    }

  if (digits != 64)
    {
      g_string_free (out, TRUE);
      return NULL;
    }

  return g_string_free (out, FALSE);
}

gboolean
mw_fingerprint_equal (const char *a,
                      const char *b)
{
  g_autofree char *na = mw_fingerprint_normalize (a);
  g_autofree char *nb = mw_fingerprint_normalize (b);

  return na != NULL && nb != NULL && g_str_equal (na, nb);
}
