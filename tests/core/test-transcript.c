/* test-transcript.c
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-transcript.h"

typedef struct
{
  guint removed;
  guint added;
  guint signals;
} Changes;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Changes    *changes)
{
  changes->removed += removed;
  changes->added += added;
  changes->signals++;
}

static MwTranscriptEntry *
nth (MwTranscript *transcript,
     guint         n)
{
  MwTranscriptEntry *entry = g_list_model_get_item (G_LIST_MODEL (transcript), n);

  /* The model keeps its own reference. */
  g_object_unref (entry);
  return entry;
}

static void
test_append (void)
{
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  Changes            changes = { 0 };
  MwTranscriptEntry *entry;
  g_autofree char   *formatted = NULL;

  g_signal_connect (transcript, "items-changed", G_CALLBACK (items_changed_cb), &changes);

  mw_transcript_append (transcript, MW_TRANSCRIPT_CLIENT, 0, "USER bob", -1);
  mw_transcript_append (transcript, MW_TRANSCRIPT_SERVER, 0, "+OK", -1);
  mw_transcript_note (transcript, MW_TRANSCRIPT_FLAG_TLS, "TLS established: %s", "TLS 1.3");

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (transcript)), ==, 3);
  g_assert_cmpuint (changes.added, ==, 3);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (transcript)) == MW_TYPE_TRANSCRIPT_ENTRY);

  entry = nth (transcript, 0);
  g_assert_cmpint (mw_transcript_entry_get_direction (entry), ==, MW_TRANSCRIPT_CLIENT);
  g_assert_cmpstr (mw_transcript_entry_get_text (entry), ==, "USER bob");
  g_assert_nonnull (mw_transcript_entry_get_time (entry));

  entry = nth (transcript, 2);
  g_assert_cmpint (mw_transcript_entry_get_direction (entry), ==, MW_TRANSCRIPT_NOTE);
  g_assert_true (mw_transcript_entry_get_flags (entry) & MW_TRANSCRIPT_FLAG_TLS);

  formatted = mw_transcript_entry_format (nth (transcript, 1));
  g_assert_true (g_str_has_suffix (formatted, " S: +OK"));
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (transcript), 3));
}

static void
test_bounded (void)
{
  g_autoptr (MwTranscript) transcript = mw_transcript_new (100);
  Changes          changes = { 0 };
  g_autofree char *text = NULL;

  g_signal_connect (transcript, "items-changed", G_CALLBACK (items_changed_cb), &changes);

  for (int i = 0; i < 1000; i++)
    {
      g_autofree char *line = g_strdup_printf ("+OK %d", i);
      mw_transcript_append (transcript, MW_TRANSCRIPT_SERVER, 0, line, -1);
    }

  /* Never more than the bound; the oldest go first, in batches. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (transcript)), <=, 100);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (transcript)), >=, 90);
  g_assert_cmpuint (mw_transcript_get_dropped (transcript) + g_list_model_get_n_items (G_LIST_MODEL (transcript)), ==, 1000);
  g_assert_cmpuint (changes.added - changes.removed, ==, g_list_model_get_n_items (G_LIST_MODEL (transcript)));
  g_assert_cmpstr (mw_transcript_entry_get_text (nth (transcript, g_list_model_get_n_items (G_LIST_MODEL (transcript)) - 1)), ==, "+OK 999");

  text = mw_transcript_to_text (transcript);
  g_assert_true (strstr (text, "earlier entries dropped") != NULL);
  g_assert_null (strstr (text, "+OK 0\n"));
}

static void
test_sanitize (void)
{
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  const char         raw[] = "a\x1b[31mb\0c\xff";
  g_autofree char   *huge = g_strnfill (100000, 'x');
  MwTranscriptEntry *entry;

  entry = mw_transcript_append (transcript, MW_TRANSCRIPT_SERVER, 0, raw, sizeof raw - 1);
  /* Terminal escapes, NUL and invalid UTF-8 are shown, not obeyed. */
  g_assert_cmpstr (mw_transcript_entry_get_text (entry), ==, "a\\x1B[31mb\\x00c\\xFF");
  g_assert_true (mw_transcript_entry_get_flags (entry) & MW_TRANSCRIPT_FLAG_BINARY);
  g_assert_true (g_utf8_validate (mw_transcript_entry_get_text (entry), -1, NULL));

  entry = mw_transcript_append (transcript, MW_TRANSCRIPT_SERVER, 0, huge, -1);
  g_assert_cmpuint (strlen (mw_transcript_entry_get_text (entry)), <, MW_TRANSCRIPT_MAX_TEXT + 64);
  g_assert_true (mw_transcript_entry_get_flags (entry) & MW_TRANSCRIPT_FLAG_TRUNCATED);
  g_assert_cmpuint (mw_transcript_entry_get_bytes (entry), ==, 100000);

  entry = mw_transcript_append (transcript, MW_TRANSCRIPT_SERVER, 0, "Grüße\tok", -1);
  g_assert_cmpstr (mw_transcript_entry_get_text (entry), ==, "Grüße\tok");
  g_assert_cmpint (mw_transcript_entry_get_flags (entry), ==, 0);
}

static void
test_fold (void)
{
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  MwTranscriptEntry *entry;

  entry = mw_transcript_append_body (transcript, MW_TRANSCRIPT_SERVER, 4213, 319488);
  g_assert_true (mw_transcript_entry_get_flags (entry) & MW_TRANSCRIPT_FLAG_FOLDED);
  g_assert_cmpuint (mw_transcript_entry_get_lines (entry), ==, 4213);
  g_assert_cmpuint (mw_transcript_entry_get_bytes (entry), ==, 319488);
  g_assert_true (strstr (mw_transcript_entry_get_text (entry), "4213 lines") != NULL);
  g_assert_true (strstr (mw_transcript_entry_get_text (entry), "319488 bytes") != NULL);

  /* A small body says its size once. */
  entry = mw_transcript_append_body (transcript, MW_TRANSCRIPT_SERVER, 8, 273);
  g_assert_cmpstr (mw_transcript_entry_get_text (entry), ==, "… 8 lines, 273 bytes");
}

static void
test_export_and_clear (void)
{
  g_autoptr (MwTranscript) transcript = mw_transcript_new (0);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  mw_transcript_append (transcript, MW_TRANSCRIPT_CLIENT, MW_TRANSCRIPT_FLAG_REDACTED, "PASS ********", -1);
  mw_transcript_append (transcript, MW_TRANSCRIPT_SERVER, 0, "+OK logged in", -1);

  text = mw_transcript_to_text (transcript);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_true (g_str_has_suffix (lines[0], " C: PASS ********"));
  g_assert_true (g_str_has_suffix (lines[1], " S: +OK logged in"));
  g_assert_cmpstr (lines[2], ==, "");

  mw_transcript_clear (transcript);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (transcript)), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/transcript/append", test_append);
  g_test_add_func ("/core/transcript/bounded", test_bounded);
  g_test_add_func ("/core/transcript/sanitize", test_sanitize);
  g_test_add_func ("/core/transcript/fold", test_fold);
  g_test_add_func ("/core/transcript/export-and-clear", test_export_and_clear);

  return g_test_run ();
}
