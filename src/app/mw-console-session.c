/* mw-console-session.c: the session the log pane's console types into
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-console-session.h"
#include "mw-data-encoder.h"
#include "mw-pop3-client.h"
#include "mw-protocol-commands.h"
#include "mw-smtp-client.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

/* The longest message the console takes after DATA. */
#define MAX_DATA (16 * 1024 * 1024)
/* Seconds of silence before the session is ended. */
#define IDLE_SECONDS 60

struct _MwConsoleSession
{
  GObject parent_instance;

  MwTranscript  *transcript;
  MwPop3Client  *pop3;
  MwSmtpClient  *smtp;
  GByteArray    *data;
  MwDataEncoder *encoder;

  MwReplyProtocol protocol;
  char           *host;
  guint16         port;
  MwSecurity      security;
  char           *user;
  char           *password;
  gboolean        allow_plaintext;
  char           *target;
  MwAccount      *account; /* for its pinned certificates */
  guint           pending_deletions;
  guint64         data_lines;
  char           *bdat_command; /* "BDAT n [LAST]" while its chunk is typed */
  guint64         bdat_size;
  guint           idle_id;
};

G_DEFINE_FINAL_TYPE (MwConsoleSession, mw_console_session, G_TYPE_OBJECT)

typedef struct
{
  char      *line;
  char      *verb;
  gboolean   has_args;
  GPtrArray *reply;
} Send;

static void
send_free (Send *send)
{
  g_free (send->line);
  g_free (send->verb);
  g_clear_pointer (&send->reply, g_ptr_array_unref);
  g_free (send);
}

MwConsoleSession *
mw_console_session_new (MwReplyProtocol protocol,
                        const char     *host,
                        guint16         port,
                        MwSecurity      security,
                        MwTranscript   *transcript)
{
  MwConsoleSession *self;

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (MW_IS_TRANSCRIPT (transcript), NULL);

  self = g_object_new (MW_TYPE_CONSOLE_SESSION, NULL);
  self->protocol = protocol;
  self->host = g_strdup (host);
  self->port = port;
  self->security = security;
  self->transcript = g_object_ref (transcript);
  self->target = g_strdup_printf ("%s %s:%u", protocol == MW_REPLY_PROTOCOL_POP3 ? "POP3" : "SMTP",
                                  host, port);
  return self;
}

/* The account's pinned certificates apply to every session opened after
 * this, including pins the user adds later. */
void
mw_console_session_set_account (MwConsoleSession *self,
                                MwAccount        *account)
{
  g_return_if_fail (MW_IS_CONSOLE_SESSION (self));
  g_return_if_fail (account == NULL || MW_IS_ACCOUNT (account));

  g_set_object (&self->account, account);
}

void
mw_console_session_set_credentials (MwConsoleSession *self,
                                    const char       *user,
                                    const char       *password,
                                    gboolean          allow_plaintext)
{
  g_return_if_fail (MW_IS_CONSOLE_SESSION (self));

  g_free (self->user);
  self->user = g_strdup (user);
  if (self->password != NULL)
    explicit_bzero (self->password, strlen (self->password));
  g_free (self->password);
  self->password = g_strdup (password);
  self->allow_plaintext = allow_plaintext;
}

MwReplyProtocol
mw_console_session_get_protocol (MwConsoleSession *self)
{
  g_return_val_if_fail (MW_IS_CONSOLE_SESSION (self), MW_REPLY_PROTOCOL_POP3);
  return self->protocol;
}

const char *
mw_console_session_get_target (MwConsoleSession *self)
{
  g_return_val_if_fail (MW_IS_CONSOLE_SESSION (self), NULL);
  return self->target;
}

guint
mw_console_session_get_pending_deletions (MwConsoleSession *self)
{
  g_return_val_if_fail (MW_IS_CONSOLE_SESSION (self), 0);
  return self->pending_deletions;
}

gboolean
mw_console_session_get_in_data (MwConsoleSession *self)
{
  g_return_val_if_fail (MW_IS_CONSOLE_SESSION (self), FALSE);
  return self->data != NULL;
}

guint64
mw_console_session_get_chunk_remaining (MwConsoleSession *self)
{
  g_return_val_if_fail (MW_IS_CONSOLE_SESSION (self), 0);
  if (self->bdat_command == NULL || self->data == NULL)
    return 0;
  return self->bdat_size - self->data->len;
}

static gboolean
is_connected (MwConsoleSession *self)
{
  if (self->protocol == MW_REPLY_PROTOCOL_POP3)
    return self->pop3 != NULL && mw_pop3_client_get_state (self->pop3) == MW_POP3_STATE_TRANSACTION;
  return self->smtp != NULL && mw_smtp_client_is_connected (self->smtp);
}

static void
leave_data (MwConsoleSession *self)
{
  g_clear_pointer (&self->data, g_byte_array_unref);
  g_clear_pointer (&self->encoder, mw_data_encoder_free);
  g_clear_pointer (&self->bdat_command, g_free);
  self->data_lines = 0;
}

static void
pop3_quit_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  mw_pop3_client_quit_finish (MW_POP3_CLIENT (object), result, NULL, NULL);
}

static void
smtp_quit_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  mw_smtp_client_quit_finish (MW_SMTP_CLIENT (object), result, NULL);
}

void
mw_console_session_close (MwConsoleSession *self)
{
  g_return_if_fail (MW_IS_CONSOLE_SESSION (self));

  g_clear_handle_id (&self->idle_id, g_source_remove);
  if (self->pop3 != NULL)
    {
      if (mw_pop3_client_get_state (self->pop3) == MW_POP3_STATE_TRANSACTION &&
          self->pending_deletions == 0)
        mw_pop3_client_quit_async (self->pop3, NULL, pop3_quit_cb, NULL);
      else
        {
          if (self->pending_deletions > 0)
            mw_transcript_note (self->transcript, MW_TRANSCRIPT_FLAG_NONE, "%s",
                                _ ("The console session was closed without QUIT: the messages marked for deletion are kept"));
          mw_pop3_client_close (self->pop3);
        }
      g_clear_object (&self->pop3);
    }
  if (self->smtp != NULL)
    {
      /* An unfinished message is never sent: QUIT after DATA would be
       * read as a line of it. */
      if (mw_smtp_client_is_connected (self->smtp) && self->data == NULL)
        mw_smtp_client_quit_async (self->smtp, NULL, smtp_quit_cb, NULL);
      else
        mw_smtp_client_close (self->smtp);
      g_clear_object (&self->smtp);
    }
  leave_data (self);
  self->pending_deletions = 0;
}

static gboolean
idle_cb (gpointer user_data)
{
  MwConsoleSession *self = user_data;

  self->idle_id = 0;
  mw_console_session_close (self);
  return G_SOURCE_REMOVE;
}

/* Every send ends here. */
static void
send_done (MwConsoleSession *self)
{
  g_clear_handle_id (&self->idle_id, g_source_remove);
  if (is_connected (self))
    self->idle_id = g_timeout_add_seconds (IDLE_SECONDS, idle_cb, self);
  else
    {
      g_clear_object (&self->pop3);
      g_clear_object (&self->smtp);
      leave_data (self);
      self->pending_deletions = 0;
    }
}

/* Both take the task. */
static void
return_error (GTask  *task,
              GError *error)
{
  g_autoptr (GTask) owned = task;

  send_done (g_task_get_source_object (owned));
  g_task_return_error (owned, error);
}

static void
return_ok (GTask *task)
{
  g_autoptr (GTask) owned = task;

  send_done (g_task_get_source_object (owned));
  g_task_return_boolean (owned, TRUE);
}

/* POP3. */

static void
pop3_command_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwConsoleSession *self = g_task_get_source_object (task);
  Send             *send = g_task_get_task_data (task);
  g_autoptr (MwPop3Reply) reply = NULL;
  GError *error = NULL;

  reply = mw_pop3_client_command_finish (MW_POP3_CLIENT (object), result, &error);
  if (reply == NULL)
    {
      return_error (g_steal_pointer (&task), error);
      return;
    }

  /* The state follows the server's word, not the command typed. */
  if (g_str_equal (send->verb, "QUIT"))
    self->pending_deletions = 0;
  else if (reply->ok && g_str_equal (send->verb, "DELE"))
    self->pending_deletions++;
  else if (reply->ok && g_str_equal (send->verb, "RSET"))
    self->pending_deletions = 0;
  return_ok (g_steal_pointer (&task));
}

/* SMTP: DATA by hand. The console sends DATA itself and, after 354, the
 * lines typed up to a lone ".", with CRLF line ends and dot-stuffing. */

static void read_reply (GTask *task);

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwConsoleSession *self = g_task_get_source_object (task);
  Send             *send = g_task_get_task_data (task);
  GError           *error = NULL;
  char             *line;

  line = mw_connection_read_line_finish (MW_CONNECTION (object), result, NULL, &error);
  if (line == NULL)
    {
      leave_data (self);
      mw_smtp_client_close (self->smtp);
      return_error (g_steal_pointer (&task), error);
      return;
    }
  g_ptr_array_add (send->reply, line);
  if (strlen (line) < 3 || !g_ascii_isdigit (line[0]) || !g_ascii_isdigit (line[1]) ||
      !g_ascii_isdigit (line[2]))
    {
      leave_data (self);
      mw_smtp_client_close (self->smtp);
      return_error (g_steal_pointer (&task),
                    g_error_new (MW_SMTP_ERROR, MW_SMTP_ERROR_PROTOCOL,
                                 _ ("The server sent a reply without a code: “%s”"), line));
      return;
    }
  if (line[3] == '-' && send->reply->len < MW_SMTP_MAX_REPLY_LINES)
    {
      read_reply (g_steal_pointer (&task));
      return;
    }

  /* The reply to DATA opens the message; the one to the message ends it. */
  if (self->data == NULL && g_str_has_prefix (line, "354"))
    {
      self->data = g_byte_array_new ();
      self->encoder = mw_data_encoder_new (MW_DATA_ENCODER_MODE_DATA);
      self->data_lines = 0;
    }
  else
    leave_data (self);
  return_ok (g_steal_pointer (&task));
}

static void
read_reply (GTask *task)
{
  MwConsoleSession *self = g_task_get_source_object (task);

  mw_connection_read_line_async (mw_smtp_client_get_connection (self->smtp),
                                 g_task_get_cancellable (task), read_line_cb, task);
}

static void
flush_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwConsoleSession *self = g_task_get_source_object (task);
  GError           *error = NULL;

  if (!mw_connection_flush_finish (MW_CONNECTION (object), result, &error))
    {
      leave_data (self);
      mw_smtp_client_close (self->smtp);
      return_error (g_steal_pointer (&task), error);
      return;
    }
  read_reply (g_steal_pointer (&task));
}

static void
smtp_data_begin (GTask *task)
{
  MwConsoleSession *self = g_task_get_source_object (task);
  Send             *send = g_task_get_task_data (task);
  MwConnection     *connection = mw_smtp_client_get_connection (self->smtp);

  send->reply = g_ptr_array_new_with_free_func (g_free);
  mw_connection_queue_line (connection, "DATA", NULL);
  mw_connection_flush_async (connection, g_task_get_cancellable (task), flush_cb, task);
}

static void
smtp_data_line (GTask *task)
{
  MwConsoleSession *self = g_task_get_source_object (task);
  Send             *send = g_task_get_task_data (task);
  MwConnection     *connection;
  size_t            len = strlen (send->line);

  if (!g_str_equal (send->line, "."))
    {
      if (self->data->len + len + 2 > MAX_DATA)
        {
          mw_console_session_close (self);
          return_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                                                   _ ("The message typed is too long for the console: the session is closed without sending it")));
          return;
        }
      mw_data_encoder_feed_to_array (self->encoder, (const guint8 *) send->line, len, self->data);
      mw_data_encoder_feed_to_array (self->encoder, (const guint8 *) "\r\n", 2, self->data);
      self->data_lines++;
      return_ok (task);
      return;
    }

  mw_data_encoder_finish_to_array (self->encoder, self->data);
  connection = mw_smtp_client_get_connection (self->smtp);
  mw_transcript_append_body (self->transcript, MW_TRANSCRIPT_CLIENT, self->data_lines, self->data->len);
  mw_connection_queue_data (connection, self->data->data, self->data->len);
  send->reply = g_ptr_array_new_with_free_func (g_free);
  mw_connection_flush_async (connection, g_task_get_cancellable (task), flush_cb, task);
}

/* SMTP: BDAT by hand (RFC 3030). The lines typed after "BDAT n [LAST]"
 * make the chunk, each with CRLF and nothing else changed; once they come
 * to exactly n bytes the command and its chunk go out together. Nothing is
 * sent before that, so a count that does not match costs nothing. */

static void
smtp_bdat_send (GTask *task)
{
  MwConsoleSession *self = g_task_get_source_object (task);
  Send             *send = g_task_get_task_data (task);
  MwConnection     *connection = mw_smtp_client_get_connection (self->smtp);

  mw_connection_queue_line (connection, self->bdat_command, NULL);
  mw_transcript_append_body (self->transcript, MW_TRANSCRIPT_CLIENT, self->data_lines, self->data->len);
  mw_connection_queue_data (connection, self->data->data, self->data->len);
  g_clear_pointer (&send->reply, g_ptr_array_unref);
  send->reply = g_ptr_array_new_with_free_func (g_free);
  /* The reply ends the chunk, whatever it says. */
  g_clear_pointer (&self->bdat_command, g_free);
  mw_connection_flush_async (connection, g_task_get_cancellable (task), flush_cb, task);
}

static void
smtp_bdat_line (GTask *task)
{
  MwConsoleSession *self = g_task_get_source_object (task);
  Send             *send = g_task_get_task_data (task);
  size_t            len = strlen (send->line);

  if (self->data->len + len + 2 > self->bdat_size)
    {
      guint64 typed = self->data->len + len + 2;
      guint64 size = self->bdat_size;

      leave_data (self);
      return_error (task, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                       _ ("The chunk typed comes to %" PRIu64 " bytes, more than the %" PRIu64 " BDAT announced; nothing was sent"),
                                       typed, size));
      return;
    }
  g_byte_array_append (self->data, (const guint8 *) send->line, len);
  g_byte_array_append (self->data, (const guint8 *) "\r\n", 2);
  self->data_lines++;
  if (self->data->len < self->bdat_size)
    {
      return_ok (task);
      return;
    }
  smtp_bdat_send (task);
}

static void
smtp_bdat_begin (GTask *task)
{
  MwConsoleSession         *self = g_task_get_source_object (task);
  Send                     *send = g_task_get_task_data (task);
  const MwSmtpCapabilities *caps = mw_smtp_client_get_capabilities (self->smtp);
  guint64                   size = 0;
  gboolean                  last = FALSE;

  if (caps == NULL || !(caps->flags & MW_SMTP_CAP_CHUNKING))
    {
      return_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                               _ ("BDAT is not sent: the server does not offer CHUNKING, and would read the chunk as commands")));
      return;
    }
  if (!mw_smtp_parse_bdat_command (send->line, MAX_DATA, &size, &last))
    {
      return_error (task, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                       _ ("Usage: BDAT SIZE [LAST], SIZE at most %d bytes; the lines typed next make the chunk, each counted with its CRLF"),
                                       MAX_DATA));
      return;
    }

  self->data = g_byte_array_new ();
  self->data_lines = 0;
  self->bdat_size = size;
  self->bdat_command = g_strdup_printf ("BDAT %" G_GUINT64_FORMAT "%s", size, last ? " LAST" : "");
  if (size == 0)
    smtp_bdat_send (task);
  else
    return_ok (task);
}

static void
smtp_command_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (MwSmtpReply) reply = NULL;
  GError *error = NULL;

  reply = mw_smtp_client_command_finish (MW_SMTP_CLIENT (object), result, &error);
  if (reply == NULL)
    return_error (g_steal_pointer (&task), error);
  else
    return_ok (g_steal_pointer (&task));
}

/* Dispatch. */

static void
dispatch (GTask *task)
{
  MwConsoleSession *self = g_task_get_source_object (task);
  Send             *send = g_task_get_task_data (task);

  if (self->protocol == MW_REPLY_PROTOCOL_POP3)
    mw_pop3_client_command_async (self->pop3, send->line, FALSE, g_task_get_cancellable (task),
                                  pop3_command_cb, task);
  else if (g_str_equal (send->verb, "DATA") && !send->has_args)
    smtp_data_begin (task);
  else if (g_str_equal (send->verb, "BDAT"))
    smtp_bdat_begin (task);
  else
    mw_smtp_client_command_async (self->smtp, send->line, g_task_get_cancellable (task),
                                  smtp_command_cb, task);
}

static void
pop3_connect_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!mw_pop3_client_connect_finish (MW_POP3_CLIENT (object), result, &error))
    return_error (g_steal_pointer (&task), error);
  else
    dispatch (g_steal_pointer (&task));
}

static void
smtp_connect_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!mw_smtp_client_connect_finish (MW_SMTP_CLIENT (object), result, &error))
    return_error (g_steal_pointer (&task), error);
  else
    dispatch (g_steal_pointer (&task));
}

static void
connect (GTask *task)
{
  MwConsoleSession *self = g_task_get_source_object (task);

  g_clear_object (&self->pop3);
  g_clear_object (&self->smtp);
  leave_data (self);
  self->pending_deletions = 0;

  if (self->protocol == MW_REPLY_PROTOCOL_POP3)
    {
      self->pop3 = mw_pop3_client_new (self->host, self->port, self->security, self->transcript);
      mw_pop3_client_set_user (self->pop3, self->user);
      mw_pop3_client_set_password (self->pop3, self->password);
      mw_pop3_client_set_allow_plaintext (self->pop3, self->allow_plaintext);
      if (self->account != NULL)
        mw_pop3_client_set_pinned_fingerprint (self->pop3, mw_account_get_pop3_fingerprint (self->account));
      mw_pop3_client_connect_async (self->pop3, g_task_get_cancellable (task), pop3_connect_cb, task);
    }
  else
    {
      self->smtp = mw_smtp_client_new (self->host, self->port, self->security, self->transcript);
      mw_smtp_client_set_user (self->smtp, self->user);
      mw_smtp_client_set_password (self->smtp, self->password);
      mw_smtp_client_set_allow_plaintext (self->smtp, self->allow_plaintext);
      if (self->account != NULL)
        mw_smtp_client_set_pinned_fingerprint (self->smtp, mw_account_get_smtp_fingerprint (self->account));
      mw_smtp_client_connect_async (self->smtp, g_task_get_cancellable (task), smtp_connect_cb, task);
    }
}

void
mw_console_session_send_async (MwConsoleSession   *self,
                               const char         *line,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  const MwProtocolCommand *command;
  Send                    *send;
  const char              *args;

  g_return_if_fail (MW_IS_CONSOLE_SESSION (self));
  g_return_if_fail (line != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_console_session_send_async);
  g_clear_handle_id (&self->idle_id, g_source_remove);

  send = g_new0 (Send, 1);
  send->line = g_strdup (line);
  g_task_set_task_data (task, send, (GDestroyNotify) send_free);

  /* The message after DATA is taken as typed, blank lines included. */
  if (self->data != NULL && is_connected (self))
    {
      if (self->bdat_command != NULL)
        smtp_bdat_line (g_steal_pointer (&task));
      else
        smtp_data_line (g_steal_pointer (&task));
      return;
    }

  g_strstrip (send->line);
  args = send->line + strcspn (send->line, " ");
  send->verb = g_ascii_strup (send->line, args - send->line);
  send->has_args = *args != '\0';

  command = mw_protocol_command_lookup (self->protocol, send->verb);
  if (command != NULL && command->fate == MW_COMMAND_FATE_REFUSED)
    {
      return_error (g_steal_pointer (&task),
                    g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                 /* Translators: a command typed in the console, and why it is not sent. */
                                 _ ("%s is not sent: %s"), send->verb,
                                 mw_protocol_command_get_refusal (command)));
      return;
    }

  if (is_connected (self))
    dispatch (g_steal_pointer (&task));
  else
    connect (g_steal_pointer (&task));
}

gboolean
mw_console_session_send_finish (MwConsoleSession *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
mw_console_session_dispose (GObject *object)
{
  MwConsoleSession *self = MW_CONSOLE_SESSION (object);

  mw_console_session_close (self);

  G_OBJECT_CLASS (mw_console_session_parent_class)->dispose (object);
}

static void
mw_console_session_finalize (GObject *object)
{
  MwConsoleSession *self = MW_CONSOLE_SESSION (object);

  g_clear_object (&self->transcript);
  g_clear_object (&self->account);
  g_free (self->host);
  g_free (self->user);
  if (self->password != NULL)
    explicit_bzero (self->password, strlen (self->password));
  g_free (self->password);
  g_free (self->target);

  G_OBJECT_CLASS (mw_console_session_parent_class)->finalize (object);
}

static void
mw_console_session_class_init (MwConsoleSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mw_console_session_dispose;
  object_class->finalize = mw_console_session_finalize;
}

static void
mw_console_session_init (MwConsoleSession *self)
{
}
