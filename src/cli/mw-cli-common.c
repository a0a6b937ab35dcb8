/* mw-cli-common.c: what every mailwire-cli command shares
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-cli-common.h"
#include "mw-protocol-commands.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* Secrets are short; anything longer is not a password file. */
#define MAX_SECRET 8192

void
mw_cli_options_init (MwCliOptions *options,
                     MwCliProtocol protocol)
{
  memset (options, 0, sizeof *options);
  options->protocol = protocol;
  options->timeout = MW_CONNECTION_DEFAULT_TIMEOUT;
  options->security = MW_SECURITY_TLS;
}

void
mw_cli_options_clear (MwCliOptions *options)
{
  g_clear_pointer (&options->host, g_free);
  g_clear_pointer (&options->security_name, g_free);
  g_clear_pointer (&options->user, g_free);
  g_clear_pointer (&options->password_file, g_free);
  g_clear_pointer (&options->password_env, g_free);
  g_clear_pointer (&options->auth, g_free);
  g_clear_pointer (&options->fingerprint, g_free);
  g_clear_pointer (&options->ca_file, g_free);
  g_clear_pointer (&options->oauth2_token_command, g_free);
}

GOptionGroup *
mw_cli_options_get_group (MwCliOptions *options)
{
  const GOptionEntry entries[] = {
    { "host", 'H', 0, G_OPTION_ARG_STRING, &options->host,
      N_ ("The server’s host name or address"), N_ ("HOST") },
    { "port", 'p', 0, G_OPTION_ARG_INT, &options->port,
      N_ ("The server’s port (default: from the security)"), N_ ("PORT") },
    { "security", 's', 0, G_OPTION_ARG_STRING, &options->security_name,
      N_ ("tls (default), starttls or none"), N_ ("MODE") },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &options->user,
      N_ ("Log in as this user"), N_ ("USER") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &options->password_file,
      N_ ("Read the password from the first line of FILE"), N_ ("FILE") },
    { "password-env", 0, 0, G_OPTION_ARG_STRING, &options->password_env,
      N_ ("Read the password from environment variable VAR"), N_ ("VAR") },
    { "auth", 'a', 0, G_OPTION_ARG_STRING, &options->auth,
      N_ ("Use this login mechanism (default: the strongest offered)"), N_ ("MECH") },
    { "fingerprint", 0, 0, G_OPTION_ARG_STRING, &options->fingerprint,
      N_ ("Trust the certificate with this SHA-256 fingerprint"), N_ ("SHA256") },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &options->ca_file,
      N_ ("Trust the certificate authorities in this PEM file"), N_ ("FILE") },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &options->timeout,
      N_ ("Give up after this many seconds without an answer (default: 60)"), N_ ("SECONDS") },
    { "no-pipelining", 0, 0, G_OPTION_ARG_NONE, &options->no_pipelining,
      N_ ("Send one command at a time"), NULL },
    { "transcript", 'v', 0, G_OPTION_ARG_NONE, &options->transcript,
      N_ ("Show the exchange with the server on standard error"), NULL },
    { "allow-plaintext", 0, 0, G_OPTION_ARG_NONE, &options->allow_plaintext,
      N_ ("Allow sending the password over an unencrypted connection"), NULL },
    { "oauth2-token-command", 0, 0, G_OPTION_ARG_STRING, &options->oauth2_token_command,
      N_ ("Log in with OAuth2, with the access token this command prints"), N_ ("COMMAND") },
    { NULL }
  };
  GOptionGroup *group;

  group = g_option_group_new ("connection", _ ("Connection options:"),
                              _ ("Show connection options"), NULL, NULL);
  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);

  return group;
}

gboolean
mw_cli_options_finish (MwCliOptions *options,
                       GError      **error)
{
  if (options->host == NULL || options->host[0] == '\0')
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _ ("No server given: use --host HOST"));
      return FALSE;
    }

  if (options->security_name != NULL &&
      !mw_security_from_string (options->security_name, &options->security))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("Unknown security “%s”: use tls, starttls or none"),
                   options->security_name);
      return FALSE;
    }

  if (options->port < 0 || options->port > 65535)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("The port must be between 1 and 65535, not %d"), options->port);
      return FALSE;
    }

  if (options->timeout < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("The timeout cannot be negative"));
      return FALSE;
    }

  if (options->password_file != NULL && options->password_env != NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _ ("Give either --password-file or --password-env, not both"));
      return FALSE;
    }

  if (options->fingerprint != NULL)
    {
      g_autofree char *normalized = mw_fingerprint_normalize (options->fingerprint);

      if (normalized == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _ ("“%s” is not a SHA-256 fingerprint (64 hexadecimal digits)"),
                       options->fingerprint);
          return FALSE;
        }
    }

  return TRUE;
}

guint16
mw_cli_options_get_port (MwCliOptions *options)
{
  if (options->port > 0)
    return options->port;

  if (options->protocol == MW_CLI_PROTOCOL_POP3)
    return options->security == MW_SECURITY_TLS ? 995 : 110;

  switch (options->security)
    {
    case MW_SECURITY_TLS:
      return 465;
    case MW_SECURITY_STARTTLS:
      return 587;
    case MW_SECURITY_NONE:
    default:
      return 25;
    }
}

void
mw_cli_free_secret (char *secret)
{
  if (secret == NULL)
    return;

  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

/* Keeps the first line only. */
static void
cut_at_line_end (char *text)
{
  text[strcspn (text, "\r\n")] = '\0';
}

static char *
read_password_file (const char *path,
                    GError    **error)
{
  char  *contents = NULL;
  size_t len = 0;

  if (!g_file_get_contents (path, &contents, &len, error))
    {
      g_prefix_error (error, _ ("Could not read the password file: "));
      return NULL;
    }

  if (len > MAX_SECRET || memchr (contents, '\0', len) != NULL)
    {
      explicit_bzero (contents, len);
      g_free (contents);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("%s does not look like a password file"), path);
      return NULL;
    }

  cut_at_line_end (contents);
  return contents;
}

static char *
prompt_password (const char *prompt,
                 GError    **error)
{
  struct termios saved;
  struct termios quiet;
  char           buffer[1024];
  char          *result = NULL;
  FILE          *tty;
  int            fd;

  fd = open ("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _ ("No password given and no terminal to ask for one: "
                      "use --password-file or --password-env"));
      return NULL;
    }

  tty = fdopen (fd, "r+");
  if (tty == NULL)
    {
      close (fd);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _ ("Could not use the terminal: %s"), g_strerror (errno));
      return NULL;
    }

  fputs (prompt, tty);
  fflush (tty);

  if (tcgetattr (fd, &saved) == 0)
    {
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      quiet.c_lflag |= ECHONL;
      tcsetattr (fd, TCSAFLUSH, &quiet);
      if (fgets (buffer, sizeof buffer, tty) != NULL)
        {
          cut_at_line_end (buffer);
          result = g_strdup (buffer);
        }
      tcsetattr (fd, TCSAFLUSH, &saved);
    }
  else if (fgets (buffer, sizeof buffer, tty) != NULL)
    {
      cut_at_line_end (buffer);
      result = g_strdup (buffer);
    }

  explicit_bzero (buffer, sizeof buffer);
  fclose (tty);

  if (result == NULL)
    g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _ ("No password entered"));

  return result;
}

char *
mw_cli_get_password (MwCliOptions *options,
                     GError      **error)
{
  if (options->password_file != NULL)
    return read_password_file (options->password_file, error);

  if (options->password_env != NULL)
    {
      const char *value = g_getenv (options->password_env);

      if (value == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                       _ ("The environment variable %s is not set"), options->password_env);
          return NULL;
        }
      return g_strdup (value);
    }

  if (options->user == NULL || options->oauth2_token_command != NULL)
    return NULL;

  {
    g_autofree char *prompt = g_strdup_printf (_ ("Password for %s on %s: "),
                                               options->user, options->host);
    return prompt_password (prompt, error);
  }
}

char *
mw_cli_get_oauth2_token (MwCliOptions *options,
                         GError      **error)
{
  g_auto (GStrv) argv = NULL;
  g_autofree char *out = NULL;
  int              status = 0;

  if (options->oauth2_token_command == NULL)
    return NULL;

  if (!g_shell_parse_argv (options->oauth2_token_command, NULL, &argv, error))
    {
      g_prefix_error (error, _ ("Could not understand --oauth2-token-command: "));
      return NULL;
    }

  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, error))
    {
      g_prefix_error (error, _ ("Could not run the OAuth2 token command: "));
      return NULL;
    }

  if (!g_spawn_check_wait_status (status, NULL) || out == NULL)
    {
      mw_cli_free_secret (g_steal_pointer (&out));
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _ ("The OAuth2 token command failed"));
      return NULL;
    }

  g_strstrip (out);
  if (out[0] == '\0' || strlen (out) > MAX_SECRET || strpbrk (out, "\r\n") != NULL)
    {
      mw_cli_free_secret (g_steal_pointer (&out));
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _ ("The OAuth2 token command printed no usable token"));
      return NULL;
    }

  return g_steal_pointer (&out);
}

static void
transcript_changed_cb (GListModel *model,
                       guint       position,
                       guint       removed,
                       guint       added,
                       gpointer    user_data)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (MwTranscriptEntry) entry = g_list_model_get_item (model, i);

      fprintf (stderr, "%s %s\n",
               mw_transcript_direction_to_prefix (mw_transcript_entry_get_direction (entry)),
               mw_transcript_entry_get_text (entry));
    }
  fflush (stderr);
}

void
mw_cli_print_transcript (MwTranscript *transcript)
{
  g_signal_connect (transcript, "items-changed", G_CALLBACK (transcript_changed_cb), NULL);
}

void
mw_cli_wait (gboolean *done)
{
  while (!*done)
    g_main_context_iteration (NULL, TRUE);
}

MwCliExit
mw_cli_exit_code_for_error (const GError *error)
{
  if (error == NULL)
    return MW_CLI_EXIT_OK;

  if (error->domain == G_OPTION_ERROR || error->domain == G_FILE_ERROR)
    return MW_CLI_EXIT_USAGE;

  if (error->domain == MW_CONNECTION_ERROR || error->domain == G_IO_ERROR ||
      error->domain == G_TLS_ERROR || error->domain == G_RESOLVER_ERROR)
    return MW_CLI_EXIT_CONNECTION;

  return MW_CLI_EXIT_REFUSED;
}

int
mw_cli_fail (const GError *error)
{
  fprintf (stderr, "mailwire-cli: %s\n", error->message);
  return mw_cli_exit_code_for_error (error);
}

int
mw_cli_usage_error (GOptionContext *context,
                    const char     *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fprintf (stderr, "mailwire-cli: %s\n", message);
  if (context != NULL)
    fprintf (stderr, _ ("Try “%s --help” for more.\n"), g_get_prgname ());

  return MW_CLI_EXIT_USAGE;
}

void
mw_cli_async_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  MwCliAsync *self = user_data;

  g_set_object (&self->result, result);
  self->done = TRUE;
}

GAsyncResult *
mw_cli_async_wait (MwCliAsync *self)
{
  mw_cli_wait (&self->done);
  self->done = FALSE;
  return self->result;
}

void
mw_cli_async_clear (MwCliAsync *self)
{
  g_clear_object (&self->result);
  self->done = FALSE;
}

char *
mw_cli_last_server_line (MwTranscript *transcript,
                         gboolean (*accept) (const char *line))
{
  guint n;

  if (transcript == NULL)
    return NULL;

  n = g_list_model_get_n_items (G_LIST_MODEL (transcript));
  for (guint i = n; i > 0; i--)
    {
      g_autoptr (MwTranscriptEntry) entry = g_list_model_get_item (G_LIST_MODEL (transcript), i - 1);
      const char *text = mw_transcript_entry_get_text (entry);

      if (mw_transcript_entry_get_direction (entry) == MW_TRANSCRIPT_SERVER &&
          (accept == NULL || accept (text)))
        return g_strdup (text);
    }

  return NULL;
}

void
mw_cli_print_explanation (MwReplyProtocol protocol,
                          const char     *reply)
{
  g_autoptr (MwReplyExplanation) explanation = NULL;
  g_autofree char *text = NULL;

  if (reply == NULL)
    return;

  explanation = mw_reply_explain (protocol, reply);
  text = mw_reply_explanation_to_string (explanation);
  fprintf (stderr, "  %s\n", text);
}

void
mw_cli_print_certificate_problem (MwConnection *connection)
{
  MwCertificateInfo *info;

  if (connection == NULL)
    return;

  /* The error names the problem and the certificate; say how to go on. */
  info = mw_connection_get_certificate_info (connection);
  if (info == NULL)
    return;

  fprintf (stderr, _ ("  If you checked with the server’s administrator that this is the right "
                      "certificate, trust it with --fingerprint %s\n"),
           mw_certificate_info_get_fingerprint (info));
}

void
mw_cli_json_append_string (GString    *out,
                           const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);

  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) valid; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\b':
          g_string_append (out, "\\b");
          break;
        case '\f':
          g_string_append (out, "\\f");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (*p < 0x20 || *p == 0x7f)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
          break;
        }
    }
  g_string_append_c (out, '"');
}

void
mw_cli_print_command_list (MwReplyProtocol protocol)
{
  const MwProtocolCommand *commands;
  size_t                   n;

  commands = mw_protocol_commands (protocol, &n);
  for (size_t i = 0; i < n; i++)
    printf ("  %-44s %s\n", commands[i].syntax,
            commands[i].fate == MW_COMMAND_FATE_REFUSED ? _ ("(refused)") : commands[i].standard);
}

gboolean
mw_cli_print_command_help (MwReplyProtocol protocol,
                           const char     *name)
{
  const MwProtocolCommand *command = mw_protocol_command_lookup (protocol, name);

  if (command == NULL)
    return FALSE;

  printf ("%s — %s (%s)\n", command->syntax, mw_protocol_command_get_help (command), command->standard);
  if (command->fate == MW_COMMAND_FATE_REFUSED)
    printf ("%s %s\n", _ ("Refused:"), mw_protocol_command_get_refusal (command));

  return TRUE;
}

gboolean
mw_cli_console_confirm (GDataInputStream *input,
                        MwCliAsync       *async,
                        const char       *warning)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *answer = NULL;

  fprintf (stderr, "%s\n", warning);
  if (!isatty (STDIN_FILENO))
    return TRUE;

  /* TRANSLATORS: the console's question before DELE, RSET or QUIT; the
   * answers it takes are “y” and “yes”, in English or translated. */
  fprintf (stderr, "%s", _ ("Send it? [y/N] "));
  fflush (stderr);
  g_data_input_stream_read_line_async (input, G_PRIORITY_DEFAULT, NULL, mw_cli_async_cb, async);
  answer = g_data_input_stream_read_line_finish_utf8 (input, mw_cli_async_wait (async), NULL, &error);
  if (answer != NULL)
    {
      g_strstrip (answer);
      if (g_ascii_strcasecmp (answer, "y") == 0 || g_ascii_strcasecmp (answer, "yes") == 0 ||
          g_strcmp0 (answer, C_ ("console answer", "y")) == 0 ||
          g_strcmp0 (answer, C_ ("console answer", "yes")) == 0)
        return TRUE;
    }

  fprintf (stderr, "%s\n", _ ("Not sent."));
  return FALSE;
}
