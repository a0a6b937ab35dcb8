/* mw-pop3-client.c: the POP3 client
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-pop3-client-private.h"

#include "mw-core-enums.h"
#include "mw-message-summary.h"
#include "mw-sasl-private.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

/* RFC 5034: an AUTH command with its initial response fits in 255 octets;
 * a longer response waits for the server's empty challenge. */
#define MAX_AUTH_LINE 255

/* How much of a server's line an error message quotes. */
#define MAX_QUOTE 300

#define SECRET_DISPLAY "********"

/* One command on the wire, or the greeting (no line). Commands wait in
 * self->pending until the pipeline window lets them out, then in
 * self->inflight until their reply has been read. */
typedef struct _Cmd Cmd;
typedef void (*CmdDone) (MwPop3Client *self,
                         Cmd          *cmd,
                         const GError *error);

struct _Cmd
{
  char          *line;    /* NULL: only read a reply (the greeting) */
  char          *display; /* what the transcript shows, or NULL */
  char          *verb;    /* a console command's verb, upper case */
  GTask         *task;    /* the public operation it belongs to */
  CmdDone        done;
  GOutputStream *sink;      /* where a multi-line body goes */
  guint64        max_bytes; /* body bytes kept; 0: all */
  guint          number;    /* the message, for progress and summaries */
  size_t         cost;      /* bytes on the wire */
  guint64        limit;     /* the body's hard limit while it is read; 0: none */

  guint multiline : 1;    /* a +OK reply carries a body */
  guint collect : 1;      /* collect the body into memory */
  guint continuation : 1; /* "+ " replies (SASL challenges) expected */
  guint barrier : 1;      /* written alone; nothing follows until it is done */
  guint progress : 1;     /* re-emit body progress */
  guint secret : 1;       /* wipe the line when done */
  guint strict : 1;       /* a body past max_bytes ends the session */
  guint sized : 1;        /* a message's body (RETR, TOP): bounded by its size */
  guint headers_only : 1; /* TOP n 0 */

  /* The reply. */
  char       *status;
  gboolean    ok;
  gboolean    challenge;
  MwBodyStats stats;
  GBytes     *body; /* collected */
};

struct _MwPop3Client
{
  GObject parent_instance;

  /* Owned */
  char         *host;
  MwTranscript *transcript;
  char         *user;
  char         *password; /* wiped before free */
  char         *token;    /* wiped before free */
  char         *auth_mechanism;
  char         *pinned_fingerprint;
  char         *ca_file;
  char         *server_identity;
  char         *scram_nonce; /* tests only */
  MwConnection *connection;
  GQueue        pending;  /* Cmd */
  GQueue        inflight; /* Cmd */
  char         *greeting;
  char         *apop_timestamp;
  GPtrArray    *capa_lines;
  GPtrArray    *sasl_mechanisms;
  char         *expire;
  char         *implementation;
  char         *mechanism_used;
  char         *console_mechanism; /* an AUTH typed by hand */

  /* The server's certificate as last seen, kept after the connection. */
  MwCertificateInfo *certificate_info;

  guint16            port;
  MwSecurity         security;
  MwPop3Pipelining   pipelining;
  MwPop3State        state;
  MwPop3Capabilities capabilities;
  guint              timeout;
  int                login_delay;
  size_t             outstanding; /* bytes of commands awaiting replies */
  GHashTable        *sizes;       /* number → size announced by LIST, this session */
  guint64            unlisted_limit;
  guint              deletions;
  gulong             progress_handler;

  guint allow_plaintext : 1;
  guint login_on_connect : 1;
  guint sasl_response : 1; /* the console owes a SASL challenge a line */
  guint no_body_limit : 1;
  guint capa_known : 1;
  guint reading : 1;
  guint writing : 1;
};

G_DEFINE_FINAL_TYPE (MwPop3Client, mw_pop3_client, G_TYPE_OBJECT)

/* clang-format off */
G_DEFINE_QUARK (mw-pop3-error-quark, mw_pop3_error)

gboolean
mw_pop3_error_is_reply (const GError *error)
{
  if (error == NULL || error->domain != MW_POP3_ERROR)
    return FALSE;

  switch ((MwPop3Error) error->code)
    {
    case MW_POP3_ERROR_REFUSED:
    case MW_POP3_ERROR_IN_USE:
    case MW_POP3_ERROR_LOGIN_DELAY:
    case MW_POP3_ERROR_SYS_TEMP:
    case MW_POP3_ERROR_SYS_PERM:
    case MW_POP3_ERROR_AUTH:
      return TRUE;
    case MW_POP3_ERROR_PROTOCOL:
    case MW_POP3_ERROR_NO_MECHANISM:
    case MW_POP3_ERROR_PLAINTEXT_REFUSED:
    case MW_POP3_ERROR_STARTTLS_UNAVAILABLE:
    case MW_POP3_ERROR_NOT_CONNECTED:
    case MW_POP3_ERROR_INVALID_ARGUMENT:
    default:
      return FALSE;
    }
}
/* clang-format on */

G_DEFINE_BOXED_TYPE (MwPop3Reply, mw_pop3_reply, mw_pop3_reply_copy, mw_pop3_reply_free)

enum
{
  PROP_0,
  PROP_HOST,
  PROP_PORT,
  PROP_SECURITY,
  PROP_TRANSCRIPT,
  PROP_STATE,
  PROP_USER,
  PROP_AUTH_MECHANISM,
  PROP_ALLOW_PLAINTEXT,
  PROP_PIPELINING,
  PROP_TIMEOUT,
  PROP_PINNED_FINGERPRINT,
  PROP_CA_FILE,
  PROP_SERVER_IDENTITY,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_SUMMARY,
  SIGNAL_PROGRESS,
  SIGNAL_RETR_PROGRESS,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

/* The state of one public operation: whatever its steps need. */
typedef struct
{
  MwPop3Client  *self; /* borrowed; the task holds a ref */
  GSource       *cancel_source;
  gboolean       returned;
  guint          number;
  guint          count;
  guint64        size;
  GOutputStream *sink;
  MwSasl        *sasl;
  gboolean       committed;
  gboolean       did_stls;
  MwPop3Reply   *reply;

  /* Previews. */
  guint       stat_count;
  gboolean    stat_done;
  gboolean    stat_ok;
  GPtrArray  *summaries;
  GHashTable *by_number; /* number → MwMessageSummary (borrowed) */
  guint       done;
  guint       waiting; /* TOP replies still to come */
  gboolean    uidl_done;
  gboolean    list_done;
  gboolean    want_top;
  gboolean    no_uidl;
} Op;

static void
op_free (Op *op)
{
  if (op->cancel_source != NULL)
    {
      g_source_destroy (op->cancel_source);
      g_source_unref (op->cancel_source);
    }
  g_clear_object (&op->sink);
  g_clear_object (&op->sasl);
  g_clear_pointer (&op->reply, mw_pop3_reply_free);
  g_clear_pointer (&op->by_number, g_hash_table_unref);
  g_clear_pointer (&op->summaries, g_ptr_array_unref);
  g_free (op);
}

static void
wipe_string (char **str)
{
  if (*str != NULL)
    {
      explicit_bzero (*str, strlen (*str));
      g_clear_pointer (str, g_free);
    }
}

static void
cmd_free (Cmd *cmd)
{
  if (cmd->secret)
    wipe_string (&cmd->line);
  g_free (cmd->line);
  g_free (cmd->display);
  g_free (cmd->verb);
  g_clear_object (&cmd->task);
  g_clear_object (&cmd->sink);
  g_free (cmd->status);
  g_clear_pointer (&cmd->body, g_bytes_unref);
  g_free (cmd);
}

MwPop3Reply *
mw_pop3_reply_copy (const MwPop3Reply *reply)
{
  MwPop3Reply *copy = g_new0 (MwPop3Reply, 1);

  copy->ok = reply->ok;
  copy->status = g_strdup (reply->status);
  copy->lines = g_strdupv (reply->lines);
  copy->truncated = reply->truncated;
  copy->challenge = reply->challenge;
  return copy;
}

void
mw_pop3_reply_free (MwPop3Reply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->status);
  g_strfreev (reply->lines);
  g_free (reply);
}

/* Errors. */

/* The server's words, printable and short enough to show. */
static char *
quote_line (const char *line)
{
  g_autofree char *valid = g_utf8_make_valid (line, -1);
  GString         *out = g_string_new (NULL);
  glong            n = 0;

  for (const char *p = valid; *p != '\0' && n < MAX_QUOTE; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_unichar (out, c);
    }
  if (*g_utf8_offset_to_pointer (valid, MIN (n, g_utf8_strlen (valid, -1))) != '\0')
    g_string_append (out, "…");

  return g_string_free (out, FALSE);
}

static GError *
protocol_error (MwPop3Client *self,
                const char   *what,
                const char   *line)
{
  g_autofree char *quoted = quote_line (line);

  return g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_PROTOCOL,
                      _ ("%s sent %s: “%s”"), self->host, what, quoted);
}

/* Turns a -ERR line into a typed error (RFC 2449, RFC 3206). @login says
 * whether it answered credentials. */
static GError *
reply_error (MwPop3Client *self,
             const char   *command,
             const char   *status,
             gboolean      login)
{
  g_autofree char *quoted = quote_line (status);
  const char      *text = status + 4;
  g_autofree char *code = NULL;
  MwPop3Error      error_code = MW_POP3_ERROR_REFUSED;
  const char      *format;

  while (*text == ' ')
    text++;
  if (*text == '[')
    {
      const char *end = strchr (text, ']');

      if (end != NULL && end - text < 64)
        code = g_ascii_strup (text + 1, end - text - 1);
    }

  if (code == NULL)
    {
      /* Without AUTH-RESP-CODE a refused login is about the credentials
       * as far as anyone can tell; with it, [AUTH] would have said so. */
      if (login && !(self->capabilities & MW_POP3_CAPABILITY_AUTH_RESP_CODE))
        error_code = MW_POP3_ERROR_AUTH;
    }
  else if (g_str_equal (code, "IN-USE"))
    error_code = MW_POP3_ERROR_IN_USE;
  else if (g_str_equal (code, "LOGIN-DELAY"))
    error_code = MW_POP3_ERROR_LOGIN_DELAY;
  else if (g_str_equal (code, "SYS/TEMP"))
    error_code = MW_POP3_ERROR_SYS_TEMP;
  else if (g_str_equal (code, "SYS/PERM"))
    error_code = MW_POP3_ERROR_SYS_PERM;
  else if (g_str_equal (code, "AUTH"))
    error_code = MW_POP3_ERROR_AUTH;
  else if (g_str_has_prefix (code, "SYS/"))
    error_code = MW_POP3_ERROR_SYS_TEMP;

  switch (error_code)
    {
    case MW_POP3_ERROR_IN_USE:
      format = _ ("%s: another program is connected to this mailbox; "
                  "it frees up when that session ends (the server said “%s”)");
      break;
    case MW_POP3_ERROR_LOGIN_DELAY:
      format = _ ("%s: the server allows logging in only every so often; "
                  "try again later (the server said “%s”)");
      break;
    case MW_POP3_ERROR_SYS_TEMP:
      format = _ ("%s failed because of a temporary problem on the server; "
                  "try again later (the server said “%s”)");
      break;
    case MW_POP3_ERROR_SYS_PERM:
      format = _ ("%s failed because of a problem on the server that will not "
                  "go away by itself (the server said “%s”)");
      break;
    case MW_POP3_ERROR_AUTH:
      format = _ ("%s failed: the user name or password was not accepted "
                  "(the server said “%s”)");
      break;
    case MW_POP3_ERROR_REFUSED:
    default:
      format = _ ("%s was refused (the server said “%s”)");
      break;
    }

  return g_error_new (MW_POP3_ERROR, error_code, format, command, quoted);
}

static GError *
not_connected_error (MwPop3Client *self)
{
  return g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_NOT_CONNECTED,
                      _ ("Not logged in to %s"), self->host);
}

/* Operations. */

static gboolean cancelled_cb (GCancellable *cancellable,
                              GTask        *task);

static GTask *
op_task_new (MwPop3Client       *self,
             GCancellable       *cancellable,
             gpointer            source_tag,
             GAsyncReadyCallback callback,
             gpointer            user_data,
             Op                **out_op)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Op    *op = g_new0 (Op, 1);

  g_task_set_source_tag (task, source_tag);
  op->self = self;
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);

  if (cancellable != NULL)
    {
      /* A source, so that cancelling from another thread still acts here. */
      op->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (op->cancel_source, G_SOURCE_FUNC (cancelled_cb), task, NULL);
      g_source_set_name (op->cancel_source, "[mailwire] pop3 cancel");
      g_source_attach (op->cancel_source, g_task_get_context (task));
    }

  if (out_op != NULL)
    *out_op = op;
  return task;
}

static gboolean
op_is_returned (GTask *task)
{
  Op *op = g_task_get_task_data (task);
  return op->returned;
}

static void
op_mark_returned (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  g_assert (!op->returned);
  op->returned = TRUE;
  if (op->cancel_source != NULL)
    {
      g_source_destroy (op->cancel_source);
      g_clear_pointer (&op->cancel_source, g_source_unref);
    }
}

static void
op_return_error (GTask  *task,
                 GError *error)
{
  if (op_is_returned (task))
    {
      g_error_free (error);
      return;
    }
  op_mark_returned (task);
  g_task_return_error (task, error);
}

static void
op_return_boolean (GTask   *task,
                   gboolean value)
{
  if (op_is_returned (task))
    return;
  op_mark_returned (task);
  g_task_return_boolean (task, value);
}

static void
op_return_pointer (GTask         *task,
                   gpointer       value,
                   GDestroyNotify notify)
{
  if (op_is_returned (task))
    {
      if (notify != NULL && value != NULL)
        notify (value);
      return;
    }
  op_mark_returned (task);
  g_task_return_pointer (task, value, notify);
}

/* The engine. */

static void engine_kick (MwPop3Client *self);

static Cmd *
cmd_new (GTask      *task,
         const char *line,
         CmdDone     done)
{
  Cmd *cmd = g_new0 (Cmd, 1);

  cmd->line = g_strdup (line);
  if (task != NULL)
    cmd->task = g_object_ref (task);
  cmd->done = done;
  cmd->cost = line != NULL ? strlen (line) + 2 : 0;
  return cmd;
}

static void
enqueue (MwPop3Client *self,
         Cmd          *cmd)
{
  g_queue_push_tail (&self->pending, cmd);
  engine_kick (self);
}

static gboolean
pipelining_active (MwPop3Client *self)
{
  return self->pipelining == MW_POP3_PIPELINING_AUTO &&
         (self->capabilities & MW_POP3_CAPABILITY_PIPELINING) != 0 &&
         self->state == MW_POP3_STATE_TRANSACTION;
}

/* Keeps what the connection learned of the certificate: a rejected one
 * is what the user is asked to trust once the connection is gone. */
static void
keep_certificate_info (MwPop3Client *self)
{
  MwCertificateInfo *info = mw_connection_get_certificate_info (self->connection);

  if (info == NULL || info == self->certificate_info)
    return;
  g_clear_pointer (&self->certificate_info, mw_certificate_info_unref);
  self->certificate_info = mw_certificate_info_ref (info);
}

/* Ends the session: every command waiting gets @error. */
static void
fail_all (MwPop3Client *self,
          const GError *error)
{
  G_GNUC_UNUSED g_autoptr (MwPop3Client) hold = g_object_ref (self);
  GQueue        queue = G_QUEUE_INIT;
  Cmd          *cmd;

  if (self->connection != NULL)
    {
      keep_certificate_info (self);
      if (self->progress_handler != 0)
        g_signal_handler_disconnect (self->connection, self->progress_handler);
      self->progress_handler = 0;
      mw_connection_close (self->connection);
      g_clear_object (&self->connection);
    }
  self->reading = self->writing = FALSE;
  self->outstanding = 0;
  self->sasl_response = FALSE;
  /* Numbers, and so their sizes, hold for one session. */
  if (self->sizes != NULL)
    g_hash_table_remove_all (self->sizes);
  if (self->state != MW_POP3_STATE_CLOSED && self->state != MW_POP3_STATE_DISCONNECTED)
    {
      self->state = MW_POP3_STATE_DISCONNECTED;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }

  /* Callbacks may queue more: take everything first. */
  while ((cmd = g_queue_pop_head (&self->inflight)) != NULL)
    g_queue_push_tail (&queue, cmd);
  while ((cmd = g_queue_pop_head (&self->pending)) != NULL)
    g_queue_push_tail (&queue, cmd);

  while ((cmd = g_queue_pop_head (&queue)) != NULL)
    {
      cmd->done (self, cmd, error);
      cmd_free (cmd);
    }
}

static void flush_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data);

static gboolean status_is (const char *line,
                           const char *word);

/* Before a command goes out on a quiet connection: whatever the server
 * sent since its last reply answers nothing, and must not be taken for
 * the reply to this command. A "-ERR" is how servers announce they are
 * ending an idle session (autologout); anything else breaks the protocol.
 * FALSE if the session ended. */
static gboolean
check_idle (MwPop3Client *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;

  if (mw_connection_poll_idle (self->connection, &line, &error))
    return TRUE;

  if (error == NULL && line != NULL && status_is (line, "-ERR"))
    {
      g_autofree char *quote = g_utf8_make_valid (line, MIN (strlen (line), MAX_QUOTE));

      error = g_error_new (MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_CLOSED,
                           _ ("%s ended the session: “%s”"), self->host, quote);
    }
  else if (error == NULL)
    {
      g_autofree char *quote = g_utf8_make_valid (line != NULL ? line : "",
                                                  line != NULL ? MIN (strlen (line), MAX_QUOTE) : 0);

      error = g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_PROTOCOL,
                           _ ("%s sent “%s” while no command was waiting for a reply; "
                              "the connection was closed"),
                           self->host, quote);
    }
  fail_all (self, error);
  return FALSE;
}

static void
write_more (MwPop3Client *self)
{
  gboolean pipelined = pipelining_active (self);
  gboolean queued = FALSE;
  Cmd     *last;

  if (self->writing || self->connection == NULL)
    return;

  /* Refill a pipeline only once half of it has drained, so that commands
   * leave in batches rather than one write per reply. */
  if (pipelined && !g_queue_is_empty (&self->inflight) &&
      (self->outstanding > MW_POP3_PIPELINE_BYTES / 2 ||
       g_queue_get_length (&self->inflight) > MW_POP3_PIPELINE_REPLIES / 2))
    return;

  while (!g_queue_is_empty (&self->pending))
    {
      Cmd *cmd = g_queue_peek_head (&self->pending);

      last = g_queue_peek_tail (&self->inflight);
      if (last != NULL)
        {
          if (!pipelined || cmd->barrier || last->barrier)
            break;
          if (self->outstanding + cmd->cost > MW_POP3_PIPELINE_BYTES ||
              g_queue_get_length (&self->inflight) >= MW_POP3_PIPELINE_REPLIES)
            break;
        }

      if (last == NULL && cmd->line != NULL && !check_idle (self))
        return;

      g_queue_pop_head (&self->pending);
      g_queue_push_tail (&self->inflight, cmd);
      self->outstanding += cmd->cost;
      if (cmd->line != NULL)
        {
          mw_connection_queue_line (self->connection, cmd->line, cmd->display);
          queued = TRUE;
        }
    }

  if (!queued)
    return;

  self->writing = TRUE;
  mw_connection_flush_async (self->connection, NULL, flush_cb, g_object_ref (self));
}

static void
flush_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (MwPop3Client) self = user_data;
  g_autoptr (GError) error = NULL;

  if (MW_CONNECTION (object) != self->connection)
    return;

  self->writing = FALSE;
  if (!mw_connection_flush_finish (MW_CONNECTION (object), result, &error))
    {
      fail_all (self, error);
      return;
    }

  engine_kick (self);
}

static void read_line_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data);
static void read_body_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data);

static void
read_more (MwPop3Client *self)
{
  if (self->reading || self->connection == NULL || g_queue_is_empty (&self->inflight))
    return;

  self->reading = TRUE;
  mw_connection_read_line_async (self->connection, NULL, read_line_cb, g_object_ref (self));
}

static void
engine_kick (MwPop3Client *self)
{
  write_more (self);
  read_more (self);
}

static void
complete_head (MwPop3Client *self)
{
  Cmd *cmd = g_queue_peek_head (&self->inflight);

  g_assert (cmd != NULL);

  /* With no other command in flight, bytes already received answer a
   * command not yet sent, and would be taken for its reply. (After STLS
   * the connection reports them as an injection.) */
  if (self->inflight.length == 1 && self->connection != NULL &&
      mw_connection_get_buffered (self->connection) > 0 &&
      g_strcmp0 (cmd->line, "STLS") != 0 && g_strcmp0 (cmd->line, "QUIT") != 0)
    {
      g_autoptr (GError) error = g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_PROTOCOL,
                                              _ ("%s sent a reply to a command Mailwire had not sent"),
                                              self->host);

      fail_all (self, error);
      return;
    }

  g_queue_pop_head (&self->inflight);
  self->outstanding -= cmd->cost;
  self->reading = FALSE;
  cmd->done (self, cmd, NULL);
  cmd_free (cmd);
  engine_kick (self);
}

static gboolean
status_is (const char *line,
           const char *word)
{
  size_t len = strlen (word);

  return strncmp (line, word, len) == 0 && (line[len] == '\0' || line[len] == ' ');
}

/* Message sizes and the bounds they set on bodies. */

static void
remember_size (MwPop3Client *self,
               guint         number,
               guint64       size)
{
  if (self->sizes == NULL)
    self->sizes = g_hash_table_new (NULL, NULL);
  g_hash_table_insert (self->sizes, GUINT_TO_POINTER (number),
                       GSIZE_TO_POINTER ((gsize) MIN (size, (guint64) G_MAXSIZE)));
}

static gboolean
lookup_size (MwPop3Client *self,
             guint         number,
             guint64      *out_size)
{
  gpointer value;

  if (self->sizes == NULL ||
      !g_hash_table_lookup_extended (self->sizes, GUINT_TO_POINTER (number), NULL, &value))
    return FALSE;
  *out_size = GPOINTER_TO_SIZE (value);
  return TRUE;
}

static guint64
unlisted_limit (MwPop3Client *self)
{
  return self->unlisted_limit != 0 ? self->unlisted_limit : MW_POP3_MAX_UNLISTED_BODY;
}

/* The most a body may hold before the server counts as broken: a listing
 * its fixed cap; a message twice its announced size (the server may count
 * line ends as LF and send CRLF) and a margin; headers at least a few MB,
 * since some servers announce sizes only roughly. 0: no bound. */
static guint64
body_limit (MwPop3Client *self,
            Cmd          *cmd)
{
  guint64 size;
  guint64 limit;

  if (cmd->strict)
    return cmd->max_bytes;
  if (!cmd->sized || self->no_body_limit)
    return 0;
  if (!lookup_size (self, cmd->number, &size))
    return cmd->headers_only ? MW_POP3_MAX_HEADERS_REPLY : unlisted_limit (self);

  if (size > (G_MAXUINT64 - MW_POP3_BODY_MARGIN) / 2)
    limit = G_MAXUINT64;
  else
    limit = size * 2 + MW_POP3_BODY_MARGIN;
  if (cmd->headers_only)
    limit = MAX (limit, MW_POP3_MAX_HEADERS_REPLY);
  return limit;
}

static GError *
body_too_long_error (MwPop3Client *self,
                     Cmd          *cmd)
{
  guint64 size;

  if (lookup_size (self, cmd->number, &size))
    return g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_PROTOCOL,
                        _ ("%s announced message %u as %" PRIu64 " bytes but sent "
                           "%" PRIu64 " bytes of it without an end, more than the "
                           "%" PRIu64 " allowed; the connection was closed"),
                        self->host, cmd->number, size, cmd->stats.bytes, cmd->limit);
  return g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_PROTOCOL,
                      _ ("%s sent %" PRIu64 " bytes of message %u without an end, more "
                         "than the %" PRIu64 " allowed for a message of unknown size; "
                         "the connection was closed"),
                      self->host, cmd->stats.bytes, cmd->number, cmd->limit);
}

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (MwPop3Client) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  MwLineFlags      flags = 0;
  Cmd             *cmd;

  if (MW_CONNECTION (object) != self->connection)
    return;

  line = mw_connection_read_line_finish (MW_CONNECTION (object), result, &flags, &error);
  if (line == NULL)
    {
      fail_all (self, error);
      return;
    }

  cmd = g_queue_peek_head (&self->inflight);
  g_assert (cmd != NULL);

  if ((flags & MW_LINE_FLAG_NUL) != 0)
    {
      error = protocol_error (self, _ ("a reply holding a NUL byte"), line);
      fail_all (self, error);
      return;
    }

  if (status_is (line, "+OK"))
    cmd->ok = TRUE;
  else if (status_is (line, "-ERR"))
    cmd->ok = FALSE;
  else if (cmd->continuation && status_is (line, "+"))
    cmd->challenge = TRUE;
  else
    {
      /* Out of step: nothing after this can be trusted. */
      error = protocol_error (self, _ ("a reply that is neither +OK nor -ERR"), line);
      fail_all (self, error);
      return;
    }
  cmd->status = g_steal_pointer (&line);

  if (cmd->ok && cmd->multiline)
    {
      GOutputStream *sink = cmd->sink;

      if (cmd->collect)
        {
          cmd->sink = g_memory_output_stream_new_resizable ();
          sink = cmd->sink;
        }
      cmd->limit = body_limit (self, cmd);
      mw_connection_set_body_limit (self->connection, cmd->limit);
      mw_connection_read_body_async (self->connection, sink, cmd->max_bytes, NULL,
                                     read_body_cb, g_object_ref (self));
      return;
    }

  complete_head (self);
}

static void
read_body_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (MwPop3Client) self = user_data;
  g_autoptr (GError) error = NULL;
  Cmd *cmd;

  if (MW_CONNECTION (object) != self->connection)
    return;

  cmd = g_queue_peek_head (&self->inflight);
  g_assert (cmd != NULL);

  if (!mw_connection_read_body_finish (MW_CONNECTION (object), result, &cmd->stats, &error))
    {
      if (cmd->sized && cmd->limit > 0 && cmd->stats.bytes > cmd->limit)
        {
          g_clear_error (&error);
          error = body_too_long_error (self, cmd);
        }
      fail_all (self, error);
      return;
    }

  if (cmd->collect)
    {
      GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (cmd->sink);

      g_output_stream_close (cmd->sink, NULL, NULL);
      cmd->body = g_memory_output_stream_steal_as_bytes (memory);
    }

  complete_head (self);
}

static void
body_progress_cb (MwConnection *connection,
                  guint64       bytes,
                  MwPop3Client *self)
{
  Cmd *cmd = g_queue_peek_head (&self->inflight);

  if (cmd != NULL && cmd->progress)
    g_signal_emit (self, signals[SIGNAL_RETR_PROGRESS], 0, cmd->number, bytes);
}

static gboolean
cancelled_cb (GCancellable *cancellable,
              GTask        *task)
{
  Op           *op = g_task_get_task_data (task);
  MwPop3Client *self = op->self;
  G_GNUC_UNUSED g_autoptr (GTask) hold = g_object_ref (task);
  g_autoptr (GError) error = NULL;
  gboolean written = FALSE;

  if (op->returned)
    return G_SOURCE_REMOVE;

  for (GList *l = self->inflight.head; l != NULL; l = l->next)
    if (((Cmd *) l->data)->task == task)
      written = TRUE;

  g_cancellable_set_error_if_cancelled (cancellable, &error);

  if (written || self->state == MW_POP3_STATE_CONNECTING)
    {
      /* Its replies are on the way: the session cannot stay in step
       * without reading them, so it ends here. */
      g_task_return_error_if_cancelled (task);
      op_mark_returned (task);
      fail_all (self, error);
      return G_SOURCE_REMOVE;
    }

  for (GList *l = self->pending.head; l != NULL;)
    {
      GList *next = l->next;
      Cmd   *cmd = l->data;

      if (cmd->task == task)
        {
          g_queue_delete_link (&self->pending, l);
          cmd_free (cmd);
        }
      l = next;
    }

  op_return_error (task, g_steal_pointer (&error));

  return G_SOURCE_REMOVE;
}

/* Argument checks. */

static gboolean
argument_is_clean (const char *arg)
{
  return arg != NULL && strpbrk (arg, "\r\n") == NULL;
}

static gboolean
check_transaction (MwPop3Client *self,
                   GTask        *task)
{
  if (self->state == MW_POP3_STATE_TRANSACTION && self->connection != NULL)
    return TRUE;

  op_return_error (task, not_connected_error (self));
  return FALSE;
}

/* Parsing. */

static gboolean
parse_number (const char *text,
              size_t      len,
              guint64     max,
              guint64    *out)
{
  g_autofree char *copy = NULL;
  guint64          value;

  if (len == 0 || len > 20)
    return FALSE;
  for (size_t i = 0; i < len; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;

  copy = g_strndup (text, len);
  if (!g_ascii_string_to_unsigned (copy, 10, 0, max, &value, NULL))
    return FALSE;

  *out = value;
  return TRUE;
}

static gboolean
parse_message_number (const char *text,
                      size_t      len,
                      guint      *out)
{
  guint64 value;

  if (!parse_number (text, len, MW_POP3_MAX_MESSAGES, &value) || value == 0)
    return FALSE;
  *out = (guint) value;
  return TRUE;
}

/* "n size[ anything]" (RFC 1939 allows more after the size). */
static gboolean
parse_scan_listing (const char *line,
                    guint      *out_number,
                    guint64    *out_size)
{
  const char *space = strchr (line, ' ');
  const char *end;

  if (space == NULL)
    return FALSE;
  end = strchr (space + 1, ' ');
  if (end == NULL)
    end = space + 1 + strlen (space + 1);

  return parse_message_number (line, space - line, out_number) &&
         parse_number (space + 1, end - space - 1, G_MAXUINT64, out_size);
}

/* "n uid": the uid is 1 to MW_POP3_MAX_UID printable characters. */
static gboolean
parse_unique_id_listing (const char  *line,
                         guint       *out_number,
                         const char **out_uid)
{
  const char *space = strchr (line, ' ');
  size_t      len;

  if (space == NULL || !parse_message_number (line, space - line, out_number))
    return FALSE;

  len = strlen (space + 1);
  if (len == 0 || len > MW_POP3_MAX_UID)
    return FALSE;
  for (size_t i = 0; i < len; i++)
    if (space[1 + i] < 0x21 || space[1 + i] > 0x7e)
      return FALSE;

  *out_uid = space + 1;
  return TRUE;
}

/* Splits a collected body into lines (CRLF or LF). */
static char **
body_lines (GBytes *body)
{
  size_t      len;
  const char *data = g_bytes_get_data (body, &len);
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  size_t start = 0;

  for (size_t i = 0; i < len; i++)
    {
      if (data[i] == '\n')
        {
          size_t end = i;

          if (end > start && data[end - 1] == '\r')
            end--;
          g_ptr_array_add (lines, g_strndup (data + start, end - start));
          start = i + 1;
        }
    }
  if (start < len)
    g_ptr_array_add (lines, g_strndup (data + start, len - start));
  g_ptr_array_add (lines, NULL);

  return (char **) g_ptr_array_free (g_steal_pointer (&lines), FALSE);
}

static void
uid_entry_clear (MwPop3UidEntry *entry)
{
  g_clear_pointer (&entry->uid, g_free);
}

/* Parses a LIST body into entries in message order; NULL on error. */
static GArray *
parse_list (MwPop3Client *self,
            Cmd          *cmd,
            GError      **error)
{
  g_auto (GStrv) lines = NULL;
  g_autoptr (GArray) entries = g_array_new (FALSE, FALSE, sizeof (MwPop3ListEntry));
  g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);

  if (cmd->stats.bytes > MW_POP3_MAX_LISTING)
    {
      g_set_error (error, MW_POP3_ERROR, MW_POP3_ERROR_PROTOCOL,
                   _ ("%s sent a message list of more than %u bytes"),
                   self->host, MW_POP3_MAX_LISTING);
      return NULL;
    }
  if (cmd->stats.flags & MW_LINE_FLAG_NUL)
    {
      g_set_error (error, MW_POP3_ERROR, MW_POP3_ERROR_PROTOCOL,
                   _ ("%s sent a %s reply holding a NUL byte"), self->host, cmd->line);
      return NULL;
    }

  lines = body_lines (cmd->body);
  for (size_t i = 0; lines[i] != NULL; i++)
    {
      MwPop3ListEntry entry;

      if (!parse_scan_listing (lines[i], &entry.number, &entry.size))
        {
          g_propagate_error (error, protocol_error (self, _ ("a malformed LIST line"), lines[i]));
          return NULL;
        }
      if (!g_hash_table_add (seen, GUINT_TO_POINTER (entry.number)))
        {
          g_propagate_error (error, protocol_error (self, _ ("a message number twice in LIST"), lines[i]));
          return NULL;
        }
      g_array_append_val (entries, entry);
    }

  for (guint i = 0; i < entries->len; i++)
    {
      MwPop3ListEntry *entry = &g_array_index (entries, MwPop3ListEntry, i);

      remember_size (self, entry->number, entry->size);
    }

  return g_steal_pointer (&entries);
}

static GArray *
parse_uidl (MwPop3Client *self,
            Cmd          *cmd,
            GError      **error)
{
  g_auto (GStrv) lines = NULL;
  g_autoptr (GArray) entries = g_array_new (FALSE, FALSE, sizeof (MwPop3UidEntry));
  g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr (GHashTable) seen_uids = g_hash_table_new (g_str_hash, g_str_equal);

  g_array_set_clear_func (entries, (GDestroyNotify) uid_entry_clear);

  if (cmd->stats.bytes > MW_POP3_MAX_LISTING)
    {
      g_set_error (error, MW_POP3_ERROR, MW_POP3_ERROR_PROTOCOL,
                   _ ("%s sent a unique-ID list of more than %u bytes"),
                   self->host, MW_POP3_MAX_LISTING);
      return NULL;
    }
  if (cmd->stats.flags & MW_LINE_FLAG_NUL)
    {
      g_set_error (error, MW_POP3_ERROR, MW_POP3_ERROR_PROTOCOL,
                   _ ("%s sent a %s reply holding a NUL byte"), self->host, cmd->line);
      return NULL;
    }

  lines = body_lines (cmd->body);
  for (size_t i = 0; lines[i] != NULL; i++)
    {
      MwPop3UidEntry entry;
      const char    *uid;

      if (!parse_unique_id_listing (lines[i], &entry.number, &uid))
        {
          g_propagate_error (error, protocol_error (self, _ ("a malformed UIDL line"), lines[i]));
          return NULL;
        }
      if (!g_hash_table_add (seen, GUINT_TO_POINTER (entry.number)))
        {
          g_propagate_error (error, protocol_error (self, _ ("a message number twice in UIDL"), lines[i]));
          return NULL;
        }
      if (!g_hash_table_add (seen_uids, (gpointer) uid))
        {
          g_propagate_error (error, protocol_error (self, _ ("the same unique ID for two messages"), lines[i]));
          return NULL;
        }
      entry.uid = g_strdup (uid);
      g_array_append_val (entries, entry);
    }

  return g_steal_pointer (&entries);
}

/* The first reply word after "+OK ": e.g. STAT's "n size". */
static const char *
status_text (const char *status)
{
  const char *text = status + (status[0] == '+' ? 3 : 4);

  while (*text == ' ')
    text++;
  return text;
}

/* GObject. */

static void
mw_pop3_client_dispose (GObject *object)
{
  MwPop3Client *self = MW_POP3_CLIENT (object);

  if (self->connection != NULL || !g_queue_is_empty (&self->pending))
    {
      g_autoptr (GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                              _ ("The session with %s was closed"), self->host);
      fail_all (self, error);
    }

  G_OBJECT_CLASS (mw_pop3_client_parent_class)->dispose (object);
}

static void
mw_pop3_client_finalize (GObject *object)
{
  MwPop3Client *self = MW_POP3_CLIENT (object);

  g_free (self->host);
  g_clear_object (&self->transcript);
  g_free (self->user);
  wipe_string (&self->password);
  wipe_string (&self->token);
  g_free (self->auth_mechanism);
  g_free (self->pinned_fingerprint);
  g_clear_pointer (&self->certificate_info, mw_certificate_info_unref);
  g_free (self->ca_file);
  g_free (self->server_identity);
  g_free (self->scram_nonce);
  g_clear_pointer (&self->sizes, g_hash_table_unref);
  g_free (self->greeting);
  g_free (self->apop_timestamp);
  g_clear_pointer (&self->capa_lines, g_ptr_array_unref);
  g_clear_pointer (&self->sasl_mechanisms, g_ptr_array_unref);
  g_free (self->expire);
  g_free (self->implementation);
  g_free (self->mechanism_used);
  g_free (self->console_mechanism);

  G_OBJECT_CLASS (mw_pop3_client_parent_class)->finalize (object);
}

static void
mw_pop3_client_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  MwPop3Client *self = MW_POP3_CLIENT (object);

  switch (prop_id)
    {
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_SECURITY:
      g_value_set_enum (value, self->security);
      break;
    case PROP_TRANSCRIPT:
      g_value_set_object (value, self->transcript);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_USER:
      g_value_set_string (value, self->user);
      break;
    case PROP_AUTH_MECHANISM:
      g_value_set_string (value, self->auth_mechanism);
      break;
    case PROP_ALLOW_PLAINTEXT:
      g_value_set_boolean (value, self->allow_plaintext);
      break;
    case PROP_PIPELINING:
      g_value_set_enum (value, self->pipelining);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    case PROP_PINNED_FINGERPRINT:
      g_value_set_string (value, self->pinned_fingerprint);
      break;
    case PROP_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;
    case PROP_SERVER_IDENTITY:
      g_value_set_string (value, self->server_identity);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_pop3_client_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  MwPop3Client *self = MW_POP3_CLIENT (object);

  switch (prop_id)
    {
    case PROP_HOST:
      self->host = g_value_dup_string (value);
      break;
    case PROP_PORT:
      self->port = (guint16) g_value_get_uint (value);
      break;
    case PROP_SECURITY:
      self->security = g_value_get_enum (value);
      break;
    case PROP_TRANSCRIPT:
      self->transcript = g_value_dup_object (value);
      break;
    case PROP_USER:
      mw_pop3_client_set_user (self, g_value_get_string (value));
      break;
    case PROP_AUTH_MECHANISM:
      mw_pop3_client_set_auth_mechanism (self, g_value_get_string (value));
      break;
    case PROP_ALLOW_PLAINTEXT:
      mw_pop3_client_set_allow_plaintext (self, g_value_get_boolean (value));
      break;
    case PROP_PIPELINING:
      mw_pop3_client_set_pipelining (self, g_value_get_enum (value));
      break;
    case PROP_TIMEOUT:
      mw_pop3_client_set_timeout (self, g_value_get_uint (value));
      break;
    case PROP_PINNED_FINGERPRINT:
      mw_pop3_client_set_pinned_fingerprint (self, g_value_get_string (value));
      break;
    case PROP_CA_FILE:
      mw_pop3_client_set_ca_file (self, g_value_get_string (value));
      break;
    case PROP_SERVER_IDENTITY:
      mw_pop3_client_set_server_identity (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_pop3_client_class_init (MwPop3ClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  GParamFlags   co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = mw_pop3_client_dispose;
  object_class->finalize = mw_pop3_client_finalize;
  object_class->get_property = mw_pop3_client_get_property;
  object_class->set_property = mw_pop3_client_set_property;

  properties[PROP_HOST] =
    g_param_spec_string ("host", NULL, NULL, NULL, co);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 110, co);
  properties[PROP_SECURITY] =
    g_param_spec_enum ("security", NULL, NULL, MW_TYPE_SECURITY, MW_SECURITY_TLS, co);
  properties[PROP_TRANSCRIPT] =
    g_param_spec_object ("transcript", NULL, NULL, MW_TYPE_TRANSCRIPT, co);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, MW_TYPE_POP3_STATE, MW_POP3_STATE_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL, rw);
  properties[PROP_AUTH_MECHANISM] =
    g_param_spec_string ("auth-mechanism", NULL, NULL, NULL, rw);
  properties[PROP_ALLOW_PLAINTEXT] =
    g_param_spec_boolean ("allow-plaintext", NULL, NULL, FALSE, rw);
  properties[PROP_PIPELINING] =
    g_param_spec_enum ("pipelining", NULL, NULL, MW_TYPE_POP3_PIPELINING, MW_POP3_PIPELINING_AUTO, rw);
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 0, G_MAXUINT, MW_CONNECTION_DEFAULT_TIMEOUT, rw);
  properties[PROP_PINNED_FINGERPRINT] =
    g_param_spec_string ("pinned-fingerprint", NULL, NULL, NULL, rw);
  properties[PROP_CA_FILE] =
    g_param_spec_string ("ca-file", NULL, NULL, NULL, rw);
  properties[PROP_SERVER_IDENTITY] =
    g_param_spec_string ("server-identity", NULL, NULL, NULL, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MwPop3Client::summary:
   * @summary: a #MwMessageSummary
   *
   * Emitted by previews for each message as soon as its headers are in.
   */
  signals[SIGNAL_SUMMARY] =
    g_signal_new ("summary", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, MW_TYPE_MESSAGE_SUMMARY);

  /**
   * MwPop3Client::progress:
   * @done: messages summarised
   * @total: messages in the maildrop
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);

  /**
   * MwPop3Client::retr-progress:
   * @number: the message being downloaded
   * @bytes: bytes received so far
   */
  signals[SIGNAL_RETR_PROGRESS] =
    g_signal_new ("retr-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT64);
}

static void
mw_pop3_client_init (MwPop3Client *self)
{
  self->timeout = MW_CONNECTION_DEFAULT_TIMEOUT;
  self->login_delay = -1;
  self->login_on_connect = TRUE;
  g_queue_init (&self->pending);
  g_queue_init (&self->inflight);
}

/**
 * mw_pop3_client_new:
 * @host: the server
 * @port: its port (995 for TLS, 110 otherwise)
 * @security: how the connection is protected
 * @transcript: (nullable): where the exchange is recorded
 *
 * Returns: (transfer full): a client, not yet connected
 */
MwPop3Client *
mw_pop3_client_new (const char   *host,
                    guint16       port,
                    MwSecurity    security,
                    MwTranscript *transcript)
{
  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (transcript == NULL || MW_IS_TRANSCRIPT (transcript), NULL);

  return g_object_new (MW_TYPE_POP3_CLIENT,
                       "host", host,
                       "port", (guint) port,
                       "security", security,
                       "transcript", transcript,
                       NULL);
}

const char *
mw_pop3_client_get_host (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  return self->host;
}

guint16
mw_pop3_client_get_port (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), 0);
  return self->port;
}

MwSecurity
mw_pop3_client_get_security (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), MW_SECURITY_TLS);
  return self->security;
}

/**
 * mw_pop3_client_get_transcript:
 *
 * Returns: (transfer none) (nullable): the transcript
 */
MwTranscript *
mw_pop3_client_get_transcript (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  return self->transcript;
}

MwPop3State
mw_pop3_client_get_state (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), MW_POP3_STATE_DISCONNECTED);
  return self->state;
}

static gboolean
set_string (char      **field,
            const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

const char *
mw_pop3_client_get_user (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  return self->user;
}

void
mw_pop3_client_set_user (MwPop3Client *self,
                         const char   *user)
{
  g_return_if_fail (MW_IS_POP3_CLIENT (self));
  if (set_string (&self->user, user))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
}

void
mw_pop3_client_set_password (MwPop3Client *self,
                             const char   *password)
{
  g_return_if_fail (MW_IS_POP3_CLIENT (self));
  wipe_string (&self->password);
  self->password = g_strdup (password);
}

gboolean
mw_pop3_client_get_has_password (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), FALSE);
  return self->password != NULL;
}

void
mw_pop3_client_set_oauth2_token (MwPop3Client *self,
                                 const char   *token)
{
  g_return_if_fail (MW_IS_POP3_CLIENT (self));
  wipe_string (&self->token);
  self->token = g_strdup (token);
}

gboolean
mw_pop3_client_get_has_oauth2_token (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), FALSE);
  return self->token != NULL;
}

const char *
mw_pop3_client_get_auth_mechanism (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  return self->auth_mechanism;
}

void
mw_pop3_client_set_auth_mechanism (MwPop3Client *self,
                                   const char   *mechanism)
{
  g_autofree char *upper = NULL;

  g_return_if_fail (MW_IS_POP3_CLIENT (self));

  if (mechanism != NULL && *mechanism != '\0')
    upper = g_ascii_strup (mechanism, -1);
  if (set_string (&self->auth_mechanism, upper))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTH_MECHANISM]);
}

gboolean
mw_pop3_client_get_allow_plaintext (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), FALSE);
  return self->allow_plaintext;
}

void
mw_pop3_client_set_allow_plaintext (MwPop3Client *self,
                                    gboolean      allow)
{
  g_return_if_fail (MW_IS_POP3_CLIENT (self));
  if (self->allow_plaintext == !!allow)
    return;
  self->allow_plaintext = !!allow;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALLOW_PLAINTEXT]);
}

gboolean
mw_pop3_client_get_login_on_connect (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), TRUE);
  return self->login_on_connect;
}

void
mw_pop3_client_set_login_on_connect (MwPop3Client *self,
                                     gboolean      login)
{
  g_return_if_fail (MW_IS_POP3_CLIENT (self));
  self->login_on_connect = !!login;
}

MwPop3Pipelining
mw_pop3_client_get_pipelining (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), MW_POP3_PIPELINING_AUTO);
  return self->pipelining;
}

void
mw_pop3_client_set_pipelining (MwPop3Client    *self,
                               MwPop3Pipelining mode)
{
  g_return_if_fail (MW_IS_POP3_CLIENT (self));
  if (self->pipelining == mode)
    return;
  self->pipelining = mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PIPELINING]);
}

guint
mw_pop3_client_get_timeout (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), 0);
  return self->timeout;
}

void
mw_pop3_client_set_timeout (MwPop3Client *self,
                            guint         seconds)
{
  g_return_if_fail (MW_IS_POP3_CLIENT (self));
  if (self->timeout == seconds)
    return;
  self->timeout = seconds;
  if (self->connection != NULL)
    mw_connection_set_timeout (self->connection, seconds);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

const char *
mw_pop3_client_get_pinned_fingerprint (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  return self->pinned_fingerprint;
}

void
mw_pop3_client_set_pinned_fingerprint (MwPop3Client *self,
                                       const char   *fingerprint)
{
  g_return_if_fail (MW_IS_POP3_CLIENT (self));
  if (set_string (&self->pinned_fingerprint, fingerprint))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PINNED_FINGERPRINT]);
}

const char *
mw_pop3_client_get_ca_file (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  return self->ca_file;
}

void
mw_pop3_client_set_ca_file (MwPop3Client *self,
                            const char   *path)
{
  g_return_if_fail (MW_IS_POP3_CLIENT (self));
  if (set_string (&self->ca_file, path))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CA_FILE]);
}

const char *
mw_pop3_client_get_server_identity (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  return self->server_identity;
}

void
mw_pop3_client_set_server_identity (MwPop3Client *self,
                                    const char   *identity)
{
  g_return_if_fail (MW_IS_POP3_CLIENT (self));
  if (set_string (&self->server_identity, identity))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_IDENTITY]);
}

void
mw_pop3_client_set_scram_nonce (MwPop3Client *self,
                                const char   *nonce)
{
  g_return_if_fail (MW_IS_POP3_CLIENT (self));
  set_string (&self->scram_nonce, nonce);
}

/**
 * mw_pop3_client_get_connection:
 *
 * Returns: (transfer none) (nullable): the connection while there is one
 */
MwConnection *
mw_pop3_client_get_connection (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  return self->connection;
}

/**
 * mw_pop3_client_get_certificate_info:
 *
 * Returns: (transfer none) (nullable): the server's certificate as last
 *   seen in this session, still there after the connection ended; after
 *   a certificate failure, the rejected certificate
 */
MwCertificateInfo *
mw_pop3_client_get_certificate_info (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  if (self->connection != NULL && mw_connection_get_certificate_info (self->connection) != NULL)
    return mw_connection_get_certificate_info (self->connection);
  return self->certificate_info;
}

const char *
mw_pop3_client_get_greeting (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  return self->greeting;
}

/**
 * mw_pop3_client_get_apop_timestamp:
 *
 * Returns: (nullable): the greeting's "<…@…>" timestamp
 */
const char *
mw_pop3_client_get_apop_timestamp (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  return self->apop_timestamp;
}

/* FALSE when the server refused CAPA: the capabilities are then guesses. */
gboolean
mw_pop3_client_get_capa_known (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), FALSE);
  return self->capa_known;
}

MwPop3Capabilities
mw_pop3_client_get_capabilities (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), MW_POP3_CAPABILITY_NONE);
  return self->capabilities;
}

static const char *const empty_strv[] = { NULL };

/**
 * mw_pop3_client_get_capability_lines:
 *
 * Returns: (transfer none) (array zero-terminated=1): CAPA's lines as sent
 */
const char *const *
mw_pop3_client_get_capability_lines (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  if (self->capa_lines == NULL)
    return empty_strv;
  return (const char *const *) self->capa_lines->pdata;
}

/**
 * mw_pop3_client_get_sasl_mechanisms:
 *
 * Returns: (transfer none) (array zero-terminated=1): the SASL mechanisms
 */
const char *const *
mw_pop3_client_get_sasl_mechanisms (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  if (self->sasl_mechanisms == NULL)
    return empty_strv;
  return (const char *const *) self->sasl_mechanisms->pdata;
}

/* Seconds between logins the server demands; -1 when not advertised. */
int
mw_pop3_client_get_login_delay (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), -1);
  return self->login_delay;
}

const char *
mw_pop3_client_get_expire (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  return self->expire;
}

const char *
mw_pop3_client_get_implementation (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  return self->implementation;
}

/* "USER", "APOP" or the SASL mechanism of the last login. */
const char *
mw_pop3_client_get_mechanism_used (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  return self->mechanism_used;
}

gboolean
mw_pop3_client_is_pipelining (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), FALSE);
  return pipelining_active (self);
}

/* DELEs answered +OK since the last RSET; they happen at QUIT. */
guint
mw_pop3_client_get_pending_deletions (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), 0);
  return self->deletions;
}

/* Capabilities. */

static void
forget_capabilities (MwPop3Client *self)
{
  self->capa_known = FALSE;
  self->capabilities = MW_POP3_CAPABILITY_NONE;
  self->login_delay = -1;
  g_clear_pointer (&self->capa_lines, g_ptr_array_unref);
  g_clear_pointer (&self->sasl_mechanisms, g_ptr_array_unref);
  g_clear_pointer (&self->expire, g_free);
  g_clear_pointer (&self->implementation, g_free);
}

#define MAX_CAPA_LINES 256

static void
parse_capa (MwPop3Client *self,
            GBytes       *body)
{
  g_auto (GStrv) lines = body_lines (body);

  forget_capabilities (self);
  self->capa_known = TRUE;
  self->capa_lines = g_ptr_array_new_with_free_func (g_free);
  self->sasl_mechanisms = g_ptr_array_new_with_free_func (g_free);

  for (size_t i = 0; lines[i] != NULL && i < MAX_CAPA_LINES; i++)
    {
      g_auto (GStrv) words = g_strsplit (lines[i], " ", 0);
      g_autofree char *tag = NULL;

      g_ptr_array_add (self->capa_lines, g_strdup (lines[i]));
      if (words[0] == NULL || words[0][0] == '\0')
        continue;
      tag = g_ascii_strup (words[0], -1);

      if (g_str_equal (tag, "TOP"))
        self->capabilities |= MW_POP3_CAPABILITY_TOP;
      else if (g_str_equal (tag, "UIDL"))
        self->capabilities |= MW_POP3_CAPABILITY_UIDL;
      else if (g_str_equal (tag, "USER"))
        self->capabilities |= MW_POP3_CAPABILITY_USER;
      else if (g_str_equal (tag, "PIPELINING"))
        self->capabilities |= MW_POP3_CAPABILITY_PIPELINING;
      else if (g_str_equal (tag, "STLS"))
        self->capabilities |= MW_POP3_CAPABILITY_STLS;
      else if (g_str_equal (tag, "RESP-CODES"))
        self->capabilities |= MW_POP3_CAPABILITY_RESP_CODES;
      else if (g_str_equal (tag, "AUTH-RESP-CODE"))
        self->capabilities |= MW_POP3_CAPABILITY_AUTH_RESP_CODE;
      else if (g_str_equal (tag, "SASL"))
        {
          self->capabilities |= MW_POP3_CAPABILITY_SASL;
          for (size_t j = 1; words[j] != NULL; j++)
            if (words[j][0] != '\0' && self->sasl_mechanisms->len < 64)
              g_ptr_array_add (self->sasl_mechanisms, g_ascii_strup (words[j], -1));
        }
      else if (g_str_equal (tag, "LOGIN-DELAY"))
        {
          guint64 delay;

          self->capabilities |= MW_POP3_CAPABILITY_LOGIN_DELAY;
          if (words[1] != NULL && parse_number (words[1], strlen (words[1]), G_MAXINT, &delay))
            self->login_delay = (int) delay;
        }
      else if (g_str_equal (tag, "EXPIRE"))
        {
          self->capabilities |= MW_POP3_CAPABILITY_EXPIRE;
          g_free (self->expire);
          self->expire = g_strjoinv (" ", words + 1);
        }
      else if (g_str_equal (tag, "IMPLEMENTATION"))
        {
          self->capabilities |= MW_POP3_CAPABILITY_IMPLEMENTATION;
          g_free (self->implementation);
          self->implementation = g_strjoinv (" ", words + 1);
        }
    }

  g_ptr_array_add (self->capa_lines, NULL);
  g_ptr_array_add (self->sasl_mechanisms, NULL);
}

/* A server that refuses CAPA is old: no pipelining, and TOP, UIDL and
 * USER are tried and given up on when refused. */
static void
default_capabilities (MwPop3Client *self)
{
  forget_capabilities (self);
  self->capabilities = MW_POP3_CAPABILITY_TOP | MW_POP3_CAPABILITY_UIDL | MW_POP3_CAPABILITY_USER;
}

/* Connecting and logging in. */

static void connect_step_capa (GTask *task);
static void connect_step_login (GTask *task);

static void
connect_fail (GTask  *task,
              GError *error)
{
  Op           *op = g_task_get_task_data (task);
  MwPop3Client *self = op->self;
  G_GNUC_UNUSED g_autoptr (GTask) hold = g_object_ref (task);

  op_return_error (task, g_error_copy (error));
  fail_all (self, error);
  g_error_free (error);
}

/* Ends the session politely after a login failure that left it in step:
 * the server should not hold the maildrop lock any longer. */
static void
quit_ignored_cb (MwPop3Client *self,
                 Cmd          *cmd,
                 const GError *error)
{
  if (error == NULL)
    {
      g_autoptr (GError) closed = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, "closed");
      fail_all (self, closed);
    }
}

static void
connect_fail_quit (GTask  *task,
                   GError *error)
{
  Op           *op = g_task_get_task_data (task);
  MwPop3Client *self = op->self;

  op_return_error (task, error);
  if (self->connection != NULL)
    {
      Cmd *cmd = cmd_new (NULL, "QUIT", quit_ignored_cb);

      self->state = MW_POP3_STATE_DISCONNECTED;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
      enqueue (self, cmd);
    }
}

static void
logged_in (GTask      *task,
           const char *mechanism)
{
  Op           *op = g_task_get_task_data (task);
  MwPop3Client *self = op->self;

  g_free (self->mechanism_used);
  self->mechanism_used = g_strdup (mechanism);
  self->state = MW_POP3_STATE_TRANSACTION;
  self->deletions = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  mw_connection_note (self->connection, MW_TRANSCRIPT_FLAG_NONE,
                      "Logged in with %s%s", mechanism,
                      pipelining_active (self) ? "; pipelining" : "");
  op_return_boolean (task, TRUE);
}

/* USER / PASS. */

static void
pass_cb (MwPop3Client *self,
         Cmd          *cmd,
         const GError *error)
{
  if (op_is_returned (cmd->task))
    return;
  if (error != NULL)
    {
      op_return_error (cmd->task, g_error_copy (error));
      return;
    }
  if (!cmd->ok)
    {
      connect_fail_quit (cmd->task, reply_error (self, _ ("Login"), cmd->status, TRUE));
      return;
    }
  logged_in (cmd->task, "USER");
}

static void
user_cb (MwPop3Client *self,
         Cmd          *cmd,
         const GError *error)
{
  g_autofree char *line = NULL;
  Cmd             *pass;

  if (op_is_returned (cmd->task))
    return;
  if (error != NULL)
    {
      op_return_error (cmd->task, g_error_copy (error));
      return;
    }
  if (!cmd->ok)
    {
      connect_fail_quit (cmd->task, reply_error (self, _ ("Login"), cmd->status, TRUE));
      return;
    }

  line = g_strconcat ("PASS ", self->password, NULL);
  pass = cmd_new (cmd->task, line, pass_cb);
  explicit_bzero (line, strlen (line));
  pass->display = g_strdup ("PASS " SECRET_DISPLAY);
  pass->secret = TRUE;
  enqueue (self, pass);
}

static void
login_user (GTask *task)
{
  Op              *op = g_task_get_task_data (task);
  MwPop3Client    *self = op->self;
  g_autofree char *line = g_strconcat ("USER ", self->user, NULL);

  enqueue (self, cmd_new (task, line, user_cb));
}

/* APOP. */

static void
apop_cb (MwPop3Client *self,
         Cmd          *cmd,
         const GError *error)
{
  if (op_is_returned (cmd->task))
    return;
  if (error != NULL)
    {
      op_return_error (cmd->task, g_error_copy (error));
      return;
    }
  if (!cmd->ok)
    {
      connect_fail_quit (cmd->task, reply_error (self, _ ("Login"), cmd->status, TRUE));
      return;
    }
  logged_in (cmd->task, "APOP");
}

static void
login_apop (GTask *task)
{
  Op              *op = g_task_get_task_data (task);
  MwPop3Client    *self = op->self;
  g_autofree char *digest = mw_apop_digest (self->apop_timestamp, self->password);
  g_autofree char *line = g_strconcat ("APOP ", self->user, " ", digest, NULL);
  Cmd             *cmd = cmd_new (task, line, apop_cb);

  /* The digest proves knowledge of the password to whoever reads it
   * along with the greeting: it is not shown either. */
  cmd->display = g_strconcat ("APOP ", self->user, " " SECRET_DISPLAY, NULL);
  cmd->secret = TRUE;
  explicit_bzero (line, strlen (line));
  explicit_bzero (digest, strlen (digest));
  enqueue (self, cmd);
}

/* SASL (RFC 5034). */

static void auth_cb (MwPop3Client *self,
                     Cmd          *cmd,
                     const GError *error);

static void
send_auth_response (MwPop3Client *self,
                    GTask        *task,
                    GBytes       *response)
{
  g_autofree char *line = NULL;
  Cmd             *cmd;

  line = g_bytes_get_size (response) > 0 ? mw_sasl_encode_base64 (response) : g_strdup ("");
  cmd = cmd_new (task, line, auth_cb);
  explicit_bzero (line, strlen (line));
  cmd->display = g_strdup (SECRET_DISPLAY);
  cmd->secret = TRUE;
  cmd->continuation = TRUE;
  cmd->barrier = TRUE;
  enqueue (self, cmd);
}

static void
auth_cancel_cb (MwPop3Client *self,
                Cmd          *cmd,
                const GError *error)
{
  GError *sasl_error = g_object_steal_data (G_OBJECT (cmd->task), "mw-sasl-error");

  if (error != NULL)
    {
      g_clear_error (&sasl_error);
      op_return_error (cmd->task, g_error_copy (error));
      return;
    }
  if (cmd->challenge)
    {
      g_clear_error (&sasl_error);
      connect_fail (cmd->task, protocol_error (self, _ ("a challenge after the login was cancelled"), cmd->status));
      return;
    }
  connect_fail_quit (cmd->task, sasl_error);
}

static void
auth_cb (MwPop3Client *self,
         Cmd          *cmd,
         const GError *error)
{
  GTask *task = cmd->task;
  Op    *op;
  g_autoptr (GBytes) challenge = NULL;
  g_autoptr (GBytes) response = NULL;
  g_autoptr (GError) local_error = NULL;
  const char *text;

  if (op_is_returned (task))
    return;
  if (error != NULL)
    {
      op_return_error (task, g_error_copy (error));
      return;
    }

  op = g_task_get_task_data (task);

  if (!cmd->challenge && !cmd->ok)
    {
      GError     *reply = reply_error (self, _ ("Login"), cmd->status, TRUE);
      const char *message = mw_sasl_get_server_message (op->sasl);

      if (message != NULL)
        g_prefix_error (&reply, "%s: ", message);
      connect_fail_quit (task, reply);
      return;
    }

  if (cmd->ok)
    {
      if (!mw_sasl_is_complete (op->sasl))
        {
          connect_fail (task, g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_AUTH,
                                           _ ("%s accepted the %s login without proving that it knows "
                                              "the password; the session was closed (the server said “%s”)"),
                                           self->host, mw_sasl_get_mechanism (op->sasl), cmd->status));
          return;
        }
      logged_in (task, mw_sasl_get_mechanism (op->sasl));
      return;
    }

  /* An initial response too long for the AUTH line goes here. */
  response = g_object_steal_data (G_OBJECT (task), "mw-initial-response");
  if (response != NULL)
    {
      send_auth_response (self, task, response);
      return;
    }

  /* "+ base64" */
  text = cmd->status + 1;
  while (*text == ' ')
    text++;
  challenge = mw_sasl_decode_base64 (text, strlen (text), &local_error);
  if (challenge != NULL)
    {
      size_t        len;
      const guint8 *data = g_bytes_get_data (challenge, &len);

      mw_sasl_step (op->sasl, data, len, &response, &local_error);
    }

  if (response == NULL)
    {
      Cmd *cancel = cmd_new (task, "*", auth_cancel_cb);

      g_assert (local_error != NULL);
      g_prefix_error (&local_error, _ ("Login with %s on %s failed: "),
                      mw_sasl_get_mechanism (op->sasl), self->host);
      g_object_set_data_full (G_OBJECT (task), "mw-sasl-error",
                              g_steal_pointer (&local_error), (GDestroyNotify) g_error_free);
      cancel->continuation = TRUE;
      cancel->barrier = TRUE;
      enqueue (self, cancel);
      return;
    }

  send_auth_response (self, task, response);
}

static void
login_sasl (GTask      *task,
            const char *mechanism)
{
  Op           *op = g_task_get_task_data (task);
  MwPop3Client *self = op->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) initial = NULL;
  g_autofree char *line = NULL;
  Cmd             *cmd;

  op->sasl = mw_sasl_new (mechanism, self->user,
                          self->token != NULL ? self->token : self->password, &error);
  if (op->sasl == NULL)
    {
      connect_fail_quit (task, g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_NO_MECHANISM,
                                            _ ("Cannot log in to %s with %s: %s"),
                                            self->host, mechanism, error->message));
      return;
    }
  if (self->scram_nonce != NULL)
    mw_sasl_set_client_nonce (op->sasl, self->scram_nonce);

  initial = mw_sasl_get_initial_response (op->sasl);
  if (initial != NULL)
    {
      g_autofree char *encoded = g_bytes_get_size (initial) > 0 ? mw_sasl_encode_base64 (initial) : g_strdup ("=");

      line = g_strconcat ("AUTH ", mechanism, " ", encoded, NULL);
      explicit_bzero (encoded, strlen (encoded));
      if (strlen (line) > MAX_AUTH_LINE)
        {
          /* Too long for one line: the response goes after an empty
           * challenge instead. */
          explicit_bzero (line, strlen (line));
          g_clear_pointer (&line, g_free);
          g_object_set_data_full (G_OBJECT (task), "mw-initial-response",
                                  g_steal_pointer (&initial), (GDestroyNotify) g_bytes_unref);
        }
    }
  if (line == NULL)
    line = g_strconcat ("AUTH ", mechanism, NULL);

  cmd = cmd_new (task, line, auth_cb);
  if (initial != NULL)
    {
      cmd->display = g_strconcat ("AUTH ", mechanism, " " SECRET_DISPLAY, NULL);
      cmd->secret = TRUE;
    }
  explicit_bzero (line, strlen (line));
  cmd->continuation = TRUE;
  cmd->barrier = TRUE;
  enqueue (self, cmd);
}

static gboolean
sasl_offered (MwPop3Client *self,
              const char   *mechanism)
{
  const char *const *offered = mw_pop3_client_get_sasl_mechanisms (self);

  return g_strv_contains (offered, mechanism);
}

static gboolean
is_strong (const char *mechanism)
{
  return mechanism != NULL && !mw_sasl_is_plaintext (mechanism);
}

static void
connect_step_login (GTask *task)
{
  Op                *op = g_task_get_task_data (task);
  MwPop3Client      *self = op->self;
  gboolean           encrypted = mw_connection_is_tls (self->connection);
  gboolean           clear_ok = encrypted || self->allow_plaintext;
  const char *const *offered = mw_pop3_client_get_sasl_mechanisms (self);
  const char        *wanted = self->auth_mechanism;
  const char        *chosen;
  gboolean           user_possible;

  if (self->user == NULL || (self->password == NULL && self->token == NULL))
    {
      connect_fail_quit (task, g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_INVALID_ARGUMENT,
                                            _ ("No user name or password to log in to %s"), self->host));
      return;
    }
  if (!argument_is_clean (self->user) || strchr (self->user, ' ') != NULL ||
      (self->password != NULL && !argument_is_clean (self->password)))
    {
      connect_fail_quit (task, g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_INVALID_ARGUMENT,
                                            _ ("The user name or password holds characters that cannot be sent")));
      return;
    }

  if (wanted != NULL)
    {
      gboolean plaintext = g_str_equal (wanted, "USER") ||
                           (!g_str_equal (wanted, "APOP") && mw_sasl_is_plaintext (wanted));

      if (plaintext && !clear_ok)
        {
          connect_fail_quit (task, g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_PLAINTEXT_REFUSED,
                                                _ ("Logging in to %s with %s would send the password "
                                                   "unencrypted; the account does not allow that"),
                                                self->host, wanted));
          return;
        }
      if (g_str_equal (wanted, "USER"))
        login_user (task);
      else if (g_str_equal (wanted, "APOP"))
        {
          if (self->apop_timestamp == NULL || self->password == NULL)
            connect_fail_quit (task, g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_NO_MECHANISM,
                                                  _ ("%s does not offer APOP (its greeting has no timestamp)"),
                                                  self->host));
          else
            login_apop (task);
        }
      else if (self->capa_known && !sasl_offered (self, wanted))
        connect_fail_quit (task, g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_NO_MECHANISM,
                                              _ ("%s does not offer the %s login"), self->host, wanted));
      else
        login_sasl (task, wanted);
      return;
    }

  if (self->token != NULL)
    {
      chosen = mw_sasl_choose (offered, encrypted, self->allow_plaintext, TRUE);
      if (chosen != NULL)
        {
          login_sasl (task, chosen);
          return;
        }
      if (mw_sasl_choose (offered, TRUE, TRUE, TRUE) != NULL)
        connect_fail_quit (task, g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_PLAINTEXT_REFUSED,
                                              _ ("Logging in to %s would send the access token "
                                                 "unencrypted; the account does not allow that"),
                                              self->host));
      else
        connect_fail_quit (task, g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_NO_MECHANISM,
                                              _ ("%s offers no login that takes an OAuth 2.0 token "
                                                 "(XOAUTH2 or OAUTHBEARER)"),
                                              self->host));
      return;
    }

  /* SCRAM > CRAM-MD5 > APOP > PLAIN > LOGIN > USER/PASS. */
  chosen = mw_sasl_choose (offered, encrypted, self->allow_plaintext, FALSE);
  if (is_strong (chosen))
    {
      login_sasl (task, chosen);
      return;
    }
  if (self->apop_timestamp != NULL)
    {
      login_apop (task);
      return;
    }
  if (chosen != NULL)
    {
      login_sasl (task, chosen);
      return;
    }

  user_possible = !self->capa_known || (self->capabilities & MW_POP3_CAPABILITY_USER) != 0 ||
                  offered[0] == NULL;
  if (user_possible && clear_ok)
    {
      login_user (task);
      return;
    }
  if (user_possible || mw_sasl_choose (offered, TRUE, TRUE, FALSE) != NULL)
    connect_fail_quit (task, g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_PLAINTEXT_REFUSED,
                                          _ ("%s offers only logins that would send the password "
                                             "unencrypted, and the account does not allow that"),
                                          self->host));
  else
    connect_fail_quit (task, g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_NO_MECHANISM,
                                          _ ("%s offers no login method Mailwire supports"),
                                          self->host));
}

/* STLS. */

static void
start_tls_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (op_is_returned (task))
    return;
  if (!mw_connection_start_tls_finish (MW_CONNECTION (object), result, &error))
    {
      if (MW_CONNECTION (object) == op->self->connection)
        connect_fail (task, g_steal_pointer (&error));
      else
        op_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (MW_CONNECTION (object) != op->self->connection)
    {
      op_return_error (task, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                          _ ("The session with %s was closed"), op->self->host));
      return;
    }

  /* What was said in clear cannot be trusted: ask again. */
  forget_capabilities (op->self);
  op->did_stls = TRUE;
  connect_step_capa (task);
}

static void
stls_cb (MwPop3Client *self,
         Cmd          *cmd,
         const GError *error)
{
  if (op_is_returned (cmd->task))
    return;
  if (error != NULL)
    {
      op_return_error (cmd->task, g_error_copy (error));
      return;
    }
  if (!cmd->ok)
    {
      g_autofree char *quoted = quote_line (cmd->status);

      connect_fail (cmd->task, g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_STARTTLS_UNAVAILABLE,
                                            _ ("%s refused to start TLS, so Mailwire did not log in "
                                               "(the server said “%s”)"),
                                            self->host, quoted));
      return;
    }

  mw_connection_start_tls_async (self->connection, NULL, start_tls_cb, g_object_ref (cmd->task));
}

static void
connect_after_capa (GTask *task)
{
  Op           *op = g_task_get_task_data (task);
  MwPop3Client *self = op->self;

  if (self->security == MW_SECURITY_STARTTLS && !op->did_stls)
    {
      Cmd *cmd;

      if (self->capa_known && !(self->capabilities & MW_POP3_CAPABILITY_STLS))
        {
          connect_fail (task, g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_STARTTLS_UNAVAILABLE,
                                           _ ("%s does not offer STLS, so the connection cannot be "
                                              "encrypted; Mailwire did not log in"),
                                           self->host));
          return;
        }
      cmd = cmd_new (task, "STLS", stls_cb);
      cmd->barrier = TRUE;
      enqueue (self, cmd);
      return;
    }

  if (!self->login_on_connect)
    {
      self->state = MW_POP3_STATE_AUTHORIZATION;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
      mw_connection_note (self->connection, MW_TRANSCRIPT_FLAG_NONE, "Connected; not logged in");
      op_return_boolean (task, TRUE);
      return;
    }

  connect_step_login (task);
}

static void
capa_cb (MwPop3Client *self,
         Cmd          *cmd,
         const GError *error)
{
  if (op_is_returned (cmd->task))
    return;
  if (error != NULL)
    {
      op_return_error (cmd->task, g_error_copy (error));
      return;
    }

  if (cmd->ok)
    parse_capa (self, cmd->body);
  else
    default_capabilities (self);

  connect_after_capa (cmd->task);
}

static Cmd *
capa_cmd_new (GTask  *task,
              CmdDone done)
{
  Cmd *cmd = cmd_new (task, "CAPA", done);

  cmd->multiline = TRUE;
  cmd->collect = TRUE;
  cmd->max_bytes = 65536;
  cmd->strict = TRUE;
  cmd->barrier = TRUE;
  return cmd;
}

static void
connect_step_capa (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  enqueue (op->self, capa_cmd_new (task, capa_cb));
}

static void
greeting_cb (MwPop3Client *self,
             Cmd          *cmd,
             const GError *error)
{
  if (op_is_returned (cmd->task))
    return;
  if (error != NULL)
    {
      op_return_error (cmd->task, g_error_copy (error));
      return;
    }
  if (!cmd->ok)
    {
      connect_fail (cmd->task, reply_error (self, _ ("Connecting"), cmd->status, FALSE));
      return;
    }

  g_free (self->greeting);
  self->greeting = g_strdup (cmd->status);
  g_free (self->apop_timestamp);
  self->apop_timestamp = mw_apop_timestamp_from_greeting (cmd->status);
  connect_step_capa (cmd->task);
}

static void
tcp_connect_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Op           *op = g_task_get_task_data (task);
  MwPop3Client *self = op->self;
  g_autoptr (GError) error = NULL;
  Cmd *cmd;

  if (op_is_returned (task))
    return;
  if (!mw_connection_connect_finish (MW_CONNECTION (object), result, &error))
    {
      if (MW_CONNECTION (object) == self->connection)
        connect_fail (task, g_steal_pointer (&error));
      else
        op_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (MW_CONNECTION (object) != self->connection)
    {
      op_return_error (task, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                          _ ("The session with %s was closed"), self->host));
      return;
    }

  cmd = cmd_new (task, NULL, greeting_cb);
  cmd->barrier = TRUE;
  enqueue (self, cmd);
}

void
mw_pop3_client_connect_async (MwPop3Client       *self,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  Op *op;

  g_return_if_fail (MW_IS_POP3_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = op_task_new (self, cancellable, mw_pop3_client_connect_async, callback, user_data, &op);

  if (self->state == MW_POP3_STATE_CONNECTING || self->state == MW_POP3_STATE_TRANSACTION ||
      self->state == MW_POP3_STATE_AUTHORIZATION)
    {
      op_return_error (task, g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_INVALID_ARGUMENT,
                                          _ ("Already connected to %s"), self->host));
      return;
    }

  if (self->connection != NULL)
    {
      /* What is left of an earlier session (a QUIT after a failed login). */
      g_autoptr (GError) closed = g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                               _ ("The session with %s was closed"), self->host);
      fail_all (self, closed);
    }

  forget_capabilities (self);
  g_clear_pointer (&self->certificate_info, mw_certificate_info_unref);
  g_clear_pointer (&self->greeting, g_free);
  g_clear_pointer (&self->apop_timestamp, g_free);
  g_clear_pointer (&self->mechanism_used, g_free);
  g_clear_pointer (&self->console_mechanism, g_free);
  self->deletions = 0;

  self->connection = mw_connection_new (self->host, self->port, self->transcript);
  mw_connection_set_timeout (self->connection, self->timeout);
  if (self->server_identity != NULL)
    mw_connection_set_server_identity (self->connection, self->server_identity);
  if (self->pinned_fingerprint != NULL)
    mw_connection_set_pinned_fingerprint (self->connection, self->pinned_fingerprint);
  if (self->ca_file != NULL && !mw_connection_set_ca_file (self->connection, self->ca_file, &error))
    {
      g_clear_object (&self->connection);
      op_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->progress_handler = g_signal_connect (self->connection, "body-progress",
                                             G_CALLBACK (body_progress_cb), self);

  self->state = MW_POP3_STATE_CONNECTING;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);

  mw_connection_connect_async (self->connection, self->security == MW_SECURITY_TLS, NULL,
                               tcp_connect_cb, g_steal_pointer (&task));
}

gboolean
mw_pop3_client_connect_finish (MwPop3Client *self,
                               GAsyncResult *result,
                               GError      **error)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
mw_pop3_client_login_async (MwPop3Client       *self,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (MW_IS_POP3_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = op_task_new (self, cancellable, mw_pop3_client_login_async, callback, user_data, NULL);
  if (self->connection == NULL || self->state != MW_POP3_STATE_AUTHORIZATION || self->sasl_response)
    {
      op_return_error (task, g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_NOT_CONNECTED,
                                          _ ("Cannot log in to %s: the session is not waiting for a login"),
                                          self->host));
      return;
    }

  self->state = MW_POP3_STATE_CONNECTING;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  /* The commands it queues hold the task. */
  connect_step_login (task);
}

gboolean
mw_pop3_client_login_finish (MwPop3Client *self,
                             GAsyncResult *result,
                             GError      **error)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
capa_again_cb (MwPop3Client *self,
               Cmd          *cmd,
               const GError *error)
{
  if (op_is_returned (cmd->task))
    return;
  if (error != NULL)
    {
      op_return_error (cmd->task, g_error_copy (error));
      return;
    }

  if (cmd->ok)
    parse_capa (self, cmd->body);
  else
    default_capabilities (self);
  op_return_boolean (cmd->task, TRUE);
}

void
mw_pop3_client_capa_async (MwPop3Client       *self,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (MW_IS_POP3_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = op_task_new (self, cancellable, mw_pop3_client_capa_async, callback, user_data, NULL);
  if (self->connection == NULL || self->sasl_response ||
      (self->state != MW_POP3_STATE_AUTHORIZATION && self->state != MW_POP3_STATE_TRANSACTION))
    {
      op_return_error (task, not_connected_error (self));
      return;
    }
  enqueue (self, capa_cmd_new (task, capa_again_cb));
}

gboolean
mw_pop3_client_capa_finish (MwPop3Client *self,
                            GAsyncResult *result,
                            GError      **error)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Simple commands. */

/* The common start of a command in the TRANSACTION state. */
static Cmd *
transaction_cmd (MwPop3Client *self,
                 GTask        *task,
                 const char   *line,
                 CmdDone       done)
{
  if (!check_transaction (self, task))
    return NULL;
  return cmd_new (task, line, done);
}

/* The verb of a command line, for error messages. */
static char *
command_name (const char *line)
{
  size_t len = strcspn (line, " ");

  return g_strndup (line, len);
}

/* Common checks of a reply; FALSE if the task was answered. */
static gboolean
reply_ok (MwPop3Client *self,
          Cmd          *cmd,
          const GError *error)
{
  if (op_is_returned (cmd->task))
    return FALSE;
  if (error != NULL)
    {
      op_return_error (cmd->task, g_error_copy (error));
      return FALSE;
    }
  if (!cmd->ok)
    {
      g_autofree char *name = command_name (cmd->line);

      op_return_error (cmd->task, reply_error (self, name, cmd->status, FALSE));
      return FALSE;
    }
  return TRUE;
}

static void
stat_cb (MwPop3Client *self,
         Cmd          *cmd,
         const GError *error)
{
  Op         *op;
  const char *text;
  guint64     count;
  const char *space;

  if (!reply_ok (self, cmd, error))
    return;

  op = g_task_get_task_data (cmd->task);
  text = status_text (cmd->status);
  space = strchr (text, ' ');
  if (space == NULL ||
      !parse_number (text, space - text, MW_POP3_MAX_MESSAGES, &count) ||
      !parse_number (space + 1, strcspn (space + 1, " "), G_MAXUINT64, &op->size))
    {
      op_return_error (cmd->task, protocol_error (self, _ ("a malformed STAT reply"), cmd->status));
      return;
    }
  op->count = (guint) count;
  op_return_boolean (cmd->task, TRUE);
}

void
mw_pop3_client_stat_async (MwPop3Client       *self,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  Cmd *cmd;

  g_return_if_fail (MW_IS_POP3_CLIENT (self));

  task = op_task_new (self, cancellable, mw_pop3_client_stat_async, callback, user_data, NULL);
  if ((cmd = transaction_cmd (self, task, "STAT", stat_cb)) != NULL)
    enqueue (self, cmd);
}

gboolean
mw_pop3_client_stat_finish (MwPop3Client *self,
                            GAsyncResult *result,
                            guint        *out_count,
                            guint64      *out_size,
                            GError      **error)
{
  Op *op;

  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  op = g_task_get_task_data (G_TASK (result));
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (out_count != NULL)
    *out_count = op->count;
  if (out_size != NULL)
    *out_size = op->size;
  return TRUE;
}

static Cmd *
listing_cmd (MwPop3Client *self,
             GTask        *task,
             const char   *line,
             CmdDone       done)
{
  Cmd *cmd = transaction_cmd (self, task, line, done);

  if (cmd != NULL)
    {
      cmd->multiline = TRUE;
      cmd->collect = TRUE;
      cmd->max_bytes = MW_POP3_MAX_LISTING;
      cmd->strict = TRUE;
    }
  return cmd;
}

static void
list_cb (MwPop3Client *self,
         Cmd          *cmd,
         const GError *error)
{
  g_autoptr (GError) local_error = NULL;
  GArray *entries;

  if (!reply_ok (self, cmd, error))
    return;

  entries = parse_list (self, cmd, &local_error);
  if (entries == NULL)
    op_return_error (cmd->task, g_steal_pointer (&local_error));
  else
    op_return_pointer (cmd->task, entries, (GDestroyNotify) g_array_unref);
}

void
mw_pop3_client_list_async (MwPop3Client       *self,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  Cmd *cmd;

  g_return_if_fail (MW_IS_POP3_CLIENT (self));

  task = op_task_new (self, cancellable, mw_pop3_client_list_async, callback, user_data, NULL);
  if ((cmd = listing_cmd (self, task, "LIST", list_cb)) != NULL)
    enqueue (self, cmd);
}

/**
 * mw_pop3_client_list_finish:
 *
 * Returns: (transfer full) (element-type MwPop3ListEntry): the scan listing
 */
GArray *
mw_pop3_client_list_finish (MwPop3Client *self,
                            GAsyncResult *result,
                            GError      **error)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* "+OK n rest" for a one-message LIST or UIDL. */
static const char *
single_listing (MwPop3Client *self,
                Cmd          *cmd,
                const char   *what)
{
  Op         *op = g_task_get_task_data (cmd->task);
  const char *text = status_text (cmd->status);
  const char *space = strchr (text, ' ');
  guint       number;

  if (space == NULL || !parse_message_number (text, space - text, &number) || number != op->number)
    {
      op_return_error (cmd->task, protocol_error (self, what, cmd->status));
      return NULL;
    }
  return space + 1;
}

static void
list_one_cb (MwPop3Client *self,
             Cmd          *cmd,
             const GError *error)
{
  Op         *op;
  const char *rest;

  if (!reply_ok (self, cmd, error))
    return;

  op = g_task_get_task_data (cmd->task);
  rest = single_listing (self, cmd, _ ("a malformed LIST reply"));
  if (rest == NULL)
    return;
  if (!parse_number (rest, strcspn (rest, " "), G_MAXUINT64, &op->size))
    {
      op_return_error (cmd->task, protocol_error (self, _ ("a malformed LIST reply"), cmd->status));
      return;
    }
  remember_size (self, op->number, op->size);
  op_return_boolean (cmd->task, TRUE);
}

static gboolean
check_number (MwPop3Client *self,
              GTask        *task,
              guint         number)
{
  if (number >= 1 && number <= MW_POP3_MAX_MESSAGES)
    return TRUE;
  op_return_error (task, g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_INVALID_ARGUMENT,
                                      _ ("There is no message number %u"), number));
  return FALSE;
}

void
mw_pop3_client_list_one_async (MwPop3Client       *self,
                               guint               number,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *line = NULL;
  Op              *op;
  Cmd             *cmd;

  g_return_if_fail (MW_IS_POP3_CLIENT (self));

  task = op_task_new (self, cancellable, mw_pop3_client_list_one_async, callback, user_data, &op);
  op->number = number;
  if (!check_number (self, task, number))
    return;
  line = g_strdup_printf ("LIST %u", number);
  if ((cmd = transaction_cmd (self, task, line, list_one_cb)) != NULL)
    enqueue (self, cmd);
}

gboolean
mw_pop3_client_list_one_finish (MwPop3Client *self,
                                GAsyncResult *result,
                                guint64      *out_size,
                                GError      **error)
{
  Op *op;

  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  op = g_task_get_task_data (G_TASK (result));
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (out_size != NULL)
    *out_size = op->size;
  return TRUE;
}

static void
uidl_cb (MwPop3Client *self,
         Cmd          *cmd,
         const GError *error)
{
  g_autoptr (GError) local_error = NULL;
  GArray *entries;

  if (!reply_ok (self, cmd, error))
    return;

  entries = parse_uidl (self, cmd, &local_error);
  if (entries == NULL)
    op_return_error (cmd->task, g_steal_pointer (&local_error));
  else
    op_return_pointer (cmd->task, entries, (GDestroyNotify) g_array_unref);
}

void
mw_pop3_client_uidl_async (MwPop3Client       *self,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  Cmd *cmd;

  g_return_if_fail (MW_IS_POP3_CLIENT (self));

  task = op_task_new (self, cancellable, mw_pop3_client_uidl_async, callback, user_data, NULL);
  if ((cmd = listing_cmd (self, task, "UIDL", uidl_cb)) != NULL)
    enqueue (self, cmd);
}

/**
 * mw_pop3_client_uidl_finish:
 *
 * Returns: (transfer full) (element-type MwPop3UidEntry): the unique IDs
 */
GArray *
mw_pop3_client_uidl_finish (MwPop3Client *self,
                            GAsyncResult *result,
                            GError      **error)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
uidl_one_cb (MwPop3Client *self,
             Cmd          *cmd,
             const GError *error)
{
  g_autofree char *listing = NULL;
  const char      *rest;
  const char      *uid;
  guint            number;

  if (!reply_ok (self, cmd, error))
    return;

  rest = single_listing (self, cmd, _ ("a malformed UIDL reply"));
  if (rest == NULL)
    return;
  listing = g_strconcat ("1 ", rest, NULL);
  if (!parse_unique_id_listing (listing, &number, &uid))
    {
      op_return_error (cmd->task, protocol_error (self, _ ("a malformed UIDL reply"), cmd->status));
      return;
    }
  op_return_pointer (cmd->task, g_strdup (uid), g_free);
}

void
mw_pop3_client_uidl_one_async (MwPop3Client       *self,
                               guint               number,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *line = NULL;
  Op              *op;
  Cmd             *cmd;

  g_return_if_fail (MW_IS_POP3_CLIENT (self));

  task = op_task_new (self, cancellable, mw_pop3_client_uidl_one_async, callback, user_data, &op);
  op->number = number;
  if (!check_number (self, task, number))
    return;
  line = g_strdup_printf ("UIDL %u", number);
  if ((cmd = transaction_cmd (self, task, line, uidl_one_cb)) != NULL)
    enqueue (self, cmd);
}

/**
 * mw_pop3_client_uidl_one_finish:
 *
 * Returns: (transfer full): the message's unique ID
 */
char *
mw_pop3_client_uidl_one_finish (MwPop3Client *self,
                                GAsyncResult *result,
                                GError      **error)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* TOP and RETR. */

/**
 * mw_pop3_client_set_message_size:
 * @number: a message number of this session
 * @size: the size it was listed with
 *
 * Bounds RETR and TOP of @number as a LIST in this session would, for a
 * caller that listed the message in an earlier session and made sure
 * (by UID) it is the same one.
 */
void
mw_pop3_client_set_message_size (MwPop3Client *self,
                                 guint         number,
                                 guint64       size)
{
  g_return_if_fail (MW_IS_POP3_CLIENT (self));
  g_return_if_fail (number > 0);

  remember_size (self, number, size);
}

gboolean
mw_pop3_client_get_body_size_limit (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), TRUE);

  return !self->no_body_limit;
}

/**
 * mw_pop3_client_set_body_size_limit:
 * @limit: whether RETR and TOP bodies are bounded (the default)
 *
 * Without the bound, a body is read until it ends, however much longer
 * than announced: only the timeout or a cancel stop an endless one. For
 * rescuing a message whose size the server announces wrongly.
 */
void
mw_pop3_client_set_body_size_limit (MwPop3Client *self,
                                    gboolean      limit)
{
  g_return_if_fail (MW_IS_POP3_CLIENT (self));

  self->no_body_limit = !limit;
}

void
mw_pop3_client_set_unlisted_body_limit (MwPop3Client *self,
                                        guint64       limit)
{
  g_return_if_fail (MW_IS_POP3_CLIENT (self));

  self->unlisted_limit = limit;
}

static void
body_cmd_cb (MwPop3Client *self,
             Cmd          *cmd,
             const GError *error)
{
  Op *op;

  if (op_is_returned (cmd->task))
    return;
  if (error != NULL)
    {
      GError *copy = g_error_copy (error);
      char   *name = command_name (cmd->line);

      /* A message cut short is no message: say so plainly. */
      if (cmd->status != NULL && cmd->ok)
        g_prefix_error (&copy, _ ("%s %u was cut short: "), name, cmd->number);
      g_free (name);
      op_return_error (cmd->task, copy);
      return;
    }
  if (!reply_ok (self, cmd, NULL))
    return;

  op = g_task_get_task_data (cmd->task);
  op->size = cmd->stats.bytes;
  g_object_set_data_full (G_OBJECT (cmd->task), "mw-body-stats",
                          g_memdup2 (&cmd->stats, sizeof cmd->stats), g_free);
  op_return_boolean (cmd->task, TRUE);
}

static void
body_command (MwPop3Client  *self,
              GTask         *task,
              const char    *line,
              guint          number,
              gboolean       headers_only,
              GOutputStream *sink,
              gboolean       progress)
{
  Cmd *cmd;

  if (!check_number (self, task, number))
    return;
  if ((cmd = transaction_cmd (self, task, line, body_cmd_cb)) == NULL)
    return;

  cmd->multiline = TRUE;
  cmd->number = number;
  cmd->sized = TRUE;
  cmd->headers_only = headers_only;
  cmd->progress = progress;
  if (sink != NULL)
    cmd->sink = g_object_ref (sink);
  enqueue (self, cmd);
}

static gboolean
body_finish (MwPop3Client *self,
             GAsyncResult *result,
             MwBodyStats  *out_stats,
             GError      **error)
{
  MwBodyStats *stats;

  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  stats = g_object_get_data (G_OBJECT (result), "mw-body-stats");
  if (out_stats != NULL && stats != NULL)
    *out_stats = *stats;
  return TRUE;
}

void
mw_pop3_client_top_async (MwPop3Client       *self,
                          guint               number,
                          guint               lines,
                          GOutputStream      *sink,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *line = NULL;

  g_return_if_fail (MW_IS_POP3_CLIENT (self));
  g_return_if_fail (sink == NULL || G_IS_OUTPUT_STREAM (sink));

  task = op_task_new (self, cancellable, mw_pop3_client_top_async, callback, user_data, NULL);
  line = g_strdup_printf ("TOP %u %u", number, lines);
  body_command (self, task, line, number, lines == 0, sink, FALSE);
}

gboolean
mw_pop3_client_top_finish (MwPop3Client *self,
                           GAsyncResult *result,
                           MwBodyStats  *out_stats,
                           GError      **error)
{
  return body_finish (self, result, out_stats, error);
}

void
mw_pop3_client_retr_async (MwPop3Client       *self,
                           guint               number,
                           GOutputStream      *sink,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *line = NULL;

  g_return_if_fail (MW_IS_POP3_CLIENT (self));
  g_return_if_fail (G_IS_OUTPUT_STREAM (sink));

  task = op_task_new (self, cancellable, mw_pop3_client_retr_async, callback, user_data, NULL);
  line = g_strdup_printf ("RETR %u", number);
  body_command (self, task, line, number, FALSE, sink, TRUE);
}

gboolean
mw_pop3_client_retr_finish (MwPop3Client *self,
                            GAsyncResult *result,
                            MwBodyStats  *out_stats,
                            GError      **error)
{
  return body_finish (self, result, out_stats, error);
}

/* DELE, RSET, NOOP, LAST. */

static void
simple_cb (MwPop3Client *self,
           Cmd          *cmd,
           const GError *error)
{
  if (!reply_ok (self, cmd, error))
    return;

  if (g_str_has_prefix (cmd->line, "DELE "))
    self->deletions++;
  else if (g_str_equal (cmd->line, "RSET"))
    self->deletions = 0;
  op_return_boolean (cmd->task, TRUE);
}

static void
simple_command (MwPop3Client *self,
                GTask        *task,
                const char   *line)
{
  Cmd *cmd = transaction_cmd (self, task, line, simple_cb);

  if (cmd != NULL)
    enqueue (self, cmd);
}

void
mw_pop3_client_dele_async (MwPop3Client       *self,
                           guint               number,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *line = NULL;

  g_return_if_fail (MW_IS_POP3_CLIENT (self));

  task = op_task_new (self, cancellable, mw_pop3_client_dele_async, callback, user_data, NULL);
  if (!check_number (self, task, number))
    return;
  line = g_strdup_printf ("DELE %u", number);
  simple_command (self, task, line);
}

gboolean
mw_pop3_client_dele_finish (MwPop3Client *self,
                            GAsyncResult *result,
                            GError      **error)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
mw_pop3_client_rset_async (MwPop3Client       *self,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (MW_IS_POP3_CLIENT (self));

  task = op_task_new (self, cancellable, mw_pop3_client_rset_async, callback, user_data, NULL);
  simple_command (self, task, "RSET");
}

gboolean
mw_pop3_client_rset_finish (MwPop3Client *self,
                            GAsyncResult *result,
                            GError      **error)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
mw_pop3_client_noop_async (MwPop3Client       *self,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (MW_IS_POP3_CLIENT (self));

  task = op_task_new (self, cancellable, mw_pop3_client_noop_async, callback, user_data, NULL);
  simple_command (self, task, "NOOP");
}

gboolean
mw_pop3_client_noop_finish (MwPop3Client *self,
                            GAsyncResult *result,
                            GError      **error)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
last_cb (MwPop3Client *self,
         Cmd          *cmd,
         const GError *error)
{
  Op         *op;
  const char *text;
  guint64     last;

  if (!reply_ok (self, cmd, error))
    return;

  op = g_task_get_task_data (cmd->task);
  text = status_text (cmd->status);
  if (!parse_number (text, strcspn (text, " "), MW_POP3_MAX_MESSAGES, &last))
    {
      op_return_error (cmd->task, protocol_error (self, _ ("a malformed LAST reply"), cmd->status));
      return;
    }
  op->number = (guint) last;
  op_return_boolean (cmd->task, TRUE);
}

void
mw_pop3_client_last_async (MwPop3Client       *self,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  Cmd *cmd;

  g_return_if_fail (MW_IS_POP3_CLIENT (self));

  task = op_task_new (self, cancellable, mw_pop3_client_last_async, callback, user_data, NULL);
  if ((cmd = transaction_cmd (self, task, "LAST", last_cb)) != NULL)
    enqueue (self, cmd);
}

gboolean
mw_pop3_client_last_finish (MwPop3Client *self,
                            GAsyncResult *result,
                            guint        *out_last,
                            GError      **error)
{
  Op *op;

  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  op = g_task_get_task_data (G_TASK (result));
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (out_last != NULL)
    *out_last = op->number;
  return TRUE;
}

/* QUIT. */

static void
quit_cb (MwPop3Client *self,
         Cmd          *cmd,
         const GError *error)
{
  Op *op = g_task_get_task_data (cmd->task);
  g_autoptr (GTask) task = g_object_ref (cmd->task);

  if (op_is_returned (task))
    return;

  if (error != NULL)
    {
      GError *copy = g_error_copy (error);

      if (self->deletions > 0)
        g_prefix_error (&copy, _ ("No reply to QUIT, so nothing was deleted: "));
      op_return_error (task, copy);
      return;
    }

  op->committed = cmd->ok;
  if (!cmd->ok)
    {
      g_autoptr (GError) closed = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, "QUIT");

      op_return_error (task, reply_error (self, "QUIT", cmd->status, FALSE));
      fail_all (self, closed);
      return;
    }

  if (self->connection != NULL)
    {
      keep_certificate_info (self);
      if (self->progress_handler != 0)
        g_signal_handler_disconnect (self->connection, self->progress_handler);
      self->progress_handler = 0;
      mw_connection_close (self->connection);
      g_clear_object (&self->connection);
    }
  self->reading = self->writing = FALSE;
  self->deletions = 0;
  self->state = MW_POP3_STATE_CLOSED;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  op_return_boolean (task, TRUE);
}

void
mw_pop3_client_quit_async (MwPop3Client       *self,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (MW_IS_POP3_CLIENT (self));

  task = op_task_new (self, cancellable, mw_pop3_client_quit_async, callback, user_data, NULL);
  if (self->connection == NULL || self->state == MW_POP3_STATE_CONNECTING)
    {
      op_return_error (task, not_connected_error (self));
      return;
    }
  enqueue (self, cmd_new (task, "QUIT", quit_cb));
}

gboolean
mw_pop3_client_quit_finish (MwPop3Client *self,
                            GAsyncResult *result,
                            gboolean     *out_committed,
                            GError      **error)
{
  Op *op;

  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  op = g_task_get_task_data (G_TASK (result));
  if (out_committed != NULL)
    *out_committed = op->committed;
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
mw_pop3_client_close (MwPop3Client *self)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (MW_IS_POP3_CLIENT (self));

  error = g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                       _ ("The session with %s was closed"), self->host);
  fail_all (self, error);
}

/* The console. */

static gboolean
is_multiline_command (const char *verb,
                      gboolean    has_argument)
{
  if (g_str_equal (verb, "CAPA") || g_str_equal (verb, "TOP") || g_str_equal (verb, "RETR"))
    return TRUE;
  if ((g_str_equal (verb, "LIST") || g_str_equal (verb, "UIDL")) && !has_argument)
    return TRUE;
  return FALSE;
}

/* A login typed by hand changes the session's state from its reply. */
static void
console_login_result (MwPop3Client *self,
                      Cmd          *cmd)
{
  const char *mechanism = NULL;

  if (cmd->verb == NULL)
    return;

  if (g_str_equal (cmd->verb, "AUTH"))
    {
      self->sasl_response = cmd->challenge;
      if (cmd->ok)
        mechanism = self->console_mechanism;
    }
  else if (cmd->ok && g_str_equal (cmd->verb, "PASS"))
    mechanism = "USER";
  else if (cmd->ok && g_str_equal (cmd->verb, "APOP"))
    mechanism = "APOP";
  else if (cmd->ok && g_str_equal (cmd->verb, "DELE") && self->state == MW_POP3_STATE_TRANSACTION)
    self->deletions++;
  else if (cmd->ok && g_str_equal (cmd->verb, "RSET"))
    self->deletions = 0;

  if (mechanism == NULL || self->state != MW_POP3_STATE_AUTHORIZATION)
    return;

  g_free (self->mechanism_used);
  self->mechanism_used = g_strdup (mechanism);
  self->state = MW_POP3_STATE_TRANSACTION;
  self->deletions = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  mw_connection_note (self->connection, MW_TRANSCRIPT_FLAG_NONE, "Logged in with %s (typed)", mechanism);
}

static void
command_cb (MwPop3Client *self,
            Cmd          *cmd,
            const GError *error)
{
  g_autoptr (GTask) task = NULL;
  MwPop3Reply *reply;

  if (op_is_returned (cmd->task))
    return;
  if (error != NULL)
    {
      op_return_error (cmd->task, g_error_copy (error));
      return;
    }

  task = g_object_ref (cmd->task);
  reply = g_new0 (MwPop3Reply, 1);
  reply->ok = cmd->ok;
  reply->challenge = cmd->challenge;
  reply->status = g_strdup (cmd->status);
  if (cmd->body != NULL)
    reply->lines = body_lines (cmd->body);
  else
    reply->lines = g_new0 (char *, 1);
  reply->truncated = cmd->stats.bytes > cmd->max_bytes && cmd->max_bytes > 0;

  console_login_result (self, cmd);

  if (cmd->ok && g_strcmp0 (cmd->verb, "QUIT") == 0)
    {
      g_autoptr (GError) closed = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, "QUIT");

      self->state = MW_POP3_STATE_CLOSED;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
      op_return_pointer (task, reply, (GDestroyNotify) mw_pop3_reply_free);
      fail_all (self, closed);
      return;
    }

  op_return_pointer (task, reply, (GDestroyNotify) mw_pop3_reply_free);
}

static GError *
console_plaintext_error (MwPop3Client *self,
                         const char   *what)
{
  return g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_PLAINTEXT_REFUSED,
                      _ ("%s was not sent: it would send the password to %s unencrypted, and "
                         "the account does not allow that"),
                      what, self->host);
}

void
mw_pop3_client_command_async (MwPop3Client       *self,
                              const char         *line,
                              gboolean            multiline_hint,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *verb = NULL;
  const char      *args;
  gboolean         clear_ok;
  Cmd             *cmd;

  g_return_if_fail (MW_IS_POP3_CLIENT (self));
  g_return_if_fail (line != NULL);

  task = op_task_new (self, cancellable, mw_pop3_client_command_async, callback, user_data, NULL);

  if (!argument_is_clean (line) || strlen (line) > 1000 || (*line == '\0' && !self->sasl_response))
    {
      op_return_error (task, g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_INVALID_ARGUMENT,
                                          _ ("A command is one line of at most 1000 characters")));
      return;
    }
  if (self->connection == NULL || self->state == MW_POP3_STATE_CONNECTING)
    {
      op_return_error (task, not_connected_error (self));
      return;
    }
  clear_ok = mw_connection_is_tls (self->connection) || self->allow_plaintext;

  if (self->sasl_response)
    {
      /* The answer to a SASL challenge: a secret whatever it says. */
      self->sasl_response = FALSE;
      cmd = cmd_new (task, line, command_cb);
      cmd->verb = g_strdup ("AUTH");
      cmd->display = g_strdup (g_str_equal (line, "*") ? "*" : SECRET_DISPLAY);
      cmd->secret = TRUE;
      cmd->continuation = TRUE;
      cmd->barrier = TRUE;
      enqueue (self, cmd);
      return;
    }

  verb = command_name (line);
  {
    char *upper = g_ascii_strup (verb, -1);

    g_free (verb);
    verb = upper;
  }
  args = line + strlen (verb);
  while (*args == ' ')
    args++;

  if (g_str_equal (verb, "STLS"))
    {
      op_return_error (task, g_error_new (MW_POP3_ERROR, MW_POP3_ERROR_INVALID_ARGUMENT,
                                          _ ("%s is not available in the console: set the account's "
                                             "security instead"),
                                          verb));
      return;
    }

  cmd = cmd_new (task, line, command_cb);
  cmd->verb = g_strdup (verb);
  if (g_str_equal (verb, "PASS"))
    {
      if (!clear_ok)
        {
          cmd_free (cmd);
          op_return_error (task, console_plaintext_error (self, "PASS"));
          return;
        }
      cmd->display = g_strdup ("PASS " SECRET_DISPLAY);
      cmd->secret = TRUE;
    }
  else if (g_str_equal (verb, "APOP"))
    {
      g_autofree char *user = g_strndup (args, strcspn (args, " "));

      cmd->display = g_strconcat ("APOP ", user, " " SECRET_DISPLAY, NULL);
      cmd->secret = TRUE;
    }
  else if (g_str_equal (verb, "AUTH") && *args != '\0')
    {
      g_autofree char *mechanism = g_ascii_strup (args, strcspn (args, " "));
      const char      *initial = args + strlen (mechanism);

      if (!clear_ok && mw_sasl_is_plaintext (mechanism))
        {
          g_autofree char *what = g_strconcat ("AUTH ", mechanism, NULL);

          cmd_free (cmd);
          op_return_error (task, console_plaintext_error (self, what));
          return;
        }
      while (*initial == ' ')
        initial++;
      if (*initial != '\0')
        {
          cmd->display = g_strconcat ("AUTH ", mechanism, " " SECRET_DISPLAY, NULL);
          cmd->secret = TRUE;
        }
      g_free (self->console_mechanism);
      self->console_mechanism = g_steal_pointer (&mechanism);
      cmd->continuation = TRUE;
    }
  cmd->multiline = multiline_hint || is_multiline_command (verb, *args != '\0');
  cmd->collect = cmd->multiline;
  if (g_str_equal (verb, "RETR") || g_str_equal (verb, "TOP"))
    {
      size_t len = strcspn (args, " ");

      if (parse_message_number (args, len, &cmd->number))
        {
          const char *lines = args + len;

          while (*lines == ' ')
            lines++;
          cmd->sized = TRUE;
          cmd->headers_only = g_str_equal (verb, "TOP") && g_str_equal (lines, "0");
        }
    }
  cmd->max_bytes = MW_POP3_MAX_REPLY_BODY;
  /* A person's command waits for everything before it. */
  cmd->barrier = TRUE;
  enqueue (self, cmd);
}

/**
 * mw_pop3_client_command_finish:
 *
 * Returns: (transfer full): the reply, +OK or -ERR alike
 */
MwPop3Reply *
mw_pop3_client_command_finish (MwPop3Client *self,
                               GAsyncResult *result,
                               GError      **error)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
mw_pop3_client_get_expects_sasl_response (MwPop3Client *self)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), FALSE);
  return self->sasl_response;
}

/* Previews. */

static void
previews_emit (MwPop3Client     *self,
               Op               *op,
               MwMessageSummary *summary)
{
  op->done++;
  g_signal_emit (self, signals[SIGNAL_SUMMARY], 0, summary);
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, op->done, op->summaries->len);
}

static void
previews_maybe_finish (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  if (!op->list_done || !op->uidl_done || op->waiting > 0)
    return;

  op_return_pointer (task, g_ptr_array_ref (op->summaries), (GDestroyNotify) g_ptr_array_unref);
}

static void
previews_top_cb (MwPop3Client *self,
                 Cmd          *cmd,
                 const GError *error)
{
  g_autoptr (GTask) task = NULL;
  Op               *op;
  MwMessageSummary *summary;

  if (op_is_returned (cmd->task))
    return;
  if (error != NULL)
    {
      op_return_error (cmd->task, g_error_copy (error));
      return;
    }

  task = g_object_ref (cmd->task);
  op = g_task_get_task_data (task);
  summary = g_hash_table_lookup (op->by_number, GUINT_TO_POINTER (cmd->number));
  g_assert (summary != NULL);
  op->waiting--;

  if (!cmd->ok)
    mw_message_summary_add_flags (summary, MW_MESSAGE_FLAG_NO_HEADERS);
  else
    {
      size_t      len;
      const char *data = g_bytes_get_data (cmd->body, &len);

      mw_message_summary_set_headers (summary, data, len);
      if (cmd->stats.bytes > MW_POP3_MAX_TOP_HEADERS)
        {
          mw_message_summary_add_flags (summary, MW_MESSAGE_FLAG_MALFORMED_HEADERS);
          mw_connection_note (self->connection, MW_TRANSCRIPT_FLAG_ERROR,
                              "%s: more than %u bytes of headers (%" G_GUINT64_FORMAT "); "
                              "only the first %u were read",
                              cmd->line, MW_POP3_MAX_TOP_HEADERS, cmd->stats.bytes,
                              MW_POP3_MAX_TOP_HEADERS);
        }
    }

  previews_emit (self, op, summary);
  previews_maybe_finish (task);
}

static void
previews_send_tops (MwPop3Client *self,
                    GTask        *task)
{
  Op *op = g_task_get_task_data (task);

  for (guint i = 0; i < op->summaries->len; i++)
    {
      MwMessageSummary *summary = g_ptr_array_index (op->summaries, i);
      guint             number = mw_message_summary_get_number (summary);
      g_autofree char  *line = NULL;
      Cmd              *cmd;

      if (!op->want_top)
        {
          mw_message_summary_add_flags (summary, MW_MESSAGE_FLAG_NO_HEADERS);
          continue;
        }

      line = g_strdup_printf ("TOP %u 0", number);
      cmd = cmd_new (task, line, previews_top_cb);
      cmd->multiline = TRUE;
      cmd->collect = TRUE;
      cmd->max_bytes = MW_POP3_MAX_TOP_HEADERS;
      cmd->number = number;
      cmd->sized = TRUE;
      cmd->headers_only = TRUE;
      op->waiting++;
      g_queue_push_tail (&self->pending, cmd);
    }
  engine_kick (self);
}

/* Without TOP, the rows are complete once the UIDs are in. */
static void
previews_emit_bare (MwPop3Client *self,
                    GTask        *task)
{
  Op *op = g_task_get_task_data (task);

  if (op->want_top || !op->list_done || !op->uidl_done)
    return;
  for (guint i = 0; i < op->summaries->len; i++)
    previews_emit (self, op, g_ptr_array_index (op->summaries, i));
}

static void
previews_stat_cb (MwPop3Client *self,
                  Cmd          *cmd,
                  const GError *error)
{
  Op         *op;
  const char *text;
  guint64     count;

  if (op_is_returned (cmd->task))
    return;
  if (error != NULL)
    {
      op_return_error (cmd->task, g_error_copy (error));
      return;
    }

  op = g_task_get_task_data (cmd->task);
  op->stat_done = TRUE;
  text = status_text (cmd->status);
  if (cmd->ok && parse_number (text, strcspn (text, " "), MW_POP3_MAX_MESSAGES, &count))
    {
      op->stat_ok = TRUE;
      op->stat_count = (guint) count;
    }
}

static void
previews_no_uids (Op *op)
{
  for (guint i = 0; i < op->summaries->len; i++)
    mw_message_summary_add_flags (g_ptr_array_index (op->summaries, i), MW_MESSAGE_FLAG_NO_UID);
}

static void
previews_list_cb (MwPop3Client *self,
                  Cmd          *cmd,
                  const GError *error)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GArray) entries = NULL;
  Op      *op;
  gboolean mismatch;

  if (!reply_ok (self, cmd, error))
    return;

  task = g_object_ref (cmd->task);
  op = g_task_get_task_data (task);
  entries = parse_list (self, cmd, &local_error);
  if (entries == NULL)
    {
      op_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  mismatch = op->stat_ok && op->stat_count != entries->len;
  if (mismatch)
    mw_connection_note (self->connection, MW_TRANSCRIPT_FLAG_ERROR,
                        "STAT counts %u messages but LIST %u; trusting LIST",
                        op->stat_count, entries->len);

  for (guint i = 0; i < entries->len; i++)
    {
      MwPop3ListEntry  *entry = &g_array_index (entries, MwPop3ListEntry, i);
      MwMessageSummary *summary = mw_message_summary_new (entry->number, entry->size);

      if (mismatch)
        mw_message_summary_add_flags (summary, MW_MESSAGE_FLAG_COUNT_MISMATCH);
      g_ptr_array_add (op->summaries, summary);
      g_hash_table_insert (op->by_number, GUINT_TO_POINTER (entry->number), summary);
    }

  op->list_done = TRUE;
  if (op->no_uidl)
    previews_no_uids (op);
  previews_send_tops (self, task);
  previews_emit_bare (self, task);
  previews_maybe_finish (task);
}

static void
previews_uidl_cb (MwPop3Client *self,
                  Cmd          *cmd,
                  const GError *error)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GArray) entries = NULL;
  Op *op;

  if (op_is_returned (cmd->task))
    return;
  if (error != NULL)
    {
      op_return_error (cmd->task, g_error_copy (error));
      return;
    }

  task = g_object_ref (cmd->task);
  op = g_task_get_task_data (task);
  op->uidl_done = TRUE;

  /* LIST came first, so the rows exist. */
  if (!op->list_done)
    return;

  if (!cmd->ok)
    previews_no_uids (op);
  else if ((entries = parse_uidl (self, cmd, &local_error)) == NULL)
    {
      mw_connection_note (self->connection, MW_TRANSCRIPT_FLAG_ERROR, "%s", local_error->message);
      previews_no_uids (op);
    }
  else
    {
      for (guint i = 0; i < entries->len; i++)
        {
          MwPop3UidEntry   *entry = &g_array_index (entries, MwPop3UidEntry, i);
          MwMessageSummary *summary = g_hash_table_lookup (op->by_number, GUINT_TO_POINTER (entry->number));

          if (summary != NULL)
            mw_message_summary_set_uid (summary, entry->uid);
        }
      for (guint i = 0; i < op->summaries->len; i++)
        {
          MwMessageSummary *summary = g_ptr_array_index (op->summaries, i);

          if (mw_message_summary_get_uid (summary) == NULL)
            mw_message_summary_add_flags (summary, MW_MESSAGE_FLAG_NO_UID | MW_MESSAGE_FLAG_COUNT_MISMATCH);
        }
      if (entries->len != op->summaries->len)
        for (guint i = 0; i < op->summaries->len; i++)
          mw_message_summary_add_flags (g_ptr_array_index (op->summaries, i), MW_MESSAGE_FLAG_COUNT_MISMATCH);
    }

  previews_emit_bare (self, task);
  previews_maybe_finish (task);
}

void
mw_pop3_client_previews_async (MwPop3Client       *self,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  Op  *op;
  Cmd *cmd;

  g_return_if_fail (MW_IS_POP3_CLIENT (self));

  task = op_task_new (self, cancellable, mw_pop3_client_previews_async, callback, user_data, &op);
  if (!check_transaction (self, task))
    return;

  op->summaries = g_ptr_array_new_with_free_func (g_object_unref);
  op->by_number = g_hash_table_new (NULL, NULL);
  op->want_top = !self->capa_known || (self->capabilities & MW_POP3_CAPABILITY_TOP) != 0;

  g_queue_push_tail (&self->pending, cmd_new (task, "STAT", previews_stat_cb));
  cmd = cmd_new (task, "LIST", previews_list_cb);
  cmd->multiline = TRUE;
  cmd->collect = TRUE;
  cmd->max_bytes = MW_POP3_MAX_LISTING;
  cmd->strict = TRUE;
  g_queue_push_tail (&self->pending, cmd);

  if (!self->capa_known || (self->capabilities & MW_POP3_CAPABILITY_UIDL) != 0)
    {
      cmd = cmd_new (task, "UIDL", previews_uidl_cb);
      cmd->multiline = TRUE;
      cmd->collect = TRUE;
      cmd->max_bytes = MW_POP3_MAX_LISTING;
      cmd->strict = TRUE;
      g_queue_push_tail (&self->pending, cmd);
    }
  else
    op->uidl_done = op->no_uidl = TRUE;

  engine_kick (self);
}

/**
 * mw_pop3_client_previews_finish:
 *
 * Returns: (transfer full) (element-type MwMessageSummary): the summaries
 */
GPtrArray *
mw_pop3_client_previews_finish (MwPop3Client *self,
                                GAsyncResult *result,
                                GError      **error)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* For the fuzz targets. */

gboolean
mw_pop3_parse_scan_listing (const char *line,
                            guint      *out_number,
                            guint64    *out_size)
{
  return parse_scan_listing (line, out_number, out_size);
}

gboolean
mw_pop3_parse_unique_id_listing (const char  *line,
                                 guint       *out_number,
                                 const char **out_uid)
{
  return parse_unique_id_listing (line, out_number, out_uid);
}

GArray *
mw_pop3_client_parse_listing (MwPop3Client *self,
                              gboolean      uidl,
                              GBytes       *body,
                              GError      **error)
{
  Cmd cmd = { 0 };

  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  g_return_val_if_fail (body != NULL, NULL);

  cmd.line = (char *) (uidl ? "UIDL" : "LIST");
  cmd.body = body;
  cmd.stats.bytes = g_bytes_get_size (body);
  if (cmd.stats.bytes > 0 &&
      memchr (g_bytes_get_data (body, NULL), '\0', cmd.stats.bytes) != NULL)
    cmd.stats.flags |= MW_LINE_FLAG_NUL;

  return uidl ? parse_uidl (self, &cmd, error) : parse_list (self, &cmd, error);
}

void
mw_pop3_client_parse_capa (MwPop3Client *self,
                           GBytes       *body)
{
  g_return_if_fail (MW_IS_POP3_CLIENT (self));
  g_return_if_fail (body != NULL);

  parse_capa (self, body);
}

GError *
mw_pop3_client_reply_error (MwPop3Client *self,
                            const char   *command,
                            const char   *status,
                            gboolean      login)
{
  g_return_val_if_fail (MW_IS_POP3_CLIENT (self), NULL);
  g_return_val_if_fail (g_str_has_prefix (status, "-ERR"), NULL);

  return reply_error (self, command, status, login);
}
