/* mw-fetcher.c: Get Mail into a Maildir, with the account's policy
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "mw-fetcher.h"
#include "mw-maildir-delivery.h"

/* The most header bytes read from TOP n 0 to recognise a message on a
 * server without UIDL. */
#define HEADER_UID_MAX (4 * 1024 * 1024)

struct _MwFetcher
{
  GObject parent_instance;

  MwPop3Client      *client;
  MwMaildir         *maildir;
  MwUidIndex        *index;
  MwFetchPolicy      policy;
  GArray            *list; /* MwPop3ListEntry */
  GArray            *uids; /* MwPop3UidEntry, from UIDL or the headers */
  MwServerMessage   *messages;
  size_t             n_messages;
  GHashTable        *by_number; /* message number → place in messages + 1 */
  MwFetchPlan       *plan;
  MwMaildirDelivery *delivery;
  GOutputStream     *header_sink;
  GArray            *marked;  /* numbers sent DELE */
  GArray            *deleted; /* numbers deleted, after QUIT */

  size_t      next; /* the download, the TOP or the DELE under way */
  MwFetchStop stop;
  guint       failed_number;
  guint       n_downloaded;
  gboolean    by_headers;
  gboolean    running;
};

enum
{
  SIGNAL_WARNING,
  SIGNAL_PLANNED,
  SIGNAL_SKIPPED,
  SIGNAL_MESSAGE_STORED,
  SIGNAL_DELETED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (MwFetcher, mw_fetcher, G_TYPE_OBJECT)

static void
clear_uid_entry (MwPop3UidEntry *entry)
{
  g_clear_pointer (&entry->uid, g_free);
}

static void
mw_fetcher_dispose (GObject *object)
{
  MwFetcher *self = MW_FETCHER (object);

  if (self->delivery != NULL)
    mw_maildir_delivery_abort (self->delivery);
  g_clear_object (&self->delivery);
  g_clear_object (&self->header_sink);
  g_clear_object (&self->plan);
  g_clear_object (&self->client);
  g_clear_object (&self->maildir);
  g_clear_object (&self->index);

  G_OBJECT_CLASS (mw_fetcher_parent_class)->dispose (object);
}

static void
mw_fetcher_finalize (GObject *object)
{
  MwFetcher *self = MW_FETCHER (object);

  g_clear_pointer (&self->list, g_array_unref);
  g_clear_pointer (&self->uids, g_array_unref);
  g_clear_pointer (&self->marked, g_array_unref);
  g_clear_pointer (&self->deleted, g_array_unref);
  g_free (self->messages);
  g_clear_pointer (&self->by_number, g_hash_table_unref);

  G_OBJECT_CLASS (mw_fetcher_parent_class)->finalize (object);
}

static void
mw_fetcher_class_init (MwFetcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mw_fetcher_dispose;
  object_class->finalize = mw_fetcher_finalize;

  /* A sentence for the user: what the fetch does differently and why. */
  signals[SIGNAL_WARNING] = g_signal_new ("warning", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* How many messages will be downloaded. */
  signals[SIGNAL_PLANNED] = g_signal_new ("planned", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SIGNAL_SKIPPED] = g_signal_new ("skipped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_INT);
  /* number, UID (or NULL), the file name in new/ */
  signals[SIGNAL_MESSAGE_STORED] = g_signal_new ("message-stored", G_TYPE_FROM_CLASS (klass),
                                                 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                                 3, G_TYPE_UINT, G_TYPE_STRING, G_TYPE_STRING);
  /* number, UID; emitted after QUIT's +OK */
  signals[SIGNAL_DELETED] = g_signal_new ("deleted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
}

static void
mw_fetcher_init (MwFetcher *self)
{
  self->marked = g_array_new (FALSE, FALSE, sizeof (guint));
  self->deleted = g_array_new (FALSE, FALSE, sizeof (guint));
}

MwFetcher *
mw_fetcher_new (MwPop3Client        *client,
                MwMaildir           *maildir,
                MwUidIndex          *index,
                const MwFetchPolicy *policy)
{
  MwFetcher *self;

  g_return_val_if_fail (MW_IS_POP3_CLIENT (client), NULL);
  g_return_val_if_fail (MW_IS_MAILDIR (maildir), NULL);
  g_return_val_if_fail (MW_IS_UID_INDEX (index), NULL);
  g_return_val_if_fail (policy != NULL, NULL);

  self = g_object_new (MW_TYPE_FETCHER, NULL);
  self->client = g_object_ref (client);
  self->maildir = g_object_ref (maildir);
  self->index = g_object_ref (index);
  self->policy = *policy;
  return self;
}

static void
warn (MwFetcher  *self,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
warn (MwFetcher  *self,
      const char *format,
      ...)
{
  g_autofree char *text = NULL;
  va_list          args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_signal_emit (self, signals[SIGNAL_WARNING], 0, text);
}

/* Ends the run with @error; the session is closed without QUIT, so the
 * server deletes nothing. Takes @task and @error. */
static void
fail (MwFetcher  *self,
      GTask      *task,
      MwFetchStop stop,
      GError     *error)
{
  g_autoptr (GTask) owned = task;

  self->stop = stop;
  self->running = FALSE;
  if (self->delivery != NULL)
    mw_maildir_delivery_abort (self->delivery);
  g_clear_object (&self->delivery);
  mw_pop3_client_close (self->client);
  g_task_return_error (owned, error);
}

static MwServerMessage *
join_listing (GArray *list,
              GArray *uids,
              size_t *n_out)
{
  g_autoptr (GHashTable) by_number = g_hash_table_new (NULL, NULL);
  MwServerMessage *messages = g_new0 (MwServerMessage, list->len + 1);

  for (guint i = 0; uids != NULL && i < uids->len; i++)
    {
      const MwPop3UidEntry *entry = &g_array_index (uids, MwPop3UidEntry, i);

      g_hash_table_insert (by_number, GUINT_TO_POINTER (entry->number), entry->uid);
    }

  for (guint i = 0; i < list->len; i++)
    {
      const MwPop3ListEntry *entry = &g_array_index (list, MwPop3ListEntry, i);

      messages[i].number = entry->number;
      messages[i].size = entry->size;
      messages[i].uid = g_hash_table_lookup (by_number, GUINT_TO_POINTER (entry->number));
    }

  *n_out = list->len;
  return messages;
}

static const MwServerMessage *
message_of (MwFetcher *self,
            guint      number)
{
  gpointer index;

  /* Message numbers to their place in the listing: a lookup per message
   * stored must not walk a listing of a hundred thousand. */
  if (self->by_number == NULL)
    {
      self->by_number = g_hash_table_new (NULL, NULL);
      for (size_t i = 0; i < self->n_messages; i++)
        g_hash_table_insert (self->by_number, GUINT_TO_POINTER (self->messages[i].number), GSIZE_TO_POINTER (i + 1));
    }
  index = g_hash_table_lookup (self->by_number, GUINT_TO_POINTER (number));
  return index != NULL ? &self->messages[GPOINTER_TO_SIZE (index) - 1] : NULL;
}

static void download_next (MwFetcher *self,
                           GTask     *task);
static void delete_next (MwFetcher *self,
                         GTask     *task);

/* QUIT, and what it confirmed. */

static void
quit_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwFetcher *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  gboolean committed = FALSE;

  self->running = FALSE;
  if (!mw_pop3_client_quit_finish (self->client, result, &committed, &error) || !committed)
    {
      /* Without deletions the session changed nothing: only a broken
       * connection is worth reporting. */
      if (self->marked->len == 0 && error == NULL)
        {
          g_task_return_boolean (task, TRUE);
          return;
        }
      self->stop = MW_FETCH_STOP_QUIT;
      if (error == NULL)
        error = g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_REFUSED,
                             _ ("The server did not confirm QUIT, so nothing was deleted."));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  for (guint i = 0; i < self->marked->len; i++)
    {
      guint                  number = g_array_index (self->marked, guint, i);
      const MwServerMessage *message = message_of (self, number);

      g_array_append_val (self->deleted, number);
      g_signal_emit (self, signals[SIGNAL_DELETED], 0, number, message != NULL ? message->uid : NULL);
    }
  self->stop = MW_FETCH_STOP_NONE;
  g_task_return_boolean (task, TRUE);
}

static void
quit (MwFetcher *self,
      GTask     *task)
{
  mw_pop3_client_quit_async (self->client, NULL, quit_cb, task);
}

/* Deletions, by UID mapped in this session. */

static void
dele_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwFetcher *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;

  if (!mw_pop3_client_dele_finish (self->client, result, &error))
    {
      g_array_set_size (self->marked, 0);
      fail (self, g_steal_pointer (&task), MW_FETCH_STOP_DELETE, g_steal_pointer (&error));
      return;
    }
  self->next++;
  delete_next (self, g_steal_pointer (&task));
}

static void
delete_next (MwFetcher *self,
             GTask     *task)
{
  g_autoptr (GTask) owned = task;
  GCancellable *cancellable = g_task_get_cancellable (owned);

  if (self->next == self->marked->len)
    {
      quit (self, g_steal_pointer (&owned));
      return;
    }
  mw_pop3_client_dele_async (self->client, g_array_index (self->marked, guint, self->next),
                             cancellable, dele_cb, g_steal_pointer (&owned));
}

static void
remap_and_delete (MwFetcher         *self,
                  GTask             *task,
                  GArray            *fresh,
                  const char *const *deletions)
{
  g_autoptr (GTask) owned = task;
  g_autoptr (GArray) numbers = NULL;
  g_auto (GStrv) unmapped = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree MwServerMessage *listing = NULL;
  size_t                      n_listing = 0;

  listing = join_listing (self->list, fresh, &n_listing);
  if (!mw_fetch_remap_uids (deletions, listing, n_listing, &numbers, &unmapped, &error))
    {
      fail (self, g_steal_pointer (&owned), MW_FETCH_STOP_DELETE, g_steal_pointer (&error));
      return;
    }
  g_array_append_vals (self->marked, numbers->data, numbers->len);
  self->next = 0;
  delete_next (self, g_steal_pointer (&owned));
}

static void
fresh_uidl_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwFetcher *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) fresh = NULL;

  fresh = mw_pop3_client_uidl_finish (self->client, result, &error);
  if (fresh == NULL)
    {
      fail (self, g_steal_pointer (&task), MW_FETCH_STOP_DELETE, g_steal_pointer (&error));
      return;
    }
  remap_and_delete (self, g_steal_pointer (&task), fresh, mw_fetch_plan_get_deletions (self->plan));
}

static void
start_deletions (MwFetcher *self,
                 GTask     *task)
{
  g_autoptr (GTask) owned = task;
  GCancellable *cancellable = g_task_get_cancellable (owned);
  g_autoptr (GError) error = NULL;
  const char *const *deletions;

  /* Deletions come from a new plan: the index is saved now, so every
   * stored message counts as durable. */
  g_clear_object (&self->plan);
  self->plan = mw_fetch_plan_new (self->messages, self->n_messages, self->index, &self->policy,
                                  g_get_real_time () / G_USEC_PER_SEC, &error);
  if (self->plan == NULL)
    {
      fail (self, g_steal_pointer (&owned), MW_FETCH_STOP_DELETE, g_steal_pointer (&error));
      return;
    }

  deletions = mw_fetch_plan_get_deletions (self->plan);
  if (deletions == NULL || deletions[0] == NULL)
    quit (self, g_steal_pointer (&owned));
  else if (self->by_headers)
    /* Header UIDs were made in this very session. */
    remap_and_delete (self, g_steal_pointer (&owned), self->uids, deletions);
  else
    mw_pop3_client_uidl_async (self->client, cancellable, fresh_uidl_cb,
                               g_steal_pointer (&owned));
}

/* Downloads, one after the other, each durable before the next. */

static void
stored (MwFetcher  *self,
        GTask      *task,
        guint       number,
        const char *uid,
        const char *file)
{
  self->n_downloaded++;
  g_signal_emit (self, signals[SIGNAL_MESSAGE_STORED], 0, number, uid, file);
  self->next++;
  download_next (self, task);
}

static guint
current_download (MwFetcher *self)
{
  size_t n = 0;

  return mw_fetch_plan_get_downloads (self->plan, &n)[self->next];
}

static void
index_saved_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwFetcher *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autofree char *file = g_object_steal_data (G_OBJECT (task), "file");
  guint            number = current_download (self);

  if (!mw_uid_index_save_finish (self->index, result, &error))
    {
      self->failed_number = number;
      fail (self, g_steal_pointer (&task), MW_FETCH_STOP_DOWNLOAD, g_steal_pointer (&error));
      return;
    }
  stored (self, g_steal_pointer (&task), number, message_of (self, number)->uid, file);
}

static void
commit_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GCancellable *cancellable = g_task_get_cancellable (task);
  MwFetcher    *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autofree char *file = NULL;
  guint            number = current_download (self);
  const char      *uid = message_of (self, number)->uid;

  file = mw_maildir_delivery_commit_finish (MW_MAILDIR_DELIVERY (object), result, &error);
  g_clear_object (&self->delivery);
  if (file == NULL ||
      (uid != NULL && !mw_uid_index_add (self->index, uid, file, g_get_real_time () / G_USEC_PER_SEC, &error)))
    {
      self->failed_number = number;
      fail (self, g_steal_pointer (&task), MW_FETCH_STOP_DOWNLOAD, g_steal_pointer (&error));
      return;
    }
  if (uid == NULL)
    {
      stored (self, g_steal_pointer (&task), number, NULL, file);
      return;
    }
  g_object_set_data_full (G_OBJECT (task), "file", g_steal_pointer (&file), g_free);
  mw_uid_index_save_async (self->index, cancellable, index_saved_cb,
                           g_steal_pointer (&task));
}

static void
retr_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GCancellable *cancellable = g_task_get_cancellable (task);
  MwFetcher    *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;

  if (!mw_pop3_client_retr_finish (self->client, result, NULL, &error))
    {
      self->failed_number = current_download (self);
      fail (self, g_steal_pointer (&task), MW_FETCH_STOP_DOWNLOAD, g_steal_pointer (&error));
      return;
    }
  mw_maildir_delivery_commit_async (self->delivery, cancellable, commit_cb,
                                    g_steal_pointer (&task));
}

static void
download_next (MwFetcher *self,
               GTask     *task)
{
  g_autoptr (GTask) owned = task;
  GCancellable *cancellable = g_task_get_cancellable (owned);
  g_autoptr (GError) error = NULL;
  const guint *downloads;
  size_t       n_downloads = 0;

  downloads = mw_fetch_plan_get_downloads (self->plan, &n_downloads);
  if (self->next == n_downloads)
    {
      start_deletions (self, g_steal_pointer (&owned));
      return;
    }

  self->delivery = mw_maildir_begin_delivery (self->maildir, &error);
  if (self->delivery == NULL)
    {
      self->failed_number = downloads[self->next];
      fail (self, g_steal_pointer (&owned), MW_FETCH_STOP_DOWNLOAD, g_steal_pointer (&error));
      return;
    }
  mw_maildir_delivery_set_uid (self->delivery, message_of (self, downloads[self->next])->uid);
  mw_pop3_client_retr_async (self->client, downloads[self->next],
                             mw_maildir_delivery_get_output_stream (self->delivery),
                             cancellable, retr_cb, g_steal_pointer (&owned));
}

/* The plan. */

static void
plan_and_download (MwFetcher *self,
                   GTask     *task)
{
  g_autoptr (GTask) owned = task;
  g_autoptr (GError) error = NULL;
  const MwFetchSkip *skipped;
  MwFetchWarnings    warnings;
  size_t             n_skipped = 0;
  size_t             n_downloads = 0;

  self->messages = join_listing (self->list, self->uids, &self->n_messages);
  self->plan = mw_fetch_plan_new (self->messages, self->n_messages, self->index, &self->policy,
                                  g_get_real_time () / G_USEC_PER_SEC, &error);
  if (self->plan == NULL)
    {
      fail (self, g_steal_pointer (&owned), MW_FETCH_STOP_LISTING, g_steal_pointer (&error));
      return;
    }

  warnings = mw_fetch_plan_get_warnings (self->plan);
  if (warnings & MW_FETCH_WARNING_NO_UIDL)
    warn (self, "%s", _ ("The server gives no unique IDs: everything is downloaded and nothing is deleted."));
  if (warnings & MW_FETCH_WARNING_DUPLICATE_UIDS)
    warn (self, "%s", _ ("Several messages share a unique ID: none of them is deleted."));

  skipped = mw_fetch_plan_get_skipped (self->plan, &n_skipped);
  for (size_t i = 0; i < n_skipped; i++)
    g_signal_emit (self, signals[SIGNAL_SKIPPED], 0, skipped[i].number, (int) skipped[i].reason);

  mw_fetch_plan_get_downloads (self->plan, &n_downloads);
  g_signal_emit (self, signals[SIGNAL_PLANNED], 0, (guint) n_downloads);
  self->next = 0;
  download_next (self, g_steal_pointer (&owned));
}

/* Without UIDL: each message recognised by its headers (TOP n 0). */

static gpointer
realloc_bounded (gpointer data,
                 gsize    size)
{
  if (size > HEADER_UID_MAX)
    return NULL;
  return g_realloc (data, size);
}

static void header_next (MwFetcher *self,
                         GTask     *task);

/* A message that cannot be recognised: download everything, delete
 * nothing. */
static void
give_up_headers (MwFetcher *self,
                 GTask     *task)
{
  g_clear_pointer (&self->uids, g_array_unref);
  plan_and_download (self, task);
}

static void
header_top_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwFetcher *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GOutputStream) sink = g_steal_pointer (&self->header_sink);
  MwPop3UidEntry entry = { 0, NULL };

  entry.number = g_array_index (self->list, MwPop3ListEntry, self->next).number;
  if (!mw_pop3_client_top_finish (self->client, result, NULL, &error))
    {
      if (!mw_pop3_error_is_reply (error))
        {
          fail (self, g_steal_pointer (&task), MW_FETCH_STOP_LISTING, g_steal_pointer (&error));
          return;
        }
      warn (self, _ ("Message %u cannot be recognised by its headers: %s"), entry.number, error->message);
      give_up_headers (self, g_steal_pointer (&task));
      return;
    }

  entry.uid = mw_fetch_header_uid (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (sink)),
                                   g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (sink)));
  if (entry.uid == NULL)
    {
      warn (self, _ ("Message %u has none of the headers that identify a message."), entry.number);
      give_up_headers (self, g_steal_pointer (&task));
      return;
    }
  g_array_append_val (self->uids, entry);
  self->next++;
  header_next (self, g_steal_pointer (&task));
}

static void
header_next (MwFetcher *self,
             GTask     *task)
{
  g_autoptr (GTask) owned = task;
  GCancellable *cancellable = g_task_get_cancellable (owned);

  if (self->next == self->list->len)
    {
      self->by_headers = TRUE;
      if (self->list->len > 0)
        warn (self, "%s", _ ("The server gives no unique IDs (UIDL); messages are recognised by their headers."));
      plan_and_download (self, g_steal_pointer (&owned));
      return;
    }

  self->header_sink = g_memory_output_stream_new (NULL, 0, realloc_bounded, g_free);
  mw_pop3_client_top_async (self->client, g_array_index (self->list, MwPop3ListEntry, self->next).number, 0,
                            self->header_sink, cancellable, header_top_cb,
                            g_steal_pointer (&owned));
}

/* LIST and UIDL. */

static void
listed (MwFetcher *self,
        GTask     *task)
{
  if (self->uids != NULL && self->uids->len >= self->list->len)
    {
      plan_and_download (self, task);
      return;
    }

  /* No UIDL, or not for every message: recognise messages by their
   * headers instead, in this session and the next ones. */
  g_clear_pointer (&self->uids, g_array_unref);
  self->uids = g_array_sized_new (FALSE, TRUE, sizeof (MwPop3UidEntry), self->list->len);
  g_array_set_clear_func (self->uids, (GDestroyNotify) clear_uid_entry);
  self->next = 0;
  header_next (self, task);
}

static void
uidl_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwFetcher *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;

  self->uids = mw_pop3_client_uidl_finish (self->client, result, &error);
  if (self->uids == NULL && !mw_pop3_error_is_reply (error))
    {
      fail (self, g_steal_pointer (&task), MW_FETCH_STOP_LISTING, g_steal_pointer (&error));
      return;
    }
  listed (self, g_steal_pointer (&task));
}

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GCancellable *cancellable = g_task_get_cancellable (task);
  MwFetcher    *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;

  self->list = mw_pop3_client_list_finish (self->client, result, &error);
  if (self->list == NULL)
    {
      fail (self, g_steal_pointer (&task), MW_FETCH_STOP_LISTING, g_steal_pointer (&error));
      return;
    }
  if (mw_pop3_client_get_capabilities (self->client) & MW_POP3_CAPABILITY_UIDL ||
      !mw_pop3_client_get_capa_known (self->client))
    mw_pop3_client_uidl_async (self->client, cancellable, uidl_cb,
                               g_steal_pointer (&task));
  else
    listed (self, g_steal_pointer (&task));
}

void
mw_fetcher_run_async (MwFetcher          *self,
                      GCancellable       *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (MW_IS_FETCHER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_fetcher_run_async);

  if (self->running || self->list != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "%s",
                               _ ("This fetch has already run"));
      return;
    }
  if (mw_pop3_client_get_state (self->client) != MW_POP3_STATE_TRANSACTION)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "%s",
                               _ ("Not logged in to the server"));
      return;
    }

  self->running = TRUE;
  self->stop = MW_FETCH_STOP_LISTING;
  mw_pop3_client_list_async (self->client, cancellable, list_cb, g_steal_pointer (&task));
}

gboolean
mw_fetcher_run_finish (MwFetcher    *self,
                       GAsyncResult *result,
                       GError      **error)
{
  g_return_val_if_fail (MW_IS_FETCHER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

MwFetchStop
mw_fetcher_get_stop (MwFetcher *self)
{
  g_return_val_if_fail (MW_IS_FETCHER (self), MW_FETCH_STOP_LISTING);
  return self->stop;
}

guint
mw_fetcher_get_failed_number (MwFetcher *self)
{
  g_return_val_if_fail (MW_IS_FETCHER (self), 0);
  return self->failed_number;
}

guint
mw_fetcher_get_n_listed (MwFetcher *self)
{
  g_return_val_if_fail (MW_IS_FETCHER (self), 0);
  return self->list != NULL ? self->list->len : 0;
}

guint
mw_fetcher_get_n_downloaded (MwFetcher *self)
{
  g_return_val_if_fail (MW_IS_FETCHER (self), 0);
  return self->n_downloaded;
}

guint
mw_fetcher_get_n_to_download (MwFetcher *self)
{
  size_t n = 0;

  g_return_val_if_fail (MW_IS_FETCHER (self), 0);
  if (self->plan != NULL)
    mw_fetch_plan_get_downloads (self->plan, &n);
  return MAX ((guint) n, self->n_downloaded);
}

guint
mw_fetcher_get_n_marked (MwFetcher *self)
{
  g_return_val_if_fail (MW_IS_FETCHER (self), 0);
  return self->marked->len;
}

GArray *
mw_fetcher_get_deleted (MwFetcher *self)
{
  g_return_val_if_fail (MW_IS_FETCHER (self), NULL);
  return self->deleted;
}

gboolean
mw_fetcher_get_by_headers (MwFetcher *self)
{
  g_return_val_if_fail (MW_IS_FETCHER (self), FALSE);
  return self->by_headers;
}

/* Recovery of messages stored before an interruption. */

static void
recover_saved_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!mw_uid_index_save_finish (MW_UID_INDEX (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_int (task, GPOINTER_TO_INT (g_task_get_task_data (task)));
}

static void
recover_listed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GCancellable *cancellable = g_task_get_cancellable (task);
  MwUidIndex   *index = g_object_get_data (G_OBJECT (task), "index");
  g_autoptr (GPtrArray) entries = NULL;
  GError *error = NULL;
  int     recovered = 0;

  entries = mw_maildir_list_finish (MW_MAILDIR (object), result, &error);
  if (entries == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  for (guint i = 0; i < entries->len; i++)
    {
      const MwMaildirEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char      *uid = mw_maildir_name_dup_uid (entry->name);

      if (uid == NULL || !mw_uid_is_valid (uid, NULL) || mw_uid_index_contains (index, uid))
        continue;
      if (!mw_uid_index_add (index, uid, entry->name, entry->mtime, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      recovered++;
    }

  if (recovered == 0)
    {
      g_task_return_int (task, 0);
      return;
    }
  g_task_set_task_data (task, GINT_TO_POINTER (recovered), NULL);
  mw_uid_index_save_async (index, cancellable, recover_saved_cb,
                           g_steal_pointer (&task));
}

void
mw_fetcher_recover_async (MwMaildir          *maildir,
                          MwUidIndex         *index,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (MW_IS_MAILDIR (maildir));
  g_return_if_fail (MW_IS_UID_INDEX (index));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_fetcher_recover_async);
  g_object_set_data_full (G_OBJECT (task), "index", g_object_ref (index), g_object_unref);
  mw_maildir_list_async (maildir, cancellable, recover_listed_cb, g_steal_pointer (&task));
}

int
mw_fetcher_recover_finish (GAsyncResult *result,
                           GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mw_fetcher_recover_async, -1);

  return (int) g_task_propagate_int (G_TASK (result), error);
}
