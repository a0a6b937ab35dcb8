/* test-fetch-plan.c: the rules that decide what Get Mail deletes
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-fetch-plan.h"
#include "mw-store-error.h"

#include "mw-store-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

#define DAY (24 * 60 * 60)
#define NOW ((gint64) 1767225600)

static const MwFetchPolicy keep = { MW_LEAVE_POLICY_KEEP, 0, 0 };
static const MwFetchPolicy delete_now = { MW_LEAVE_POLICY_DELETE_AFTER_DOWNLOAD, 0, 0 };
static const MwFetchPolicy after7 = { MW_LEAVE_POLICY_DELETE_AFTER_DAYS, 7, 0 };

static MwUidIndex *
index_new (void)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "uid-index", NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GAsyncResult *pending = NULL;
  MwUidIndex   *index = mw_uid_index_new (path);

  mw_uid_index_load_async (index, NULL, mw_test_result_cb, &pending);
  result = mw_test_wait (&pending);
  g_assert_true (mw_uid_index_load_finish (index, result, &error));
  g_assert_no_error (error);
  return index;
}

static void
index_save (MwUidIndex *index)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GAsyncResult *pending = NULL;

  mw_uid_index_save_async (index, NULL, mw_test_result_cb, &pending);
  result = mw_test_wait (&pending);
  g_assert_true (mw_uid_index_save_finish (index, result, &error));
  g_assert_no_error (error);
}

static void
index_add (MwUidIndex *index,
           const char *uid,
           gint64      time)
{
  g_autofree char *file = g_strdup_printf ("%s.M1P1Q1.host", uid);

  g_assert_true (mw_uid_index_add (index, uid, file, time, NULL));
}

static MwFetchPlan *
plan (const MwServerMessage *messages,
      size_t                 n,
      MwUidIndex            *index,
      const MwFetchPolicy   *policy)
{
  g_autoptr (GError) error = NULL;
  MwFetchPlan *plan = mw_fetch_plan_new (messages, n, index, policy, NOW, &error);

  g_assert_no_error (error);
  g_assert_nonnull (plan);
  return plan;
}

/* The downloads as "1,2,3" for compact assertions. */
static char *
downloads (MwFetchPlan *plan)
{
  size_t       n;
  const guint *numbers = mw_fetch_plan_get_downloads (plan, &n);
  GString     *out = g_string_new (NULL);

  for (size_t i = 0; i < n; i++)
    g_string_append_printf (out, "%s%u", i > 0 ? "," : "", numbers[i]);
  return g_string_free (out, FALSE);
}

static char *
skipped (MwFetchPlan *plan)
{
  size_t             n;
  const MwFetchSkip *skips = mw_fetch_plan_get_skipped (plan, &n);
  GString           *out = g_string_new (NULL);

  for (size_t i = 0; i < n; i++)
    g_string_append_printf (out, "%s%u%s", i > 0 ? "," : "", skips[i].number,
                            skips[i].reason == MW_FETCH_SKIP_TOO_BIG ? "big" : "uid");
  return g_string_free (out, FALSE);
}

static char *
deletions (MwFetchPlan *plan)
{
  return g_strjoinv (",", (GStrv) mw_fetch_plan_get_deletions (plan));
}

#define ASSERT_PLAN(p, dl, del, sk, warn)                       \
  G_STMT_START                                                  \
  {                                                             \
    g_autofree char *_dl = downloads (p);                       \
    g_autofree char *_del = deletions (p);                      \
    g_autofree char *_sk = skipped (p);                         \
    g_assert_cmpstr (_dl, ==, dl);                              \
    g_assert_cmpstr (_del, ==, del);                            \
    g_assert_cmpstr (_sk, ==, sk);                              \
    g_assert_cmpint (mw_fetch_plan_get_warnings (p), ==, warn); \
  }                                                             \
  G_STMT_END

static const MwServerMessage three[] = {
  { 1, 100, "a" },
  { 2, 200, "b" },
  { 3, 300, "c" },
};

static void
test_empty (void)
{
  g_autoptr (MwUidIndex) index = index_new ();
  g_autoptr (MwFetchPlan) p = plan (NULL, 0, index, &delete_now);

  ASSERT_PLAN (p, "", "", "", MW_FETCH_WARNING_NONE);
}

static void
test_keep (void)
{
  g_autoptr (MwUidIndex) index = index_new ();
  g_autoptr (MwFetchPlan) p = NULL;

  index_add (index, "a", NOW - 100 * DAY);
  index_save (index);
  p = plan (three, 3, index, &keep);
  ASSERT_PLAN (p, "2,3", "", "", MW_FETCH_WARNING_NONE);
}

static void
test_delete_after_download (void)
{
  g_autoptr (MwUidIndex) index = index_new ();
  g_autoptr (MwFetchPlan) first = NULL;
  g_autoptr (MwFetchPlan) unsaved = NULL;
  g_autoptr (MwFetchPlan) second = NULL;

  /* Nothing stored: download all, delete none. */
  first = plan (three, 3, index, &delete_now);
  ASSERT_PLAN (first, "1,2,3", "", "", MW_FETCH_WARNING_NONE);

  /* Stored, but the index is not on disk yet: still nothing deleted. */
  index_add (index, "a", NOW);
  index_add (index, "c", NOW);
  unsaved = plan (three, 3, index, &delete_now);
  ASSERT_PLAN (unsaved, "2", "", "", MW_FETCH_WARNING_NOT_DURABLE);

  /* Once the index is saved, the same listing plans the deletions. */
  index_save (index);
  second = plan (three, 3, index, &delete_now);
  ASSERT_PLAN (second, "2", "a,c", "", MW_FETCH_WARNING_NONE);
}

static void
test_after_days (void)
{
  g_autoptr (MwUidIndex) index = index_new ();
  g_autoptr (MwFetchPlan) p = NULL;
  static const MwServerMessage listing[] = {
    { 1, 10, "old" },
    { 2, 10, "exactly" },
    { 3, 10, "almost" },
    { 4, 10, "recent" },
    { 5, 10, "new" },
    { 6, 10, "seen-early" },
  };

  index_add (index, "old", NOW - 30 * DAY);
  index_add (index, "exactly", NOW - 7 * DAY);
  index_add (index, "almost", NOW - 7 * DAY + 1);
  index_add (index, "recent", NOW - DAY);
  /* Downloaded yesterday, but on the server for eight days. */
  index_add (index, "seen-early", NOW - DAY);
  mw_uid_index_set_seen_since (index, "seen-early", NOW - 8 * DAY);
  index_save (index);

  p = plan (listing, G_N_ELEMENTS (listing), index, &after7);
  ASSERT_PLAN (p, "5", "old,exactly,seen-early", "", MW_FETCH_WARNING_NONE);
}

static void
test_after_zero_days (void)
{
  g_autoptr (MwUidIndex) index = index_new ();
  g_autoptr (MwFetchPlan) p = NULL;
  MwFetchPolicy policy = { MW_LEAVE_POLICY_DELETE_AFTER_DAYS, 0, 0 };

  index_add (index, "a", NOW);
  index_add (index, "b", NOW + DAY); /* a clock that ran ahead */
  index_save (index);
  p = plan (three, 3, index, &policy);
  ASSERT_PLAN (p, "3", "a", "", MW_FETCH_WARNING_NONE);
}

static void
test_max_size (void)
{
  g_autoptr (MwUidIndex) index = index_new ();
  g_autoptr (MwFetchPlan) p = NULL;
  MwFetchPolicy                policy = { MW_LEAVE_POLICY_DELETE_AFTER_DOWNLOAD, 0, 200 };
  static const MwServerMessage listing[] = {
    { 1, 100, "a" },
    { 2, 200, "b" },
    { 3, 201, "c" },
    { 4, 5000, "stored-big" },
  };

  /* A big message the user downloaded by hand is stored like any other. */
  index_add (index, "stored-big", NOW);
  index_save (index);

  p = plan (listing, G_N_ELEMENTS (listing), index, &policy);
  ASSERT_PLAN (p, "1,2", "stored-big", "3big", MW_FETCH_WARNING_NONE);
}

static void
test_no_uidl (void)
{
  g_autoptr (MwUidIndex) index = index_new ();
  g_autoptr (MwFetchPlan) p = NULL;
  MwFetchPolicy                policy = { MW_LEAVE_POLICY_DELETE_AFTER_DOWNLOAD, 0, 250 };
  static const MwServerMessage listing[] = {
    { 1, 100, NULL },
    { 2, 200, NULL },
    { 3, 300, NULL },
  };

  index_add (index, "a", NOW - 100 * DAY);
  index_save (index);

  p = plan (listing, 3, index, &policy);
  ASSERT_PLAN (p, "1,2", "", "3big", MW_FETCH_WARNING_NO_UIDL);
  /* Without UIDs nothing can be said to have vanished. */
  g_assert_null (mw_fetch_plan_get_vanished (p)[0]);
}

static void
test_partial_uidl (void)
{
  g_autoptr (MwUidIndex) index = index_new ();
  g_autoptr (MwFetchPlan) p = NULL;
  static const MwServerMessage listing[] = {
    { 1, 100, "a" },
    { 2, 200, NULL },
    { 3, 300, "c" },
  };

  index_add (index, "a", NOW - 100 * DAY);
  index_save (index);

  p = plan (listing, 3, index, &delete_now);
  ASSERT_PLAN (p, "1,2,3", "", "", MW_FETCH_WARNING_NO_UIDL);
}

static void
test_duplicate_uids (void)
{
  g_autoptr (MwUidIndex) index = index_new ();
  g_autoptr (MwFetchPlan) p = NULL;
  static const MwServerMessage listing[] = {
    { 1, 100, "a" },
    { 2, 200, "a" },
    { 3, 300, "b" },
    { 4, 400, "b" },
    { 5, 500, "c" },
  };

  index_add (index, "a", NOW - 100 * DAY);
  index_add (index, "c", NOW - 100 * DAY);
  index_save (index);

  p = plan (listing, G_N_ELEMENTS (listing), index, &delete_now);
  ASSERT_PLAN (p, "3,4", "c", "", MW_FETCH_WARNING_DUPLICATE_UIDS);
}

static void
test_invalid_uids (void)
{
  g_autoptr (MwUidIndex) index = index_new ();
  g_autoptr (MwFetchPlan) p = NULL;
  g_autofree char *too_long = g_strnfill (71, 'x');
  MwServerMessage  listing[] = {
     { 1, 100, "has space" },
     { 2, 200, "" },
     { 3, 300, too_long },
     { 4, 400, "fine" },
  };

  p = plan (listing, G_N_ELEMENTS (listing), index, &delete_now);
  ASSERT_PLAN (p, "4", "", "1uid,2uid,3uid", MW_FETCH_WARNING_INVALID_UIDS);
}

static void
test_vanished (void)
{
  g_autoptr (MwUidIndex) index = index_new ();
  g_autoptr (MwFetchPlan) p = NULL;

  index_add (index, "a", NOW);
  index_add (index, "gone-1", NOW);
  index_add (index, "gone-2", NOW);
  p = plan (three, 3, index, &keep);
  g_assert_cmpstrv (mw_fetch_plan_get_vanished (p), ((const char *[]){ "gone-1", "gone-2", NULL }));
}

static void
test_corrupt_index (void)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "uid-index", NULL);
  g_autoptr (MwUidIndex) index = mw_uid_index_new (path);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (MwFetchPlan) p = NULL;
  GAsyncResult *pending = NULL;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "mailwire-uid-index 1\na\tf\t1\t1\n", -1, NULL));
  mw_uid_index_load_async (index, NULL, mw_test_result_cb, &pending);
  result = mw_test_wait (&pending);
  g_assert_false (mw_uid_index_load_finish (index, result, &error));
  g_clear_error (&error);

  /* A damaged index must not turn into "download everything again". */
  p = mw_fetch_plan_new (three, 3, index, &delete_now, NOW, &error);
  g_assert_error (error, MW_STORE_ERROR, MW_STORE_ERROR_INDEX_CORRUPT);
  g_assert_null (p);
  g_clear_error (&error);

  mw_uid_index_recover (index);
  p = plan (three, 3, index, &delete_now);
  ASSERT_PLAN (p, "2,3", "a", "", MW_FETCH_WARNING_NONE);
}

static void
test_remap (void)
{
  /* Another client deleted message 1 since the plan was made: numbers moved. */
  static const MwServerMessage session[] = {
    { 1, 200, "b" },
    { 2, 300, "c" },
    { 3, 400, "d" },
    { 4, 400, "d" },
  };
  const char *uids[] = { "a", "c", "b", "d", NULL };
  g_autoptr (GArray) numbers = NULL;
  g_auto (GStrv) unmapped = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (mw_fetch_remap_uids (uids, session, G_N_ELEMENTS (session), &numbers, &unmapped, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (numbers->len, ==, 2);
  g_assert_cmpuint (g_array_index (numbers, guint, 0), ==, 2);
  g_assert_cmpuint (g_array_index (numbers, guint, 1), ==, 1);
  g_assert_cmpstrv (unmapped, ((const char *[]){ "a", "d", NULL }));
}

static void
test_remap_no_uidl (void)
{
  static const MwServerMessage session[] = {
    { 1, 200, NULL },
  };
  const char *uids[] = { "a", NULL };
  g_autoptr (GArray) numbers = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_false (mw_fetch_remap_uids (uids, session, 1, &numbers, NULL, &error));
  g_assert_error (error, MW_STORE_ERROR, MW_STORE_ERROR_NO_UIDL);
  g_assert_null (numbers);
}

/* Random listings and indexes against the invariants of the data-safety
 * rules, whatever the policy. */
static void
test_invariants (void)
{
  const MwFetchPolicy policies[] = {
    keep,
    delete_now,
    after7,
    { MW_LEAVE_POLICY_DELETE_AFTER_DAYS, 0, 150 },
    { MW_LEAVE_POLICY_DELETE_AFTER_DOWNLOAD, 0, 100 },
  };

  for (guint round = 0; round < 300; round++)
    {
      g_autoptr (MwUidIndex) index = index_new ();
      g_autoptr (GPtrArray) uid_storage = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
      MwServerMessage messages[24];
      size_t          n = g_test_rand_int_range (0, G_N_ELEMENTS (messages));
      gboolean        uidl = g_test_rand_int_range (0, 8) != 0;
      guint           n_saved_adds = g_test_rand_int_range (0, 20);

      for (guint i = 0; i < 20; i++)
        {
          char *uid = g_strdup_printf ("u%u", i);

          g_ptr_array_add (uid_storage, uid);
          if (g_test_rand_bit ())
            {
              index_add (index, uid, NOW - g_test_rand_int_range (0, 20) * DAY);
              if (i == n_saved_adds)
                index_save (index);
            }
        }

      for (size_t i = 0; i < n; i++)
        {
          messages[i].number = i + 1;
          messages[i].size = g_test_rand_int_range (1, 300);
          messages[i].uid = uidl ? uid_storage->pdata[g_test_rand_int_range (0, 22) % 20] : NULL;
          if (uidl && g_test_rand_int_range (0, 30) == 0)
            messages[i].uid = "bad uid";
          if (messages[i].uid != NULL)
            g_hash_table_insert (listed, (gpointer) messages[i].uid,
                                 GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (listed, messages[i].uid)) + 1));
        }

      for (size_t k = 0; k < G_N_ELEMENTS (policies); k++)
        {
          const MwFetchPolicy *policy = &policies[k];
          g_autoptr (MwFetchPlan) p = plan (messages, n, index, policy);
          const char *const *del = mw_fetch_plan_get_deletions (p);
          size_t             n_dl, n_skip;
          const guint       *dl = mw_fetch_plan_get_downloads (p, &n_dl);
          const MwFetchSkip *skips = mw_fetch_plan_get_skipped (p, &n_skip);

          /* Rule 1: only durably stored, unambiguous UIDs, and only when the
           * policy asks for it. */
          for (guint i = 0; del[i] != NULL; i++)
            {
              g_assert_true (uidl);
              g_assert_cmpint (policy->leave, !=, MW_LEAVE_POLICY_KEEP);
              g_assert_true (mw_uid_index_is_durable (index, del[i]));
              g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (listed, del[i])), ==, 1);
              if (policy->leave == MW_LEAVE_POLICY_DELETE_AFTER_DAYS)
                g_assert_cmpint (mw_uid_index_get_seen_since (index, del[i]), <=, NOW - policy->days * DAY);
            }

          /* Every message is downloaded, skipped, or already stored. */
          for (size_t i = 0; i < n; i++)
            {
              gboolean is_dl = FALSE, is_skip = FALSE;

              for (size_t j = 0; j < n_dl; j++)
                is_dl |= dl[j] == messages[i].number;
              for (size_t j = 0; j < n_skip; j++)
                is_skip |= skips[j].number == messages[i].number;

              g_assert_false (is_dl && is_skip);
              if (is_dl && policy->max_size != 0)
                g_assert_cmpuint (messages[i].size, <=, policy->max_size);
              if (!is_dl && !is_skip)
                g_assert_true (uidl && mw_uid_index_contains (index, messages[i].uid));
              if (is_dl && uidl)
                g_assert_false (mw_uid_index_contains (index, messages[i].uid));
              if (is_dl)
                for (guint j = 0; del[j] != NULL; j++)
                  g_assert_cmpstr (del[j], !=, messages[i].uid);
            }

          if (!uidl)
            g_assert_null (del[0]);
        }
    }
}

static char *
header_uid (const char *headers)
{
  return mw_fetch_header_uid (headers, strlen (headers));
}

static void
test_header_uid (void)
{
  static const char plain[] =
    "Received: from mx.example.org by pop.example.org; Mon, 2 Mar 2026 10:00:00 +0000\r\n"
    "From: Alice <alice@example.org>\r\n"
    "To: bob@example.org\r\n"
    "Subject: Quarterly figures for the\r\n"
    " north office\r\n"
    "Date: Mon, 2 Mar 2026 09:59:58 +0000\r\n"
    "Message-ID: <q1@example.org>\r\n"
    "\r\n";
  /* What a server may show once the message was read: new lines, the
   * same message. */
  static const char after_reading[] =
    "Status: RO\n"
    "X-UIDL: 0a1b2c\n"
    "Received: from mx.example.org by pop.example.org;   Mon, 2 Mar 2026 10:00:00 +0000\n"
    "from: Alice <alice@example.org>\n"
    "To:   bob@example.org\n"
    "Subject: Quarterly figures for the north office\n"
    "X-Keywords: $Seen\n"
    "Date: Mon, 2 Mar 2026 09:59:58 +0000\n"
    "Message-ID: <q1@example.org>\n"
    "\n"
    "The body is not part of it.\n";
  static const char other[] =
    "From: Alice <alice@example.org>\r\n"
    "To: bob@example.org\r\n"
    "Subject: Quarterly figures for the north office\r\n"
    "Date: Mon, 2 Mar 2026 09:59:58 +0000\r\n"
    "Message-ID: <q2@example.org>\r\n"
    "\r\n";
  g_autofree char *a = header_uid (plain);
  g_autofree char *b = header_uid (after_reading);
  g_autofree char *c = header_uid (other);
  g_autofree char *with_body = g_strconcat (plain, "Message-ID: <q9@example.org>\r\n", NULL);
  g_autofree char *d = header_uid (with_body);
  g_autofree char *e = header_uid ("X-Spam: yes\r\nStatus: RO\r\n\r\nFrom: someone\r\n");
  g_autofree char *f = header_uid ("");
  g_autofree char *g = header_uid ("Subject: one\r\n\r\n");
  g_autofree char *h = header_uid ("Subject: two\r\n\r\n");

  g_assert_nonnull (a);
  g_assert_cmpuint (strlen (a), ==, 65);
  g_assert_cmpint (a[0], ==, '~');
  g_assert_true (mw_uid_is_valid (a, NULL));
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, c);
  /* Reading stops at the first empty line. */
  g_assert_cmpstr (a, ==, d);
  g_assert_null (e);
  g_assert_null (f);
  g_assert_nonnull (g);
  g_assert_cmpstr (g, !=, h);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/fetch-plan/empty", test_empty);
  g_test_add_func ("/store/fetch-plan/keep", test_keep);
  g_test_add_func ("/store/fetch-plan/delete-after-download", test_delete_after_download);
  g_test_add_func ("/store/fetch-plan/after-days", test_after_days);
  g_test_add_func ("/store/fetch-plan/after-zero-days", test_after_zero_days);
  g_test_add_func ("/store/fetch-plan/max-size", test_max_size);
  g_test_add_func ("/store/fetch-plan/no-uidl", test_no_uidl);
  g_test_add_func ("/store/fetch-plan/partial-uidl", test_partial_uidl);
  g_test_add_func ("/store/fetch-plan/duplicate-uids", test_duplicate_uids);
  g_test_add_func ("/store/fetch-plan/invalid-uids", test_invalid_uids);
  g_test_add_func ("/store/fetch-plan/vanished", test_vanished);
  g_test_add_func ("/store/fetch-plan/corrupt-index", test_corrupt_index);
  g_test_add_func ("/store/fetch-plan/remap", test_remap);
  g_test_add_func ("/store/fetch-plan/remap-no-uidl", test_remap_no_uidl);
  g_test_add_func ("/store/fetch-plan/invariants", test_invariants);
  g_test_add_func ("/store/fetch-plan/header-uid", test_header_uid);

  return g_test_run ();
}
