/* test-message-summary.c: headers from TOP, flags and problems
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-message-summary.h"

#include "mw-core-enums.h"

#include <string.h>

static MwMessageSummary *
summary_with (const char *headers,
              gboolean    expect_clean)
{
  MwMessageSummary *summary = mw_message_summary_new (1, 4096);
  gboolean          clean = mw_message_summary_set_headers (summary, headers, strlen (headers));

  g_assert_true (mw_message_summary_has_headers (summary));
  if (expect_clean)
    {
      g_assert_cmpstr (mw_message_summary_get_problem (summary), ==, NULL);
      g_assert_true (clean);
    }
  else
    {
      g_assert_false (clean);
      g_assert_true (mw_message_summary_get_flags (summary) & MW_MESSAGE_FLAG_MALFORMED_HEADERS);
      g_assert_nonnull (mw_message_summary_get_problem (summary));
      g_test_message ("problem: %s", mw_message_summary_get_problem (summary));
    }
  return summary;
}

static void
assert_valid_strings (MwMessageSummary *summary)
{
  const char *values[] = {
    mw_message_summary_get_from (summary),
    mw_message_summary_get_from_address (summary),
    mw_message_summary_get_to (summary),
    mw_message_summary_get_subject (summary),
    mw_message_summary_get_message_id (summary),
    mw_message_summary_get_problem (summary),
  };

  for (size_t i = 0; i < G_N_ELEMENTS (values); i++)
    {
      if (values[i] == NULL)
        continue;
      g_assert_true (g_utf8_validate (values[i], -1, NULL));
      g_assert_cmpuint (g_utf8_strlen (values[i], -1), <=, MW_MESSAGE_SUMMARY_MAX_TEXT + 1);
      for (const char *p = values[i]; *p != '\0'; p++)
        g_assert_cmpint ((guchar) *p, >=, 0x20);
    }
}

static const char normal_headers[] =
  "Return-Path: <alice@example.com>\r\n"
  "Received: from mail.example.com (mail.example.com [192.0.2.1])\r\n"
  "\tby pop.example.org with ESMTPS id 4Xy2; Tue, 10 Nov 2026 09:15:04 +0100\r\n"
  "From: \"Alice Example\" <alice@example.com>\r\n"
  "To: Bob <bob@example.org>, carol@example.net\r\n"
  "Subject: Quarterly report,\r\n"
  " second quarter\r\n"
  "Date: Tue, 10 Nov 2026 09:15:02 +0100\r\n"
  "Message-ID: <20261110091502.1234@example.com>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: text/plain; charset=utf-8\r\n"
  "\r\n";

static void
test_normal (void)
{
  g_autoptr (MwMessageSummary) summary = summary_with (normal_headers, TRUE);
  GDateTime *date = mw_message_summary_get_date (summary);

  g_assert_cmpuint (mw_message_summary_get_number (summary), ==, 1);
  g_assert_cmpuint (mw_message_summary_get_size (summary), ==, 4096);
  g_assert_cmpstr (mw_message_summary_get_from (summary), ==, "Alice Example");
  g_assert_cmpstr (mw_message_summary_get_from_address (summary), ==, "alice@example.com");
  g_assert_cmpstr (mw_message_summary_get_to (summary), ==, "Bob <bob@example.org>, carol@example.net");
  g_assert_cmpstr (mw_message_summary_get_subject (summary), ==, "Quarterly report, second quarter");
  g_assert_cmpstr (mw_message_summary_get_message_id (summary), ==, "20261110091502.1234@example.com");
  g_assert_false (mw_message_summary_get_has_attachments (summary));
  g_assert_cmpint (mw_message_summary_get_flags (summary), ==, MW_MESSAGE_FLAG_NONE);

  g_assert_nonnull (date);
  g_assert_cmpint (g_date_time_to_unix (date), ==, 1794298502);
  g_assert_cmpint (g_date_time_get_utc_offset (date), ==, G_TIME_SPAN_HOUR);
}

static void
test_lf_only (void)
{
  g_autofree char *lf = NULL;
  g_auto (GStrv) lines = g_strsplit (normal_headers, "\r\n", -1);
  g_autoptr (MwMessageSummary) summary = NULL;

  lf = g_strjoinv ("\n", lines);
  summary = summary_with (lf, TRUE);
  g_assert_cmpstr (mw_message_summary_get_subject (summary), ==, "Quarterly report, second quarter");
}

static void
test_encoded_words (void)
{
  g_autoptr (MwMessageSummary) summary = summary_with (
    "From: =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>\n"
    "To: =?UTF-8?B?0JzQsNGA0LjRjw==?= <maria@example.ru>,\n"
    " =?iso-2022-jp?B?GyRCJDMkcyRLJEEkTxsoQg==?= <taro@example.jp>\n"
    "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= =?UTF-8?Q?_aus_K=C3=B6ln?= and\n"
    " =?windows-1252?Q?=80_100?=\n"
    "Date: Mon, 9 Nov 2026 18:00:00 -0500\n"
    "Message-ID: <encoded@example.com>\n"
    "\n",
    TRUE);

  g_assert_cmpstr (mw_message_summary_get_from (summary), ==, "André Pirard");
  g_assert_cmpstr (mw_message_summary_get_from_address (summary), ==, "PIRARD@vm1.ulg.ac.be");
  g_assert_cmpstr (mw_message_summary_get_to (summary), ==,
                   "Мария <maria@example.ru>, こんにちは <taro@example.jp>");
  g_assert_cmpstr (mw_message_summary_get_subject (summary), ==, "Grüße aus Köln and € 100");
  assert_valid_strings (summary);
}

static void
test_raw_utf8 (void)
{
  /* RFC 6532 allows UTF-8 in headers. */
  g_autoptr (MwMessageSummary) summary = summary_with (
    "From: Jörg Müller <joerg@example.de>\n"
    "Subject: Über den Wolken\n"
    "Date: Mon, 9 Nov 2026 18:00:00 +0000\n"
    "\n",
    TRUE);

  g_assert_cmpstr (mw_message_summary_get_from (summary), ==, "Jörg Müller");
  g_assert_cmpstr (mw_message_summary_get_subject (summary), ==, "Über den Wolken");
}

static void
test_undeclared_charset (void)
{
  g_autoptr (MwMessageSummary) summary = summary_with (
    "From: Fran\xe7ois <francois@example.fr>\n"
    "Subject: Caf\xe9 cr\xe8me \x80 \x81\xff\n"
    "Date: Mon, 9 Nov 2026 18:00:00 +0000\n"
    "\n",
    FALSE);

  g_assert_cmpstr (mw_message_summary_get_from (summary), ==, "François");
  g_assert_true (g_str_has_prefix (mw_message_summary_get_subject (summary), "Café crème"));
  assert_valid_strings (summary);
}

static void
test_unknown_charset (void)
{
  g_autoptr (MwMessageSummary) summary = mw_message_summary_new (3, 100);
  const char *headers =
    "From: =?x-no-such-charset?Q?Mr=E9_X?= <x@example.com>\n"
    "Subject: =?x-no-such-charset?B?//79/A==?= and =?UTF-8?B?not*base64?=\n"
    "Date: Mon, 9 Nov 2026 18:00:00 +0000\n"
    "\n";

  mw_message_summary_set_headers (summary, headers, strlen (headers));
  g_assert_nonnull (mw_message_summary_get_subject (summary));
  g_assert_cmpstr (mw_message_summary_get_from_address (summary), ==, "x@example.com");
  assert_valid_strings (summary);
}

static void
test_bad_date (void)
{
  g_autoptr (MwMessageSummary) summary = summary_with (
    "From: a@example.com\n"
    "Subject: When?\n"
    "Date: sometime last week-ish\n"
    "\n",
    FALSE);

  g_assert_null (mw_message_summary_get_date (summary));
  g_assert_cmpstr (mw_message_summary_get_problem (summary), ==, "The Date header cannot be read.");
  g_assert_cmpstr (mw_message_summary_get_subject (summary), ==, "When?");
}

static void
test_missing_headers (void)
{
  g_autoptr (MwMessageSummary) summary = summary_with (
    "Received: from somewhere\n"
    "X-Spam: yes\n"
    "\n",
    FALSE);

  g_assert_null (mw_message_summary_get_from (summary));
  g_assert_null (mw_message_summary_get_from_address (summary));
  g_assert_null (mw_message_summary_get_to (summary));
  g_assert_null (mw_message_summary_get_subject (summary));
  g_assert_null (mw_message_summary_get_date (summary));
  g_assert_null (mw_message_summary_get_message_id (summary));
  g_assert_cmpstr (mw_message_summary_get_problem (summary), ==, "The message has no From header.");
}

static void
test_missing_subject_is_fine (void)
{
  g_autoptr (MwMessageSummary) summary = summary_with (
    "From: a@example.com\n"
    "Date: Mon, 9 Nov 2026 18:00:00 +0000\n"
    "\n",
    TRUE);

  g_assert_null (mw_message_summary_get_subject (summary));
  g_assert_cmpstr (mw_message_summary_get_from (summary), ==, "a@example.com");
}

static void
test_empty_from (void)
{
  g_autoptr (MwMessageSummary) summary = summary_with (
    "From: undisclosed-recipients:;\n"
    "Date: Mon, 9 Nov 2026 18:00:00 +0000\n"
    "\n",
    FALSE);

  g_assert_null (mw_message_summary_get_from_address (summary));
  assert_valid_strings (summary);
}

static void
test_huge_line (void)
{
  g_autoptr (GString) headers = g_string_new ("From: a@example.com\n"
                                              "Date: Mon, 9 Nov 2026 18:00:00 +0000\n"
                                              "Subject: ");
  g_autoptr (MwMessageSummary) summary = NULL;
  const char *subject;

  for (int i = 0; i < 200 * 1024; i++)
    g_string_append_c (headers, "abcdefgh "[i % 9]);
  g_string_append (headers, "\nX-After: 1\n\n");

  summary = summary_with (headers->str, FALSE);
  subject = mw_message_summary_get_subject (summary);
  g_assert_nonnull (subject);
  g_assert_true (g_str_has_prefix (subject, "abcdefgh abcdefgh"));
  g_assert_true (g_str_has_suffix (subject, "…"));
  g_assert_cmpuint (g_utf8_strlen (subject, -1), ==, MW_MESSAGE_SUMMARY_MAX_TEXT + 1);
  g_assert_cmpstr (mw_message_summary_get_problem (summary), ==, "A header line is longer than 998 bytes.");
  assert_valid_strings (summary);
}

static void
test_too_large (void)
{
  g_autoptr (GString) headers = g_string_new ("From: a@example.com\n"
                                              "Date: Mon, 9 Nov 2026 18:00:00 +0000\n");
  g_autoptr (MwMessageSummary) summary = mw_message_summary_new (1, 1);

  while (headers->len <= MW_MESSAGE_SUMMARY_MAX_HEADERS + 100)
    g_string_append (headers, "X-Filler: 0123456789012345678901234567890123456789\n");
  g_string_append (headers, "Subject: too late\n\n");

  g_assert_false (mw_message_summary_set_headers (summary, headers->str, headers->len));
  g_assert_null (mw_message_summary_get_subject (summary));
  g_assert_cmpstr (mw_message_summary_get_from (summary), ==, "a@example.com");
  g_assert_true (mw_message_summary_get_flags (summary) & MW_MESSAGE_FLAG_MALFORMED_HEADERS);
}

static void
test_nul_bytes (void)
{
  static const char headers[] =
    "From: Eve <eve@example.com>\n"
    "Subject: nul\0inside\n"
    "Date: Mon, 9 Nov 2026 18:00:00 +0000\n"
    "\n";
  g_autoptr (MwMessageSummary) summary = mw_message_summary_new (1, 1);

  g_assert_false (mw_message_summary_set_headers (summary, headers, sizeof headers - 1));
  g_assert_cmpstr (mw_message_summary_get_subject (summary), ==, "nul inside");
  g_assert_nonnull (mw_message_summary_get_date (summary));
  g_assert_cmpstr (mw_message_summary_get_problem (summary), ==, "The headers contain NUL bytes.");
}

static void
test_no_blank_line (void)
{
  g_autoptr (MwMessageSummary) summary = summary_with (
    "From: a@example.com\r\n"
    "Subject: cut\r\n"
    "Date: Mon, 9 Nov 2026 18:00:00 +0000",
    FALSE);

  g_assert_cmpstr (mw_message_summary_get_subject (summary), ==, "cut");
  g_assert_nonnull (mw_message_summary_get_date (summary));
  g_assert_cmpstr (mw_message_summary_get_problem (summary), ==,
                   "The headers end without an empty line, so they may be cut short.");
}

static void
test_body_ignored (void)
{
  g_autoptr (MwMessageSummary) summary = summary_with (
    "From: a@example.com\n"
    "Date: Mon, 9 Nov 2026 18:00:00 +0000\n"
    "\n"
    "Subject: not a header\n"
    "From: b@example.com\n",
    TRUE);

  g_assert_null (mw_message_summary_get_subject (summary));
  g_assert_cmpstr (mw_message_summary_get_from (summary), ==, "a@example.com");
}

static void
test_attachments (void)
{
  g_autoptr (MwMessageSummary) mixed = summary_with (
    "From: a@example.com\n"
    "Date: Mon, 9 Nov 2026 18:00:00 +0000\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed;\n"
    " boundary=\"=-abc\"\n"
    "\n",
    TRUE);
  g_autoptr (MwMessageSummary) alternative = summary_with (
    "From: a@example.com\n"
    "Date: Mon, 9 Nov 2026 18:00:00 +0000\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/alternative; boundary=x\n"
    "\n",
    TRUE);

  g_assert_true (mw_message_summary_get_has_attachments (mixed));
  g_assert_false (mw_message_summary_get_has_attachments (alternative));
}

static void
test_garbage (void)
{
  static const char *cases[] = {
    "",
    "\n",
    "\r\n",
    ":\n\n",
    "This is not a header at all\n\n",
    "From a@example.com Mon Nov  9 18:00:00 2026\nSubject: mbox\n\n",
    "\x01\x02\x03\xff\xfe\n\n",
    "Subject: =?\n\n",
    "Subject: =?UTF-8?Q?\n\n",
    "From: <<<@@@>>>\n\n",
    "From: \"unterminated <a@example.com>\n\n",
    "Content-Type: multipart/mixed\n\n",
    "Content-Type: ;;;===\n\n",
    "Date: Mon, 99 Foo 99999 99:99:99 +9999\n\n",
    "\t folded first line\nSubject: x\n\n",
    "Subject: a\rb\rc\n\n",
    "Subject: \xc3\n\n",
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (MwMessageSummary) summary = mw_message_summary_new ((guint) i + 1, 10);

      g_test_message ("case %zu", i);
      g_assert_false (mw_message_summary_set_headers (summary, cases[i], strlen (cases[i])));
      g_assert_true (mw_message_summary_get_flags (summary) & MW_MESSAGE_FLAG_MALFORMED_HEADERS);
      g_assert_nonnull (mw_message_summary_get_problem (summary));
      assert_valid_strings (summary);
    }
}

static void
test_random_bytes (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261123);

  for (int round = 0; round < 300; round++)
    {
      g_autoptr (MwMessageSummary) summary = mw_message_summary_new (1, 1);
      size_t           len = (size_t) g_rand_int_range (rand, 0, 2000);
      g_autofree char *data = g_malloc (len + 1);

      for (size_t i = 0; i < len; i++)
        {
          /* Mostly header-like bytes, some of anything. */
          if (g_rand_int_range (rand, 0, 4) == 0)
            data[i] = (char) g_rand_int_range (rand, 0, 256);
          else
            data[i] = "From: =?UTF-8?Q?a=C3?=<@>\r\n\t;,\"Subject Date:"[g_rand_int_range (rand, 0, 44)];
        }
      mw_message_summary_set_headers (summary, data, len);
      assert_valid_strings (summary);
    }
}

static void
test_truncated_everywhere (void)
{
  size_t len = strlen (normal_headers);

  for (size_t cut = 0; cut < len; cut++)
    {
      g_autoptr (MwMessageSummary) summary = mw_message_summary_new (1, 1);

      mw_message_summary_set_headers (summary, normal_headers, cut);
      assert_valid_strings (summary);
      if (cut < len - 2)
        g_assert_true (mw_message_summary_get_flags (summary) & MW_MESSAGE_FLAG_MALFORMED_HEADERS);
    }
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           GString    *log)
{
  g_string_append_printf (log, "%s;", pspec->name);
}

static void
test_notify (void)
{
  g_autoptr (MwMessageSummary) summary = mw_message_summary_new (1, 10);
  g_autoptr (GString) log = g_string_new (NULL);

  g_signal_connect (summary, "notify", G_CALLBACK (notify_cb), log);

  mw_message_summary_set_number (summary, 1);
  mw_message_summary_set_size (summary, 10);
  mw_message_summary_set_uid (summary, NULL);
  g_assert_cmpstr (log->str, ==, "");

  mw_message_summary_set_uid (summary, "UID-1");
  mw_message_summary_set_uid (summary, "UID-1");
  mw_message_summary_set_number (summary, 2);
  mw_message_summary_set_size (summary, 11);
  g_assert_cmpstr (log->str, ==, "uid;number;size;");
  g_assert_cmpstr (mw_message_summary_get_uid (summary), ==, "UID-1");
  g_string_truncate (log, 0);

  mw_message_summary_set_headers (summary, normal_headers, strlen (normal_headers));
  g_assert_nonnull (strstr (log->str, "subject;"));
  g_assert_nonnull (strstr (log->str, "date;"));
  g_assert_null (strstr (log->str, "flags;"));
  g_string_truncate (log, 0);

  /* The same headers again change nothing. */
  mw_message_summary_set_headers (summary, normal_headers, strlen (normal_headers));
  g_assert_cmpstr (log->str, ==, "");

  mw_message_summary_add_flags (summary, MW_MESSAGE_FLAG_DELETED);
  mw_message_summary_add_flags (summary, MW_MESSAGE_FLAG_DELETED);
  g_assert_cmpstr (log->str, ==, "flags;");
  g_string_truncate (log, 0);

  /* Frozen notifications come in no particular order. */
  mw_message_summary_add_flags (summary, MW_MESSAGE_FLAG_OVERSIZE);
  g_assert_cmpuint (log->len, ==, strlen ("flags;problem;"));
  g_assert_nonnull (strstr (log->str, "flags;"));
  g_assert_nonnull (strstr (log->str, "problem;"));
}

static void
test_flags_and_problem (void)
{
  g_autoptr (MwMessageSummary) summary = mw_message_summary_new (7, 50 * 1024 * 1024);
  GFlagsClass   *klass = g_type_class_ref (MW_TYPE_MESSAGE_FLAGS);
  MwMessageFlags flags = 0;

  g_assert_null (mw_message_summary_get_problem (summary));
  g_assert_false (mw_message_summary_has_headers (summary));

  mw_message_summary_add_flags (summary, MW_MESSAGE_FLAG_DELETED | MW_MESSAGE_FLAG_DOWNLOADED);
  g_assert_null (mw_message_summary_get_problem (summary));

  mw_message_summary_add_flags (summary, MW_MESSAGE_FLAG_NO_UID);
  g_assert_nonnull (mw_message_summary_get_problem (summary));
  mw_message_summary_add_flags (summary, MW_MESSAGE_FLAG_OVERSIZE);
  g_assert_cmpstr (mw_message_summary_get_problem (summary), ==, "This message is larger than the size limit.");
  mw_message_summary_add_flags (summary, MW_MESSAGE_FLAG_DOWNLOAD_FAILED);
  g_assert_cmpstr (mw_message_summary_get_problem (summary), ==, "The last attempt to download this message failed.");

  mw_message_summary_remove_flags (summary, MW_MESSAGE_FLAG_DOWNLOAD_FAILED | MW_MESSAGE_FLAG_OVERSIZE | MW_MESSAGE_FLAG_NO_UID);
  g_assert_null (mw_message_summary_get_problem (summary));
  g_assert_cmpint (mw_message_summary_get_flags (summary), ==, MW_MESSAGE_FLAG_DELETED | MW_MESSAGE_FLAG_DOWNLOADED);

  /* Every flag has a nick, every problem flag a sentence. */
  for (guint i = 0; i < klass->n_values; i++)
    {
      MwMessageFlags one = klass->values[i].value;

      if (one == MW_MESSAGE_FLAG_NONE)
        continue;
      flags |= one;
      mw_message_summary_set_flags (summary, one);
      if (one == MW_MESSAGE_FLAG_DELETED || one == MW_MESSAGE_FLAG_DOWNLOADED)
        g_assert_null (mw_message_summary_get_problem (summary));
      else
        g_assert_nonnull (mw_message_summary_get_problem (summary));
    }
  g_assert_cmpuint (flags, ==, 0xff);
  g_type_class_unref (klass);

  /* NO_HEADERS goes once headers arrive. */
  mw_message_summary_set_flags (summary, MW_MESSAGE_FLAG_NO_HEADERS);
  mw_message_summary_set_headers (summary, normal_headers, strlen (normal_headers));
  g_assert_cmpint (mw_message_summary_get_flags (summary), ==, MW_MESSAGE_FLAG_NONE);
  g_assert_null (mw_message_summary_get_problem (summary));

  /* Broken headers then good ones clear the flag. */
  mw_message_summary_set_headers (summary, "garbage", 7);
  g_assert_cmpint (mw_message_summary_get_flags (summary), ==, MW_MESSAGE_FLAG_MALFORMED_HEADERS);
  mw_message_summary_set_headers (summary, normal_headers, strlen (normal_headers));
  g_assert_cmpint (mw_message_summary_get_flags (summary), ==, MW_MESSAGE_FLAG_NONE);
}

static void
test_properties (void)
{
  g_autoptr (MwMessageSummary) summary = mw_message_summary_new (4, 123);
  g_autofree char *subject = NULL;
  g_autofree char *uid = NULL;
  g_autoptr (GDateTime) date = NULL;
  guint          number = 0;
  guint64        size = 0;
  MwMessageFlags flags = 0;

  g_object_set (summary, "uid", "abc", "flags", MW_MESSAGE_FLAG_NO_UID, NULL);
  mw_message_summary_set_headers (summary, normal_headers, strlen (normal_headers));
  g_object_get (summary,
                "number", &number,
                "size", &size,
                "uid", &uid,
                "subject", &subject,
                "date", &date,
                "flags", &flags,
                NULL);
  g_assert_cmpuint (number, ==, 4);
  g_assert_cmpuint (size, ==, 123);
  g_assert_cmpstr (uid, ==, "abc");
  g_assert_cmpstr (subject, ==, "Quarterly report, second quarter");
  g_assert_nonnull (date);
  g_assert_cmpint (flags, ==, MW_MESSAGE_FLAG_NO_UID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/message-summary/headers/normal", test_normal);
  g_test_add_func ("/core/message-summary/headers/lf-only", test_lf_only);
  g_test_add_func ("/core/message-summary/headers/encoded-words", test_encoded_words);
  g_test_add_func ("/core/message-summary/headers/raw-utf8", test_raw_utf8);
  g_test_add_func ("/core/message-summary/headers/undeclared-charset", test_undeclared_charset);
  g_test_add_func ("/core/message-summary/headers/unknown-charset", test_unknown_charset);
  g_test_add_func ("/core/message-summary/headers/bad-date", test_bad_date);
  g_test_add_func ("/core/message-summary/headers/missing", test_missing_headers);
  g_test_add_func ("/core/message-summary/headers/missing-subject", test_missing_subject_is_fine);
  g_test_add_func ("/core/message-summary/headers/empty-from", test_empty_from);
  g_test_add_func ("/core/message-summary/headers/huge-line", test_huge_line);
  g_test_add_func ("/core/message-summary/headers/too-large", test_too_large);
  g_test_add_func ("/core/message-summary/headers/nul-bytes", test_nul_bytes);
  g_test_add_func ("/core/message-summary/headers/no-blank-line", test_no_blank_line);
  g_test_add_func ("/core/message-summary/headers/body-ignored", test_body_ignored);
  g_test_add_func ("/core/message-summary/headers/attachments", test_attachments);
  g_test_add_func ("/core/message-summary/headers/garbage", test_garbage);
  g_test_add_func ("/core/message-summary/headers/random-bytes", test_random_bytes);
  g_test_add_func ("/core/message-summary/headers/truncated", test_truncated_everywhere);
  g_test_add_func ("/core/message-summary/notify", test_notify);
  g_test_add_func ("/core/message-summary/flags-and-problem", test_flags_and_problem);
  g_test_add_func ("/core/message-summary/properties", test_properties);

  return g_test_run ();
}
