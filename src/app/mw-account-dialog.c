/* mw-account-dialog.c: adding and editing an account
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-account-dialog.h"
#include "mw-account-guess.h"
#include "mw-error-text.h"
#include "mw-application.h"
#include "mw-certificate-trust.h"
#include "mw-pop3-client.h"
#include "mw-smtp-client.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#define MEGABYTE (G_GUINT64_CONSTANT (1024) * 1024)

struct _MwAccountDialog
{
  AdwWindow parent_instance;

  MwAccountStore *store;
  MwAccount      *account;
  MwTranscript   *transcript;
  GCancellable   *cancellable;
  MwPop3Client   *pop3;
  MwSmtpClient   *smtp;
  char           *pop3_result;
  guint           pending_passwords;
  char           *pop3_fingerprint;
  char           *smtp_fingerprint;
  gboolean        test_again;
  MwAccountGuess *guess;

  AdwEntryRow         *name_row;
  AdwEntryRow         *address_row;
  AdwEntryRow         *pop3_host_row;
  AdwComboRow         *pop3_security_row;
  AdwEntryRow         *pop3_port_row;
  AdwEntryRow         *pop3_user_row;
  AdwPasswordEntryRow *pop3_password_row;
  GtkSpinButton       *check_interval_spin;
  AdwComboRow         *leave_policy_row;
  GtkWidget           *leave_days_row;
  GtkSpinButton       *leave_days_spin;
  GtkSpinButton       *max_size_spin;
  AdwEntryRow         *smtp_host_row;
  AdwComboRow         *smtp_security_row;
  AdwEntryRow         *smtp_port_row;
  AdwEntryRow         *smtp_user_row;
  AdwPasswordEntryRow *smtp_password_row;
  GtkSwitch           *plaintext_switch;
  AdwActionRow        *test_row;
  GtkSpinner          *test_spinner;
};

G_DEFINE_FINAL_TYPE (MwAccountDialog, mw_account_dialog, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_SAVED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static const char *
text (gpointer row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static const char *
or_empty (const char *str)
{
  return str != NULL ? str : "";
}

static guint16
port (AdwEntryRow *row)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text (row), 10, 1, 65535, &value, NULL))
    return 0;
  return value;
}

static void
set_busy (MwAccountDialog *self,
          gboolean         busy)
{
  gtk_spinner_set_spinning (self->test_spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.test", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.save", !busy);
}

/* Test Connection: log in to each server and out again. */

static void
finish_test (MwAccountDialog *self,
             const char      *smtp_result)
{
  g_autofree char *summary = g_strdup_printf (_ ("POP3: %s\nSMTP: %s"), self->pop3_result, smtp_result);

  adw_action_row_set_subtitle (self->test_row, summary);
  g_clear_object (&self->pop3);
  g_clear_object (&self->smtp);
  set_busy (self, FALSE);
  if (self->test_again)
    {
      self->test_again = FALSE;
      gtk_widget_activate_action (GTK_WIDGET (self), "account.test", NULL);
    }
}

/* A certificate the user trusts is pinned when the account is saved; the
 * test runs again with it. */
static void
trusted_cb (GObject    *owner,
            const char *fingerprint,
            gpointer    protocol)
{
  MwAccountDialog *self = MW_ACCOUNT_DIALOG (owner);
  char           **field = GPOINTER_TO_INT (protocol) == MW_PROTOCOL_POP3 ? &self->pop3_fingerprint : &self->smtp_fingerprint;

  g_free (*field);
  *field = g_strdup (fingerprint);
  if (self->pop3 != NULL || self->smtp != NULL)
    self->test_again = TRUE;
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "account.test", NULL);
}

static void
offer_trust (MwAccountDialog *self,
             MwProtocol       protocol,
             const GError    *error,
             const char      *host)
{
  MwCertificateInfo *info;

  if (protocol == MW_PROTOCOL_POP3)
    info = mw_pop3_client_get_certificate_info (self->pop3);
  else
    info = mw_connection_get_certificate_info (mw_smtp_client_get_connection (self->smtp));
  mw_certificate_trust_ask (GTK_WINDOW (self), G_OBJECT (self), error, info, host,
                            protocol == MW_PROTOCOL_POP3 ? self->pop3_fingerprint : self->smtp_fingerprint,
                            trusted_cb, GINT_TO_POINTER (protocol), NULL);
}

static void
smtp_quit_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  mw_smtp_client_quit_finish (MW_SMTP_CLIENT (object), result, NULL);
}

static void
smtp_connect_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (MwAccountDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  gboolean        connected = mw_smtp_client_connect_finish (MW_SMTP_CLIENT (object), result, &error);
  GtkWindow      *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  GtkApplication *app = parent != NULL ? gtk_window_get_application (parent) : NULL;

  /* The server's SIZE, for the composer's warning. */
  if (self->account != NULL && MW_IS_APPLICATION (app))
    mw_send_queue_note_capabilities (mw_application_get_send_queue (MW_APPLICATION (app)),
                                     mw_account_get_id (self->account),
                                     mw_smtp_client_get_capabilities (MW_SMTP_CLIENT (object)));
  if (!connected)
    {
      g_autofree char *described = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      offer_trust (self, MW_PROTOCOL_SMTP, error, text (self->smtp_host_row));
      described = mw_error_text_describe (error);
      finish_test (self, described);
      return;
    }
  mw_smtp_client_quit_async (MW_SMTP_CLIENT (object), NULL, smtp_quit_cb, NULL);
  finish_test (self, _ ("the server accepted the login"));
}

static void
test_smtp (MwAccountDialog *self)
{
  if (*text (self->smtp_host_row) == '\0')
    {
      finish_test (self, _ ("no server given"));
      return;
    }
  self->smtp = mw_smtp_client_new (text (self->smtp_host_row), port (self->smtp_port_row),
                                   adw_combo_row_get_selected (self->smtp_security_row),
                                   self->transcript);
  mw_smtp_client_set_user (self->smtp, text (self->smtp_user_row));
  mw_smtp_client_set_password (self->smtp, text (self->smtp_password_row));
  mw_smtp_client_set_allow_plaintext (self->smtp, gtk_switch_get_active (self->plaintext_switch));
  mw_smtp_client_set_pinned_fingerprint (self->smtp, self->smtp_fingerprint);
  mw_smtp_client_connect_async (self->smtp, self->cancellable, smtp_connect_cb, g_object_ref (self));
}

static void
pop3_quit_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  mw_pop3_client_quit_finish (MW_POP3_CLIENT (object), result, NULL, NULL);
}

static void
pop3_connect_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (MwAccountDialog) self = user_data;
  g_autoptr (GError) error = NULL;

  g_clear_pointer (&self->pop3_result, g_free);
  if (!mw_pop3_client_connect_finish (MW_POP3_CLIENT (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->pop3_result = mw_error_text_describe (error);
      offer_trust (self, MW_PROTOCOL_POP3, error, text (self->pop3_host_row));
    }
  else
    {
      self->pop3_result = g_strdup_printf (_ ("logged in with %s"),
                                           mw_pop3_client_get_mechanism_used (MW_POP3_CLIENT (object)));
      mw_pop3_client_quit_async (MW_POP3_CLIENT (object), NULL, pop3_quit_cb, NULL);
    }
  test_smtp (self);
}

static void
test_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MwAccountDialog *self = MW_ACCOUNT_DIALOG (widget);

  set_busy (self, TRUE);
  adw_action_row_set_subtitle (self->test_row, _ ("Connecting…"));
  if (*text (self->pop3_host_row) == '\0')
    {
      self->pop3_result = g_strdup (_ ("no server given"));
      test_smtp (self);
      return;
    }
  self->pop3 = mw_pop3_client_new (text (self->pop3_host_row), port (self->pop3_port_row),
                                   adw_combo_row_get_selected (self->pop3_security_row),
                                   self->transcript);
  mw_pop3_client_set_user (self->pop3, text (self->pop3_user_row));
  mw_pop3_client_set_password (self->pop3, text (self->pop3_password_row));
  mw_pop3_client_set_allow_plaintext (self->pop3, gtk_switch_get_active (self->plaintext_switch));
  mw_pop3_client_set_pinned_fingerprint (self->pop3, self->pop3_fingerprint);
  mw_pop3_client_connect_async (self->pop3, self->cancellable, pop3_connect_cb, g_object_ref (self));
}

/* Saving: the key file first, then each password in the Secret Service. */

static void
password_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (MwAccountDialog) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!mw_account_store_store_password_finish (MW_ACCOUNT_STORE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          adw_action_row_set_subtitle (self->test_row, error->message);
          set_busy (self, FALSE);
        }
      return;
    }
  if (--self->pending_passwords > 0)
    return;
  g_signal_emit (self, signals[SIGNAL_SAVED], 0, self->account);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (MwAccountDialog) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!mw_account_store_save_finish (MW_ACCOUNT_STORE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          adw_action_row_set_subtitle (self->test_row, error->message);
          set_busy (self, FALSE);
        }
      return;
    }

  self->pending_passwords = 2;
  mw_account_store_store_password_async (self->store, self->account, MW_PROTOCOL_POP3,
                                         text (self->pop3_password_row), self->cancellable,
                                         password_cb, g_object_ref (self));
  mw_account_store_store_password_async (self->store, self->account, MW_PROTOCOL_SMTP,
                                         text (self->smtp_password_row), self->cancellable,
                                         password_cb, g_object_ref (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MwAccountDialog *self = MW_ACCOUNT_DIALOG (widget);
  g_autoptr (GError) error = NULL;
  gboolean is_new = self->account == NULL;

  if (*text (self->address_row) == '\0' || *text (self->pop3_host_row) == '\0' ||
      port (self->pop3_port_row) == 0 || (*text (self->smtp_host_row) != '\0' && port (self->smtp_port_row) == 0))
    {
      adw_action_row_set_subtitle (self->test_row,
                                   _ ("An email address, a POP3 server and valid ports are needed."));
      return;
    }

  if (is_new)
    self->account = mw_account_new (NULL);
  mw_account_set_display_name (self->account, *text (self->name_row) != '\0' ? text (self->name_row) : text (self->address_row));
  mw_account_set_address (self->account, text (self->address_row));
  mw_account_set_pop3_host (self->account, text (self->pop3_host_row));
  mw_account_set_pop3_port (self->account, port (self->pop3_port_row));
  mw_account_set_pop3_security (self->account, adw_combo_row_get_selected (self->pop3_security_row));
  mw_account_set_pop3_user (self->account, text (self->pop3_user_row));
  mw_account_set_smtp_host (self->account, text (self->smtp_host_row));
  mw_account_set_smtp_port (self->account, port (self->smtp_port_row));
  mw_account_set_smtp_security (self->account, adw_combo_row_get_selected (self->smtp_security_row));
  mw_account_set_smtp_user (self->account, text (self->smtp_user_row));
  mw_account_set_allow_plaintext (self->account, gtk_switch_get_active (self->plaintext_switch));
  mw_account_set_pop3_fingerprint (self->account, self->pop3_fingerprint);
  mw_account_set_smtp_fingerprint (self->account, self->smtp_fingerprint);
  mw_account_set_check_interval (self->account, gtk_spin_button_get_value_as_int (self->check_interval_spin));
  mw_account_set_leave_policy (self->account, adw_combo_row_get_selected (self->leave_policy_row));
  mw_account_set_leave_days (self->account, gtk_spin_button_get_value_as_int (self->leave_days_spin));
  mw_account_set_max_size (self->account, (guint64) gtk_spin_button_get_value_as_int (self->max_size_spin) * MEGABYTE);

  if (is_new && !mw_account_store_add (self->store, self->account, &error))
    {
      adw_action_row_set_subtitle (self->test_row, error->message);
      g_clear_object (&self->account);
      return;
    }

  set_busy (self, TRUE);
  mw_account_store_save_async (self->store, self->cancellable, save_cb, g_object_ref (self));
}

/* The number of days matters only for that policy. */
static void
leave_policy_changed_cb (MwAccountDialog *self)
{
  gtk_widget_set_sensitive (self->leave_days_row,
                            adw_combo_row_get_selected (self->leave_policy_row) == MW_LEAVE_POLICY_DELETE_AFTER_DAYS);
}

MwAccountDialog *
mw_account_dialog_new (GtkWindow      *parent,
                       MwAccountStore *store,
                       MwAccount      *account,
                       MwTranscript   *transcript)
{
  MwAccountDialog *self;

  g_return_val_if_fail (MW_IS_ACCOUNT_STORE (store), NULL);

  self = g_object_new (MW_TYPE_ACCOUNT_DIALOG, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  self->transcript = transcript != NULL ? g_object_ref (transcript) : mw_transcript_new (100);
  if (account != NULL)
    {
      char port_text[8];

      self->account = g_object_ref (account);
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), or_empty (mw_account_get_display_name (account)));
      gtk_editable_set_text (GTK_EDITABLE (self->address_row), or_empty (mw_account_get_address (account)));
      gtk_editable_set_text (GTK_EDITABLE (self->pop3_host_row), or_empty (mw_account_get_pop3_host (account)));
      g_snprintf (port_text, sizeof port_text, "%u", mw_account_get_pop3_port (account));
      gtk_editable_set_text (GTK_EDITABLE (self->pop3_port_row), port_text);
      adw_combo_row_set_selected (self->pop3_security_row, mw_account_get_pop3_security (account));
      gtk_editable_set_text (GTK_EDITABLE (self->pop3_user_row), or_empty (mw_account_get_pop3_user (account)));
      gtk_editable_set_text (GTK_EDITABLE (self->smtp_host_row), or_empty (mw_account_get_smtp_host (account)));
      g_snprintf (port_text, sizeof port_text, "%u", mw_account_get_smtp_port (account));
      gtk_editable_set_text (GTK_EDITABLE (self->smtp_port_row), port_text);
      adw_combo_row_set_selected (self->smtp_security_row, mw_account_get_smtp_security (account));
      gtk_editable_set_text (GTK_EDITABLE (self->smtp_user_row), or_empty (mw_account_get_smtp_user (account)));
      gtk_switch_set_active (self->plaintext_switch, mw_account_get_allow_plaintext (account));
      self->pop3_fingerprint = g_strdup (mw_account_get_pop3_fingerprint (account));
      self->smtp_fingerprint = g_strdup (mw_account_get_smtp_fingerprint (account));
      mw_account_guess_keep_filled (self->guess);
    }
  {
    g_autoptr (MwAccount) defaults = mw_account_new ("defaults");

    MwAccount *shown = account != NULL ? account : defaults;

    gtk_spin_button_set_value (self->check_interval_spin, mw_account_get_check_interval (shown));
    adw_combo_row_set_selected (self->leave_policy_row, mw_account_get_leave_policy (shown));
    gtk_spin_button_set_value (self->leave_days_spin, mw_account_get_leave_days (shown));
    /* Rounded up: a limit is never made smaller by showing it. */
    gtk_spin_button_set_value (self->max_size_spin,
                               (double) ((mw_account_get_max_size (shown) + MEGABYTE - 1) / MEGABYTE));
    leave_policy_changed_cb (self);
  }
  return self;
}

static void
mw_account_dialog_dispose (GObject *object)
{
  MwAccountDialog *self = MW_ACCOUNT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->guess != NULL)
    mw_account_guess_stop (self->guess);
  g_clear_object (&self->guess);
  if (self->pop3 != NULL)
    mw_pop3_client_close (self->pop3);
  if (self->smtp != NULL)
    mw_smtp_client_close (self->smtp);
  g_clear_object (&self->pop3);
  g_clear_object (&self->smtp);
  g_clear_object (&self->store);
  g_clear_object (&self->account);
  g_clear_object (&self->transcript);
  gtk_widget_dispose_template (GTK_WIDGET (self), MW_TYPE_ACCOUNT_DIALOG);

  G_OBJECT_CLASS (mw_account_dialog_parent_class)->dispose (object);
}

static void
mw_account_dialog_finalize (GObject *object)
{
  MwAccountDialog *self = MW_ACCOUNT_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_free (self->pop3_result);
  g_free (self->pop3_fingerprint);
  g_free (self->smtp_fingerprint);

  G_OBJECT_CLASS (mw_account_dialog_parent_class)->finalize (object);
}

static void
mw_account_dialog_class_init (MwAccountDialogClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mw_account_dialog_dispose;
  object_class->finalize = mw_account_dialog_finalize;

  /**
   * MwAccountDialog::saved:
   * @account: the account, now in the store
   */
  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, MW_TYPE_ACCOUNT);

  mw_application_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mailwire/Mailwire/ui/mw-account-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, MwAccountDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, MwAccountDialog, address_row);
  gtk_widget_class_bind_template_child (widget_class, MwAccountDialog, pop3_host_row);
  gtk_widget_class_bind_template_child (widget_class, MwAccountDialog, pop3_security_row);
  gtk_widget_class_bind_template_child (widget_class, MwAccountDialog, pop3_port_row);
  gtk_widget_class_bind_template_child (widget_class, MwAccountDialog, pop3_user_row);
  gtk_widget_class_bind_template_child (widget_class, MwAccountDialog, pop3_password_row);
  gtk_widget_class_bind_template_child (widget_class, MwAccountDialog, smtp_host_row);
  gtk_widget_class_bind_template_child (widget_class, MwAccountDialog, smtp_security_row);
  gtk_widget_class_bind_template_child (widget_class, MwAccountDialog, smtp_port_row);
  gtk_widget_class_bind_template_child (widget_class, MwAccountDialog, smtp_user_row);
  gtk_widget_class_bind_template_child (widget_class, MwAccountDialog, smtp_password_row);
  gtk_widget_class_bind_template_child (widget_class, MwAccountDialog, plaintext_switch);
  gtk_widget_class_bind_template_child (widget_class, MwAccountDialog, test_row);
  gtk_widget_class_bind_template_child (widget_class, MwAccountDialog, test_spinner);
  gtk_widget_class_bind_template_child (widget_class, MwAccountDialog, check_interval_spin);
  gtk_widget_class_bind_template_child (widget_class, MwAccountDialog, leave_policy_row);
  gtk_widget_class_bind_template_child (widget_class, MwAccountDialog, leave_days_row);
  gtk_widget_class_bind_template_child (widget_class, MwAccountDialog, leave_days_spin);
  gtk_widget_class_bind_template_child (widget_class, MwAccountDialog, max_size_spin);

  gtk_widget_class_install_action (widget_class, "account.test", NULL, test_action);
  gtk_widget_class_install_action (widget_class, "account.save", NULL, save_action);
}

static void
mw_account_dialog_init (MwAccountDialog *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->leave_policy_row, "notify::selected",
                            G_CALLBACK (leave_policy_changed_cb), self);
  self->guess = mw_account_guess_new (self->address_row, self->pop3_host_row, self->pop3_port_row,
                                      self->pop3_security_row, self->smtp_host_row,
                                      self->smtp_port_row, self->smtp_security_row);

  /* An entry row's text has no accessible name of its own, so a screen
   * reader would say only "text": give it the row's title. */
  {
    AdwPreferencesRow *rows[] = {
      ADW_PREFERENCES_ROW (self->name_row),
      ADW_PREFERENCES_ROW (self->address_row),
      ADW_PREFERENCES_ROW (self->pop3_host_row),
      ADW_PREFERENCES_ROW (self->pop3_port_row),
      ADW_PREFERENCES_ROW (self->pop3_user_row),
      ADW_PREFERENCES_ROW (self->pop3_password_row),
      ADW_PREFERENCES_ROW (self->smtp_host_row),
      ADW_PREFERENCES_ROW (self->smtp_port_row),
      ADW_PREFERENCES_ROW (self->smtp_user_row),
      ADW_PREFERENCES_ROW (self->smtp_password_row),
    };

    for (size_t i = 0; i < G_N_ELEMENTS (rows); i++)
      gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_editable_get_delegate (GTK_EDITABLE (rows[i]))),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      adw_preferences_row_get_title (rows[i]),
                                      -1);
  }
}
