/* mw-outbox.c: messages on their way out, per account
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-outbox.h"

#include "mw-maildir-private.h"
#include "mw-maildir.h"
#include "mw-outbox-item-private.h"
#include "mw-outbox-private.h"
#include "mw-store-enums.h"
#include "mw-store-error.h"
#include "mw-store-util-private.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#define ENVELOPE_DIR     "envelopes"
#define ENVELOPE_SUFFIX  ".envelope"
#define ENVELOPE_GROUP   "Envelope"
#define ENVELOPE_VERSION 1

/* The send flags an envelope keeps: what the message needs, and whether
 * it goes to nobody when a recipient is refused. */
#define KEPT_SEND_FLAGS (MW_SMTP_SEND_8BITMIME | MW_SMTP_SEND_SMTPUTF8 | MW_SMTP_SEND_ALL_OR_NOTHING)

/* What the envelope records as "state"; "sending" and "sent" are the
 * durable marks of steps 2 and 3 in the header. */
#define STATE_SENDING "sending"
#define STATE_SENT    "sent"

struct _MwOutbox
{
  GObject parent_instance;

  char              *account_id;
  MwMaildir         *maildir;
  MwMaildir         *sent;
  char              *envelope_dir;
  GPtrArray         *items;               /* MwOutboxItem, in order of enqueueing */
  MwCertificateInfo *refused_certificate; /* of the last failed connection */
  GMainContext      *context;
  GNetworkMonitor   *monitor;
  GSource           *timer;
  GCancellable      *cancellable; /* automatic flushes */

  MwOutboxClientFunc client_func;
  gpointer           client_data;
  GDestroyNotify     client_destroy;
  MwOutboxClockFunc  clock_func;
  gpointer           clock_data;

  gulong   network_handler;
  gboolean busy;
  gboolean rerun;
  gboolean rerun_force;
  gboolean crash_after_sent_record;
};

enum
{
  PROP_0,
  PROP_ACCOUNT_ID,
  PROP_BUSY,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void list_model_iface_init (GListModelInterface *iface);
static void reschedule (MwOutbox *self);
static void start_flush (MwOutbox *self,
                         gboolean  force,
                         GTask    *task);

G_DEFINE_FINAL_TYPE_WITH_CODE (MwOutbox, mw_outbox, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
mw_outbox_get_item_type (GListModel *model)
{
  return MW_TYPE_OUTBOX_ITEM;
}

static guint
mw_outbox_get_n_items (GListModel *model)
{
  return MW_OUTBOX (model)->items->len;
}

static gpointer
mw_outbox_get_item (GListModel *model,
                    guint       position)
{
  MwOutbox *self = MW_OUTBOX (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = mw_outbox_get_item_type;
  iface->get_n_items = mw_outbox_get_n_items;
  iface->get_item = mw_outbox_get_item;
}

static void
mw_outbox_dispose (GObject *object)
{
  MwOutbox *self = MW_OUTBOX (object);

  g_cancellable_cancel (self->cancellable);
  mw_outbox_set_network_monitor (self, NULL);
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  if (self->client_destroy != NULL)
    self->client_destroy (self->client_data);
  self->client_func = NULL;
  self->client_destroy = NULL;
  self->client_data = NULL;
  g_clear_object (&self->maildir);
  g_clear_object (&self->sent);

  G_OBJECT_CLASS (mw_outbox_parent_class)->dispose (object);
}

static void
mw_outbox_finalize (GObject *object)
{
  MwOutbox *self = MW_OUTBOX (object);

  g_free (self->account_id);
  g_free (self->envelope_dir);
  g_ptr_array_unref (self->items);
  g_clear_pointer (&self->refused_certificate, mw_certificate_info_unref);
  g_clear_object (&self->cancellable);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (mw_outbox_parent_class)->finalize (object);
}

static void
mw_outbox_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  MwOutbox *self = MW_OUTBOX (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT_ID:
      g_value_set_string (value, self->account_id);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_outbox_class_init (MwOutboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mw_outbox_dispose;
  object_class->finalize = mw_outbox_finalize;
  object_class->get_property = mw_outbox_get_property;

  properties[PROP_ACCOUNT_ID] =
    g_param_spec_string ("account-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mw_outbox_init (MwOutbox *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
  self->context = g_main_context_ref_thread_default ();
}

MwOutbox *
mw_outbox_new (const char *account_id)
{
  MwOutbox *self;

  g_return_val_if_fail (mw_store_account_id_is_valid (account_id), NULL);

  self = g_object_new (MW_TYPE_OUTBOX, NULL);
  self->account_id = g_strdup (account_id);
  self->maildir = mw_maildir_new_for_account (account_id, MW_MAILDIR_FOLDER_OUTBOX);
  self->sent = mw_maildir_new_for_account (account_id, MW_MAILDIR_FOLDER_SENT);
  self->envelope_dir = g_build_filename (mw_maildir_get_path (self->maildir), ENVELOPE_DIR, NULL);
  return self;
}

MwOutbox *
mw_outbox_new_for_maildirs (const char *account_id,
                            MwMaildir  *outbox,
                            MwMaildir  *sent)
{
  MwOutbox *self;

  g_return_val_if_fail (account_id != NULL, NULL);
  g_return_val_if_fail (MW_IS_MAILDIR (outbox), NULL);
  g_return_val_if_fail (MW_IS_MAILDIR (sent), NULL);

  self = g_object_new (MW_TYPE_OUTBOX, NULL);
  self->account_id = g_strdup (account_id);
  self->maildir = g_object_ref (outbox);
  self->sent = g_object_ref (sent);
  self->envelope_dir = g_build_filename (mw_maildir_get_path (self->maildir), ENVELOPE_DIR, NULL);
  return self;
}

const char *
mw_outbox_get_account_id (MwOutbox *self)
{
  g_return_val_if_fail (MW_IS_OUTBOX (self), NULL);
  return self->account_id;
}

MwCertificateInfo *
mw_outbox_get_refused_certificate (MwOutbox *self)
{
  g_return_val_if_fail (MW_IS_OUTBOX (self), NULL);
  return self->refused_certificate;
}

gboolean
mw_outbox_get_busy (MwOutbox *self)
{
  g_return_val_if_fail (MW_IS_OUTBOX (self), FALSE);
  return self->busy;
}

static void
set_busy (MwOutbox *self,
          gboolean  busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static gboolean
find_item (MwOutbox   *self,
           const char *id,
           guint      *out_position)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      MwOutboxItem *item = g_ptr_array_index (self->items, i);

      if (g_strcmp0 (item->id, id) == 0)
        {
          if (out_position != NULL)
            *out_position = i;
          return TRUE;
        }
    }
  return FALSE;
}

MwOutboxItem *
mw_outbox_lookup (MwOutbox   *self,
                  const char *id)
{
  guint position;

  g_return_val_if_fail (MW_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (!find_item (self, id, &position))
    return NULL;
  return g_ptr_array_index (self->items, position);
}

/* Tells list views that @item changed. */
static void
item_changed (MwOutbox     *self,
              MwOutboxItem *item)
{
  guint position;

  if (find_item (self, item->id, &position))
    g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
}

void
mw_outbox_set_client_func (MwOutbox          *self,
                           MwOutboxClientFunc func,
                           gpointer           user_data,
                           GDestroyNotify     destroy)
{
  g_return_if_fail (MW_IS_OUTBOX (self));

  if (self->client_destroy != NULL)
    self->client_destroy (self->client_data);
  self->client_func = func;
  self->client_data = user_data;
  self->client_destroy = destroy;
  reschedule (self);
}

void
mw_outbox_set_clock_func (MwOutbox         *self,
                          MwOutboxClockFunc func,
                          gpointer          user_data)
{
  g_return_if_fail (MW_IS_OUTBOX (self));

  self->clock_func = func;
  self->clock_data = user_data;
  reschedule (self);
}

static gint64
now (MwOutbox *self)
{
  if (self->clock_func != NULL)
    return self->clock_func (self->clock_data);
  return g_get_real_time ();
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  mw_outbox_network_changed (MW_OUTBOX (user_data), available);
}

void
mw_outbox_set_network_monitor (MwOutbox        *self,
                               GNetworkMonitor *monitor)
{
  g_return_if_fail (MW_IS_OUTBOX (self));
  g_return_if_fail (monitor == NULL || G_IS_NETWORK_MONITOR (monitor));

  if (self->monitor != NULL)
    {
      g_clear_signal_handler (&self->network_handler, self->monitor);
      g_clear_object (&self->monitor);
    }
  if (monitor != NULL)
    {
      self->monitor = g_object_ref (monitor);
      self->network_handler = g_signal_connect_object (monitor, "network-changed",
                                                       G_CALLBACK (network_changed_cb), self, 0);
    }
}

void
mw_outbox_network_changed (MwOutbox *self,
                           gboolean  available)
{
  g_return_if_fail (MW_IS_OUTBOX (self));

  if (!available || self->client_func == NULL)
    return;

  for (guint i = 0; i < self->items->len; i++)
    {
      MwOutboxItem *item = g_ptr_array_index (self->items, i);

      if (item->state == MW_OUTBOX_STATE_RETRY_WAIT)
        {
          start_flush (self, TRUE, NULL);
          return;
        }
    }
}

void
mw_outbox_set_crash_after_sent_record (MwOutbox *self,
                                       gboolean  crash)
{
  g_return_if_fail (MW_IS_OUTBOX (self));
  self->crash_after_sent_record = crash;
}

guint
mw_outbox_backoff_seconds (guint attempts)
{
  guint seconds = MW_OUTBOX_FIRST_RETRY_SECONDS;

  for (guint i = 1; i < attempts && seconds < MW_OUTBOX_MAX_RETRY_SECONDS; i++)
    seconds *= 2;
  return MIN (seconds, MW_OUTBOX_MAX_RETRY_SECONDS);
}

/* The next attempt time after @attempts failures: the backoff shortened by
 * up to a tenth, so it still grows from one attempt to the next. */
static gint64
next_attempt_time (MwOutbox *self,
                   guint     attempts)
{
  gint64 delay = (gint64) mw_outbox_backoff_seconds (attempts) * G_USEC_PER_SEC;

  delay -= g_random_int_range (0, (gint32) (delay / 10 / 1000)) * (gint64) 1000;
  return now (self) + delay;
}

/* Envelopes */

static char *
envelope_path (const char *envelope_dir,
               const char *id)
{
  g_autofree char *name = g_strconcat (id, ENVELOPE_SUFFIX, NULL);

  return g_build_filename (envelope_dir, name, NULL);
}

static const char *
state_to_string (MwOutboxState state)
{
  g_autoptr (GEnumClass) klass = g_type_class_ref (MW_TYPE_OUTBOX_STATE);
  GEnumValue *value = g_enum_get_value (klass, state);

  return value != NULL ? value->value_nick : "queued";
}

static gboolean
state_from_string (const char    *string,
                   MwOutboxState *out_state)
{
  g_autoptr (GEnumClass) klass = g_type_class_ref (MW_TYPE_OUTBOX_STATE);
  GEnumValue *value = string != NULL ? g_enum_get_value_by_nick (klass, string) : NULL;

  if (value == NULL)
    return FALSE;
  *out_state = value->value;
  return TRUE;
}

/* The envelope of @item as it should be on disk, with @state_override
 * (NULL: the item's state). */
static char *
envelope_data (MwOutboxItem *item,
               const char   *state_override)
{
  g_autoptr (GKeyFile) key_file = g_key_file_new ();

  g_key_file_set_integer (key_file, ENVELOPE_GROUP, "version", ENVELOPE_VERSION);
  if (item->file_name != NULL)
    g_key_file_set_string (key_file, ENVELOPE_GROUP, "file", item->file_name);
  g_key_file_set_string (key_file, ENVELOPE_GROUP, "from", item->from);
  g_key_file_set_string_list (key_file, ENVELOPE_GROUP, "recipients",
                              (const char *const *) item->recipients,
                              g_strv_length (item->recipients));
  g_key_file_set_string (key_file, ENVELOPE_GROUP, "state",
                         state_override != NULL ? state_override : state_to_string (item->state));
  g_key_file_set_uint64 (key_file, ENVELOPE_GROUP, "attempts", item->attempts);
  g_key_file_set_int64 (key_file, ENVELOPE_GROUP, "next-attempt", item->next_attempt);
  g_key_file_set_boolean (key_file, ENVELOPE_GROUP, "needs-attention", item->needs_attention);
  if (item->send_flags != 0)
    g_key_file_set_uint64 (key_file, ENVELOPE_GROUP, "send-flags", item->send_flags);
  if (item->reply != NULL)
    {
      g_key_file_set_integer (key_file, ENVELOPE_GROUP, "reply-code", item->reply_code);
      g_key_file_set_string (key_file, ENVELOPE_GROUP, "reply", item->reply);
    }

  if (item->results != NULL)
    for (guint i = 0; i < item->results->len; i++)
      {
        MwSmtpRecipient *r = g_ptr_array_index (item->results, i);
        g_autofree char *group = g_strdup_printf ("Recipient %u", i);

        g_key_file_set_string (key_file, group, "address", r->address);
        g_key_file_set_boolean (key_file, group, "accepted", r->accepted);
        if (r->reply != NULL)
          g_key_file_set_string_list (key_file, group, "reply",
                                      (const char *const *) r->reply->lines,
                                      g_strv_length (r->reply->lines));
      }

  return g_key_file_to_data (key_file, NULL, NULL);
}

static MwOutboxItem *
item_from_envelope (const char *id,
                    GKeyFile   *key_file,
                    char      **out_state)
{
  g_autofree char *from = g_key_file_get_string (key_file, ENVELOPE_GROUP, "from", NULL);
  g_auto (GStrv) recipients = g_key_file_get_string_list (key_file, ENVELOPE_GROUP, "recipients", NULL, NULL);
  g_autofree char *reply = g_key_file_get_string (key_file, ENVELOPE_GROUP, "reply", NULL);
  g_autoptr (MwOutboxItem) item = NULL;
  g_autoptr (GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) mw_smtp_recipient_free);

  if (from == NULL || recipients == NULL || recipients[0] == NULL)
    return NULL;

  /* The file name comes from the Outbox listing, never from here. */
  item = mw_outbox_item_new (id, NULL, from, (const char *const *) recipients);
  item->attempts = g_key_file_get_uint64 (key_file, ENVELOPE_GROUP, "attempts", NULL);
  item->next_attempt = g_key_file_get_int64 (key_file, ENVELOPE_GROUP, "next-attempt", NULL);
  item->needs_attention = g_key_file_get_boolean (key_file, ENVELOPE_GROUP, "needs-attention", NULL);
  item->reply_code = g_key_file_get_integer (key_file, ENVELOPE_GROUP, "reply-code", NULL);
  item->send_flags = g_key_file_get_uint64 (key_file, ENVELOPE_GROUP, "send-flags", NULL) & KEPT_SEND_FLAGS;
  item->reply = g_steal_pointer (&reply);

  for (guint i = 0;; i++)
    {
      g_autofree char *group = g_strdup_printf ("Recipient %u", i);
      g_auto (GStrv) lines = NULL;
      MwSmtpRecipient *r;

      if (!g_key_file_has_group (key_file, group))
        break;
      r = g_new0 (MwSmtpRecipient, 1);
      r->address = g_key_file_get_string (key_file, group, "address", NULL);
      r->accepted = g_key_file_get_boolean (key_file, group, "accepted", NULL);
      lines = g_key_file_get_string_list (key_file, group, "reply", NULL, NULL);
      if (lines != NULL)
        r->reply = mw_smtp_reply_parse ((const char *const *) lines, NULL);
      if (r->address == NULL)
        r->address = g_strdup ("");
      g_ptr_array_add (results, r);
    }
  if (results->len > 0)
    item->results = g_steal_pointer (&results);

  *out_state = g_key_file_get_string (key_file, ENVELOPE_GROUP, "state", NULL);
  return g_steal_pointer (&item);
}

/* Blocking: writes @data to @path durably (temporary file, fsync, rename,
 * fsync of the folder). */
static gboolean
write_envelope (const char *envelope_dir,
                const char *id,
                const char *data,
                GError    **error)
{
  g_autofree char *path = envelope_path (envelope_dir, id);

  if (!mw_store_mkdir (envelope_dir, error))
    return FALSE;
  if (!g_file_set_contents_full (path, data, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, error))
    return FALSE;
  return mw_store_fsync_directory (envelope_dir, error);
}

/* Blocking: removes a file and fsyncs its folder. A missing file is fine. */
static gboolean
remove_durably (const char *dir,
                const char *name,
                GError    **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int errsv = errno;

      mw_store_set_io_error (error, errsv, _ ("Could not remove the file"), path);
      return FALSE;
    }
  return mw_store_fsync_directory (dir, error);
}

static gboolean
remove_envelope (const char *envelope_dir,
                 const char *id,
                 GError    **error)
{
  g_autofree char *name = g_strconcat (id, ENVELOPE_SUFFIX, NULL);

  return remove_durably (envelope_dir, name, error);
}

static gboolean
make_maildir (const char *path,
              GError    **error)
{
  const char *subdirs[] = { "tmp", "new", "cur" };

  for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *sub = g_build_filename (path, subdirs[i], NULL);

      if (!mw_store_mkdir (sub, error))
        return FALSE;
    }
  return TRUE;
}

/* Blocking: links the message into Sent's new/ (an earlier partial send
 * may have done so already) and fsyncs Sent. */
static gboolean
link_to_sent (const char *outbox_path,
              const char *sent_path,
              const char *file_name,
              GError    **error)
{
  g_autofree char *from = g_build_filename (outbox_path, "new", file_name, NULL);
  g_autofree char *sent_new = g_build_filename (sent_path, "new", NULL);
  g_autofree char *to = g_build_filename (sent_new, file_name, NULL);

  if (!make_maildir (sent_path, error))
    return FALSE;

  if (link (from, to) != 0 && errno != EEXIST)
    {
      int errsv = errno;

      mw_store_set_io_error (error, errsv, _ ("Could not move the message to Sent"), from);
      return FALSE;
    }
  return mw_store_fsync_directory (sent_new, error) &&
         mw_store_fsync_directory (sent_path, error);
}

/* Blocking: steps 3 and 4 of the header after the "sent" record: the
 * message into Sent's new/, out of the Outbox's new/. */
static gboolean
move_to_sent (const char *outbox_path,
              const char *sent_path,
              const char *file_name,
              GError    **error)
{
  g_autofree char *outbox_new = g_build_filename (outbox_path, "new", NULL);

  if (!link_to_sent (outbox_path, sent_path, file_name, error))
    return FALSE;
  return remove_durably (outbox_new, file_name, error);
}

/* Saving item states */

typedef struct
{
  char    *envelope_dir;
  char    *outbox_path;
  char    *sent_path;
  char    *id;
  char    *file_name;
  char    *data;
  gboolean move_to_sent;
  gboolean link_to_sent;
  gboolean keep_envelope;
  gboolean crash_after_record;
  gboolean remove_message;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_free (data->envelope_dir);
  g_free (data->outbox_path);
  g_free (data->sent_path);
  g_free (data->id);
  g_free (data->file_name);
  g_free (data->data);
  g_free (data);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveData *data = task_data;
  GError   *error = NULL;

  if (data->data != NULL &&
      !write_envelope (data->envelope_dir, data->id, data->data, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (data->move_to_sent)
    {
      if (data->crash_after_record)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                   "Stopped after the sent record");
          return;
        }
      if (!move_to_sent (data->outbox_path, data->sent_path, data->file_name, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }

  if (data->link_to_sent &&
      !link_to_sent (data->outbox_path, data->sent_path, data->file_name, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (data->remove_message)
    {
      g_autofree char *outbox_new = g_build_filename (data->outbox_path, "new", NULL);

      if (!remove_durably (outbox_new, data->file_name, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }

  if (!data->keep_envelope &&
      !remove_envelope (data->envelope_dir, data->id, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static SaveData *
save_data_new (MwOutbox     *self,
               MwOutboxItem *item)
{
  SaveData *data = g_new0 (SaveData, 1);

  data->envelope_dir = g_strdup (self->envelope_dir);
  data->outbox_path = g_strdup (mw_maildir_get_path (self->maildir));
  data->sent_path = g_strdup (mw_maildir_get_path (self->sent));
  data->id = g_strdup (item->id);
  data->file_name = g_strdup (item->file_name);
  data->keep_envelope = TRUE;
  return data;
}

static void
run_save (MwOutbox           *self,
          SaveData           *data,
          gpointer            source_tag,
          GCancellable       *cancellable,
          GAsyncReadyCallback callback,
          gpointer            user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
  g_task_run_in_thread (task, save_thread);
}

/* Writes the item's envelope as it is now. */
static void
save_item_async (MwOutbox           *self,
                 MwOutboxItem       *item,
                 const char         *state_override,
                 GAsyncReadyCallback callback,
                 gpointer            user_data)
{
  SaveData *data = save_data_new (self, item);

  data->data = envelope_data (item, state_override);
  run_save (self, data, save_item_async, NULL, callback, user_data);
}

static gboolean
save_finish (GAsyncResult *result,
             GError      **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
save_ignore_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (!save_finish (result, &error))
    g_debug ("Could not save an outbox envelope: %s", error->message);
}

/* The timer */

static gboolean
timer_cb (gpointer user_data)
{
  MwOutbox *self = MW_OUTBOX (user_data);

  g_clear_pointer (&self->timer, g_source_unref);
  start_flush (self, FALSE, NULL);
  return G_SOURCE_REMOVE;
}

static void
reschedule (MwOutbox *self)
{
  gint64 earliest = G_MAXINT64;
  gint64 delay_ms;

  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }

  if (self->client_func == NULL)
    return;

  for (guint i = 0; i < self->items->len; i++)
    {
      MwOutboxItem *item = g_ptr_array_index (self->items, i);

      if (item->state == MW_OUTBOX_STATE_RETRY_WAIT)
        earliest = MIN (earliest, item->next_attempt);
    }
  if (earliest == G_MAXINT64)
    return;

  delay_ms = MAX (0, (earliest - now (self)) / 1000);
  delay_ms = MIN (delay_ms, (gint64) MW_OUTBOX_MAX_RETRY_SECONDS * 1000);
  self->timer = g_timeout_source_new ((guint) delay_ms);
  g_source_set_name (self->timer, "[mailwire] outbox retry");
  g_source_set_callback (self->timer, timer_cb, self, NULL);
  g_source_attach (self->timer, self->context);
}

/* Loading */

typedef struct
{
  char      *outbox_path;
  char      *sent_path;
  char      *envelope_dir;
  GPtrArray *items; /* MwOutboxItem, built in the worker */
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_free (data->outbox_path);
  g_free (data->sent_path);
  g_free (data->envelope_dir);
  g_clear_pointer (&data->items, g_ptr_array_unref);
  g_free (data);
}

static int
compare_items (gconstpointer a,
               gconstpointer b)
{
  MwOutboxItem *item_a = *(MwOutboxItem **) a;
  MwOutboxItem *item_b = *(MwOutboxItem **) b;

  return strcmp (item_a->id, item_b->id);
}

/* Removes an envelope that stands for no message; returns NULL. */
static MwOutboxItem *
drop_envelope (LoadData   *data,
               const char *id,
               GError    **error)
{
  remove_envelope (data->envelope_dir, id, error);
  return NULL;
}

/* Decides what one envelope means, finishing a move to Sent that a crash
 * interrupted. Returns (transfer full) the item to show, or NULL when the
 * envelope was left over and is removed. */
static MwOutboxItem *
load_envelope (LoadData   *data,
               const char *id,
               GHashTable *messages,
               GError    **error)
{
  g_autofree char *path = envelope_path (data->envelope_dir, id);
  g_autoptr (GKeyFile) key_file = g_key_file_new ();
  g_autoptr (MwOutboxItem) item = NULL;
  g_autofree char *state_string = NULL;
  g_autoptr (GError) local_error = NULL;
  const char   *file_name = g_hash_table_lookup (messages, id);
  MwOutboxState state;
  gboolean      sending = FALSE;
  gboolean      rewrite = FALSE;

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, &local_error))
    {
      g_debug ("Ignoring the outbox envelope %s: %s", path, local_error->message);
      return NULL;
    }
  item = item_from_envelope (id, key_file, &state_string);
  if (item == NULL)
    {
      g_debug ("Ignoring the incomplete outbox envelope %s", path);
      return NULL;
    }
  g_free (item->file_name);
  item->file_name = g_strdup (file_name);

  if (g_strcmp0 (state_string, STATE_SENDING) == 0)
    sending = TRUE;
  else if (!state_from_string (state_string, &state))
    state = MW_OUTBOX_STATE_QUEUED;

  if (sending)
    {
      /* Mailwire stopped while sending: the server may have it. */
      if (file_name == NULL)
        return drop_envelope (data, id, error);
      state = MW_OUTBOX_STATE_UNCERTAIN;
      item->needs_attention = TRUE;
      g_free (item->reply);
      item->reply = g_strdup (_ ("Mailwire stopped while sending this message; the server may or may not have accepted it."));
      item->reply_code = 0;
      rewrite = TRUE;
    }
  else if (state == MW_OUTBOX_STATE_SENT)
    {
      /* The final 250 came. A message still in the Outbox means the move to
       * Sent was interrupted: finish it and tell the user, never resend. */
      if (file_name != NULL)
        {
          if (!move_to_sent (data->outbox_path, data->sent_path, file_name, error))
            return NULL;
          item->needs_attention = TRUE;
          rewrite = TRUE;
        }
      else if (!item->needs_attention)
        return drop_envelope (data, id, error);
    }
  else if (state == MW_OUTBOX_STATE_PARTIAL)
    {
      /* In Sent already; kept for its recipient results. */
      if (file_name != NULL)
        {
          if (!move_to_sent (data->outbox_path, data->sent_path, file_name, error))
            return NULL;
        }
    }
  else if (file_name == NULL)
    {
      /* The message never made it (an enqueue that failed) or was removed. */
      return drop_envelope (data, id, error);
    }

  item->state = state;
  if (rewrite)
    {
      g_autofree char *envelope = envelope_data (item, NULL);

      if (!write_envelope (data->envelope_dir, id, envelope, error))
        return NULL;
    }

  return g_steal_pointer (&item);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr (GHashTable) messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GDir) dir = NULL;
  const char *name;
  GError     *error = NULL;

  if (!make_maildir (data->outbox_path, &error) ||
      !make_maildir (data->sent_path, &error) ||
      !mw_store_mkdir (data->envelope_dir, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  entries = mw_maildir_scan (data->outbox_path, cancellable, &error);
  if (entries == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < entries->len; i++)
    {
      MwMaildirEntry *entry = g_ptr_array_index (entries, i);

      /* The outbox only ever writes to new/, as "<id>,S=<size>". */
      if (g_strcmp0 (entry->subdir, "new") == 0)
        g_hash_table_insert (messages, g_strndup (entry->name, strcspn (entry->name, ",:")),
                             g_strdup (entry->name));
    }

  dir = g_dir_open (data->envelope_dir, 0, &error);
  if (dir == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  data->items = g_ptr_array_new_with_free_func (g_object_unref);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *id = NULL;
      MwOutboxItem    *item;

      if (name[0] == '.' || !g_str_has_suffix (name, ENVELOPE_SUFFIX))
        continue;
      id = g_strndup (name, strlen (name) - strlen (ENVELOPE_SUFFIX));
      item = load_envelope (data, id, messages, &error);
      if (error != NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      if (item != NULL)
        g_ptr_array_add (data->items, item);
    }
  g_ptr_array_sort (data->items, compare_items);

  g_task_return_boolean (task, TRUE);
}

void
mw_outbox_load_async (MwOutbox           *self,
                      GCancellable       *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  LoadData *data;

  g_return_if_fail (MW_IS_OUTBOX (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_outbox_load_async);

  if (self->busy)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _ ("The outbox is sending messages"));
      return;
    }

  data = g_new0 (LoadData, 1);
  data->outbox_path = g_strdup (mw_maildir_get_path (self->maildir));
  data->sent_path = g_strdup (mw_maildir_get_path (self->sent));
  data->envelope_dir = g_strdup (self->envelope_dir);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_thread);
}

gboolean
mw_outbox_load_finish (MwOutbox     *self,
                       GAsyncResult *result,
                       GError      **error)
{
  LoadData *data;
  guint     removed;

  g_return_val_if_fail (MW_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  data = g_task_get_task_data (G_TASK (result));
  removed = self->items->len;
  g_ptr_array_set_size (self->items, 0);
  for (guint i = 0; i < data->items->len; i++)
    g_ptr_array_add (self->items, g_object_ref (g_ptr_array_index (data->items, i)));
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, self->items->len);
  reschedule (self);
  return TRUE;
}

/* Enqueueing */

typedef struct
{
  GBytes            *message;
  char              *from;
  char             **recipients;
  char              *outbox_path;
  char              *envelope_dir;
  MwMaildirDelivery *delivery;
  MwOutboxItem      *item;
  guint              send_flags;
} EnqueueData;

static void
enqueue_data_free (EnqueueData *data)
{
  g_bytes_unref (data->message);
  g_free (data->from);
  g_strfreev (data->recipients);
  g_free (data->outbox_path);
  g_free (data->envelope_dir);
  g_clear_object (&data->delivery);
  g_clear_object (&data->item);
  g_free (data);
}

static void
enqueue_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  MwOutbox        *self = source_object;
  EnqueueData     *data = task_data;
  g_autofree char *envelope = NULL;
  GError          *error = NULL;
  gsize            size;
  const void      *bytes = g_bytes_get_data (data->message, &size);

  if (!make_maildir (data->outbox_path, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  data->delivery = mw_maildir_begin_delivery (self->maildir, &error);
  if (data->delivery == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (!g_output_stream_write_all (mw_maildir_delivery_get_output_stream (data->delivery),
                                  bytes, size, NULL, cancellable, &error))
    {
      mw_maildir_delivery_abort (data->delivery);
      g_task_return_error (task, error);
      return;
    }

  /* The envelope first: a message in the Outbox always has one. */
  data->item = mw_outbox_item_new (mw_maildir_delivery_get_unique (data->delivery), NULL,
                                   data->from, (const char *const *) data->recipients);
  data->item->send_flags = data->send_flags;
  envelope = envelope_data (data->item, NULL);
  if (!write_envelope (data->envelope_dir, data->item->id, envelope, &error))
    {
      mw_maildir_delivery_abort (data->delivery);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
enqueue_commit_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwOutbox        *self = g_task_get_source_object (task);
  EnqueueData     *data = g_task_get_task_data (task);
  g_autofree char *name = NULL;
  GError          *error = NULL;

  name = mw_maildir_delivery_commit_finish (MW_MAILDIR_DELIVERY (object), result, &error);
  if (name == NULL)
    {
      SaveData *save = save_data_new (self, data->item);

      save->keep_envelope = FALSE;
      run_save (self, save, enqueue_commit_cb, NULL, save_ignore_cb, NULL);
      g_task_return_error (task, error);
      return;
    }

  data->item->file_name = g_steal_pointer (&name);
  g_ptr_array_add (self->items, g_object_ref (data->item));
  g_list_model_items_changed (G_LIST_MODEL (self), self->items->len - 1, 0, 1);
  g_task_return_pointer (task, g_strdup (data->item->id), g_free);
}

static void
enqueue_written_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  EnqueueData  *data = g_task_get_task_data (task);
  GCancellable *cancellable;
  GError       *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  cancellable = g_task_get_cancellable (task);
  mw_maildir_delivery_commit_async (data->delivery, cancellable,
                                    enqueue_commit_cb, g_steal_pointer (&task));
}

void
mw_outbox_enqueue_async (MwOutbox           *self,
                         GBytes             *message,
                         const char         *from,
                         const char *const  *recipients,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  mw_outbox_enqueue_full_async (self, message, from, recipients, MW_SMTP_SEND_NONE,
                                cancellable, callback, user_data);
}

void
mw_outbox_enqueue_full_async (MwOutbox           *self,
                              GBytes             *message,
                              const char         *from,
                              const char *const  *recipients,
                              MwSmtpSendFlags     flags,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GTask) inner = NULL;
  EnqueueData *data;

  g_return_if_fail (MW_IS_OUTBOX (self));
  g_return_if_fail (message != NULL);
  g_return_if_fail (from != NULL);
  g_return_if_fail (recipients != NULL && recipients[0] != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_outbox_enqueue_async);

  data = g_new0 (EnqueueData, 1);
  data->message = g_bytes_ref (message);
  data->from = g_strdup (from);
  data->recipients = g_strdupv ((char **) recipients);
  data->outbox_path = g_strdup (mw_maildir_get_path (self->maildir));
  data->envelope_dir = g_strdup (self->envelope_dir);
  data->send_flags = flags & KEPT_SEND_FLAGS;
  g_task_set_task_data (task, data, (GDestroyNotify) enqueue_data_free);

  /* The worker shares the call data; the outer task completes the call. */
  inner = g_task_new (self, cancellable, enqueue_written_cb, g_steal_pointer (&task));
  g_task_set_source_tag (inner, enqueue_thread);
  g_task_set_task_data (inner, data, NULL);
  g_task_run_in_thread (inner, enqueue_thread);
}

char *
mw_outbox_enqueue_finish (MwOutbox     *self,
                          GAsyncResult *result,
                          GError      **error)
{
  g_return_val_if_fail (MW_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Flushing */

typedef enum
{
  OUTCOME_SENT,
  OUTCOME_PARTIAL,
  OUTCOME_RETRY,
  OUTCOME_FAILED,
  OUTCOME_UNCERTAIN,
  OUTCOME_CANCELLED,
} Outcome;

typedef struct
{
  GPtrArray    *queue; /* MwOutboxItem due in this pass */
  guint         index;
  MwSmtpClient *client;
  GError       *error; /* what stopped the pass */
  Outcome       outcome;
  gboolean      force;
} FlushData;

static void
flush_data_free (FlushData *data)
{
  g_ptr_array_unref (data->queue);
  if (data->client != NULL)
    mw_smtp_client_close (data->client);
  g_clear_object (&data->client);
  g_clear_error (&data->error);
  g_free (data);
}

static void flush_next (GTask *task);

static int
reply_class (const MwSmtpReply *reply)
{
  return reply != NULL ? reply->code / 100 : 0;
}

static gboolean
connect_error_is_temporary (const GError *error)
{
  if (error->domain == G_IO_ERROR)
    return !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  if (error->domain == G_RESOLVER_ERROR)
    return TRUE;
  return g_error_matches (error, MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_CLOSED) ||
         g_error_matches (error, MW_SMTP_ERROR, MW_SMTP_ERROR_SERVICE_UNAVAILABLE) ||
         g_error_matches (error, MW_SMTP_ERROR, MW_SMTP_ERROR_AUTH_TEMPORARY);
}

/* Where one send leaves its message, and the reply that decided it. */
static Outcome
classify (MwSmtpSendResult   *result,
          const GError       *error,
          const MwSmtpReply **out_reply)
{
  MwSmtpReply *final_reply = result != NULL ? mw_smtp_send_result_get_final_reply (result) : NULL;
  MwSmtpReply *mail_reply = result != NULL ? mw_smtp_send_result_get_mail_reply (result) : NULL;

  *out_reply = final_reply;

  if (error == NULL)
    {
      if (result != NULL && mw_smtp_send_result_get_n_refused (result) > 0)
        return OUTCOME_PARTIAL;
      return OUTCOME_SENT;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return OUTCOME_CANCELLED;

  if (error->domain != MW_SMTP_ERROR)
    return OUTCOME_RETRY; /* lost before the end of the message */

  switch ((MwSmtpError) error->code)
    {
    case MW_SMTP_ERROR_DELIVERY_UNCERTAIN:
      return OUTCOME_UNCERTAIN;

    case MW_SMTP_ERROR_SERVICE_UNAVAILABLE:
    case MW_SMTP_ERROR_AUTH_TEMPORARY:
    case MW_SMTP_ERROR_PROTOCOL:
    case MW_SMTP_ERROR_NOT_CONNECTED:
    case MW_SMTP_ERROR_BUSY:
      return OUTCOME_RETRY;

    case MW_SMTP_ERROR_SENDER_REFUSED:
      *out_reply = mail_reply;
      return reply_class (mail_reply) == 4 ? OUTCOME_RETRY : OUTCOME_FAILED;

    case MW_SMTP_ERROR_RECIPIENTS_REFUSED:
      {
        GPtrArray *recipients = mw_smtp_send_result_get_recipients (result);
        gboolean   all_temporary = TRUE;

        for (guint i = 0; recipients != NULL && i < recipients->len; i++)
          {
            MwSmtpRecipient *r = g_ptr_array_index (recipients, i);

            if (!r->accepted && reply_class (r->reply) != 4)
              all_temporary = FALSE;
            if (!r->accepted && r->reply != NULL)
              *out_reply = r->reply;
          }
        return all_temporary ? OUTCOME_RETRY : OUTCOME_FAILED;
      }

    case MW_SMTP_ERROR_MESSAGE_REFUSED:
    case MW_SMTP_ERROR_MESSAGE_TOO_LARGE:
    case MW_SMTP_ERROR_COMMAND_FAILED:
      return reply_class (final_reply) == 4 ? OUTCOME_RETRY : OUTCOME_FAILED;

    case MW_SMTP_ERROR_GREETING_REFUSED:
    case MW_SMTP_ERROR_STARTTLS_UNAVAILABLE:
    case MW_SMTP_ERROR_STARTTLS_FAILED:
    case MW_SMTP_ERROR_AUTH_UNAVAILABLE:
    case MW_SMTP_ERROR_NO_MECHANISM:
    case MW_SMTP_ERROR_PLAINTEXT_REFUSED:
    case MW_SMTP_ERROR_AUTH_FAILED:
    case MW_SMTP_ERROR_AUTH_TOO_WEAK:
    case MW_SMTP_ERROR_AUTH_ENCRYPTION_REQUIRED:
    case MW_SMTP_ERROR_AUTH_SERVER_UNVERIFIED:
    case MW_SMTP_ERROR_UNSUPPORTED:
    case MW_SMTP_ERROR_INVALID_ARGUMENT:
    default:
      return OUTCOME_FAILED;
    }
}

static gboolean
item_is_due (MwOutbox     *self,
             MwOutboxItem *item,
             gboolean      force,
             gint64        time)
{
  switch (item->state)
    {
    case MW_OUTBOX_STATE_QUEUED:
      return TRUE;
    case MW_OUTBOX_STATE_RETRY_WAIT:
      return force || item->next_attempt <= time;
    case MW_OUTBOX_STATE_SENDING:
    case MW_OUTBOX_STATE_SENT:
    case MW_OUTBOX_STATE_FAILED:
    case MW_OUTBOX_STATE_UNCERTAIN:
    case MW_OUTBOX_STATE_PARTIAL:
    default:
      return FALSE;
    }
}

static MwOutboxItem *
current_item (FlushData *data)
{
  return g_ptr_array_index (data->queue, data->index);
}

/* Records a temporary failure of @item with @text. */
static void
set_retry (MwOutbox     *self,
           MwOutboxItem *item,
           int           code,
           const char   *text)
{
  mw_outbox_item_set_attempts (item, item->attempts + 1, next_attempt_time (self, item->attempts + 1));
  mw_outbox_item_set_reply (item, code, text);
  mw_outbox_item_set_state (item, MW_OUTBOX_STATE_RETRY_WAIT);
  item_changed (self, item);
}

static void
item_saved_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  FlushData *data = g_task_get_task_data (task);
  GError    *error = NULL;

  if (!save_finish (result, &error))
    {
      g_clear_error (&data->error);
      data->error = error;
      data->index = data->queue->len;
    }
  else
    data->index++;

  flush_next (g_steal_pointer (&task));
}

static void
sent_saved_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwOutbox     *self = g_task_get_source_object (task);
  FlushData    *data = g_task_get_task_data (task);
  MwOutboxItem *item = current_item (data);
  GError       *error = NULL;

  if (!save_finish (result, &error))
    {
      /* The 250 came and is recorded (or the record failed): the item must
       * not be sent again in this session either. */
      mw_outbox_item_set_needs_attention (item, TRUE);
      mw_outbox_item_set_state (item, data->outcome == OUTCOME_PARTIAL ? MW_OUTBOX_STATE_PARTIAL : MW_OUTBOX_STATE_SENT);
      item_changed (self, item);
      g_clear_error (&data->error);
      data->error = error;
      data->index = data->queue->len;
      flush_next (g_steal_pointer (&task));
      return;
    }

  mw_outbox_item_set_state (item, data->outcome == OUTCOME_PARTIAL ? MW_OUTBOX_STATE_PARTIAL : MW_OUTBOX_STATE_SENT);
  item_changed (self, item);
  data->index++;
  flush_next (g_steal_pointer (&task));
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwOutbox     *self = g_task_get_source_object (task);
  FlushData    *data = g_task_get_task_data (task);
  MwOutboxItem *item = current_item (data);
  g_autoptr (MwSmtpSendResult) send_result = NULL;
  g_autoptr (GError) error = NULL;
  const MwSmtpReply *reply = NULL;
  g_autofree char   *text = NULL;

  mw_smtp_client_send_finish (MW_SMTP_CLIENT (object), result, &send_result, &error);
  data->outcome = classify (send_result, error, &reply);

  if (send_result != NULL)
    {
      GPtrArray *recipients = mw_smtp_send_result_get_recipients (send_result);
      GPtrArray *merged = g_ptr_array_new_with_free_func ((GDestroyNotify) mw_smtp_recipient_free);

      /* Recipients dealt with in earlier attempts keep their results. */
      for (guint i = 0; item->results != NULL && i < item->results->len; i++)
        {
          MwSmtpRecipient *r = g_ptr_array_index (item->results, i);

          if (!g_strv_contains ((const char *const *) item->recipients, r->address))
            g_ptr_array_add (merged, mw_smtp_recipient_copy (r));
        }
      for (guint i = 0; recipients != NULL && i < recipients->len; i++)
        g_ptr_array_add (merged, mw_smtp_recipient_copy (g_ptr_array_index (recipients, i)));
      mw_outbox_item_take_recipient_results (item, merged);
    }

  if (reply != NULL)
    text = mw_smtp_reply_quote (reply);
  else if (error != NULL)
    text = g_strdup (error->message);
  mw_outbox_item_set_reply (item, reply != NULL ? reply->code : 0, text);

  switch (data->outcome)
    {
    case OUTCOME_SENT:
    case OUTCOME_PARTIAL:
      {
        g_autoptr (GStrvBuilder) waiting = g_strv_builder_new ();
        g_auto (GStrv) remaining = NULL;
        const MwSmtpReply *waiting_reply = NULL;
        SaveData          *save;
        gboolean           refused = FALSE;

        for (guint i = 0; item->results != NULL && i < item->results->len; i++)
          {
            MwSmtpRecipient *r = g_ptr_array_index (item->results, i);

            if (r->accepted)
              continue;
            refused = TRUE;
            if (reply_class (r->reply) != 5 &&
                g_strv_contains ((const char *const *) item->recipients, r->address))
              {
                g_strv_builder_add (waiting, r->address);
                waiting_reply = waiting_reply != NULL ? waiting_reply : r->reply;
              }
          }
        remaining = g_strv_builder_end (waiting);

        if (remaining[0] != NULL)
          {
            /* The others have it; the recipients refused for now wait,
             * alone. Recorded before the copy into Sent, so a crash never
             * sends to the others again. */
            g_autofree char *waiting_text = waiting_reply != NULL ? mw_smtp_reply_quote (waiting_reply) : NULL;

            g_strfreev (item->recipients);
            item->recipients = g_steal_pointer (&remaining);
            set_retry (self, item, waiting_reply != NULL ? waiting_reply->code : 0, waiting_text);
            save = save_data_new (self, item);
            save->data = envelope_data (item, NULL);
            save->link_to_sent = TRUE;
            run_save (self, save, send_cb, NULL, item_saved_cb, g_steal_pointer (&task));
            return;
          }
        data->outcome = refused ? OUTCOME_PARTIAL : OUTCOME_SENT;

        /* Step 3: the durable "sent" record, then the move. */
        save = save_data_new (self, item);

        save->data = envelope_data (item, data->outcome == OUTCOME_PARTIAL ? state_to_string (MW_OUTBOX_STATE_PARTIAL) : STATE_SENT);
        save->move_to_sent = TRUE;
        save->keep_envelope = data->outcome == OUTCOME_PARTIAL;
        save->crash_after_record = self->crash_after_sent_record;
        run_save (self, save, send_cb, NULL, sent_saved_cb, g_steal_pointer (&task));
        return;
      }

    case OUTCOME_RETRY:
      set_retry (self, item, reply != NULL ? reply->code : 0, text);
      break;

    case OUTCOME_FAILED:
      mw_outbox_item_set_state (item, MW_OUTBOX_STATE_FAILED);
      item_changed (self, item);
      break;

    case OUTCOME_UNCERTAIN:
      mw_outbox_item_set_state (item, MW_OUTBOX_STATE_UNCERTAIN);
      item_changed (self, item);
      break;

    case OUTCOME_CANCELLED:
    default:
      mw_outbox_item_set_state (item, MW_OUTBOX_STATE_QUEUED);
      item_changed (self, item);
      g_clear_error (&data->error);
      data->error = g_steal_pointer (&error);
      save_item_async (self, item, NULL, item_saved_cb, g_steal_pointer (&task));
      data->index = data->queue->len - 1;
      return;
    }

  save_item_async (self, item, NULL, item_saved_cb, g_steal_pointer (&task));
}

static void
message_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwOutbox     *self = g_task_get_source_object (task);
  FlushData    *data = g_task_get_task_data (task);
  MwOutboxItem *item = current_item (data);
  g_autoptr (GFileInputStream) stream = NULL;
  g_autoptr (GFileInfo) info = NULL;
  g_autoptr (GError) error = NULL;
  GCancellable *cancellable;
  gint64        size = -1;

  stream = g_file_read_finish (G_FILE (object), result, &error);
  if (stream == NULL)
    {
      /* The message file is gone or unreadable: nothing was sent. */
      mw_outbox_item_set_reply (item, 0, error->message);
      mw_outbox_item_set_state (item, MW_OUTBOX_STATE_FAILED);
      item_changed (self, item);
      save_item_async (self, item, NULL, item_saved_cb, g_steal_pointer (&task));
      return;
    }

  info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, NULL, NULL);
  if (info != NULL)
    size = g_file_info_get_size (info);

  cancellable = g_task_get_cancellable (task);
  mw_smtp_client_send_async (data->client, item->from, (const char *const *) item->recipients,
                             G_INPUT_STREAM (stream), size,
                             (item->send_flags & MW_SMTP_SEND_ALL_OR_NOTHING) ? item->send_flags : MW_SMTP_SEND_TO_ACCEPTED_ONLY | item->send_flags,
                             NULL,
                             cancellable, send_cb, g_steal_pointer (&task));
}

static void
send_current (GTask *task)
{
  MwOutbox        *self = g_task_get_source_object (task);
  FlushData       *data = g_task_get_task_data (task);
  MwOutboxItem    *item = current_item (data);
  g_autofree char *path = g_build_filename (mw_maildir_get_path (self->maildir), "new", item->file_name, NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  GCancellable *cancellable = g_task_get_cancellable (task);

  g_file_read_async (file, G_PRIORITY_DEFAULT, cancellable,
                     message_read_cb, g_steal_pointer (&task));
}

static void
retry_rest_saved_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  FlushData *data = g_task_get_task_data (task);
  MwOutbox  *self;
  GError    *error = NULL;

  if (!save_finish (result, &error))
    {
      g_clear_error (&data->error);
      data->error = error;
    }
  data->index++;
  if (data->index >= data->queue->len)
    {
      flush_next (g_steal_pointer (&task));
      return;
    }
  self = g_task_get_source_object (task);
  save_item_async (self, current_item (data), NULL, retry_rest_saved_cb, g_steal_pointer (&task));
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwOutbox  *self = g_task_get_source_object (task);
  FlushData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  g_clear_pointer (&self->refused_certificate, mw_certificate_info_unref);
  if (mw_smtp_client_connect_finish (MW_SMTP_CLIENT (object), result, &error))
    {
      send_current (g_steal_pointer (&task));
      return;
    }
  if (g_error_matches (error, MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_CERTIFICATE))
    {
      MwCertificateInfo *info = mw_connection_get_certificate_info (mw_smtp_client_get_connection (MW_SMTP_CLIENT (object)));

      if (info != NULL)
        self->refused_certificate = mw_certificate_info_ref (info);
    }

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      connect_error_is_temporary (error))
    {
      /* The server cannot be reached now: every item left in this pass
       * waits for the next attempt. */
      for (guint i = data->index; i < data->queue->len; i++)
        set_retry (self, g_ptr_array_index (data->queue, i), 0, error->message);
      save_item_async (self, current_item (data), NULL, retry_rest_saved_cb, g_steal_pointer (&task));
      return;
    }

  /* Something the user must fix, or a cancellation: nothing was tried. */
  mw_outbox_item_set_state (current_item (data), MW_OUTBOX_STATE_QUEUED);
  item_changed (self, current_item (data));
  g_clear_error (&data->error);
  data->error = g_steal_pointer (&error);
  save_item_async (self, current_item (data), NULL, item_saved_cb, g_steal_pointer (&task));
  data->index = data->queue->len - 1;
}

static void
sending_saved_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwOutbox     *self = g_task_get_source_object (task);
  FlushData    *data = g_task_get_task_data (task);
  GCancellable *cancellable;
  GError       *error = NULL;

  if (!save_finish (result, &error))
    {
      mw_outbox_item_set_state (current_item (data), MW_OUTBOX_STATE_QUEUED);
      item_changed (self, current_item (data));
      g_clear_error (&data->error);
      data->error = error;
      data->index = data->queue->len;
      flush_next (g_steal_pointer (&task));
      return;
    }

  if (data->client != NULL && mw_smtp_client_is_connected (data->client))
    {
      send_current (g_steal_pointer (&task));
      return;
    }

  if (data->client != NULL)
    mw_smtp_client_close (data->client);
  g_clear_object (&data->client);
  data->client = self->client_func != NULL ? self->client_func (self->client_data) : NULL;
  if (data->client == NULL)
    {
      mw_outbox_item_set_state (current_item (data), MW_OUTBOX_STATE_QUEUED);
      item_changed (self, current_item (data));
      g_clear_error (&data->error);
      data->error = g_error_new (MW_STORE_ERROR, MW_STORE_ERROR_FAILED,
                                 _ ("No outgoing server is set up for this account"));
      save_item_async (self, current_item (data), NULL, item_saved_cb, g_steal_pointer (&task));
      data->index = data->queue->len - 1;
      return;
    }

  cancellable = g_task_get_cancellable (task);
  mw_smtp_client_connect_async (data->client, cancellable,
                                connect_cb, g_steal_pointer (&task));
}

static void
quit_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  FlushData *data = g_task_get_task_data (task);

  mw_smtp_client_quit_finish (MW_SMTP_CLIENT (object), result, NULL);
  g_clear_object (&data->client);
  flush_next (g_steal_pointer (&task));
}

static void
flush_next (GTask *task_in)
{
  g_autoptr (GTask) task = task_in;
  MwOutbox  *self = g_task_get_source_object (task);
  FlushData *data = g_task_get_task_data (task);
  gboolean   rerun, force;

  if (data->index < data->queue->len)
    {
      MwOutboxItem *item = current_item (data);

      /* Step 2: "sending" is on disk before the first byte goes out. */
      mw_outbox_item_set_state (item, MW_OUTBOX_STATE_SENDING);
      item_changed (self, item);
      save_item_async (self, item, STATE_SENDING, sending_saved_cb, g_steal_pointer (&task));
      return;
    }

  if (data->client != NULL && mw_smtp_client_is_connected (data->client))
    {
      MwSmtpClient *client = data->client;

      mw_smtp_client_quit_async (client, NULL, quit_cb, g_steal_pointer (&task));
      return;
    }

  set_busy (self, FALSE);
  reschedule (self);

  rerun = self->rerun;
  force = self->rerun_force;
  self->rerun = FALSE;
  self->rerun_force = FALSE;

  if (data->error != NULL)
    g_task_return_error (task, g_steal_pointer (&data->error));
  else
    g_task_return_boolean (task, TRUE);

  if (rerun)
    start_flush (self, force, NULL);
}

static void
auto_flush_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_debug ("Automatic outbox flush: %s", error->message);
}

/* Starts a pass; @task (transfer full) is completed by it, or NULL for an
 * automatic one. */
static void
start_flush (MwOutbox *self,
             gboolean  force,
             GTask    *task)
{
  FlushData *data;
  gint64     time;

  if (task == NULL)
    {
      if (self->client_func == NULL)
        return;
      if (self->busy)
        {
          self->rerun = TRUE;
          self->rerun_force |= force;
          return;
        }
      task = g_task_new (self, self->cancellable, auto_flush_cb, NULL);
      g_task_set_source_tag (task, start_flush);
    }

  g_assert (!self->busy);

  data = g_new0 (FlushData, 1);
  data->force = force;
  data->queue = g_ptr_array_new_with_free_func (g_object_unref);
  time = now (self);
  for (guint i = 0; i < self->items->len; i++)
    {
      MwOutboxItem *item = g_ptr_array_index (self->items, i);

      if (item_is_due (self, item, force, time))
        g_ptr_array_add (data->queue, g_object_ref (item));
    }
  g_task_set_task_data (task, data, (GDestroyNotify) flush_data_free);

  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  set_busy (self, TRUE);
  flush_next (g_steal_pointer (&task));
}

void
mw_outbox_flush_async (MwOutbox           *self,
                       GCancellable       *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (MW_IS_OUTBOX (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_outbox_flush_async);

  if (self->busy)
    {
      /* What was queued meanwhile goes out in another pass. */
      self->rerun = TRUE;
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _ ("The outbox is already sending messages"));
      return;
    }

  start_flush (self, FALSE, g_steal_pointer (&task));
}

gboolean
mw_outbox_flush_finish (MwOutbox     *self,
                        GAsyncResult *result,
                        GError      **error)
{
  g_return_val_if_fail (MW_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Resending and removing */

static void
simple_saved_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!save_finish (result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
mw_outbox_resend_async (MwOutbox           *self,
                        const char         *id,
                        GCancellable       *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  MwOutboxItem *item;

  g_return_if_fail (MW_IS_OUTBOX (self));
  g_return_if_fail (id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_outbox_resend_async);

  item = mw_outbox_lookup (self, id);
  if (item == NULL ||
      (item->state != MW_OUTBOX_STATE_FAILED &&
       item->state != MW_OUTBOX_STATE_UNCERTAIN &&
       item->state != MW_OUTBOX_STATE_RETRY_WAIT &&
       item->state != MW_OUTBOX_STATE_QUEUED))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _ ("This message cannot be sent again"));
      return;
    }

  mw_outbox_item_set_attempts (item, 0, 0);
  mw_outbox_item_set_needs_attention (item, FALSE);
  mw_outbox_item_set_state (item, MW_OUTBOX_STATE_QUEUED);
  item_changed (self, item);
  save_item_async (self, item, NULL, simple_saved_cb, g_steal_pointer (&task));
}

gboolean
mw_outbox_resend_finish (MwOutbox     *self,
                         GAsyncResult *result,
                         GError      **error)
{
  g_return_val_if_fail (MW_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
mw_outbox_remove_async (MwOutbox           *self,
                        const char         *id,
                        GCancellable       *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  MwOutboxItem *item;
  SaveData     *save;
  guint         position;

  g_return_if_fail (MW_IS_OUTBOX (self));
  g_return_if_fail (id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_outbox_remove_async);

  if (!find_item (self, id, &position) ||
      (item = g_ptr_array_index (self->items, position))->state == MW_OUTBOX_STATE_SENDING)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _ ("This message cannot be removed now"));
      return;
    }

  save = save_data_new (self, item);
  save->keep_envelope = FALSE;
  save->remove_message = item->state != MW_OUTBOX_STATE_SENT &&
                         item->state != MW_OUTBOX_STATE_PARTIAL &&
                         item->file_name != NULL;
  g_ptr_array_remove_index (self->items, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  reschedule (self);
  run_save (self, save, mw_outbox_remove_async, cancellable, simple_saved_cb, g_steal_pointer (&task));
}

gboolean
mw_outbox_remove_finish (MwOutbox     *self,
                         GAsyncResult *result,
                         GError      **error)
{
  g_return_val_if_fail (MW_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
