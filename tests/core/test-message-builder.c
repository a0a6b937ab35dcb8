/* test-message-builder.c: composing, replying and forwarding
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-message-builder.h"

#include "mw-gmime-private.h"

#include <glib/gstdio.h>
#include <string.h>

static GDateTime *
fixed_date (void)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_offset (2 * 3600);

  return g_date_time_new (tz, 2026, 11, 23, 14, 30, 5);
}

static MwMessageBuilder *
simple_builder (void)
{
  MwMessageBuilder *builder = mw_message_builder_new ();
  g_autoptr (GDateTime) date = fixed_date ();

  mw_message_builder_set_from (builder, "Alice Example", "alice@example.com");
  mw_message_builder_add_to (builder, "Bob", "bob@example.org");
  mw_message_builder_set_subject (builder, "Lunch");
  mw_message_builder_set_body_text (builder, "Shall we meet at noon?\n");
  mw_message_builder_set_date (builder, date);
  return builder;
}

static void
assert_crlf_only (GBytes *bytes)
{
  size_t      len;
  const char *data = g_bytes_get_data (bytes, &len);
  size_t      line = 0;

  g_assert_cmpuint (len, >, 2);
  g_assert_cmpmem (data + len - 2, 2, "\r\n", 2);
  for (size_t i = 0; i < len; i++)
    {
      g_assert_cmpint (data[i], !=, '\0');
      if (data[i] == '\r')
        {
          g_assert_cmpint (data[i + 1], ==, '\n');
          i++;
          line = 0;
          continue;
        }
      g_assert_cmpint (data[i], !=, '\n');
      g_assert_cmpuint (++line, <=, 998);
    }
}

static gboolean
is_7bit (GBytes *bytes)
{
  size_t        len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  for (size_t i = 0; i < len; i++)
    if (data[i] >= 0x80)
      return FALSE;
  return TRUE;
}

/* The header block of @bytes, for looking at raw headers. */
static char *
raw_headers (GBytes *bytes)
{
  size_t      len;
  const char *data = g_bytes_get_data (bytes, &len);
  const char *end = g_strstr_len (data, (gssize) len, "\r\n\r\n");

  g_assert_nonnull (end);

  /* With a leading CRLF, every header is found as "\r\nName: ". */
  return g_strdup_printf ("\r\n%.*s", (int) (end - data) + 2, data);
}

static GMimeMessage *
parse (GBytes *bytes)
{
  size_t        len;
  const char   *data = g_bytes_get_data (bytes, &len);
  GMimeMessage *message = mw_gmime_parse_message (data, len, NULL);

  g_assert_nonnull (message);
  return message;
}

static GBytes *
build_ok (MwMessageBuilder *builder)
{
  g_autoptr (GError) error = NULL;
  GBytes *bytes = mw_message_builder_build (builder, &error);

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  assert_crlf_only (bytes);
  return bytes;
}

static void
test_simple (void)
{
  g_autoptr (MwMessageBuilder) builder = simple_builder ();
  g_autoptr (GBytes) bytes = build_ok (builder);
  g_autoptr (GMimeMessage) message = parse (bytes);
  g_autofree char *headers = raw_headers (bytes);
  g_autofree char *text = NULL;
  GMimeObject     *body = g_mime_message_get_mime_part (message);
  InternetAddress *from;
  const char      *id;

  g_test_message ("%.*s", (int) g_bytes_get_size (bytes), (const char *) g_bytes_get_data (bytes, NULL));
  g_assert_true (is_7bit (bytes));

  from = internet_address_list_get_address (g_mime_message_get_from (message), 0);
  g_assert_cmpstr (internet_address_get_name (from), ==, "Alice Example");
  g_assert_cmpstr (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (from)), ==, "alice@example.com");
  g_assert_cmpint (internet_address_list_length (g_mime_message_get_to (message)), ==, 1);
  g_assert_cmpstr (g_mime_message_get_subject (message), ==, "Lunch");
  g_assert_cmpint (g_date_time_to_unix (g_mime_message_get_date (message)), ==, 1795437005);
  g_assert_nonnull (strstr (headers, "\r\nDate: Mon, 23 Nov 2026 14:30:05 +0200\r\n"));
  g_assert_nonnull (strstr (headers, "\r\nMIME-Version: 1.0\r\n"));

  /* <32 hex digits@domain of From>. */
  id = g_mime_message_get_message_id (message);
  g_assert_nonnull (id);
  g_assert_true (g_str_has_suffix (id, "@example.com"));
  g_assert_cmpuint (strlen (id), ==, 32 + strlen ("@example.com"));

  g_assert_true (GMIME_IS_TEXT_PART (body));
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (body), "text", "plain"));
  g_assert_true (g_mime_part_get_content_encoding (GMIME_PART (body)) == GMIME_CONTENT_ENCODING_7BIT ||
                 g_mime_part_get_content_encoding (GMIME_PART (body)) == GMIME_CONTENT_ENCODING_DEFAULT);
  text = g_mime_text_part_get_text (GMIME_TEXT_PART (body));
  g_assert_cmpstr (text, ==, "Shall we meet at noon?\r\n");

  g_assert_false (mw_message_builder_needs_8bit (builder));
  g_assert_false (mw_message_builder_needs_smtputf8 (builder));
}

static void
test_message_id_unique (void)
{
  g_autoptr (MwMessageBuilder) builder = simple_builder ();
  g_autoptr (GBytes) a = NULL;
  g_autoptr (GBytes) b = NULL;
  g_autoptr (GMimeMessage) ma = NULL;
  g_autoptr (GMimeMessage) mb = NULL;

  mw_message_builder_set_message_id_domain (builder, "mail.example.net");
  a = build_ok (builder);
  b = build_ok (builder);
  ma = parse (a);
  mb = parse (b);
  g_assert_true (g_str_has_suffix (g_mime_message_get_message_id (ma), "@mail.example.net"));
  g_assert_cmpstr (g_mime_message_get_message_id (ma), !=, g_mime_message_get_message_id (mb));
}

static void
test_bcc_never_in_headers (void)
{
  g_autoptr (MwMessageBuilder) builder = simple_builder ();
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  g_auto (GStrv) envelope = NULL;

  mw_message_builder_add_cc (builder, "Carol", "carol@example.net");
  mw_message_builder_add_bcc (builder, "Secret Sam", "sam@hidden.example");
  mw_message_builder_add_bcc (builder, NULL, "BOB@example.org");
  mw_message_builder_add_to (builder, NULL, "bob@EXAMPLE.org");
  bytes = build_ok (builder);
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  g_assert_null (strstr (text, "Bcc"));
  g_assert_null (strstr (text, "bcc"));
  g_assert_null (strstr (text, "sam@hidden.example"));
  g_assert_null (strstr (text, "Secret Sam"));

  /* To, Cc, Bcc, without duplicates; local parts exact, domains not. */
  envelope = mw_message_builder_get_envelope_recipients (builder);
  g_assert_cmpuint (g_strv_length (envelope), ==, 4);
  g_assert_cmpstr (envelope[0], ==, "bob@example.org");
  g_assert_cmpstr (envelope[1], ==, "carol@example.net");
  g_assert_cmpstr (envelope[2], ==, "sam@hidden.example");
  g_assert_cmpstr (envelope[3], ==, "BOB@example.org");
}

static void
test_non_ascii_headers (void)
{
  g_autoptr (MwMessageBuilder) builder = mw_message_builder_new ();
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  g_autofree char *headers = NULL;
  g_autofree char *text = NULL;
  InternetAddress *from;
  InternetAddress *to;
  const char      *subject = "Grüße aus Köln — 東京 ✉ and a long tail to make the header fold over more than one line";

  mw_message_builder_set_from (builder, "Jörg Müller", "joerg@example.de");
  mw_message_builder_add_to (builder, "Zoë \"Quotes\" <Angles>, Commas", "zoe@example.org");
  mw_message_builder_set_subject (builder, subject);
  mw_message_builder_set_body_text (builder, "Greetings, and Grüße!\r\nHow are you doing today? Ça va?\rJa.\n");
  bytes = build_ok (builder);
  headers = raw_headers (bytes);

  g_test_message ("%.*s", (int) g_bytes_get_size (bytes), (const char *) g_bytes_get_data (bytes, NULL));
  g_assert_true (is_7bit (bytes));
  g_assert_nonnull (strstr (headers, "=?"));
  g_assert_nonnull (strstr (headers, "\r\nSubject: =?"));

  message = parse (bytes);
  g_assert_cmpstr (g_mime_message_get_subject (message), ==, subject);
  from = internet_address_list_get_address (g_mime_message_get_from (message), 0);
  g_assert_cmpstr (internet_address_get_name (from), ==, "Jörg Müller");
  to = internet_address_list_get_address (g_mime_message_get_to (message), 0);
  g_assert_cmpstr (internet_address_get_name (to), ==, "Zoë \"Quotes\" <Angles>, Commas");
  g_assert_cmpstr (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (to)), ==, "zoe@example.org");

  /* UTF-8 text, mostly ASCII: quoted-printable, line ends normalized. */
  g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (g_mime_message_get_mime_part (message))), ==,
                   GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
  text = g_mime_text_part_get_text (GMIME_TEXT_PART (g_mime_message_get_mime_part (message)));
  g_assert_cmpstr (text, ==, "Greetings, and Grüße!\r\nHow are you doing today? Ça va?\r\nJa.\r\n");
  g_assert_false (mw_message_builder_needs_8bit (builder));
}

static void
test_body_encodings (void)
{
  static const struct
  {
    const char          *text;
    GMimeContentEncoding encoding;
  } cases[] = {
    { "plain ascii\n", GMIME_CONTENT_ENCODING_7BIT },
    { "", GMIME_CONTENT_ENCODING_7BIT },
    { "mostly ascii with one é\n", GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE },
    { "Ελληνικά κείμενα παντού εδώ\n", GMIME_CONTENT_ENCODING_BASE64 },
    /* "From " at a line start is protected from mbox munging. */
    { "From the start of a line\n.\n", GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE },
    { "A lone dot\n.\nends nothing\n", GMIME_CONTENT_ENCODING_7BIT },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (MwMessageBuilder) builder = simple_builder ();
      g_autoptr (GBytes) bytes = NULL;
      g_autoptr (GMimeMessage) message = NULL;
      g_autofree char *text = NULL;
      g_autofree char *expected = NULL;
      g_auto (GStrv) lines = NULL;
      GMimeObject *body;

      mw_message_builder_set_body_text (builder, cases[i].text);
      bytes = build_ok (builder);
      g_assert_true (is_7bit (bytes));
      message = parse (bytes);
      body = g_mime_message_get_mime_part (message);
      g_test_message ("body %zu", i);
      if (cases[i].encoding != GMIME_CONTENT_ENCODING_7BIT)
        g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (body)), ==, cases[i].encoding);
      else
        g_assert_true (g_mime_part_get_content_encoding (GMIME_PART (body)) == GMIME_CONTENT_ENCODING_7BIT ||
                       g_mime_part_get_content_encoding (GMIME_PART (body)) == GMIME_CONTENT_ENCODING_DEFAULT);
      text = g_mime_text_part_get_text (GMIME_TEXT_PART (body));
      lines = g_strsplit (cases[i].text, "\n", -1);
      expected = g_strjoinv ("\r\n", lines);
      g_assert_cmpstr (text, ==, expected);
    }
}

static void
test_long_lines (void)
{
  g_autoptr (MwMessageBuilder) builder = simple_builder ();
  g_autoptr (GString) body = g_string_new (NULL);
  g_autoptr (GString) subject = g_string_new (NULL);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;

  for (int i = 0; i < 5000; i++)
    g_string_append_c (body, 'a' + i % 26);
  g_string_append_c (body, '\n');
  for (int i = 0; i < 300; i++)
    g_string_append (subject, "word ");
  g_string_append (subject, "end");

  mw_message_builder_set_body_text (builder, body->str);
  mw_message_builder_set_subject (builder, subject->str);
  bytes = build_ok (builder);
  message = parse (bytes);
  g_assert_cmpstr (g_mime_message_get_subject (message), ==, subject->str);
  text = g_mime_text_part_get_text (GMIME_TEXT_PART (g_mime_message_get_mime_part (message)));
  g_string_truncate (body, body->len - 1);
  expected = g_strconcat (body->str, "\r\n", NULL);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_many_recipients (void)
{
  g_autoptr (MwMessageBuilder) builder = simple_builder ();
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  g_auto (GStrv) envelope = NULL;

  for (int i = 0; i < 300; i++)
    {
      g_autofree char *name = g_strdup_printf ("Recipient Number %d, Ünicode", i);
      g_autofree char *address = g_strdup_printf ("user%d@example.org", i);

      mw_message_builder_add_to (builder, name, address);
    }

  /* Folded to lines under 998 bytes, checked by build_ok(). */
  bytes = build_ok (builder);
  message = parse (bytes);
  g_assert_cmpint (internet_address_list_length (g_mime_message_get_to (message)), ==, 301);
  envelope = mw_message_builder_get_envelope_recipients (builder);
  g_assert_cmpuint (g_strv_length (envelope), ==, 301);
}

static void
test_attachments (void)
{
  g_autoptr (MwMessageBuilder) builder = simple_builder ();
  g_autoptr (GBytes) binary = NULL;
  g_autoptr (GBytes) text_file = g_bytes_new_static ("line one\r\nline two\r\n", 20);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  guint8          data[4096];
  GMimeMultipart *mixed;
  GMimePart      *part;
  g_autoptr (GMimeStream) decoded = NULL;
  GByteArray *array;

  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (guint8) (i * 7 + (i >> 8));
  data[10] = '\r';
  data[11] = '\0';
  data[12] = '\n';
  binary = g_bytes_new (data, sizeof data);

  mw_message_builder_add_attachment (builder, binary, "Prüfbericht 2026.bin", "application/octet-stream");
  mw_message_builder_add_attachment (builder, text_file, "notes.txt", "text/plain");
  g_assert_cmpuint (mw_message_builder_get_n_attachments (builder), ==, 2);
  bytes = build_ok (builder);
  g_assert_true (is_7bit (bytes));

  message = parse (bytes);
  g_assert_true (GMIME_IS_MULTIPART (g_mime_message_get_mime_part (message)));
  mixed = GMIME_MULTIPART (g_mime_message_get_mime_part (message));
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (GMIME_OBJECT (mixed)), "multipart", "mixed"));
  g_assert_cmpint (g_mime_multipart_get_count (mixed), ==, 3);
  g_assert_true (GMIME_IS_TEXT_PART (g_mime_multipart_get_part (mixed, 0)));

  part = GMIME_PART (g_mime_multipart_get_part (mixed, 1));
  g_assert_cmpstr (g_mime_part_get_filename (part), ==, "Prüfbericht 2026.bin");
  g_assert_true (g_mime_part_is_attachment (part));
  g_assert_cmpint (g_mime_part_get_content_encoding (part), ==, GMIME_CONTENT_ENCODING_BASE64);
  decoded = g_mime_stream_mem_new ();
  g_mime_data_wrapper_write_to_stream (g_mime_part_get_content (part), decoded);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (decoded));
  g_assert_cmpmem (array->data, array->len, data, sizeof data);

  part = GMIME_PART (g_mime_multipart_get_part (mixed, 2));
  g_assert_cmpstr (g_mime_part_get_filename (part), ==, "notes.txt");
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (GMIME_OBJECT (part)), "text", "plain"));
}

static void
test_attachment_guess (void)
{
  g_autoptr (MwMessageBuilder) builder = simple_builder ();
  g_autoptr (GBytes) content = g_bytes_new_static ("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  GMimeObject *part;

  mw_message_builder_add_attachment (builder, content, "picture", NULL);
  bytes = build_ok (builder);
  message = parse (bytes);
  part = g_mime_multipart_get_part (GMIME_MULTIPART (g_mime_message_get_mime_part (message)), 1);

  /* Whatever the MIME database says, the part is a valid type and base64. */
  g_assert_nonnull (g_mime_content_type_get_media_type (g_mime_object_get_content_type (part)));
  g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (part)), ==, GMIME_CONTENT_ENCODING_BASE64);
  g_assert_cmpstr (g_mime_part_get_filename (GMIME_PART (part)), ==, "picture");
}

static void
attach_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GError **error = user_data;

  mw_message_builder_add_attachment_file_finish (MW_MESSAGE_BUILDER (object), result, error);
  *(gboolean *) g_object_get_data (object, "done") = TRUE;
}

static void
test_attachment_file (void)
{
  g_autoptr (MwMessageBuilder) builder = simple_builder ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("mailwire-builder-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "report.csv", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFile) missing = g_file_new_for_path ("/nonexistent/mailwire/file");
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  gboolean     done = FALSE;
  GMimeObject *part;

  g_assert_true (g_file_set_contents (path, "a,b\n1,2\n", -1, NULL));
  g_object_set_data (G_OBJECT (builder), "done", &done);

  mw_message_builder_add_attachment_file_async (builder, file, "text/csv", NULL, attach_cb, &error);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (error);
  g_assert_cmpuint (mw_message_builder_get_n_attachments (builder), ==, 1);

  done = FALSE;
  mw_message_builder_add_attachment_file_async (builder, missing, NULL, NULL, attach_cb, &error);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpuint (mw_message_builder_get_n_attachments (builder), ==, 1);

  bytes = build_ok (builder);
  message = parse (bytes);
  part = g_mime_multipart_get_part (GMIME_MULTIPART (g_mime_message_get_mime_part (message)), 1);
  g_assert_cmpstr (g_mime_part_get_filename (GMIME_PART (part)), ==, "report.csv");
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (part), "text", "csv"));

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

typedef void (*Mutation) (MwMessageBuilder *builder);

static void
inject_from_name (MwMessageBuilder *builder)
{
  mw_message_builder_set_from (builder, "Alice\r\nBcc: victim@example.com", "alice@example.com");
}

static void
inject_from_address (MwMessageBuilder *builder)
{
  mw_message_builder_set_from (builder, "Alice", "alice@example.com\r\nX-Evil: 1");
}

static void
inject_to_name (MwMessageBuilder *builder)
{
  mw_message_builder_add_to (builder, "Bob\nX-Evil: 1", "bob@example.org");
}

static void
inject_cc_address (MwMessageBuilder *builder)
{
  mw_message_builder_add_cc (builder, NULL, "carol@example.net\n");
}

static void
inject_bcc_address (MwMessageBuilder *builder)
{
  mw_message_builder_add_bcc (builder, NULL, "\rsam@example.net");
}

static void
inject_subject (MwMessageBuilder *builder)
{
  mw_message_builder_set_subject (builder, "Hello\r\n\r\nInjected body");
}

static void
inject_subject_lf (MwMessageBuilder *builder)
{
  mw_message_builder_set_subject (builder, "Hello\nBcc: x@example.com");
}

static void
inject_filename (MwMessageBuilder *builder)
{
  g_autoptr (GBytes) content = g_bytes_new_static ("x", 1);

  mw_message_builder_add_attachment (builder, content, "a.txt\r\nContent-Type: text/html", NULL);
}

static void
inject_content_type (MwMessageBuilder *builder)
{
  g_autoptr (GBytes) content = g_bytes_new_static ("x", 1);

  mw_message_builder_add_attachment (builder, content, "a.txt", "text/plain\r\nX-Evil: 1");
}

static void
inject_in_reply_to (MwMessageBuilder *builder)
{
  mw_message_builder_set_in_reply_to (builder, "<a@b>\r\nX-Evil: 1", NULL);
}

static void
inject_references (MwMessageBuilder *builder)
{
  mw_message_builder_set_in_reply_to (builder, "<a@b>", "<c@d>\n<e@f>");
}

static void
inject_domain (MwMessageBuilder *builder)
{
  mw_message_builder_set_message_id_domain (builder, "example.com\r\nX-Evil: 1");
}

static void
test_header_injection (void)
{
  static const Mutation mutations[] = {
    inject_from_name,
    inject_from_address,
    inject_to_name,
    inject_cc_address,
    inject_bcc_address,
    inject_subject,
    inject_subject_lf,
    inject_filename,
    inject_content_type,
    inject_in_reply_to,
    inject_references,
    inject_domain,
  };

  for (size_t i = 0; i < G_N_ELEMENTS (mutations); i++)
    {
      g_autoptr (MwMessageBuilder) builder = simple_builder ();
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) bytes = NULL;

      mutations[i](builder);
      bytes = mw_message_builder_build (builder, &error);
      g_test_message ("mutation %zu: %s", i, error != NULL ? error->message : "(none)");
      g_assert_error (error, MW_MESSAGE_BUILDER_ERROR, MW_MESSAGE_BUILDER_ERROR_HEADER_INJECTION);
      g_assert_null (bytes);
    }
}

static void
test_invalid_addresses (void)
{
  static const char *invalid[] = {
    "",
    "bob",
    "bob@",
    "@example.org",
    "bob example@example.org",
    "bob@exam ple.org",
    "<bob@example.org>",
    "Bob <bob@example.org>",
    "bob@example.org>",
    "\"bob\"@example.org",
    "bob@@example.org",
    "bob(comment)@example.org",
    "bob,carol@example.org",
    "bob;@example.org",
    ".bob@example.org",
    "bob.@example.org",
    "bo..b@example.org",
    "bob@example..org",
    "bob@.example.org",
    "bob@example.org.",
    "bob@-example.org",
    "bob@example-.org",
    "bob@[192.0.2.1]",
    "bob@exa_mple.org",
    "bob\t@example.org",
    "b\xff@example.org",
  };
  static const char *valid[] = {
    "bob@example.org",
    "bob.smith+tag@mail.example.org",
    "o'hara@example.ie",
    "x@localhost",
    "用户@例子.广告",
    "jörg@bücher.example",
    "a!#$%&'*+-/=?^_`{|}~@example.org",
  };
  g_autoptr (GString) long_local = g_string_new (NULL);

  for (size_t i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr (GError) error = NULL;

      g_autofree char *shown = g_strescape (invalid[i], NULL);

      g_test_message ("invalid: %s", shown);
      g_assert_false (mw_message_builder_validate_address (invalid[i], &error));
      g_assert_true (error->domain == MW_MESSAGE_BUILDER_ERROR);
      g_assert_true (error->code == MW_MESSAGE_BUILDER_ERROR_INVALID_ADDRESS ||
                     error->code == MW_MESSAGE_BUILDER_ERROR_INVALID_TEXT);
    }
  for (size_t i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr (GError) error = NULL;

      g_test_message ("valid: %s", valid[i]);
      g_assert_true (mw_message_builder_validate_address (valid[i], &error));
      g_assert_no_error (error);
    }

  for (int i = 0; i < 65; i++)
    g_string_append_c (long_local, 'a');
  g_string_append (long_local, "@example.org");
  g_assert_false (mw_message_builder_validate_address (long_local->str, NULL));

  /* The error names the address, and build() checks every one. */
  {
    g_autoptr (MwMessageBuilder) builder = simple_builder ();
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) bytes = NULL;

    mw_message_builder_add_cc (builder, "Dave", "dave at example.org");
    bytes = mw_message_builder_build (builder, &error);
    g_assert_error (error, MW_MESSAGE_BUILDER_ERROR, MW_MESSAGE_BUILDER_ERROR_INVALID_ADDRESS);
    g_assert_nonnull (strstr (error->message, "dave at example.org"));
  }
}

static void
test_other_errors (void)
{
  g_autoptr (MwMessageBuilder) builder = mw_message_builder_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GBytes) content = g_bytes_new_static ("x", 1);

  mw_message_builder_add_to (builder, NULL, "bob@example.org");
  bytes = mw_message_builder_build (builder, &error);
  g_assert_error (error, MW_MESSAGE_BUILDER_ERROR, MW_MESSAGE_BUILDER_ERROR_NO_SENDER);
  g_clear_error (&error);

  mw_message_builder_set_from (builder, NULL, "alice@example.com");
  mw_message_builder_set_subject (builder, "bad \xff utf-8");
  bytes = mw_message_builder_build (builder, &error);
  g_assert_error (error, MW_MESSAGE_BUILDER_ERROR, MW_MESSAGE_BUILDER_ERROR_INVALID_TEXT);
  g_clear_error (&error);

  mw_message_builder_set_subject (builder, NULL);
  mw_message_builder_set_body_text (builder, "bad \xc3 utf-8");
  bytes = mw_message_builder_build (builder, &error);
  g_assert_error (error, MW_MESSAGE_BUILDER_ERROR, MW_MESSAGE_BUILDER_ERROR_INVALID_TEXT);
  g_clear_error (&error);

  mw_message_builder_set_body_text (builder, NULL);
  mw_message_builder_add_attachment (builder, content, "a", "not a type");
  bytes = mw_message_builder_build (builder, &error);
  g_assert_error (error, MW_MESSAGE_BUILDER_ERROR, MW_MESSAGE_BUILDER_ERROR_INVALID_CONTENT_TYPE);
}

static void
test_smtputf8 (void)
{
  g_autoptr (MwMessageBuilder) builder = simple_builder ();
  g_autoptr (MwMessageBuilder) idn = simple_builder ();
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GBytes) idn_bytes = NULL;
  g_auto (GStrv) envelope = NULL;
  g_auto (GStrv) idn_envelope = NULL;

  /* An IDN domain goes out as punycode: no SMTPUTF8 needed. */
  mw_message_builder_add_to (idn, NULL, "info@bücher.example");
  g_assert_false (mw_message_builder_needs_smtputf8 (idn));
  g_assert_false (mw_message_builder_needs_8bit (idn));
  idn_envelope = mw_message_builder_get_envelope_recipients (idn);
  g_assert_cmpstr (idn_envelope[1], ==, "info@xn--bcher-kva.example");
  idn_bytes = build_ok (idn);
  g_assert_true (is_7bit (idn_bytes));

  /* A UTF-8 local part needs SMTPUTF8 and 8BITMIME. */
  mw_message_builder_add_cc (builder, "Dì", "用户@例子.广告");
  g_assert_true (mw_message_builder_needs_smtputf8 (builder));
  g_assert_true (mw_message_builder_needs_8bit (builder));
  envelope = mw_message_builder_get_envelope_recipients (builder);
  g_assert_cmpstr (envelope[1], ==, "用户@例子.广告");
  bytes = build_ok (builder);
}

static const char original_message[] =
  "Return-Path: <carol@example.net>\r\n"
  "From: Carol Original <carol@example.net>\r\n"
  "To: Alice Example <alice@example.com>, Dave <dave@example.org>\r\n"
  "Cc: Erin <erin@example.org>, alice@EXAMPLE.com\r\n"
  "Subject: =?UTF-8?Q?Pl=C3=A4ne?= for Friday\r\n"
  "Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n"
  "Message-ID: <orig-42@example.net>\r\n"
  "References: <root-1@example.net>\r\n"
  " <mid-2@example.net>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: multipart/alternative; boundary=\"b1\"\r\n"
  "\r\n"
  "--b1\r\n"
  "Content-Type: text/plain; charset=iso-8859-1\r\n"
  "Content-Transfer-Encoding: quoted-printable\r\n"
  "\r\n"
  "Gr=FC=DFe,\r\n"
  "\r\n"
  "> earlier quote\r\n"
  "see you there.\r\n"
  "--b1\r\n"
  "Content-Type: text/html; charset=utf-8\r\n"
  "\r\n"
  "<p>HTML</p>\r\n"
  "--b1--\r\n";

static void
test_reply (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwMessageBuilder) builder = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  g_autofree char *headers = NULL;
  g_auto (GStrv) envelope = NULL;
  const char *body;

  builder = mw_message_builder_new_reply (original_message, strlen (original_message), FALSE, &error);
  g_assert_no_error (error);
  mw_message_builder_set_from (builder, "Alice Example", "alice@example.com");

  g_assert_cmpstr (mw_message_builder_get_subject (builder), ==, "Re: Pläne for Friday");
  body = mw_message_builder_get_body_text (builder);
  g_test_message ("%s", body);
  g_assert_nonnull (strstr (body, "Carol Original <carol@example.net> wrote:\n"));
  g_assert_nonnull (strstr (body, "\n> Grüße,\n>\n>> earlier quote\n> see you there.\n"));
  g_assert_null (strstr (body, "HTML"));

  envelope = mw_message_builder_get_envelope_recipients (builder);
  g_assert_cmpuint (g_strv_length (envelope), ==, 1);
  g_assert_cmpstr (envelope[0], ==, "carol@example.net");

  bytes = build_ok (builder);
  headers = raw_headers (bytes);
  g_assert_nonnull (strstr (headers, "\r\nIn-Reply-To: <orig-42@example.net>\r\n"));
  g_assert_nonnull (strstr (headers, "References: <root-1@example.net> <mid-2@example.net>"));
  message = parse (bytes);
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (message), "References"), ==,
                   "<root-1@example.net> <mid-2@example.net> <orig-42@example.net>");
}

static void
test_reply_all (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwMessageBuilder) builder = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  g_auto (GStrv) envelope = NULL;
  InternetAddressList *cc;

  builder = mw_message_builder_new_reply (original_message, strlen (original_message), TRUE, &error);
  g_assert_no_error (error);
  mw_message_builder_set_from (builder, NULL, "alice@example.com");

  /* The sender, then everyone else but Alice herself. */
  envelope = mw_message_builder_get_envelope_recipients (builder);
  g_assert_cmpuint (g_strv_length (envelope), ==, 3);
  g_assert_cmpstr (envelope[0], ==, "carol@example.net");
  g_assert_cmpstr (envelope[1], ==, "dave@example.org");
  g_assert_cmpstr (envelope[2], ==, "erin@example.org");

  bytes = build_ok (builder);
  message = parse (bytes);
  cc = g_mime_message_get_cc (message);
  g_assert_cmpint (internet_address_list_length (cc), ==, 2);
}

static void
test_reply_subjects (void)
{
  static const struct
  {
    const char *subject;
    const char *reply;
    const char *forward;
  } cases[] = {
    { "Hello", "Re: Hello", "Fwd: Hello" },
    { "Re: Hello", "Re: Hello", "Fwd: Re: Hello" },
    { "RE: Hello", "RE: Hello", "Fwd: RE: Hello" },
    { "re:Hello", "re:Hello", "Fwd: re:Hello" },
    { "Re[2]: Hello", "Re[2]: Hello", "Fwd: Re[2]: Hello" },
    { "AW: Hallo", "AW: Hallo", "Fwd: AW: Hallo" },
    { "Fwd: News", "Re: Fwd: News", "Fwd: News" },
    { "FW: News", "Re: FW: News", "FW: News" },
    { "Reply hazy", "Re: Reply hazy", "Fwd: Reply hazy" },
    { "Regarding: x", "Re: Regarding: x", "Fwd: Regarding: x" },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *data = g_strdup_printf ("From: a@example.com\r\nSubject: %s\r\n\r\nbody\r\n", cases[i].subject);
      g_autoptr (MwMessageBuilder) reply = mw_message_builder_new_reply (data, strlen (data), FALSE, NULL);
      g_autoptr (MwMessageBuilder) forward = mw_message_builder_new_forward (data, strlen (data), NULL);

      g_assert_cmpstr (mw_message_builder_get_subject (reply), ==, cases[i].reply);
      g_assert_cmpstr (mw_message_builder_get_subject (forward), ==, cases[i].forward);
    }

  {
    const char *data = "From: a@example.com\r\n\r\nno subject\r\n";
    g_autoptr (MwMessageBuilder) reply = mw_message_builder_new_reply (data, strlen (data), FALSE, NULL);

    g_assert_cmpstr (mw_message_builder_get_subject (reply), ==, "Re:");
  }
}

static void
test_reply_reply_to (void)
{
  const char *data =
    "From: List Member <member@example.org>\r\n"
    "Reply-To: The List <list@lists.example.org>\r\n"
    "Subject: Topic\r\n"
    "\r\n"
    "text\r\n";
  g_autoptr (MwMessageBuilder) builder = mw_message_builder_new_reply (data, strlen (data), FALSE, NULL);
  g_auto (GStrv) envelope = mw_message_builder_get_envelope_recipients (builder);

  g_assert_cmpuint (g_strv_length (envelope), ==, 1);
  g_assert_cmpstr (envelope[0], ==, "list@lists.example.org");
}

static void
test_reply_bad_original (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwMessageBuilder) builder = mw_message_builder_new_reply ("", 0, FALSE, &error);

  g_assert_error (error, MW_MESSAGE_BUILDER_ERROR, MW_MESSAGE_BUILDER_ERROR_BAD_ORIGINAL);
  g_assert_null (builder);
}

static void
test_reply_hostile_original (void)
{
  /* Header values that would inject if copied blindly. */
  const char *data =
    "From: \"Evil\r\n\" <evil@example.com>\r\n"
    "Subject: =?UTF-8?Q?Hi=0D=0ABcc:_victim@example.com?=\r\n"
    "Message-ID: <x@y>\r\n"
    "\r\n"
    "text\r\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (MwMessageBuilder) builder = mw_message_builder_new_reply (data, strlen (data), FALSE, &error);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GMimeMessage) message = NULL;

  g_assert_no_error (error);
  mw_message_builder_set_from (builder, NULL, "alice@example.com");
  bytes = build_ok (builder);
  message = parse (bytes);
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (message), "Bcc"));
}

static void
test_forward (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwMessageBuilder) builder = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  GMimeMultipart *mixed;
  GMimeObject    *attached;
  GMimeMessage   *inner;

  builder = mw_message_builder_new_forward (original_message, strlen (original_message), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mw_message_builder_get_subject (builder), ==, "Fwd: Pläne for Friday");
  g_assert_false (mw_message_builder_needs_8bit (builder));

  mw_message_builder_set_from (builder, NULL, "alice@example.com");
  mw_message_builder_add_to (builder, NULL, "frank@example.org");
  mw_message_builder_set_body_text (builder, "See below.");
  bytes = build_ok (builder);
  g_assert_true (is_7bit (bytes));

  message = parse (bytes);
  mixed = GMIME_MULTIPART (g_mime_message_get_mime_part (message));
  g_assert_cmpint (g_mime_multipart_get_count (mixed), ==, 2);
  attached = g_mime_multipart_get_part (mixed, 1);
  g_assert_true (GMIME_IS_MESSAGE_PART (attached));
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (attached), "message", "rfc822"));
  inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (attached));
  g_assert_cmpstr (g_mime_message_get_message_id (inner), ==, "orig-42@example.net");
  g_assert_cmpstr (g_mime_message_get_subject (inner), ==, "Pläne for Friday");
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (message), "In-Reply-To"));
}

static void
test_forward_8bit (void)
{
  const char *data =
    "From: a@example.com\n"
    "Subject: raw\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "Grüße\n";
  g_autoptr (MwMessageBuilder) builder = mw_message_builder_new_forward (data, strlen (data), NULL);
  g_autoptr (GBytes) bytes = NULL;

  mw_message_builder_set_from (builder, NULL, "alice@example.com");
  mw_message_builder_add_to (builder, NULL, "frank@example.org");
  g_assert_true (mw_message_builder_needs_8bit (builder));
  g_assert_false (mw_message_builder_needs_smtputf8 (builder));
  bytes = build_ok (builder);
  g_assert_false (is_7bit (bytes));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  mw_gmime_init ();

  g_test_add_func ("/core/message-builder/simple", test_simple);
  g_test_add_func ("/core/message-builder/message-id", test_message_id_unique);
  g_test_add_func ("/core/message-builder/bcc", test_bcc_never_in_headers);
  g_test_add_func ("/core/message-builder/non-ascii-headers", test_non_ascii_headers);
  g_test_add_func ("/core/message-builder/body-encodings", test_body_encodings);
  g_test_add_func ("/core/message-builder/long-lines", test_long_lines);
  g_test_add_func ("/core/message-builder/many-recipients", test_many_recipients);
  g_test_add_func ("/core/message-builder/attachments", test_attachments);
  g_test_add_func ("/core/message-builder/attachment-guess", test_attachment_guess);
  g_test_add_func ("/core/message-builder/attachment-file", test_attachment_file);
  g_test_add_func ("/core/message-builder/header-injection", test_header_injection);
  g_test_add_func ("/core/message-builder/invalid-addresses", test_invalid_addresses);
  g_test_add_func ("/core/message-builder/other-errors", test_other_errors);
  g_test_add_func ("/core/message-builder/smtputf8", test_smtputf8);
  g_test_add_func ("/core/message-builder/reply", test_reply);
  g_test_add_func ("/core/message-builder/reply-all", test_reply_all);
  g_test_add_func ("/core/message-builder/reply-subjects", test_reply_subjects);
  g_test_add_func ("/core/message-builder/reply-to", test_reply_reply_to);
  g_test_add_func ("/core/message-builder/reply-bad-original", test_reply_bad_original);
  g_test_add_func ("/core/message-builder/reply-hostile-original", test_reply_hostile_original);
  g_test_add_func ("/core/message-builder/forward", test_forward);
  g_test_add_func ("/core/message-builder/forward-8bit", test_forward_8bit);

  return g_test_run ();
}
