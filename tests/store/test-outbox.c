/* test-outbox.c: the outbox against the embedded server and a fake one
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mw-fake-server.h"
#include "mw-mail-server.h"
#include "mw-maildir.h"
#include "mw-outbox-private.h"
#include "mw-outbox.h"
#include "mw-store-error.h"
#include "mw-store-test-util.h"

#define ACCOUNT    "acct1"
#define FROM       "alice@example.org"
#define START_TIME (G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC)
#define WAIT_MS    30000

typedef struct
{
  char         *server_dir;
  MwMailServer *server;
  MwFakeServer *fake;
  MwTranscript *transcript;
  MwOutbox     *outbox;
  char         *outbox_path;
  char         *sent_path;
  gint64        clock;
  guint         n_clients;
} Fixture;

static gint64
clock_cb (gpointer user_data)
{
  Fixture *f = user_data;

  return f->clock;
}

static MwSmtpClient *
client_cb (gpointer user_data)
{
  Fixture      *f = user_data;
  guint16       port;
  MwSmtpClient *client;

  f->n_clients++;
  port = f->fake != NULL ? mw_fake_server_get_port (f->fake) : mw_mail_server_get_smtp_port (f->server);
  client = mw_smtp_client_new ("127.0.0.1", port, MW_SECURITY_NONE, f->transcript);
  mw_smtp_client_set_timeout (client, 20);
  mw_smtp_client_set_final_reply_timeout (client, 20);
  return client;
}

static MwOutbox *
new_outbox (Fixture *f)
{
  MwOutbox *outbox = mw_outbox_new (ACCOUNT);

  mw_outbox_set_clock_func (outbox, clock_cb, f);
  mw_outbox_set_client_func (outbox, client_cb, f, NULL);
  return outbox;
}

static void
load (Fixture *f)
{
  g_autoptr (GAsyncResult) pending = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  mw_outbox_load_async (f->outbox, NULL, mw_test_result_cb, &pending);
  mw_outbox_load_finish (f->outbox, (result = mw_test_wait (&pending)), &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwMaildir) outbox_dir = mw_maildir_new_for_account (ACCOUNT, MW_MAILDIR_FOLDER_OUTBOX);
  g_autoptr (MwMaildir) sent_dir = mw_maildir_new_for_account (ACCOUNT, MW_MAILDIR_FOLDER_SENT);

  f->clock = START_TIME;
  f->server_dir = g_build_filename (g_get_user_data_dir (), "server", NULL);
  f->server = mw_mail_server_new (f->server_dir);
  mw_mail_server_start (f->server, &error);
  g_assert_no_error (error);
  f->transcript = mw_transcript_new (0);
  f->outbox_path = g_strdup (mw_maildir_get_path (outbox_dir));
  f->sent_path = g_strdup (mw_maildir_get_path (sent_dir));
  f->outbox = new_outbox (f);
  load (f);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  mw_test_finalize_object (f->outbox);
  g_clear_object (&f->transcript);
  mw_mail_server_stop (f->server);
  g_assert_finalize_object (f->server);
  g_clear_pointer (&f->fake, mw_fake_server_free);
  g_free (f->server_dir);
  g_free (f->outbox_path);
  g_free (f->sent_path);
}

static GBytes *
make_message (const char *subject)
{
  g_autofree char *text = g_strdup_printf ("From: Alice <" FROM ">\r\n"
                                           "To: bob@example.org\r\n"
                                           "Subject: %s\r\n"
                                           "Message-ID: <%s@example.org>\r\n"
                                           "\r\n"
                                           "Hello.\r\n",
                                           subject, subject);

  return g_bytes_new (text, strlen (text));
}

static char *
enqueue (Fixture           *f,
         const char        *subject,
         const char *const *recipients)
{
  g_autoptr (GAsyncResult) pending = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) message = make_message (subject);
  char *id;

  mw_outbox_enqueue_async (f->outbox, message, FROM, recipients, NULL, mw_test_result_cb, &pending);
  id = mw_outbox_enqueue_finish (f->outbox, (result = mw_test_wait (&pending)), &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);
  return id;
}

static gboolean
flush (Fixture *f,
       GError **error)
{
  g_autoptr (GAsyncResult) pending = NULL;
  g_autoptr (GAsyncResult) result = NULL;

  mw_outbox_flush_async (f->outbox, NULL, mw_test_result_cb, &pending);
  return mw_outbox_flush_finish (f->outbox, (result = mw_test_wait (&pending)), error);
}

static void
flush_ok (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  flush (f, &error);
  g_assert_no_error (error);
}

static guint
count (const char *maildir,
       const char *subdir)
{
  g_autofree char *path = g_build_filename (maildir, subdir, NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    return 0;
  return mw_test_count_files (path);
}

static char *
server_message (Fixture *f)
{
  g_autofree char *dir = g_build_filename (f->server_dir, "new", NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char      *name;
  g_autofree char *path = NULL;
  char            *contents = NULL;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (name[0] != '.')
      break;
  g_assert_nonnull (name);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

static MwSmtpRecipient *
result_for (MwOutboxItem *item,
            const char   *address)
{
  GPtrArray *results = mw_outbox_item_get_recipient_results (item);

  g_assert_nonnull (results);
  for (guint i = 0; i < results->len; i++)
    {
      MwSmtpRecipient *r = g_ptr_array_index (results, i);

      if (g_strcmp0 (r->address, address) == 0)
        return r;
    }
  g_assert_not_reached ();
  return NULL;
}

static void
test_enqueue_before_network (Fixture      *f,
                             gconstpointer data)
{
  const char *const recipients[] = { "bob@example.org", NULL };
  g_autofree char  *id = enqueue (f, "first", recipients);
  MwOutboxItem     *item = mw_outbox_lookup (f->outbox, id);
  g_autofree char  *envelope = g_strconcat (id, ".envelope", NULL);
  g_autofree char  *envelope_path = g_build_filename (f->outbox_path, "envelopes", envelope, NULL);

  g_assert_nonnull (item);
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->outbox)), ==, 1);
  g_assert_cmpuint (count (f->outbox_path, "new"), ==, 1);
  g_assert_true (g_file_test (envelope_path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (f->n_clients, ==, 0);
  g_assert_cmpuint (count (f->server_dir, "new"), ==, 0);

  /* A reload finds it queued. */
  mw_test_finalize_object (f->outbox);
  f->outbox = new_outbox (f);
  load (f);
  item = mw_outbox_lookup (f->outbox, id);
  g_assert_nonnull (item);
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_QUEUED);
  g_assert_cmpstrv (mw_outbox_item_get_recipients (item), recipients);
  g_assert_cmpuint (f->n_clients, ==, 0);
}

/* A message that needs BODY=8BITMIME keeps saying so, across a reload,
 * when it goes out. */
static void
test_send_flags (Fixture      *f,
                 gconstpointer data)
{
  const char *const recipients[] = { "bob@example.org", NULL };
  g_autoptr (GAsyncResult) pending = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) message = make_message ("eight bits");
  g_autofree char *id = NULL;
  gboolean         seen = FALSE;

  mw_outbox_enqueue_full_async (f->outbox, message, FROM, recipients, MW_SMTP_SEND_8BITMIME,
                                NULL, mw_test_result_cb, &pending);
  id = mw_outbox_enqueue_finish (f->outbox, (result = mw_test_wait (&pending)), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  mw_test_finalize_object (f->outbox);
  f->outbox = new_outbox (f);
  load (f);
  flush_ok (f);
  g_assert_cmpint (mw_outbox_item_get_state (mw_outbox_lookup (f->outbox, id)), ==, MW_OUTBOX_STATE_SENT);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (f->transcript)); i++)
    {
      g_autoptr (MwTranscriptEntry) entry = g_list_model_get_item (G_LIST_MODEL (f->transcript), i);
      const char *text = mw_transcript_entry_get_text (entry);

      if (g_str_has_prefix (text, "MAIL FROM:") && strstr (text, " BODY=8BITMIME") != NULL)
        seen = TRUE;
    }
  g_assert_true (seen);
}

static void
test_success_bcc (Fixture      *f,
                  gconstpointer data)
{
  /* carol is a Bcc recipient: on the envelope only. */
  const char *const recipients[] = { "bob@example.org", "carol@example.net", NULL };
  g_autofree char  *id = enqueue (f, "bcc", recipients);
  MwOutboxItem     *item = mw_outbox_lookup (f->outbox, id);
  g_autofree char  *received = NULL;

  flush_ok (f);
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_SENT);
  g_assert_false (mw_outbox_item_get_needs_attention (item));
  g_assert_cmpuint (count (f->outbox_path, "new"), ==, 0);
  g_assert_cmpuint (count (f->outbox_path, "envelopes"), ==, 0);
  g_assert_cmpuint (count (f->sent_path, "new"), ==, 1);
  g_assert_cmpuint (count (f->server_dir, "new"), ==, 1);

  received = server_message (f);
  g_assert_nonnull (strstr (received, "Subject: bcc\r\n"));
  g_assert_null (strstr (received, "carol"));
  g_assert_null (g_strstr_len (received, -1, "\nBcc:"));
  g_assert_true (result_for (item, "carol@example.net")->accepted);
  g_assert_true (result_for (item, "bob@example.org")->accepted);

  /* Flushing again sends nothing. */
  flush_ok (f);
  g_assert_cmpuint (count (f->server_dir, "new"), ==, 1);

  /* Nothing is left to reload. */
  mw_test_finalize_object (f->outbox);
  f->outbox = new_outbox (f);
  load (f);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->outbox)), ==, 0);
}

static void
test_retry_backoff (Fixture      *f,
                    gconstpointer data)
{
  const char *const recipients[] = { "bob@example.org", NULL };
  g_autofree char  *id = NULL;
  MwOutboxItem     *item;
  gint64            first_delay, second_delay;

  mw_mail_server_set_refused_recipient (f->server, "bob@example.org", "450 4.2.1 try later");
  id = enqueue (f, "retry", recipients);
  item = mw_outbox_lookup (f->outbox, id);

  flush_ok (f);
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_RETRY_WAIT);
  g_assert_cmpuint (mw_outbox_item_get_attempts (item), ==, 1);
  g_assert_cmpint (mw_outbox_item_get_reply_code (item), ==, 450);
  g_assert_nonnull (strstr (mw_outbox_item_get_reply (item), "try later"));
  first_delay = mw_outbox_item_get_next_attempt (item) - f->clock;
  g_assert_cmpint (first_delay, >, 50 * G_USEC_PER_SEC);
  g_assert_cmpint (first_delay, <=, 60 * G_USEC_PER_SEC);
  g_assert_cmpuint (count (f->outbox_path, "new"), ==, 1);

  /* Not due yet: nothing is tried. */
  flush_ok (f);
  g_assert_cmpuint (mw_outbox_item_get_attempts (item), ==, 1);
  g_assert_cmpuint (f->n_clients, ==, 1);

  f->clock = mw_outbox_item_get_next_attempt (item);
  flush_ok (f);
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_RETRY_WAIT);
  g_assert_cmpuint (mw_outbox_item_get_attempts (item), ==, 2);
  second_delay = mw_outbox_item_get_next_attempt (item) - f->clock;
  g_assert_cmpint (second_delay, >, first_delay);
  g_assert_cmpint (second_delay, <=, 120 * G_USEC_PER_SEC);

  /* The state survives a reload. */
  mw_test_finalize_object (f->outbox);
  f->outbox = new_outbox (f);
  load (f);
  item = mw_outbox_lookup (f->outbox, id);
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_RETRY_WAIT);
  g_assert_cmpuint (mw_outbox_item_get_attempts (item), ==, 2);

  mw_mail_server_set_refused_recipient (f->server, "bob@example.org", NULL);
  f->clock = mw_outbox_item_get_next_attempt (item) + 1;
  flush_ok (f);
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_SENT);
  g_assert_cmpuint (count (f->server_dir, "new"), ==, 1);
  g_assert_cmpuint (count (f->sent_path, "new"), ==, 1);
  g_assert_cmpuint (count (f->outbox_path, "new"), ==, 0);
}

static void
test_backoff_cap (void)
{
  g_assert_cmpuint (mw_outbox_backoff_seconds (1), ==, 60);
  g_assert_cmpuint (mw_outbox_backoff_seconds (2), ==, 120);
  g_assert_cmpuint (mw_outbox_backoff_seconds (3), ==, 240);
  g_assert_cmpuint (mw_outbox_backoff_seconds (7), ==, 3600);
  g_assert_cmpuint (mw_outbox_backoff_seconds (100), ==, 3600);
}

static void
test_network_changed (Fixture      *f,
                      gconstpointer data)
{
  const char *const recipients[] = { "bob@example.org", NULL };
  g_autofree char  *id = NULL;
  MwOutboxItem     *item;
  gint64            deadline;

  mw_mail_server_set_refused_recipient (f->server, "bob@example.org", "421 4.3.2 busy, try later");
  id = enqueue (f, "network", recipients);
  item = mw_outbox_lookup (f->outbox, id);
  flush_ok (f);
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_RETRY_WAIT);

  mw_mail_server_set_refused_recipient (f->server, "bob@example.org", NULL);
  /* Losing the network does nothing; its return tries at once although the
   * clock has not moved. */
  mw_outbox_network_changed (f->outbox, FALSE);
  g_assert_false (mw_outbox_get_busy (f->outbox));
  mw_outbox_network_changed (f->outbox, TRUE);
  g_assert_true (mw_outbox_get_busy (f->outbox));

  deadline = g_get_monotonic_time () + WAIT_MS * 1000;
  while (mw_outbox_get_busy (f->outbox))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_SENT);
  g_assert_cmpuint (count (f->server_dir, "new"), ==, 1);
}

static void
test_timer (Fixture      *f,
            gconstpointer data)
{
  const char *const recipients[] = { "bob@example.org", NULL };
  g_autofree char  *id = NULL;
  MwOutboxItem     *item;
  gint64            deadline;
  g_autoptr (GError) error = NULL;

  mw_mail_server_set_refused_recipient (f->server, "bob@example.org", "450 4.2.1 try later");
  id = enqueue (f, "timer", recipients);
  item = mw_outbox_lookup (f->outbox, id);
  flush_ok (f);
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_RETRY_WAIT);
  mw_mail_server_set_refused_recipient (f->server, "bob@example.org", NULL);

  /* The timer is set from the clock when the outbox changes; once the
   * attempt is due, it fires on the main context by itself. */
  f->clock = mw_outbox_item_get_next_attempt (item);
  mw_outbox_set_clock_func (f->outbox, clock_cb, f);
  deadline = g_get_monotonic_time () + WAIT_MS * 1000;
  while (mw_outbox_item_get_state (item) != MW_OUTBOX_STATE_SENT)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }

  /* An explicit flush meanwhile is refused, not run twice. */
  g_assert_false (flush (f, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  while (mw_outbox_get_busy (f->outbox))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpuint (count (f->server_dir, "new"), ==, 1);
  g_assert_cmpuint (count (f->sent_path, "new"), ==, 1);
}

static void
test_permanent_failure (Fixture      *f,
                        gconstpointer data)
{
  const char *const recipients[] = { "bob@example.org", NULL };
  g_autofree char  *id = NULL;
  MwOutboxItem     *item;

  mw_mail_server_set_refused_recipient (f->server, "bob@example.org", "550 5.1.1 no such user");
  id = enqueue (f, "failed", recipients);
  item = mw_outbox_lookup (f->outbox, id);
  flush_ok (f);
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_FAILED);
  g_assert_cmpint (mw_outbox_item_get_reply_code (item), ==, 550);
  g_assert_nonnull (strstr (mw_outbox_item_get_reply (item), "no such user"));
  g_assert_cmpuint (count (f->outbox_path, "new"), ==, 1);
  g_assert_cmpuint (count (f->server_dir, "new"), ==, 0);

  /* Never tried again on its own, even when the network comes back. */
  mw_outbox_network_changed (f->outbox, TRUE);
  f->clock += 24 * G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC;
  flush_ok (f);
  g_assert_cmpuint (f->n_clients, ==, 1);

  /* The server's words survive a reload. */
  mw_test_finalize_object (f->outbox);
  f->outbox = new_outbox (f);
  load (f);
  item = mw_outbox_lookup (f->outbox, id);
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_FAILED);
  g_assert_nonnull (strstr (mw_outbox_item_get_reply (item), "no such user"));
}

static void
test_partial (Fixture      *f,
              gconstpointer data)
{
  const char *const recipients[] = { "bob@example.org", "carol@example.net", NULL };
  g_autofree char  *id = NULL;
  MwOutboxItem     *item;
  MwSmtpRecipient  *bob;

  mw_mail_server_set_refused_recipient (f->server, "bob@example.org", "550 5.1.1 no such user");
  id = enqueue (f, "partial", recipients);
  item = mw_outbox_lookup (f->outbox, id);
  flush_ok (f);
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_PARTIAL);
  bob = result_for (item, "bob@example.org");
  g_assert_false (bob->accepted);
  g_assert_cmpint (bob->reply->code, ==, 550);
  g_assert_true (result_for (item, "carol@example.net")->accepted);
  g_assert_cmpuint (count (f->server_dir, "new"), ==, 1);
  g_assert_cmpuint (count (f->sent_path, "new"), ==, 1);
  g_assert_cmpuint (count (f->outbox_path, "new"), ==, 0);

  /* The per-recipient results survive a reload. */
  mw_test_finalize_object (f->outbox);
  f->outbox = new_outbox (f);
  load (f);
  item = mw_outbox_lookup (f->outbox, id);
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_PARTIAL);
  bob = result_for (item, "bob@example.org");
  g_assert_false (bob->accepted);
  g_assert_cmpint (bob->reply->code, ==, 550);
  flush_ok (f);
  g_assert_cmpuint (count (f->server_dir, "new"), ==, 1);
}

/* All or nothing, kept in the envelope across a reload: one refused
 * recipient stops the message for everyone, and it goes back to the user. */
static void
test_all_or_nothing (Fixture      *f,
                     gconstpointer data)
{
  const char *const recipients[] = { "bob@example.org", "carol@example.net", NULL };
  g_autoptr (GAsyncResult) pending = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) message = make_message ("all or nothing");
  g_autofree char *id = NULL;
  MwOutboxItem    *item;

  mw_mail_server_set_refused_recipient (f->server, "bob@example.org", "550 5.1.1 no such user");
  mw_outbox_enqueue_full_async (f->outbox, message, FROM, recipients, MW_SMTP_SEND_ALL_OR_NOTHING,
                                NULL, mw_test_result_cb, &pending);
  id = mw_outbox_enqueue_finish (f->outbox, (result = mw_test_wait (&pending)), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  mw_test_finalize_object (f->outbox);
  f->outbox = new_outbox (f);
  load (f);
  item = mw_outbox_lookup (f->outbox, id);
  flush_ok (f);
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_FAILED);
  g_assert_cmpint (mw_outbox_item_get_reply_code (item), ==, 550);
  g_assert_cmpuint (count (f->server_dir, "new"), ==, 0);
  g_assert_cmpuint (count (f->sent_path, "new"), ==, 0);
}

static void
test_partial_temporary (Fixture      *f,
                        gconstpointer data)
{
  const char *const recipients[] = { "bob@example.org", "carol@example.net", NULL };
  const char *const waiting[] = { "bob@example.org", NULL };
  g_autofree char  *id = NULL;
  MwOutboxItem     *item;

  mw_mail_server_set_refused_recipient (f->server, "bob@example.org", "450 4.2.1 mailbox busy");
  id = enqueue (f, "partial-temporary", recipients);
  item = mw_outbox_lookup (f->outbox, id);
  flush_ok (f);

  /* carol has it and it is in Sent; bob waits alone. */
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_RETRY_WAIT);
  g_assert_cmpstrv (mw_outbox_item_get_recipients (item), waiting);
  g_assert_cmpint (mw_outbox_item_get_reply_code (item), ==, 450);
  g_assert_true (result_for (item, "carol@example.net")->accepted);
  g_assert_false (result_for (item, "bob@example.org")->accepted);
  g_assert_cmpuint (count (f->server_dir, "new"), ==, 1);
  g_assert_cmpuint (count (f->sent_path, "new"), ==, 1);
  g_assert_cmpuint (count (f->outbox_path, "new"), ==, 1);

  /* A restart keeps the narrowed envelope. */
  mw_test_finalize_object (f->outbox);
  f->outbox = new_outbox (f);
  load (f);
  item = mw_outbox_lookup (f->outbox, id);
  g_assert_cmpstrv (mw_outbox_item_get_recipients (item), waiting);

  mw_mail_server_set_refused_recipient (f->server, "bob@example.org", NULL);
  f->clock = mw_outbox_item_get_next_attempt (item);
  flush_ok (f);
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_SENT);
  g_assert_true (result_for (item, "carol@example.net")->accepted);
  g_assert_true (result_for (item, "bob@example.org")->accepted);
  g_assert_cmpuint (count (f->server_dir, "new"), ==, 2);
  g_assert_cmpuint (count (f->sent_path, "new"), ==, 1);
  g_assert_cmpuint (count (f->outbox_path, "new"), ==, 0);
  g_assert_cmpuint (count (f->outbox_path, "envelopes"), ==, 0);
}

static guint
count_substrings (const char *haystack,
                  const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static void
test_uncertain (Fixture      *f,
                gconstpointer data)
{
  const char *const recipients[] = { "bob@example.org", NULL };
  g_autofree char  *id = NULL;
  g_autofree char  *received = NULL;
  MwOutboxItem     *item;

  f->fake = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  mw_fake_server_send (f->fake, "220 fake ESMTP\r\n");
  mw_fake_server_expect_any (f->fake);
  mw_fake_server_send (f->fake, "250-fake\r\n250 8BITMIME\r\n");
  mw_fake_server_expect (f->fake, "MAIL FROM:<" FROM ">");
  mw_fake_server_send (f->fake, "250 2.1.0 Ok\r\n");
  mw_fake_server_expect (f->fake, "RCPT TO:<bob@example.org>");
  mw_fake_server_send (f->fake, "250 2.1.5 Ok\r\n");
  mw_fake_server_expect (f->fake, "DATA");
  mw_fake_server_send (f->fake, "354 go ahead\r\n");
  mw_fake_server_expect_until (f->fake, ".");
  mw_fake_server_close (f->fake);
  mw_fake_server_start (f->fake);

  id = enqueue (f, "uncertain", recipients);
  item = mw_outbox_lookup (f->outbox, id);
  flush_ok (f);
  g_assert_true (mw_fake_server_wait (f->fake, WAIT_MS));
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_UNCERTAIN);
  g_assert_cmpuint (count (f->outbox_path, "new"), ==, 1);

  /* Neither a flush, a later time nor the network sends it again. */
  f->clock += 24 * G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC;
  mw_outbox_network_changed (f->outbox, TRUE);
  flush_ok (f);
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_UNCERTAIN);
  g_assert_cmpuint (f->n_clients, ==, 1);
  received = mw_fake_server_get_received_string (f->fake);
  g_assert_cmpuint (count_substrings (received, "Subject: uncertain"), ==, 1);

  /* Only the user's request sends it again. */
  {
    g_autoptr (GAsyncResult) pending = NULL;
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (GError) error = NULL;

    g_clear_pointer (&f->fake, mw_fake_server_free);
    mw_outbox_resend_async (f->outbox, id, NULL, mw_test_result_cb, &pending);
    mw_outbox_resend_finish (f->outbox, (result = mw_test_wait (&pending)), &error);
    g_assert_no_error (error);
    g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_QUEUED);
    flush_ok (f);
    g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_SENT);
    g_assert_cmpuint (count (f->server_dir, "new"), ==, 1);
  }
}

static void
test_crash_after_sent_record (Fixture      *f,
                              gconstpointer data)
{
  const char *const recipients[] = { "bob@example.org", NULL };
  g_autofree char  *id = NULL;
  g_autoptr (GError) error = NULL;
  MwOutboxItem *item;

  id = enqueue (f, "crash", recipients);
  item = mw_outbox_lookup (f->outbox, id);
  mw_outbox_set_crash_after_sent_record (f->outbox, TRUE);
  g_assert_false (flush (f, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_SENT);
  g_assert_cmpuint (count (f->server_dir, "new"), ==, 1);
  /* The "crash" left the message in the Outbox, not in Sent. */
  g_assert_cmpuint (count (f->outbox_path, "new"), ==, 1);
  g_assert_cmpuint (count (f->sent_path, "new"), ==, 0);

  /* Restart. */
  mw_test_finalize_object (f->outbox);
  f->outbox = new_outbox (f);
  load (f);
  item = mw_outbox_lookup (f->outbox, id);
  g_assert_nonnull (item);
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_SENT);
  g_assert_true (mw_outbox_item_get_needs_attention (item));
  g_assert_cmpuint (count (f->outbox_path, "new"), ==, 0);
  g_assert_cmpuint (count (f->sent_path, "new"), ==, 1);

  flush_ok (f);
  mw_outbox_network_changed (f->outbox, TRUE);
  g_assert_cmpuint (count (f->server_dir, "new"), ==, 1);

  /* The user is told until they dismiss it, across restarts. */
  mw_test_finalize_object (f->outbox);
  f->outbox = new_outbox (f);
  load (f);
  item = mw_outbox_lookup (f->outbox, id);
  g_assert_nonnull (item);
  g_assert_true (mw_outbox_item_get_needs_attention (item));
  {
    g_autoptr (GAsyncResult) pending = NULL;
    g_autoptr (GAsyncResult) result = NULL;

    mw_outbox_remove_async (f->outbox, id, NULL, mw_test_result_cb, &pending);
    mw_outbox_remove_finish (f->outbox, (result = mw_test_wait (&pending)), &error);
    g_assert_no_error (error);
  }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->outbox)), ==, 0);
  g_assert_cmpuint (count (f->sent_path, "new"), ==, 1);
  g_assert_cmpuint (count (f->outbox_path, "envelopes"), ==, 0);
}

static void
test_crash_while_sending (Fixture      *f,
                          gconstpointer data)
{
  const char *const recipients[] = { "bob@example.org", NULL };
  g_autofree char  *id = enqueue (f, "sending", recipients);
  g_autofree char  *name = g_strconcat (id, ".envelope", NULL);
  g_autofree char  *path = g_build_filename (f->outbox_path, "envelopes", name, NULL);
  g_autofree char  *contents = NULL;
  g_autoptr (GString) edited = NULL;
  MwOutboxItem *item;

  /* What a crash in the middle of a send leaves on disk. */
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  edited = g_string_new (contents);
  g_assert_cmpuint (g_string_replace (edited, "state=queued", "state=sending", 1), ==, 1);
  g_assert_true (g_file_set_contents (path, edited->str, -1, NULL));

  mw_test_finalize_object (f->outbox);
  f->outbox = new_outbox (f);
  load (f);
  item = mw_outbox_lookup (f->outbox, id);
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_UNCERTAIN);
  g_assert_true (mw_outbox_item_get_needs_attention (item));
  flush_ok (f);
  g_assert_cmpuint (f->n_clients, ==, 0);
  g_assert_cmpuint (count (f->server_dir, "new"), ==, 0);
}

static void
test_connection_refused (Fixture      *f,
                         gconstpointer data)
{
  const char *const recipients[] = { "bob@example.org", NULL };
  g_autofree char  *id = NULL;
  MwOutboxItem     *item;

  id = enqueue (f, "down", recipients);
  item = mw_outbox_lookup (f->outbox, id);
  mw_mail_server_stop (f->server);
  flush_ok (f);
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, MW_OUTBOX_STATE_RETRY_WAIT);
  g_assert_cmpuint (mw_outbox_item_get_attempts (item), ==, 1);
  g_assert_cmpuint (count (f->outbox_path, "new"), ==, 1);
}

/* The answer to the end of the message decides: 4xx waits, 5xx fails. */
static void
final_reply (Fixture      *f,
             const char   *reply,
             MwOutboxState expected)
{
  const char *const recipients[] = { "bob@example.org", NULL };
  g_autofree char  *id = NULL;
  MwOutboxItem     *item;

  f->fake = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  mw_fake_server_send (f->fake, "220 fake ESMTP\r\n");
  mw_fake_server_expect_any (f->fake);
  mw_fake_server_send (f->fake, "250-fake\r\n250 ENHANCEDSTATUSCODES\r\n");
  mw_fake_server_expect (f->fake, "MAIL FROM:<" FROM ">");
  mw_fake_server_send (f->fake, "250 2.1.0 Ok\r\n");
  mw_fake_server_expect (f->fake, "RCPT TO:<bob@example.org>");
  mw_fake_server_send (f->fake, "250 2.1.5 Ok\r\n");
  mw_fake_server_expect (f->fake, "DATA");
  mw_fake_server_send (f->fake, "354 go ahead\r\n");
  mw_fake_server_expect_until (f->fake, ".");
  mw_fake_server_send (f->fake, reply);
  mw_fake_server_expect (f->fake, "QUIT");
  mw_fake_server_send (f->fake, "221 2.0.0 Bye\r\n");
  mw_fake_server_close (f->fake);
  mw_fake_server_start (f->fake);

  id = enqueue (f, "final", recipients);
  item = mw_outbox_lookup (f->outbox, id);
  flush_ok (f);
  g_assert_true (mw_fake_server_wait (f->fake, WAIT_MS));
  g_assert_cmpint (mw_outbox_item_get_state (item), ==, expected);
  g_assert_cmpint (mw_outbox_item_get_reply_code (item), ==, atoi (reply));
  g_assert_nonnull (strstr (mw_outbox_item_get_reply (item), "policy"));
  g_assert_cmpuint (count (f->outbox_path, "new"), ==, 1);
  g_assert_cmpuint (count (f->sent_path, "new"), ==, 0);
}

static void
test_final_reply_temporary (Fixture      *f,
                            gconstpointer data)
{
  final_reply (f, "451 4.7.1 policy: greylisted\r\n", MW_OUTBOX_STATE_RETRY_WAIT);
}

static void
test_final_reply_permanent (Fixture      *f,
                            gconstpointer data)
{
  final_reply (f, "554 5.7.1 policy: rejected as spam\r\n", MW_OUTBOX_STATE_FAILED);
}

static MwSmtpClient *
no_client_cb (gpointer user_data)
{
  return NULL;
}

static void
test_no_client (Fixture      *f,
                gconstpointer data)
{
  const char *const recipients[] = { "bob@example.org", NULL };
  g_autofree char  *id = enqueue (f, "unconfigured", recipients);
  g_autoptr (GError) error = NULL;

  mw_outbox_set_client_func (f->outbox, no_client_cb, NULL, NULL);
  g_assert_false (flush (f, &error));
  g_assert_error (error, MW_STORE_ERROR, MW_STORE_ERROR_FAILED);
  g_assert_cmpint (mw_outbox_item_get_state (mw_outbox_lookup (f->outbox, id)), ==,
                   MW_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (mw_outbox_item_get_attempts (mw_outbox_lookup (f->outbox, id)), ==, 0);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ADD ("/store/outbox/enqueue/before-network", test_enqueue_before_network);
  ADD ("/store/outbox/send/success-bcc", test_success_bcc);
  ADD ("/store/outbox/send/send-flags", test_send_flags);
  ADD ("/store/outbox/send/retry-backoff", test_retry_backoff);
  g_test_add_func ("/store/outbox/send/backoff-cap", test_backoff_cap);
  ADD ("/store/outbox/send/network-changed", test_network_changed);
  ADD ("/store/outbox/send/timer", test_timer);
  ADD ("/store/outbox/send/connection-refused", test_connection_refused);
  ADD ("/store/outbox/send/all-or-nothing", test_all_or_nothing);
  ADD ("/store/outbox/send/permanent-failure", test_permanent_failure);
  ADD ("/store/outbox/send/partial", test_partial);
  ADD ("/store/outbox/send/partial-temporary", test_partial_temporary);
  ADD ("/store/outbox/send/uncertain", test_uncertain);
  ADD ("/store/outbox/send/final-reply-temporary", test_final_reply_temporary);
  ADD ("/store/outbox/send/final-reply-permanent", test_final_reply_permanent);
  ADD ("/store/outbox/send/no-client", test_no_client);
  ADD ("/store/outbox/crash/after-sent-record", test_crash_after_sent_record);
  ADD ("/store/outbox/crash/while-sending", test_crash_while_sending);

  return g_test_run ();
}
