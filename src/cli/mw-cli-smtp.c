/* mw-cli-smtp.c: mailwire-cli smtp, the ESMTP session from a terminal
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-cli-smtp.h"

#include "mw-cli-common.h"
#include "mw-protocol-commands.h"
#include "mw-data-encoder.h"
#include "mw-message-builder.h"
#include "mw-reply-explainer.h"
#include "mw-smtp-client.h"

#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The longest message the console takes after DATA. */
#define CONSOLE_MAX_DATA (16 * 1024 * 1024)

typedef struct
{
  MwCliOptions  options;
  MwTranscript *transcript;
  MwSmtpClient *client;
  MwConnection *connection; /* kept for certificate details after a failure */
  MwCliAsync    async;

  /* send */
  char  *from;
  char **to;
  char **cc;
  char **bcc;
  char  *subject;
  char **attach;
} SmtpCli;

typedef int (*SmtpCommandFunc) (SmtpCli *cli,
                                int      argc,
                                char   **argv);

typedef struct
{
  const char     *name;
  const char     *parameters;
  const char     *summary;
  SmtpCommandFunc func;
} SmtpCommand;

static void
smtp_cli_clear (SmtpCli *cli)
{
  if (cli->client != NULL)
    mw_smtp_client_close (cli->client);
  g_clear_object (&cli->client);
  g_clear_object (&cli->connection);
  g_clear_object (&cli->transcript);
  mw_cli_async_clear (&cli->async);
  mw_cli_options_clear (&cli->options);
  g_clear_pointer (&cli->from, g_free);
  g_clear_pointer (&cli->to, g_strfreev);
  g_clear_pointer (&cli->cc, g_strfreev);
  g_clear_pointer (&cli->bcc, g_strfreev);
  g_clear_pointer (&cli->subject, g_free);
  g_clear_pointer (&cli->attach, g_strfreev);
}

/* Errors. */

static gboolean
is_negative_reply (const char *line)
{
  return (line[0] == '4' || line[0] == '5') && g_ascii_isdigit (line[1]) && g_ascii_isdigit (line[2]);
}

static int
exit_code (const GError *error)
{
  if (error->domain == MW_SMTP_ERROR)
    {
      switch (error->code)
        {
        case MW_SMTP_ERROR_PROTOCOL:
        case MW_SMTP_ERROR_STARTTLS_UNAVAILABLE:
        case MW_SMTP_ERROR_STARTTLS_FAILED:
        case MW_SMTP_ERROR_NOT_CONNECTED:
        case MW_SMTP_ERROR_BUSY:
          return MW_CLI_EXIT_CONNECTION;
        case MW_SMTP_ERROR_DELIVERY_UNCERTAIN:
          return MW_CLI_EXIT_UNCERTAIN;
        case MW_SMTP_ERROR_INVALID_ARGUMENT:
          return MW_CLI_EXIT_USAGE;
        default:
          return MW_CLI_EXIT_REFUSED;
        }
    }

  if (error->domain == MW_MESSAGE_BUILDER_ERROR)
    return MW_CLI_EXIT_USAGE;

  return mw_cli_exit_code_for_error (error);
}

static gboolean
is_reply_error (const GError *error)
{
  if (error->domain != MW_SMTP_ERROR)
    return FALSE;

  switch (error->code)
    {
    case MW_SMTP_ERROR_GREETING_REFUSED:
    case MW_SMTP_ERROR_SERVICE_UNAVAILABLE:
    case MW_SMTP_ERROR_COMMAND_FAILED:
    case MW_SMTP_ERROR_STARTTLS_FAILED:
    case MW_SMTP_ERROR_AUTH_FAILED:
    case MW_SMTP_ERROR_AUTH_TOO_WEAK:
    case MW_SMTP_ERROR_AUTH_ENCRYPTION_REQUIRED:
    case MW_SMTP_ERROR_AUTH_TEMPORARY:
    case MW_SMTP_ERROR_MESSAGE_TOO_LARGE:
    case MW_SMTP_ERROR_SENDER_REFUSED:
    case MW_SMTP_ERROR_MESSAGE_REFUSED:
      return TRUE;
    default:
      return FALSE;
    }
}

static int
fail (SmtpCli      *cli,
      const GError *error)
{
  fprintf (stderr, "mailwire-cli: %s\n", error->message);

  if (is_reply_error (error))
    {
      g_autofree char *line = mw_cli_last_server_line (cli->transcript, is_negative_reply);

      mw_cli_print_explanation (MW_REPLY_PROTOCOL_SMTP, line);
    }
  else if (error->domain == MW_CONNECTION_ERROR && error->code == MW_CONNECTION_ERROR_CERTIFICATE)
    {
      mw_cli_print_certificate_problem (cli->connection);
    }

  return exit_code (error);
}

/* The session. */

static gboolean
smtp_connect (SmtpCli *cli,
              GError **error)
{
  MwCliOptions *options = &cli->options;
  char         *password = NULL;
  char         *token = NULL;

  token = mw_cli_get_oauth2_token (options, error);
  if (token == NULL && options->oauth2_token_command != NULL)
    return FALSE;
  password = mw_cli_get_password (options, error);
  if (password == NULL && error != NULL && *error != NULL)
    {
      mw_cli_free_secret (token);
      return FALSE;
    }

  cli->client = mw_smtp_client_new (options->host, mw_cli_options_get_port (options),
                                    options->security, cli->transcript);
  mw_smtp_client_set_user (cli->client, options->user);
  if (password != NULL)
    mw_smtp_client_set_password (cli->client, password);
  if (token != NULL)
    mw_smtp_client_set_oauth2_token (cli->client, token);
  mw_cli_free_secret (password);
  mw_cli_free_secret (token);

  mw_smtp_client_set_auth_mechanism (cli->client, options->auth);
  mw_smtp_client_set_allow_plaintext (cli->client, options->allow_plaintext);
  mw_smtp_client_set_pipelining (cli->client, options->no_pipelining ? MW_SMTP_PIPELINING_NEVER
                                                                     : MW_SMTP_PIPELINING_AUTO);
  mw_smtp_client_set_timeout (cli->client, options->timeout);
  if (options->fingerprint != NULL)
    mw_smtp_client_set_pinned_fingerprint (cli->client, options->fingerprint);
  if (options->ca_file != NULL)
    mw_smtp_client_set_ca_file (cli->client, options->ca_file);

  mw_smtp_client_connect_async (cli->client, NULL, mw_cli_async_cb, &cli->async);
  if (mw_smtp_client_get_connection (cli->client) != NULL)
    cli->connection = g_object_ref (mw_smtp_client_get_connection (cli->client));

  return mw_smtp_client_connect_finish (cli->client, mw_cli_async_wait (&cli->async), error);
}

#define CONNECT_OR_FAIL(cli)                   \
  G_STMT_START                                 \
  {                                            \
    g_autoptr (GError) connect_error = NULL;   \
    if (!smtp_connect ((cli), &connect_error)) \
      return fail ((cli), connect_error);      \
  }                                            \
  G_STMT_END

/* QUIT; a server that does not answer it changes nothing now. */
static void
smtp_quit (SmtpCli *cli)
{
  g_autoptr (GError) error = NULL;

  mw_smtp_client_quit_async (cli->client, NULL, mw_cli_async_cb, &cli->async);
  if (!mw_smtp_client_quit_finish (cli->client, mw_cli_async_wait (&cli->async), &error))
    g_debug ("QUIT: %s", error->message);
}

static void
print_reply_lines (const MwSmtpReply *reply,
                   FILE              *out)
{
  for (guint i = 0; reply->lines != NULL && reply->lines[i] != NULL; i++)
    fprintf (out, "%s\n", reply->lines[i]);
  fflush (out);
}

static void
explain_reply (const MwSmtpReply *reply)
{
  g_autofree char *joined = g_strjoinv ("\n", reply->lines);

  mw_cli_print_explanation (MW_REPLY_PROTOCOL_SMTP, joined);
}

/* ehlo, serverinfo. */

static int
command_ehlo (SmtpCli *cli,
              int      argc,
              char   **argv)
{
  const MwSmtpCapabilities *caps;

  if (argc > 1)
    return mw_cli_usage_error (NULL, _ ("“ehlo” takes no arguments"));

  CONNECT_OR_FAIL (cli);

  caps = mw_smtp_client_get_capabilities (cli->client);
  if (caps != NULL)
    {
      printf ("%s\n", caps->domain != NULL ? caps->domain : "");
      for (guint i = 0; caps->keywords != NULL && caps->keywords[i] != NULL; i++)
        printf ("%s\n", caps->keywords[i]);
    }
  fflush (stdout);

  smtp_quit (cli);
  return MW_CLI_EXIT_OK;
}

static void
print_tls (MwConnection *connection)
{
  MwCertificateInfo *info;

  if (connection == NULL || !mw_connection_is_tls (connection))
    {
      printf ("%s\n", _ ("Encryption: none — everything, passwords included, travels in clear"));
      return;
    }

  printf (_ ("Encryption: %s, %s\n"), mw_connection_get_tls_version (connection),
          mw_connection_get_tls_cipher (connection));

  info = mw_connection_get_certificate_info (connection);
  if (info != NULL)
    {
      g_autofree char *text = mw_certificate_info_to_string (info);
      g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

      printf ("%s\n", _ ("Certificate:"));
      for (guint i = 0; lines[i] != NULL; i++)
        printf ("  %s\n", lines[i]);
    }
}

static int
command_serverinfo (SmtpCli *cli,
                    int      argc,
                    char   **argv)
{
  const MwSmtpCapabilities *caps;
  const MwSmtpReply        *greeting;
  const char               *mechanism;

  if (argc > 1)
    return mw_cli_usage_error (NULL, _ ("“serverinfo” takes no arguments"));

  CONNECT_OR_FAIL (cli);

  printf (_ ("Server: %s port %u\n"), cli->options.host, mw_cli_options_get_port (&cli->options));
  greeting = mw_smtp_client_get_greeting (cli->client);
  if (greeting != NULL)
    {
      printf ("%s\n", _ ("Greeting:"));
      for (guint i = 0; greeting->lines != NULL && greeting->lines[i] != NULL; i++)
        printf ("  %s\n", greeting->lines[i]);
    }
  print_tls (mw_smtp_client_get_connection (cli->client));
  mechanism = mw_smtp_client_get_auth_mechanism_used (cli->client);
  if (mechanism != NULL)
    printf (_ ("Logged in with: %s\n"), mechanism);

  caps = mw_smtp_client_get_capabilities (cli->client);
  if (caps != NULL)
    {
      printf (_ ("Server name: %s\n"), caps->domain != NULL ? caps->domain : "");
      if (caps->size > 0)
        {
          g_autofree char *human = g_format_size (caps->size);

          printf (_ ("Size limit: %s (%" PRIu64 " bytes)\n"), human, caps->size);
        }
      else
        printf ("%s\n", _ ("Size limit: none stated"));
      if (caps->auth != NULL && caps->auth[0] != NULL)
        {
          g_autofree char *mechanisms = g_strjoinv (" ", caps->auth);

          printf (_ ("Login methods: %s\n"), mechanisms);
        }
      else
        printf ("%s\n", _ ("Login methods: none offered on this connection"));

      if (!(caps->flags & MW_SMTP_CAP_ESMTP))
        printf ("%s\n", _ ("The server refused EHLO: it speaks plain SMTP without extensions."));
      printf ("%s\n", _ ("Capabilities (EHLO):"));
      for (guint i = 0; caps->keywords != NULL && caps->keywords[i] != NULL; i++)
        {
          g_autofree char *explanation = mw_protocol_explain_keyword (MW_REPLY_PROTOCOL_SMTP, caps->keywords[i]);

          printf ("  %-28s %s\n", caps->keywords[i], explanation);
        }
    }
  fflush (stdout);

  smtp_quit (cli);
  return MW_CLI_EXIT_OK;
}

/* verify. */

static int
command_verify (SmtpCli *cli,
                int      argc,
                char   **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSmtpReply) reply = NULL;

  if (argc != 2)
    return mw_cli_usage_error (NULL, _ ("Usage: verify ADDRESS"));

  CONNECT_OR_FAIL (cli);

  mw_smtp_client_vrfy_async (cli->client, argv[1], NULL, mw_cli_async_cb, &cli->async);
  reply = mw_smtp_client_query_finish (cli->client, mw_cli_async_wait (&cli->async), &error);
  if (reply == NULL)
    {
      int status = fail (cli, error);

      mw_smtp_client_close (cli->client);
      return status;
    }

  print_reply_lines (reply, stdout);
  if (reply->code >= 300 || reply->code == 252)
    explain_reply (reply);

  smtp_quit (cli);
  return reply->code < 400 ? MW_CLI_EXIT_OK : MW_CLI_EXIT_REFUSED;
}

/* send. */

static GBytes *
read_input (const char *path,
            GError    **error)
{
  g_autoptr (GInputStream) in = NULL;
  g_autoptr (GOutputStream) out = NULL;

  if (path != NULL && g_strcmp0 (path, "-") != 0)
    {
      char  *contents = NULL;
      size_t len = 0;

      if (!g_file_get_contents (path, &contents, &len, error))
        return NULL;
      return g_bytes_new_take (contents, len);
    }

  in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  out = g_memory_output_stream_new_resizable ();
  if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
    {
      g_prefix_error (error, _ ("Could not read the standard input: "));
      return NULL;
    }
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static gboolean
has_8bit (GBytes *bytes)
{
  size_t        len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  for (size_t i = 0; i < len; i++)
    if (data[i] >= 0x80)
      return TRUE;
  return FALSE;
}

static GBytes *
build_message (SmtpCli  *cli,
               GBytes   *body,
               GStrv    *out_recipients,
               gboolean *out_8bit,
               gboolean *out_utf8,
               GError  **error)
{
  g_autoptr (MwMessageBuilder) builder = mw_message_builder_new ();
  g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  GBytes          *message;

  mw_message_builder_set_from (builder, NULL, cli->from);
  for (guint i = 0; cli->to != NULL && cli->to[i] != NULL; i++)
    mw_message_builder_add_to (builder, NULL, cli->to[i]);
  for (guint i = 0; cli->cc != NULL && cli->cc[i] != NULL; i++)
    mw_message_builder_add_cc (builder, NULL, cli->cc[i]);
  for (guint i = 0; cli->bcc != NULL && cli->bcc[i] != NULL; i++)
    mw_message_builder_add_bcc (builder, NULL, cli->bcc[i]);
  mw_message_builder_set_subject (builder, cli->subject != NULL ? cli->subject : "");
  mw_message_builder_set_body_text (builder, text);

  for (guint i = 0; cli->attach != NULL && cli->attach[i] != NULL; i++)
    {
      g_autoptr (GFile) file = g_file_new_for_commandline_arg (cli->attach[i]);

      mw_message_builder_add_attachment_file_async (builder, file, NULL, NULL, mw_cli_async_cb, &cli->async);
      if (!mw_message_builder_add_attachment_file_finish (builder, mw_cli_async_wait (&cli->async), error))
        {
          g_prefix_error (error, _ ("Could not attach %s: "), cli->attach[i]);
          return NULL;
        }
    }

  message = mw_message_builder_build (builder, error);
  if (message == NULL)
    return NULL;

  *out_recipients = mw_message_builder_get_envelope_recipients (builder);
  *out_8bit = mw_message_builder_needs_8bit (builder);
  *out_utf8 = mw_message_builder_needs_smtputf8 (builder);
  return message;
}

static void
print_recipients (MwSmtpSendResult *result)
{
  GPtrArray *recipients = mw_smtp_send_result_get_recipients (result);

  for (guint i = 0; recipients != NULL && i < recipients->len; i++)
    {
      MwSmtpRecipient *recipient = g_ptr_array_index (recipients, i);
      g_autofree char *quote = recipient->reply != NULL ? mw_smtp_reply_quote (recipient->reply) : NULL;

      if (recipient->accepted)
        printf (_ ("%s: accepted: %s\n"), recipient->address, quote != NULL ? quote : "");
      else if (quote != NULL)
        printf (_ ("%s: refused: %s\n"), recipient->address, quote);
      else
        printf (_ ("%s: not answered\n"), recipient->address);
      fflush (stdout);

      if (!recipient->accepted && recipient->reply != NULL)
        {
          fprintf (stderr, "%s:\n", recipient->address);
          explain_reply (recipient->reply);
        }
    }
}

static int
command_send (SmtpCli *cli,
              int      argc,
              char   **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) input = NULL;
  g_autoptr (GBytes) message = NULL;
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (MwSmtpSendResult) result = NULL;
  g_auto (GStrv) recipients = NULL;
  MwSmtpSendFlags flags = MW_SMTP_SEND_TO_ACCEPTED_ONLY;
  gboolean        build = cli->subject != NULL || cli->attach != NULL;
  gboolean        eight_bit = FALSE;
  gboolean        utf8 = FALSE;
  gboolean        sent;
  MwSmtpReply    *final;

  if (argc > 2)
    return mw_cli_usage_error (NULL, _ ("Usage: send --from ADDRESS --to ADDRESS… [FILE|-]"));
  if (cli->from == NULL)
    return mw_cli_usage_error (NULL, _ ("“send” needs --from ADDRESS"));
  if (cli->to == NULL && cli->cc == NULL && cli->bcc == NULL)
    return mw_cli_usage_error (NULL, _ ("“send” needs at least one --to, --cc or --bcc"));

  input = read_input (argc == 2 ? argv[1] : NULL, &error);
  if (input == NULL)
    return fail (cli, error);

  if (build)
    {
      message = build_message (cli, input, &recipients, &eight_bit, &utf8, &error);
      if (message == NULL)
        return fail (cli, error);
    }
  else
    {
      g_autoptr (GStrvBuilder) all = g_strv_builder_new ();

      g_strv_builder_addv (all, (const char **) (cli->to != NULL ? cli->to : (char *[]){ NULL }));
      g_strv_builder_addv (all, (const char **) (cli->cc != NULL ? cli->cc : (char *[]){ NULL }));
      g_strv_builder_addv (all, (const char **) (cli->bcc != NULL ? cli->bcc : (char *[]){ NULL }));
      recipients = g_strv_builder_end (all);
      message = g_bytes_ref (input);
      eight_bit = has_8bit (message);
      for (guint i = 0; recipients[i] != NULL; i++)
        if (!g_str_is_ascii (recipients[i]))
          utf8 = TRUE;
      if (!g_str_is_ascii (cli->from))
        utf8 = TRUE;
    }

  if (eight_bit)
    flags |= MW_SMTP_SEND_8BITMIME;
  if (utf8)
    flags |= MW_SMTP_SEND_SMTPUTF8;

  CONNECT_OR_FAIL (cli);

  stream = g_memory_input_stream_new_from_bytes (message);
  mw_smtp_client_send_async (cli->client, cli->from, (const char *const *) recipients, stream,
                             (gint64) g_bytes_get_size (message), flags, NULL, NULL,
                             mw_cli_async_cb, &cli->async);
  sent = mw_smtp_client_send_finish (cli->client, mw_cli_async_wait (&cli->async), &result, &error);

  if (result != NULL)
    print_recipients (result);

  if (!sent)
    {
      int status;

      if (error->domain == MW_SMTP_ERROR && error->code == MW_SMTP_ERROR_DELIVERY_UNCERTAIN)
        {
          fprintf (stderr, "mailwire-cli: %s\n", error->message);
          fprintf (stderr, "%s\n", _ ("mailwire-cli: The whole message was sent, but the connection ended "
                                      "before the server answered: the message may or may not have been "
                                      "delivered. It was NOT sent again; check with a recipient before "
                                      "sending it once more."));
          mw_smtp_client_close (cli->client);
          return MW_CLI_EXIT_UNCERTAIN;
        }

      fprintf (stderr, "mailwire-cli: %s\n", error->message);
      final = result != NULL ? mw_smtp_send_result_get_final_reply (result) : NULL;
      if (final == NULL && result != NULL && error->code == MW_SMTP_ERROR_SENDER_REFUSED)
        final = mw_smtp_send_result_get_mail_reply (result);
      if (final != NULL)
        explain_reply (final);
      else if (is_reply_error (error))
        {
          g_autofree char *line = mw_cli_last_server_line (cli->transcript, is_negative_reply);

          mw_cli_print_explanation (MW_REPLY_PROTOCOL_SMTP, line);
        }
      else if (error->domain == MW_CONNECTION_ERROR && error->code == MW_CONNECTION_ERROR_CERTIFICATE)
        mw_cli_print_certificate_problem (cli->connection);

      status = exit_code (error);
      if (error->domain == MW_SMTP_ERROR && error->code == MW_SMTP_ERROR_RECIPIENTS_REFUSED)
        status = MW_CLI_EXIT_REFUSED;
      smtp_quit (cli);
      return status;
    }

  final = mw_smtp_send_result_get_final_reply (result);
  if (final != NULL)
    {
      g_autofree char *quote = mw_smtp_reply_quote (final);

      printf (_ ("Message accepted for %u of %u recipients: %s\n"),
              mw_smtp_send_result_get_n_accepted (result),
              mw_smtp_send_result_get_n_accepted (result) + mw_smtp_send_result_get_n_refused (result),
              quote);
    }
  fflush (stdout);

  smtp_quit (cli);
  return MW_CLI_EXIT_OK;
}

/* console. */

static void
console_help (const char *topic)
{
  if (topic == NULL || *topic == '\0')
    {
      printf ("%s\n", _ ("Type SMTP commands as you would over telnet; Mailwire sends them over the "
                         "session it opened (TLS and login done) and prints the replies."));
      printf ("%s\n", _ ("“help COMMAND” explains one command; HELP in capitals asks the server."));
      printf ("%s\n", _ ("Commands:"));
      mw_cli_print_command_list (MW_REPLY_PROTOCOL_SMTP);
      return;
    }

  if (mw_cli_print_command_help (MW_REPLY_PROTOCOL_SMTP, topic))
    return;

  printf (_ ("“%s” is not an SMTP command Mailwire knows. Type “help” for the list.\n"), topic);
}

static char *
read_input_line (SmtpCli          *cli,
                 GDataInputStream *data,
                 GError          **error)
{
  g_data_input_stream_read_line_async (data, G_PRIORITY_DEFAULT, NULL, mw_cli_async_cb, &cli->async);
  return g_data_input_stream_read_line_finish (data, mw_cli_async_wait (&cli->async), NULL, error);
}

/* Reads one whole reply straight from the connection. */
static GPtrArray *
read_reply (SmtpCli *cli,
            GError **error)
{
  MwConnection *connection = mw_smtp_client_get_connection (cli->client);
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  while (lines->len < MW_SMTP_MAX_REPLY_LINES)
    {
      char *line;

      mw_connection_read_line_async (connection, NULL, mw_cli_async_cb, &cli->async);
      line = mw_connection_read_line_finish (connection, mw_cli_async_wait (&cli->async), NULL, error);
      if (line == NULL)
        return NULL;
      g_ptr_array_add (lines, line);
      if (strlen (line) < 3 || !g_ascii_isdigit (line[0]) || !g_ascii_isdigit (line[1]) ||
          !g_ascii_isdigit (line[2]))
        {
          g_set_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_PROTOCOL,
                       _ ("The server sent a reply without a code: “%s”"), line);
          return NULL;
        }
      if (line[3] != '-')
        {
          g_ptr_array_add (lines, NULL);
          return g_steal_pointer (&lines);
        }
    }

  g_set_error (error, MW_SMTP_ERROR, MW_SMTP_ERROR_PROTOCOL, _ ("The server sent a reply of too many lines"));
  return NULL;
}

static gboolean
flush_connection (SmtpCli *cli,
                  GError **error)
{
  MwConnection *connection = mw_smtp_client_get_connection (cli->client);

  mw_connection_flush_async (connection, NULL, mw_cli_async_cb, &cli->async);
  return mw_connection_flush_finish (connection, mw_cli_async_wait (&cli->async), error);
}

static void
print_console_reply (GPtrArray *lines)
{
  for (guint i = 0; i < lines->len && g_ptr_array_index (lines, i) != NULL; i++)
    printf ("%s\n", (const char *) g_ptr_array_index (lines, i));
  fflush (stdout);

  if (lines->len > 0 && is_negative_reply (g_ptr_array_index (lines, 0)))
    {
      g_autofree char *joined = g_strjoinv ("\n", (char **) lines->pdata);

      mw_cli_print_explanation (MW_REPLY_PROTOCOL_SMTP, joined);
    }
}

/* DATA by hand: the console sends DATA itself and, after 354, the lines
 * typed up to a lone ".", with CRLF line ends and dot-stuffing. */
static gboolean
console_data (SmtpCli          *cli,
              GDataInputStream *data,
              GError          **error)
{
  MwConnection *connection = mw_smtp_client_get_connection (cli->client);
  g_autoptr (GPtrArray) reply = NULL;
  g_autoptr (MwDataEncoder) encoder = NULL;
  g_autoptr (GByteArray) out = NULL;
  guint64 lines = 0;

  if (connection == NULL || !mw_smtp_client_is_connected (cli->client))
    {
      g_set_error_literal (error, MW_SMTP_ERROR, MW_SMTP_ERROR_NOT_CONNECTED, _ ("The session has ended"));
      return FALSE;
    }

  mw_connection_queue_line (connection, "DATA", NULL);
  if (!flush_connection (cli, error))
    return FALSE;
  reply = read_reply (cli, error);
  if (reply == NULL)
    return FALSE;
  print_console_reply (reply);
  if (!g_str_has_prefix (g_ptr_array_index (reply, 0), "354"))
    return TRUE;

  fprintf (stderr, "%s\n", _ ("Type the message; end it with a line holding only “.”."));

  encoder = mw_data_encoder_new (MW_DATA_ENCODER_MODE_DATA);
  out = g_byte_array_new ();
  for (;;)
    {
      g_autofree char *line = read_input_line (cli, data, error);
      size_t           len;

      if (line == NULL)
        {
          if (error != NULL && *error != NULL)
            return FALSE;
          /* The input ended inside the message: it is not sent. */
          g_set_error_literal (error, MW_SMTP_ERROR, MW_SMTP_ERROR_INVALID_ARGUMENT,
                               _ ("The input ended before the line with a single “.”: the message was not finished, so the session is closed without sending it"));
          mw_smtp_client_close (cli->client);
          return FALSE;
        }

      len = strlen (line);
      if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
      if (g_str_equal (line, "."))
        break;

      if (out->len + len + 2 > CONSOLE_MAX_DATA)
        {
          g_set_error_literal (error, MW_SMTP_ERROR, MW_SMTP_ERROR_INVALID_ARGUMENT,
                               _ ("The message typed is too long for the console"));
          mw_smtp_client_close (cli->client);
          return FALSE;
        }
      mw_data_encoder_feed_to_array (encoder, (const guint8 *) line, len, out);
      mw_data_encoder_feed_to_array (encoder, (const guint8 *) "\r\n", 2, out);
      lines++;
    }
  mw_data_encoder_finish_to_array (encoder, out);

  mw_transcript_append_body (cli->transcript, MW_TRANSCRIPT_CLIENT, lines, out->len);
  mw_connection_queue_data (connection, out->data, out->len);
  if (!flush_connection (cli, error))
    return FALSE;

  g_clear_pointer (&reply, g_ptr_array_unref);
  reply = read_reply (cli, error);
  if (reply == NULL)
    return FALSE;
  print_console_reply (reply);
  return TRUE;
}

/* BDAT by hand (RFC 3030): the lines typed after "BDAT n [LAST]" make the
 * chunk, each with CRLF and nothing else changed. The command and its chunk
 * go out together once the lines come to exactly n bytes, so a count that
 * does not match sends nothing. FALSE only when the session failed. */
static gboolean
console_bdat (SmtpCli          *cli,
              GDataInputStream *data,
              const char       *typed,
              GError          **error)
{
  MwConnection             *connection = mw_smtp_client_get_connection (cli->client);
  const MwSmtpCapabilities *caps = mw_smtp_client_get_capabilities (cli->client);
  g_autoptr (GPtrArray) reply = NULL;
  g_autoptr (GByteArray) chunk = g_byte_array_new ();
  g_autofree char *command = NULL;
  gboolean         last = FALSE;
  guint64          size = 0;
  guint64          lines = 0;

  if (connection == NULL || !mw_smtp_client_is_connected (cli->client))
    {
      g_set_error_literal (error, MW_SMTP_ERROR, MW_SMTP_ERROR_NOT_CONNECTED, _ ("The session has ended"));
      return FALSE;
    }
  if (caps == NULL || !(caps->flags & MW_SMTP_CAP_CHUNKING))
    {
      fprintf (stderr, "%s\n", _ ("mailwire-cli: BDAT is not sent: the server does not offer CHUNKING, and would read the chunk as commands."));
      return TRUE;
    }
  if (!mw_smtp_parse_bdat_command (typed, CONSOLE_MAX_DATA, &size, &last))
    {
      fprintf (stderr, _ ("mailwire-cli: Usage: BDAT SIZE [LAST], SIZE at most %d bytes; the lines typed next make the chunk, each counted with its CRLF.\n"),
               CONSOLE_MAX_DATA);
      return TRUE;
    }

  if (size > 0)
    fprintf (stderr, _ ("Type the chunk: %" PRIu64 " bytes, each line counted with its CRLF.\n"), size);
  while (chunk->len < size)
    {
      g_autofree char *line = read_input_line (cli, data, error);
      size_t           len;

      if (line == NULL)
        {
          if (error != NULL && *error != NULL)
            return FALSE;
          g_set_error_literal (error, MW_SMTP_ERROR, MW_SMTP_ERROR_INVALID_ARGUMENT,
                               _ ("The input ended inside the BDAT chunk: nothing of it was sent, and the session is closed"));
          mw_smtp_client_close (cli->client);
          return FALSE;
        }
      len = strlen (line);
      if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
      if (chunk->len + len + 2 > size)
        {
          fprintf (stderr, _ ("mailwire-cli: The chunk typed comes to %" PRIu64 " bytes, more than the %" PRIu64 " BDAT announced; nothing was sent.\n"),
                   (guint64) (chunk->len + len + 2), size);
          return TRUE;
        }
      g_byte_array_append (chunk, (const guint8 *) line, len);
      g_byte_array_append (chunk, (const guint8 *) "\r\n", 2);
      lines++;
    }

  command = g_strdup_printf ("BDAT %" G_GUINT64_FORMAT "%s", size, last ? " LAST" : "");
  mw_connection_queue_line (connection, command, NULL);
  mw_transcript_append_body (cli->transcript, MW_TRANSCRIPT_CLIENT, lines, chunk->len);
  mw_connection_queue_data (connection, chunk->data, chunk->len);
  if (!flush_connection (cli, error))
    return FALSE;
  reply = read_reply (cli, error);
  if (reply == NULL)
    return FALSE;
  print_console_reply (reply);
  return TRUE;
}

static int
command_console (SmtpCli *cli,
                 int      argc,
                 char   **argv)
{
  g_autoptr (GInputStream) in = NULL;
  g_autoptr (GDataInputStream) data = NULL;
  const MwSmtpReply *greeting;
  gboolean           ended = FALSE;
  gboolean           in_transaction = FALSE; /* MAIL accepted, message not sent */

  if (argc > 1)
    return mw_cli_usage_error (NULL, _ ("“console” takes no arguments"));

  CONNECT_OR_FAIL (cli);

  greeting = mw_smtp_client_get_greeting (cli->client);
  if (greeting != NULL)
    print_reply_lines (greeting, stdout);
  if (mw_smtp_client_is_authenticated (cli->client))
    fprintf (stderr, "%s\n", _ ("Connected (EHLO sent) and logged in. Type “help” for the commands, QUIT to end."));
  else
    fprintf (stderr, "%s\n", _ ("Connected (EHLO sent), not logged in: AUTH may be typed. Type “help” "
                                "for the commands, QUIT to end."));

  in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  data = g_data_input_stream_new (in);
  g_data_input_stream_set_newline_type (data, G_DATA_STREAM_NEWLINE_TYPE_LF);

  while (!ended)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (MwSmtpReply) reply = NULL;
      gboolean         sasl_response = mw_smtp_client_get_expects_sasl_response (cli->client);
      gboolean         was_authenticated = mw_smtp_client_is_authenticated (cli->client);
      g_autofree char *line = read_input_line (cli, data, &error);
      g_autofree char *verb = NULL;
      const char      *args;

      if (line == NULL)
        {
          if (error != NULL)
            fprintf (stderr, _ ("mailwire-cli: Could not read the input: %s\n"), error->message);
          break;
        }

      g_strstrip (line);
      if (line[0] == '\0' && !sasl_response)
        continue;

      args = line + strcspn (line, " ");
      verb = g_ascii_strup (line, args - line);
      while (*args == ' ')
        args++;

      /* "help" is the console's; "HELP" goes to the server. A line
       * answering a login challenge goes as typed. */
      if (!sasl_response && strncmp (line, "help", 4) == 0 && (line[4] == '\0' || line[4] == ' '))
        {
          console_help (args);
          fflush (stdout);
          continue;
        }

      if (g_str_equal (verb, "TURN") && !sasl_response)
        {
          fprintf (stderr, "%s\n", _ ("mailwire-cli: TURN is not sent: it reverses the roles without "
                                      "authentication and was removed from the standard as unsafe "
                                      "(RFC 2821)."));
          continue;
        }
      if (g_str_equal (verb, "BDAT") && !sasl_response)
        {
          gboolean last_chunk = FALSE;

          if (!console_bdat (cli, data, line, &error))
            {
              if (error->domain == MW_SMTP_ERROR && error->code == MW_SMTP_ERROR_INVALID_ARGUMENT)
                {
                  fprintf (stderr, "mailwire-cli: %s\n", error->message);
                  return MW_CLI_EXIT_USAGE;
                }
              return fail (cli, error);
            }
          /* BDAT LAST ends the message, whatever the reply. */
          if (mw_smtp_parse_bdat_command (line, G_MAXUINT64, NULL, &last_chunk) && last_chunk)
            in_transaction = FALSE;
          continue;
        }
      if (g_str_equal (verb, "ATRN"))
        fprintf (stderr, "%s\n", _ ("Note: after ATRN the server would expect Mailwire to act as a "
                                    "server; Mailwire does not switch roles."));

      if (g_str_equal (verb, "DATA") && *args == '\0' && !sasl_response)
        {
          if (!console_data (cli, data, &error))
            {
              if (error->domain == MW_SMTP_ERROR && error->code == MW_SMTP_ERROR_INVALID_ARGUMENT)
                {
                  fprintf (stderr, "mailwire-cli: %s\n", error->message);
                  return MW_CLI_EXIT_USAGE;
                }
              return fail (cli, error);
            }
          /* Sent or refused at its end: either way the envelope is gone. */
          in_transaction = FALSE;
          continue;
        }

      if (in_transaction && !sasl_response && (g_str_equal (verb, "RSET") || g_str_equal (verb, "QUIT")))
        {
          const char *warning = g_str_equal (verb, "RSET")
                                  ? _ ("Note: RSET discards the sender and recipients given so far; no message is sent.")
                                  : _ ("Note: QUIT ends the session before DATA: the message begun with MAIL FROM is not sent.");

          if (!mw_cli_console_confirm (data, &cli->async, warning))
            continue;
        }

      mw_smtp_client_command_async (cli->client, line, NULL, mw_cli_async_cb, &cli->async);
      reply = mw_smtp_client_command_finish (cli->client, mw_cli_async_wait (&cli->async), &error);
      if (reply == NULL)
        {
          if (error->domain == MW_SMTP_ERROR && error->code == MW_SMTP_ERROR_INVALID_ARGUMENT)
            {
              fprintf (stderr, "mailwire-cli: %s\n", error->message);
              continue;
            }
          if (g_error_matches (error, MW_SMTP_ERROR, MW_SMTP_ERROR_PLAINTEXT_REFUSED))
            {
              fprintf (stderr, "mailwire-cli: %s\n", error->message);
              fprintf (stderr, "  %s\n", _ ("Connect with --security tls or starttls; to send the "
                                            "password in clear anyway, add --allow-plaintext."));
              continue;
            }
          return fail (cli, error);
        }

      print_reply_lines (reply, stdout);
      if (reply->code >= 400)
        explain_reply (reply);
      if (mw_smtp_client_get_expects_sasl_response (cli->client))
        fprintf (stderr, "%s\n", _ ("The server asks for the next step of the login: type the base64 "
                                    "response (it is not shown in the transcript), or “*” to cancel."));
      if (!was_authenticated && mw_smtp_client_is_authenticated (cli->client))
        fprintf (stderr, _ ("Logged in with %s.\n"), mw_smtp_client_get_auth_mechanism_used (cli->client));

      if (!sasl_response && g_str_equal (verb, "MAIL") && reply->code == 250)
        in_transaction = TRUE;
      else if (!sasl_response && (g_str_equal (verb, "RSET") || g_str_equal (verb, "EHLO") ||
                                  g_str_equal (verb, "HELO")))
        in_transaction = FALSE;

      if (g_str_equal (verb, "QUIT") || reply->code == 421)
        ended = TRUE;
    }

  if (!ended)
    smtp_quit (cli);

  return MW_CLI_EXIT_OK;
}

/* The command line. */

static const SmtpCommand commands[] = {
  { "ehlo", "", N_ ("Print the server’s EHLO capabilities"), command_ehlo },
  { "serverinfo", "", N_ ("Explain the server: greeting, capabilities, size limit, TLS, certificate"), command_serverinfo },
  { "send", "--from ADDR --to ADDR… [FILE|-]", N_ ("Send a message, with a result for every recipient"), command_send },
  { "verify", "ADDRESS", N_ ("Ask the server about an address (VRFY)"), command_verify },
  { "console", "", N_ ("Type SMTP commands by hand, as with telnet but over TLS"), command_console },
};

static char *
commands_description (void)
{
  GString *out = g_string_new (_ ("Commands:"));

  g_string_append_c (out, '\n');
  for (size_t i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (out, "  %-11s %s\n", commands[i].name, _ (commands[i].summary));
  g_string_append (out, _ ("\n“mailwire-cli smtp COMMAND --help” tells more about each.\n"
                           "Exit status: 0 done, 1 refused by the server, 2 usage, 3 connection or "
                           "protocol problem, 4 delivery uncertain (the message may or may not have "
                           "arrived)."));
  return g_string_free (out, FALSE);
}

static GOptionContext *
command_context (SmtpCli           *cli,
                 const SmtpCommand *command)
{
  const GOptionEntry send_entries[] = {
    { "from", 'f', 0, G_OPTION_ARG_STRING, &cli->from, N_ ("The sender’s address"), N_ ("ADDRESS") },
    { "to", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cli->to, N_ ("A recipient (repeatable)"), N_ ("ADDRESS") },
    { "cc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cli->cc, N_ ("A copy recipient (repeatable)"), N_ ("ADDRESS") },
    { "bcc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cli->bcc,
      N_ ("A hidden recipient, left out of the headers (repeatable)"), N_ ("ADDRESS") },
    { "subject", 0, 0, G_OPTION_ARG_STRING, &cli->subject,
      N_ ("Build the message: FILE is then its body text"), N_ ("TEXT") },
    { "attach", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &cli->attach,
      N_ ("Attach a file to the built message (repeatable)"), N_ ("FILE") },
    { NULL }
  };
  g_autofree char *parameters = g_strdup_printf ("%s %s", command->name, command->parameters);
  GOptionContext  *context = g_option_context_new (parameters);

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _ (command->summary));
  if (command->func == command_send)
    g_option_context_add_main_entries (context, send_entries, GETTEXT_PACKAGE);
  else if (command->func == command_console)
    g_option_context_set_description (context, _ ("Without --user the console starts before login: type AUTH. Login "
                                                  "responses never appear in the transcript.\n"
                                                  "Before RSET and QUIT while a message is begun (MAIL FROM accepted), "
                                                  "the console prints a warning on standard error. When standard input "
                                                  "is a terminal it then asks for confirmation; otherwise (a pipe or a "
                                                  "file) it goes on without asking."));
  g_option_context_add_group (context, mw_cli_options_get_group (&cli->options));

  return context;
}

int
mw_cli_smtp_main (int    argc,
                  char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GOptionContext) sub_context = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char   *description = commands_description ();
  const SmtpCommand *command = NULL;
  SmtpCli            cli = { 0 };
  int                sub_argc;
  char             **sub_argv;
  int                status;

  mw_cli_options_init (&cli.options, MW_CLI_PROTOCOL_SMTP);

  context = g_option_context_new (_ ("COMMAND [ARGUMENTS…]"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _ ("Talk to an SMTP server: look at what it offers, send "
                                            "messages, or type commands by hand."));
  g_option_context_set_description (context, description);
  g_option_context_set_strict_posix (context, TRUE);
  g_option_context_set_main_group (context, mw_cli_options_get_group (&cli.options));

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      status = mw_cli_usage_error (context, "%s", error->message);
      smtp_cli_clear (&cli);
      return status;
    }

  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      fprintf (stderr, "%s", help);
      smtp_cli_clear (&cli);
      return MW_CLI_EXIT_USAGE;
    }

  for (size_t i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      command = &commands[i];

  if (command == NULL)
    {
      status = mw_cli_usage_error (context, _ ("Unknown SMTP command “%s”"), argv[1]);
      smtp_cli_clear (&cli);
      return status;
    }

  sub_context = command_context (&cli, command);
  sub_argc = argc - 1;
  sub_argv = argv + 1;
  if (!g_option_context_parse (sub_context, &sub_argc, &sub_argv, &error) ||
      !mw_cli_options_finish (&cli.options, &error))
    {
      status = mw_cli_usage_error (sub_context, "%s", error->message);
      smtp_cli_clear (&cli);
      return status;
    }

  cli.transcript = mw_transcript_new (MW_TRANSCRIPT_DEFAULT_MAX_ENTRIES);
  if (cli.options.transcript)
    mw_cli_print_transcript (cli.transcript);

  status = command->func (&cli, sub_argc, sub_argv);
  smtp_cli_clear (&cli);
  return status;
}
