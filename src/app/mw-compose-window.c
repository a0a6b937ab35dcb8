/* mw-compose-window.c: writing and sending a message
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-compose-window.h"
#include "mw-error-text.h"
#include "mw-application.h"
#include "mw-certificate-trust.h"
#include "mw-message-builder.h"

#include <glib/gi18n.h>
#include <gmime/gmime.h>

struct _MwComposeWindow
{
  AdwWindow parent_instance;

  MwSmtpClient     *client;
  GCancellable     *cancellable;
  char             *from_address;
  GPtrArray        *attachment_files; /* GFile */
  GPtrArray        *attachment_bytes; /* GBytes, in step with the files */
  GBytes           *message;
  MwMessageBuilder *draft; /* a reply or forward being written */
  gboolean          sending;

  /* For trusting the server's certificate, when the account is stored. */
  MwAccountStore *store;
  MwAccount      *account;
  char           *host;

  AdwToastOverlay *toast_overlay;
  GtkLabel        *from_label;
  GtkEntry        *to_entry;
  GtkEntry        *cc_entry;
  GtkEntry        *bcc_entry;
  GtkEntry        *subject_entry;
  GtkTextView     *body_view;
  GtkRevealer     *attachments_revealer;
  GtkFlowBox      *attachments_box;
  GtkSpinner      *spinner;
};

G_DEFINE_FINAL_TYPE (MwComposeWindow, mw_compose_window, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_SENT,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

/* Splits an address field into mailboxes; FALSE when any is not valid.
 * @builder_add may be NULL to check only. */
static gboolean
parse_addresses (const char       *text,
                 MwMessageBuilder *builder,
                 void (*builder_add) (MwMessageBuilder *, const char *, const char *),
                 guint *out_count)
{
  InternetAddressList *list;
  gboolean             ok = TRUE;
  guint                count = 0;

  if (out_count != NULL)
    *out_count = 0;
  if (text == NULL || *text == '\0')
    return TRUE;

  g_mime_init ();
  list = internet_address_list_parse (NULL, text);
  if (list == NULL)
    return FALSE;

  for (int i = 0; i < internet_address_list_length (list); i++)
    {
      InternetAddress *address = internet_address_list_get_address (list, i);
      const char      *addr;

      if (!INTERNET_ADDRESS_IS_MAILBOX (address))
        {
          ok = FALSE;
          continue;
        }
      addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address));
      if (!mw_message_builder_validate_address (addr, NULL))
        {
          ok = FALSE;
          continue;
        }
      count++;
      if (builder_add != NULL)
        builder_add (builder, internet_address_get_name (address), addr);
    }
  g_object_unref (list);

  if (out_count != NULL)
    *out_count = count;
  return ok;
}

static gboolean
check_entry (GtkEntry *entry,
             guint    *count)
{
  gboolean ok = parse_addresses (gtk_editable_get_text (GTK_EDITABLE (entry)), NULL, NULL, count);

  if (ok)
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  return ok;
}

static void
addresses_changed_cb (MwComposeWindow *self)
{
  guint    n_to = 0, n_cc = 0, n_bcc = 0;
  gboolean ok;

  ok = check_entry (self->to_entry, &n_to);
  ok = check_entry (self->cc_entry, &n_cc) && ok;
  ok = check_entry (self->bcc_entry, &n_bcc) && ok;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compose.send",
                                 ok && !self->sending && n_to + n_cc + n_bcc > 0);
}

static void
set_sending (MwComposeWindow *self,
             gboolean         sending)
{
  self->sending = sending;
  gtk_spinner_set_spinning (self->spinner, sending);
  gtk_widget_set_sensitive (GTK_WIDGET (self->to_entry), !sending);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cc_entry), !sending);
  gtk_widget_set_sensitive (GTK_WIDGET (self->bcc_entry), !sending);
  gtk_widget_set_sensitive (GTK_WIDGET (self->subject_entry), !sending);
  gtk_text_view_set_editable (self->body_view, !sending);
  addresses_changed_cb (self);
}

/* Attachments. */

static void
remove_attachment_cb (GtkButton       *button,
                      MwComposeWindow *self)
{
  GtkWidget *child = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_FLOW_BOX_CHILD);
  int        index = gtk_flow_box_child_get_index (GTK_FLOW_BOX_CHILD (child));

  g_ptr_array_remove_index (self->attachment_files, index);
  g_ptr_array_remove_index (self->attachment_bytes, index);
  gtk_flow_box_remove (self->attachments_box, child);
  gtk_revealer_set_reveal_child (self->attachments_revealer, self->attachment_files->len > 0);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (MwComposeWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *name = NULL;
  g_autofree char *size = NULL;
  g_autofree char *text = NULL;
  GtkWidget       *box, *label, *button;

  bytes = g_file_load_bytes_finish (G_FILE (object), result, NULL, &error);
  if (bytes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  g_ptr_array_add (self->attachment_files, g_object_ref (object));
  g_ptr_array_add (self->attachment_bytes, g_bytes_ref (bytes));

  name = g_file_get_basename (G_FILE (object));
  size = g_format_size (g_bytes_get_size (bytes));
  text = g_strdup_printf ("%s (%s)", name, size);
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (box, "attachment");
  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name ("mail-attachment-symbolic"));
  label = gtk_label_new (text);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_box_append (GTK_BOX (box), label);
  button = gtk_button_new_from_icon_name ("window-close-symbolic");
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "circular");
  gtk_widget_set_tooltip_text (button, _ ("Remove Attachment"));
  g_signal_connect_object (button, "clicked", G_CALLBACK (remove_attachment_cb), self, 0);
  gtk_box_append (GTK_BOX (box), button);
  gtk_flow_box_append (self->attachments_box, box);
  gtk_revealer_set_reveal_child (self->attachments_revealer, TRUE);
}

static void
attach_file (MwComposeWindow *self,
             GFile           *file)
{
  g_file_load_bytes_async (file, self->cancellable, load_cb, g_object_ref (self));
}

static void
attach_response_cb (MwComposeWindow      *self,
                    int                   response,
                    GtkFileChooserNative *native)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (native));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr (GFile) file = g_list_model_get_item (files, i);

          attach_file (self, file);
        }
    }
  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (native));
  g_object_unref (native);
}

static void
attach_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  GtkFileChooserNative *native;

  native = gtk_file_chooser_native_new (_ ("Attach Files"), GTK_WINDOW (widget),
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _ ("_Attach"), _ ("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (native), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect_object (native, "response", G_CALLBACK (attach_response_cb), widget,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static gboolean
drop_cb (GtkDropTarget   *target,
         const GValue    *value,
         double           x,
         double           y,
         MwComposeWindow *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) || self->sending)
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = files; l != NULL; l = l->next)
    attach_file (self, l->data);
  g_slist_free (files);
  return TRUE;
}

/* Sending. */

static void
report (MwComposeWindow  *self,
        const char       *heading,
        const char       *body,
        MwSmtpSendResult *result)
{
  g_autoptr (GString) text = g_string_new (body);
  GtkWidget *dialog;

  if (result != NULL)
    {
      GPtrArray *recipients = mw_smtp_send_result_get_recipients (result);

      for (guint i = 0; i < recipients->len; i++)
        {
          MwSmtpRecipient *recipient = g_ptr_array_index (recipients, i);

          if (recipient->accepted)
            continue;
          g_string_append_printf (text, "\n\n%s\n%s", recipient->address,
                                  recipient->reply != NULL && recipient->reply->text != NULL ? recipient->reply->text : _ ("No answer from the server"));
          /* Beside the server's words, what they mean. */
          if (recipient->reply != NULL && recipient->reply->lines != NULL)
            {
              g_autofree char *joined = g_strjoinv ("\n", recipient->reply->lines);
              g_autoptr (MwReplyExplanation) explanation = mw_reply_explain (MW_REPLY_PROTOCOL_SMTP, joined);

              g_string_append_printf (text, "\n%s", explanation->sentence);
            }
        }
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, text->str);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _ ("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A failure, with the server's words explained. */
static void
report_error (MwComposeWindow  *self,
              const char       *heading,
              const GError     *error,
              MwSmtpSendResult *result)
{
  g_autofree char *body = mw_error_text_describe (error);

  report (self, heading, body, result);
}

static void
quit_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  mw_smtp_client_quit_finish (MW_SMTP_CLIENT (object), result, NULL);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (MwComposeWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSmtpSendResult) send_result = NULL;
  GtkWindow *parent;

  if (!mw_smtp_client_send_finish (MW_SMTP_CLIENT (object), result, &send_result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      mw_smtp_client_quit_async (self->client, NULL, quit_cb, NULL);
      set_sending (self, FALSE);
      report_error (self, _ ("The Message Was Not Sent"), error, send_result);
      return;
    }

  mw_smtp_client_quit_async (self->client, NULL, quit_cb, NULL);
  set_sending (self, FALSE);
  if (self->message != NULL)
    g_signal_emit (self, signals[SIGNAL_SENT], 0, self->message);
  if (send_result != NULL && mw_smtp_send_result_get_n_refused (send_result) > 0)
    {
      report (self, _ ("Some Recipients Were Refused"),
              _ ("The message was sent to the other recipients."), send_result);
      return;
    }

  parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.message-sent", NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

typedef struct
{
  GBytes         *message;
  char          **recipients;
  MwSmtpSendFlags flags;
} Send;

static void
send_free (Send *send)
{
  g_bytes_unref (send->message);
  g_strfreev (send->recipients);
  g_free (send);
}

static void
retry_send (GObject *owner,
            gpointer data)
{
  MwComposeWindow *self = MW_COMPOSE_WINDOW (owner);

  mw_smtp_client_set_pinned_fingerprint (self->client, mw_account_get_smtp_fingerprint (self->account));
  gtk_widget_activate_action (GTK_WIDGET (self), "compose.send", NULL);
}

static gboolean
offer_trust (MwComposeWindow *self,
             const GError    *error)
{
  MwConnection *connection = mw_smtp_client_get_connection (self->client);

  return mw_certificate_trust_offer (GTK_WINDOW (self), G_OBJECT (self), self->store, self->account,
                                     MW_PROTOCOL_SMTP, self->host, error,
                                     connection != NULL ? mw_connection_get_certificate_info (connection) : NULL,
                                     retry_send, NULL, NULL);
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwComposeWindow *self = g_task_get_source_object (task);
  Send            *send = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GInputStream) stream = NULL;

  if (!mw_smtp_client_connect_finish (MW_SMTP_CLIENT (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          set_sending (self, FALSE);
          if (self->account == NULL || !offer_trust (self, error))
            report_error (self, _ ("The Message Was Not Sent"), error, NULL);
        }
      g_task_return_boolean (task, FALSE);
      return;
    }

  g_clear_pointer (&self->message, g_bytes_unref);
  self->message = g_bytes_ref (send->message);
  stream = g_memory_input_stream_new_from_bytes (send->message);
  mw_smtp_client_send_async (self->client, self->from_address,
                             (const char *const *) send->recipients, stream,
                             g_bytes_get_size (send->message), send->flags, NULL,
                             self->cancellable, send_cb, g_object_ref (self));
  g_task_return_boolean (task, TRUE);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MwComposeWindow *self = MW_COMPOSE_WINDOW (widget);
  g_autoptr (MwMessageBuilder) builder = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GTask) task = NULL;
  g_autofree char *body = NULL;
  GtkTextBuffer   *buffer = gtk_text_view_get_buffer (self->body_view);
  GtkTextIter      start, end;
  Send            *send;

  if (self->sending)
    return;

  if (self->draft != NULL)
    {
      /* Keeps In-Reply-To, References and a forwarded original. */
      builder = g_object_ref (self->draft);
      mw_message_builder_clear_recipients (builder);
      mw_message_builder_clear_attachments (builder);
    }
  else
    builder = mw_message_builder_new ();
  mw_message_builder_set_from (builder, NULL, self->from_address);
  parse_addresses (gtk_editable_get_text (GTK_EDITABLE (self->to_entry)), builder,
                   mw_message_builder_add_to, NULL);
  parse_addresses (gtk_editable_get_text (GTK_EDITABLE (self->cc_entry)), builder,
                   mw_message_builder_add_cc, NULL);
  parse_addresses (gtk_editable_get_text (GTK_EDITABLE (self->bcc_entry)), builder,
                   mw_message_builder_add_bcc, NULL);
  mw_message_builder_set_subject (builder, gtk_editable_get_text (GTK_EDITABLE (self->subject_entry)));
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  body = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  mw_message_builder_set_body_text (builder, body);
  for (guint i = 0; i < self->attachment_files->len; i++)
    {
      g_autofree char *name = g_file_get_basename (g_ptr_array_index (self->attachment_files, i));
      g_autofree char *type = g_content_type_guess (name, NULL, 0, NULL);
      g_autofree char *mime = g_content_type_get_mime_type (type);

      mw_message_builder_add_attachment (builder, g_ptr_array_index (self->attachment_bytes, i),
                                         name, mime != NULL ? mime : "application/octet-stream");
    }

  send = g_new0 (Send, 1);
  send->message = mw_message_builder_build (builder, &error);
  if (send->message == NULL)
    {
      send_free (send);
      report_error (self, _ ("The Message Was Not Sent"), error, NULL);
      return;
    }
  send->recipients = mw_message_builder_get_envelope_recipients (builder);
  if (mw_message_builder_needs_8bit (builder))
    send->flags |= MW_SMTP_SEND_8BITMIME;
  if (mw_message_builder_needs_smtputf8 (builder))
    send->flags |= MW_SMTP_SEND_SMTPUTF8;

  set_sending (self, TRUE);
  task = g_task_new (self, self->cancellable, NULL, NULL);
  g_task_set_task_data (task, send, (GDestroyNotify) send_free);
  mw_smtp_client_connect_async (self->client, self->cancellable, connect_cb, g_steal_pointer (&task));
}

MwComposeWindow *
mw_compose_window_new (GtkWindow    *parent,
                       const char   *from_address,
                       MwSmtpClient *client)
{
  MwComposeWindow *self;

  g_return_val_if_fail (MW_IS_SMTP_CLIENT (client), NULL);

  self = g_object_new (MW_TYPE_COMPOSE_WINDOW, "transient-for", parent, NULL);
  self->client = g_object_ref (client);
  self->from_address = g_strdup (from_address);
  gtk_label_set_label (self->from_label, from_address);
  return self;
}

void
mw_compose_window_set_account (MwComposeWindow *self,
                               MwAccountStore  *store,
                               MwAccount       *account,
                               const char      *host)
{
  g_return_if_fail (MW_IS_COMPOSE_WINDOW (self));
  g_return_if_fail (MW_IS_ACCOUNT_STORE (store));
  g_return_if_fail (MW_IS_ACCOUNT (account));

  g_set_object (&self->store, store);
  g_set_object (&self->account, account);
  g_free (self->host);
  self->host = g_strdup (host);
  mw_smtp_client_set_pinned_fingerprint (self->client, mw_account_get_smtp_fingerprint (account));
}

void
mw_compose_window_set_to (MwComposeWindow *self,
                          const char      *to)
{
  g_return_if_fail (MW_IS_COMPOSE_WINDOW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->to_entry), to);
}

void
mw_compose_window_set_cc (MwComposeWindow *self,
                          const char      *cc)
{
  g_return_if_fail (MW_IS_COMPOSE_WINDOW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->cc_entry), cc);
}

void
mw_compose_window_set_bcc (MwComposeWindow *self,
                           const char      *bcc)
{
  g_return_if_fail (MW_IS_COMPOSE_WINDOW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->bcc_entry), bcc);
}

void
mw_compose_window_set_subject (MwComposeWindow *self,
                               const char      *subject)
{
  g_return_if_fail (MW_IS_COMPOSE_WINDOW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->subject_entry), subject);
}

void
mw_compose_window_set_body (MwComposeWindow *self,
                            const char      *body)
{
  g_return_if_fail (MW_IS_COMPOSE_WINDOW (self));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->body_view), body, -1);
}

void
mw_compose_window_set_draft (MwComposeWindow  *self,
                             MwMessageBuilder *draft)
{
  g_autofree char *to = NULL;
  g_autofree char *cc = NULL;
  const char      *body;
  GtkTextBuffer   *buffer;
  GtkTextIter      start;

  g_return_if_fail (MW_IS_COMPOSE_WINDOW (self));
  g_return_if_fail (MW_IS_MESSAGE_BUILDER (draft));

  g_set_object (&self->draft, draft);
  mw_message_builder_set_from (draft, NULL, self->from_address);
  to = mw_message_builder_format_to (draft);
  cc = mw_message_builder_format_cc (draft);
  gtk_editable_set_text (GTK_EDITABLE (self->to_entry), to);
  gtk_editable_set_text (GTK_EDITABLE (self->cc_entry), cc);
  gtk_editable_set_text (GTK_EDITABLE (self->subject_entry),
                         mw_message_builder_get_subject (draft) != NULL ? mw_message_builder_get_subject (draft) : "");
  body = mw_message_builder_get_body_text (draft);
  buffer = gtk_text_view_get_buffer (self->body_view);
  gtk_text_buffer_set_text (buffer, body != NULL ? body : "", -1);
  /* The reply is written above the quote. */
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_place_cursor (buffer, &start);
  gtk_widget_grab_focus (*to == '\0' ? GTK_WIDGET (self->to_entry) : GTK_WIDGET (self->body_view));
}

const char *
mw_compose_window_get_to (MwComposeWindow *self)
{
  g_return_val_if_fail (MW_IS_COMPOSE_WINDOW (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->to_entry));
}

const char *
mw_compose_window_get_cc (MwComposeWindow *self)
{
  g_return_val_if_fail (MW_IS_COMPOSE_WINDOW (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->cc_entry));
}

const char *
mw_compose_window_get_subject (MwComposeWindow *self)
{
  g_return_val_if_fail (MW_IS_COMPOSE_WINDOW (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->subject_entry));
}

char *
mw_compose_window_dup_body (MwComposeWindow *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter    start, end;

  g_return_val_if_fail (MW_IS_COMPOSE_WINDOW (self), NULL);
  buffer = gtk_text_view_get_buffer (self->body_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
mw_compose_window_dispose (GObject *object)
{
  MwComposeWindow *self = MW_COMPOSE_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->client != NULL)
    mw_smtp_client_close (self->client);
  g_clear_object (&self->client);
  g_clear_object (&self->store);
  g_clear_object (&self->account);
  gtk_widget_dispose_template (GTK_WIDGET (self), MW_TYPE_COMPOSE_WINDOW);

  G_OBJECT_CLASS (mw_compose_window_parent_class)->dispose (object);
}

static void
mw_compose_window_finalize (GObject *object)
{
  MwComposeWindow *self = MW_COMPOSE_WINDOW (object);

  g_clear_pointer (&self->message, g_bytes_unref);
  g_clear_object (&self->draft);
  g_clear_object (&self->cancellable);
  g_free (self->host);
  g_clear_pointer (&self->attachment_files, g_ptr_array_unref);
  g_clear_pointer (&self->attachment_bytes, g_ptr_array_unref);
  g_free (self->from_address);

  G_OBJECT_CLASS (mw_compose_window_parent_class)->finalize (object);
}

static void
mw_compose_window_class_init (MwComposeWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mw_compose_window_dispose;
  object_class->finalize = mw_compose_window_finalize;

  /* The server took the message (for at least one recipient). */
  signals[SIGNAL_SENT] = g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);

  mw_application_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mailwire/Mailwire/ui/mw-compose-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MwComposeWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, MwComposeWindow, from_label);
  gtk_widget_class_bind_template_child (widget_class, MwComposeWindow, to_entry);
  gtk_widget_class_bind_template_child (widget_class, MwComposeWindow, cc_entry);
  gtk_widget_class_bind_template_child (widget_class, MwComposeWindow, bcc_entry);
  gtk_widget_class_bind_template_child (widget_class, MwComposeWindow, subject_entry);
  gtk_widget_class_bind_template_child (widget_class, MwComposeWindow, body_view);
  gtk_widget_class_bind_template_child (widget_class, MwComposeWindow, attachments_revealer);
  gtk_widget_class_bind_template_child (widget_class, MwComposeWindow, attachments_box);
  gtk_widget_class_bind_template_child (widget_class, MwComposeWindow, spinner);
  gtk_widget_class_bind_template_callback (widget_class, addresses_changed_cb);

  gtk_widget_class_install_action (widget_class, "compose.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "compose.attach", NULL, attach_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "compose.send", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
mw_compose_window_init (MwComposeWindow *self)
{
  GtkDropTarget *target;

  self->cancellable = g_cancellable_new ();
  self->attachment_files = g_ptr_array_new_with_free_func (g_object_unref);
  self->attachment_bytes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  gtk_widget_init_template (GTK_WIDGET (self));

  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (target, "drop", G_CALLBACK (drop_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));

  addresses_changed_cb (self);
}
