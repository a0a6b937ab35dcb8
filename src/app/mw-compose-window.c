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
#include "mw-reply-explainer.h"

#include <glib/gi18n.h>
#include <gmime/gmime.h>
#include <string.h>

struct _MwComposeWindow
{
  AdwWindow parent_instance;

  MwOutbox         *outbox;
  MwSendQueue      *queue;
  MwAccountStore   *accounts; /* to pin a certificate the user trusts */
  MwAccount        *account;
  GCancellable     *cancellable;
  GCancellable     *send_cancellable;
  char             *item_id; /* the message in the outbox */
  gulong            items_changed_id;
  gulong            busy_id;
  guint64           size_limit;
  char             *from_address;
  GPtrArray        *attachment_files; /* GFile */
  GPtrArray        *attachment_bytes; /* GBytes, in step with the files */
  GBytes           *message;
  MwMessageBuilder *draft; /* a reply or forward being written */
  gboolean          sending;
  gboolean          all_or_nothing;

  AdwToastOverlay *toast_overlay;
  GtkLabel        *from_label;
  GtkEntry        *to_entry;
  GtkEntry        *cc_entry;
  GtkEntry        *bcc_entry;
  GtkEntry        *subject_entry;
  GtkTextView     *body_view;
  GtkRevealer     *attachments_revealer;
  GtkFlowBox      *attachments_box;
  GtkRevealer     *progress_revealer;
  GtkLabel        *progress_label;
  GtkProgressBar  *progress_bar;
  GtkRevealer     *size_revealer;
  GtkLabel        *size_label;
};

G_DEFINE_FINAL_TYPE (MwComposeWindow, mw_compose_window, ADW_TYPE_WINDOW)

enum
{
  PROP_0,
  PROP_ALL_OR_NOTHING,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_SENT,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static void update_size_warning (MwComposeWindow *self);

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
  update_size_warning (self);
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
  update_size_warning (self);
}

static void
attach_file (MwComposeWindow *self,
             GFile           *file)
{
  g_file_load_bytes_async (file, self->cancellable, load_cb, g_object_ref (self));
}

void
mw_compose_window_add_attachment (MwComposeWindow *self,
                                  GFile           *file)
{
  g_return_if_fail (MW_IS_COMPOSE_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  attach_file (self, file);
}

guint
mw_compose_window_get_n_attachments (MwComposeWindow *self)
{
  g_return_val_if_fail (MW_IS_COMPOSE_WINDOW (self), 0);

  return self->attachment_files->len;
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

/* The size warning: the server said how large a message it takes. */

/* What the message will weigh on the wire: attachments grow by a third in
 * base64 plus line ends, and the headers take a little. */
static guint64
estimate_size (MwComposeWindow *self)
{
  GtkTextBuffer   *buffer = gtk_text_view_get_buffer (self->body_view);
  GtkTextIter      start, end;
  guint64          size = 2048;
  g_autofree char *body = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  body = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  size += strlen (body);
  for (guint i = 0; i < self->attachment_bytes->len; i++)
    {
      guint64 raw = g_bytes_get_size (g_ptr_array_index (self->attachment_bytes, i));
      guint64 encoded = (raw + 2) / 3 * 4;

      size += encoded + encoded / 76 * 2 + 512;
    }
  return size;
}

static void
update_size_warning (MwComposeWindow *self)
{
  guint64 size;

  if (self->size_limit == 0)
    {
      gtk_revealer_set_reveal_child (self->size_revealer, FALSE);
      return;
    }
  size = estimate_size (self);
  if (size > self->size_limit)
    {
      g_autofree char *have = g_format_size (size);
      g_autofree char *limit = g_format_size (self->size_limit);
      g_autofree char *text = NULL;

      /* Translators: the first %s is the message's size, the second the
       * largest message the server accepts, e.g. "3.1 MB" and "2.0 MB". */
      text = g_strdup_printf (_ ("This message is about %s, larger than the %s the outgoing server accepts. It will probably be refused."),
                              have, limit);
      gtk_label_set_label (self->size_label, text);
      gtk_revealer_set_reveal_child (self->size_revealer, TRUE);
    }
  else
    gtk_revealer_set_reveal_child (self->size_revealer, FALSE);
}

/* Sending: through the account's outbox, so that the message is on disk
 * before the first byte goes to the server. */

static char *
describe_reply (const char *reply)
{
  g_autoptr (GString) text = g_string_new (reply);
  MwReplyExplanation *explanation;
  g_autofree char    *plain = NULL;

  if (reply == NULL || *reply == '\0')
    return g_string_free (g_steal_pointer (&text), FALSE);
  explanation = mw_reply_explain (MW_REPLY_PROTOCOL_SMTP, reply);
  plain = mw_reply_explanation_to_string (explanation);
  mw_reply_explanation_free (explanation);
  if (plain != NULL && *plain != '\0')
    g_string_append_printf (text, "\n\n%s", plain);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
report (MwComposeWindow *self,
        const char      *heading,
        const char      *body,
        MwOutboxItem    *item)
{
  g_autoptr (GString) text = g_string_new (body);
  GPtrArray *recipients = item != NULL ? mw_outbox_item_get_recipient_results (item) : NULL;
  GtkWidget *dialog;

  for (guint i = 0; recipients != NULL && i < recipients->len; i++)
    {
      MwSmtpRecipient *recipient = g_ptr_array_index (recipients, i);
      g_autofree char *words = NULL;

      if (recipient->accepted)
        continue;
      words = recipient->reply != NULL ? mw_smtp_reply_quote (recipient->reply) : NULL;
      g_string_append_printf (text, "\n\n%s\n%s", recipient->address,
                              words != NULL ? words : _ ("No answer from the server"));
      /* Beside the server's words, what they mean. */
      if (recipient->reply != NULL && recipient->reply->lines != NULL)
        {
          g_autofree char *joined = g_strjoinv ("\n", recipient->reply->lines);
          g_autoptr (MwReplyExplanation) explanation = mw_reply_explain (MW_REPLY_PROTOCOL_SMTP, joined);

          g_string_append_printf (text, "\n%s", explanation->sentence);
        }
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, text->str);
  gtk_widget_add_css_class (dialog, "send-report");
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _ ("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A failure, with the server's words explained. */
static void
report_error (MwComposeWindow *self,
              const char      *heading,
              const GError    *error,
              MwOutboxItem    *item)
{
  g_autofree char *body = mw_error_text_describe (error);

  report (self, heading, body, item);
}

static void
set_progress_text (MwComposeWindow *self,
                   const char      *text)
{
  gtk_label_set_label (self->progress_label, text);
}

static void
set_sending (MwComposeWindow *self,
             gboolean         sending)
{
  self->sending = sending;
  gtk_revealer_set_reveal_child (self->progress_revealer, sending);
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compose.cancel-send", sending);
  gtk_widget_set_sensitive (GTK_WIDGET (self->to_entry), !sending);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cc_entry), !sending);
  gtk_widget_set_sensitive (GTK_WIDGET (self->bcc_entry), !sending);
  gtk_widget_set_sensitive (GTK_WIDGET (self->subject_entry), !sending);
  gtk_text_view_set_editable (self->body_view, !sending);
  addresses_changed_cb (self);
}

static void
removed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (!mw_outbox_remove_finish (MW_OUTBOX (object), result, &error))
    g_debug ("Could not take the message back from the Outbox: %s", error->message);
}

/* The message came back to the composer: it leaves the Outbox. */
static void
take_back (MwComposeWindow *self)
{
  if (self->item_id != NULL && mw_outbox_lookup (self->outbox, self->item_id) != NULL)
    mw_outbox_remove_async (self->outbox, self->item_id, NULL, removed_cb, NULL);
  g_clear_pointer (&self->item_id, g_free);
}

static void
close_to_parent (MwComposeWindow *self,
                 const char      *action)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), action, NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* The outbox is done with the message for now: tell the user. */
static void
trusted_cb (GObject *owner,
            gpointer user_data)
{
  MwComposeWindow *self = MW_COMPOSE_WINDOW (owner);

  if (self->queue != NULL)
    mw_send_queue_set_fingerprint (self->queue, mw_account_get_id (self->account),
                                   mw_account_get_smtp_fingerprint (self->account));
  gtk_widget_activate_action (GTK_WIDGET (self), "compose.send", NULL);
}

/* A certificate the connection refused: shown with its details and a
 * Trust This Certificate that pins it for the account's SMTP server and
 * sends again. */
static gboolean
offer_trust (MwComposeWindow *self,
             const GError    *error)
{
  const char *host;

  if (self->account == NULL || mw_outbox_get_refused_certificate (self->outbox) == NULL ||
      !g_error_matches (error, MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_CERTIFICATE))
    return FALSE;
  host = mw_account_get_smtp_host (self->account);
  if (host == NULL || *host == '\0')
    host = mw_account_get_pop3_host (self->account);
  return mw_certificate_trust_offer (GTK_WINDOW (self), G_OBJECT (self), self->accounts, self->account,
                                     MW_PROTOCOL_SMTP, host, error,
                                     mw_outbox_get_refused_certificate (self->outbox),
                                     trusted_cb, NULL, NULL);
}

static void
finish_send (MwComposeWindow *self,
             const GError    *error)
{
  MwOutboxItem    *item = self->item_id != NULL ? mw_outbox_lookup (self->outbox, self->item_id) : NULL;
  g_autofree char *words = NULL;

  g_clear_signal_handler (&self->items_changed_id, self->outbox);
  g_clear_signal_handler (&self->busy_id, self->outbox);
  set_sending (self, FALSE);

  if (item == NULL)
    {
      g_clear_pointer (&self->item_id, g_free);
      if (error != NULL)
        report_error (self, _ ("The Message Was Not Sent"), error, NULL);
      return;
    }

  words = describe_reply (mw_outbox_item_get_reply (item));
  switch (mw_outbox_item_get_state (item))
    {
    case MW_OUTBOX_STATE_SENT:
      g_signal_emit (self, signals[SIGNAL_SENT], 0, self->message);
      g_clear_pointer (&self->item_id, g_free);
      close_to_parent (self, "win.message-sent");
      return;

    case MW_OUTBOX_STATE_PARTIAL:
      g_signal_emit (self, signals[SIGNAL_SENT], 0, self->message);
      report (self, _ ("Some Recipients Were Refused"),
              _ ("The message was sent to the other recipients and is in Sent."), item);
      g_clear_pointer (&self->item_id, g_free);
      return;

    case MW_OUTBOX_STATE_RETRY_WAIT:
      g_signal_emit (self, signals[SIGNAL_SENT], 0, self->message);
      g_clear_pointer (&self->item_id, g_free);
      close_to_parent (self, "win.message-queued");
      return;

    case MW_OUTBOX_STATE_UNCERTAIN:
      {
        GtkWindow       *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
        GtkWidget       *dialog;
        g_autofree char *body = NULL;

        body = g_strdup_printf ("%s\n\n%s",
                                _ ("The connection ended after the whole message was sent and before the server confirmed it. The server may have accepted it. The message stays in the Outbox and is not sent again unless you choose Send Again."),
                                words);
        g_signal_emit (self, signals[SIGNAL_SENT], 0, self->message);
        g_clear_pointer (&self->item_id, g_free);
        dialog = adw_message_dialog_new (parent, _ ("Delivery Uncertain"), body);
        gtk_widget_add_css_class (dialog, "send-report");
        adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _ ("_Close"));
        gtk_window_present (GTK_WINDOW (dialog));
        gtk_window_destroy (GTK_WINDOW (self));
        return;
      }

    case MW_OUTBOX_STATE_FAILED:
      report (self, _ ("The Server Refused the Message"), words, item);
      take_back (self);
      return;

    case MW_OUTBOX_STATE_QUEUED:
    case MW_OUTBOX_STATE_SENDING:
    default:
      /* Cancelled, or nothing could be tried (a setting to fix). */
      take_back (self);
      if (offer_trust (self, error))
        return;
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        report (self, _ ("The Message Was Not Sent"), error->message, NULL);
      else
        adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_ ("Sending cancelled")));
      return;
    }
}

static void
items_changed_cb (MwComposeWindow *self)
{
  MwOutboxItem *item = self->item_id != NULL ? mw_outbox_lookup (self->outbox, self->item_id) : NULL;

  if (item == NULL)
    return;
  switch (mw_outbox_item_get_state (item))
    {
    case MW_OUTBOX_STATE_QUEUED:
      set_progress_text (self, _ ("Saved in the Outbox, waiting to be sent…"));
      break;
    case MW_OUTBOX_STATE_SENDING:
      set_progress_text (self, _ ("Sending…"));
      break;
    case MW_OUTBOX_STATE_SENT:
    case MW_OUTBOX_STATE_RETRY_WAIT:
    case MW_OUTBOX_STATE_FAILED:
    case MW_OUTBOX_STATE_UNCERTAIN:
    case MW_OUTBOX_STATE_PARTIAL:
    default:
      break;
    }
}

static void
busy_changed_cb (MwComposeWindow *self)
{
  /* Another pass was sending when ours was asked for: its second pass
   * took the message, and is over now. */
  if (!mw_outbox_get_busy (self->outbox))
    finish_send (self, NULL);
}

static void
send_progress_cb (MwComposeWindow *self,
                  const char      *account_id,
                  guint64          bytes)
{
  if (!self->sending || self->message == NULL ||
      g_strcmp0 (account_id, mw_outbox_get_account_id (self->outbox)) != 0)
    return;
  gtk_progress_bar_set_fraction (self->progress_bar,
                                 MIN (1.0, (double) bytes / MAX (1, g_bytes_get_size (self->message))));
}

static void
flush_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (MwComposeWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!mw_outbox_flush_finish (MW_OUTBOX (object), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    {
      if (self->busy_id == 0 && !gtk_widget_in_destruction (GTK_WIDGET (self)))
        self->busy_id = g_signal_connect_object (self->outbox, "notify::busy",
                                                 G_CALLBACK (busy_changed_cb), self, G_CONNECT_SWAPPED);
      return;
    }
  if (!gtk_widget_in_destruction (GTK_WIDGET (self)))
    finish_send (self, error);
}

static void
enqueue_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (MwComposeWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  char *id;

  id = mw_outbox_enqueue_finish (MW_OUTBOX (object), result, &error);
  if (id == NULL)
    {
      if (gtk_widget_in_destruction (GTK_WIDGET (self)))
        return;
      set_sending (self, FALSE);
      report (self, _ ("The Message Could Not Be Saved in the Outbox"), error->message, NULL);
      return;
    }
  g_free (self->item_id);
  self->item_id = id;
  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    {
      /* Closed while saving: the outbox sends it on its own. */
      mw_outbox_flush_async (self->outbox, NULL, NULL, NULL);
      return;
    }
  if (g_cancellable_is_cancelled (self->send_cancellable))
    {
      finish_send (self, NULL);
      return;
    }

  self->items_changed_id = g_signal_connect_object (self->outbox, "items-changed",
                                                    G_CALLBACK (items_changed_cb), self, G_CONNECT_SWAPPED);
  set_progress_text (self, _ ("Connecting…"));
  mw_outbox_flush_async (self->outbox, self->send_cancellable, flush_cb, g_object_ref (self));
}

static void
cancel_send_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MwComposeWindow *self = MW_COMPOSE_WINDOW (widget);

  if (self->sending)
    g_cancellable_cancel (self->send_cancellable);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MwComposeWindow *self = MW_COMPOSE_WINDOW (widget);
  g_autoptr (MwMessageBuilder) builder = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) message = NULL;
  g_auto (GStrv) recipients = NULL;
  g_autofree char *body = NULL;
  GtkTextBuffer   *buffer = gtk_text_view_get_buffer (self->body_view);
  GtkTextIter      start, end;
  MwSmtpSendFlags  flags = MW_SMTP_SEND_NONE;

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

  message = mw_message_builder_build (builder, &error);
  if (message == NULL)
    {
      report_error (self, _ ("The Message Was Not Sent"), error, NULL);
      return;
    }
  recipients = mw_message_builder_get_envelope_recipients (builder);

  g_clear_pointer (&self->message, g_bytes_unref);
  self->message = g_bytes_ref (message);
  g_clear_object (&self->send_cancellable);
  self->send_cancellable = g_cancellable_new ();
  set_sending (self, TRUE);
  set_progress_text (self, _ ("Saving in the Outbox…"));
  /* Not the window's cancellable: closing the window leaves the message
   * to the outbox; only Cancel stops it. */
  if (mw_message_builder_needs_8bit (builder))
    flags |= MW_SMTP_SEND_8BITMIME;
  if (mw_message_builder_needs_smtputf8 (builder))
    flags |= MW_SMTP_SEND_SMTPUTF8;
  if (self->all_or_nothing)
    flags |= MW_SMTP_SEND_ALL_OR_NOTHING;
  mw_outbox_enqueue_full_async (self->outbox, message, self->from_address,
                                (const char *const *) recipients, flags, NULL, enqueue_cb,
                                g_object_ref (self));
}

gboolean
mw_compose_window_get_all_or_nothing (MwComposeWindow *self)
{
  g_return_val_if_fail (MW_IS_COMPOSE_WINDOW (self), FALSE);
  return self->all_or_nothing;
}

void
mw_compose_window_set_all_or_nothing (MwComposeWindow *self,
                                      gboolean         all_or_nothing)
{
  g_return_if_fail (MW_IS_COMPOSE_WINDOW (self));

  all_or_nothing = !!all_or_nothing;
  if (self->all_or_nothing == all_or_nothing)
    return;
  self->all_or_nothing = all_or_nothing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALL_OR_NOTHING]);
}

static void
mw_compose_window_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  MwComposeWindow *self = MW_COMPOSE_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ALL_OR_NOTHING:
      g_value_set_boolean (value, self->all_or_nothing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_compose_window_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  MwComposeWindow *self = MW_COMPOSE_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ALL_OR_NOTHING:
      mw_compose_window_set_all_or_nothing (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

MwComposeWindow *
mw_compose_window_new (GtkWindow  *parent,
                       const char *from_address,
                       MwOutbox   *outbox)
{
  MwComposeWindow *self;

  g_return_val_if_fail (MW_IS_OUTBOX (outbox), NULL);

  self = g_object_new (MW_TYPE_COMPOSE_WINDOW, "transient-for", parent, NULL);
  self->outbox = g_object_ref (outbox);
  self->from_address = g_strdup (from_address);
  gtk_label_set_label (self->from_label, from_address);
  return self;
}

static void
queue_size_changed_cb (MwComposeWindow *self,
                       const char      *account_id)
{
  if (g_strcmp0 (account_id, mw_outbox_get_account_id (self->outbox)) == 0)
    mw_compose_window_set_size_limit (self, mw_send_queue_get_size_limit (self->queue, account_id));
}

void
mw_compose_window_set_send_queue (MwComposeWindow *self,
                                  MwSendQueue     *queue)
{
  g_return_if_fail (MW_IS_COMPOSE_WINDOW (self));
  g_return_if_fail (MW_IS_SEND_QUEUE (queue));
  g_return_if_fail (self->queue == NULL);

  self->queue = g_object_ref (queue);
  g_signal_connect_object (queue, "send-progress", G_CALLBACK (send_progress_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (queue, "size-limit-changed", G_CALLBACK (queue_size_changed_cb), self,
                           G_CONNECT_SWAPPED);
  mw_compose_window_set_size_limit (self, mw_send_queue_get_size_limit (queue, mw_outbox_get_account_id (self->outbox)));
}

void
mw_compose_window_set_account (MwComposeWindow *self,
                               MwAccountStore  *accounts,
                               MwAccount       *account)
{
  g_return_if_fail (MW_IS_COMPOSE_WINDOW (self));
  g_return_if_fail (MW_IS_ACCOUNT_STORE (accounts));
  g_return_if_fail (MW_IS_ACCOUNT (account));

  g_set_object (&self->accounts, accounts);
  g_set_object (&self->account, account);
}

void
mw_compose_window_set_size_limit (MwComposeWindow *self,
                                  guint64          size)
{
  g_return_if_fail (MW_IS_COMPOSE_WINDOW (self));

  self->size_limit = size;
  update_size_warning (self);
}

gboolean
mw_compose_window_get_size_warning (MwComposeWindow *self)
{
  g_return_val_if_fail (MW_IS_COMPOSE_WINDOW (self), FALSE);

  return gtk_revealer_get_reveal_child (self->size_revealer);
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
  if (self->outbox != NULL)
    {
      g_clear_signal_handler (&self->items_changed_id, self->outbox);
      g_clear_signal_handler (&self->busy_id, self->outbox);
    }
  g_clear_object (&self->outbox);
  g_clear_object (&self->queue);
  g_clear_object (&self->accounts);
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
  g_clear_object (&self->send_cancellable);
  g_free (self->item_id);
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

  /* The message left the composer for the outbox for good: the server
   * took it, it waits for another attempt, or its delivery is uncertain. */
  object_class->get_property = mw_compose_window_get_property;
  object_class->set_property = mw_compose_window_set_property;

  /* When the server refuses some recipients: send to nobody (TRUE) or to
   * the others (FALSE, the default). */
  properties[PROP_ALL_OR_NOTHING] =
    g_param_spec_boolean ("all-or-nothing", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

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
  gtk_widget_class_bind_template_child (widget_class, MwComposeWindow, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, MwComposeWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, MwComposeWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, MwComposeWindow, size_revealer);
  gtk_widget_class_bind_template_child (widget_class, MwComposeWindow, size_label);
  gtk_widget_class_bind_template_callback (widget_class, addresses_changed_cb);

  gtk_widget_class_install_action (widget_class, "compose.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "compose.attach", NULL, attach_action);
  gtk_widget_class_install_action (widget_class, "compose.cancel-send", NULL, cancel_send_action);
  gtk_widget_class_install_property_action (widget_class, "compose.all-or-nothing", "all-or-nothing");
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

  g_signal_connect_object (gtk_text_view_get_buffer (self->body_view), "changed",
                           G_CALLBACK (update_size_warning), self, G_CONNECT_SWAPPED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compose.cancel-send", FALSE);
  addresses_changed_cb (self);
}
