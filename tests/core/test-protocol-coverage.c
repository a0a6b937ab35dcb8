/* test-protocol-coverage.c: every command and reply of the field guides has a fate
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Walks tests/data/protocol-coverage.md, the list of commands and replies
 * that the old "telnet to port 110/25" guides name, and checks that each is
 * used, offered in the console with help, refused with a reason, or (ESMTP
 * keywords) explained in words; and that every reply gets a sentence.
 */

#include "config.h"

#include <string.h>

#include "mw-protocol-commands.h"
#include "mw-reply-explainer.h"

typedef struct
{
  MwReplyProtocol protocol;
  char           *names; /* first column */
  char           *fate;  /* second column */
} Row;

static void
row_free (Row *row)
{
  g_free (row->names);
  g_free (row->fate);
  g_free (row);
}

static char *
cell (const char *text)
{
  g_autofree char *copy = g_strdup (text);
  g_autoptr (GString) out = g_string_new (NULL);

  g_strstrip (copy);
  /* Drop markdown backticks. */
  for (const char *p = copy; *p != '\0'; p++)
    if (*p != '`')
      g_string_append_c (out, *p);

  return g_strdup (out->str);
}

/* Rows of the command tables and the replies table. */
static void
load (GPtrArray *commands,
      GPtrArray *replies)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "protocol-coverage.md", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  MwReplyProtocol protocol = MW_REPLY_PROTOCOL_POP3;
  gboolean        in_replies = FALSE;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      g_auto (GStrv) cells = NULL;
      Row *row;

      if (g_str_has_prefix (line, "## POP3"))
        protocol = MW_REPLY_PROTOCOL_POP3, in_replies = FALSE;
      else if (g_str_has_prefix (line, "## SMTP"))
        protocol = MW_REPLY_PROTOCOL_SMTP, in_replies = FALSE;
      else if (g_str_has_prefix (line, "## Replies"))
        in_replies = TRUE;

      if (!g_str_has_prefix (line, "| ") || g_str_has_prefix (line, "|---"))
        continue;

      cells = g_strsplit (line + 1, " | ", -1);
      if (g_strv_length (cells) < 2)
        continue;
      if (g_str_has_prefix (cells[0], " command") || g_str_has_prefix (cells[0], " reply"))
        continue;

      row = g_new0 (Row, 1);
      row->protocol = protocol;
      row->names = cell (cells[0]);
      row->fate = cell (cells[1]);
      g_ptr_array_add (in_replies ? replies : commands, row);
    }
}

/* "USER name / PASS string" → USER, PASS; "SEND, SOML, SAML" → each;
 * "MAIL FROM:<addr> [...]" → MAIL. */
static GPtrArray *
names_of (const char *column)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) parts = g_regex_split_simple ("\\s*(?:/|,)\\s*", column, 0, 0);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *p = parts[i];
      size_t      len = 0;

      while (p[len] != '\0' && (g_ascii_isupper (p[len]) || g_ascii_isdigit (p[len]) || p[len] == '-'))
        len++;
      if (len >= 2)
        g_ptr_array_add (names, g_strndup (p, len));
    }

  return names;
}

static void
test_commands (void)
{
  g_autoptr (GPtrArray) commands = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  g_autoptr (GPtrArray) replies = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  guint checked = 0;

  load (commands, replies);
  g_assert_cmpuint (commands->len, >=, 40);

  for (guint i = 0; i < commands->len; i++)
    {
      Row *row = g_ptr_array_index (commands, i);
      g_autoptr (GPtrArray) names = names_of (row->names);

      g_assert_cmpuint (names->len, >, 0);
      for (guint j = 0; j < names->len; j++)
        {
          const char              *name = g_ptr_array_index (names, j);
          const MwProtocolCommand *command = mw_protocol_command_lookup (row->protocol, name);
          gboolean                 keyword = row->protocol == MW_REPLY_PROTOCOL_SMTP && mw_protocol_keyword_is_known (row->protocol, name);

          g_test_message ("%s %s: %s", row->protocol == MW_REPLY_PROTOCOL_POP3 ? "POP3" : "SMTP", name, row->fate);
          checked++;

          if (command == NULL)
            {
              /* Not a command: an ESMTP keyword, explained in words. */
              g_assert_true (keyword);
              g_assert_null (strstr (row->fate, "console"));
              continue;
            }

          g_assert_cmpuint (strlen (mw_protocol_command_get_help (command)), >, 20);
          g_assert_nonnull (command->standard);

          if (strstr (row->fate, "refused in the console") != NULL)
            {
              g_assert_cmpint (command->fate, ==, MW_COMMAND_FATE_REFUSED);
              g_assert_nonnull (mw_protocol_command_get_refusal (command));
            }
          else if (g_str_has_prefix (row->fate, "console"))
            {
              g_assert_cmpint (command->fate, ==, MW_COMMAND_FATE_CONSOLE);
            }
          else
            {
              g_assert_cmpint (command->fate, ==, MW_COMMAND_FATE_USED);
            }
        }
    }

  g_test_message ("%u commands and keywords checked", checked);
}

static void
test_replies (void)
{
  g_autoptr (GPtrArray) commands = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  g_autoptr (GPtrArray) replies = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  const char *const pop3_codes[] = { "IN-USE", "LOGIN-DELAY", "SYS/TEMP", "SYS/PERM", "AUTH" };

  load (commands, replies);
  g_assert_cmpuint (replies->len, >=, 13);

  for (guint i = 0; i < replies->len; i++)
    {
      Row            *row = g_ptr_array_index (replies, i);
      MwReplyProtocol protocol = g_ascii_isdigit (row->names[0]) ? MW_REPLY_PROTOCOL_SMTP : MW_REPLY_PROTOCOL_POP3;
      g_autoptr (MwReplyExplanation) explanation = mw_reply_explain (protocol, row->names);

      g_test_message ("%s → %s", row->names, explanation->sentence);
      g_assert_cmpint (explanation->kind, !=, MW_REPLY_KIND_UNKNOWN);
      g_assert_cmpint (explanation->kind, !=, MW_REPLY_KIND_SUCCESS);
      g_assert_nonnull (explanation->sentence);
    }

  /* The response codes named under the POP3 table. */
  for (size_t i = 0; i < G_N_ELEMENTS (pop3_codes); i++)
    {
      g_autofree char *reply = g_strdup_printf ("-ERR [%s] text", pop3_codes[i]);
      g_autoptr (MwReplyExplanation) explanation = mw_reply_explain (MW_REPLY_PROTOCOL_POP3, reply);

      g_assert_nonnull (explanation->detail);
    }
}

static void
test_multiline (void)
{
  g_assert_true (mw_pop3_command_is_multiline ("CAPA"));
  g_assert_true (mw_pop3_command_is_multiline ("list"));
  g_assert_true (mw_pop3_command_is_multiline ("LIST "));
  g_assert_false (mw_pop3_command_is_multiline ("LIST 3"));
  g_assert_true (mw_pop3_command_is_multiline ("UIDL"));
  g_assert_false (mw_pop3_command_is_multiline ("UIDL 1"));
  g_assert_true (mw_pop3_command_is_multiline ("TOP 1 0"));
  g_assert_true (mw_pop3_command_is_multiline ("RETR 2"));
  g_assert_false (mw_pop3_command_is_multiline ("STAT"));
  g_assert_false (mw_pop3_command_is_multiline ("DELE 1"));
  g_assert_false (mw_pop3_command_is_multiline ("CAPABILITIES"));
}

static void
test_redact (void)
{
  char *display = NULL;

  g_assert_true (mw_protocol_command_redact (MW_REPLY_PROTOCOL_POP3, "PASS hunter2", &display));
  g_assert_cmpstr (display, ==, "PASS ********");
  g_clear_pointer (&display, g_free);

  g_assert_true (mw_protocol_command_redact (MW_REPLY_PROTOCOL_POP3, "pass two words", &display));
  g_assert_null (strstr (display, "two"));
  g_clear_pointer (&display, g_free);

  g_assert_true (mw_protocol_command_redact (MW_REPLY_PROTOCOL_POP3, "APOP bob c4c9334bac560ecc979e58001b3e22fb", &display));
  g_assert_cmpstr (display, ==, "APOP bob ********");
  g_clear_pointer (&display, g_free);

  g_assert_true (mw_protocol_command_redact (MW_REPLY_PROTOCOL_SMTP, "AUTH PLAIN AGJvYgBzZWNyZXQ=", &display));
  g_assert_cmpstr (display, ==, "AUTH PLAIN ********");
  g_clear_pointer (&display, g_free);

  g_assert_false (mw_protocol_command_redact (MW_REPLY_PROTOCOL_SMTP, "AUTH LOGIN", &display));
  g_assert_false (mw_protocol_command_redact (MW_REPLY_PROTOCOL_POP3, "USER bob", &display));
  g_assert_false (mw_protocol_command_redact (MW_REPLY_PROTOCOL_SMTP, "PASS x", &display));
  g_assert_null (display);
}

static void
test_keywords (void)
{
  g_assert_nonnull (mw_esmtp_keyword_explain ("SIZE 52428800"));
  g_assert_nonnull (mw_esmtp_keyword_explain ("AUTH PLAIN LOGIN"));
  g_assert_nonnull (mw_esmtp_keyword_explain ("AUTH=LOGIN"));
  g_assert_nonnull (mw_esmtp_keyword_explain ("x-link2state"));
  g_assert_null (mw_esmtp_keyword_explain ("X-UNHEARD-OF"));
  g_assert_nonnull (mw_pop3_capability_explain ("SASL PLAIN LOGIN"));
  g_assert_nonnull (mw_pop3_capability_explain ("LOGIN-DELAY 900"));
  g_assert_null (mw_pop3_capability_explain (NULL));
}

/* The commands that are not EHLO keywords or CAPA tags themselves. */
static const char *const smtp_verbs[] = { "HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "QUIT", NULL };
static const char *const pop3_verbs[] = { "PASS", "APOP", "AUTH", "STAT", "LIST", "RETR", "DELE", "RSET", "NOOP", "QUIT", "LAST", NULL };

/* Every keyword of PROTOCOL-COVERAGE.md gets its own sentence through
 * mw_protocol_explain_keyword(), never the one for an unknown keyword. */
static void
test_keyword_sentences (void)
{
  g_autoptr (GPtrArray) commands = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  g_autoptr (GPtrArray) replies = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  g_autofree char *unknown_smtp = mw_protocol_explain_keyword (MW_REPLY_PROTOCOL_SMTP, "X-UNHEARD-OF");
  g_autofree char *unknown_pop3 = mw_protocol_explain_keyword (MW_REPLY_PROTOCOL_POP3, "X-UNHEARD-OF");
  guint            checked = 0;

  load (commands, replies);
  for (guint i = 0; i < commands->len; i++)
    {
      Row *row = g_ptr_array_index (commands, i);
      g_autoptr (GPtrArray) names = names_of (row->names);
      const char *const *verbs = row->protocol == MW_REPLY_PROTOCOL_SMTP ? smtp_verbs : pop3_verbs;

      for (guint j = 0; j < names->len; j++)
        {
          const char      *name = g_ptr_array_index (names, j);
          g_autofree char *sentence = NULL;

          if (g_strv_contains (verbs, name))
            continue;

          sentence = mw_protocol_explain_keyword (row->protocol, name);
          g_test_message ("%s %s: %s", row->protocol == MW_REPLY_PROTOCOL_POP3 ? "CAPA" : "EHLO", name, sentence);
          g_assert_true (mw_protocol_keyword_is_known (row->protocol, name));
          g_assert_nonnull (sentence);
          g_assert_cmpuint (strlen (sentence), >, 20);
          g_assert_cmpstr (sentence, !=, row->protocol == MW_REPLY_PROTOCOL_SMTP ? unknown_smtp : unknown_pop3);
          g_assert_true (g_str_has_suffix (sentence, "."));
          checked++;
        }
    }
  /* PIPELINING … XEXCH50 in the SMTP table, USER, CAPA, STLS, UIDL, TOP
   * in the POP3 one. */
  g_assert_cmpuint (checked, >=, 30);
}

/* Keywords with arguments are explained with them; unknown ones are named
 * and said to be unknown. */
static void
test_keyword_arguments (void)
{
  struct
  {
    MwReplyProtocol protocol;
    const char     *line;
    const char     *expected[3];
  } cases[] = {
    { MW_REPLY_PROTOCOL_SMTP, "SIZE 52428800", { "52428800 bytes", "RFC 1870" } },
    { MW_REPLY_PROTOCOL_SMTP, "SIZE", { "MAIL FROM", "RFC 1870" } },
    { MW_REPLY_PROTOCOL_SMTP, "AUTH PLAIN LOGIN XOAUTH2", { "PLAIN LOGIN XOAUTH2", "RFC 4954" } },
    { MW_REPLY_PROTOCOL_SMTP, "AUTH=LOGIN PLAIN", { "LOGIN PLAIN", "RFC 4954" } },
    { MW_REPLY_PROTOCOL_SMTP, "AUTH", { "none listed" } },
    { MW_REPLY_PROTOCOL_SMTP, "X-EXPS GSSAPI NTLM", { "Exchange", "GSSAPI NTLM" } },
    { MW_REPLY_PROTOCOL_SMTP, "x-link2state", { "Exchange", "link state" } },
    { MW_REPLY_PROTOCOL_SMTP, "XEXCH50", { "Exchange" } },
    { MW_REPLY_PROTOCOL_SMTP, "SUBMITTER", { "RFC 4405" } },
    { MW_REPLY_PROTOCOL_SMTP, "DSN", { "RFC 3461" } },
    { MW_REPLY_PROTOCOL_SMTP, "CHUNKING", { "BDAT", "RFC 3030" } },
    { MW_REPLY_PROTOCOL_SMTP, "LIMITS RCPTMAX=100", { "RCPTMAX=100" } },
    { MW_REPLY_PROTOCOL_SMTP, "X-UNHEARD-OF 1 2", { "“X-UNHEARD-OF”", "does not know" } },
    { MW_REPLY_PROTOCOL_POP3, "SASL SCRAM-SHA-256 PLAIN", { "SCRAM-SHA-256 PLAIN", "RFC 5034" } },
    { MW_REPLY_PROTOCOL_POP3, "LOGIN-DELAY 900", { "900 seconds" } },
    { MW_REPLY_PROTOCOL_POP3, "LOGIN-DELAY 0", { "at any time" } },
    { MW_REPLY_PROTOCOL_POP3, "EXPIRE 30", { "30 days" } },
    { MW_REPLY_PROTOCOL_POP3, "EXPIRE NEVER", { "for ever" } },
    { MW_REPLY_PROTOCOL_POP3, "EXPIRE 0", { "once they have been read" } },
    { MW_REPLY_PROTOCOL_POP3, "IMPLEMENTATION Shlemazle Plotz", { "“Shlemazle Plotz”" } },
    { MW_REPLY_PROTOCOL_POP3, "CAPA", { "RFC 2449" } },
    { MW_REPLY_PROTOCOL_POP3, "XTND", { "“XTND”", "does not know" } },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *sentence = mw_protocol_explain_keyword (cases[i].protocol, cases[i].line);

      g_test_message ("%s → %s", cases[i].line, sentence);
      for (size_t j = 0; j < G_N_ELEMENTS (cases[i].expected) && cases[i].expected[j] != NULL; j++)
        g_assert_nonnull (strstr (sentence, cases[i].expected[j]));
    }

  g_assert_false (mw_protocol_keyword_is_known (MW_REPLY_PROTOCOL_SMTP, "X-UNHEARD-OF"));
  g_assert_false (mw_protocol_keyword_is_known (MW_REPLY_PROTOCOL_POP3, "SIZE"));
  g_assert_true (mw_protocol_keyword_is_known (MW_REPLY_PROTOCOL_SMTP, "auth=login"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/protocol-coverage/commands", test_commands);
  g_test_add_func ("/core/protocol-coverage/replies", test_replies);
  g_test_add_func ("/core/protocol-coverage/pop3-multiline", test_multiline);
  g_test_add_func ("/core/protocol-coverage/console-redaction", test_redact);
  g_test_add_func ("/core/protocol-coverage/keywords", test_keywords);
  g_test_add_func ("/core/protocol-coverage/keyword-sentences", test_keyword_sentences);
  g_test_add_func ("/core/protocol-coverage/keyword-arguments", test_keyword_arguments);

  return g_test_run ();
}
