/* mw-certificate-trust.c: asking the user to trust a certificate, and pinning it
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-certificate-trust.h"
#include "mw-certificate-dialog.h"
#include "mw-connection.h"

typedef struct
{
  GWeakRef               owner;
  MwCertificateTrustFunc func;
  gpointer               user_data;
  GDestroyNotify         destroy;
} Ask;

static void
ask_free (gpointer data)
{
  Ask *ask = data;

  g_weak_ref_clear (&ask->owner);
  if (ask->destroy != NULL)
    ask->destroy (ask->user_data);
  g_free (ask);
}

static void
response_cb (MwCertificateDialog *dialog,
             const char          *response,
             Ask                 *ask)
{
  g_autoptr (GObject) owner = g_weak_ref_get (&ask->owner);
  MwCertificateInfo *info = mw_certificate_dialog_get_info (dialog);

  if (g_str_equal (response, "trust") && owner != NULL)
    ask->func (owner, mw_certificate_info_get_fingerprint (info), ask->user_data);
}

/* A dialog already asking about this certificate over @parent. */
static gboolean
already_asking (GtkWindow         *parent,
                MwCertificateInfo *info)
{
  g_autoptr (GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    {
      MwCertificateDialog *dialog;

      if (!MW_IS_CERTIFICATE_DIALOG (l->data))
        continue;
      dialog = l->data;
      if (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == parent &&
          gtk_widget_get_visible (GTK_WIDGET (dialog)) &&
          g_strcmp0 (mw_certificate_info_get_fingerprint (mw_certificate_dialog_get_info (dialog)),
                     mw_certificate_info_get_fingerprint (info)) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
mw_certificate_trust_ask (GtkWindow             *parent,
                          GObject               *owner,
                          const GError          *error,
                          MwCertificateInfo     *info,
                          const char            *host,
                          const char            *pinned,
                          MwCertificateTrustFunc func,
                          gpointer               user_data,
                          GDestroyNotify         destroy)
{
  MwCertificateDialog *dialog;
  Ask                 *ask;
  gboolean             changed;

  g_return_val_if_fail (G_IS_OBJECT (owner), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (!g_error_matches (error, MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_CERTIFICATE) || info == NULL)
    {
      if (destroy != NULL)
        destroy (user_data);
      return FALSE;
    }
  if (already_asking (parent, info))
    {
      if (destroy != NULL)
        destroy (user_data);
      return TRUE;
    }

  changed = pinned != NULL && *pinned != '\0' &&
            !mw_fingerprint_equal (pinned, mw_certificate_info_get_fingerprint (info));
  dialog = mw_certificate_dialog_new (parent, host != NULL ? host : "", info, changed);
  ask = g_new0 (Ask, 1);
  g_weak_ref_init (&ask->owner, owner);
  ask->func = func;
  ask->user_data = user_data;
  ask->destroy = destroy;
  g_signal_connect_data (dialog, "response", G_CALLBACK (response_cb), ask,
                         (GClosureNotify) (void (*) (void)) ask_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

/* Pinning on a stored account. */

typedef struct
{
  MwAccountStore        *store;
  MwAccount             *account;
  MwProtocol             protocol;
  GWeakRef               owner;
  MwCertificateRetryFunc retry;
  gpointer               user_data;
  GDestroyNotify         destroy;
} Offer;

static void
offer_free (gpointer data)
{
  Offer *offer = data;

  g_clear_object (&offer->store);
  g_clear_object (&offer->account);
  g_weak_ref_clear (&offer->owner);
  if (offer->destroy != NULL)
    offer->destroy (offer->user_data);
  g_free (offer);
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Offer *offer = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GObject) owner = NULL;

  /* The pin holds for this run even if the file could not be written;
   * the next start asks again. */
  if (!mw_account_store_save_finish (MW_ACCOUNT_STORE (object), result, &error))
    g_message ("The trusted certificate was not saved: %s", error->message);
  owner = g_weak_ref_get (&offer->owner);
  if (owner != NULL && offer->retry != NULL)
    offer->retry (owner, offer->user_data);
  offer_free (offer);
}

static void
pin_cb (GObject    *owner,
        const char *fingerprint,
        gpointer    user_data)
{
  Offer *offer = user_data;
  Offer *copy = g_new0 (Offer, 1);

  if (offer->protocol == MW_PROTOCOL_POP3)
    mw_account_set_pop3_fingerprint (offer->account, fingerprint);
  else
    mw_account_set_smtp_fingerprint (offer->account, fingerprint);

  /* The ask owns @offer until the dialog goes: hand its parts on. */
  copy->store = g_steal_pointer (&offer->store);
  copy->account = g_steal_pointer (&offer->account);
  copy->protocol = offer->protocol;
  g_weak_ref_init (&copy->owner, owner);
  copy->retry = offer->retry;
  copy->user_data = g_steal_pointer (&offer->user_data);
  copy->destroy = g_steal_pointer (&offer->destroy);
  mw_account_store_save_async (copy->store, NULL, saved_cb, copy);
}

gboolean
mw_certificate_trust_offer (GtkWindow             *parent,
                            GObject               *owner,
                            MwAccountStore        *store,
                            MwAccount             *account,
                            MwProtocol             protocol,
                            const char            *host,
                            const GError          *error,
                            MwCertificateInfo     *info,
                            MwCertificateRetryFunc retry,
                            gpointer               user_data,
                            GDestroyNotify         destroy)
{
  Offer      *offer;
  const char *pinned;

  g_return_val_if_fail (MW_IS_ACCOUNT_STORE (store), FALSE);
  g_return_val_if_fail (MW_IS_ACCOUNT (account), FALSE);

  if (host == NULL)
    host = protocol == MW_PROTOCOL_POP3 ? mw_account_get_pop3_host (account) : mw_account_get_smtp_host (account);
  pinned = protocol == MW_PROTOCOL_POP3 ? mw_account_get_pop3_fingerprint (account) : mw_account_get_smtp_fingerprint (account);

  offer = g_new0 (Offer, 1);
  offer->store = g_object_ref (store);
  offer->account = g_object_ref (account);
  offer->protocol = protocol;
  g_weak_ref_init (&offer->owner, owner);
  offer->retry = retry;
  offer->user_data = user_data;
  offer->destroy = destroy;
  return mw_certificate_trust_ask (parent, owner, error, info, host, pinned, pin_cb, offer, offer_free);
}
