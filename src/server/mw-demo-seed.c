/* mw-demo-seed.c: the messages demo mode starts with
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-demo-seed.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

typedef struct
{
  char *maildir;
  guint counter;
} Seed;

static void
seed_free (Seed *seed)
{
  g_free (seed->maildir);
  g_free (seed);
}

/* An RFC 2047 encoded word for a UTF-8 string. */
static char *
word (const char *text)
{
  g_autofree char *b64 = g_base64_encode ((const guchar *) text, strlen (text));

  return g_strdup_printf ("=?UTF-8?B?%s?=", b64);
}

static char *
date_days_ago (double days)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) then = g_date_time_add_seconds (now, -days * 86400.0);

  return g_date_time_format (then, "%a, %d %b %Y %H:%M:%S %z");
}

static GOutputStream *
begin_message (Seed    *seed,
               char   **out_tmp,
               char   **out_new,
               GError **error)
{
  g_autofree char *name = NULL;
  g_autoptr (GFile) file = NULL;
  GFileOutputStream *out;

  name = g_strdup_printf ("%" G_GINT64_FORMAT ".M%uP%d.mailwire-demo",
                          g_get_real_time () / G_USEC_PER_SEC, ++seed->counter, (int) getpid ());
  *out_tmp = g_build_filename (seed->maildir, "tmp", name, NULL);
  *out_new = g_build_filename (seed->maildir, "new", name, NULL);
  file = g_file_new_for_path (*out_tmp);
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, error);
  return G_OUTPUT_STREAM (out);
}

static gboolean
end_message (GOutputStream *out,
             const char    *tmp,
             const char *new,
             GError **error)
{
  if (!g_output_stream_close (out, NULL, error))
    return FALSE;
  if (g_rename (tmp, new) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Could not deliver %s: %s", new, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_message (Seed       *seed,
               const char *text,
               GError    **error)
{
  g_autoptr (GOutputStream) out = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *new = NULL;

  out = begin_message (seed, &tmp, &new, error);
  if (out == NULL)
    return FALSE;
  if (!g_output_stream_write_all (out, text, strlen (text), NULL, NULL, error))
    return FALSE;
  return end_message (out, tmp, new, error);
}

/* A tiny PNG (one blue pixel) for the attachment examples. */
static const char tiny_png_b64[] =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkaPhfDwAE"
  "hAH/wnqUqwAAAABJRU5ErkJggg==";

static gboolean
seed_ordinary (Seed    *seed,
               GError **error)
{
  g_autofree char *d0 = date_days_ago (0.02);
  g_autofree char *d1 = date_days_ago (0.3);
  g_autofree char *d2 = date_days_ago (1.2);
  g_autofree char *d3 = date_days_ago (2.5);
  g_autofree char *d4 = date_days_ago (3.1);
  g_autofree char *d5 = date_days_ago (3.4);
  g_autofree char *d6 = date_days_ago (4.0);
  g_autofree char *d7 = date_days_ago (9.0);
  g_autofree char *d8 = date_days_ago (40.0);
  g_autofree char *zoe = word ("Zoë Müller");
  g_autofree char *zoe_subject = word ("Grüße aus München – Fotos vom Wochenende 📷");
  g_autofree char *tanaka = word ("田中 太郎");
  g_autofree char *tanaka_subject = word ("会議の議事録（第3四半期）");
  g_autofree char *eleni_subject = word ("Καλημέρα! Το πρόγραμμα της εβδομάδας");
  g_autofree char *csv = NULL;
  g_autofree char *text = NULL;
  const char      *csv_text = "Punkt,Verantwortlich,Termin\n"
                              "Budget,Tanaka,2026-12-01\n"
                              "Release,Müller,2026-12-15\n";

  csv = g_base64_encode ((const guchar *) csv_text, strlen (csv_text));

  text = g_strdup_printf (
    "Return-Path: <welcome@mailwire.invalid>\n"
    "From: Mailwire Demo <welcome@mailwire.invalid>\n"
    "To: Demo User <demo@mailwire.invalid>\n"
    "Subject: Welcome to Mailwire\n"
    "Date: %s\n"
    "Message-ID: <welcome.1@mailwire.invalid>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "Hello,\n"
    "\n"
    "this mailbox lives on a small POP3 and SMTP server that Mailwire runs on\n"
    "your own computer for the demo. Nothing you do here reaches the Internet.\n"
    "\n"
    "Open the protocol log (Ctrl+L) to watch what Mailwire says to the server\n"
    "and what the server answers: every STAT, LIST, UIDL and TOP it took to\n"
    "show you this list without downloading a single message.\n"
    "\n"
    "Some messages below are deliberately broken: a very large one, one with\n"
    "damaged MIME, one with an absurdly long header line. They are the kind\n"
    "of message that makes other programs' downloads fail.\n"
    "\n"
    "Have fun,\n"
    "Mailwire\n",
    d0);
  if (!write_message (seed, text, error))
    return FALSE;
  g_clear_pointer (&text, g_free);

  text = g_strdup_printf (
    "From: %s <zoe.mueller@example.de>\n"
    "To: demo@mailwire.invalid\n"
    "Subject: %s\n"
    "Date: %s\n"
    "Message-ID: <20261101.zoe@example.de>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"=-zoe-boundary\"\n"
    "\n"
    "--=-zoe-boundary\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Hallo!\n"
    "\n"
    "Anbei das Foto vom Wochenende und die Liste f=C3=BCr n=C3=A4chste Woche.\n"
    "Sch=C3=B6ne Gr=C3=BC=C3=9Fe,\n"
    "Zo=C3=AB\n"
    "\n"
    "--=-zoe-boundary\n"
    "Content-Type: image/png; name=\"wochenende.png\"\n"
    "Content-Disposition: attachment; filename=\"wochenende.png\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "%s\n"
    "\n"
    "--=-zoe-boundary\n"
    "Content-Type: text/csv; charset=UTF-8; name=\"liste.csv\"\n"
    "Content-Disposition: attachment; filename=\"liste.csv\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "%s\n"
    "--=-zoe-boundary--\n",
    zoe, zoe_subject, d1, tiny_png_b64, csv);
  if (!write_message (seed, text, error))
    return FALSE;
  g_clear_pointer (&text, g_free);

  text = g_strdup_printf (
    "From: %s <tanaka@example.jp>\n"
    "To: demo@mailwire.invalid\n"
    "Cc: =?ISO-8859-1?Q?Fran=E7ois_Dupont?= <francois@example.fr>\n"
    "Subject: %s\n"
    "Date: %s\n"
    "Message-ID: <minutes-q3@example.jp>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "お疲れ様です。\n"
    "\n"
    "第3四半期の会議の議事録をお送りします。\n"
    "ご確認のほど、よろしくお願いいたします。\n"
    "\n"
    "田中\n",
    tanaka, tanaka_subject, d2);
  if (!write_message (seed, text, error))
    return FALSE;
  g_clear_pointer (&text, g_free);

  text = g_strdup_printf (
    "From: The Weekly Packet <news@packet.example>\n"
    "To: demo@mailwire.invalid\n"
    "Subject: This week: TLS 1.3 everywhere, and why your mail client still says QUIT\n"
    "Date: %s\n"
    "Message-ID: <issue-212@packet.example>\n"
    "List-Unsubscribe: <mailto:leave@packet.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/html; charset=UTF-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "<!DOCTYPE html>\n"
    "<html><head><title>The Weekly Packet</title></head>\n"
    "<body style=\"font-family: sans-serif\">\n"
    "<h1>The Weekly Packet</h1>\n"
    "<p>This newsletter has <b>no plain-text part</b>: a client has to make\n"
    "sense of the HTML on its own.</p>\n"
    "<ul><li>TLS 1.3 everywhere</li><li>POP3 is not dead</li>\n"
    "<li>Why deletions only count after QUIT</li></ul>\n"
    "<p><a href=\"https://packet.example/212\">Read online</a></p>\n"
    "</body></html>\n",
    d3);
  if (!write_message (seed, text, error))
    return FALSE;
  g_clear_pointer (&text, g_free);

  /* A thread of three. */
  text = g_strdup_printf (
    "From: Alice Johnson <alice@example.org>\n"
    "To: team@example.org\n"
    "Cc: demo@mailwire.invalid\n"
    "Subject: Release planning for 2.0\n"
    "Date: %s\n"
    "Message-ID: <plan-2.0@example.org>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "\n"
    "Hi all,\n"
    "\n"
    "shall we freeze features on Friday and tag the release the week after?\n"
    "\n"
    "Alice\n",
    d6);
  if (!write_message (seed, text, error))
    return FALSE;
  g_clear_pointer (&text, g_free);

  text = g_strdup_printf (
    "From: Bob Smith <bob@example.org>\n"
    "To: team@example.org\n"
    "Cc: demo@mailwire.invalid\n"
    "Subject: Re: Release planning for 2.0\n"
    "Date: %s\n"
    "Message-ID: <re1-plan-2.0@example.org>\n"
    "In-Reply-To: <plan-2.0@example.org>\n"
    "References: <plan-2.0@example.org>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "\n"
    "Friday works for me. The translations need two more days, though.\n"
    "\n"
    "> shall we freeze features on Friday and tag the release the week after?\n"
    "\n"
    "Bob\n",
    d5);
  if (!write_message (seed, text, error))
    return FALSE;
  g_clear_pointer (&text, g_free);

  text = g_strdup_printf (
    "From: =?UTF-8?Q?Carol_O=E2=80=99Brien?= <carol@example.org>\n"
    "To: team@example.org\n"
    "Cc: demo@mailwire.invalid\n"
    "Subject: Re: Release planning for 2.0\n"
    "Date: %s\n"
    "Message-ID: <re2-plan-2.0@example.org>\n"
    "In-Reply-To: <re1-plan-2.0@example.org>\n"
    "References: <plan-2.0@example.org> <re1-plan-2.0@example.org>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "\n"
    "Then let us freeze on Monday instead and give the translators the weekend.\n"
    "\n"
    "Carol\n",
    d4);
  if (!write_message (seed, text, error))
    return FALSE;
  g_clear_pointer (&text, g_free);

  text = g_strdup_printf (
    "From: =?UTF-8?Q?=CE=95=CE=BB=CE=AD=CE=BD=CE=B7_=CE=A0=CE=B1=CF=80=CE=B1?= <eleni@example.gr>\n"
    "To: demo@mailwire.invalid\n"
    "Subject: %s\n"
    "Date: %s\n"
    "Message-ID: <week@example.gr>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "Καλημέρα σε όλους! Δευτέρα: συνάντηση στις 10:00.\n",
    eleni_subject, d7);
  if (!write_message (seed, text, error))
    return FALSE;
  g_clear_pointer (&text, g_free);

  text = g_strdup_printf (
    "From: Postmaster <postmaster@mailwire.invalid>\n"
    "To: demo@mailwire.invalid\n"
    "Subject: Your mailbox is 82%% full\n"
    "Date: %s\n"
    "Message-ID: <quota@mailwire.invalid>\n"
    "\n"
    "Your mailbox on this server is 82%% full. Delete old messages from the\n"
    "server to make room: select them and press Delete.\n",
    d8);
  return write_message (seed, text, error);
}

static gboolean
seed_problems (Seed         *seed,
               GCancellable *cancellable,
               GError      **error)
{
  g_autofree char *d0 = date_days_ago (0.5);
  g_autofree char *d1 = date_days_ago (1.8);
  g_autofree char *d2 = date_days_ago (6.0);
  g_autofree char *text = NULL;
  g_autoptr (GOutputStream) out = NULL;
  g_autoptr (GString) chunk = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *new = NULL;
  g_autoptr (GRand) rand = NULL;
  guint64 written = 0;

  /* Broken MIME: a multipart without its boundary, a part with invalid
   * base64, an unknown transfer encoding and no closing delimiter. */
  text = g_strdup_printf (
    "From: Scanner 3000 <scanner@office.example>\n"
    "To: demo@mailwire.invalid\n"
    "Subject: Scanned document (broken MIME)\n"
    "Date: %s\n"
    "Message-ID: <scan-0042@office.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed\n"
    "\n"
    "--NextPart_000\n"
    "Content-Type: text/plain; charset=\"x-unknown-charset\"\n"
    "Content-Transfer-Encoding: 9bit\n"
    "\n"
    "Please find the scanned document attached.\n"
    "--NextPart_000\n"
    "Content-Type: application/pdf; name=\"scan.pdf\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "JVBERi0xLjQKJ%%%%not*base64!!\n"
    "JVBERi0xLjQKJcfs\n",
    d0);
  if (!write_message (seed, text, error))
    return FALSE;
  g_clear_pointer (&text, g_free);

  /* A header line of 200 KB without a single fold. */
  out = begin_message (seed, &tmp, &new, error);
  if (out == NULL)
    return FALSE;
  text = g_strdup_printf ("From: Tracking Robot <robot@tracker.example>\n"
                          "To: demo@mailwire.invalid\n"
                          "Subject: Message with a 200 KB header line\n"
                          "Date: %s\n"
                          "Message-ID: <long-header@tracker.example>\n"
                          "X-Tracking-Data: ",
                          d1);
  if (!g_output_stream_write_all (out, text, strlen (text), NULL, cancellable, error))
    return FALSE;
  chunk = g_string_new (NULL);
  for (guint i = 0; i < 200 * 1024 / 16; i++)
    g_string_append_printf (chunk, "%015x-", i);
  g_string_append (chunk, "\n\nThis message has one header line of 200 KB: many servers and\n"
                          "clients give up on it.\n");
  if (!g_output_stream_write_all (out, chunk->str, chunk->len, NULL, cancellable, error) ||
      !end_message (out, tmp, new, error))
    return FALSE;
  g_clear_object (&out);
  g_clear_pointer (&tmp, g_free);
  g_clear_pointer (&new, g_free);
  g_clear_pointer (&text, g_free);

  /* 30 MB, written a chunk at a time. */
  out = begin_message (seed, &tmp, &new, error);
  if (out == NULL)
    return FALSE;
  text = g_strdup_printf ("From: Backup Service <backup@storage.example>\n"
                          "To: demo@mailwire.invalid\n"
                          "Subject: Nightly backup archive (30 MB)\n"
                          "Date: %s\n"
                          "Message-ID: <backup-30mb@storage.example>\n"
                          "MIME-Version: 1.0\n"
                          "Content-Type: multipart/mixed; boundary=\"backup-part\"\n"
                          "\n"
                          "--backup-part\n"
                          "Content-Type: text/plain; charset=UTF-8\n"
                          "\n"
                          "The archive is attached. It is larger than most servers accept.\n"
                          "\n"
                          "--backup-part\n"
                          "Content-Type: application/gzip; name=\"backup.tar.gz\"\n"
                          "Content-Disposition: attachment; filename=\"backup.tar.gz\"\n"
                          "Content-Transfer-Encoding: base64\n"
                          "\n",
                          d2);
  if (!g_output_stream_write_all (out, text, strlen (text), NULL, cancellable, error))
    return FALSE;

  rand = g_rand_new_with_seed (42);
  g_string_truncate (chunk, 0);
  while (written < MW_DEMO_SEED_LARGE_SIZE)
    {
      guchar raw[57];
      char   line[80];
      gsize  len;

      for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = g_rand_int (rand) & 0xff;
      len = g_base64_encode_step (raw, sizeof raw, FALSE, line, &(int){ 0 }, &(int){ 0 });
      g_string_append_len (chunk, line, len);
      g_string_append_c (chunk, '\n');
      if (chunk->len >= 64 * 1024)
        {
          if (!g_output_stream_write_all (out, chunk->str, chunk->len, NULL, cancellable, error))
            return FALSE;
          written += chunk->len;
          g_string_truncate (chunk, 0);
        }
    }
  g_string_append (chunk, "--backup-part--\n");
  if (!g_output_stream_write_all (out, chunk->str, chunk->len, NULL, cancellable, error))
    return FALSE;
  return end_message (out, tmp, new, error);
}

static void
seed_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Seed *seed = task_data;
  g_autoptr (GError) error = NULL;
  static const char *const subdirs[] = { "cur", "new", "tmp" };

  for (size_t i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *dir = g_build_filename (seed->maildir, subdirs[i], NULL);

      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved = errno;

          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                                   "Could not create %s: %s", dir, g_strerror (saved));
          return;
        }
    }

  if (!seed_ordinary (seed, &error) || !seed_problems (seed, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
mw_demo_seed_async (const char         *maildir,
                    GCancellable       *cancellable,
                    GAsyncReadyCallback callback,
                    gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  Seed *seed;

  g_return_if_fail (maildir != NULL);

  seed = g_new0 (Seed, 1);
  seed->maildir = g_strdup (maildir);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_demo_seed_async);
  g_task_set_task_data (task, seed, (GDestroyNotify) seed_free);
  g_task_run_in_thread (task, seed_thread);
}

gboolean
mw_demo_seed_finish (GAsyncResult *result,
                     GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
