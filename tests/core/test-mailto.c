/* test-mailto.c
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "mw-core-enums.h"
#include "mw-mailto.h"

#define NONE ((const char *[]){ NULL })

static MwMailto *
parse_ok (const char *uri)
{
  g_autoptr (GError) error = NULL;
  MwMailto *mailto;

  {
    /* Test inputs may hold invalid UTF-8; TAP output must not. */
    g_autofree char *shown = g_utf8_make_valid (uri, -1);
    g_test_message ("%s", shown);
  }
  mailto = mw_mailto_parse (uri, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mailto);
  g_assert_nonnull (mailto->to);
  g_assert_nonnull (mailto->cc);
  g_assert_nonnull (mailto->bcc);
  g_assert_nonnull (mailto->ignored);

  return mailto;
}

static void
assert_fails (const char *uri,
              int         code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwMailto) mailto = NULL;

  {
    /* Test inputs may hold invalid UTF-8; TAP output must not. */
    g_autofree char *shown = g_utf8_make_valid (uri, -1);
    g_test_message ("%s", shown);
  }
  mailto = mw_mailto_parse (uri, &error);
  g_assert_error (error, MW_MAILTO_ERROR, code);
  g_assert_null (mailto);
  /* Messages are sentences for people, never empty. */
  g_assert_cmpuint (strlen (error->message), >, 10);
}

static void
assert_strv (GStrv        actual,
             const char **expected)
{
  g_assert_true (g_strv_equal ((const char *const *) actual, expected));
}

/* RFC 6068 §6.1, in order. */
static void
test_rfc_basic (void)
{
  g_autoptr (MwMailto) chris = parse_ok ("mailto:chris@example.com");
  g_autoptr (MwMailto) subject = parse_ok ("mailto:infobot@example.com?subject=current-issue");
  g_autoptr (MwMailto) body = parse_ok ("mailto:infobot@example.com?body=send%20current-issue");
  g_autoptr (MwMailto) lines = parse_ok ("mailto:infobot@example.com?body=send%20current-issue%0D%0Asend%20index");
  g_autoptr (MwMailto) reply = parse_ok ("mailto:list@example.org?In-Reply-To=%3C3469A91.D10AF4C@example.com%3E");
  g_autoptr (MwMailto) majordomo = parse_ok ("mailto:majordomo@example.com?body=subscribe%20bamboo-l");
  g_autoptr (MwMailto) joe = parse_ok ("mailto:joe@example.com?cc=bob@example.com&body=hello");
  g_autoptr (MwMailto) gorby = parse_ok ("mailto:gorby%25kremvax@example.com");
  g_autoptr (MwMailto) unlikely = parse_ok ("mailto:unlikely%3Faddress@example.com?blat=foop");
  g_autoptr (MwMailto) mike = parse_ok ("mailto:Mike%26family@example.org");
  /* The same message in HTML is written with "&amp;"; the URI is this. */
  g_autoptr (MwMailto) html = parse_ok ("mailto:joe@an.example?cc=bob@an.example&body=hello");

  assert_strv (chris->to, (const char *[]){ "chris@example.com", NULL });
  g_assert_null (chris->subject);
  g_assert_null (chris->body);
  g_assert_null (chris->in_reply_to);
  assert_strv (chris->cc, NONE);
  assert_strv (chris->bcc, NONE);
  assert_strv (chris->ignored, NONE);

  assert_strv (subject->to, (const char *[]){ "infobot@example.com", NULL });
  g_assert_cmpstr (subject->subject, ==, "current-issue");

  g_assert_cmpstr (body->body, ==, "send current-issue");
  g_assert_cmpstr (lines->body, ==, "send current-issue\nsend index");

  assert_strv (reply->to, (const char *[]){ "list@example.org", NULL });
  g_assert_cmpstr (reply->in_reply_to, ==, "<3469A91.D10AF4C@example.com>");

  g_assert_cmpstr (majordomo->body, ==, "subscribe bamboo-l");

  assert_strv (joe->to, (const char *[]){ "joe@example.com", NULL });
  assert_strv (joe->cc, (const char *[]){ "bob@example.com", NULL });
  g_assert_cmpstr (joe->body, ==, "hello");

  assert_strv (gorby->to, (const char *[]){ "gorby%kremvax@example.com", NULL });

  assert_strv (unlikely->to, (const char *[]){ "unlikely?address@example.com", NULL });
  assert_strv (unlikely->ignored, (const char *[]){ "blat", NULL });

  assert_strv (mike->to, (const char *[]){ "Mike&family@example.org", NULL });

  assert_strv (html->to, (const char *[]){ "joe@an.example", NULL });
  assert_strv (html->cc, (const char *[]){ "bob@an.example", NULL });
  g_assert_cmpstr (html->body, ==, "hello");
}

/* RFC 6068 §6.1: three ways to write the same two recipients. */
static void
test_rfc_two_recipients (void)
{
  const char *uris[] = {
    "mailto:addr1@an.example,addr2@an.example",
    "mailto:?to=addr1@an.example,addr2@an.example",
    "mailto:addr1@an.example?to=addr2@an.example",
  };

  for (size_t i = 0; i < G_N_ELEMENTS (uris); i++)
    {
      g_autoptr (MwMailto) mailto = parse_ok (uris[i]);

      assert_strv (mailto->to, (const char *[]){ "addr1@an.example", "addr2@an.example", NULL });
    }
}

/* RFC 6068 §6.2: addresses that need quoting. */
static void
test_rfc_complicated (void)
{
  g_autoptr (MwMailto) at = parse_ok ("mailto:%22not%40me%22@example.org");
  g_autoptr (MwMailto) backslash = parse_ok ("mailto:%22oh%5C%5Cno%22@example.org");
  g_autoptr (MwMailto) ugly = parse_ok ("mailto:%22%5C%5C%5C%22it's%5C%20ugly%5C%5C%5C%22%22@example.org");

  assert_strv (at->to, (const char *[]){ "\"not@me\"@example.org", NULL });
  assert_strv (backslash->to, (const char *[]){ "\"oh\\\\no\"@example.org", NULL });
  assert_strv (ugly->to, (const char *[]){ "\"\\\\\\\"it's\\ ugly\\\\\\\"\"@example.org", NULL });
}

/* RFC 6068 §6.3: non-ASCII text, percent-encoded or as encoded words. */
static void
test_rfc_utf8 (void)
{
  g_autoptr (MwMailto) cafe = parse_ok ("mailto:user@example.org?subject=caf%C3%A9");
  g_autoptr (MwMailto) q_utf8 = parse_ok ("mailto:user@example.org?subject=%3D%3Futf-8%3FQ%3Fcaf%3DC3%3DA9%3F%3D");
  g_autoptr (MwMailto) q_latin1 = parse_ok ("mailto:user@example.org?subject=%3D%3Fiso-8859-1%3FQ%3Fcaf%3DE9%3F%3D");
  g_autoptr (MwMailto) both = parse_ok ("mailto:user@example.org?subject=caf%C3%A9&body=caf%C3%A9");
  g_autoptr (MwMailto) natto = parse_ok ("mailto:user@%E7%B4%8D%E8%B1%86.example.org?subject=Test&body=NATTO");

  g_assert_cmpstr (cafe->subject, ==, "café");
  g_assert_cmpstr (q_utf8->subject, ==, "café");
  g_assert_cmpstr (q_latin1->subject, ==, "café");
  g_assert_cmpstr (both->subject, ==, "café");
  g_assert_cmpstr (both->body, ==, "café");
  assert_strv (natto->to, (const char *[]){ "user@納豆.example.org", NULL });
  g_assert_cmpstr (natto->subject, ==, "Test");
  g_assert_cmpstr (natto->body, ==, "NATTO");
}

static void
test_empty (void)
{
  g_autoptr (MwMailto) bare = parse_ok ("mailto:");
  g_autoptr (MwMailto) question = parse_ok ("MAILTO:?");
  g_autoptr (MwMailto) blanks = parse_ok ("mailto:a@example.org,,%20,?to=&cc=&&subject=");

  assert_strv (bare->to, NONE);
  assert_strv (question->to, NONE);
  assert_strv (blanks->to, (const char *[]){ "a@example.org", NULL });
  assert_strv (blanks->cc, NONE);
  g_assert_cmpstr (blanks->subject, ==, "");
}

static void
test_plus_is_not_space (void)
{
  g_autoptr (MwMailto) mailto = parse_ok ("mailto:user+tag@example.org?subject=1+1%202&body=a+b");

  assert_strv (mailto->to, (const char *[]){ "user+tag@example.org", NULL });
  g_assert_cmpstr (mailto->subject, ==, "1+1 2");
  g_assert_cmpstr (mailto->body, ==, "a+b");
}

static void
test_case_insensitive (void)
{
  g_autoptr (MwMailto) mailto = parse_ok ("MailTo:a@example.org?SUBJECT=s&Cc=c@example.org&BCC=b@example.org&BoDy=x&%54o=t@example.org");

  assert_strv (mailto->to, (const char *[]){ "a@example.org", "t@example.org", NULL });
  assert_strv (mailto->cc, (const char *[]){ "c@example.org", NULL });
  assert_strv (mailto->bcc, (const char *[]){ "b@example.org", NULL });
  g_assert_cmpstr (mailto->subject, ==, "s");
  g_assert_cmpstr (mailto->body, ==, "x");
}

static void
test_many_to (void)
{
  g_autoptr (MwMailto) mailto = parse_ok ("mailto:a@x.example,b@x.example?to=c@x.example&cc=d@x.example&to=e@x.example,%20f@x.example%20&bcc=g@x.example,h@x.example");

  assert_strv (mailto->to, (const char *[]){ "a@x.example", "b@x.example", "c@x.example", "e@x.example", "f@x.example", NULL });
  assert_strv (mailto->cc, (const char *[]){ "d@x.example", NULL });
  assert_strv (mailto->bcc, (const char *[]){ "g@x.example", "h@x.example", NULL });
}

static void
test_display_names (void)
{
  g_autoptr (MwMailto) mailto = parse_ok ("mailto:?to=%22Doe,%20Jane%22%20%3Cjane@example.org%3E,"
                                          "John%20(Smith,%20Jr.)%20%3Cjohn@example.org%3E,"
                                          "%3C%22odd,one%22@example.org%3E,%22a%5C%22,b%22@example.org");

  assert_strv (mailto->to, (const char *[]){ "\"Doe, Jane\" <jane@example.org>", "John (Smith, Jr.) <john@example.org>", "<\"odd,one\"@example.org>", "\"a\\\",b\"@example.org", NULL });
}

/* RFC 6068 §7: a link must not choose the sender or where replies go. */
static void
test_ignored_fields (void)
{
  g_autoptr (MwMailto) mailto = parse_ok ("mailto:a@example.org?from=evil@example.net&Reply-To=evil@example.net"
                                          "&sender=evil@example.net&X-Mailer=x&Received=y&references=%3Cz@q%3E"
                                          "&FROM=again@example.net&subject=one&subject=two&body=first&body=second"
                                          "&in-reply-to=%3Ca@b%3E&in-reply-to=%3Cc@d%3E&keywords=%0D%0Abcc:x@y");

  assert_strv (mailto->to, (const char *[]){ "a@example.org", NULL });
  assert_strv (mailto->cc, NONE);
  assert_strv (mailto->bcc, NONE);
  g_assert_cmpstr (mailto->subject, ==, "one");
  g_assert_cmpstr (mailto->body, ==, "first");
  g_assert_cmpstr (mailto->in_reply_to, ==, "<a@b>");
  assert_strv (mailto->ignored, (const char *[]){ "from", "reply-to", "sender", "x-mailer", "received", "references", "subject", "body", "in-reply-to", "keywords", NULL });
}

static void
test_fragment (void)
{
  g_autoptr (MwMailto) mailto = parse_ok ("mailto:a@example.org?subject=s#frag?cc=c@example.org");

  assert_strv (mailto->to, (const char *[]){ "a@example.org", NULL });
  g_assert_cmpstr (mailto->subject, ==, "s");
  assert_strv (mailto->cc, NONE);
}

static void
test_field_without_value (void)
{
  g_autoptr (MwMailto) mailto = parse_ok ("mailto:a@example.org?subject&body=a=b");

  g_assert_cmpstr (mailto->subject, ==, "");
  g_assert_cmpstr (mailto->body, ==, "a=b");
}

static void
test_body_line_breaks (void)
{
  g_autoptr (MwMailto) mailto = parse_ok ("mailto:a@example.org?body=one%0D%0Atwo%0Athree%0Dfour%0D%0D%0A%09tab%0A");

  g_assert_cmpstr (mailto->body, ==, "one\ntwo\nthree\nfour\n\n\ttab\n");
}

static void
test_not_mailto (void)
{
  assert_fails ("", MW_MAILTO_ERROR_NOT_MAILTO);
  assert_fails ("mailto", MW_MAILTO_ERROR_NOT_MAILTO);
  assert_fails ("http://example.org/?mailto:a@b", MW_MAILTO_ERROR_NOT_MAILTO);
  assert_fails (" mailto:a@example.org", MW_MAILTO_ERROR_NOT_MAILTO);
  assert_fails ("a@example.org", MW_MAILTO_ERROR_NOT_MAILTO);
}

static void
test_injection (void)
{
  const char *attempts[] = {
    "mailto:a@example.org?subject=hi%0D%0ABcc:%20victim@example.net",
    "mailto:a@example.org?subject=hi%0ABcc:%20victim@example.net",
    "mailto:a@example.org?subject=hi%0DBcc:%20victim@example.net",
    "mailto:a@example.org%0D%0ABcc:victim@example.net",
    "mailto:a@example.org%0Abcc:victim@example.net",
    "mailto:?to=a@example.org%0D%0ASubject:%20x",
    "mailto:?cc=a@example.org%0D%0A%0D%0Abody",
    "mailto:?bcc=a@example.org%0A",
    "mailto:?in-reply-to=%3Ca@b%3E%0D%0AFrom:%20evil@example.net",
    "mailto:a@example.org?subject=%E2%80%A8Bcc:%20x@y",                             /* U+2028 */
    "mailto:a@example.org?subject=a%C2%85Bcc:%20x@y",                               /* NEL */
    "mailto:a@example.org?subject=bell%07",                                         /* other controls */
    "mailto:a@example.org?subject=del%7F",                                          /* DEL */
    "mailto:a@example.org?subject=%3D%3Futf-8%3FQ%3Fa%3D0D%3D0ABcc%3A_x%40y%3F%3D", /* hidden in an encoded word */
    "mailto:a@example.org?subject=%3D%3Futf-8%3FB%3FYQpCY2M6IHhAeQ%3D%3D%3F%3D",    /* and in base64 */
    "mailto:a@example.org?subject=raw\r\nBcc: x@y",                                 /* not even encoded */
    "mailto:a@example.org?subject=raw\nBcc: x@y",
  };

  for (size_t i = 0; i < G_N_ELEMENTS (attempts); i++)
    assert_fails (attempts[i], MW_MAILTO_ERROR_CONTROL_CHARACTER);
}

static void
test_nul (void)
{
  assert_fails ("mailto:a@example.org%00.evil", MW_MAILTO_ERROR_CONTROL_CHARACTER);
  assert_fails ("mailto:a@example.org?subject=a%00b", MW_MAILTO_ERROR_CONTROL_CHARACTER);
  assert_fails ("mailto:a@example.org?body=a%00b", MW_MAILTO_ERROR_CONTROL_CHARACTER);
  assert_fails ("mailto:a@example.org?x%00=1", MW_MAILTO_ERROR_CONTROL_CHARACTER);
}

static void
test_tab_allowed (void)
{
  g_autoptr (MwMailto) mailto = parse_ok ("mailto:a@example.org?subject=a%09b");

  g_assert_cmpstr (mailto->subject, ==, "a\tb");
}

static void
test_bad_escapes (void)
{
  const char *uris[] = {
    "mailto:a@example.org%",
    "mailto:a@example.org%4",
    "mailto:a@example.org%G0",
    "mailto:a@example.org%%41",
    "mailto:a@example.org?subject=%",
    "mailto:a@example.org?subject=100%",
    "mailto:a@example.org?subject=%zz",
    "mailto:a@example.org?body=50%25%2",
    "mailto:a@example.org?%4=x",
    "mailto:a@example.org#%",
  };

  /* The fragment is dropped before it is decoded. */
  for (size_t i = 0; i < G_N_ELEMENTS (uris) - 1; i++)
    assert_fails (uris[i], MW_MAILTO_ERROR_BAD_ESCAPE);

  {
    g_autoptr (MwMailto) mailto = parse_ok (uris[G_N_ELEMENTS (uris) - 1]);

    assert_strv (mailto->to, (const char *[]){ "a@example.org", NULL });
  }
}

static void
test_bad_utf8 (void)
{
  const char *uris[] = {
    "mailto:a@example.org?subject=caf%E9",    /* Latin-1 */
    "mailto:a@example.org?body=%C3",          /* truncated */
    "mailto:a@example.org?body=%C0%AF",       /* overlong "/" */
    "mailto:a@example.org?body=%ED%A0%80",    /* surrogate */
    "mailto:a@example.org?body=%F4%90%80%80", /* beyond U+10FFFF */
    "mailto:a%FF@example.org",                /* in the path */
    "mailto:?to=%FE@example.org",             /* in an address */
    "mailto:a@example.org?%FF=1",             /* in a name */
    "mailto:a@example.org?subject=caf\xe9",   /* not even encoded */
    "mailto:a@example.org?in-reply-to=%3C%80@x%3E",
  };

  for (size_t i = 0; i < G_N_ELEMENTS (uris); i++)
    assert_fails (uris[i], MW_MAILTO_ERROR_BAD_UTF8);
}

static void
test_raw_utf8 (void)
{
  /* An IRI, as some programs pass it: raw UTF-8 is fine when valid. */
  g_autoptr (MwMailto) mailto = parse_ok ("mailto:user@納豆.example.org?subject=café");

  assert_strv (mailto->to, (const char *[]){ "user@納豆.example.org", NULL });
  g_assert_cmpstr (mailto->subject, ==, "café");
}

static void
test_bad_field_names (void)
{
  assert_fails ("mailto:a@example.org?=x", MW_MAILTO_ERROR_BAD_FIELD_NAME);
  assert_fails ("mailto:a@example.org?sub%20ject=x", MW_MAILTO_ERROR_BAD_FIELD_NAME);
  assert_fails ("mailto:a@example.org?subject:=x", MW_MAILTO_ERROR_BAD_FIELD_NAME);
  assert_fails ("mailto:a@example.org?caf%C3%A9=x", MW_MAILTO_ERROR_BAD_FIELD_NAME);
  assert_fails ("mailto:a@example.org?x%0A=1", MW_MAILTO_ERROR_BAD_FIELD_NAME);
}

static void
test_length_cap (void)
{
  g_autoptr (GString) uri = g_string_new ("mailto:a@example.org?body=");
  g_autoptr (MwMailto) mailto = NULL;

  while (uri->len < MW_MAILTO_MAX_LENGTH)
    g_string_append_c (uri, 'x');
  g_assert_cmpuint (uri->len, ==, MW_MAILTO_MAX_LENGTH);

  mailto = parse_ok (uri->str);
  g_assert_cmpuint (strlen (mailto->body), ==, MW_MAILTO_MAX_LENGTH - strlen ("mailto:a@example.org?body="));

  g_string_append_c (uri, 'x');
  assert_fails (uri->str, MW_MAILTO_ERROR_TOO_LONG);

  /* The cap holds before anything else is looked at. */
  g_string_overwrite (uri, 0, "nomail");
  assert_fails (uri->str, MW_MAILTO_ERROR_TOO_LONG);
}

static void
test_address_cap (void)
{
  g_autoptr (GString) uri = g_string_new ("mailto:");
  g_autoptr (MwMailto) mailto = NULL;

  /* Spread over the path, to, cc and bcc: the cap is on all of them. */
  for (int i = 0; i < MW_MAILTO_MAX_ADDRESSES; i++)
    {
      const char *sep = ",";

      if (i == 0)
        sep = "";
      else if (i == 100)
        sep = "?to=";
      else if (i == 200)
        sep = "&cc=";
      else if (i == 300)
        sep = "&bcc=";

      g_string_append_printf (uri, "%su%d@example.org", sep, i);
    }

  mailto = parse_ok (uri->str);
  g_assert_cmpuint (g_strv_length (mailto->to), ==, 200);
  g_assert_cmpuint (g_strv_length (mailto->cc), ==, 100);
  g_assert_cmpuint (g_strv_length (mailto->bcc), ==, 200);
  g_assert_cmpstr (mailto->bcc[199], ==, "u499@example.org");

  g_string_append (uri, ",one-too-many@example.org");
  assert_fails (uri->str, MW_MAILTO_ERROR_TOO_MANY_ADDRESSES);

  /* Empty entries cost nothing. */
  {
    g_autoptr (GString) commas = g_string_new ("mailto:a@example.org");
    g_autoptr (MwMailto) sparse = NULL;

    for (int i = 0; i < 10000; i++)
      g_string_append_c (commas, ',');
    sparse = parse_ok (commas->str);
    assert_strv (sparse->to, (const char *[]){ "a@example.org", NULL });
  }
}

static void
test_copy (void)
{
  g_autoptr (MwMailto) mailto = parse_ok ("mailto:a@example.org?cc=c@example.org&bcc=b@example.org&subject=s&body=b&in-reply-to=%3Ci@d%3E&x=y");
  g_autoptr (MwMailto) copy = mw_mailto_copy (mailto);
  GValue value = G_VALUE_INIT;

  assert_strv (copy->to, (const char *[]){ "a@example.org", NULL });
  assert_strv (copy->cc, (const char *[]){ "c@example.org", NULL });
  assert_strv (copy->bcc, (const char *[]){ "b@example.org", NULL });
  g_assert_cmpstr (copy->subject, ==, "s");
  g_assert_cmpstr (copy->body, ==, "b");
  g_assert_cmpstr (copy->in_reply_to, ==, "<i@d>");
  assert_strv (copy->ignored, (const char *[]){ "x", NULL });
  g_assert_true (copy->to != mailto->to);

  /* It travels in a GValue, as in a GAction parameter or a property. */
  g_value_init (&value, MW_TYPE_MAILTO);
  g_value_set_boxed (&value, mailto);
  g_assert_cmpstr (((MwMailto *) g_value_get_boxed (&value))->subject, ==, "s");
  g_value_unset (&value);

  g_assert_true (G_TYPE_IS_ENUM (MW_TYPE_MAILTO_ERROR));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/mailto/rfc6068/basic", test_rfc_basic);
  g_test_add_func ("/core/mailto/rfc6068/two-recipients", test_rfc_two_recipients);
  g_test_add_func ("/core/mailto/rfc6068/complicated-addresses", test_rfc_complicated);
  g_test_add_func ("/core/mailto/rfc6068/utf8", test_rfc_utf8);
  g_test_add_func ("/core/mailto/empty", test_empty);
  g_test_add_func ("/core/mailto/plus-is-not-space", test_plus_is_not_space);
  g_test_add_func ("/core/mailto/case-insensitive", test_case_insensitive);
  g_test_add_func ("/core/mailto/many-to", test_many_to);
  g_test_add_func ("/core/mailto/display-names", test_display_names);
  g_test_add_func ("/core/mailto/ignored-fields", test_ignored_fields);
  g_test_add_func ("/core/mailto/fragment", test_fragment);
  g_test_add_func ("/core/mailto/field-without-value", test_field_without_value);
  g_test_add_func ("/core/mailto/body-line-breaks", test_body_line_breaks);
  g_test_add_func ("/core/mailto/not-mailto", test_not_mailto);
  g_test_add_func ("/core/mailto/injection", test_injection);
  g_test_add_func ("/core/mailto/nul", test_nul);
  g_test_add_func ("/core/mailto/tab-allowed", test_tab_allowed);
  g_test_add_func ("/core/mailto/bad-escapes", test_bad_escapes);
  g_test_add_func ("/core/mailto/bad-utf8", test_bad_utf8);
  g_test_add_func ("/core/mailto/raw-utf8", test_raw_utf8);
  g_test_add_func ("/core/mailto/bad-field-names", test_bad_field_names);
  g_test_add_func ("/core/mailto/length-cap", test_length_cap);
  g_test_add_func ("/core/mailto/address-cap", test_address_cap);
  g_test_add_func ("/core/mailto/copy", test_copy);

  return g_test_run ();
}
