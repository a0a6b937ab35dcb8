/* mw-pop3-session.c: one POP3 session (RFC 1939, 2449, 2595, 5034)
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-mail-server-private.h"
#include "mw-maildrop-private.h"
#include "mw-server-stream-private.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* RFC 2449 caps a command at 255 octets; be a little generous. */
#define MAX_COMMAND_LINE  512
#define MAX_AUTH_LINE     4096
#define MAX_AUTH_FAILURES 3
#define MAX_ARGS          4
#define CHUNK_SIZE        16384

typedef enum
{
  STATE_AUTHORIZATION,
  STATE_TRANSACTION,
} State;

typedef struct
{
  MwMailServer   *server;
  MwServerConfig *config;
  MwServerStream *stream;
  State           state;
  char           *timestamp;
  char           *user;
  guint           auth_failures;
  MwMaildrop     *drop;
  guint           n_live;
  guint64         live_size;
  gboolean        locked;
  gboolean        quit;
} Session;

static gboolean
reply (Session    *session,
       const char *line)
{
  return mw_server_stream_write_str (session->stream, line, NULL) &&
         mw_server_stream_write (session->stream, "\r\n", 2, NULL);
}

static gboolean
plaintext_disallowed (Session *session)
{
  return session->config->certificate != NULL &&
         !session->config->allow_plaintext_auth &&
         !mw_server_stream_is_tls (session->stream);
}

static gboolean
handle_capa (Session *session)
{
  MwServerStream *s = session->stream;
  gboolean        ok;

  ok = mw_server_stream_write_str (s, "+OK Capability list follows\r\n", NULL);
  if (ok && !session->config->no_top)
    ok = mw_server_stream_write_str (s, "TOP\r\n", NULL);
  if (ok && !session->config->no_uidl)
    ok = mw_server_stream_write_str (s, "UIDL\r\n", NULL);
  ok = ok && mw_server_stream_write_str (s,
                                         "RESP-CODES\r\n"
                                         "AUTH-RESP-CODE\r\n"
                                         "PIPELINING\r\n"
                                         "EXPIRE NEVER\r\n"
                                         "LOGIN-DELAY 0\r\n",
                                         NULL);

  if (ok && session->state == STATE_AUTHORIZATION && !plaintext_disallowed (session))
    ok = mw_server_stream_write_str (s, "USER\r\nSASL PLAIN\r\n", NULL);

  if (ok && session->state == STATE_AUTHORIZATION &&
      session->config->certificate != NULL && !mw_server_stream_is_tls (s))
    ok = mw_server_stream_write_str (s, "STLS\r\n", NULL);

  return ok && mw_server_stream_write_str (s, "IMPLEMENTATION Mailwire\r\n.\r\n", NULL);
}

static gboolean
login (Session    *session,
       const char *user)
{
  g_autoptr (GError) error = NULL;
  gboolean in_use = FALSE;

  if (!mw_mail_server_lock_maildrop (session->server, &in_use, &error))
    {
      if (in_use)
        return reply (session, "-ERR [IN-USE] The maildrop is locked by another session");

      g_debug ("Cannot lock the maildrop: %s", error->message);
      return reply (session, "-ERR [SYS/TEMP] Cannot lock the maildrop");
    }

  session->locked = TRUE;
  session->drop = mw_maildrop_open (mw_mail_server_get_maildir (session->server), NULL, &error);
  if (session->drop == NULL)
    {
      g_debug ("Cannot open the maildrop: %s", error->message);
      mw_mail_server_unlock_maildrop (session->server);
      session->locked = FALSE;
      return reply (session, "-ERR [SYS/TEMP] Cannot open the maildrop");
    }

  session->n_live = session->drop->messages->len;
  session->live_size = 0;
  for (guint i = 0; i < session->drop->messages->len; i++)
    session->live_size += g_array_index (session->drop->messages, MwMaildropMessage, i).size;

  session->state = STATE_TRANSACTION;
  g_clear_pointer (&session->user, g_free);

  return mw_server_stream_printf (session->stream, NULL,
                                  "+OK Logged in as %s, %u messages (%" G_GUINT64_FORMAT " octets)\r\n",
                                  user, session->n_live, session->live_size);
}

static gboolean
auth_failed (Session *session)
{
  g_clear_pointer (&session->user, g_free);
  session->auth_failures++;
  mw_server_stream_delay (session->stream, session->config->auth_failure_delay);

  if (session->auth_failures >= MAX_AUTH_FAILURES)
    {
      session->quit = TRUE;
      return reply (session, "-ERR [AUTH] Authentication failed, too many attempts");
    }

  return reply (session, "-ERR [AUTH] Authentication failed");
}

static gboolean
handle_user (Session *session,
             char   **args,
             guint    n_args)
{
  if (plaintext_disallowed (session))
    return reply (session, "-ERR [AUTH] Plaintext authentication is disallowed before STLS");

  if (n_args != 1)
    return reply (session, "-ERR Syntax: USER name");

  g_free (session->user);
  session->user = g_strdup (args[0]);

  return reply (session, "+OK Send the password");
}

static gboolean
handle_pass (Session    *session,
             const char *password)
{
  g_autofree char *user = NULL;

  if (plaintext_disallowed (session))
    return reply (session, "-ERR [AUTH] Plaintext authentication is disallowed before STLS");

  if (session->user == NULL)
    return reply (session, "-ERR Send USER first");

  if (password == NULL || !mw_mail_server_check_password (session->server, session->user, password))
    return auth_failed (session);

  user = g_steal_pointer (&session->user);

  return login (session, user);
}

static gboolean
handle_apop (Session *session,
             char   **args,
             guint    n_args)
{
  if (n_args != 2)
    return reply (session, "-ERR Syntax: APOP name digest");

  if (!mw_mail_server_check_apop (session->server, args[0], session->timestamp, args[1]))
    return auth_failed (session);

  return login (session, args[0]);
}

static gboolean
handle_auth (Session *session,
             char   **args,
             guint    n_args)
{
  g_autoptr (GString) line = NULL;
  g_autofree char *user = NULL;
  gboolean         too_long = FALSE;
  gboolean         cancelled = FALSE;
  gboolean         ok;

  if (n_args == 0)
    return mw_server_stream_write_str (session->stream, "+OK\r\nPLAIN\r\n.\r\n", NULL);

  if (g_ascii_strcasecmp (args[0], "PLAIN") != 0 || n_args > 2)
    return reply (session, "-ERR Unsupported authentication mechanism");

  if (plaintext_disallowed (session))
    return reply (session, "-ERR [AUTH] Plaintext authentication is disallowed before STLS");

  if (n_args == 2)
    {
      ok = strcmp (args[1], "=") != 0 &&
           mw_mail_server_check_sasl_plain (session->server, args[1], &user);
    }
  else
    {
      if (!mw_server_stream_write_str (session->stream, "+ \r\n", NULL))
        return FALSE;

      line = g_string_new (NULL);
      if (!mw_server_stream_read_line (session->stream, MAX_AUTH_LINE, line, &too_long, NULL))
        return FALSE;

      g_strchomp (line->str);
      cancelled = !too_long && strcmp (line->str, "*") == 0;
      ok = !too_long && !cancelled &&
           mw_mail_server_check_sasl_plain (session->server, line->str, &user);
      explicit_bzero (line->str, line->allocated_len);

      if (cancelled)
        return reply (session, "-ERR Authentication cancelled");
    }

  if (!ok)
    return auth_failed (session);

  return login (session, user);
}

static gboolean
handle_stls (Session *session)
{
  g_autoptr (GError) error = NULL;

  if (session->config->certificate == NULL)
    return reply (session, "-ERR STLS is not available");

  if (mw_server_stream_is_tls (session->stream))
    return reply (session, "-ERR Already using TLS");

  if (!reply (session, "+OK Begin TLS negotiation"))
    return FALSE;

  if (!mw_server_stream_start_tls (session->stream, session->config->certificate, &error))
    {
      g_debug ("TLS handshake failed: %s", error->message);
      return FALSE;
    }

  /* RFC 2595: the client starts afresh; so does the server. */
  g_clear_pointer (&session->user, g_free);

  return TRUE;
}

/* Parses a message number; on failure the reply is already sent. */
static gboolean
parse_message (Session    *session,
               const char *arg,
               guint      *out_index,
               gboolean   *out_replied)
{
  guint64            number = 0;
  size_t             len = strlen (arg);
  MwMaildropMessage *message;

  *out_replied = TRUE;

  if (len == 0 || len > 9 || strspn (arg, "0123456789") != len)
    return reply (session, "-ERR Invalid message number");

  number = g_ascii_strtoull (arg, NULL, 10);
  if (number == 0 || number > session->drop->messages->len)
    return reply (session, "-ERR No such message");

  message = &g_array_index (session->drop->messages, MwMaildropMessage, number - 1);
  if (message->deleted)
    return mw_server_stream_printf (session->stream, NULL,
                                    "-ERR Message %u is already deleted\r\n", (guint) number);

  *out_index = (guint) number - 1;
  *out_replied = FALSE;
  return TRUE;
}

#define PARSE_MESSAGE(session, arg, index)                \
  G_STMT_START                                            \
  {                                                       \
    gboolean replied_;                                    \
    if (!parse_message (session, arg, &index, &replied_)) \
      return FALSE;                                       \
    if (replied_)                                         \
      return TRUE;                                        \
  }                                                       \
  G_STMT_END

static gboolean
handle_stat (Session *session)
{
  return mw_server_stream_printf (session->stream, NULL, "+OK %u %" G_GUINT64_FORMAT "\r\n",
                                  session->n_live, session->live_size);
}

static gboolean
handle_list_or_uidl (Session *session,
                     char   **args,
                     guint    n_args,
                     gboolean uidl)
{
  MwServerStream *s = session->stream;
  char            buf[128];
  guint           index = 0;
  int             len;

  if (n_args > 1)
    return reply (session, uidl ? "-ERR Syntax: UIDL [msg]" : "-ERR Syntax: LIST [msg]");

  if (n_args == 1)
    {
      MwMaildropMessage *message;

      PARSE_MESSAGE (session, args[0], index);
      message = &g_array_index (session->drop->messages, MwMaildropMessage, index);
      if (uidl)
        return mw_server_stream_printf (s, NULL, "+OK %u %s\r\n", index + 1, message->uid);

      return mw_server_stream_printf (s, NULL, "+OK %u %" G_GUINT64_FORMAT "\r\n",
                                      index + 1, message->size);
    }

  if (uidl)
    {
      if (!reply (session, "+OK Unique-ID listing follows"))
        return FALSE;
    }
  else if (!mw_server_stream_printf (s, NULL, "+OK %u messages (%" G_GUINT64_FORMAT " octets)\r\n",
                                     session->n_live, session->live_size))
    return FALSE;

  for (guint i = 0; i < session->drop->messages->len; i++)
    {
      MwMaildropMessage *message = &g_array_index (session->drop->messages, MwMaildropMessage, i);

      if (message->deleted)
        continue;

      if (uidl)
        len = g_snprintf (buf, sizeof buf, "%u %s\r\n", i + 1, message->uid);
      else
        len = g_snprintf (buf, sizeof buf, "%u %" G_GUINT64_FORMAT "\r\n", i + 1, message->size);

      if (!mw_server_stream_write (s, buf, (size_t) len, NULL))
        return FALSE;
    }

  return mw_server_stream_write (s, ".\r\n", 3, NULL);
}

/* RETR (@max_body_lines -1) and TOP. */
static gboolean
send_message (Session *session,
              guint    index,
              int      max_body_lines)
{
  g_autoptr (GError) error = NULL;
  g_autofree char   *in = NULL;
  g_autofree char   *out = NULL;
  MwWireNormalizer   norm;
  MwMaildropMessage *message = &g_array_index (session->drop->messages, MwMaildropMessage, index);
  ssize_t            n;
  size_t             o;
  int                fd;

  fd = mw_maildrop_open_message (session->drop, index, &error);
  if (fd < 0)
    {
      g_debug ("%s", error->message);
      return reply (session, "-ERR [SYS/TEMP] Cannot read the message");
    }

  if (max_body_lines < 0)
    {
      if (!mw_server_stream_printf (session->stream, NULL,
                                    "+OK %" G_GUINT64_FORMAT " octets\r\n", message->size))
        goto fail;
    }
  else if (!reply (session, "+OK Top of message follows"))
    goto fail;

  in = g_malloc (CHUNK_SIZE);
  out = g_malloc (2 * CHUNK_SIZE + 4);
  mw_wire_normalizer_init (&norm, TRUE, max_body_lines);

  while (!norm.done && (n = read (fd, in, CHUNK_SIZE)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          /* Half a message is on the wire: the session cannot go on. */
          g_debug ("Cannot read %s: %s", message->name, g_strerror (errno));
          goto fail;
        }

      o = mw_wire_normalizer_feed (&norm, in, (size_t) n, out);
      if (!mw_server_stream_write (session->stream, out, o, NULL))
        goto fail;
    }

  o = mw_wire_normalizer_finish (&norm, out);
  close (fd);

  return mw_server_stream_write (session->stream, out, o, NULL) &&
         mw_server_stream_write (session->stream, ".\r\n", 3, NULL);

fail:
  close (fd);
  return FALSE;
}

static gboolean
handle_retr (Session *session,
             char   **args,
             guint    n_args)
{
  guint index = 0;

  if (n_args != 1)
    return reply (session, "-ERR Syntax: RETR msg");

  PARSE_MESSAGE (session, args[0], index);

  return send_message (session, index, -1);
}

static gboolean
handle_top (Session *session,
            char   **args,
            guint    n_args)
{
  guint  index = 0;
  size_t len;

  if (n_args != 2)
    return reply (session, "-ERR Syntax: TOP msg n");

  len = strlen (args[1]);
  if (len == 0 || strspn (args[1], "0123456789") != len)
    return reply (session, "-ERR Invalid number of lines");

  PARSE_MESSAGE (session, args[0], index);

  return send_message (session, index,
                       len > 9 ? G_MAXINT : (int) g_ascii_strtoull (args[1], NULL, 10));
}

static gboolean
handle_dele (Session *session,
             char   **args,
             guint    n_args)
{
  MwMaildropMessage *message;
  guint              index = 0;

  if (n_args != 1)
    return reply (session, "-ERR Syntax: DELE msg");

  PARSE_MESSAGE (session, args[0], index);

  message = &g_array_index (session->drop->messages, MwMaildropMessage, index);
  message->deleted = TRUE;
  session->n_live--;
  session->live_size -= message->size;

  return mw_server_stream_printf (session->stream, NULL, "+OK Message %u deleted\r\n", index + 1);
}

static gboolean
handle_rset (Session *session)
{
  session->n_live = session->drop->messages->len;
  session->live_size = 0;

  for (guint i = 0; i < session->drop->messages->len; i++)
    {
      MwMaildropMessage *message = &g_array_index (session->drop->messages, MwMaildropMessage, i);

      message->deleted = FALSE;
      session->live_size += message->size;
    }

  return mw_server_stream_printf (session->stream, NULL,
                                  "+OK Maildrop has %u messages (%" G_GUINT64_FORMAT " octets)\r\n",
                                  session->n_live, session->live_size);
}

static gboolean
handle_quit (Session *session)
{
  g_autoptr (GError) error = NULL;
  guint    n_deleted;
  gboolean ok;

  session->quit = TRUE;

  if (session->state != STATE_TRANSACTION)
    return reply (session, "+OK Mailwire POP3 server signing off");

  /* The UPDATE state: the reply comes only once the files are gone. */
  n_deleted = session->drop->messages->len - session->n_live;
  ok = mw_maildrop_expunge (session->drop, &error);

  /* Released before the reply, so that a client may log in again at once. */
  mw_mail_server_unlock_maildrop (session->server);
  session->locked = FALSE;

  if (!ok)
    {
      g_debug ("%s", error->message);
      return reply (session, "-ERR [SYS/TEMP] Some deleted messages were not removed");
    }

  return mw_server_stream_printf (session->stream, NULL,
                                  "+OK Mailwire POP3 server signing off (%u messages deleted)\r\n",
                                  n_deleted);
}

static gboolean
dispatch (Session *session,
          char    *line)
{
  g_autofree char *keyword = NULL;
  g_autofree char *spaced = NULL;
  char            *args[MAX_ARGS + 1] = { NULL };
  char            *rest;
  char            *p;
  guint            n_args = 0;

  rest = strchr (line, ' ');
  keyword = g_ascii_strup (line, rest != NULL ? rest - line : -1);
  if (rest != NULL)
    rest++;

  /* The password is the whole rest of the line: it may hold spaces. */
  if (strcmp (keyword, "PASS") == 0 && session->state == STATE_AUTHORIZATION)
    return handle_pass (session, rest);

  for (p = rest; p != NULL && *p != '\0';)
    {
      char *end;

      while (*p == ' ')
        p++;
      if (*p == '\0')
        break;

      if (n_args == MAX_ARGS)
        return reply (session, "-ERR Too many arguments");

      end = strchr (p, ' ');
      args[n_args++] = p;
      if (end == NULL)
        break;
      *end = '\0';
      p = end + 1;
    }

  if (strcmp (keyword, "CAPA") == 0)
    return handle_capa (session);
  if (strcmp (keyword, "QUIT") == 0)
    return handle_quit (session);

  if (session->state == STATE_AUTHORIZATION)
    {
      if (strcmp (keyword, "USER") == 0)
        return handle_user (session, args, n_args);
      if (strcmp (keyword, "APOP") == 0)
        return handle_apop (session, args, n_args);
      if (strcmp (keyword, "AUTH") == 0)
        return handle_auth (session, args, n_args);
      if (strcmp (keyword, "STLS") == 0)
        return handle_stls (session);
    }
  else
    {
      if (strcmp (keyword, "STAT") == 0)
        return handle_stat (session);
      if (strcmp (keyword, "LIST") == 0)
        return handle_list_or_uidl (session, args, n_args, FALSE);
      if (strcmp (keyword, "UIDL") == 0 && !session->config->no_uidl)
        return handle_list_or_uidl (session, args, n_args, TRUE);
      if (strcmp (keyword, "RETR") == 0)
        return handle_retr (session, args, n_args);
      if (strcmp (keyword, "TOP") == 0 && !session->config->no_top)
        return handle_top (session, args, n_args);
      if (strcmp (keyword, "DELE") == 0)
        return handle_dele (session, args, n_args);
      if (strcmp (keyword, "RSET") == 0)
        return handle_rset (session);
      if (strcmp (keyword, "NOOP") == 0)
        return reply (session, "+OK");
    }

  spaced = g_strdup_printf (" %s ", keyword);
  if ((session->config->no_uidl && strcmp (keyword, "UIDL") == 0) ||
      (session->config->no_top && strcmp (keyword, "TOP") == 0))
    return reply (session, "-ERR Unknown command");
  if (strstr (" USER PASS APOP AUTH STLS STAT LIST UIDL RETR TOP DELE RSET NOOP ", spaced) != NULL)
    return reply (session, "-ERR Command not valid in this state");

  return reply (session, "-ERR Unknown command");
}

static char *
make_timestamp (void)
{
  return g_strdup_printf ("<%ld.%" G_GINT64_FORMAT ".%08x@localhost>",
                          (long) getpid (), g_get_real_time () / G_USEC_PER_SEC,
                          g_random_int ());
}

void
mw_pop3_session_run (MwMailServer      *server,
                     GSocketConnection *connection,
                     gboolean           implicit_tls,
                     GCancellable      *cancellable)
{
  g_autoptr (GString) line = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  Session session = { 0 };

  session.server = server;
  session.config = mw_mail_server_get_config (server);
  session.stream = mw_server_stream_new (connection, cancellable);
  session.timestamp = make_timestamp ();

  g_socket_set_timeout (g_socket_connection_get_socket (connection), session.config->idle_timeout);

  if (implicit_tls &&
      !mw_server_stream_start_tls (session.stream, session.config->certificate, &error))
    {
      g_debug ("TLS handshake failed: %s", error->message);
      goto out;
    }

  if (!mw_server_stream_printf (session.stream, NULL, "+OK Mailwire POP3 ready %s\r\n",
                                session.timestamp))
    goto out;

  while (!session.quit)
    {
      gboolean too_long = FALSE;
      gboolean ok;

      if (!mw_server_stream_read_line (session.stream, MAX_COMMAND_LINE, line, &too_long, &error))
        {
          g_debug ("POP3 session ends: %s", error->message);
          break;
        }

      if (too_long)
        {
          ok = reply (&session, "-ERR Line too long");
        }
      else
        {
          if (line->len > 0 && line->str[line->len - 1] == '\n')
            g_string_truncate (line, line->len - 1);
          if (line->len > 0 && line->str[line->len - 1] == '\r')
            g_string_truncate (line, line->len - 1);

          if (memchr (line->str, '\0', line->len) != NULL || strchr (line->str, '\r') != NULL)
            ok = reply (&session, "-ERR Invalid characters in command");
          else
            ok = dispatch (&session, line->str);

          explicit_bzero (line->str, line->len);
        }

      if (!ok)
        break;
    }

out:
  /* A session that ends without QUIT deletes nothing (RFC 1939). */
  mw_server_stream_free (session.stream);

  if (session.locked)
    mw_mail_server_unlock_maildrop (server);

  g_clear_pointer (&session.drop, mw_maildrop_free);
  g_free (session.user);
  g_free (session.timestamp);
  mw_server_config_free (session.config);
}
