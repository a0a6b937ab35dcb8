/* test-reply-explainer.c
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "mw-reply-explainer.h"

typedef struct
{
  MwReplyProtocol protocol;
  const char     *reply;
  MwReplyKind     kind;
  const char     *words; /* must occur in the sentence */
} Case;

/* The replies people meet in the field guides, and what they must read. */
static const Case field_guide[] = {
  { MW_REPLY_PROTOCOL_POP3, "-ERR [AUTH] Password supplied for \"user\" is incorrect.", MW_REPLY_KIND_PERMANENT, "password is wrong" },
  { MW_REPLY_PROTOCOL_POP3, "-ERR [IN-USE] /var/mail/user lock busy! Is another session active? (11)", MW_REPLY_KIND_TEMPORARY, "Another program" },
  { MW_REPLY_PROTOCOL_POP3, "-ERR [SYS/TEMP] Unable to copy mail spool file, quota exceeded", MW_REPLY_KIND_TEMPORARY, "out of space" },
  { MW_REPLY_PROTOCOL_POP3, "-ERR [AUTH] PAM authentication failed for user", MW_REPLY_KIND_PERMANENT, "damaged mailbox" },
  { MW_REPLY_PROTOCOL_POP3, "-ERR Unable to process From lines (envelopes), change recognition modes.", MW_REPLY_KIND_PERMANENT, "damaged" },
  { MW_REPLY_PROTOCOL_SMTP, "452 4.4.5 Insufficient disk space; try again later", MW_REPLY_KIND_TEMPORARY, "temporarily full" },
  { MW_REPLY_PROTOCOL_SMTP, "501 5.1.8 <a@nowhere.invalid>: Sender address rejected: Sender domain must exist", MW_REPLY_KIND_PERMANENT, "does not exist" },
  { MW_REPLY_PROTOCOL_SMTP, "503 5.5.1 Need MAIL before RCPT", MW_REPLY_KIND_PERMANENT, "out of order" },
  { MW_REPLY_PROTOCOL_SMTP, "550 5.7.1 <x@example.com>... Relaying Denied", MW_REPLY_KIND_PERMANENT, "will not pass mail on" },
  { MW_REPLY_PROTOCOL_SMTP, "530 5.7.0 Must issue a STARTTLS command first", MW_REPLY_KIND_PERMANENT, "requires encryption" },
  { MW_REPLY_PROTOCOL_SMTP, "535 5.7.8 Authentication credentials invalid", MW_REPLY_KIND_PERMANENT, "app password" },
  { MW_REPLY_PROTOCOL_SMTP, "552 5.3.4 Message size exceeds fixed limit", MW_REPLY_KIND_PERMANENT, "larger than the server accepts" },
  { MW_REPLY_PROTOCOL_SMTP, "421 4.3.2 mail.example.com Service not available, closing connection", MW_REPLY_KIND_TEMPORARY, "ending the session" },
  /* Codes alone. */
  { MW_REPLY_PROTOCOL_POP3, "-ERR [LOGIN-DELAY] wait", MW_REPLY_KIND_TEMPORARY, "sooner than the server allows" },
  { MW_REPLY_PROTOCOL_POP3, "-ERR [SYS/PERM] broken", MW_REPLY_KIND_PERMANENT, "lasting problem" },
  { MW_REPLY_PROTOCOL_POP3, "-ERR no such message", MW_REPLY_KIND_PERMANENT, "refused" },
  { MW_REPLY_PROTOCOL_POP3, "+OK 2 messages", MW_REPLY_KIND_SUCCESS, "agreed" },
  { MW_REPLY_PROTOCOL_POP3, "+ ", MW_REPLY_KIND_INTERMEDIATE, "login" },
  { MW_REPLY_PROTOCOL_POP3, "HTTP/1.1 400 Bad Request", MW_REPLY_KIND_UNKNOWN, "not a POP3 reply" },
  { MW_REPLY_PROTOCOL_SMTP, "550 5.1.1 <nobody@example.org>: Recipient address rejected", MW_REPLY_KIND_PERMANENT, "does not exist" },
  { MW_REPLY_PROTOCOL_SMTP, "552 5.2.2 Mailbox full", MW_REPLY_KIND_PERMANENT, "mailbox is full" },
  { MW_REPLY_PROTOCOL_SMTP, "250-mail.example.com\n250-PIPELINING\n250 SIZE 1000", MW_REPLY_KIND_SUCCESS, "Done" },
  { MW_REPLY_PROTOCOL_SMTP, "354 End data with <CR><LF>.<CR><LF>", MW_REPLY_KIND_INTERMEDIATE, "single dot" },
  { MW_REPLY_PROTOCOL_SMTP, "459 something new", MW_REPLY_KIND_TEMPORARY, "for now" },
  { MW_REPLY_PROTOCOL_SMTP, "+OK POP3 ready", MW_REPLY_KIND_UNKNOWN, "not an SMTP reply" },
  { MW_REPLY_PROTOCOL_SMTP, "", MW_REPLY_KIND_UNKNOWN, "not an SMTP reply" },
};

static void
test_field_guide (void)
{
  for (size_t i = 0; i < G_N_ELEMENTS (field_guide); i++)
    {
      const Case *c = &field_guide[i];
      g_autoptr (MwReplyExplanation) explanation = mw_reply_explain (c->protocol, c->reply);
      g_autofree char *text = mw_reply_explanation_to_string (explanation);

      g_test_message ("%s → %s", c->reply, text);
      g_assert_cmpint (explanation->kind, ==, c->kind);
      g_assert_nonnull (strstr (explanation->sentence, c->words));
      g_assert_true (g_str_has_prefix (text, explanation->sentence));
    }
}

static void
test_codes_parsed (void)
{
  g_autoptr (MwReplyExplanation) smtp = mw_reply_explain (MW_REPLY_PROTOCOL_SMTP, "535 5.7.8 Error: authentication failed");
  g_autoptr (MwReplyExplanation) pop3 = mw_reply_explain (MW_REPLY_PROTOCOL_POP3, "-ERR [SYS/TEMP/QUOTA] later");
  g_autoptr (MwReplyExplanation) mismatch = mw_reply_explain (MW_REPLY_PROTOCOL_SMTP, "550 4.1.1 class disagrees");

  g_assert_cmpint (smtp->code, ==, 535);
  g_assert_cmpstr (smtp->enhanced, ==, "5.7.8");
  g_assert_cmpstr (smtp->detail, ==, "Permanent failure: Authentication credentials invalid");

  /* A sub-code is understood through its parent. */
  g_assert_cmpstr (pop3->response, ==, "SYS/TEMP/QUOTA");
  g_assert_cmpint (pop3->kind, ==, MW_REPLY_KIND_TEMPORARY);

  /* An enhanced code whose class contradicts the reply code is ignored. */
  g_assert_cmpstr (mismatch->enhanced, ==, "");
}

static void
test_every_enhanced_pair (void)
{
  const int classes[] = { 2, 4, 5 };

  /* RFC 3463 defines subjects 0 to 7; every class and subject pair, with
   * any detail, gets words. */
  for (size_t c = 0; c < G_N_ELEMENTS (classes); c++)
    for (int subject = 0; subject <= 7; subject++)
      for (int detail = 0; detail <= 30; detail++)
        {
          g_autofree char *text = mw_enhanced_status_describe (classes[c], subject, detail);

          g_assert_nonnull (text);
          g_assert_cmpuint (strlen (text), >, 10);
        }

  g_assert_null (mw_enhanced_status_describe (3, 0, 0));
  g_assert_null (mw_enhanced_status_describe (5, 8, 0));
}

static void
test_enhanced_parse (void)
{
  int k, s, d;

  g_assert_cmpuint (mw_enhanced_status_parse ("5.7.8 bad", &k, &s, &d), ==, 5);
  g_assert_cmpint (k, ==, 5);
  g_assert_cmpint (s, ==, 7);
  g_assert_cmpint (d, ==, 8);
  g_assert_cmpuint (mw_enhanced_status_parse ("4.4.10", &k, &s, &d), ==, 6);
  g_assert_cmpuint (mw_enhanced_status_parse ("3.0.0 x", &k, &s, &d), ==, 0);
  g_assert_cmpuint (mw_enhanced_status_parse ("5.7", &k, &s, &d), ==, 0);
  g_assert_cmpuint (mw_enhanced_status_parse ("5.7.8x", &k, &s, &d), ==, 0);
  g_assert_cmpuint (mw_enhanced_status_parse ("5.7.8888", &k, &s, &d), ==, 0);
  g_assert_cmpuint (mw_enhanced_status_parse ("", &k, &s, &d), ==, 0);
  g_assert_cmpuint (mw_enhanced_status_parse (NULL, &k, &s, &d), ==, 0);
}

static void
test_every_smtp_code (void)
{
  /* Any three-digit code of the standard classes gets a sentence. */
  for (int code = 200; code < 600; code++)
    {
      g_autofree char *reply = g_strdup_printf ("%d text", code);
      g_autoptr (MwReplyExplanation) explanation = mw_reply_explain (MW_REPLY_PROTOCOL_SMTP, reply);

      g_assert_nonnull (explanation->sentence);
      g_assert_cmpint (explanation->code, ==, code);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/reply-explainer/field-guide", test_field_guide);
  g_test_add_func ("/core/reply-explainer/codes-parsed", test_codes_parsed);
  g_test_add_func ("/core/reply-explainer/every-enhanced-pair", test_every_enhanced_pair);
  g_test_add_func ("/core/reply-explainer/enhanced-parse", test_enhanced_parse);
  g_test_add_func ("/core/reply-explainer/every-smtp-code", test_every_smtp_code);

  return g_test_run ();
}
