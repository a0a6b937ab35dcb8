/* test-fetcher.c: Get Mail into a Maildir against the embedded server and
 * scripted ones
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "mw-fake-server.h"
#include "mw-fetcher.h"
#include "mw-mail-server.h"
#include "mw-store-test-util.h"

#define USER     "tim"
#define PASSWORD "tanstaaftanstaaf"

typedef struct
{
  char         *dir;
  char         *server_dir;
  char         *local_dir;
  MwMailServer *server;
  MwTranscript *transcript;
  MwMaildir    *maildir;
  MwUidIndex   *index;
  GPtrArray    *warnings;
  GArray       *stored;  /* numbers, in order */
  GArray       *skipped; /* numbers */
  GArray       *deleted; /* numbers, from ::deleted */
  guint         planned;
} Fixture;

static void
put_message (Fixture    *f,
             const char *name,
             const char *subject,
             size_t      body_size)
{
  g_autofree char *path = g_build_filename (f->server_dir, "new", name, NULL);
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  g_string_append_printf (text,
                          "From: Alice <alice@example.org>\r\nTo: tim@example.org\r\n"
                          "Subject: %s\r\nMessage-ID: <%s@example.org>\r\n"
                          "Date: Mon, 2 Nov 2026 10:00:00 +0100\r\n\r\n",
                          subject, name);
  for (size_t i = 0; i < body_size; i += 64)
    g_string_append (text, "0123456789012345678901234567890123456789012345678901234567890\r\n");
  g_file_set_contents (path, text->str, (gssize) text->len, &error);
  g_assert_no_error (error);
}

static void
open_local (Fixture *f)
{
  g_autoptr (GAsyncResult) pending = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GAsyncResult) result2 = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *index_path = g_build_filename (f->dir, "uids", NULL);

  g_clear_object (&f->maildir);
  g_clear_object (&f->index);
  f->maildir = mw_maildir_new (f->local_dir);
  mw_maildir_open_async (f->maildir, NULL, mw_test_result_cb, &pending);
  mw_maildir_open_finish (f->maildir, (result = mw_test_wait (&pending)), NULL, &error);
  g_assert_no_error (error);
  f->index = mw_uid_index_new (index_path);
  mw_uid_index_load_async (f->index, NULL, mw_test_result_cb, &pending);
  mw_uid_index_load_finish (f->index, (result2 = mw_test_wait (&pending)), &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  /* Under the test's own isolated directories, removed with them. */
  f->dir = g_build_filename (g_get_user_data_dir (), "fetcher", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->dir, 0700), ==, 0);
  f->server_dir = g_build_filename (f->dir, "server", NULL);
  f->local_dir = g_build_filename (f->dir, "local", NULL);
  f->server = mw_mail_server_new (f->server_dir);
  mw_mail_server_add_user (f->server, USER, PASSWORD);
  mw_mail_server_set_allow_plaintext_auth (f->server, TRUE);
  f->transcript = mw_transcript_new (0);
  f->warnings = g_ptr_array_new_with_free_func (g_free);
  f->stored = g_array_new (FALSE, FALSE, sizeof (guint));
  f->skipped = g_array_new (FALSE, FALSE, sizeof (guint));
  f->deleted = g_array_new (FALSE, FALSE, sizeof (guint));
  open_local (f);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  mw_mail_server_stop (f->server);
  g_assert_finalize_object (f->server);
  g_clear_object (&f->transcript);
  mw_test_finalize_object (f->maildir);
  mw_test_finalize_object (f->index);
  g_ptr_array_unref (f->warnings);
  g_array_unref (f->stored);
  g_array_unref (f->skipped);
  g_array_unref (f->deleted);
  g_free (f->server_dir);
  g_free (f->local_dir);
  g_free (f->dir);
}

static void
start_server (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  mw_mail_server_start (f->server, &error);
  g_assert_no_error (error);
}

static MwPop3Client *
connect_to (Fixture *f,
            guint16  port)
{
  g_autoptr (GAsyncResult) pending = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  MwPop3Client *client = mw_pop3_client_new ("127.0.0.1", port, MW_SECURITY_NONE, f->transcript);

  mw_pop3_client_set_user (client, USER);
  mw_pop3_client_set_password (client, PASSWORD);
  mw_pop3_client_set_allow_plaintext (client, TRUE);
  mw_pop3_client_set_timeout (client, 20);
  mw_pop3_client_connect_async (client, NULL, mw_test_result_cb, &pending);
  mw_pop3_client_connect_finish (client, (result = mw_test_wait (&pending)), &error);
  g_assert_no_error (error);
  return client;
}

static void
warning_cb (MwFetcher  *fetcher,
            const char *text,
            Fixture    *f)
{
  g_ptr_array_add (f->warnings, g_strdup (text));
}

static void
planned_cb (MwFetcher *fetcher,
            guint      n,
            Fixture   *f)
{
  f->planned = n;
}

static void
skipped_cb (MwFetcher *fetcher,
            guint      number,
            int        reason,
            Fixture   *f)
{
  g_assert_cmpint (reason, ==, MW_FETCH_SKIP_TOO_BIG);
  g_array_append_val (f->skipped, number);
}

static void
stored_cb (MwFetcher  *fetcher,
           guint       number,
           const char *uid,
           const char *file,
           Fixture    *f)
{
  g_autofree char *path = g_build_filename (f->local_dir, "new", file, NULL);

  /* Stored durably, with the UID saved, before the signal. */
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  if (uid != NULL)
    g_assert_true (mw_uid_index_is_durable (f->index, uid));
  g_array_append_val (f->stored, number);
}

static void
deleted_cb (MwFetcher  *fetcher,
            guint       number,
            const char *uid,
            Fixture    *f)
{
  g_array_append_val (f->deleted, number);
}

/* Runs one Get Mail on @client. Returns the fetcher, its signals
 * recorded in @f. */
static MwFetcher *
run_fetch (Fixture             *f,
           MwPop3Client        *client,
           const MwFetchPolicy *policy,
           GCancellable        *cancellable,
           GError             **error)
{
  g_autoptr (GAsyncResult) pending = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  MwFetcher *fetcher = mw_fetcher_new (client, f->maildir, f->index, policy);

  g_ptr_array_set_size (f->warnings, 0);
  g_array_set_size (f->stored, 0);
  g_array_set_size (f->skipped, 0);
  g_array_set_size (f->deleted, 0);
  f->planned = G_MAXUINT;
  g_signal_connect (fetcher, "warning", G_CALLBACK (warning_cb), f);
  g_signal_connect (fetcher, "planned", G_CALLBACK (planned_cb), f);
  g_signal_connect (fetcher, "skipped", G_CALLBACK (skipped_cb), f);
  g_signal_connect (fetcher, "message-stored", G_CALLBACK (stored_cb), f);
  g_signal_connect (fetcher, "deleted", G_CALLBACK (deleted_cb), f);
  mw_fetcher_run_async (fetcher, cancellable, mw_test_result_cb, &pending);
  mw_fetcher_run_finish (fetcher, (result = mw_test_wait (&pending)), error);
  return fetcher;
}

static MwFetcher *
fetch_once (Fixture             *f,
            const MwFetchPolicy *policy)
{
  g_autoptr (MwPop3Client) client = connect_to (f, mw_mail_server_get_pop3_port (f->server));
  g_autoptr (GError) error = NULL;
  MwFetcher *fetcher = run_fetch (f, client, policy, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (mw_fetcher_get_stop (fetcher), ==, MW_FETCH_STOP_NONE);
  g_assert_cmpint (mw_pop3_client_get_state (client), ==, MW_POP3_STATE_CLOSED);
  return fetcher;
}

static guint
count_local (Fixture *f)
{
  g_autofree char *new_dir = g_build_filename (f->local_dir, "new", NULL);

  return mw_test_count_files (new_dir);
}

static guint
count_server (Fixture *f)
{
  g_autofree char *new_dir = g_build_filename (f->server_dir, "new", NULL);
  g_autofree char *cur_dir = g_build_filename (f->server_dir, "cur", NULL);

  return mw_test_count_files (new_dir) + mw_test_count_files (cur_dir);
}

/* Leave on server: everything once, then nothing; the index says so. */
static void
test_keep (Fixture      *f,
           gconstpointer data)
{
  const MwFetchPolicy policy = { MW_LEAVE_POLICY_KEEP, 0, 0 };
  g_autoptr (MwFetcher) first = NULL;
  g_autoptr (MwFetcher) second = NULL;

  start_server (f);
  put_message (f, "a", "First", 100);
  put_message (f, "b", "Second", 100);
  put_message (f, "c", "Third", 100);

  first = fetch_once (f, &policy);
  g_assert_cmpuint (f->planned, ==, 3);
  g_assert_cmpuint (f->stored->len, ==, 3);
  g_assert_cmpuint (g_array_index (f->stored, guint, 0), ==, 1);
  g_assert_cmpuint (g_array_index (f->stored, guint, 2), ==, 3);
  g_assert_cmpuint (mw_fetcher_get_n_downloaded (first), ==, 3);
  g_assert_cmpuint (mw_fetcher_get_n_listed (first), ==, 3);
  g_assert_cmpuint (mw_fetcher_get_deleted (first)->len, ==, 0);
  g_assert_false (mw_fetcher_get_by_headers (first));
  g_assert_cmpuint (f->warnings->len, ==, 0);
  g_assert_cmpuint (mw_uid_index_get_n_uids (f->index), ==, 3);
  g_assert_cmpuint (count_local (f), ==, 3);
  g_assert_cmpuint (count_server (f), ==, 3);

  /* A new message arrives: only it is downloaded. */
  put_message (f, "d", "Fourth", 100);
  second = fetch_once (f, &policy);
  g_assert_cmpuint (f->planned, ==, 1);
  g_assert_cmpuint (f->stored->len, ==, 1);
  g_assert_cmpuint (count_local (f), ==, 4);
  g_assert_cmpuint (count_server (f), ==, 4);

  /* A restart reads the same index from disk. */
  open_local (f);
  g_clear_object (&second);
  second = fetch_once (f, &policy);
  g_assert_cmpuint (f->planned, ==, 0);
  g_assert_cmpuint (count_local (f), ==, 4);
}

/* Delete after download: stored first, deleted by UID, confirmed by QUIT. */
static void
test_delete (Fixture      *f,
             gconstpointer data)
{
  const MwFetchPolicy policy = { MW_LEAVE_POLICY_DELETE_AFTER_DOWNLOAD, 0, 0 };
  g_autoptr (MwFetcher) fetcher = NULL;

  start_server (f);
  put_message (f, "a", "First", 100);
  put_message (f, "b", "Second", 100);

  fetcher = fetch_once (f, &policy);
  g_assert_cmpuint (f->stored->len, ==, 2);
  g_assert_cmpuint (f->deleted->len, ==, 2);
  g_assert_cmpuint (mw_fetcher_get_deleted (fetcher)->len, ==, 2);
  g_assert_cmpuint (count_local (f), ==, 2);
  g_assert_cmpuint (count_server (f), ==, 0);
}

/* Over the size limit: listed as skipped, neither downloaded nor deleted. */
static void
test_max_size (Fixture      *f,
               gconstpointer data)
{
  const MwFetchPolicy policy = { MW_LEAVE_POLICY_DELETE_AFTER_DOWNLOAD, 0, 10000 };
  g_autoptr (MwFetcher) fetcher = NULL;

  start_server (f);
  put_message (f, "a", "Small", 100);
  put_message (f, "b", "Large", 50000);
  put_message (f, "c", "Small too", 100);

  fetcher = fetch_once (f, &policy);
  g_assert_cmpuint (f->skipped->len, ==, 1);
  g_assert_cmpuint (g_array_index (f->skipped, guint, 0), ==, 2);
  g_assert_cmpuint (f->stored->len, ==, 2);
  g_assert_cmpuint (f->deleted->len, ==, 2);
  g_assert_cmpuint (count_local (f), ==, 1 + 1);
  g_assert_cmpuint (count_server (f), ==, 1);
}

/* Without UIDL: recognised by headers, so the second run downloads
 * nothing, and deleting still works. */
static void
test_no_uidl (Fixture      *f,
              gconstpointer data)
{
  const MwFetchPolicy keep = { MW_LEAVE_POLICY_KEEP, 0, 0 };
  const MwFetchPolicy delete = { MW_LEAVE_POLICY_DELETE_AFTER_DOWNLOAD, 0, 0 };
  g_autoptr (MwFetcher) first = NULL;
  g_autoptr (MwFetcher) second = NULL;

  mw_mail_server_set_pop3_uidl (f->server, FALSE);
  start_server (f);
  put_message (f, "a", "First", 100);
  put_message (f, "b", "Second", 100);

  first = fetch_once (f, &keep);
  g_assert_true (mw_fetcher_get_by_headers (first));
  g_assert_cmpuint (f->warnings->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (f->warnings, 0), "recognised by their headers"));
  g_assert_cmpuint (f->stored->len, ==, 2);

  second = fetch_once (f, &delete);
  g_assert_cmpuint (f->stored->len, ==, 0);
  g_assert_cmpuint (f->deleted->len, ==, 2);
  g_assert_cmpuint (count_server (f), ==, 0);
  g_assert_cmpuint (count_local (f), ==, 2);
}

/* Without UIDL and TOP nothing identifies a message: everything is
 * downloaded and nothing deleted, and the user is told both. */
static void
test_no_uidl_no_top (Fixture      *f,
                     gconstpointer data)
{
  const MwFetchPolicy delete = { MW_LEAVE_POLICY_DELETE_AFTER_DOWNLOAD, 0, 0 };
  g_autoptr (MwFetcher) fetcher = NULL;

  mw_mail_server_set_pop3_uidl (f->server, FALSE);
  mw_mail_server_set_pop3_top (f->server, FALSE);
  start_server (f);
  put_message (f, "a", "First", 100);

  fetcher = fetch_once (f, &delete);
  g_assert_false (mw_fetcher_get_by_headers (fetcher));
  g_assert_cmpuint (f->warnings->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (f->warnings, 0), "cannot be recognised"));
  g_assert_nonnull (strstr (g_ptr_array_index (f->warnings, 1), "nothing is deleted"));
  g_assert_cmpuint (f->stored->len, ==, 1);
  g_assert_cmpuint (f->deleted->len, ==, 0);
  g_assert_cmpuint (count_server (f), ==, 1);
}

static void
cancel_on_second_cb (MwPop3Client *client,
                     guint         number,
                     guint64       bytes,
                     GCancellable *cancellable)
{
  if (number == 2)
    g_cancellable_cancel (cancellable);
}

/* Stopped mid-download: the session closes without QUIT, nothing is
 * deleted, and what was stored stays stored and indexed. */
static void
test_cancel (Fixture      *f,
             gconstpointer data)
{
  const MwFetchPolicy policy = { MW_LEAVE_POLICY_DELETE_AFTER_DOWNLOAD, 0, 0 };
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (MwFetcher) fetcher = NULL;
  g_autoptr (GError) error = NULL;

  start_server (f);
  put_message (f, "a", "First", 100);
  put_message (f, "b", "Large", 4 * 1024 * 1024);
  put_message (f, "c", "Third", 100);

  client = connect_to (f, mw_mail_server_get_pop3_port (f->server));
  g_signal_connect (client, "retr-progress", G_CALLBACK (cancel_on_second_cb), cancellable);
  fetcher = run_fetch (f, client, &policy, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (mw_fetcher_get_stop (fetcher), ==, MW_FETCH_STOP_DOWNLOAD);
  g_assert_cmpuint (f->deleted->len, ==, 0);
  g_assert_cmpuint (count_server (f), ==, 3);
  g_assert_cmpuint (mw_fetcher_get_n_marked (fetcher), ==, 0);
  g_assert_cmpint (mw_pop3_client_get_state (client), !=, MW_POP3_STATE_TRANSACTION);
  g_assert_cmpuint (mw_fetcher_get_failed_number (fetcher), ==, 2);
  g_assert_cmpuint (f->stored->len, ==, 1);
  g_assert_cmpuint (count_local (f), ==, 1);
  g_assert_cmpuint (mw_uid_index_get_n_uids (f->index), ==, 1);
}

static void
script_login (MwFakeServer *server)
{
  mw_fake_server_send (server, "+OK POP3 ready\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n");
  mw_fake_server_expect (server, "USER " USER);
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_expect (server, "PASS " PASSWORD);
  mw_fake_server_send (server, "+OK logged in\r\n");
  mw_fake_server_expect (server, "LIST");
  mw_fake_server_send (server, "+OK\r\n1 40\r\n2 40\r\n.\r\n");
  mw_fake_server_expect (server, "UIDL");
  mw_fake_server_send (server, "+OK\r\n1 uid-one\r\n2 uid-two\r\n.\r\n");
  mw_fake_server_expect (server, "RETR 1");
  mw_fake_server_send (server, "+OK\r\nSubject: one\r\n\r\nThe first message.\r\n.\r\n");
}

/* The connection drops in the middle of the second message: the first is
 * kept, nothing is deleted, and the error names the message. */
static void
test_reset_mid_retr (Fixture      *f,
                     gconstpointer data)
{
  const MwFetchPolicy policy = { MW_LEAVE_POLICY_DELETE_AFTER_DOWNLOAD, 0, 0 };
  MwFakeServer       *server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (MwFetcher) fetcher = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *received = NULL;

  script_login (server);
  mw_fake_server_expect (server, "RETR 2");
  mw_fake_server_send (server, "+OK\r\nSubject: two\r\n\r\nThe seco");
  mw_fake_server_reset (server);
  mw_fake_server_start (server);

  client = connect_to (f, mw_fake_server_get_port (server));
  fetcher = run_fetch (f, client, &policy, NULL, &error);
  g_assert_nonnull (error);
  g_assert_cmpint (mw_fetcher_get_stop (fetcher), ==, MW_FETCH_STOP_DOWNLOAD);
  g_assert_cmpuint (mw_fetcher_get_failed_number (fetcher), ==, 2);
  g_assert_cmpuint (f->stored->len, ==, 1);
  g_assert_true (mw_uid_index_contains (f->index, "uid-one"));
  g_assert_false (mw_uid_index_contains (f->index, "uid-two"));
  g_assert_cmpuint (count_local (f), ==, 1);
  g_assert_true (mw_fake_server_wait (server, 20000));
  received = mw_fake_server_get_received_string (server);
  g_assert_null (strstr (received, "DELE"));
  mw_fake_server_free (server);
}

/* The server does not confirm QUIT: nothing counts as deleted. */
static void
test_quit_refused (Fixture      *f,
                   gconstpointer data)
{
  const MwFetchPolicy policy = { MW_LEAVE_POLICY_DELETE_AFTER_DOWNLOAD, 0, 0 };
  MwFakeServer       *server = mw_fake_server_new (MW_FAKE_TLS_NONE, NULL);
  g_autoptr (MwPop3Client) client = NULL;
  g_autoptr (MwFetcher) fetcher = NULL;
  g_autoptr (GError) error = NULL;

  script_login (server);
  mw_fake_server_expect (server, "RETR 2");
  mw_fake_server_send (server, "+OK\r\nSubject: two\r\n\r\nThe second message.\r\n.\r\n");
  mw_fake_server_expect (server, "UIDL");
  mw_fake_server_send (server, "+OK\r\n1 uid-one\r\n2 uid-two\r\n.\r\n");
  mw_fake_server_expect (server, "DELE 1");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_expect (server, "DELE 2");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_expect (server, "QUIT");
  mw_fake_server_send (server, "-ERR [SYS/TEMP] could not remove messages\r\n");
  mw_fake_server_drain (server);
  mw_fake_server_start (server);

  client = connect_to (f, mw_fake_server_get_port (server));
  fetcher = run_fetch (f, client, &policy, NULL, &error);
  g_assert_nonnull (error);
  g_assert_cmpint (mw_fetcher_get_stop (fetcher), ==, MW_FETCH_STOP_QUIT);
  g_assert_cmpuint (mw_fetcher_get_n_marked (fetcher), ==, 2);
  g_assert_cmpuint (mw_fetcher_get_deleted (fetcher)->len, ==, 0);
  g_assert_cmpuint (f->deleted->len, ==, 0);
  g_assert_cmpuint (f->stored->len, ==, 2);
  g_assert_true (mw_fake_server_wait (server, 20000));
  mw_fake_server_free (server);
}

/* A fetch runs once, on a logged-in session only. */
static void
test_misuse (Fixture      *f,
             gconstpointer data)
{
  const MwFetchPolicy policy = { MW_LEAVE_POLICY_KEEP, 0, 0 };
  g_autoptr (MwPop3Client) client = mw_pop3_client_new ("127.0.0.1", 9, MW_SECURITY_NONE, f->transcript);
  g_autoptr (MwFetcher) fetcher = NULL;
  g_autoptr (GError) error = NULL;

  fetcher = run_fetch (f, client, &policy, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_assert_cmpuint (f->stored->len, ==, 0);
}

/* A message stored before an interruption, its UID in its name but not
 * in the index, is recognised and not downloaded again. */
static void
test_recover (Fixture      *f,
              gconstpointer data)
{
  const MwFetchPolicy policy = { MW_LEAVE_POLICY_KEEP, 0, 0 };
  g_autoptr (GAsyncResult) pending = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (MwFetcher) first = NULL;
  g_autoptr (MwFetcher) second = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *index_path = g_build_filename (f->dir, "uids", NULL);

  start_server (f);
  put_message (f, "a", "First", 100);
  put_message (f, "b", "Second", 100);
  first = fetch_once (f, &policy);
  g_assert_cmpuint (f->stored->len, ==, 2);

  /* Forget the index, as if the process died before saving it. */
  g_assert_cmpint (g_unlink (index_path), ==, 0);
  open_local (f);
  g_assert_cmpuint (mw_uid_index_get_n_uids (f->index), ==, 0);
  mw_fetcher_recover_async (f->maildir, f->index, NULL, mw_test_result_cb, &pending);
  g_assert_cmpint (mw_fetcher_recover_finish ((result = mw_test_wait (&pending)), &error), ==, 2);
  g_assert_no_error (error);
  g_assert_true (g_file_test (index_path, G_FILE_TEST_IS_REGULAR));

  second = fetch_once (f, &policy);
  g_assert_cmpuint (f->stored->len, ==, 0);
  g_assert_cmpuint (count_local (f), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/fetcher/keep", test_keep);
  ADD ("/fetcher/delete", test_delete);
  ADD ("/fetcher/max-size", test_max_size);
  ADD ("/fetcher/no-uidl", test_no_uidl);
  ADD ("/fetcher/no-uidl-no-top", test_no_uidl_no_top);
  ADD ("/fetcher/cancel", test_cancel);
  ADD ("/fetcher/reset-mid-retr", test_reset_mid_retr);
  ADD ("/fetcher/quit-refused", test_quit_refused);
  ADD ("/fetcher/misuse", test_misuse);
  ADD ("/fetcher/recover", test_recover);
#undef ADD

  return g_test_run ();
}
