/* mw-smtp-session.c: one SMTP session (RFC 5321, 1870, 2920, 3030, 3207, 4954)
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-mail-server-private.h"
#include "mw-maildrop-private.h"
#include "mw-server-stream-private.h"

#include <string.h>

/* RFC 5321 allows 512 octets and extensions add some; AUTH responses may
 * reach 12288 (RFC 4954). */
#define MAX_COMMAND_LINE 4096
#define MAX_AUTH_LINE    12288
#define MAX_DATA_LINE    65536
#define MAX_PATH         256
#define MAX_DOMAIN       255
#define MAX_RECIPIENTS   100
#define MAX_PARAM        512

typedef struct
{
  MwMailServer      *server;
  MwServerConfig    *config;
  MwServerStream    *stream;
  GSocketConnection *connection;
  char              *helo;
  gboolean           esmtp;
  char              *auth_user;
  gboolean           quit;

  /* The mail transaction; mail_from is NULL outside one. */
  char            *mail_from;
  gboolean         smtputf8;
  GPtrArray       *recipients;
  MwMaildirWriter *bdat;
  guint64          bdat_size;
} Session;

static gboolean
reply (Session    *session,
       const char *line)
{
  return mw_server_stream_write_str (session->stream, line, NULL) &&
         mw_server_stream_write (session->stream, "\r\n", 2, NULL);
}

static void
reset_transaction (Session *session)
{
  g_clear_pointer (&session->mail_from, g_free);
  g_ptr_array_set_size (session->recipients, 0);
  g_clear_pointer (&session->bdat, mw_maildir_writer_free);
  session->bdat_size = 0;
  session->smtputf8 = FALSE;
}

static gboolean
tls_available (Session *session)
{
  return session->config->certificate != NULL && !mw_server_stream_is_tls (session->stream);
}

static gboolean
plaintext_disallowed (Session *session)
{
  return tls_available (session) && !session->config->allow_plaintext_auth;
}

static gboolean
is_domain_like (const char *str)
{
  size_t len = strlen (str);

  if (len == 0 || len > MAX_DOMAIN)
    return FALSE;

  for (size_t i = 0; i < len; i++)
    if ((guchar) str[i] < 0x21 || (guchar) str[i] > 0x7E)
      return FALSE;

  return TRUE;
}

static gboolean
handle_helo (Session    *session,
             const char *arg,
             gboolean    esmtp)
{
  MwServerStream *s = session->stream;
  gboolean        ok;

  if (arg == NULL || !is_domain_like (arg))
    return reply (session, esmtp ? "501 5.5.4 Syntax: EHLO domain" : "501 5.5.4 Syntax: HELO domain");

  reset_transaction (session);
  g_free (session->helo);
  session->helo = g_strdup (arg);
  session->esmtp = esmtp;

  if (!esmtp)
    return mw_server_stream_printf (s, NULL, "250 %s\r\n", mw_mail_server_get_host_name (session->server));

  ok = mw_server_stream_printf (s, NULL,
                                "250-%s Hello %s\r\n"
                                "250-PIPELINING\r\n"
                                "250-SIZE %" G_GUINT64_FORMAT "\r\n"
                                "250-8BITMIME\r\n"
                                "250-SMTPUTF8\r\n"
                                "250-ENHANCEDSTATUSCODES\r\n"
                                "250-CHUNKING\r\n"
                                "250-DSN\r\n",
                                mw_mail_server_get_host_name (session->server), arg,
                                session->config->max_message_size);

  if (ok && tls_available (session))
    ok = mw_server_stream_write_str (s, "250-STARTTLS\r\n", NULL);

  if (ok && !plaintext_disallowed (session) && session->auth_user == NULL)
    ok = mw_server_stream_write_str (s, "250-AUTH PLAIN LOGIN\r\n", NULL);

  return ok && mw_server_stream_write_str (s, "250 HELP\r\n", NULL);
}

/* Parses "<path>" at *@p into an address without brackets or source route.
 * Returns NULL on a syntax error. */
static char *
parse_path (const char **p,
            gboolean    *out_non_ascii)
{
  const char *start;
  const char *q;
  gboolean    quoted = FALSE;
  gboolean    non_ascii = FALSE;

  while (**p == ' ')
    (*p)++;

  if (**p != '<')
    return NULL;

  start = *p + 1;
  for (q = start; *q != '\0'; q++)
    {
      guchar c = (guchar) *q;

      if (c < 0x20 || c == 0x7F)
        return NULL;
      if (c >= 0x80)
        non_ascii = TRUE;

      if (quoted && c == '\\' && q[1] != '\0')
        q++;
      else if (c == '"')
        quoted = !quoted;
      else if (!quoted && c == ' ')
        return NULL;
      else if (!quoted && c == '>')
        break;
    }

  if (*q != '>' || (size_t) (q - start) > MAX_PATH)
    return NULL;

  *p = q + 1;
  *out_non_ascii = non_ascii;

  /* An obsolete source route, "@a,@b:user@c", is ignored (RFC 5321 C). */
  if (*start == '@')
    {
      const char *colon = memchr (start, ':', (size_t) (q - start));

      if (colon == NULL)
        return NULL;
      start = colon + 1;
    }

  return g_strndup (start, (size_t) (q - start));
}

typedef enum
{
  PARAMS_OK,
  PARAMS_SYNTAX,
  PARAMS_UNKNOWN,
  PARAMS_TOO_BIG,
} ParamsResult;

static gboolean
is_xtext (const char *value)
{
  size_t len = strlen (value);

  if (len == 0 || len > 100)
    return FALSE;

  for (size_t i = 0; i < len; i++)
    if ((guchar) value[i] < 0x21 || (guchar) value[i] > 0x7E || value[i] == '=')
      return FALSE;

  return TRUE;
}

static gboolean
is_notify (const char *value)
{
  g_auto (GStrv) words = g_strsplit (value, ",", 4);

  if (g_ascii_strcasecmp (value, "NEVER") == 0)
    return TRUE;

  for (guint i = 0; words[i] != NULL; i++)
    if (g_ascii_strcasecmp (words[i], "SUCCESS") != 0 &&
        g_ascii_strcasecmp (words[i], "FAILURE") != 0 &&
        g_ascii_strcasecmp (words[i], "DELAY") != 0)
      return FALSE;

  return words[0] != NULL;
}

static ParamsResult
parse_params (Session    *session,
              const char *p,
              gboolean    mail)
{
  g_auto (GStrv) params = NULL;

  while (*p == ' ')
    p++;

  if (*p == '\0')
    return PARAMS_OK;

  params = g_strsplit (p, " ", 16);
  for (guint i = 0; params[i] != NULL; i++)
    {
      g_autofree char *key = NULL;
      const char      *eq;
      const char      *value;

      if (*params[i] == '\0')
        continue;

      if (strlen (params[i]) > MAX_PARAM)
        return PARAMS_SYNTAX;

      eq = strchr (params[i], '=');
      key = g_ascii_strup (params[i], eq != NULL ? eq - params[i] : -1);
      value = eq != NULL ? eq + 1 : NULL;

      if (mail && strcmp (key, "SIZE") == 0)
        {
          size_t len = value != NULL ? strlen (value) : 0;

          if (len == 0 || len > 20 || strspn (value, "0123456789") != len)
            return PARAMS_SYNTAX;

          if (session->config->max_message_size > 0 &&
              (len > 19 || g_ascii_strtoull (value, NULL, 10) > session->config->max_message_size))
            return PARAMS_TOO_BIG;
        }
      else if (mail && strcmp (key, "BODY") == 0)
        {
          if (value == NULL ||
              (g_ascii_strcasecmp (value, "7BIT") != 0 && g_ascii_strcasecmp (value, "8BITMIME") != 0))
            return PARAMS_SYNTAX;
        }
      else if (mail && strcmp (key, "SMTPUTF8") == 0)
        {
          if (value != NULL)
            return PARAMS_SYNTAX;
          session->smtputf8 = TRUE;
        }
      else if (mail && strcmp (key, "RET") == 0)
        {
          if (value == NULL ||
              (g_ascii_strcasecmp (value, "FULL") != 0 && g_ascii_strcasecmp (value, "HDRS") != 0))
            return PARAMS_SYNTAX;
        }
      else if (mail && (strcmp (key, "ENVID") == 0 || strcmp (key, "AUTH") == 0))
        {
          if (value == NULL || !is_xtext (value))
            return PARAMS_SYNTAX;
        }
      else if (!mail && strcmp (key, "NOTIFY") == 0)
        {
          if (value == NULL || !is_notify (value))
            return PARAMS_SYNTAX;
        }
      else if (!mail && strcmp (key, "ORCPT") == 0)
        {
          if (value == NULL || strchr (value, ';') == NULL)
            return PARAMS_SYNTAX;
        }
      else
        return PARAMS_UNKNOWN;
    }

  return PARAMS_OK;
}

static gboolean
handle_mail (Session    *session,
             const char *arg)
{
  g_autofree char *from = NULL;
  gboolean         non_ascii = FALSE;
  const char      *p = arg;

  if (session->helo == NULL)
    return reply (session, "503 5.5.1 Send HELO or EHLO first");

  if (session->mail_from != NULL)
    return reply (session, "503 5.5.1 Nested MAIL command");

  if (p == NULL || g_ascii_strncasecmp (p, "FROM:", 5) != 0)
    return reply (session, "501 5.5.4 Syntax: MAIL FROM:<address>");

  p += 5;
  from = parse_path (&p, &non_ascii);
  if (from == NULL || (*p != '\0' && *p != ' '))
    return reply (session, "501 5.1.7 Bad sender address syntax");

  session->smtputf8 = FALSE;
  switch (parse_params (session, p, TRUE))
    {
    case PARAMS_OK:
      break;
    case PARAMS_SYNTAX:
      return reply (session, "501 5.5.4 Invalid parameter");
    case PARAMS_UNKNOWN:
      return reply (session, "555 5.5.4 Unsupported parameter");
    case PARAMS_TOO_BIG:
      return reply (session, "552 5.3.4 Message size exceeds fixed maximum message size");
    default:
      g_assert_not_reached ();
    }

  if (non_ascii && !session->smtputf8)
    return reply (session, "553 5.6.7 Non-ASCII address needs SMTPUTF8");

  session->mail_from = g_steal_pointer (&from);

  return reply (session, "250 2.1.0 Ok");
}

static gboolean
handle_rcpt (Session    *session,
             const char *arg)
{
  g_autofree char *to = NULL;
  g_autofree char *refused = NULL;
  gboolean         non_ascii = FALSE;
  const char      *p = arg;

  if (session->mail_from == NULL)
    return reply (session, "503 5.5.1 Need MAIL command first");

  if (p == NULL || g_ascii_strncasecmp (p, "TO:", 3) != 0)
    return reply (session, "501 5.5.4 Syntax: RCPT TO:<address>");

  p += 3;
  to = parse_path (&p, &non_ascii);
  if (to == NULL || (*p != '\0' && *p != ' ') || *to == '\0' ||
      (strchr (to, '@') == NULL && g_ascii_strcasecmp (to, "postmaster") != 0))
    return reply (session, "501 5.1.3 Bad recipient address syntax");

  switch (parse_params (session, p, FALSE))
    {
    case PARAMS_OK:
      break;
    case PARAMS_SYNTAX:
    case PARAMS_TOO_BIG:
      return reply (session, "501 5.5.4 Invalid parameter");
    case PARAMS_UNKNOWN:
      return reply (session, "555 5.5.4 Unsupported parameter");
    default:
      g_assert_not_reached ();
    }

  if (non_ascii && !session->smtputf8)
    return reply (session, "553 5.6.7 Non-ASCII address needs SMTPUTF8");

  if (session->recipients->len >= MAX_RECIPIENTS)
    return reply (session, "452 4.5.3 Too many recipients");

  refused = mw_mail_server_lookup_refused (session->server, to);
  if (refused != NULL)
    return reply (session, refused);

  g_ptr_array_add (session->recipients, g_steal_pointer (&to));

  return reply (session, "250 2.1.5 Ok");
}

static char *
format_date (void)
{
  static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  GTimeSpan offset = g_date_time_get_utc_offset (now) / G_TIME_SPAN_MINUTE;

  /* RFC 5322, with English names whatever the locale. */
  return g_strdup_printf ("%s, %d %s %d %02d:%02d:%02d %c%02d%02d",
                          days[g_date_time_get_day_of_week (now) - 1],
                          g_date_time_get_day_of_month (now),
                          months[g_date_time_get_month (now) - 1],
                          g_date_time_get_year (now),
                          g_date_time_get_hour (now),
                          g_date_time_get_minute (now),
                          g_date_time_get_second (now),
                          offset < 0 ? '-' : '+',
                          (int) (ABS (offset) / 60), (int) (ABS (offset) % 60));
}

/* Starts the stored copy: the trace headers. */
static MwMaildirWriter *
begin_message (Session *session,
               GError **error)
{
  g_autoptr (MwMaildirWriter) writer = NULL;
  g_autoptr (GSocketAddress) remote = NULL;
  g_autofree char *remote_ip = NULL;
  g_autofree char *date = NULL;
  g_autofree char *headers = NULL;
  g_autofree char *for_clause = NULL;
  const char      *protocol;

  writer = mw_maildir_writer_new (mw_mail_server_get_maildir (session->server), error);
  if (writer == NULL)
    return NULL;

  remote = g_socket_connection_get_remote_address (session->connection, NULL);
  if (remote != NULL && G_IS_INET_SOCKET_ADDRESS (remote))
    remote_ip = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));

  if (!session->esmtp)
    protocol = "SMTP";
  else if (mw_server_stream_is_tls (session->stream))
    protocol = session->auth_user != NULL ? "ESMTPSA" : "ESMTPS";
  else
    protocol = session->auth_user != NULL ? "ESMTPA" : "ESMTP";

  if (session->recipients->len == 1)
    for_clause = g_strdup_printf ("\r\n\tfor <%s>", (const char *) session->recipients->pdata[0]);

  date = format_date ();
  headers = g_strdup_printf ("Return-Path: <%s>\r\n"
                             "Received: from %s (localhost [%s])\r\n"
                             "\tby %s (Mailwire) with %s id %s%s;\r\n"
                             "\t%s\r\n",
                             session->mail_from,
                             session->helo, remote_ip != NULL ? remote_ip : "127.0.0.1",
                             mw_mail_server_get_host_name (session->server), protocol,
                             mw_maildir_writer_get_id (writer),
                             for_clause != NULL ? for_clause : "",
                             date);

  if (!mw_maildir_writer_write (writer, headers, strlen (headers), error))
    return NULL;

  return g_steal_pointer (&writer);
}

static gboolean
check_transaction (Session  *session,
                   gboolean *out_ok)
{
  *out_ok = FALSE;

  if (session->mail_from == NULL)
    return reply (session, "503 5.5.1 Need MAIL command first");

  if (session->recipients->len == 0)
    return reply (session, "554 5.5.1 No valid recipients");

  *out_ok = TRUE;
  return TRUE;
}

static gboolean
finish_message (Session         *session,
                MwMaildirWriter *writer,
                guint64          size,
                gboolean         bdat)
{
  g_autoptr (GError) error = NULL;

  if (!mw_maildir_writer_commit (writer, &error))
    {
      g_warning ("Cannot deliver a message: %s", error->message);
      return reply (session, "451 4.3.0 Cannot store the message");
    }

  if (bdat)
    return mw_server_stream_printf (session->stream, NULL,
                                    "250 2.0.0 Ok: %" G_GUINT64_FORMAT " octets, queued as %s\r\n",
                                    size, mw_maildir_writer_get_id (writer));

  return mw_server_stream_printf (session->stream, NULL, "250 2.0.0 Ok: queued as %s\r\n",
                                  mw_maildir_writer_get_id (writer));
}

static gboolean
handle_data (Session    *session,
             const char *arg)
{
  g_autoptr (MwMaildirWriter) writer = NULL;
  g_autoptr (GString) line = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  guint64  max = session->config->max_message_size;
  guint64  size = 0;
  gboolean prev_crlf = TRUE;
  gboolean bare = FALSE;
  gboolean line_too_long = FALSE;
  gboolean failed = FALSE;
  gboolean ok;

  if (arg != NULL)
    return reply (session, "501 5.5.4 Syntax: DATA");

  if (session->bdat != NULL)
    return reply (session, "503 5.5.1 DATA is not allowed after BDAT");

  if (!check_transaction (session, &ok))
    return FALSE;
  if (!ok)
    return TRUE;

  writer = begin_message (session, &error);
  if (writer == NULL)
    {
      g_warning ("Cannot deliver a message: %s", error->message);
      failed = TRUE;
    }

  if (!reply (session, "354 End data with <CR><LF>.<CR><LF>"))
    return FALSE;

  for (;;)
    {
      gboolean    too_long = FALSE;
      gboolean    crlf;
      const char *content;
      size_t      len;

      if (!mw_server_stream_read_line (session->stream, MAX_DATA_LINE, line, &too_long, NULL))
        return FALSE;

      if (too_long)
        {
          line_too_long = TRUE;
          prev_crlf = TRUE;
          continue;
        }

      /* Only CRLF "." CRLF ends the data: anything else is data, so that
       * a bare LF cannot smuggle a second message past a strict relay. */
      crlf = line->len >= 2 && line->str[line->len - 2] == '\r';
      if (prev_crlf && crlf && line->len == 3 && line->str[0] == '.')
        break;

      if (!crlf || memchr (line->str, '\r', line->len - (crlf ? 2 : 1)) != NULL)
        bare = TRUE;

      content = line->str;
      len = line->len;
      if (*content == '.')
        {
          content++;
          len--;
        }

      size += len;
      prev_crlf = crlf;

      if (bare || line_too_long || failed || (max > 0 && size > max))
        continue;

      if (!mw_maildir_writer_write (writer, content, len, &error))
        {
          g_warning ("Cannot deliver a message: %s", error->message);
          failed = TRUE;
        }
    }

  reset_transaction (session);

  if (bare)
    return reply (session, "554 5.6.0 Message contains a bare CR or LF");
  if (line_too_long)
    return reply (session, "554 5.6.0 Message contains a line that is too long");
  if (max > 0 && size > max)
    return reply (session, "552 5.3.4 Message size exceeds fixed maximum message size");
  if (failed)
    return reply (session, "451 4.3.0 Cannot store the message");

  return finish_message (session, writer, size, FALSE);
}

typedef struct
{
  MwMaildirWriter *writer;
  guint64          size;
  guint64          max;
  gboolean         too_big;
  gboolean         failed;
} Chunk;

static gboolean
chunk_sink (const char *data,
            size_t      len,
            gpointer    user_data,
            GError    **error)
{
  Chunk *chunk = user_data;
  g_autoptr (GError) local_error = NULL;

  chunk->size += len;
  if (chunk->max > 0 && chunk->size > chunk->max)
    chunk->too_big = TRUE;

  if (chunk->writer == NULL || chunk->too_big || chunk->failed)
    return TRUE;

  if (!mw_maildir_writer_write (chunk->writer, data, len, &local_error))
    {
      g_warning ("Cannot deliver a message: %s", local_error->message);
      chunk->failed = TRUE;
    }

  return TRUE;
}

static gboolean
handle_bdat (Session    *session,
             const char *arg)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) args = NULL;
  Chunk    chunk = { 0 };
  guint64  len;
  gboolean last = FALSE;
  gboolean ok;
  size_t   digits;

  args = g_strsplit (arg != NULL ? arg : "", " ", 3);
  digits = args[0] != NULL ? strlen (args[0]) : 0;
  if (digits == 0 || digits > 15 || strspn (args[0], "0123456789") != digits ||
      (args[1] != NULL && (g_ascii_strcasecmp (args[1], "LAST") != 0 || args[2] != NULL)))
    return reply (session, "501 5.5.4 Syntax: BDAT size [LAST]");

  len = g_ascii_strtoull (args[0], NULL, 10);
  last = args[1] != NULL;

  /* The chunk follows whatever the verdict: read it before replying. */
  if (session->mail_from == NULL || session->recipients->len == 0)
    {
      if (!mw_server_stream_read_bytes (session->stream, len, NULL, NULL, NULL) ||
          !check_transaction (session, &ok))
        return FALSE;
      return TRUE;
    }

  if (session->bdat == NULL)
    {
      session->bdat = begin_message (session, &error);
      if (session->bdat == NULL)
        {
          g_warning ("Cannot deliver a message: %s", error->message);
          chunk.failed = TRUE;
        }
    }

  chunk.writer = session->bdat;
  chunk.max = session->config->max_message_size;
  chunk.size = session->bdat_size;

  if (!mw_server_stream_read_bytes (session->stream, len, chunk_sink, &chunk, NULL))
    return FALSE;

  session->bdat_size = chunk.size;

  if (chunk.too_big)
    {
      reset_transaction (session);
      return reply (session, "552 5.3.4 Message size exceeds fixed maximum message size");
    }

  if (chunk.failed)
    {
      reset_transaction (session);
      return reply (session, "451 4.3.0 Cannot store the message");
    }

  if (!last)
    return mw_server_stream_printf (session->stream, NULL,
                                    "250 2.0.0 Ok: %" G_GUINT64_FORMAT " octets received\r\n",
                                    len);

  ok = finish_message (session, session->bdat, chunk.size, TRUE);
  reset_transaction (session);

  return ok;
}

/* Reads one SASL response line; @out_ok is FALSE when the connection failed. */
static char *
read_sasl_response (Session  *session,
                    gboolean *out_ok)
{
  g_autoptr (GString) line = g_string_new (NULL);
  gboolean too_long = FALSE;
  char    *response;

  *out_ok = FALSE;

  if (!mw_server_stream_read_line (session->stream, MAX_AUTH_LINE, line, &too_long, NULL))
    return NULL;

  *out_ok = TRUE;
  if (too_long)
    return g_strdup ("");

  g_strchomp (line->str);
  response = g_strdup (line->str);
  explicit_bzero (line->str, line->allocated_len);

  return response;
}

static gboolean
auth_failed (Session *session)
{
  mw_server_stream_delay (session->stream, session->config->auth_failure_delay);

  return reply (session, "535 5.7.8 Authentication credentials invalid");
}

static gboolean
handle_auth (Session    *session,
             const char *arg)
{
  g_auto (GStrv) args = NULL;
  g_autofree char *user = NULL;
  char            *response = NULL;
  guchar          *decoded = NULL;
  gsize            len = 0;
  gboolean         io_ok;
  gboolean         ok = FALSE;

  if (session->helo == NULL || !session->esmtp)
    return reply (session, "503 5.5.1 Send EHLO first");

  if (session->auth_user != NULL)
    return reply (session, "503 5.5.1 Already authenticated");

  if (session->mail_from != NULL)
    return reply (session, "503 5.5.1 Not allowed during a mail transaction");

  args = g_strsplit (arg != NULL ? arg : "", " ", 3);
  if (args[0] == NULL || *args[0] == '\0' || (args[1] != NULL && args[2] != NULL))
    return reply (session, "501 5.5.4 Syntax: AUTH mechanism [initial-response]");

  if (g_ascii_strcasecmp (args[0], "PLAIN") != 0 && g_ascii_strcasecmp (args[0], "LOGIN") != 0)
    return reply (session, "504 5.5.4 Unrecognized authentication type");

  if (plaintext_disallowed (session))
    return reply (session, "538 5.7.11 Encryption required for requested authentication mechanism");

  if (g_ascii_strcasecmp (args[0], "PLAIN") == 0)
    {
      if (args[1] != NULL)
        response = g_strdup (args[1]);
      else
        {
          if (!reply (session, "334 "))
            return FALSE;
          response = read_sasl_response (session, &io_ok);
          if (!io_ok)
            return FALSE;
        }

      if (strcmp (response, "*") == 0)
        {
          mw_server_free_secret (response);
          return reply (session, "501 5.7.0 Authentication cancelled");
        }

      ok = strcmp (response, "=") != 0 &&
           mw_mail_server_check_sasl_plain (session->server, response, &user);
      mw_server_free_secret (response);
    }
  else
    {
      g_autofree char *name = NULL;

      if (args[1] != NULL)
        response = g_strdup (args[1]);
      else
        {
          if (!reply (session, "334 VXNlcm5hbWU6"))
            return FALSE;
          response = read_sasl_response (session, &io_ok);
          if (!io_ok)
            return FALSE;
        }

      if (strcmp (response, "*") == 0)
        {
          g_free (response);
          return reply (session, "501 5.7.0 Authentication cancelled");
        }

      name = (char *) mw_server_decode_base64 (response, &len);
      g_free (response);
      if (name == NULL || strlen (name) != len)
        return reply (session, "501 5.5.2 Cannot decode the response");

      if (!reply (session, "334 UGFzc3dvcmQ6"))
        return FALSE;
      response = read_sasl_response (session, &io_ok);
      if (!io_ok)
        return FALSE;

      if (strcmp (response, "*") == 0)
        {
          mw_server_free_secret (response);
          return reply (session, "501 5.7.0 Authentication cancelled");
        }

      decoded = mw_server_decode_base64 (response, &len);
      mw_server_free_secret (response);
      if (decoded == NULL)
        return reply (session, "501 5.5.2 Cannot decode the response");

      ok = strlen ((char *) decoded) == len &&
           mw_mail_server_check_password (session->server, name, (char *) decoded);
      mw_server_free_secret ((char *) decoded);

      if (ok)
        user = g_steal_pointer (&name);
    }

  if (!ok)
    return auth_failed (session);

  session->auth_user = g_steal_pointer (&user);

  return reply (session, "235 2.7.0 Authentication successful");
}

static gboolean
handle_starttls (Session    *session,
                 const char *arg)
{
  g_autoptr (GError) error = NULL;

  if (arg != NULL)
    return reply (session, "501 5.5.4 Syntax: STARTTLS");

  if (session->config->certificate == NULL)
    return reply (session, "502 5.5.1 STARTTLS is not available");

  if (mw_server_stream_is_tls (session->stream))
    return reply (session, "503 5.5.1 Already using TLS");

  if (!reply (session, "220 2.0.0 Ready to start TLS"))
    return FALSE;

  if (!mw_server_stream_start_tls (session->stream, session->config->certificate, &error))
    {
      g_debug ("TLS handshake failed: %s", error->message);
      return FALSE;
    }

  /* RFC 3207: back to the state after the greeting. */
  reset_transaction (session);
  g_clear_pointer (&session->helo, g_free);
  g_clear_pointer (&session->auth_user, g_free);
  session->esmtp = FALSE;

  return TRUE;
}

static gboolean
dispatch (Session *session,
          char    *line)
{
  g_autofree char *keyword = NULL;
  char            *arg;

  arg = strchr (line, ' ');
  keyword = g_ascii_strup (line, arg != NULL ? arg - line : -1);
  if (arg != NULL)
    {
      arg++;
      if (*arg == '\0')
        arg = NULL;
    }

  if (strcmp (keyword, "EHLO") == 0)
    return handle_helo (session, arg, TRUE);
  if (strcmp (keyword, "HELO") == 0)
    return handle_helo (session, arg, FALSE);
  if (strcmp (keyword, "MAIL") == 0)
    return handle_mail (session, arg);
  if (strcmp (keyword, "RCPT") == 0)
    return handle_rcpt (session, arg);
  if (strcmp (keyword, "DATA") == 0)
    return handle_data (session, arg);
  if (strcmp (keyword, "BDAT") == 0)
    return handle_bdat (session, arg);
  if (strcmp (keyword, "RSET") == 0)
    {
      reset_transaction (session);
      return reply (session, "250 2.0.0 Ok");
    }
  if (strcmp (keyword, "NOOP") == 0)
    return reply (session, "250 2.0.0 Ok");
  if (strcmp (keyword, "QUIT") == 0)
    {
      session->quit = TRUE;
      return reply (session, "221 2.0.0 Bye");
    }
  if (strcmp (keyword, "VRFY") == 0)
    return reply (session, "252 2.5.2 Cannot VRFY the user, but will accept mail for delivery");
  if (strcmp (keyword, "EXPN") == 0)
    return reply (session, "502 5.5.1 EXPN is not supported");
  if (strcmp (keyword, "HELP") == 0)
    return mw_server_stream_write_str (session->stream,
                                       "214-Mailwire ESMTP; commands:\r\n"
                                       "214-  HELO EHLO MAIL RCPT DATA BDAT RSET\r\n"
                                       "214-  NOOP QUIT VRFY EXPN HELP STARTTLS AUTH\r\n"
                                       "214 2.0.0 End of HELP\r\n",
                                       NULL);
  if (strcmp (keyword, "STARTTLS") == 0)
    return handle_starttls (session, arg);
  if (strcmp (keyword, "AUTH") == 0)
    return handle_auth (session, arg);

  return reply (session, "500 5.5.2 Command not recognized");
}

void
mw_smtp_session_run (MwMailServer      *server,
                     GSocketConnection *connection,
                     gboolean           implicit_tls,
                     GCancellable      *cancellable)
{
  g_autoptr (GString) line = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  Session session = { 0 };

  session.server = server;
  session.connection = connection;
  session.config = mw_mail_server_get_config (server);
  session.stream = mw_server_stream_new (connection, cancellable);
  session.recipients = g_ptr_array_new_with_free_func (g_free);

  g_socket_set_timeout (g_socket_connection_get_socket (connection), session.config->idle_timeout);

  if (implicit_tls &&
      !mw_server_stream_start_tls (session.stream, session.config->certificate, &error))
    {
      g_debug ("TLS handshake failed: %s", error->message);
      goto out;
    }

  if (!mw_server_stream_printf (session.stream, NULL, "220 %s ESMTP Mailwire\r\n",
                                mw_mail_server_get_host_name (server)))
    goto out;

  while (!session.quit)
    {
      gboolean too_long = FALSE;
      gboolean ok;

      if (!mw_server_stream_read_line (session.stream, MAX_COMMAND_LINE, line, &too_long, &error))
        {
          g_debug ("SMTP session ends: %s", error->message);
          break;
        }

      if (too_long)
        {
          ok = reply (&session, "500 5.5.2 Line too long");
        }
      else
        {
          if (line->len > 0 && line->str[line->len - 1] == '\n')
            g_string_truncate (line, line->len - 1);
          if (line->len > 0 && line->str[line->len - 1] == '\r')
            g_string_truncate (line, line->len - 1);

          if (memchr (line->str, '\0', line->len) != NULL || strchr (line->str, '\r') != NULL)
            ok = reply (&session, "500 5.5.2 Invalid characters in command");
          else
            ok = dispatch (&session, line->str);

          explicit_bzero (line->str, line->len);
        }

      if (!ok)
        break;
    }

out:
  mw_server_stream_free (session.stream);
  reset_transaction (&session);
  g_ptr_array_unref (session.recipients);
  g_free (session.helo);
  g_free (session.auth_user);
  mw_server_config_free (session.config);
}
