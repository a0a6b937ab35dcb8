/* mw-outbox-view.c: how the Outbox folder shows and acts on its messages
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-outbox-view.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

char *
mw_outbox_view_describe (MwOutboxItem *item)
{
  const char *reply = mw_outbox_item_get_reply (item);
  g_autoptr (GString) text = g_string_new (NULL);

  switch (mw_outbox_item_get_state (item))
    {
    case MW_OUTBOX_STATE_UNCERTAIN:
      g_string_append (text, _ ("Delivery uncertain: the server may have received this message before the connection ended. It is not sent again unless you choose Send Again."));
      break;
    case MW_OUTBOX_STATE_FAILED:
      g_string_append (text, _ ("Refused by the server. Change what it objects to and send the message again, or delete it."));
      break;
    case MW_OUTBOX_STATE_RETRY_WAIT:
      {
        g_autoptr (GDateTime) when = NULL;
        g_autofree char *time = NULL;

        if (mw_outbox_item_get_next_attempt (item) > 0)
          when = g_date_time_new_from_unix_local (mw_outbox_item_get_next_attempt (item) / G_USEC_PER_SEC);
        time = when != NULL ? g_date_time_format (when, "%X") : NULL;
        if (time != NULL)
          /* Translators: %s is a time of day. */
          g_string_append_printf (text, _ ("Not sent yet. Mailwire tries again at %s, and as soon as the network comes back."), time);
        else
          g_string_append (text, _ ("Not sent yet. Mailwire tries again later."));
        break;
      }
    case MW_OUTBOX_STATE_SENDING:
      g_string_append (text, _ ("Being sent now."));
      break;
    case MW_OUTBOX_STATE_QUEUED:
      g_string_append (text, _ ("Waiting to be sent."));
      break;
    case MW_OUTBOX_STATE_SENT:
    case MW_OUTBOX_STATE_PARTIAL:
    default:
      g_string_append (text, _ ("Sent."));
      break;
    }
  if (reply != NULL && *reply != '\0')
    /* Translators: %s is what the server said, quoted. */
    g_string_append_printf (text, "\n%s", reply);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

void
mw_outbox_view_annotate (MwMessageSummary *summary,
                         MwOutbox         *outbox,
                         const char       *file_name)
{
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;
  MwOutboxItem    *item;

  g_return_if_fail (MW_IS_MESSAGE_SUMMARY (summary));
  g_return_if_fail (MW_IS_OUTBOX (outbox));

  if (file_name == NULL)
    return;
  /* The outbox names its files "<id>,S=<size>". */
  id = g_strndup (file_name, strcspn (file_name, ",:"));
  item = mw_outbox_lookup (outbox, id);
  if (item == NULL)
    return;
  text = mw_outbox_view_describe (item);
  g_object_set_data_full (G_OBJECT (summary), "outbox-text", g_steal_pointer (&text), g_free);
  g_object_set_data_full (G_OBJECT (summary), "outbox-id", g_strdup (id), g_free);
  g_object_set_data (G_OBJECT (summary), "outbox-state",
                     GINT_TO_POINTER (mw_outbox_item_get_state (item)));
}

const char *
mw_outbox_view_status_icon (gpointer summary)
{
  if (summary == NULL || g_object_get_data (G_OBJECT (summary), "outbox-id") == NULL)
    return NULL;
  switch (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (summary), "outbox-state")))
    {
    case MW_OUTBOX_STATE_UNCERTAIN:
    case MW_OUTBOX_STATE_FAILED:
      return "dialog-warning-symbolic";
    case MW_OUTBOX_STATE_QUEUED:
    case MW_OUTBOX_STATE_SENDING:
    case MW_OUTBOX_STATE_RETRY_WAIT:
      return "content-loading-symbolic";
    case MW_OUTBOX_STATE_SENT:
    case MW_OUTBOX_STATE_PARTIAL:
    default:
      return NULL;
    }
}

const char *
mw_outbox_view_status_text (gpointer summary)
{
  return summary != NULL ? g_object_get_data (G_OBJECT (summary), "outbox-text") : NULL;
}

/* Sending again. */

typedef struct
{
  GtkWindow *parent;
  MwOutbox  *outbox;
  char      *id;
} Request;

static void
request_free (Request *request)
{
  g_clear_object (&request->parent);
  g_clear_object (&request->outbox);
  g_free (request->id);
  g_free (request);
}

static void
request_closure_free (gpointer  data,
                      GClosure *closure)
{
  request_free (data);
}

static Request *
request_new (GtkWindow  *parent,
             MwOutbox   *outbox,
             const char *id)
{
  Request *request = g_new0 (Request, 1);

  request->parent = parent != NULL ? g_object_ref (parent) : NULL;
  request->outbox = g_object_ref (outbox);
  request->id = g_strdup (id);
  return request;
}

static void
show_error (GtkWindow    *parent,
            const char   *heading,
            const GError *error)
{
  GtkWidget *dialog = adw_message_dialog_new (parent, heading, error->message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _ ("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
flushed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr (GError) error = NULL;

  if (!mw_outbox_flush_finish (MW_OUTBOX (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_error (request->parent, _ ("The Message Was Not Sent"), error);
  request_free (request);
}

static void
resent_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr (GError) error = NULL;

  if (!mw_outbox_resend_finish (MW_OUTBOX (object), result, &error))
    {
      show_error (request->parent, _ ("The Message Was Not Sent"), error);
      request_free (request);
      return;
    }
  mw_outbox_flush_async (request->outbox, NULL, flushed_cb, request);
}

static void
send_again_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        Request          *request)
{
  if (g_strcmp0 (response, "send") == 0)
    mw_outbox_resend_async (request->outbox, request->id, NULL, resent_cb,
                            request_new (request->parent, request->outbox, request->id));
}

void
mw_outbox_view_send_again (GtkWindow  *parent,
                           MwOutbox   *outbox,
                           const char *id)
{
  MwOutboxItem *item;
  GtkWidget    *dialog;
  const char   *body;

  g_return_if_fail (MW_IS_OUTBOX (outbox));
  g_return_if_fail (id != NULL);

  item = mw_outbox_lookup (outbox, id);
  if (item == NULL)
    return;
  if (mw_outbox_item_get_state (item) == MW_OUTBOX_STATE_UNCERTAIN)
    body = _ ("The server may have received this message already: sending it again may deliver it twice.");
  else
    body = _ ("The message is sent again now.");

  dialog = adw_message_dialog_new (parent, _ ("Send the Message Again?"), body);
  gtk_widget_add_css_class (dialog, "send-again");
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _ ("_Cancel"),
                                    "send", _ ("Send _Again"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "send",
                                              mw_outbox_item_get_state (item) == MW_OUTBOX_STATE_UNCERTAIN ? ADW_RESPONSE_DESTRUCTIVE : ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (send_again_response_cb),
                         request_new (parent, outbox, id), request_closure_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Deleting. */

static void
removed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr (GError) error = NULL;

  if (!mw_outbox_remove_finish (MW_OUTBOX (object), result, &error))
    show_error (request->parent, _ ("Could not delete the message"), error);
  request_free (request);
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    Request          *request)
{
  if (g_strcmp0 (response, "delete") == 0)
    mw_outbox_remove_async (request->outbox, request->id, NULL, removed_cb,
                            request_new (request->parent, request->outbox, request->id));
}

void
mw_outbox_view_delete (GtkWindow  *parent,
                       MwOutbox   *outbox,
                       const char *id)
{
  GtkWidget *dialog;

  g_return_if_fail (MW_IS_OUTBOX (outbox));
  g_return_if_fail (id != NULL);

  if (mw_outbox_lookup (outbox, id) == NULL)
    return;
  dialog = adw_message_dialog_new (parent, _ ("Delete the Message?"),
                                   _ ("It is removed from the Outbox and not sent."));
  gtk_widget_add_css_class (dialog, "outbox-delete");
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _ ("_Cancel"),
                                    "delete", _ ("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (delete_response_cb),
                         request_new (parent, outbox, id), request_closure_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}
