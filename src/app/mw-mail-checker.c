/* mw-mail-checker.c: background checks for new mail, with notifications
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-mail-checker.h"
#include "mw-message-summary.h"
#include "mw-pop3-client.h"
#include "mw-seen-uids.h"
#include "mw-uid-index.h"

#include <glib/gi18n.h>

struct _MwMailChecker
{
  GObject parent_instance;

  GApplication   *application; /* borrowed */
  MwAccountStore *accounts;
  GHashTable     *timers; /* account id → source id */
  GCancellable   *cancellable;
};

G_DEFINE_FINAL_TYPE (MwMailChecker, mw_mail_checker, G_TYPE_OBJECT)

static void
remove_timer (gpointer data)
{
  g_source_remove (GPOINTER_TO_UINT (data));
}

static void
mw_mail_checker_dispose (GObject *object)
{
  MwMailChecker *self = MW_MAIL_CHECKER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->timers != NULL)
    g_hash_table_remove_all (self->timers);
  g_clear_object (&self->accounts);

  G_OBJECT_CLASS (mw_mail_checker_parent_class)->dispose (object);
}

static void
mw_mail_checker_finalize (GObject *object)
{
  MwMailChecker *self = MW_MAIL_CHECKER (object);

  g_clear_pointer (&self->timers, g_hash_table_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (mw_mail_checker_parent_class)->finalize (object);
}

static void
mw_mail_checker_class_init (MwMailCheckerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mw_mail_checker_dispose;
  object_class->finalize = mw_mail_checker_finalize;
}

static void
mw_mail_checker_init (MwMailChecker *self)
{
  self->timers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, remove_timer);
  self->cancellable = g_cancellable_new ();
}

MwMailChecker *
mw_mail_checker_new (GApplication *application)
{
  MwMailChecker *self;

  g_return_val_if_fail (G_IS_APPLICATION (application), NULL);

  self = g_object_new (MW_TYPE_MAIL_CHECKER, NULL);
  self->application = application;
  return self;
}

char *
mw_mail_checker_describe (guint              n_new,
                          const char *const *senders)
{
  guint n_senders = senders != NULL ? g_strv_length ((char **) senders) : 0;

  if (n_senders == 0)
    return g_strdup_printf (ngettext ("%u new message", "%u new messages", n_new), n_new);
  if (n_senders == 1)
    /* Translators: "3 new messages from Alice". */
    return g_strdup_printf (ngettext ("%u new message from %s", "%u new messages from %s", n_new),
                            n_new, senders[0]);
  if (n_senders == 2)
    /* Translators: "3 new messages from Alice and Bob". */
    return g_strdup_printf (ngettext ("%u new message from %s and %s", "%u new messages from %s and %s", n_new),
                            n_new, senders[0], senders[1]);
  {
    guint            n_others = n_senders - 2;
    g_autofree char *others = g_strdup_printf (ngettext ("%u other", "%u others", n_others), n_others);

    /* Translators: "3 new messages from Alice, Bob and 1 other"; the last
     * %s is "1 other" or "2 others". */
    return g_strdup_printf (ngettext ("%u new message from %s, %s and %s", "%u new messages from %s, %s and %s", n_new),
                            n_new, senders[0], senders[1], others);
  }
}

/* One check. */

typedef struct
{
  MwAccount    *account;
  MwPop3Client *client;
  char         *password;
  GPtrArray    *summaries; /* MwMessageSummary */
  GHashTable   *seen;
  MwUidIndex   *index;
  guint         n_new;
} Check;

static void
check_free (Check *check)
{
  g_clear_object (&check->account);
  if (check->client != NULL)
    mw_pop3_client_close (check->client);
  g_clear_object (&check->client);
  if (check->password != NULL)
    mw_password_free (check->password);
  g_clear_pointer (&check->summaries, g_ptr_array_unref);
  g_clear_pointer (&check->seen, g_hash_table_unref);
  g_clear_object (&check->index);
  g_free (check);
}

static void
notify (MwMailChecker *self,
        Check         *check,
        GPtrArray     *fresh)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GHashTable) named = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GNotification) notification = NULL;
  g_auto (GStrv) senders = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;

  for (guint i = 0; i < fresh->len; i++)
    {
      MwMessageSummary *summary = g_ptr_array_index (fresh, i);
      const char       *from = mw_message_summary_get_from (summary);

      if (from == NULL || *from == '\0')
        from = mw_message_summary_get_from_address (summary);
      if (from == NULL || *from == '\0' || g_hash_table_contains (named, from))
        continue;
      g_hash_table_add (named, (gpointer) from);
      g_strv_builder_add (builder, from);
    }
  senders = g_strv_builder_end (builder);
  body = mw_mail_checker_describe (fresh->len, (const char *const *) senders);

  notification = g_notification_new (mw_account_get_display_name (check->account));
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.show-account", "s",
                                                mw_account_get_id (check->account));
  id = g_strdup_printf ("new-mail-%s", mw_account_get_id (check->account));
  g_application_send_notification (self->application, id, notification);
}

static void
seen_saved_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Check *check = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  /* Not recorded: the next check announces them again, nothing worse. */
  if (!mw_seen_uids_save_finish (result, &error))
    g_debug ("Could not record the messages seen: %s", error->message);
  g_task_return_int (task, check->n_new);
}

static void
compare (GTask *task)
{
  MwMailChecker *self = g_task_get_source_object (task);
  Check         *check = g_task_get_task_data (task);
  g_autoptr (GPtrArray) fresh = g_ptr_array_new ();
  g_autoptr (GStrvBuilder) all = g_strv_builder_new ();
  g_auto (GStrv) uids = NULL;

  for (guint i = 0; i < check->summaries->len; i++)
    {
      MwMessageSummary *summary = g_ptr_array_index (check->summaries, i);
      const char       *uid = mw_message_summary_get_uid (summary);

      /* Without a UID a message cannot be told from the last check's. */
      if (uid == NULL || *uid == '\0')
        continue;
      g_strv_builder_add (all, uid);
      if (!g_hash_table_contains (check->seen, uid) &&
          (check->index == NULL || !mw_uid_index_contains (check->index, uid)))
        g_ptr_array_add (fresh, summary);
    }
  check->n_new = fresh->len;
  if (fresh->len > 0)
    notify (self, check, fresh);

  uids = g_strv_builder_end (all);
  mw_seen_uids_save_async (mw_account_get_id (check->account), (const char *const *) uids,
                           NULL, seen_saved_cb, g_steal_pointer (&task));
}

static void
index_loaded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Check *check = g_task_get_task_data (task);

  /* Without a readable index, only the seen record counts. */
  if (!mw_uid_index_load_finish (MW_UID_INDEX (object), result, NULL))
    g_clear_object (&check->index);
  compare (g_steal_pointer (&task));
}

static void
seen_loaded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Check  *check = g_task_get_task_data (task);
  GError *error = NULL;

  check->seen = mw_seen_uids_load_finish (result, &error);
  if (check->seen == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  GCancellable *cancellable = g_task_get_cancellable (task);

  check->index = mw_uid_index_new_for_account (mw_account_get_id (check->account));
  mw_uid_index_load_async (check->index, cancellable, index_loaded_cb, g_steal_pointer (&task));
}

static void
quit_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Check *check = g_task_get_task_data (task);

  GCancellable *cancellable = g_task_get_cancellable (task);

  mw_pop3_client_quit_finish (MW_POP3_CLIENT (object), result, NULL, NULL);
  mw_seen_uids_load_async (mw_account_get_id (check->account), cancellable,
                           seen_loaded_cb, g_steal_pointer (&task));
}

static void
previews_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Check  *check = g_task_get_task_data (task);
  GError *error = NULL;

  GCancellable *cancellable = g_task_get_cancellable (task);

  check->summaries = mw_pop3_client_previews_finish (MW_POP3_CLIENT (object), result, &error);
  if (check->summaries == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* The session ends before anything else: the maildrop stays locked for
   * as short a time as possible. */
  mw_pop3_client_quit_async (check->client, cancellable, quit_cb, g_steal_pointer (&task));
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError       *error = NULL;

  if (!mw_pop3_client_connect_finish (MW_POP3_CLIENT (object), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  mw_pop3_client_previews_async (MW_POP3_CLIENT (object), cancellable, previews_cb,
                                 g_steal_pointer (&task));
}

static void
password_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Check        *check = g_task_get_task_data (task);
  MwAccount    *account = check->account;
  GError       *error = NULL;
  const char   *fingerprint = mw_account_get_pop3_fingerprint (account);
  GCancellable *cancellable = g_task_get_cancellable (task);

  check->password = mw_account_store_lookup_password_finish (MW_ACCOUNT_STORE (object), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  check->client = mw_pop3_client_new (mw_account_get_pop3_host (account),
                                      mw_account_get_pop3_port (account),
                                      mw_account_get_pop3_security (account), NULL);
  mw_pop3_client_set_user (check->client, mw_account_get_pop3_user (account));
  if (check->password != NULL)
    mw_pop3_client_set_password (check->client, check->password);
  mw_pop3_client_set_allow_plaintext (check->client, mw_account_get_allow_plaintext (account));
  if (fingerprint != NULL && *fingerprint != '\0')
    mw_pop3_client_set_pinned_fingerprint (check->client, fingerprint);
  mw_pop3_client_connect_async (check->client, cancellable, connect_cb, g_steal_pointer (&task));
}

void
mw_mail_checker_check_async (MwMailChecker      *self,
                             const char         *account_id,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  MwAccount *account;
  Check     *check;

  g_return_if_fail (MW_IS_MAIL_CHECKER (self));
  g_return_if_fail (account_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_mail_checker_check_async);

  account = self->accounts != NULL ? mw_account_store_lookup (self->accounts, account_id) : NULL;
  if (account == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _ ("There is no account “%s”"), account_id);
      return;
    }
  check = g_new0 (Check, 1);
  check->account = g_object_ref (account);
  g_task_set_task_data (task, check, (GDestroyNotify) check_free);
  mw_account_store_lookup_password_async (self->accounts, account, MW_PROTOCOL_POP3, cancellable,
                                          password_cb, g_steal_pointer (&task));
}

guint
mw_mail_checker_check_finish (MwMailChecker *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  gssize n;

  g_return_val_if_fail (MW_IS_MAIL_CHECKER (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  n = g_task_propagate_int (G_TASK (result), error);
  return n > 0 ? (guint) n : 0;
}

/* Timers. */

static void
timed_check_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  mw_mail_checker_check_finish (MW_MAIL_CHECKER (object), result, &error);
  if (error != NULL)
    g_debug ("Background check: %s", error->message);
}

static gboolean
timer_cb (gpointer user_data)
{
  GSource       *source = g_main_current_source ();
  MwMailChecker *self = user_data;
  const char    *id = g_source_get_name (source);

  mw_mail_checker_check_async (self, id, self->cancellable, timed_check_cb, NULL);
  return G_SOURCE_CONTINUE;
}

void
mw_mail_checker_set_accounts (MwMailChecker  *self,
                              MwAccountStore *accounts)
{
  GListModel *model;

  g_return_if_fail (MW_IS_MAIL_CHECKER (self));
  g_return_if_fail (MW_IS_ACCOUNT_STORE (accounts));

  g_set_object (&self->accounts, accounts);
  g_hash_table_remove_all (self->timers);
  model = G_LIST_MODEL (accounts);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (MwAccount) account = g_list_model_get_item (model, i);
      guint minutes = mw_account_get_check_interval (account);
      guint source;

      if (minutes == 0)
        continue;
      source = g_timeout_add_seconds (minutes * 60, timer_cb, self);
      g_source_set_name_by_id (source, mw_account_get_id (account));
      g_hash_table_replace (self->timers, g_strdup (mw_account_get_id (account)),
                            GUINT_TO_POINTER (source));
    }
}
