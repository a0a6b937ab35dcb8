/* mw-certificate-dialog.c: asking whether to trust a server's certificate
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-certificate-dialog.h"
#include "mw-application.h"

#include <glib/gi18n.h>

struct _MwCertificateDialog
{
  AdwMessageDialog parent_instance;

  MwCertificateInfo *info;
  gboolean           changed;

  GtkLabel *subject_label;
  GtkLabel *issuer_label;
  GtkLabel *validity_label;
  GtkLabel *fingerprint_label;
};

G_DEFINE_FINAL_TYPE (MwCertificateDialog, mw_certificate_dialog, ADW_TYPE_MESSAGE_DIALOG)

static char *
format_date (GDateTime *date)
{
  g_autoptr (GDateTime) local = NULL;

  if (date == NULL)
    return g_strdup (_ ("unknown"));
  local = g_date_time_to_local (date);
  return g_date_time_format (local, "%x %X");
}

char *
mw_certificate_describe_problems (MwCertificateInfo *info)
{
  GTlsCertificateFlags errors;
  g_autofree char     *rest = NULL;

  g_return_val_if_fail (info != NULL, NULL);

  errors = mw_certificate_info_get_errors (info);
  /* A certificate that vouches for itself is the usual case of a small
   * server: say so rather than "unknown authority". */
  if ((errors & G_TLS_CERTIFICATE_UNKNOWN_CA) &&
      g_strcmp0 (mw_certificate_info_get_subject (info), mw_certificate_info_get_issuer (info)) == 0)
    {
      errors &= ~G_TLS_CERTIFICATE_UNKNOWN_CA;
      if (errors == 0)
        return g_strdup (_ ("self-signed"));
      rest = mw_certificate_errors_to_string (errors);
      /* TRANSLATORS: "self-signed, expired" */
      return g_strdup_printf (_ ("self-signed, %s"), rest);
    }
  return mw_certificate_errors_to_string (errors);
}

MwCertificateDialog *
mw_certificate_dialog_new (GtkWindow         *parent,
                           const char        *host,
                           MwCertificateInfo *info,
                           gboolean           changed)
{
  MwCertificateDialog *self;
  g_autofree char     *problems = NULL;
  g_autofree char     *body = NULL;
  g_autofree char     *from = NULL;
  g_autofree char     *until = NULL;
  g_autofree char     *validity = NULL;

  g_return_val_if_fail (info != NULL, NULL);

  self = g_object_new (MW_TYPE_CERTIFICATE_DIALOG, "transient-for", parent, NULL);
  self->info = mw_certificate_info_ref (info);
  self->changed = changed;

  problems = mw_certificate_describe_problems (info);
  if (changed)
    {
      adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), _ ("The Server’s Certificate Changed"));
      body = g_strdup_printf (_ ("%s no longer presents the certificate you trusted. Servers renew "
                                 "their certificates, but this is also what an attacker who "
                                 "intercepts the connection would show. Trust the new one only "
                                 "if its fingerprint is the one your provider gives.\n\n"
                                 "The new certificate is %s."),
                              host, problems);
    }
  else
    {
      adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), _ ("Untrusted Certificate"));
      body = g_strdup_printf (_ ("The certificate of %s is %s, so Mailwire cannot be sure that it "
                                 "talks to the real server. Trust it only if its fingerprint is "
                                 "the one your provider gives."),
                              host, problems);
    }
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), body);

  gtk_label_set_label (self->subject_label, mw_certificate_info_get_subject (info));
  gtk_label_set_label (self->issuer_label, mw_certificate_info_get_issuer (info));
  from = format_date (mw_certificate_info_get_not_before (info));
  until = format_date (mw_certificate_info_get_not_after (info));
  /* TRANSLATORS: the first and last moment a certificate is valid. */
  validity = g_strdup_printf (_ ("from %s until %s"), from, until);
  gtk_label_set_label (self->validity_label, validity);
  gtk_label_set_label (self->fingerprint_label, mw_certificate_info_get_fingerprint (info));
  return self;
}

/**
 * mw_certificate_dialog_get_info:
 *
 * Returns: (transfer none): the certificate shown
 */
MwCertificateInfo *
mw_certificate_dialog_get_info (MwCertificateDialog *self)
{
  g_return_val_if_fail (MW_IS_CERTIFICATE_DIALOG (self), NULL);
  return self->info;
}

gboolean
mw_certificate_dialog_get_changed (MwCertificateDialog *self)
{
  g_return_val_if_fail (MW_IS_CERTIFICATE_DIALOG (self), FALSE);
  return self->changed;
}

static void
mw_certificate_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), MW_TYPE_CERTIFICATE_DIALOG);

  G_OBJECT_CLASS (mw_certificate_dialog_parent_class)->dispose (object);
}

static void
mw_certificate_dialog_finalize (GObject *object)
{
  MwCertificateDialog *self = MW_CERTIFICATE_DIALOG (object);

  g_clear_pointer (&self->info, mw_certificate_info_unref);

  G_OBJECT_CLASS (mw_certificate_dialog_parent_class)->finalize (object);
}

static void
mw_certificate_dialog_class_init (MwCertificateDialogClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mw_certificate_dialog_dispose;
  object_class->finalize = mw_certificate_dialog_finalize;

  mw_application_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mailwire/Mailwire/ui/mw-certificate-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, MwCertificateDialog, subject_label);
  gtk_widget_class_bind_template_child (widget_class, MwCertificateDialog, issuer_label);
  gtk_widget_class_bind_template_child (widget_class, MwCertificateDialog, validity_label);
  gtk_widget_class_bind_template_child (widget_class, MwCertificateDialog, fingerprint_label);
}

static void
mw_certificate_dialog_init (MwCertificateDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
