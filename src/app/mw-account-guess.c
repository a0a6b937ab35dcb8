/* mw-account-guess.c: filling in server, port and security as the user types
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-account-guess.h"
#include "mw-server-guess.h"

#include <string.h>

/* Waits for a pause in typing before asking DNS. */
#define GUESS_DELAY_MS 400

typedef struct
{
  MwAccountGuess *self;
  MwProtocol      protocol;
  AdwEntryRow    *host_row;
  AdwEntryRow    *port_row;
  AdwComboRow    *security_row;
  gboolean        host_edited;
  gboolean        port_edited;
  gboolean        security_edited;
  GCancellable   *cancellable;
  guint           timeout_id;
  gboolean        from_address; /* the pending guess fills the host too */
} Side;

struct _MwAccountGuess
{
  GObject parent_instance;

  AdwEntryRow *address_row;
  Side         sides[2];
  gboolean     filling;
  gboolean     stopped;
};

G_DEFINE_FINAL_TYPE (MwAccountGuess, mw_account_guess, G_TYPE_OBJECT)

typedef struct
{
  MwAccountGuess *self;
  Side           *side;
  char           *typed_host; /* NULL: the host comes from the guess */
} Pending;

static void
pending_free (Pending *pending)
{
  g_object_unref (pending->self);
  g_free (pending->typed_host);
  g_free (pending);
}

static void
fill (MwAccountGuess *self,
      Side           *side,
      const char     *host,
      guint16         port,
      MwSecurity      security)
{
  char port_text[8];

  self->filling = TRUE;
  if (host != NULL && !side->host_edited)
    gtk_editable_set_text (GTK_EDITABLE (side->host_row), host);
  /* Port and security go together: either one set by hand keeps both. */
  if (!side->port_edited && !side->security_edited)
    {
      g_snprintf (port_text, sizeof port_text, "%u", port);
      gtk_editable_set_text (GTK_EDITABLE (side->port_row), port_text);
      adw_combo_row_set_selected (side->security_row, security);
    }
  self->filling = FALSE;
}

static void
guessed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Pending         *pending = user_data;
  MwAccountGuess  *self = pending->self;
  Side            *side = pending->side;
  g_autofree char *host = NULL;
  g_autoptr (GError) error = NULL;
  guint16             port = 0;
  MwSecurity          security = MW_SECURITY_TLS;
  MwServerGuessSource source;

  if (!mw_server_guess_finish (result, &host, &port, &security, &source, &error) || self->stopped)
    {
      pending_free (pending);
      return;
    }

  if (pending->typed_host == NULL)
    fill (self, side, host, port, security);
  else if (source == MW_SERVER_GUESS_DNS && g_ascii_strcasecmp (host, pending->typed_host) == 0)
    /* The domain's record names the server the user typed. */
    fill (self, side, NULL, port, security);
  else
    fill (self, side, NULL,
          side->protocol == MW_PROTOCOL_POP3 ? MW_SERVER_GUESS_POP3_TLS_PORT : MW_SERVER_GUESS_SUBMISSION_TLS_PORT,
          MW_SECURITY_TLS);
  pending_free (pending);
}

/* The domain whose records may name @host: "pop.example.org" →
 * "example.org"; a two-label name is a domain itself. */
static char *
domain_of_host (const char *host)
{
  const char *dot = strchr (host, '.');

  if (dot != NULL && strchr (dot + 1, '.') != NULL)
    return g_strdup (dot + 1);
  return g_strdup (host);
}

static gboolean
guess_now_cb (gpointer data)
{
  Side            *side = data;
  MwAccountGuess  *self = side->self;
  Pending         *pending;
  g_autofree char *domain = NULL;

  side->timeout_id = 0;
  if (side->from_address)
    domain = mw_server_guess_domain_of (gtk_editable_get_text (GTK_EDITABLE (self->address_row)));
  else if (*gtk_editable_get_text (GTK_EDITABLE (side->host_row)) != '\0' &&
           !g_hostname_is_ip_address (gtk_editable_get_text (GTK_EDITABLE (side->host_row))))
    domain = domain_of_host (gtk_editable_get_text (GTK_EDITABLE (side->host_row)));
  if (domain == NULL)
    return G_SOURCE_REMOVE;

  g_cancellable_cancel (side->cancellable);
  g_clear_object (&side->cancellable);
  side->cancellable = g_cancellable_new ();
  pending = g_new0 (Pending, 1);
  pending->self = g_object_ref (self);
  pending->side = side;
  if (!side->from_address)
    pending->typed_host = g_strdup (gtk_editable_get_text (GTK_EDITABLE (side->host_row)));
  mw_server_guess_async (domain, side->protocol, side->cancellable, guessed_cb, pending);
  return G_SOURCE_REMOVE;
}

static void
schedule (Side    *side,
          gboolean from_address)
{
  g_clear_handle_id (&side->timeout_id, g_source_remove);
  g_cancellable_cancel (side->cancellable);
  side->from_address = from_address;
  side->timeout_id = g_timeout_add (GUESS_DELAY_MS, guess_now_cb, side);
}

static void
address_changed_cb (MwAccountGuess *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->sides); i++)
    if (!self->sides[i].host_edited)
      schedule (&self->sides[i], TRUE);
}

static Side *
side_of (MwAccountGuess *self,
         gpointer        row)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->sides); i++)
    if (row == self->sides[i].host_row || row == self->sides[i].port_row ||
        row == self->sides[i].security_row)
      return &self->sides[i];
  g_assert_not_reached ();
}

static void
host_changed_cb (GtkEditable    *row,
                 MwAccountGuess *self)
{
  Side *side = side_of (self, row);

  if (self->filling)
    return;
  /* Emptied, the field is the guess's again. */
  side->host_edited = *gtk_editable_get_text (row) != '\0';
  if (side->host_edited)
    schedule (side, FALSE);
}

static void
port_changed_cb (GtkEditable    *row,
                 MwAccountGuess *self)
{
  if (!self->filling)
    side_of (self, row)->port_edited = TRUE;
}

static void
security_changed_cb (AdwComboRow    *row,
                     GParamSpec     *pspec,
                     MwAccountGuess *self)
{
  if (!self->filling)
    side_of (self, row)->security_edited = TRUE;
}

MwAccountGuess *
mw_account_guess_new (AdwEntryRow *address_row,
                      AdwEntryRow *pop3_host_row,
                      AdwEntryRow *pop3_port_row,
                      AdwComboRow *pop3_security_row,
                      AdwEntryRow *smtp_host_row,
                      AdwEntryRow *smtp_port_row,
                      AdwComboRow *smtp_security_row)
{
  MwAccountGuess *self = g_object_new (MW_TYPE_ACCOUNT_GUESS, NULL);
  Side           *pop3 = &self->sides[0];
  Side           *smtp = &self->sides[1];

  self->address_row = address_row;
  pop3->protocol = MW_PROTOCOL_POP3;
  pop3->host_row = pop3_host_row;
  pop3->port_row = pop3_port_row;
  pop3->security_row = pop3_security_row;
  smtp->protocol = MW_PROTOCOL_SMTP;
  smtp->host_row = smtp_host_row;
  smtp->port_row = smtp_port_row;
  smtp->security_row = smtp_security_row;

  g_signal_connect_object (address_row, "changed", G_CALLBACK (address_changed_cb), self, G_CONNECT_SWAPPED);
  for (guint i = 0; i < G_N_ELEMENTS (self->sides); i++)
    {
      Side *side = &self->sides[i];

      side->self = self;
      side->cancellable = g_cancellable_new ();
      g_signal_connect_object (side->host_row, "changed", G_CALLBACK (host_changed_cb), self, 0);
      g_signal_connect_object (side->port_row, "changed", G_CALLBACK (port_changed_cb), self, 0);
      g_signal_connect_object (side->security_row, "notify::selected", G_CALLBACK (security_changed_cb), self, 0);
    }
  return self;
}

void
mw_account_guess_keep_filled (MwAccountGuess *self)
{
  g_return_if_fail (MW_IS_ACCOUNT_GUESS (self));

  for (guint i = 0; i < G_N_ELEMENTS (self->sides); i++)
    {
      Side *side = &self->sides[i];

      g_clear_handle_id (&side->timeout_id, g_source_remove);
      g_cancellable_cancel (side->cancellable);
      side->host_edited = *gtk_editable_get_text (GTK_EDITABLE (side->host_row)) != '\0';
      side->port_edited = side->security_edited = side->host_edited;
    }
}

void
mw_account_guess_stop (MwAccountGuess *self)
{
  g_return_if_fail (MW_IS_ACCOUNT_GUESS (self));

  self->stopped = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (self->sides); i++)
    {
      Side *side = &self->sides[i];

      g_clear_handle_id (&side->timeout_id, g_source_remove);
      g_cancellable_cancel (side->cancellable);
      if (side->host_row != NULL)
        {
          g_signal_handlers_disconnect_by_data (side->host_row, self);
          g_signal_handlers_disconnect_by_data (side->port_row, self);
          g_signal_handlers_disconnect_by_data (side->security_row, self);
        }
    }
  if (self->address_row != NULL)
    g_signal_handlers_disconnect_by_data (self->address_row, self);
}

static void
mw_account_guess_dispose (GObject *object)
{
  MwAccountGuess *self = MW_ACCOUNT_GUESS (object);

  for (guint i = 0; i < G_N_ELEMENTS (self->sides); i++)
    {
      g_clear_handle_id (&self->sides[i].timeout_id, g_source_remove);
      g_cancellable_cancel (self->sides[i].cancellable);
      g_clear_object (&self->sides[i].cancellable);
    }

  G_OBJECT_CLASS (mw_account_guess_parent_class)->dispose (object);
}

static void
mw_account_guess_class_init (MwAccountGuessClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = mw_account_guess_dispose;
}

static void
mw_account_guess_init (MwAccountGuess *self)
{
}
