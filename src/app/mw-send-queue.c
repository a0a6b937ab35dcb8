/* mw-send-queue.c: every account's outbox, for the whole application
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-send-queue.h"
#include "mw-size-limit.h"
#include "mw-smtp-client.h"

#include <string.h>

/* One account: its outbox and how it reaches its server. Shared by the
 * queue and the outbox's client function. */
typedef struct
{
  MwSendQueue *queue; /* borrowed; NULL once the account is dropped */
  MwOutbox    *outbox;
  char        *account_id;
  char        *host;
  guint16      port;
  MwSecurity   security;
  char        *user;
  char        *password;
  gboolean     allow_plaintext;
  char        *fingerprint;
  guint64      size_limit;
  gboolean     persistent; /* a stored account: its SIZE goes to disk */
} Account;

struct _MwSendQueue
{
  GObject parent_instance;

  GHashTable      *accounts; /* id → Account */
  MwTranscript    *transcript;
  GNetworkMonitor *monitor;
  GCancellable    *cancellable;
};

G_DEFINE_FINAL_TYPE (MwSendQueue, mw_send_queue, G_TYPE_OBJECT)

enum
{
  SIGNAL_SIZE_LIMIT_CHANGED,
  SIGNAL_SEND_PROGRESS,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static void
clear_password (Account *account)
{
  if (account->password != NULL)
    explicit_bzero (account->password, strlen (account->password));
  g_clear_pointer (&account->password, g_free);
}

static void
account_free (Account *account)
{
  g_clear_object (&account->outbox);
  g_free (account->account_id);
  g_free (account->host);
  g_free (account->user);
  clear_password (account);
  g_free (account->fingerprint);
}

static Account *
account_ref (Account *account)
{
  return g_rc_box_acquire (account);
}

static void
account_unref (Account *account)
{
  g_rc_box_release_full (account, (GDestroyNotify) account_free);
}

static void
size_saved_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (!mw_size_limit_save_finish (result, &error))
    g_debug ("Could not keep the server's SIZE: %s", error->message);
}

static void
set_size_limit (Account *account,
                guint64  size)
{
  if (account->size_limit == size)
    return;
  account->size_limit = size;
  if (account->persistent)
    mw_size_limit_save_async (account->account_id, size, NULL, size_saved_cb, NULL);
  if (account->queue != NULL)
    g_signal_emit (account->queue, signals[SIGNAL_SIZE_LIMIT_CHANGED], 0, account->account_id);
}

static void
closure_unref_account (gpointer  data,
                       GClosure *closure)
{
  account_unref (data);
}

/* The first progress of a message comes after EHLO: its SIZE is known. */
static void
send_progress_cb (MwSmtpClient *client,
                  guint64       bytes,
                  Account      *account)
{
  const MwSmtpCapabilities *caps = mw_smtp_client_get_capabilities (client);

  if (caps != NULL)
    set_size_limit (account, (caps->flags & MW_SMTP_CAP_SIZE) ? caps->size : 0);
  if (account->queue != NULL)
    g_signal_emit (account->queue, signals[SIGNAL_SEND_PROGRESS], 0, account->account_id, bytes);
}

static MwSmtpClient *
create_client (gpointer user_data)
{
  Account      *account = user_data;
  MwSmtpClient *client;

  if (account->host == NULL || account->port == 0)
    return NULL;

  client = mw_smtp_client_new (account->host, account->port, account->security,
                               account->queue != NULL ? account->queue->transcript : NULL);
  if (account->user != NULL && *account->user != '\0')
    mw_smtp_client_set_user (client, account->user);
  if (account->password != NULL)
    mw_smtp_client_set_password (client, account->password);
  mw_smtp_client_set_allow_plaintext (client, account->allow_plaintext);
  if (account->fingerprint != NULL && *account->fingerprint != '\0')
    mw_smtp_client_set_pinned_fingerprint (client, account->fingerprint);
  g_signal_connect_data (client, "send-progress", G_CALLBACK (send_progress_cb),
                         account_ref (account), closure_unref_account, 0);
  return client;
}

static void
drop_account (gpointer data)
{
  Account *account = data;

  account->queue = NULL;
  mw_outbox_set_network_monitor (account->outbox, NULL);
  /* Releases the outbox's reference to the account. */
  mw_outbox_set_client_func (account->outbox, NULL, NULL, NULL);
  account_unref (account);
}

static void
mw_send_queue_dispose (GObject *object)
{
  MwSendQueue *self = MW_SEND_QUEUE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_pointer (&self->accounts, g_hash_table_unref);
  g_clear_object (&self->transcript);
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (mw_send_queue_parent_class)->dispose (object);
}

static void
mw_send_queue_finalize (GObject *object)
{
  MwSendQueue *self = MW_SEND_QUEUE (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (mw_send_queue_parent_class)->finalize (object);
}

static void
mw_send_queue_class_init (MwSendQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mw_send_queue_dispose;
  object_class->finalize = mw_send_queue_finalize;

  /* The SIZE limit of the account (its id) changed. */
  signals[SIGNAL_SIZE_LIMIT_CHANGED] =
    g_signal_new ("size-limit-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* Bytes of the current message of the account (its id) sent so far. */
  signals[SIGNAL_SEND_PROGRESS] =
    g_signal_new ("send-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_UINT64);
}

static void
mw_send_queue_init (MwSendQueue *self)
{
  self->accounts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, drop_account);
  self->cancellable = g_cancellable_new ();
  self->monitor = g_object_ref (g_network_monitor_get_default ());
}

MwSendQueue *
mw_send_queue_new (void)
{
  return g_object_new (MW_TYPE_SEND_QUEUE, NULL);
}

void
mw_send_queue_set_transcript (MwSendQueue  *self,
                              MwTranscript *transcript)
{
  g_return_if_fail (MW_IS_SEND_QUEUE (self));
  g_return_if_fail (transcript == NULL || MW_IS_TRANSCRIPT (transcript));

  g_set_object (&self->transcript, transcript);
}

void
mw_send_queue_set_network_monitor (MwSendQueue     *self,
                                   GNetworkMonitor *monitor)
{
  GHashTableIter iter;
  Account       *account;

  g_return_if_fail (MW_IS_SEND_QUEUE (self));
  g_return_if_fail (monitor == NULL || G_IS_NETWORK_MONITOR (monitor));

  g_set_object (&self->monitor, monitor);
  g_hash_table_iter_init (&iter, self->accounts);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &account))
    mw_outbox_set_network_monitor (account->outbox, monitor);
}

static void
flush_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (!mw_outbox_flush_finish (MW_OUTBOX (object), result, &error))
    g_debug ("Outbox of %s: %s", mw_outbox_get_account_id (MW_OUTBOX (object)), error->message);
}

/* Messages queued before (a composer closed while saving, a previous run)
 * go out once both the outbox and the server are known. */
static void
flush_if_ready (Account *account)
{
  if (account->queue == NULL || account->host == NULL ||
      !g_object_get_data (G_OBJECT (account->outbox), "mw-loaded") ||
      mw_outbox_get_busy (account->outbox))
    return;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (account->outbox)); i++)
    {
      g_autoptr (MwOutboxItem) item = g_list_model_get_item (G_LIST_MODEL (account->outbox), i);

      if (mw_outbox_item_get_state (item) == MW_OUTBOX_STATE_QUEUED)
        {
          mw_outbox_flush_async (account->outbox, NULL, flush_cb, NULL);
          return;
        }
    }
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GError) error = NULL;
  Account *account = user_data;

  if (!mw_outbox_load_finish (MW_OUTBOX (object), result, &error))
    g_debug ("Could not load the outbox of %s: %s", account->account_id, error->message);
  else
    g_object_set_data (object, "mw-loaded", GINT_TO_POINTER (TRUE));
  flush_if_ready (account);
  account_unref (account);
}

static void
size_loaded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GError) error = NULL;
  Account *account = user_data;
  guint64  size = mw_size_limit_load_finish (result, &error);

  /* A limit seen in this run already is newer. */
  if (error == NULL && account->size_limit == 0 && size > 0)
    {
      account->size_limit = size;
      if (account->queue != NULL)
        g_signal_emit (account->queue, signals[SIGNAL_SIZE_LIMIT_CHANGED], 0, account->account_id);
    }
  account_unref (account);
}

static Account *
add_outbox (MwSendQueue *self,
            MwOutbox    *outbox,
            gboolean     persistent)
{
  Account *account = g_rc_box_new0 (Account);

  account->queue = self;
  account->outbox = g_object_ref (outbox);
  account->account_id = g_strdup (mw_outbox_get_account_id (outbox));
  account->persistent = persistent;
  mw_outbox_set_client_func (outbox, create_client, account_ref (account),
                             (GDestroyNotify) account_unref);
  mw_outbox_set_network_monitor (outbox, self->monitor);
  g_hash_table_replace (self->accounts, g_strdup (account->account_id), account);

  mw_outbox_load_async (outbox, self->cancellable, load_cb, account_ref (account));
  if (persistent)
    mw_size_limit_load_async (account->account_id, self->cancellable, size_loaded_cb,
                              account_ref (account));
  return account;
}

void
mw_send_queue_add (MwSendQueue *self,
                   MwOutbox    *outbox)
{
  g_return_if_fail (MW_IS_SEND_QUEUE (self));
  g_return_if_fail (MW_IS_OUTBOX (outbox));

  add_outbox (self, outbox, FALSE);
}

MwOutbox *
mw_send_queue_lookup (MwSendQueue *self,
                      const char  *account_id)
{
  Account *account;

  g_return_val_if_fail (MW_IS_SEND_QUEUE (self), NULL);

  account = account_id != NULL ? g_hash_table_lookup (self->accounts, account_id) : NULL;
  return account != NULL ? account->outbox : NULL;
}

void
mw_send_queue_set_server (MwSendQueue *self,
                          const char  *account_id,
                          const char  *host,
                          guint16      port,
                          MwSecurity   security,
                          const char  *user,
                          const char  *password,
                          gboolean     allow_plaintext,
                          const char  *fingerprint)
{
  Account *account;

  g_return_if_fail (MW_IS_SEND_QUEUE (self));
  g_return_if_fail (account_id != NULL);

  account = g_hash_table_lookup (self->accounts, account_id);
  g_return_if_fail (account != NULL);

  g_free (account->host);
  account->host = g_strdup (host);
  account->port = port;
  account->security = security;
  g_free (account->user);
  account->user = g_strdup (user);
  clear_password (account);
  account->password = g_strdup (password);
  account->allow_plaintext = allow_plaintext;
  g_free (account->fingerprint);
  account->fingerprint = g_strdup (fingerprint);
  flush_if_ready (account);
}

void
mw_send_queue_set_fingerprint (MwSendQueue *self,
                               const char  *account_id,
                               const char  *fingerprint)
{
  Account *account;

  g_return_if_fail (MW_IS_SEND_QUEUE (self));
  g_return_if_fail (account_id != NULL);

  account = g_hash_table_lookup (self->accounts, account_id);
  if (account == NULL)
    return;
  g_free (account->fingerprint);
  account->fingerprint = g_strdup (fingerprint);
}

/* Stored accounts. */

typedef struct
{
  MwSendQueue *self;
  MwAccount   *account;
  char        *pop3_password;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_clear_object (&lookup->self);
  g_clear_object (&lookup->account);
  if (lookup->pop3_password != NULL)
    mw_password_free (lookup->pop3_password);
  g_free (lookup);
}

static void
apply_account (Lookup     *lookup,
               const char *smtp_password)
{
  MwAccount  *account = lookup->account;
  const char *host = mw_account_get_smtp_host (account);
  const char *user = mw_account_get_smtp_user (account);

  if (mw_send_queue_lookup (lookup->self, mw_account_get_id (account)) == NULL)
    return;
  /* Without SMTP settings of its own, the account sends through its
   * POP3 host with the POP3 login. */
  mw_send_queue_set_server (lookup->self, mw_account_get_id (account),
                            host != NULL && *host != '\0' ? host : mw_account_get_pop3_host (account),
                            mw_account_get_smtp_port (account), mw_account_get_smtp_security (account),
                            user != NULL && *user != '\0' ? user : mw_account_get_pop3_user (account),
                            smtp_password != NULL ? smtp_password : lookup->pop3_password,
                            mw_account_get_allow_plaintext (account),
                            mw_account_get_smtp_fingerprint (account));
}

static void
smtp_password_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Lookup *lookup = user_data;
  char   *password = mw_account_store_lookup_password_finish (MW_ACCOUNT_STORE (object), result, NULL);

  apply_account (lookup, password);
  if (password != NULL)
    mw_password_free (password);
  lookup_free (lookup);
}

static void
pop3_password_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Lookup *lookup = user_data;

  lookup->pop3_password = mw_account_store_lookup_password_finish (MW_ACCOUNT_STORE (object), result, NULL);
  mw_account_store_lookup_password_async (MW_ACCOUNT_STORE (object), lookup->account,
                                          MW_PROTOCOL_SMTP, lookup->self->cancellable,
                                          smtp_password_cb, lookup);
}

void
mw_send_queue_set_accounts (MwSendQueue    *self,
                            MwAccountStore *accounts)
{
  GListModel    *model;
  GHashTableIter iter;
  const char    *id;

  g_return_if_fail (MW_IS_SEND_QUEUE (self));
  g_return_if_fail (MW_IS_ACCOUNT_STORE (accounts));

  model = G_LIST_MODEL (accounts);
  g_hash_table_iter_init (&iter, self->accounts);
  while (g_hash_table_iter_next (&iter, (gpointer *) &id, NULL))
    if (mw_account_store_lookup (accounts, id) == NULL)
      g_hash_table_iter_remove (&iter);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (MwAccount) account = g_list_model_get_item (model, i);
      Lookup *lookup;

      if (mw_send_queue_lookup (self, mw_account_get_id (account)) == NULL)
        {
          g_autoptr (MwOutbox) outbox = mw_outbox_new (mw_account_get_id (account));

          add_outbox (self, outbox, TRUE);
        }

      lookup = g_new0 (Lookup, 1);
      lookup->self = g_object_ref (self);
      lookup->account = g_object_ref (account);
      mw_account_store_lookup_password_async (accounts, account, MW_PROTOCOL_POP3,
                                              self->cancellable, pop3_password_cb, lookup);
    }
}

guint64
mw_send_queue_get_size_limit (MwSendQueue *self,
                              const char  *account_id)
{
  Account *account;

  g_return_val_if_fail (MW_IS_SEND_QUEUE (self), 0);

  account = account_id != NULL ? g_hash_table_lookup (self->accounts, account_id) : NULL;
  return account != NULL ? account->size_limit : 0;
}

gboolean
mw_send_queue_has_server (MwSendQueue *self,
                          const char  *account_id)
{
  Account *account;

  g_return_val_if_fail (MW_IS_SEND_QUEUE (self), FALSE);

  account = account_id != NULL ? g_hash_table_lookup (self->accounts, account_id) : NULL;
  return account != NULL && account->host != NULL && account->port != 0;
}

void
mw_send_queue_note_capabilities (MwSendQueue              *self,
                                 const char               *account_id,
                                 const MwSmtpCapabilities *caps)
{
  Account *account;

  g_return_if_fail (MW_IS_SEND_QUEUE (self));
  g_return_if_fail (account_id != NULL);

  account = g_hash_table_lookup (self->accounts, account_id);
  if (account == NULL || caps == NULL)
    return;
  set_size_limit (account, (caps->flags & MW_SMTP_CAP_SIZE) ? caps->size : 0);
}
