/* mw-smtp-client.c: the ESMTP client
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-smtp-client.h"
#include "mw-smtp-client-private.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "mw-core-enums.h"
#include "mw-data-encoder.h"
#include "mw-sasl.h"

/* How much of the message is read from its stream at a time. */
#define MESSAGE_CHUNK (128 * 1024)
/* The default size of one BDAT chunk. */
#define BDAT_CHUNK (1024 * 1024)
/* The longest quote of a server reply in an error message. */
#define MAX_QUOTE 512
/* Recipients named one by one in an error message. */
#define MAX_LISTED 10
/* The longest address Mailwire sends (RFC 5321 section 4.5.3.1.3). */
#define MAX_PATH            256
#define MAX_AUTH_MECHANISMS 32
#define MAX_CONSOLE_LINE    510

#define DEFAULT_EHLO_NAME "[127.0.0.1]"

/* clang-format off */
G_DEFINE_QUARK (mw-smtp-error-quark, mw_smtp_error)
/* clang-format on */

/* Replies. */

G_DEFINE_BOXED_TYPE (MwSmtpReply, mw_smtp_reply, mw_smtp_reply_copy, mw_smtp_reply_free)

MwSmtpReply *
mw_smtp_reply_copy (const MwSmtpReply *reply)
{
  MwSmtpReply *copy;

  g_return_val_if_fail (reply != NULL, NULL);

  copy = g_new0 (MwSmtpReply, 1);
  *copy = *reply;
  copy->enhanced = g_strdup (reply->enhanced);
  copy->text = g_strdup (reply->text);
  copy->lines = g_strdupv (reply->lines);
  return copy;
}

void
mw_smtp_reply_free (MwSmtpReply *reply)
{
  if (reply == NULL)
    return;

  g_free (reply->enhanced);
  g_free (reply->text);
  g_strfreev (reply->lines);
  g_free (reply);
}

static gboolean
is_code (const char *line)
{
  return line[0] >= '2' && line[0] <= '5' &&
         line[1] >= '0' && line[1] <= '5' &&
         g_ascii_isdigit (line[2]);
}

/* Parses "c.sss.ddd" followed by a space or the end; returns its length. */
static size_t
parse_enhanced (const char *text,
                int         code_class,
                int        *out_class,
                int        *out_subject,
                int        *out_detail)
{
  const char *p = text;
  int         parts[3] = { 0, 0, 0 };

  for (int i = 0; i < 3; i++)
    {
      int digits = 0;

      while (g_ascii_isdigit (*p) && digits < 3)
        {
          parts[i] = parts[i] * 10 + (*p - '0');
          p++;
          digits++;
        }
      if (digits == 0 || (i == 0 && digits != 1) || g_ascii_isdigit (*p))
        return 0;
      if (i < 2)
        {
          if (*p != '.')
            return 0;
          p++;
        }
    }
  if (*p != ' ' && *p != '\0')
    return 0;
  if (parts[0] != code_class)
    return 0;

  *out_class = parts[0];
  *out_subject = parts[1];
  *out_detail = parts[2];
  return (size_t) (p - text);
}

/**
 * mw_smtp_reply_parse:
 * @lines: (array zero-terminated=1): the lines of one reply, without line
 *   endings
 * @error: return location for a %MW_SMTP_ERROR_PROTOCOL error
 *
 * Checks the shape strictly: every line starts with the same three-digit
 * code, every line but the last continues with "-", the last with a space
 * or nothing.
 *
 * Returns: (transfer full) (nullable): the reply
 */
MwSmtpReply *
mw_smtp_reply_parse (const char *const *lines,
                     GError           **error)
{
  g_autoptr (MwSmtpReply) reply = NULL;
  g_autoptr (GString) text = NULL;
  guint n;

  g_return_val_if_fail (lines != NULL, NULL);

  n = g_strv_length ((char **) lines);
  if (n == 0 || n > MW_SMTP_MAX_REPLY_LINES)
    {
      g_set_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_PROTOCOL,
                   _ ("The server sent a reply of %u lines"), n);
      return NULL;
    }

  reply = g_new0 (MwSmtpReply, 1);
  text = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      const char *line = lines[i];
      const char *rest;
      gboolean    last = i + 1 == n;
      int         code;

      if (strlen (line) < 3 || !is_code (line) ||
          (line[3] != '\0' && line[3] != ' ' && line[3] != '-') ||
          (last && line[3] == '-') || (!last && line[3] != '-'))
        {
          g_autofree char *shown = g_utf8_make_valid (line, MIN (strlen (line), MAX_QUOTE));

          g_set_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_PROTOCOL,
                       _ ("The server sent a malformed reply line: “%s”"), shown);
          return NULL;
        }

      code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
      if (i == 0)
        reply->code = code;
      else if (code != reply->code)
        {
          g_autofree char *shown = g_utf8_make_valid (line, MIN (strlen (line), MAX_QUOTE));

          g_set_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_PROTOCOL,
                       _ ("The server mixed reply codes %d and %d in one reply: “%s”"),
                       reply->code, code, shown);
          return NULL;
        }

      rest = line[3] == '\0' ? line + 3 : line + 4;
      if (i == 0)
        {
          size_t len = parse_enhanced (rest, code / 100, &reply->enhanced_class,
                                       &reply->enhanced_subject, &reply->enhanced_detail);
          if (len > 0)
            reply->enhanced = g_strndup (rest, len);
        }
      if (reply->enhanced != NULL && g_str_has_prefix (rest, reply->enhanced))
        {
          size_t len = strlen (reply->enhanced);

          if (rest[len] == ' ' || rest[len] == '\0')
            rest += len + (rest[len] == ' ' ? 1 : 0);
        }

      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, rest);
    }

  reply->text = g_string_free (g_steal_pointer (&text), FALSE);
  reply->lines = g_strdupv ((char **) lines);
  return g_steal_pointer (&reply);
}

/**
 * mw_smtp_reply_quote:
 *
 * Returns: (transfer full): the reply's lines joined by " / ", valid
 *   UTF-8, capped in length
 */
char *
mw_smtp_reply_quote (const MwSmtpReply *reply)
{
  g_autofree char *joined = NULL;

  g_return_val_if_fail (reply != NULL, NULL);

  joined = g_strjoinv (" / ", reply->lines);
  if (strlen (joined) > MAX_QUOTE)
    {
      g_autofree char *cut = g_utf8_make_valid (joined, MAX_QUOTE);
      return g_strconcat (cut, "…", NULL);
    }
  return g_utf8_make_valid (joined, -1);
}

/* Capabilities. */

G_DEFINE_BOXED_TYPE (MwSmtpCapabilities, mw_smtp_capabilities, mw_smtp_capabilities_copy, mw_smtp_capabilities_free)

MwSmtpCapabilities *
mw_smtp_capabilities_copy (const MwSmtpCapabilities *caps)
{
  MwSmtpCapabilities *copy;

  g_return_val_if_fail (caps != NULL, NULL);

  copy = g_new0 (MwSmtpCapabilities, 1);
  copy->flags = caps->flags;
  copy->size = caps->size;
  copy->domain = g_strdup (caps->domain);
  copy->auth = g_strdupv (caps->auth);
  copy->keywords = g_strdupv (caps->keywords);
  return copy;
}

void
mw_smtp_capabilities_free (MwSmtpCapabilities *caps)
{
  if (caps == NULL)
    return;

  g_free (caps->domain);
  g_strfreev (caps->auth);
  g_strfreev (caps->keywords);
  g_free (caps);
}

static const struct
{
  const char           *keyword;
  MwSmtpCapabilityFlags flag;
} keyword_flags[] = {
  { "SIZE", MW_SMTP_CAP_SIZE },
  { "PIPELINING", MW_SMTP_CAP_PIPELINING },
  { "8BITMIME", MW_SMTP_CAP_8BITMIME },
  { "SMTPUTF8", MW_SMTP_CAP_SMTPUTF8 },
  { "CHUNKING", MW_SMTP_CAP_CHUNKING },
  { "DSN", MW_SMTP_CAP_DSN },
  { "ENHANCEDSTATUSCODES", MW_SMTP_CAP_ENHANCEDSTATUSCODES },
  { "AUTH", MW_SMTP_CAP_AUTH },
  { "STARTTLS", MW_SMTP_CAP_STARTTLS },
};

static gboolean
parse_size (const char *text,
            guint64    *out_size)
{
  guint64 value = 0;

  if (*text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p) || value > (G_MAXUINT64 - 9) / 10)
        return FALSE;
      value = value * 10 + (guint64) (*p - '0');
    }
  *out_size = value;
  return TRUE;
}

static gboolean
is_mechanism_name (const char *name)
{
  size_t len = strlen (name);

  /* RFC 4422 section 3.1: up to 20 of A-Z, 0-9, "-", "_". */
  if (len == 0 || len > 20)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

/**
 * mw_smtp_capabilities_parse:
 * @ehlo_reply: a positive reply to EHLO or HELO
 *
 * Returns: (transfer full): the capabilities it states
 */
MwSmtpCapabilities *
mw_smtp_capabilities_parse (const MwSmtpReply *ehlo_reply)
{
  MwSmtpCapabilities *caps;
  g_autoptr (GPtrArray) auth = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GStrvBuilder) keywords = g_strv_builder_new ();
  g_auto (GStrv) text_lines = NULL;

  g_return_val_if_fail (ehlo_reply != NULL, NULL);

  caps = g_new0 (MwSmtpCapabilities, 1);
  text_lines = g_strsplit (ehlo_reply->text, "\n", -1);

  if (text_lines[0] != NULL)
    {
      const char      *space = strchr (text_lines[0], ' ');
      g_autofree char *domain = space != NULL ? g_strndup (text_lines[0], (size_t) (space - text_lines[0]))
                                              : g_strdup (text_lines[0]);

      caps->domain = g_utf8_make_valid (domain, -1);
    }

  /* A reply with no text at all ("250") splits into no lines. */
  for (guint i = 1; text_lines[0] != NULL && text_lines[i] != NULL; i++)
    {
      g_auto (GStrv) words = NULL;
      char *keyword;

      g_strv_builder_add (keywords, text_lines[i]);
      words = g_strsplit_set (text_lines[i], " =", -1);
      keyword = words[0];
      if (keyword == NULL || *keyword == '\0')
        continue;

      for (size_t k = 0; k < G_N_ELEMENTS (keyword_flags); k++)
        {
          if (g_ascii_strcasecmp (keyword, keyword_flags[k].keyword) != 0)
            continue;

          caps->flags |= keyword_flags[k].flag;
          if (keyword_flags[k].flag == MW_SMTP_CAP_SIZE && words[1] != NULL)
            {
              guint64 size;

              if (parse_size (words[1], &size))
                caps->size = size;
            }
          else if (keyword_flags[k].flag == MW_SMTP_CAP_AUTH)
            {
              for (guint w = 1; words[w] != NULL && auth->len < MAX_AUTH_MECHANISMS; w++)
                {
                  char *upper = g_ascii_strup (words[w], -1);

                  if (!is_mechanism_name (upper) ||
                      g_ptr_array_find_with_equal_func (auth, upper, g_str_equal, NULL))
                    {
                      g_free (upper);
                      continue;
                    }
                  g_ptr_array_add (auth, upper);
                }
            }
        }
    }

  g_ptr_array_add (auth, NULL);
  caps->auth = (char **) g_ptr_array_steal (auth, NULL);
  caps->keywords = g_strv_builder_end (keywords);
  return caps;
}

/* Recipients. */

G_DEFINE_BOXED_TYPE (MwSmtpRecipient, mw_smtp_recipient, mw_smtp_recipient_copy, mw_smtp_recipient_free)

MwSmtpRecipient *
mw_smtp_recipient_copy (const MwSmtpRecipient *recipient)
{
  MwSmtpRecipient *copy;

  g_return_val_if_fail (recipient != NULL, NULL);

  copy = g_new0 (MwSmtpRecipient, 1);
  copy->address = g_strdup (recipient->address);
  copy->accepted = recipient->accepted;
  copy->reply = recipient->reply != NULL ? mw_smtp_reply_copy (recipient->reply) : NULL;
  return copy;
}

void
mw_smtp_recipient_free (MwSmtpRecipient *recipient)
{
  if (recipient == NULL)
    return;

  g_free (recipient->address);
  mw_smtp_reply_free (recipient->reply);
  g_free (recipient);
}

/* Send results. */

struct _MwSmtpSendResult
{
  GObject parent_instance;

  GPtrArray   *recipients;
  MwSmtpReply *mail_reply;
  MwSmtpReply *final_reply;
  guint64      bytes_sent;
  gboolean     used_chunking;
  gboolean     used_pipelining;
};

G_DEFINE_FINAL_TYPE (MwSmtpSendResult, mw_smtp_send_result, G_TYPE_OBJECT)

static void
mw_smtp_send_result_finalize (GObject *object)
{
  MwSmtpSendResult *self = MW_SMTP_SEND_RESULT (object);

  g_clear_pointer (&self->recipients, g_ptr_array_unref);
  g_clear_pointer (&self->mail_reply, mw_smtp_reply_free);
  g_clear_pointer (&self->final_reply, mw_smtp_reply_free);

  G_OBJECT_CLASS (mw_smtp_send_result_parent_class)->finalize (object);
}

static void
mw_smtp_send_result_class_init (MwSmtpSendResultClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mw_smtp_send_result_finalize;
}

static void
mw_smtp_send_result_init (MwSmtpSendResult *self)
{
  self->recipients = g_ptr_array_new_with_free_func ((GDestroyNotify) mw_smtp_recipient_free);
}

/**
 * mw_smtp_send_result_get_recipients:
 *
 * Returns: (transfer none) (element-type MwSmtpRecipient): the recipients
 */
GPtrArray *
mw_smtp_send_result_get_recipients (MwSmtpSendResult *self)
{
  g_return_val_if_fail (MW_IS_SMTP_SEND_RESULT (self), NULL);
  return self->recipients;
}

guint
mw_smtp_send_result_get_n_accepted (MwSmtpSendResult *self)
{
  guint n = 0;

  g_return_val_if_fail (MW_IS_SMTP_SEND_RESULT (self), 0);

  for (guint i = 0; i < self->recipients->len; i++)
    {
      MwSmtpRecipient *recipient = g_ptr_array_index (self->recipients, i);
      n += recipient->accepted ? 1 : 0;
    }
  return n;
}

guint
mw_smtp_send_result_get_n_refused (MwSmtpSendResult *self)
{
  g_return_val_if_fail (MW_IS_SMTP_SEND_RESULT (self), 0);
  return self->recipients->len - mw_smtp_send_result_get_n_accepted (self);
}

/**
 * mw_smtp_send_result_get_mail_reply:
 *
 * Returns: (transfer none) (nullable): the reply to MAIL FROM
 */
MwSmtpReply *
mw_smtp_send_result_get_mail_reply (MwSmtpSendResult *self)
{
  g_return_val_if_fail (MW_IS_SMTP_SEND_RESULT (self), NULL);
  return self->mail_reply;
}

/**
 * mw_smtp_send_result_get_final_reply:
 *
 * Returns: (transfer none) (nullable): the reply that ended the
 *   transaction: to the end of the data, or to DATA when it was refused
 */
MwSmtpReply *
mw_smtp_send_result_get_final_reply (MwSmtpSendResult *self)
{
  g_return_val_if_fail (MW_IS_SMTP_SEND_RESULT (self), NULL);
  return self->final_reply;
}

guint64
mw_smtp_send_result_get_bytes_sent (MwSmtpSendResult *self)
{
  g_return_val_if_fail (MW_IS_SMTP_SEND_RESULT (self), 0);
  return self->bytes_sent;
}

gboolean
mw_smtp_send_result_get_used_chunking (MwSmtpSendResult *self)
{
  g_return_val_if_fail (MW_IS_SMTP_SEND_RESULT (self), FALSE);
  return self->used_chunking;
}

gboolean
mw_smtp_send_result_get_used_pipelining (MwSmtpSendResult *self)
{
  g_return_val_if_fail (MW_IS_SMTP_SEND_RESULT (self), FALSE);
  return self->used_pipelining;
}

/* The client. */

struct _MwSmtpClient
{
  GObject parent_instance;

  /* Owned */
  char               *host;
  MwTranscript       *transcript;
  MwConnection       *connection;
  char               *user;
  char               *password; /* cleared before free */
  char               *token;    /* cleared before free */
  char               *auth_mechanism;
  char               *pinned_fingerprint;
  char               *ca_file;
  char               *server_identity;
  char               *ehlo_name;
  MwSmtpCapabilities *caps;
  MwSmtpReply        *greeting;
  char               *mechanism_used;
  char               *console_mechanism; /* an AUTH typed by hand */

  guint16          port;
  MwSecurity       security;
  MwSmtpPipelining pipelining;
  MwSmtpChunking   chunking;
  guint            timeout;
  guint            final_timeout;
  size_t           bdat_chunk;

  guint allow_plaintext : 1;
  guint busy : 1;
  guint ready : 1;
  guint authenticated : 1;
  guint sasl_response : 1; /* the console owes a 334 challenge a line */
};

G_DEFINE_FINAL_TYPE (MwSmtpClient, mw_smtp_client, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_HOST,
  PROP_PORT,
  PROP_SECURITY,
  PROP_TRANSCRIPT,
  PROP_TIMEOUT,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_SEND_PROGRESS,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static void
clear_secret (char **secret)
{
  if (*secret != NULL)
    {
      explicit_bzero (*secret, strlen (*secret));
      g_free (*secret);
      *secret = NULL;
    }
}

static void
mw_smtp_client_dispose (GObject *object)
{
  MwSmtpClient *self = MW_SMTP_CLIENT (object);

  if (self->connection != NULL)
    mw_connection_close (self->connection);
  g_clear_object (&self->connection);
  g_clear_object (&self->transcript);

  G_OBJECT_CLASS (mw_smtp_client_parent_class)->dispose (object);
}

static void
mw_smtp_client_finalize (GObject *object)
{
  MwSmtpClient *self = MW_SMTP_CLIENT (object);

  clear_secret (&self->password);
  clear_secret (&self->token);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->auth_mechanism, g_free);
  g_clear_pointer (&self->pinned_fingerprint, g_free);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->server_identity, g_free);
  g_clear_pointer (&self->ehlo_name, g_free);
  g_clear_pointer (&self->caps, mw_smtp_capabilities_free);
  g_clear_pointer (&self->greeting, mw_smtp_reply_free);
  g_clear_pointer (&self->mechanism_used, g_free);
  g_clear_pointer (&self->console_mechanism, g_free);

  G_OBJECT_CLASS (mw_smtp_client_parent_class)->finalize (object);
}

static void
mw_smtp_client_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  MwSmtpClient *self = MW_SMTP_CLIENT (object);

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
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_smtp_client_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  MwSmtpClient *self = MW_SMTP_CLIENT (object);

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
    case PROP_TIMEOUT:
      mw_smtp_client_set_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_smtp_client_class_init (MwSmtpClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mw_smtp_client_dispose;
  object_class->finalize = mw_smtp_client_finalize;
  object_class->get_property = mw_smtp_client_get_property;
  object_class->set_property = mw_smtp_client_set_property;

  properties[PROP_HOST] =
    g_param_spec_string ("host", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 587,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SECURITY] =
    g_param_spec_enum ("security", NULL, NULL, MW_TYPE_SECURITY, MW_SECURITY_STARTTLS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TRANSCRIPT] =
    g_param_spec_object ("transcript", NULL, NULL, MW_TYPE_TRANSCRIPT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 0, G_MAXUINT, MW_CONNECTION_DEFAULT_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MwSmtpClient::send-progress:
   * @bytes: message bytes read from the stream and sent so far
   *
   * Emitted while a message is being sent, after each chunk.
   */
  signals[SIGNAL_SEND_PROGRESS] =
    g_signal_new ("send-progress", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT64);
}

static void
mw_smtp_client_init (MwSmtpClient *self)
{
  self->timeout = MW_CONNECTION_DEFAULT_TIMEOUT;
  self->final_timeout = MW_SMTP_DEFAULT_FINAL_REPLY_TIMEOUT;
  self->bdat_chunk = BDAT_CHUNK;
  self->ehlo_name = g_strdup (DEFAULT_EHLO_NAME);
}

/**
 * mw_smtp_client_new:
 * @host: the server's host name or address
 * @port: its port (587, 465, 25)
 * @security: how the connection is protected
 * @transcript: (nullable): where the exchange is recorded
 *
 * Returns: (transfer full): a client, not yet connected
 */
MwSmtpClient *
mw_smtp_client_new (const char   *host,
                    guint16       port,
                    MwSecurity    security,
                    MwTranscript *transcript)
{
  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (transcript == NULL || MW_IS_TRANSCRIPT (transcript), NULL);

  return g_object_new (MW_TYPE_SMTP_CLIENT,
                       "host", host,
                       "port", (guint) port,
                       "security", security,
                       "transcript", transcript,
                       NULL);
}

const char *
mw_smtp_client_get_host (MwSmtpClient *self)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), NULL);
  return self->host;
}

guint16
mw_smtp_client_get_port (MwSmtpClient *self)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), 0);
  return self->port;
}

MwSecurity
mw_smtp_client_get_security (MwSmtpClient *self)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), MW_SECURITY_TLS);
  return self->security;
}

/**
 * mw_smtp_client_get_transcript:
 *
 * Returns: (transfer none) (nullable): the transcript
 */
MwTranscript *
mw_smtp_client_get_transcript (MwSmtpClient *self)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), NULL);
  return self->transcript;
}

const char *
mw_smtp_client_get_user (MwSmtpClient *self)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), NULL);
  return self->user;
}

void
mw_smtp_client_set_user (MwSmtpClient *self,
                         const char   *user)
{
  g_return_if_fail (MW_IS_SMTP_CLIENT (self));
  g_free (self->user);
  self->user = g_strdup (user);
}

void
mw_smtp_client_set_password (MwSmtpClient *self,
                             const char   *password)
{
  g_return_if_fail (MW_IS_SMTP_CLIENT (self));
  clear_secret (&self->password);
  self->password = g_strdup (password);
}

void
mw_smtp_client_set_oauth2_token (MwSmtpClient *self,
                                 const char   *token)
{
  g_return_if_fail (MW_IS_SMTP_CLIENT (self));
  clear_secret (&self->token);
  self->token = g_strdup (token);
}

const char *
mw_smtp_client_get_auth_mechanism (MwSmtpClient *self)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), NULL);
  return self->auth_mechanism;
}

void
mw_smtp_client_set_auth_mechanism (MwSmtpClient *self,
                                   const char   *mechanism)
{
  g_return_if_fail (MW_IS_SMTP_CLIENT (self));
  g_free (self->auth_mechanism);
  self->auth_mechanism = mechanism != NULL ? g_ascii_strup (mechanism, -1) : NULL;
}

gboolean
mw_smtp_client_get_allow_plaintext (MwSmtpClient *self)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), FALSE);
  return self->allow_plaintext;
}

void
mw_smtp_client_set_allow_plaintext (MwSmtpClient *self,
                                    gboolean      allow)
{
  g_return_if_fail (MW_IS_SMTP_CLIENT (self));
  self->allow_plaintext = !!allow;
}

MwSmtpPipelining
mw_smtp_client_get_pipelining (MwSmtpClient *self)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), MW_SMTP_PIPELINING_AUTO);
  return self->pipelining;
}

void
mw_smtp_client_set_pipelining (MwSmtpClient    *self,
                               MwSmtpPipelining pipelining)
{
  g_return_if_fail (MW_IS_SMTP_CLIENT (self));
  self->pipelining = pipelining;
}

MwSmtpChunking
mw_smtp_client_get_chunking (MwSmtpClient *self)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), MW_SMTP_CHUNKING_AUTO);
  return self->chunking;
}

void
mw_smtp_client_set_chunking (MwSmtpClient  *self,
                             MwSmtpChunking chunking)
{
  g_return_if_fail (MW_IS_SMTP_CLIENT (self));
  self->chunking = chunking;
}

guint
mw_smtp_client_get_timeout (MwSmtpClient *self)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), 0);
  return self->timeout;
}

void
mw_smtp_client_set_timeout (MwSmtpClient *self,
                            guint         seconds)
{
  g_return_if_fail (MW_IS_SMTP_CLIENT (self));

  if (self->timeout == seconds)
    return;
  self->timeout = seconds;
  if (self->connection != NULL)
    mw_connection_set_timeout (self->connection, seconds);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

guint
mw_smtp_client_get_final_reply_timeout (MwSmtpClient *self)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), 0);
  return self->final_timeout;
}

void
mw_smtp_client_set_final_reply_timeout (MwSmtpClient *self,
                                        guint         seconds)
{
  g_return_if_fail (MW_IS_SMTP_CLIENT (self));
  self->final_timeout = seconds;
}

void
mw_smtp_client_set_pinned_fingerprint (MwSmtpClient *self,
                                       const char   *fingerprint)
{
  g_return_if_fail (MW_IS_SMTP_CLIENT (self));
  g_free (self->pinned_fingerprint);
  self->pinned_fingerprint = g_strdup (fingerprint);
}

void
mw_smtp_client_set_ca_file (MwSmtpClient *self,
                            const char   *path)
{
  g_return_if_fail (MW_IS_SMTP_CLIENT (self));
  g_free (self->ca_file);
  self->ca_file = g_strdup (path);
}

void
mw_smtp_client_set_server_identity (MwSmtpClient *self,
                                    const char   *identity)
{
  g_return_if_fail (MW_IS_SMTP_CLIENT (self));
  g_free (self->server_identity);
  self->server_identity = g_strdup (identity);
}

void
mw_smtp_client_set_bdat_chunk_size (MwSmtpClient *self,
                                    size_t        size)
{
  g_return_if_fail (MW_IS_SMTP_CLIENT (self));
  g_return_if_fail (size > 0);
  self->bdat_chunk = size;
}

const char *
mw_smtp_client_get_ehlo_name (MwSmtpClient *self)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), NULL);
  return self->ehlo_name;
}

static gboolean
is_domain (const char *name)
{
  size_t len = strlen (name);
  size_t label = 0;

  if (len == 0 || len > 253)
    return FALSE;
  for (size_t i = 0; i <= len; i++)
    {
      char c = name[i];

      if (c == '.' || c == '\0')
        {
          if (label == 0 || label > 63 || name[i - 1] == '-')
            return FALSE;
          label = 0;
          continue;
        }
      if (!g_ascii_isalnum (c) && c != '-')
        return FALSE;
      if (c == '-' && label == 0)
        return FALSE;
      label++;
    }
  return TRUE;
}

static gboolean
is_address_literal (const char *name)
{
  size_t           len = strlen (name);
  g_autofree char *inner = NULL;
  g_autoptr (GInetAddress) address = NULL;

  if (len < 3 || name[0] != '[' || name[len - 1] != ']')
    return FALSE;
  inner = g_strndup (name + 1, len - 2);
  if (g_str_has_prefix (inner, "IPv6:"))
    {
      address = g_inet_address_new_from_string (inner + 5);
      return address != NULL && g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6;
    }
  address = g_inet_address_new_from_string (inner);
  return address != NULL && g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4;
}

/**
 * mw_smtp_client_set_ehlo_name:
 * @name: (nullable): a domain name or an address literal ("[192.0.2.1]",
 *   "[IPv6:2001:db8::1]"); %NULL for the default
 *
 * Returns: %FALSE with %MW_SMTP_ERROR_INVALID_ARGUMENT if @name is not one
 */
gboolean
mw_smtp_client_set_ehlo_name (MwSmtpClient *self,
                              const char   *name,
                              GError      **error)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), FALSE);

  if (name == NULL)
    name = DEFAULT_EHLO_NAME;

  if (!is_domain (name) && !is_address_literal (name))
    {
      g_autofree char *shown = g_utf8_make_valid (name, MIN (strlen (name), 64));

      g_set_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_INVALID_ARGUMENT,
                   _ ("“%s” is neither a domain name nor an address literal"), shown);
      return FALSE;
    }

  g_free (self->ehlo_name);
  self->ehlo_name = g_strdup (name);
  return TRUE;
}

/**
 * mw_smtp_client_get_connection:
 *
 * Returns: (transfer none) (nullable): the connection of the session, for
 *   its certificate and TLS details
 */
MwConnection *
mw_smtp_client_get_connection (MwSmtpClient *self)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), NULL);
  return self->connection;
}

gboolean
mw_smtp_client_is_connected (MwSmtpClient *self)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), FALSE);
  return self->ready && self->connection != NULL && mw_connection_is_connected (self->connection);
}

gboolean
mw_smtp_client_is_authenticated (MwSmtpClient *self)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), FALSE);
  return self->authenticated && mw_smtp_client_is_connected (self);
}

const char *
mw_smtp_client_get_auth_mechanism_used (MwSmtpClient *self)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), NULL);
  return self->mechanism_used;
}

/**
 * mw_smtp_client_get_capabilities:
 *
 * Returns: (transfer none) (nullable): what the server offered in its
 *   last EHLO reply
 */
const MwSmtpCapabilities *
mw_smtp_client_get_capabilities (MwSmtpClient *self)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), NULL);
  return self->caps;
}

/**
 * mw_smtp_client_get_greeting:
 *
 * Returns: (transfer none) (nullable): the server's greeting
 */
const MwSmtpReply *
mw_smtp_client_get_greeting (MwSmtpClient *self)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), NULL);
  return self->greeting;
}

void
mw_smtp_client_close (MwSmtpClient *self)
{
  g_return_if_fail (MW_IS_SMTP_CLIENT (self));

  self->ready = FALSE;
  self->authenticated = FALSE;
  self->sasl_response = FALSE;
  if (self->connection != NULL)
    mw_connection_close (self->connection);
}

static gboolean
has_cap (MwSmtpClient         *self,
         MwSmtpCapabilityFlags flag)
{
  return self->caps != NULL && (self->caps->flags & flag) != 0;
}

/* Operations.
 *
 * Every public call is one task with an Op as its data. An Op moves
 * through states; exchange() writes what is queued and reads a number of
 * replies concurrently (so a long pipelined group can never deadlock on
 * full buffers), then calls resume(). */

typedef enum
{
  OP_CONNECT,
  OP_SEND,
  OP_QUERY,
  OP_SIMPLE,
  OP_QUIT,
  OP_COMMAND,
} OpKind;

typedef enum
{
  STATE_NONE,
  /* Connect. */
  STATE_GREETING,
  STATE_EHLO,
  STATE_HELO,
  STATE_STARTTLS,
  STATE_EHLO_TLS,
  STATE_AUTH,
  STATE_AUTH_CANCELLED,
  /* Send. */
  STATE_ENVELOPE,
  STATE_MAIL,
  STATE_RCPT,
  STATE_DATA,
  STATE_BDAT,
  STATE_FINAL,
  STATE_RSET,
  /* One command. */
  STATE_REPLY,
} State;

typedef void (*OpResume) (GTask *task);

typedef struct
{
  MwSmtpClient *self; /* borrowed; the task holds a ref */
  GCancellable *cancellable;
  OpKind        kind;
  State         state;
  OpResume      resume;

  /* One exchange. */
  GPtrArray *replies; /* MwSmtpReply */
  GPtrArray *lines;   /* the reply being read */
  guint      expected;
  guint      pending;
  GError    *read_error;
  GError    *write_error;
  gboolean   after_end; /* the whole message is out: losing the line now is uncertain */

  /* An error to return once RSET (or "*") has been answered. */
  GError *deferred_error;

  /* Connect. */
  MwSasl *sasl;
  guint   auth_rounds;

  /* Send. */
  char             *from;
  char            **recipients;
  GInputStream     *message;
  gint64            size_hint;
  MwSmtpSendFlags   flags;
  MwSmtpDsnNotify   notify;
  MwSmtpDsnRet      ret;
  char             *envid;
  gboolean          use_dsn;
  gboolean          pipelined_data;
  guint             next_rcpt;
  MwSmtpSendResult *result;
  MwDataEncoder    *encoder;
  guint8           *chunk;
  GByteArray       *encoded;
  guint64           message_bytes;
  guint64           lines_out;
  guint             bdat_outstanding;
  gboolean          message_done;
  gboolean          end_sent;

  /* Commands. */
  char    *command;
  gboolean command_is_quit;
  gboolean command_is_ehlo;
  gboolean command_is_auth;
} Op;

static void
op_free (Op *op)
{
  g_clear_pointer (&op->replies, g_ptr_array_unref);
  g_clear_pointer (&op->lines, g_ptr_array_unref);
  g_clear_error (&op->read_error);
  g_clear_error (&op->write_error);
  g_clear_error (&op->deferred_error);
  g_clear_object (&op->sasl);
  g_free (op->from);
  g_strfreev (op->recipients);
  g_clear_object (&op->message);
  g_free (op->envid);
  g_clear_object (&op->result);
  g_clear_pointer (&op->encoder, mw_data_encoder_free);
  g_free (op->chunk);
  g_clear_pointer (&op->encoded, g_byte_array_unref);
  g_free (op->command);
  g_free (op);
}

static GTask *
op_new (MwSmtpClient       *self,
        OpKind              kind,
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
  op->kind = kind;
  op->cancellable = cancellable;
  op->replies = g_ptr_array_new_with_free_func ((GDestroyNotify) mw_smtp_reply_free);
  op->lines = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);

  *out_op = op;
  return task;
}

/* Checks that an operation may start; reports the error if not. */
static gboolean
may_start (MwSmtpClient       *self,
           gboolean            need_session,
           gpointer            source_tag,
           GAsyncReadyCallback callback,
           gpointer            user_data)
{
  if (self->busy)
    {
      g_task_report_new_error (self, callback, user_data, source_tag,
                               MW_SMTP_ERROR, MW_SMTP_ERROR_BUSY,
                               _ ("Another SMTP command is under way"));
      return FALSE;
    }
  if (need_session && !mw_smtp_client_is_connected (self))
    {
      g_task_report_new_error (self, callback, user_data, source_tag,
                               MW_SMTP_ERROR, MW_SMTP_ERROR_NOT_CONNECTED,
                               _ ("Not connected to an SMTP server"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
error_is_from_reply (const GError *error)
{
  return error->domain == MW_SMTP_ERROR &&
         error->code != MW_SMTP_ERROR_PROTOCOL &&
         error->code != MW_SMTP_ERROR_DELIVERY_UNCERTAIN;
}

/* Ends the operation with @error (consumed), with @task (consumed). */
static void
op_fail (GTask  *task,
         GError *error)
{
  Op           *op = g_task_get_task_data (task);
  MwSmtpClient *self = op->self;

  /* An error saved before a clean-up command wins over whatever the
   * clean-up met. */
  if (op->deferred_error != NULL)
    {
      g_clear_error (&error);
      error = g_steal_pointer (&op->deferred_error);
    }

  if (op->after_end && !error_is_from_reply (error))
    {
      GError *uncertain = g_error_new (MW_SMTP_ERROR, MW_SMTP_ERROR_DELIVERY_UNCERTAIN,
                                       _ ("The whole message was sent to %s, but the connection "
                                          "ended before the server confirmed it (%s). The message "
                                          "may or may not have been delivered; Mailwire does not "
                                          "send it again by itself, to avoid a duplicate."),
                                       self->host, error->message);
      g_error_free (error);
      error = uncertain;
    }

  /* A session that failed to open, met a malformed reply, lost its line
   * or was cancelled in the middle of an exchange cannot be trusted to
   * line up with the next command. */
  if (op->kind == OP_CONNECT || !error_is_from_reply (error) ||
      g_error_matches (error, MW_SMTP_ERROR, MW_SMTP_ERROR_SERVICE_UNAVAILABLE))
    mw_smtp_client_close (self);

  self->busy = FALSE;
  g_task_return_error (task, error);
  g_object_unref (task);
}

/* Ends the operation successfully; consumes @task. */
static void
op_return_boolean (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  op->self->busy = FALSE;
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
op_return_reply (GTask       *task,
                 MwSmtpReply *reply)
{
  Op *op = g_task_get_task_data (task);

  op->self->busy = FALSE;
  g_task_return_pointer (task, mw_smtp_reply_copy (reply), (GDestroyNotify) mw_smtp_reply_free);
  g_object_unref (task);
}

/* Sends RSET, then fails with @error whatever RSET's answer. */
static void rset_then_fail (GTask  *task,
                            GError *error);

/* Exchanges. */

static void exchange_done (GTask *task);

static void
exchange_flush_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  Op    *op = g_task_get_task_data (task);

  if (!mw_connection_flush_finish (MW_CONNECTION (object), result, &op->write_error))
    g_assert (op->write_error != NULL);
  exchange_done (task);
}

static void read_next_line (GTask *task);

static gboolean
line_flags_are_clean (MwLineFlags flags)
{
  return (flags & (MW_LINE_FLAG_BARE_LF | MW_LINE_FLAG_LONE_CR | MW_LINE_FLAG_NUL)) == 0;
}

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask        *task = user_data;
  Op           *op = g_task_get_task_data (task);
  MwSmtpClient *self = op->self;
  MwLineFlags   flags = 0;
  char         *line;
  gboolean      last;

  line = mw_connection_read_line_finish (MW_CONNECTION (object), result, &flags, &op->read_error);
  if (line == NULL)
    {
      exchange_done (task);
      return;
    }

  if (!line_flags_are_clean (flags))
    {
      g_autofree char *shown = g_utf8_make_valid (line, MIN (strlen (line), MAX_QUOTE));

      g_free (line);
      op->read_error = g_error_new (MW_SMTP_ERROR, MW_SMTP_ERROR_PROTOCOL,
                                    _ ("The server sent a reply line with a bare LF, a lone CR "
                                       "or a NUL byte: “%s”"),
                                    shown);
      mw_smtp_client_close (self);
      exchange_done (task);
      return;
    }

  /* The continuation mark decides where the reply ends; the whole reply
   * is then checked for its shape. */
  last = strlen (line) < 4 || line[3] != '-';
  g_ptr_array_add (op->lines, line);

  if (!last && op->lines->len < MW_SMTP_MAX_REPLY_LINES)
    {
      read_next_line (task);
      return;
    }

  if (!last)
    {
      op->read_error = g_error_new (MW_SMTP_ERROR, MW_SMTP_ERROR_PROTOCOL,
                                    _ ("The server sent a reply of more than %d lines"),
                                    MW_SMTP_MAX_REPLY_LINES);
    }
  else
    {
      MwSmtpReply *reply;

      g_ptr_array_add (op->lines, NULL);
      reply = mw_smtp_reply_parse ((const char *const *) op->lines->pdata, &op->read_error);
      g_ptr_array_set_size (op->lines, 0);

      if (reply != NULL && reply->code == 421 && !(op->kind == OP_QUIT || op->command_is_quit))
        {
          g_autofree char *quote = mw_smtp_reply_quote (reply);

          op->read_error = g_error_new (MW_SMTP_ERROR, MW_SMTP_ERROR_SERVICE_UNAVAILABLE,
                                        _ ("%s is closing the session: “%s”"),
                                        self->host, quote);
          mw_smtp_reply_free (reply);
        }
      else if (reply != NULL)
        {
          g_ptr_array_add (op->replies, reply);
          if (op->replies->len < op->expected)
            {
              read_next_line (task);
              return;
            }

          /* Every reply asked for is in: anything more answers a command
           * not yet sent, and would be taken for its reply. (After
           * STARTTLS the connection reports it as an injection.) */
          if (op->state != STATE_STARTTLS && self->connection != NULL &&
              mw_connection_get_buffered (self->connection) > 0)
            op->read_error = g_error_new (MW_SMTP_ERROR, MW_SMTP_ERROR_PROTOCOL,
                                          _ ("%s sent a reply to a command Mailwire had not sent"),
                                          self->host);
        }
    }

  if (op->read_error != NULL)
    mw_smtp_client_close (self);
  exchange_done (task);
}

static void
read_next_line (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  mw_connection_read_line_async (op->self->connection, op->cancellable, read_line_cb, task);
}

static void
exchange_done (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  g_assert (op->pending > 0);
  if (--op->pending > 0)
    {
      /* The other side still holds its reference. */
      g_object_unref (task);
      return;
    }

  /* The reply (a 421, a malformed line) explains more than a write that
   * failed because the server had already gone. */
  if (op->read_error != NULL || op->write_error != NULL)
    {
      GError *error = op->read_error != NULL ? g_steal_pointer (&op->read_error)
                                             : g_steal_pointer (&op->write_error);

      g_clear_error (&op->read_error);
      g_clear_error (&op->write_error);
      op_fail (task, error);
      return;
    }

  op->resume (task);
  g_object_unref (task);
}

/* Before commands go out on a quiet connection: whatever the server sent
 * since its last reply answers nothing, and must not be taken for the
 * reply to them. A 421 is a server ending an idle session (RFC 5321
 * 3.8); anything else breaks the protocol. NULL if all is well. */
static GError *
check_idle (MwSmtpClient *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *quote = NULL;

  if (mw_connection_poll_idle (self->connection, &line, &error))
    return NULL;
  if (error != NULL)
    return g_steal_pointer (&error);

  quote = g_utf8_make_valid (line != NULL ? line : "", line != NULL ? MIN (strlen (line), MAX_QUOTE) : 0);
  if (line != NULL && g_str_has_prefix (line, "421") && (line[3] == '\0' || line[3] == ' ' || line[3] == '-'))
    return g_error_new (MW_SMTP_ERROR, MW_SMTP_ERROR_SERVICE_UNAVAILABLE,
                        _ ("%s is closing the session: “%s”"), self->host, quote);
  return g_error_new (MW_SMTP_ERROR, MW_SMTP_ERROR_PROTOCOL,
                      _ ("%s sent “%s” while no command was waiting for a reply; "
                         "the connection was closed"),
                      self->host, quote);
}

/* Writes whatever is queued and reads @n_replies replies at the same
 * time; then @resume runs with the replies in op->replies. Consumes
 * @task. */
static void
exchange (GTask   *task,
          guint    n_replies,
          OpResume resume)
{
  Op           *op = g_task_get_task_data (task);
  MwConnection *connection = op->self->connection;

  /* A server may answer QUIT with the 421 it had already sent. */
  if (n_replies > 0 && mw_connection_get_queued (connection) > 0 &&
      op->kind != OP_QUIT && !op->command_is_quit)
    {
      GError *error = check_idle (op->self);

      if (error != NULL)
        {
          mw_smtp_client_close (op->self);
          op_fail (task, error);
          return;
        }
    }

  op->resume = resume;
  op->expected = n_replies;
  g_ptr_array_set_size (op->replies, 0);
  g_ptr_array_set_size (op->lines, 0);
  op->pending = n_replies > 0 ? 2 : 1;

  /* Each side holds a reference. The flush goes first: it writes the
   * commands to the transcript before any reply is read. */
  if (n_replies > 0)
    g_object_ref (task);
  mw_connection_flush_async (connection, op->cancellable, exchange_flush_cb, task);
  if (n_replies > 0)
    mw_connection_read_line_async (connection, op->cancellable, read_line_cb, task);
}

static MwSmtpReply *
reply_at (Op   *op,
          guint index)
{
  return g_ptr_array_index (op->replies, index);
}

static GError *
reply_error (MwSmtpReply *reply,
             MwSmtpError  code,
             const char  *what)
{
  g_autofree char *quote = mw_smtp_reply_quote (reply);

  /* Translators: the first %s says what failed, the second is the
   * server's reply. */
  return g_error_new (MW_SMTP_ERROR, code, _ ("%s: the server answered “%s”"), what, quote);
}

/* Secrets. */

/* Encodes a SASL response as base64 and clears the plain bytes. */
static char *
encode_response (GBytes *response)
{
  gsize   len = 0;
  guint8 *data = g_bytes_unref_to_data (response, &len);
  char   *encoded;

  if (data == NULL || len == 0)
    encoded = g_strdup ("");
  else
    {
      encoded = g_base64_encode (data, len);
      explicit_bzero (data, len);
    }
  g_free (data);
  return encoded;
}

/* Connect. */

static void connect_resume (GTask *task);

static void
send_ehlo (GTask *task,
           State  state)
{
  Op              *op = g_task_get_task_data (task);
  g_autofree char *line = g_strdup_printf ("EHLO %s", op->self->ehlo_name);

  op->state = state;
  mw_connection_queue_line (op->self->connection, line, NULL);
  exchange (task, 1, connect_resume);
}

static void
connect_ready (GTask *task)
{
  Op           *op = g_task_get_task_data (task);
  MwSmtpClient *self = op->self;

  self->ready = TRUE;
  op_return_boolean (task);
}

static gboolean
offers (const MwSmtpCapabilities *caps,
        const char               *mechanism)
{
  return g_strv_contains ((const char *const *) caps->auth, mechanism);
}

/* Picks the mechanism, or explains why there is none. */
static const char *
choose_mechanism (MwSmtpClient *self,
                  GError      **error)
{
  gboolean         encrypted = mw_connection_is_tls (self->connection);
  gboolean         have_token = self->token != NULL;
  const char      *choice;
  g_autofree char *offered = g_strjoinv (" ", self->caps->auth);

  if (self->auth_mechanism != NULL)
    {
      if (!offers (self->caps, self->auth_mechanism))
        {
          g_set_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_NO_MECHANISM,
                       _ ("%s does not offer the login method %s (it offers: %s)"),
                       self->host, self->auth_mechanism, offered);
          return NULL;
        }
      if (!mw_sasl_is_supported (self->auth_mechanism))
        {
          g_set_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_NO_MECHANISM,
                       _ ("Mailwire cannot log in with %s"), self->auth_mechanism);
          return NULL;
        }
      if (mw_sasl_is_plaintext (self->auth_mechanism) && !encrypted && !self->allow_plaintext)
        {
          g_set_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_PLAINTEXT_REFUSED,
                       _ ("The login method %s would send the password to %s unencrypted; "
                          "use encryption or allow an unencrypted connection for this account"),
                       self->auth_mechanism, self->host);
          return NULL;
        }
      return self->auth_mechanism;
    }

  choice = mw_sasl_choose ((const char *const *) self->caps->auth, encrypted,
                           self->allow_plaintext, have_token);
  if (choice != NULL)
    return choice;

  /* Would a mechanism have done with encryption? */
  if (!encrypted &&
      mw_sasl_choose ((const char *const *) self->caps->auth, TRUE, TRUE, have_token) != NULL)
    {
      g_set_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_PLAINTEXT_REFUSED,
                   _ ("%s offers only login methods that would send the password unencrypted "
                      "(%s); use encryption or allow an unencrypted connection for this account"),
                   self->host, offered);
      return NULL;
    }

  g_set_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_NO_MECHANISM,
               have_token ? _ ("%s offers no login method that takes an access token (it offers: %s)")
                          : _ ("%s offers no login method Mailwire speaks (it offers: %s)"),
               self->host, offered);
  return NULL;
}

static void
start_auth (GTask *task)
{
  Op           *op = g_task_get_task_data (task);
  MwSmtpClient *self = op->self;
  const char   *secret = self->token != NULL ? self->token : self->password;
  const char   *mechanism;
  GError       *error = NULL;
  GBytes       *initial;

  if (!has_cap (self, MW_SMTP_CAP_AUTH) || self->caps->auth[0] == NULL)
    {
      op_fail (task, g_error_new (MW_SMTP_ERROR, MW_SMTP_ERROR_AUTH_UNAVAILABLE,
                                  _ ("%s does not offer to log in (no AUTH in its EHLO reply)%s"),
                                  self->host,
                                  mw_connection_is_tls (self->connection) ? ""
                                                                          : _ ("; it may offer it after STARTTLS")));
      return;
    }

  mechanism = choose_mechanism (self, &error);
  if (mechanism == NULL)
    {
      op_fail (task, error);
      return;
    }

  op->sasl = mw_sasl_new (mechanism, self->user != NULL ? self->user : "", secret, &error);
  if (op->sasl == NULL)
    {
      GError *invalid = g_error_new (MW_SMTP_ERROR, MW_SMTP_ERROR_INVALID_ARGUMENT,
                                     _ ("Cannot log in to %s: %s"), self->host, error->message);

      g_error_free (error);
      op_fail (task, invalid);
      return;
    }

  g_free (self->mechanism_used);
  self->mechanism_used = g_strdup (mw_sasl_get_mechanism (op->sasl));

  initial = mw_sasl_get_initial_response (op->sasl);
  if (initial != NULL)
    {
      gboolean         empty = g_bytes_get_size (initial) == 0;
      char            *encoded = encode_response (initial);
      g_autofree char *line = g_strdup_printf ("AUTH %s %s", self->mechanism_used,
                                               empty ? "=" : encoded);
      g_autofree char *display = g_strdup_printf ("AUTH %s ****", self->mechanism_used);

      mw_connection_queue_line (self->connection, line, display);
      explicit_bzero (line, strlen (line));
      explicit_bzero (encoded, strlen (encoded));
      g_free (encoded);
    }
  else
    {
      g_autofree char *line = g_strdup_printf ("AUTH %s", self->mechanism_used);

      mw_connection_queue_line (self->connection, line, NULL);
    }

  op->state = STATE_AUTH;
  exchange (task, 1, connect_resume);
}

/* After TLS where required, log in if there are credentials. */
static void
after_ehlo (GTask *task)
{
  Op           *op = g_task_get_task_data (task);
  MwSmtpClient *self = op->self;

  if (self->security == MW_SECURITY_STARTTLS && !mw_connection_is_tls (self->connection))
    {
      if (!has_cap (self, MW_SMTP_CAP_STARTTLS))
        {
          op_fail (task, g_error_new (MW_SMTP_ERROR, MW_SMTP_ERROR_STARTTLS_UNAVAILABLE,
                                      _ ("%s does not offer STARTTLS, and this account requires "
                                         "encryption; nothing was sent unencrypted"),
                                      self->host));
          return;
        }

      op->state = STATE_STARTTLS;
      mw_connection_queue_line (self->connection, "STARTTLS", NULL);
      exchange (task, 1, connect_resume);
      return;
    }

  if (self->password != NULL || self->token != NULL)
    {
      start_auth (task);
      return;
    }

  connect_ready (task);
}

static void
start_tls_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Op     *op = g_task_get_task_data (task);
  GError *error = NULL;

  if (!mw_connection_start_tls_finish (MW_CONNECTION (object), result, &error))
    {
      op_fail (g_steal_pointer (&task), error);
      return;
    }

  /* What the server said before TLS may have been forged. */
  g_clear_pointer (&op->self->caps, mw_smtp_capabilities_free);
  send_ehlo (g_steal_pointer (&task), STATE_EHLO_TLS);
}

static GError *
auth_reply_error (MwSmtpClient *self,
                  MwSmtpReply  *reply)
{
  MwSmtpError code;
  const char *what;

  switch (reply->code)
    {
    case 535:
      code = MW_SMTP_ERROR_AUTH_FAILED;
      what = _ ("The user name or password was not accepted");
      break;
    case 534:
      code = MW_SMTP_ERROR_AUTH_TOO_WEAK;
      what = _ ("The server wants a stronger login method");
      break;
    case 538:
      code = MW_SMTP_ERROR_AUTH_ENCRYPTION_REQUIRED;
      what = _ ("The server requires encryption for this login method");
      break;
    default:
      if (reply->code / 100 == 4)
        {
          code = MW_SMTP_ERROR_AUTH_TEMPORARY;
          what = _ ("Login failed for now");
        }
      else
        {
          code = MW_SMTP_ERROR_AUTH_FAILED;
          what = _ ("Login failed");
        }
      break;
    }

  return reply_error (reply, code, what);
}

static void
auth_step (GTask       *task,
           MwSmtpReply *reply)
{
  Op           *op = g_task_get_task_data (task);
  MwSmtpClient *self = op->self;
  g_autoptr (GBytes) challenge = NULL;
  GBytes *response = NULL;
  GError *error = NULL;
  char   *encoded;

  if (++op->auth_rounds > MW_SMTP_MAX_AUTH_ROUNDS || g_strv_length (reply->lines) != 1)
    error = g_error_new (MW_SMTP_ERROR, MW_SMTP_ERROR_PROTOCOL,
                         _ ("%s sent an unexpected login challenge"), self->host);

  if (error == NULL)
    challenge = mw_sasl_decode_base64 (reply->text, strlen (reply->text), &error);
  if (error == NULL)
    mw_sasl_step (op->sasl, g_bytes_get_data (challenge, NULL), g_bytes_get_size (challenge),
                  &response, &error);

  if (error != NULL)
    {
      g_autofree char *quote = mw_smtp_reply_quote (reply);
      MwSmtpError      code = MW_SMTP_ERROR_PROTOCOL;

      if (g_error_matches (error, MW_SASL_ERROR, MW_SASL_ERROR_SERVER_SIGNATURE))
        code = MW_SMTP_ERROR_AUTH_SERVER_UNVERIFIED;
      else if (g_error_matches (error, MW_SASL_ERROR, MW_SASL_ERROR_SERVER_REJECTED))
        code = MW_SMTP_ERROR_AUTH_FAILED;

      /* Cancel the exchange (RFC 4954 section 4), then report. */
      op->deferred_error = g_error_new (MW_SMTP_ERROR, code,
                                        _ ("Login to %s was cancelled: %s (the server sent “%s”)"),
                                        self->host, error->message, quote);
      g_error_free (error);
      op->state = STATE_AUTH_CANCELLED;
      mw_connection_queue_line (self->connection, "*", NULL);
      exchange (task, 1, connect_resume);
      return;
    }

  encoded = encode_response (response);
  mw_connection_queue_line (self->connection, encoded, "****");
  explicit_bzero (encoded, strlen (encoded));
  g_free (encoded);
  exchange (task, 1, connect_resume);
}

static void
connect_resume (GTask *task)
{
  Op           *op = g_task_get_task_data (task);
  MwSmtpClient *self = op->self;
  MwSmtpReply  *reply = reply_at (op, 0);

  g_object_ref (task);

  switch (op->state)
    {
    case STATE_GREETING:
      g_clear_pointer (&self->greeting, mw_smtp_reply_free);
      self->greeting = mw_smtp_reply_copy (reply);
      if (reply->code == 220)
        send_ehlo (task, STATE_EHLO);
      else if (reply->code == 554)
        op_fail (task, reply_error (reply, MW_SMTP_ERROR_GREETING_REFUSED,
                                    _ ("The server refused the session")));
      else
        op_fail (task, reply_error (reply, MW_SMTP_ERROR_PROTOCOL,
                                    _ ("The server sent an unexpected greeting")));
      break;

    case STATE_EHLO:
    case STATE_EHLO_TLS:
      if (reply->code == 250)
        {
          g_clear_pointer (&self->caps, mw_smtp_capabilities_free);
          self->caps = mw_smtp_capabilities_parse (reply);
          self->caps->flags |= MW_SMTP_CAP_ESMTP;
          after_ehlo (task);
        }
      else if (op->state == STATE_EHLO &&
               (reply->code == 500 || reply->code == 502 || reply->code == 504 || reply->code == 550))
        {
          g_autofree char *line = g_strdup_printf ("HELO %s", self->ehlo_name);

          mw_connection_note (self->connection, MW_TRANSCRIPT_FLAG_NONE,
                              "EHLO refused: falling back to HELO (no extensions)");
          op->state = STATE_HELO;
          mw_connection_queue_line (self->connection, line, NULL);
          exchange (task, 1, connect_resume);
        }
      else
        op_fail (task, reply_error (reply, MW_SMTP_ERROR_COMMAND_FAILED,
                                    _ ("The server refused EHLO")));
      break;

    case STATE_HELO:
      if (reply->code == 250)
        {
          g_clear_pointer (&self->caps, mw_smtp_capabilities_free);
          self->caps = mw_smtp_capabilities_parse (reply);
          self->caps->flags = MW_SMTP_CAP_NONE;
          after_ehlo (task);
        }
      else
        op_fail (task, reply_error (reply, MW_SMTP_ERROR_COMMAND_FAILED,
                                    _ ("The server refused both EHLO and HELO")));
      break;

    case STATE_STARTTLS:
      if (reply->code == 220)
        mw_connection_start_tls_async (self->connection, op->cancellable, start_tls_cb, task);
      else
        op_fail (task, reply_error (reply, MW_SMTP_ERROR_STARTTLS_FAILED,
                                    _ ("The server refused STARTTLS; nothing was sent unencrypted")));
      break;

    case STATE_AUTH:
      if (reply->code == 235)
        {
          const char *mechanism = mw_sasl_get_mechanism (op->sasl);

          if (g_str_has_prefix (mechanism, "SCRAM-") && !mw_sasl_is_complete (op->sasl))
            {
              op_fail (task, reply_error (reply, MW_SMTP_ERROR_AUTH_SERVER_UNVERIFIED,
                                          _ ("The server reported a successful login without "
                                             "proving that it knows the password")));
              break;
            }
          self->authenticated = TRUE;
          g_clear_object (&op->sasl);
          connect_ready (task);
        }
      else if (reply->code == 334)
        auth_step (task, reply);
      else
        op_fail (task, auth_reply_error (self, reply));
      break;

    case STATE_AUTH_CANCELLED:
      op_fail (task, g_steal_pointer (&op->deferred_error));
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
connection_connect_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GTask  *task = user_data;
  Op     *op = g_task_get_task_data (task);
  GError *error = NULL;

  if (!mw_connection_connect_finish (MW_CONNECTION (object), result, &error))
    {
      op_fail (task, error);
      return;
    }

  op->state = STATE_GREETING;
  exchange (task, 1, connect_resume);
}

void
mw_smtp_client_connect_async (MwSmtpClient       *self,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  GTask  *task;
  Op     *op;
  GError *error = NULL;

  g_return_if_fail (MW_IS_SMTP_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (!may_start (self, FALSE, mw_smtp_client_connect_async, callback, user_data))
    return;

  task = op_new (self, OP_CONNECT, cancellable, mw_smtp_client_connect_async, callback, user_data, &op);
  self->busy = TRUE;

  mw_smtp_client_close (self);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->caps, mw_smtp_capabilities_free);
  g_clear_pointer (&self->greeting, mw_smtp_reply_free);
  g_clear_pointer (&self->mechanism_used, g_free);

  self->connection = mw_connection_new (self->host, self->port, self->transcript);
  mw_connection_set_timeout (self->connection, self->timeout);
  if (self->server_identity != NULL)
    mw_connection_set_server_identity (self->connection, self->server_identity);
  if (self->pinned_fingerprint != NULL)
    mw_connection_set_pinned_fingerprint (self->connection, self->pinned_fingerprint);
  if (self->ca_file != NULL && !mw_connection_set_ca_file (self->connection, self->ca_file, &error))
    {
      op_fail (task, error);
      return;
    }

  mw_connection_connect_async (self->connection, self->security == MW_SECURITY_TLS,
                               cancellable, connection_connect_cb, task);
}

gboolean
mw_smtp_client_connect_finish (MwSmtpClient *self,
                               GAsyncResult *result,
                               GError      **error)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Send. */

static void send_resume (GTask *task);

/* Checks an address for the envelope; sets *@non_ascii. */
static gboolean
check_address (const char *address,
               gboolean    allow_empty,
               gboolean   *non_ascii,
               GError    **error)
{
  size_t   len = strlen (address);
  gboolean quoted = FALSE;
  gboolean ok = g_utf8_validate (address, -1, NULL) && len <= MAX_PATH &&
                (allow_empty || len > 0);

  for (const char *p = address; ok && *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c < 0x20 || c == 0x7f || c == '<' || c == '>')
        ok = FALSE;
      else if (c == '"')
        quoted = !quoted;
      else if (c == ' ' && !quoted)
        ok = FALSE;
      else if (c >= 0x80)
        *non_ascii = TRUE;
    }

  if (!ok)
    {
      g_autofree char *shown = g_utf8_make_valid (address, MIN (len, 64));
      g_autofree char *escaped = g_strescape (shown, "\xc2\xa0");

      g_set_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_INVALID_ARGUMENT,
                   _ ("“%s” cannot be used as an address"), escaped);
    }
  return ok;
}

/* RFC 3461 section 4: xtext. */
static char *
xtext_encode (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (*p >= 33 && *p <= 126 && *p != '+' && *p != '=')
        g_string_append_c (out, (char) *p);
      else
        g_string_append_printf (out, "+%02X", *p);
    }
  return g_string_free (out, FALSE);
}

static char *
notify_param (MwSmtpDsnNotify notify)
{
  GString *out = g_string_new (" NOTIFY=");

  if (notify & MW_SMTP_DSN_NOTIFY_NEVER)
    g_string_append (out, "NEVER");
  else
    {
      if (notify & MW_SMTP_DSN_NOTIFY_SUCCESS)
        g_string_append (out, "SUCCESS,");
      if (notify & MW_SMTP_DSN_NOTIFY_FAILURE)
        g_string_append (out, "FAILURE,");
      if (notify & MW_SMTP_DSN_NOTIFY_DELAY)
        g_string_append (out, "DELAY,");
      g_string_truncate (out, out->len - 1);
    }
  return g_string_free (out, FALSE);
}

static void
queue_mail (GTask *task)
{
  Op           *op = g_task_get_task_data (task);
  MwSmtpClient *self = op->self;
  g_autoptr (GString) line = g_string_new (NULL);

  g_string_printf (line, "MAIL FROM:<%s>", op->from);
  if (has_cap (self, MW_SMTP_CAP_SIZE) && op->size_hint > 0)
    g_string_append_printf (line, " SIZE=%" G_GINT64_FORMAT, op->size_hint);
  if (op->flags & MW_SMTP_SEND_8BITMIME)
    g_string_append (line, " BODY=8BITMIME");
  if (op->flags & MW_SMTP_SEND_SMTPUTF8)
    g_string_append (line, " SMTPUTF8");
  if (op->use_dsn && op->ret == MW_SMTP_DSN_RET_FULL)
    g_string_append (line, " RET=FULL");
  else if (op->use_dsn && op->ret == MW_SMTP_DSN_RET_HDRS)
    g_string_append (line, " RET=HDRS");
  if (op->use_dsn && op->envid != NULL)
    {
      g_autofree char *envid = xtext_encode (op->envid);
      g_string_append_printf (line, " ENVID=%s", envid);
    }

  mw_connection_queue_line (self->connection, line->str, NULL);
}

static void
queue_rcpt (GTask *task,
            guint  index)
{
  Op              *op = g_task_get_task_data (task);
  g_autofree char *notify = NULL;
  g_autofree char *line = NULL;

  if (op->use_dsn && op->notify != MW_SMTP_DSN_NOTIFY_DEFAULT)
    notify = notify_param (op->notify);
  line = g_strdup_printf ("RCPT TO:<%s>%s", op->recipients[index], notify != NULL ? notify : "");
  mw_connection_queue_line (op->self->connection, line, NULL);
}

static gboolean
all_or_nothing (Op *op)
{
  return (op->flags & MW_SMTP_SEND_TO_ACCEPTED_ONLY) == 0;
}

static void
record_mail (Op          *op,
             MwSmtpReply *reply)
{
  g_clear_pointer (&op->result->mail_reply, mw_smtp_reply_free);
  op->result->mail_reply = mw_smtp_reply_copy (reply);
}

static void
record_rcpt (Op          *op,
             guint        index,
             MwSmtpReply *reply)
{
  MwSmtpRecipient *recipient = g_ptr_array_index (op->result->recipients, index);

  g_clear_pointer (&recipient->reply, mw_smtp_reply_free);
  recipient->reply = mw_smtp_reply_copy (reply);
  recipient->accepted = reply->code / 100 == 2;
}

static GError *
mail_error (Op          *op,
            MwSmtpReply *reply)
{
  if (reply->code == 552)
    return reply_error (reply, MW_SMTP_ERROR_MESSAGE_TOO_LARGE,
                        _ ("The server refused the message for its size"));
  return reply_error (reply, MW_SMTP_ERROR_SENDER_REFUSED,
                      _ ("The server refused the sender address"));
}

static GError *
recipients_error (Op *op)
{
  MwSmtpSendResult *result = op->result;
  guint             refused = mw_smtp_send_result_get_n_refused (result);
  guint             listed = 0;
  g_autoptr (GString) list = g_string_new (NULL);

  for (guint i = 0; i < result->recipients->len; i++)
    {
      MwSmtpRecipient *recipient = g_ptr_array_index (result->recipients, i);
      g_autofree char *quote = NULL;

      if (recipient->accepted)
        continue;
      if (listed++ == MAX_LISTED)
        {
          g_string_append_printf (list, g_dngettext (GETTEXT_PACKAGE, "; and %u more", "; and %u more", refused - MAX_LISTED),
                                  refused - MAX_LISTED);
          break;
        }
      quote = recipient->reply != NULL ? mw_smtp_reply_quote (recipient->reply) : g_strdup (_ ("no answer"));
      if (list->len > 0)
        g_string_append (list, "; ");
      g_string_append_printf (list, "<%s>: “%s”", recipient->address, quote);
    }

  return g_error_new (MW_SMTP_ERROR, MW_SMTP_ERROR_RECIPIENTS_REFUSED,
                      g_dngettext (GETTEXT_PACKAGE, "The server refused %u of %u recipients, so nothing was sent: %s",
                                   "The server refused %u of %u recipients, so nothing was sent: %s",
                                   result->recipients->len),
                      refused, result->recipients->len, list->str);
}

static void start_message (GTask *task);

/* The envelope is answered (MAIL, every RCPT, and DATA if it was in the
 * pipeline): go on or stop. */
static void
envelope_answered (GTask       *task,
                   MwSmtpReply *data_reply)
{
  Op           *op = g_task_get_task_data (task);
  MwSmtpClient *self = op->self;
  MwSmtpReply  *mail = op->result->mail_reply;
  guint         accepted = mw_smtp_send_result_get_n_accepted (op->result);
  guint         refused = mw_smtp_send_result_get_n_refused (op->result);
  GError       *error = NULL;

  if (mail->code / 100 != 2)
    error = mail_error (op, mail);
  else if (accepted == 0 || (refused > 0 && all_or_nothing (op)))
    error = recipients_error (op);

  if (error != NULL)
    {
      if (data_reply != NULL && data_reply->code == 354)
        {
          /* A server that invites the message when no recipient was
           * accepted is out of step: only closing ends it safely. */
          mw_connection_note (self->connection, MW_TRANSCRIPT_FLAG_ERROR,
                              "354 with no valid recipient: closing without sending the message");
          mw_smtp_client_close (self);
          op_fail (task, error);
          return;
        }
      rset_then_fail (task, error);
      return;
    }

  if (data_reply != NULL)
    {
      if (data_reply->code != 354)
        {
          g_clear_pointer (&op->result->final_reply, mw_smtp_reply_free);
          op->result->final_reply = mw_smtp_reply_copy (data_reply);
          rset_then_fail (task, reply_error (data_reply, MW_SMTP_ERROR_MESSAGE_REFUSED,
                                             _ ("The server refused to take the message")));
          return;
        }
      start_message (task);
      return;
    }

  if (op->result->used_chunking)
    {
      start_message (task);
      return;
    }

  op->state = STATE_DATA;
  mw_connection_queue_line (self->connection, "DATA", NULL);
  exchange (task, 1, send_resume);
}

static void read_message (GTask *task);

static void
start_message (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  op->encoder = mw_data_encoder_new (op->result->used_chunking ? MW_DATA_ENCODER_MODE_BDAT
                                                               : MW_DATA_ENCODER_MODE_DATA);
  op->chunk = g_malloc (MESSAGE_CHUNK);
  op->encoded = g_byte_array_sized_new (mw_data_encoder_max_output (MESSAGE_CHUNK));
  read_message (task);
}

static void
count_lines (Op   *op,
             guint from)
{
  for (guint i = from; i < op->encoded->len; i++)
    op->lines_out += op->encoded->data[i] == '\n' ? 1 : 0;
}

static void
note_body (Op *op)
{
  if (op->self->transcript != NULL)
    mw_transcript_append_body (op->self->transcript, MW_TRANSCRIPT_CLIENT,
                               op->lines_out, mw_data_encoder_get_bytes_out (op->encoder));
}

static void
wait_final (GTask *task)
{
  Op           *op = g_task_get_task_data (task);
  MwSmtpClient *self = op->self;

  /* From here on, a lost connection leaves the outcome unknown. */
  op->after_end = TRUE;
  op->result->bytes_sent = mw_data_encoder_get_bytes_out (op->encoder);
  if (self->final_timeout > 0 && self->timeout > 0)
    mw_connection_set_timeout (self->connection, MAX (self->timeout, self->final_timeout));
  op->state = STATE_FINAL;
  exchange (task, op->bdat_outstanding, send_resume);
}

static void bdat_pump (GTask *task);

static void
message_flush_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask  *task = user_data;
  Op     *op = g_task_get_task_data (task);
  GError *error = NULL;

  if (!mw_connection_flush_finish (MW_CONNECTION (object), result, &error))
    {
      g_prefix_error (&error, _ ("The message was not sent completely: "));
      op_fail (task, error);
      return;
    }

  g_signal_emit (op->self, signals[SIGNAL_SEND_PROGRESS], 0, op->message_bytes);

  if (op->end_sent)
    {
      note_body (op);
      wait_final (task);
      return;
    }

  if (!op->result->used_chunking)
    {
      read_message (task);
      return;
    }

  if (!op->result->used_pipelining)
    {
      /* Without pipelining each chunk waits for its answer. */
      op->bdat_outstanding = 0;
      op->state = STATE_BDAT;
      exchange (task, 1, send_resume);
      return;
    }

  bdat_pump (task);
}

/* Queues one BDAT command with the first @len encoded bytes. */
static void
queue_bdat (GTask   *task,
            size_t   len,
            gboolean last)
{
  Op              *op = g_task_get_task_data (task);
  g_autofree char *line = g_strdup_printf ("BDAT %zu%s", len, last ? " LAST" : "");

  mw_connection_queue_line (op->self->connection, line, NULL);
  mw_connection_queue_data (op->self->connection, op->encoded->data, len);
  g_byte_array_remove_range (op->encoded, 0, (guint) len);
  op->bdat_outstanding++;
  op->end_sent = last;
}

/* Sends a full chunk when more than one is encoded (so the last chunk is
 * never empty unless the message is), the rest with LAST at the end, or
 * reads more. */
static void
bdat_pump (GTask *task)
{
  Op           *op = g_task_get_task_data (task);
  MwConnection *connection = op->self->connection;

  if (op->encoded->len > op->self->bdat_chunk)
    queue_bdat (task, op->self->bdat_chunk, FALSE);
  else if (op->message_done)
    queue_bdat (task, op->encoded->len, TRUE);
  else
    {
      read_message (task);
      return;
    }

  mw_connection_flush_async (connection, op->cancellable, message_flush_cb, task);
}

static void
message_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask        *task = user_data;
  Op           *op = g_task_get_task_data (task);
  MwConnection *connection = op->self->connection;
  GError       *error = NULL;
  gssize        n;
  guint         before = op->encoded->len;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (n < 0)
    {
      /* The server must not deliver a message cut short; closing is the
       * only way to abandon DATA. */
      g_prefix_error (&error, _ ("Could not read the message to send: "));
      mw_smtp_client_close (op->self);
      op_fail (task, error);
      return;
    }

  op->message_bytes += (guint64) n;
  if (n == 0)
    {
      op->message_done = TRUE;
      mw_data_encoder_finish_to_array (op->encoder, op->encoded);
    }
  else
    mw_data_encoder_feed_to_array (op->encoder, op->chunk, (size_t) n, op->encoded);
  count_lines (op, before);

  if (op->result->used_chunking)
    {
      bdat_pump (task);
      return;
    }

  mw_connection_queue_data (connection, op->encoded->data, op->encoded->len);
  g_byte_array_set_size (op->encoded, 0);
  if (op->message_done)
    {
      op->end_sent = TRUE;
      op->bdat_outstanding = 1;
    }
  mw_connection_flush_async (connection, op->cancellable, message_flush_cb, task);
}

static void
read_message (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  g_input_stream_read_async (op->message, op->chunk, MESSAGE_CHUNK, G_PRIORITY_DEFAULT,
                             op->cancellable, message_read_cb, task);
}

static void
rset_then_fail (GTask  *task,
                GError *error)
{
  Op *op = g_task_get_task_data (task);

  g_assert (op->deferred_error == NULL);
  op->deferred_error = error;
  op->state = STATE_RSET;
  mw_connection_queue_line (op->self->connection, "RSET", NULL);
  exchange (task, 1, send_resume);
}

static GError *
final_error (MwSmtpReply *reply)
{
  if (reply->code == 552)
    return reply_error (reply, MW_SMTP_ERROR_MESSAGE_TOO_LARGE,
                        _ ("The server refused the message for its size"));
  if (reply->code / 100 == 4)
    return reply_error (reply, MW_SMTP_ERROR_MESSAGE_REFUSED,
                        _ ("The server did not accept the message for now"));
  return reply_error (reply, MW_SMTP_ERROR_MESSAGE_REFUSED,
                      _ ("The server refused the message"));
}

static void
send_resume (GTask *task)
{
  Op           *op = g_task_get_task_data (task);
  MwSmtpClient *self = op->self;
  guint         n_rcpt = g_strv_length (op->recipients);

  g_object_ref (task);

  switch (op->state)
    {
    case STATE_ENVELOPE:
      /* MAIL, every RCPT, perhaps DATA, answered in order. */
      record_mail (op, reply_at (op, 0));
      for (guint i = 0; i < n_rcpt; i++)
        record_rcpt (op, i, reply_at (op, i + 1));
      envelope_answered (task, op->pipelined_data ? reply_at (op, n_rcpt + 1) : NULL);
      break;

    case STATE_MAIL:
      record_mail (op, reply_at (op, 0));
      if (reply_at (op, 0)->code / 100 != 2)
        {
          envelope_answered (task, NULL);
          break;
        }
      op->state = STATE_RCPT;
      op->next_rcpt = 0;
      queue_rcpt (task, 0);
      exchange (task, 1, send_resume);
      break;

    case STATE_RCPT:
      record_rcpt (op, op->next_rcpt, reply_at (op, 0));
      if (++op->next_rcpt < n_rcpt)
        {
          queue_rcpt (task, op->next_rcpt);
          exchange (task, 1, send_resume);
          break;
        }
      envelope_answered (task, NULL);
      break;

    case STATE_DATA:
      envelope_answered (task, reply_at (op, 0));
      break;

    case STATE_BDAT:
      /* A chunk answered one at a time. */
      if (reply_at (op, 0)->code / 100 != 2)
        {
          g_clear_pointer (&op->result->final_reply, mw_smtp_reply_free);
          op->result->final_reply = mw_smtp_reply_copy (reply_at (op, 0));
          rset_then_fail (task, final_error (reply_at (op, 0)));
          break;
        }
      bdat_pump (task);
      break;

    case STATE_FINAL:
      {
        MwSmtpReply *decisive = reply_at (op, op->replies->len - 1);

        mw_connection_set_timeout (self->connection, self->timeout);
        /* With BDAT chunks in flight, a refused chunk decides. */
        for (guint i = 0; i < op->replies->len; i++)
          if (reply_at (op, i)->code / 100 != 2)
            {
              decisive = reply_at (op, i);
              break;
            }

        g_clear_pointer (&op->result->final_reply, mw_smtp_reply_free);
        op->result->final_reply = mw_smtp_reply_copy (decisive);
        op->after_end = FALSE;

        if (decisive->code / 100 != 2)
          {
            op_fail (task, final_error (decisive));
            break;
          }

        op_return_boolean (task);
      }
      break;

    case STATE_RSET:
      op_fail (task, g_steal_pointer (&op->deferred_error));
      break;

    default:
      g_assert_not_reached ();
    }
}

/**
 * mw_smtp_client_send_async:
 * @from: the envelope sender; "" for the null reverse-path
 * @recipients: (array zero-terminated=1): the envelope recipients, at
 *   least one
 * @message: the message, read to its end
 * @size_hint: its size in bytes, or -1 if unknown
 * @flags: what the message needs and how refused recipients are handled
 * @dsn: (nullable): delivery notifications asked for
 *
 * Runs one mail transaction. Nothing is sent if the message is larger than
 * the server's SIZE limit or needs an extension the server lacks.
 */
void
mw_smtp_client_send_async (MwSmtpClient       *self,
                           const char         *from,
                           const char *const  *recipients,
                           GInputStream       *message,
                           gint64              size_hint,
                           MwSmtpSendFlags     flags,
                           const MwSmtpDsn    *dsn,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  GTask   *task;
  Op      *op;
  GError  *error = NULL;
  gboolean non_ascii = FALSE;
  guint    n_rcpt;

  g_return_if_fail (MW_IS_SMTP_CLIENT (self));
  g_return_if_fail (from != NULL);
  g_return_if_fail (recipients != NULL && recipients[0] != NULL);
  g_return_if_fail (G_IS_INPUT_STREAM (message));
  g_return_if_fail ((flags & MW_SMTP_SEND_TO_ACCEPTED_ONLY) == 0 ||
                    (flags & MW_SMTP_SEND_ALL_OR_NOTHING) == 0);
  g_return_if_fail (dsn == NULL || dsn->envid == NULL || g_utf8_validate (dsn->envid, -1, NULL));

  if (!may_start (self, TRUE, mw_smtp_client_send_async, callback, user_data))
    return;

  task = op_new (self, OP_SEND, cancellable, mw_smtp_client_send_async, callback, user_data, &op);
  /* A cancellation after the end of the message must still say that the
   * outcome is unknown. */
  g_task_set_check_cancellable (task, FALSE);
  self->busy = TRUE;

  op->from = g_strdup (from);
  op->recipients = g_strdupv ((char **) recipients);
  op->message = g_object_ref (message);
  op->size_hint = size_hint;
  op->flags = flags;
  op->result = g_object_new (MW_TYPE_SMTP_SEND_RESULT, NULL);
  n_rcpt = g_strv_length (op->recipients);

  for (guint i = 0; i < n_rcpt; i++)
    {
      MwSmtpRecipient *recipient = g_new0 (MwSmtpRecipient, 1);

      recipient->address = g_strdup (op->recipients[i]);
      g_ptr_array_add (op->result->recipients, recipient);
    }

  if (!check_address (from, TRUE, &non_ascii, &error))
    goto fail;
  for (guint i = 0; i < n_rcpt; i++)
    if (!check_address (op->recipients[i], FALSE, &non_ascii, &error))
      goto fail;

  if (non_ascii)
    op->flags |= MW_SMTP_SEND_SMTPUTF8;

  if ((op->flags & MW_SMTP_SEND_SMTPUTF8) && !has_cap (self, MW_SMTP_CAP_SMTPUTF8))
    {
      error = g_error_new (MW_SMTP_ERROR, MW_SMTP_ERROR_UNSUPPORTED,
                           _ ("The message needs SMTPUTF8 (international addresses or headers), "
                              "which %s does not offer; nothing was sent"),
                           self->host);
      goto fail;
    }
  if ((op->flags & MW_SMTP_SEND_8BITMIME) && !has_cap (self, MW_SMTP_CAP_8BITMIME))
    {
      error = g_error_new (MW_SMTP_ERROR, MW_SMTP_ERROR_UNSUPPORTED,
                           _ ("The message has 8-bit content and %s does not offer 8BITMIME; "
                              "nothing was sent"),
                           self->host);
      goto fail;
    }

  if (has_cap (self, MW_SMTP_CAP_SIZE) && self->caps->size > 0 &&
      size_hint > 0 && (guint64) size_hint > self->caps->size)
    {
      g_autofree char *size = g_format_size ((guint64) size_hint);
      g_autofree char *limit = g_format_size (self->caps->size);

      error = g_error_new (MW_SMTP_ERROR, MW_SMTP_ERROR_MESSAGE_TOO_LARGE,
                           _ ("The message (%s) is larger than %s accepts (SIZE %" PRIu64
                              ", %s); nothing was sent"),
                           size, self->host, self->caps->size, limit);
      goto fail;
    }

  if (dsn != NULL && (dsn->notify != MW_SMTP_DSN_NOTIFY_DEFAULT ||
                      dsn->ret != MW_SMTP_DSN_RET_DEFAULT || dsn->envid != NULL))
    {
      if (has_cap (self, MW_SMTP_CAP_DSN))
        {
          op->use_dsn = TRUE;
          op->notify = dsn->notify;
          op->ret = dsn->ret;
          op->envid = g_strdup (dsn->envid);
        }
      else
        mw_connection_note (self->connection, MW_TRANSCRIPT_FLAG_NONE,
                            "The server does not offer DSN: sending without delivery notifications");
    }

  op->result->used_chunking = self->chunking == MW_SMTP_CHUNKING_AUTO &&
                              has_cap (self, MW_SMTP_CAP_CHUNKING);
  op->result->used_pipelining = self->pipelining == MW_SMTP_PIPELINING_AUTO &&
                                has_cap (self, MW_SMTP_CAP_PIPELINING);

  queue_mail (task);
  if (op->result->used_pipelining)
    {
      /* RFC 2920: MAIL, every RCPT and DATA in one group. DATA waits for
       * the recipients' answers when a refusal must stop the message,
       * and BDAT always does. */
      for (guint i = 0; i < n_rcpt; i++)
        queue_rcpt (task, i);
      op->pipelined_data = !op->result->used_chunking && !all_or_nothing (op);
      if (op->pipelined_data)
        mw_connection_queue_line (self->connection, "DATA", NULL);
      op->state = STATE_ENVELOPE;
      exchange (task, 1 + n_rcpt + (op->pipelined_data ? 1 : 0), send_resume);
      return;
    }

  op->state = STATE_MAIL;
  exchange (task, 1, send_resume);
  return;

fail:
  /* Nothing went out: the session stays as it was. */
  self->busy = FALSE;
  g_task_return_error (task, error);
  g_object_unref (task);
}

/**
 * mw_smtp_client_send_finish:
 * @out_result: (out) (optional) (transfer full) (nullable): what happened,
 *   recipient by recipient
 */
gboolean
mw_smtp_client_send_finish (MwSmtpClient      *self,
                            GAsyncResult      *result,
                            MwSmtpSendResult **out_result,
                            GError           **error)
{
  Op *op;

  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  op = g_task_get_task_data (G_TASK (result));
  if (out_result != NULL)
    *out_result = op->result != NULL ? g_object_ref (op->result) : NULL;

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Single commands. */

static void
command_resume (GTask *task)
{
  Op           *op = g_task_get_task_data (task);
  MwSmtpClient *self = op->self;
  MwSmtpReply  *reply = reply_at (op, 0);

  g_object_ref (task);

  switch (op->kind)
    {
    case OP_SIMPLE:
      if (reply->code / 100 != 2)
        {
          op_fail (task, reply_error (reply, MW_SMTP_ERROR_COMMAND_FAILED, op->command));
          return;
        }
      op_return_boolean (task);
      break;

    case OP_QUERY:
    case OP_COMMAND:
      if (op->command_is_quit)
        mw_smtp_client_close (self);
      else if (op->command_is_ehlo && reply->code == 250)
        {
          g_clear_pointer (&self->caps, mw_smtp_capabilities_free);
          self->caps = mw_smtp_capabilities_parse (reply);
          self->caps->flags |= MW_SMTP_CAP_ESMTP;
        }
      else if (op->command_is_auth)
        {
          self->sasl_response = reply->code == 334;
          if (reply->code == 235 && self->console_mechanism != NULL)
            {
              g_free (self->mechanism_used);
              self->mechanism_used = g_strdup (self->console_mechanism);
              self->authenticated = TRUE;
              mw_connection_note (self->connection, MW_TRANSCRIPT_FLAG_NONE,
                                  "Logged in with %s (typed)", self->mechanism_used);
            }
        }
      op_return_reply (task, reply);
      break;

    case OP_QUIT:
    case OP_CONNECT:
    case OP_SEND:
    default:
      g_assert_not_reached ();
    }
}

static void
start_command (MwSmtpClient       *self,
               OpKind              kind,
               const char         *line,
               GCancellable       *cancellable,
               gpointer            source_tag,
               GAsyncReadyCallback callback,
               gpointer            user_data)
{
  GTask *task;
  Op    *op;

  if (!may_start (self, TRUE, source_tag, callback, user_data))
    return;

  task = op_new (self, kind, cancellable, source_tag, callback, user_data, &op);
  self->busy = TRUE;
  op->command = g_strdup (line);
  op->state = STATE_REPLY;
  mw_connection_queue_line (self->connection, line, NULL);
  exchange (task, 1, command_resume);
}

static gboolean
argument_is_clean (const char *argument)
{
  for (const guchar *p = (const guchar *) argument; *p != '\0'; p++)
    if (*p < 0x20 || *p == 0x7f)
      return FALSE;
  return strlen (argument) <= MAX_CONSOLE_LINE - 5;
}

static void
query (MwSmtpClient       *self,
       const char         *verb,
       const char         *argument,
       GCancellable       *cancellable,
       gpointer            source_tag,
       GAsyncReadyCallback callback,
       gpointer            user_data)
{
  g_autofree char *line = NULL;

  if (argument != NULL && !argument_is_clean (argument))
    {
      g_task_report_new_error (self, callback, user_data, source_tag,
                               MW_SMTP_ERROR, MW_SMTP_ERROR_INVALID_ARGUMENT,
                               _ ("The argument of %s contains control characters or is too long"),
                               verb);
      return;
    }

  line = argument != NULL && *argument != '\0' ? g_strdup_printf ("%s %s", verb, argument)
                                               : g_strdup (verb);
  start_command (self, OP_QUERY, line, cancellable, source_tag, callback, user_data);
}

void
mw_smtp_client_vrfy_async (MwSmtpClient       *self,
                           const char         *string,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_return_if_fail (MW_IS_SMTP_CLIENT (self));
  g_return_if_fail (string != NULL);

  query (self, "VRFY", string, cancellable, mw_smtp_client_vrfy_async, callback, user_data);
}

void
mw_smtp_client_expn_async (MwSmtpClient       *self,
                           const char         *list,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_return_if_fail (MW_IS_SMTP_CLIENT (self));
  g_return_if_fail (list != NULL);

  query (self, "EXPN", list, cancellable, mw_smtp_client_expn_async, callback, user_data);
}

void
mw_smtp_client_help_async (MwSmtpClient       *self,
                           const char         *topic,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_return_if_fail (MW_IS_SMTP_CLIENT (self));

  query (self, "HELP", topic, cancellable, mw_smtp_client_help_async, callback, user_data);
}

/**
 * mw_smtp_client_query_finish:
 *
 * Returns: (transfer full) (nullable): the server's reply
 */
MwSmtpReply *
mw_smtp_client_query_finish (MwSmtpClient *self,
                             GAsyncResult *result,
                             GError      **error)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
mw_smtp_client_noop_async (MwSmtpClient       *self,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_return_if_fail (MW_IS_SMTP_CLIENT (self));

  start_command (self, OP_SIMPLE, "NOOP", cancellable, mw_smtp_client_noop_async, callback, user_data);
}

void
mw_smtp_client_rset_async (MwSmtpClient       *self,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_return_if_fail (MW_IS_SMTP_CLIENT (self));

  start_command (self, OP_SIMPLE, "RSET", cancellable, mw_smtp_client_rset_async, callback, user_data);
}

gboolean
mw_smtp_client_simple_finish (MwSmtpClient *self,
                              GAsyncResult *result,
                              GError      **error)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
quit_resume_error (GTask  *task,
                   GError *error)
{
  Op *op = g_task_get_task_data (task);

  /* A server may close at once after QUIT, or before answering it. */
  mw_smtp_client_close (op->self);
  op->self->busy = FALSE;
  if (g_error_matches (error, MW_CONNECTION_ERROR, MW_CONNECTION_ERROR_CLOSED))
    {
      g_error_free (error);
      g_task_return_boolean (task, TRUE);
    }
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

static void
quit_flush_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data);

static void
quit_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask           *task = user_data;
  GError          *error = NULL;
  g_autofree char *line = mw_connection_read_line_finish (MW_CONNECTION (object), result, NULL, &error);

  if (line == NULL)
    {
      quit_resume_error (task, error);
      return;
    }

  /* Whatever the answer, the session ends here. */
  mw_smtp_client_close (MW_SMTP_CLIENT (g_task_get_source_object (task)));
  op_return_boolean (task);
}

static void
quit_flush_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask  *task = user_data;
  Op     *op = g_task_get_task_data (task);
  GError *error = NULL;

  if (!mw_connection_flush_finish (MW_CONNECTION (object), result, &error))
    {
      quit_resume_error (task, error);
      return;
    }

  mw_connection_read_line_async (op->self->connection, op->cancellable, quit_read_cb, task);
}

void
mw_smtp_client_quit_async (MwSmtpClient       *self,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  GTask *task;
  Op    *op;

  g_return_if_fail (MW_IS_SMTP_CLIENT (self));

  if (!may_start (self, FALSE, mw_smtp_client_quit_async, callback, user_data))
    return;

  task = op_new (self, OP_QUIT, cancellable, mw_smtp_client_quit_async, callback, user_data, &op);

  if (self->connection == NULL || !mw_connection_is_connected (self->connection))
    {
      mw_smtp_client_close (self);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  /* Only the first line of the answer matters; the session ends. */
  self->busy = TRUE;
  mw_connection_queue_line (self->connection, "QUIT", NULL);
  mw_connection_flush_async (self->connection, cancellable, quit_flush_cb, task);
}

gboolean
mw_smtp_client_quit_finish (MwSmtpClient *self,
                            GAsyncResult *result,
                            GError      **error)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static const struct
{
  const char *verb;
  const char *reason;
} refused_commands[] = {
  { "DATA", N_ ("DATA is sent by Mailwire when a message is sent; the console cannot supply a message") },
  { "BDAT", N_ ("BDAT is sent by Mailwire when a message is sent; the console cannot supply a message") },
  { "STARTTLS", N_ ("STARTTLS is negotiated when connecting; choose STARTTLS as the account’s security") },
  { "TURN", N_ ("TURN reverses the roles without authentication; it was removed from the standard as unsafe (RFC 2821)") },
};

void
mw_smtp_client_command_async (MwSmtpClient       *self,
                              const char         *line,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autofree char *verb = NULL;
  g_autofree char *mechanism = NULL;
  const char      *initial = NULL;
  const char      *space;
  GTask           *task;
  Op              *op;

  g_return_if_fail (MW_IS_SMTP_CLIENT (self));
  g_return_if_fail (line != NULL);

  if ((*line == '\0' && !self->sasl_response) || !argument_is_clean (line))
    {
      g_task_report_new_error (self, callback, user_data, mw_smtp_client_command_async,
                               MW_SMTP_ERROR, MW_SMTP_ERROR_INVALID_ARGUMENT,
                               _ ("A command must be one non-empty line of at most %d characters "
                                  "without control characters"),
                               MAX_CONSOLE_LINE);
      return;
    }

  if (self->sasl_response)
    {
      /* The answer to a 334 challenge: a secret whatever it says. */
      const char *display = g_str_equal (line, "*") ? "*" : "****";

      if (!may_start (self, TRUE, mw_smtp_client_command_async, callback, user_data))
        return;
      self->sasl_response = FALSE;
      task = op_new (self, OP_COMMAND, cancellable, mw_smtp_client_command_async, callback, user_data, &op);
      self->busy = TRUE;
      op->command = g_strdup (display);
      op->command_is_auth = TRUE;
      op->state = STATE_REPLY;
      mw_connection_queue_line (self->connection, line, display);
      exchange (task, 1, command_resume);
      return;
    }

  space = strchr (line, ' ');
  verb = g_ascii_strup (line, space != NULL ? space - line : -1);
  for (size_t i = 0; i < G_N_ELEMENTS (refused_commands); i++)
    if (g_str_equal (verb, refused_commands[i].verb))
      {
        g_task_report_new_error (self, callback, user_data, mw_smtp_client_command_async,
                                 MW_SMTP_ERROR, MW_SMTP_ERROR_INVALID_ARGUMENT,
                                 "%s", _ (refused_commands[i].reason));
        return;
      }

  if (g_str_equal (verb, "AUTH") && space != NULL)
    {
      const char *args = space + strspn (space, " ");

      mechanism = g_ascii_strup (args, strcspn (args, " "));
      initial = args + strlen (mechanism);
      initial += strspn (initial, " ");
      if (*mechanism != '\0' && mw_sasl_is_plaintext (mechanism) && !self->allow_plaintext &&
          (self->connection == NULL || !mw_connection_is_tls (self->connection)))
        {
          g_task_report_new_error (self, callback, user_data, mw_smtp_client_command_async,
                                   MW_SMTP_ERROR, MW_SMTP_ERROR_PLAINTEXT_REFUSED,
                                   _ ("AUTH %s was not sent: it would send the password to %s "
                                      "unencrypted, and the account does not allow that"),
                                   mechanism, self->host);
          return;
        }
    }

  if (!may_start (self, TRUE, mw_smtp_client_command_async, callback, user_data))
    return;

  task = op_new (self, OP_COMMAND, cancellable, mw_smtp_client_command_async, callback, user_data, &op);
  self->busy = TRUE;
  op->command_is_quit = g_str_equal (verb, "QUIT");
  op->command_is_ehlo = g_str_equal (verb, "EHLO");
  op->state = STATE_REPLY;
  if (mechanism != NULL)
    {
      op->command_is_auth = TRUE;
      g_free (self->console_mechanism);
      self->console_mechanism = g_strdup (mechanism);
    }
  if (initial != NULL && *initial != '\0')
    {
      g_autofree char *display = g_strdup_printf ("AUTH %s ****", mechanism);

      op->command = g_strdup (display);
      mw_connection_queue_line (self->connection, line, display);
    }
  else
    {
      op->command = g_strdup (line);
      mw_connection_queue_line (self->connection, line, NULL);
    }
  exchange (task, 1, command_resume);
}

/**
 * mw_smtp_client_command_finish:
 *
 * Returns: (transfer full) (nullable): the whole reply
 */
MwSmtpReply *
mw_smtp_client_command_finish (MwSmtpClient *self,
                               GAsyncResult *result,
                               GError      **error)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
mw_smtp_client_get_expects_sasl_response (MwSmtpClient *self)
{
  g_return_val_if_fail (MW_IS_SMTP_CLIENT (self), FALSE);
  return self->sasl_response;
}

gboolean
mw_smtp_parse_bdat_command (const char *line,
                            guint64     max_size,
                            guint64    *out_size,
                            gboolean   *out_last)
{
  g_auto (GStrv) words = NULL;
  g_autoptr (GPtrArray) parts = g_ptr_array_new ();
  guint64 size = 0;

  g_return_val_if_fail (line != NULL, FALSE);

  words = g_strsplit_set (line, " \t", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      g_ptr_array_add (parts, words[i]);

  if (parts->len < 2 || parts->len > 3 || g_ascii_strcasecmp (parts->pdata[0], "BDAT") != 0 ||
      !g_ascii_isdigit (*(const char *) parts->pdata[1]) ||
      !g_ascii_string_to_unsigned (parts->pdata[1], 10, 0, max_size, &size, NULL) ||
      (parts->len == 3 && g_ascii_strcasecmp (parts->pdata[2], "LAST") != 0))
    return FALSE;

  if (out_size != NULL)
    *out_size = size;
  if (out_last != NULL)
    *out_last = parts->len == 3;
  return TRUE;
}
