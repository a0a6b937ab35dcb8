/* mw-cli-pop3.c: mailwire-cli pop3, the POP3 session from a terminal
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-cli-pop3.h"

#include "mw-cli-common.h"
#include "mw-protocol-commands.h"
#include "mw-fetch-plan.h"
#include "mw-fetcher.h"
#include "mw-maildir.h"
#include "mw-message-summary.h"
#include "mw-pop3-client.h"
#include "mw-reply-explainer.h"
#include "mw-store-error.h"
#include "mw-uid-index.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The UID index of `fetch`, inside the Maildir. */
#define FETCH_INDEX_NAME ".mailwire-uids"

typedef struct
{
  MwCliOptions  options;
  MwTranscript *transcript;
  MwPop3Client *client;
  MwConnection *connection; /* kept for certificate details after a failure */
  MwCliAsync    async;

  /* Options of single commands. */
  char    *output;
  gboolean no_size_limit;
  gboolean json;
  gboolean by_uid;
  char    *maildir;
  gboolean delete;
  int    keep_days;
  gint64 max_size;
} Pop3Cli;

typedef int (*Pop3CommandFunc) (Pop3Cli *cli,
                                int      argc,
                                char   **argv);

typedef struct
{
  const char     *name;
  const char     *parameters;
  const char     *summary;
  Pop3CommandFunc func;
} Pop3Command;

static void
pop3_cli_clear (Pop3Cli *cli)
{
  if (cli->client != NULL)
    mw_pop3_client_close (cli->client);
  g_clear_object (&cli->client);
  g_clear_object (&cli->connection);
  g_clear_object (&cli->transcript);
  mw_cli_async_clear (&cli->async);
  mw_cli_options_clear (&cli->options);
  g_clear_pointer (&cli->output, g_free);
  g_clear_pointer (&cli->maildir, g_free);
}

/* Errors. */

static gboolean
is_err_line (const char *line)
{
  return g_str_has_prefix (line, "-ERR");
}

static int
exit_code (const GError *error)
{
  if (error->domain == MW_POP3_ERROR)
    {
      switch (error->code)
        {
        case MW_POP3_ERROR_PROTOCOL:
        case MW_POP3_ERROR_NOT_CONNECTED:
        case MW_POP3_ERROR_STARTTLS_UNAVAILABLE:
          return MW_CLI_EXIT_CONNECTION;
        case MW_POP3_ERROR_INVALID_ARGUMENT:
          return MW_CLI_EXIT_USAGE;
        default:
          return MW_CLI_EXIT_REFUSED;
        }
    }

  /* The local store failing, a full disk included, is no connection
   * problem: retrying the server would not help. */
  if (error->domain == MW_STORE_ERROR || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE) ||
      g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC))
    return MW_CLI_EXIT_REFUSED;

  return mw_cli_exit_code_for_error (error);
}

/* Prints the error, the server's reply explained when it came from one,
 * and returns the exit status. */
static int
fail (Pop3Cli      *cli,
      const GError *error)
{
  fprintf (stderr, "mailwire-cli: %s\n", error->message);

  if (mw_pop3_error_is_reply (error))
    {
      g_autofree char *line = mw_cli_last_server_line (cli->transcript, is_err_line);

      mw_cli_print_explanation (MW_REPLY_PROTOCOL_POP3, line);
    }
  else if (error->domain == MW_CONNECTION_ERROR && error->code == MW_CONNECTION_ERROR_CERTIFICATE)
    {
      mw_cli_print_certificate_problem (cli->connection);
    }

  return exit_code (error);
}

static gboolean
parse_number (const char *text,
              guint      *out_number)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT, &value, NULL))
    return FALSE;

  *out_number = (guint) value;
  return TRUE;
}

/* The session. */

/* Connects; logs in too when @login is TRUE. */
static gboolean
pop3_connect_full (Pop3Cli *cli,
                   gboolean login,
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

  cli->client = mw_pop3_client_new (options->host, mw_cli_options_get_port (options),
                                    options->security, cli->transcript);
  mw_pop3_client_set_user (cli->client, options->user);
  if (password != NULL)
    mw_pop3_client_set_password (cli->client, password);
  if (token != NULL)
    mw_pop3_client_set_oauth2_token (cli->client, token);
  mw_cli_free_secret (password);
  mw_cli_free_secret (token);

  mw_pop3_client_set_auth_mechanism (cli->client, options->auth);
  mw_pop3_client_set_login_on_connect (cli->client, login);
  mw_pop3_client_set_allow_plaintext (cli->client, options->allow_plaintext);
  mw_pop3_client_set_pipelining (cli->client, options->no_pipelining ? MW_POP3_PIPELINING_NEVER
                                                                     : MW_POP3_PIPELINING_AUTO);
  mw_pop3_client_set_timeout (cli->client, options->timeout);
  if (options->fingerprint != NULL)
    mw_pop3_client_set_pinned_fingerprint (cli->client, options->fingerprint);
  if (options->ca_file != NULL)
    mw_pop3_client_set_ca_file (cli->client, options->ca_file);

  mw_pop3_client_connect_async (cli->client, NULL, mw_cli_async_cb, &cli->async);
  /* The connection is made at once; keep it for its certificate. */
  if (mw_pop3_client_get_connection (cli->client) != NULL)
    cli->connection = g_object_ref (mw_pop3_client_get_connection (cli->client));

  return mw_pop3_client_connect_finish (cli->client, mw_cli_async_wait (&cli->async), error);
}

static gboolean
pop3_connect (Pop3Cli *cli,
              GError **error)
{
  return pop3_connect_full (cli, TRUE, error);
}

/* Whether the options carry credentials to log in with. */
static gboolean
has_credentials (Pop3Cli *cli)
{
  return cli->options.user != NULL || cli->options.oauth2_token_command != NULL;
}

/* QUIT; returns whether the server confirmed it. */
static gboolean
pop3_quit (Pop3Cli *cli,
           GError **error)
{
  gboolean committed = FALSE;

  mw_pop3_client_quit_async (cli->client, NULL, mw_cli_async_cb, &cli->async);
  if (!mw_pop3_client_quit_finish (cli->client, mw_cli_async_wait (&cli->async), &committed, error))
    return FALSE;

  return committed;
}

/* Connects, and fails with the exit status on error. */
#define CONNECT_OR_FAIL(cli)                   \
  G_STMT_START                                 \
  {                                            \
    g_autoptr (GError) connect_error = NULL;   \
    if (!pop3_connect ((cli), &connect_error)) \
      return fail ((cli), connect_error);      \
  }                                            \
  G_STMT_END

/* Ends a session that changed nothing. */
static int
finish_session (Pop3Cli *cli)
{
  g_autoptr (GError) error = NULL;

  if (!pop3_quit (cli, &error) && error != NULL)
    return fail (cli, error);

  return MW_CLI_EXIT_OK;
}

static int
fail_session (Pop3Cli      *cli,
              const GError *error)
{
  int status = fail (cli, error);

  mw_pop3_client_close (cli->client);
  return status;
}

/* capa, stat, list, uidl. */

static int
command_capa (Pop3Cli *cli,
              int      argc,
              char   **argv)
{
  const char *const *lines;

  if (argc > 1)
    return mw_cli_usage_error (NULL, _ ("“capa” takes no arguments"));

  CONNECT_OR_FAIL (cli);

  lines = mw_pop3_client_get_capability_lines (cli->client);
  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    printf ("%s\n", lines[i]);
  fflush (stdout);

  return finish_session (cli);
}

static int
command_stat (Pop3Cli *cli,
              int      argc,
              char   **argv)
{
  g_autoptr (GError) error = NULL;
  guint   count = 0;
  guint64 size = 0;

  if (argc > 1)
    return mw_cli_usage_error (NULL, _ ("“stat” takes no arguments"));

  CONNECT_OR_FAIL (cli);

  mw_pop3_client_stat_async (cli->client, NULL, mw_cli_async_cb, &cli->async);
  if (!mw_pop3_client_stat_finish (cli->client, mw_cli_async_wait (&cli->async), &count, &size, &error))
    return fail_session (cli, error);

  printf ("%u %" G_GUINT64_FORMAT "\n", count, size);
  fflush (stdout);

  return finish_session (cli);
}

static int
command_list (Pop3Cli *cli,
              int      argc,
              char   **argv)
{
  g_autoptr (GError) error = NULL;
  guint number = 0;

  if (argc > 2 || (argc == 2 && !parse_number (argv[1], &number)))
    return mw_cli_usage_error (NULL, _ ("Usage: list [MESSAGE-NUMBER]"));

  CONNECT_OR_FAIL (cli);

  if (number > 0)
    {
      guint64 size = 0;

      mw_pop3_client_list_one_async (cli->client, number, NULL, mw_cli_async_cb, &cli->async);
      if (!mw_pop3_client_list_one_finish (cli->client, mw_cli_async_wait (&cli->async), &size, &error))
        return fail_session (cli, error);
      printf ("%u %" G_GUINT64_FORMAT "\n", number, size);
    }
  else
    {
      g_autoptr (GArray) entries = NULL;

      mw_pop3_client_list_async (cli->client, NULL, mw_cli_async_cb, &cli->async);
      entries = mw_pop3_client_list_finish (cli->client, mw_cli_async_wait (&cli->async), &error);
      if (entries == NULL)
        return fail_session (cli, error);
      for (guint i = 0; i < entries->len; i++)
        {
          const MwPop3ListEntry *entry = &g_array_index (entries, MwPop3ListEntry, i);

          printf ("%u %" G_GUINT64_FORMAT "\n", entry->number, entry->size);
        }
    }
  fflush (stdout);

  return finish_session (cli);
}

static GArray *
fetch_uidl (Pop3Cli *cli,
            GError **error)
{
  mw_pop3_client_uidl_async (cli->client, NULL, mw_cli_async_cb, &cli->async);
  return mw_pop3_client_uidl_finish (cli->client, mw_cli_async_wait (&cli->async), error);
}

static int
command_uidl (Pop3Cli *cli,
              int      argc,
              char   **argv)
{
  g_autoptr (GError) error = NULL;
  guint number = 0;

  if (argc > 2 || (argc == 2 && !parse_number (argv[1], &number)))
    return mw_cli_usage_error (NULL, _ ("Usage: uidl [MESSAGE-NUMBER]"));

  CONNECT_OR_FAIL (cli);

  if (number > 0)
    {
      g_autofree char *uid = NULL;

      mw_pop3_client_uidl_one_async (cli->client, number, NULL, mw_cli_async_cb, &cli->async);
      uid = mw_pop3_client_uidl_one_finish (cli->client, mw_cli_async_wait (&cli->async), &error);
      if (uid == NULL)
        return fail_session (cli, error);
      printf ("%u %s\n", number, uid);
    }
  else
    {
      g_autoptr (GArray) entries = fetch_uidl (cli, &error);

      if (entries == NULL)
        return fail_session (cli, error);
      for (guint i = 0; i < entries->len; i++)
        {
          const MwPop3UidEntry *entry = &g_array_index (entries, MwPop3UidEntry, i);

          printf ("%u %s\n", entry->number, entry->uid);
        }
    }
  fflush (stdout);

  return finish_session (cli);
}

/* top, retr. */

static int
command_top (Pop3Cli *cli,
             int      argc,
             char   **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GOutputStream) out = NULL;
  guint number = 0;
  guint lines = 0;

  if (argc < 2 || argc > 3 || !parse_number (argv[1], &number))
    return mw_cli_usage_error (NULL, _ ("Usage: top MESSAGE-NUMBER [LINES]"));
  if (argc == 3)
    {
      guint64 value = 0;

      if (!g_ascii_string_to_unsigned (argv[2], 10, 0, G_MAXUINT, &value, NULL))
        return mw_cli_usage_error (NULL, _ ("“%s” is not a number of lines"), argv[2]);
      lines = (guint) value;
    }

  CONNECT_OR_FAIL (cli);

  fflush (stdout);
  out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  mw_pop3_client_top_async (cli->client, number, lines, out, NULL, mw_cli_async_cb, &cli->async);
  if (!mw_pop3_client_top_finish (cli->client, mw_cli_async_wait (&cli->async), NULL, &error))
    return fail_session (cli, error);

  return finish_session (cli);
}

/* Writes the message to @path.part, fsyncs it and renames it to @path:
 * an interrupted download never leaves a file that looks complete. */
static int
retr_to_file (Pop3Cli    *cli,
              guint       number,
              const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GOutputStream) out = NULL;
  g_autofree char *part = g_strconcat (path, ".part", NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  MwBodyStats      stats = { 0 };
  int              fd;
  int              status;

  fd = g_open (part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      fprintf (stderr, _ ("mailwire-cli: Could not create %s: %s\n"), part, g_strerror (saved));
      mw_pop3_client_close (cli->client);
      return MW_CLI_EXIT_REFUSED;
    }

  out = g_unix_output_stream_new (fd, FALSE);
  mw_pop3_client_retr_async (cli->client, number, out, NULL, mw_cli_async_cb, &cli->async);
  if (!mw_pop3_client_retr_finish (cli->client, mw_cli_async_wait (&cli->async), &stats, &error))
    {
      close (fd);
      g_unlink (part);
      return fail_session (cli, error);
    }

  if (!g_output_stream_flush (out, NULL, &error) || fsync (fd) != 0 || close (fd) != 0)
    {
      int saved = errno;

      fprintf (stderr, _ ("mailwire-cli: Could not write %s: %s\n"), part,
               error != NULL ? error->message : g_strerror (saved));
      g_unlink (part);
      mw_pop3_client_close (cli->client);
      return MW_CLI_EXIT_REFUSED;
    }

  if (g_rename (part, path) != 0)
    {
      int saved = errno;

      fprintf (stderr, _ ("mailwire-cli: Could not rename %s to %s: %s\n"), part, path,
               g_strerror (saved));
      g_unlink (part);
      mw_pop3_client_close (cli->client);
      return MW_CLI_EXIT_REFUSED;
    }

  /* Makes the rename itself durable. */
  fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }

  status = finish_session (cli);
  if (status == MW_CLI_EXIT_OK)
    fprintf (stderr, _ ("Saved message %u to %s (%" PRIu64 " bytes)\n"), number, path,
             stats.bytes);
  return status;
}

static int
command_retr (Pop3Cli *cli,
              int      argc,
              char   **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GOutputStream) out = NULL;
  guint number = 0;

  if (argc != 2 || !parse_number (argv[1], &number))
    return mw_cli_usage_error (NULL, _ ("Usage: retr MESSAGE-NUMBER [-o FILE] [--no-size-limit]"));

  CONNECT_OR_FAIL (cli);

  /* The size LIST announces bounds the body: a server that sends far
   * more, or never ends it, is stopped. */
  if (cli->no_size_limit)
    mw_pop3_client_set_body_size_limit (cli->client, FALSE);
  else
    {
      mw_pop3_client_list_one_async (cli->client, number, NULL, mw_cli_async_cb, &cli->async);
      if (!mw_pop3_client_list_one_finish (cli->client, mw_cli_async_wait (&cli->async), NULL, &error))
        return fail_session (cli, error);
    }

  if (cli->output != NULL && g_strcmp0 (cli->output, "-") != 0)
    return retr_to_file (cli, number, cli->output);

  fflush (stdout);
  out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  mw_pop3_client_retr_async (cli->client, number, out, NULL, mw_cli_async_cb, &cli->async);
  if (!mw_pop3_client_retr_finish (cli->client, mw_cli_async_wait (&cli->async), NULL, &error))
    return fail_session (cli, error);

  return finish_session (cli);
}

/* dele. */

static void
report_quit_failure (Pop3Cli      *cli,
                     const GError *error)
{
  if (error != NULL)
    fail (cli, error);
  fprintf (stderr, "%s\n", _ ("mailwire-cli: The server did not confirm QUIT, so nothing was deleted."));
}

static int
command_dele (Pop3Cli *cli,
              int      argc,
              char   **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) numbers = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GPtrArray) uids = g_ptr_array_new_with_free_func (g_free);

  if (argc < 2)
    return mw_cli_usage_error (NULL, cli->by_uid ? _ ("Usage: dele --uid UID…")
                                                 : _ ("Usage: dele MESSAGE-NUMBER…"));

  for (int i = 1; i < argc; i++)
    {
      guint number = 0;

      if (cli->by_uid)
        {
          if (argv[i][0] == '\0' || strlen (argv[i]) > MW_POP3_MAX_UID)
            return mw_cli_usage_error (NULL, _ ("“%s” is not a unique ID"), argv[i]);
          g_ptr_array_add (uids, g_strdup (argv[i]));
        }
      else
        {
          if (!parse_number (argv[i], &number))
            return mw_cli_usage_error (NULL, _ ("“%s” is not a message number"), argv[i]);
          g_array_append_val (numbers, number);
        }
    }

  CONNECT_OR_FAIL (cli);

  if (cli->by_uid)
    {
      /* Message numbers hold for one session: map the UIDs in this one. */
      g_autoptr (GArray) listing = fetch_uidl (cli, &error);

      if (listing == NULL)
        return fail_session (cli, error);

      for (guint i = 0; i < uids->len; i++)
        {
          const char *uid = g_ptr_array_index (uids, i);
          guint       found = 0;
          guint       matches = 0;

          for (guint j = 0; j < listing->len; j++)
            {
              const MwPop3UidEntry *entry = &g_array_index (listing, MwPop3UidEntry, j);

              if (g_str_equal (entry->uid, uid))
                {
                  found = entry->number;
                  matches++;
                }
            }

          if (matches != 1)
            {
              if (matches == 0)
                fprintf (stderr, _ ("mailwire-cli: No message with the unique ID “%s” is on the "
                                    "server; nothing was deleted.\n"),
                         uid);
              else
                fprintf (stderr, _ ("mailwire-cli: %u messages share the unique ID “%s”; "
                                    "nothing was deleted.\n"),
                         matches, uid);
              finish_session (cli);
              return MW_CLI_EXIT_REFUSED;
            }
          g_array_append_val (numbers, found);
        }
    }

  for (guint i = 0; i < numbers->len; i++)
    {
      guint number = g_array_index (numbers, guint, i);

      mw_pop3_client_dele_async (cli->client, number, NULL, mw_cli_async_cb, &cli->async);
      if (!mw_pop3_client_dele_finish (cli->client, mw_cli_async_wait (&cli->async), &error))
        {
          int status = fail (cli, error);

          /* Closing without QUIT leaves every message where it was. */
          mw_pop3_client_close (cli->client);
          fprintf (stderr, "%s\n", _ ("mailwire-cli: The session was closed without QUIT, so nothing was deleted."));
          return status;
        }
    }

  if (!pop3_quit (cli, &error))
    {
      report_quit_failure (cli, error);
      return error != NULL ? exit_code (error) : MW_CLI_EXIT_CONNECTION;
    }

  for (guint i = 0; i < numbers->len; i++)
    {
      if (cli->by_uid)
        printf (_ ("Deleted message %u (unique ID %s)\n"), g_array_index (numbers, guint, i),
                (const char *) g_ptr_array_index (uids, i));
      else
        printf (_ ("Deleted message %u\n"), g_array_index (numbers, guint, i));
    }
  fflush (stdout);

  return MW_CLI_EXIT_OK;
}

/* previews. */

static const struct
{
  MwMessageFlags flag;
  const char    *name;
} flag_names[] = {
  { MW_MESSAGE_FLAG_DELETED, "deleted" },
  { MW_MESSAGE_FLAG_DOWNLOADED, "downloaded" },
  { MW_MESSAGE_FLAG_OVERSIZE, "oversize" },
  { MW_MESSAGE_FLAG_MALFORMED_HEADERS, "malformed-headers" },
  { MW_MESSAGE_FLAG_DOWNLOAD_FAILED, "download-failed" },
  { MW_MESSAGE_FLAG_NO_UID, "no-uid" },
  { MW_MESSAGE_FLAG_NO_HEADERS, "no-headers" },
  { MW_MESSAGE_FLAG_COUNT_MISMATCH, "count-mismatch" },
};

static char *
format_date (GDateTime *date,
             gboolean   iso)
{
  if (date == NULL)
    return NULL;
  if (iso)
    return g_date_time_format_iso8601 (date);
  return g_date_time_format (date, "%Y-%m-%d %H:%M");
}

static void
append_json_member (GString    *out,
                    const char *name,
                    const char *value)
{
  g_string_append_printf (out, ",\"%s\":", name);
  if (value == NULL)
    g_string_append (out, "null");
  else
    mw_cli_json_append_string (out, value);
}

static void
print_previews_json (GPtrArray *summaries)
{
  g_autoptr (GString) out = g_string_new ("[");

  for (guint i = 0; i < summaries->len; i++)
    {
      MwMessageSummary *summary = g_ptr_array_index (summaries, i);
      MwMessageFlags    flags = mw_message_summary_get_flags (summary);
      g_autofree char  *date = format_date (mw_message_summary_get_date (summary), TRUE);
      gboolean          first = TRUE;

      g_string_append (out, i == 0 ? "\n  " : ",\n  ");
      g_string_append_printf (out, "{\"number\":%u,\"size\":%" G_GUINT64_FORMAT,
                              mw_message_summary_get_number (summary),
                              mw_message_summary_get_size (summary));
      append_json_member (out, "uid", mw_message_summary_get_uid (summary));
      append_json_member (out, "date", date);
      append_json_member (out, "from", mw_message_summary_get_from (summary));
      append_json_member (out, "from_address", mw_message_summary_get_from_address (summary));
      append_json_member (out, "subject", mw_message_summary_get_subject (summary));
      append_json_member (out, "message_id", mw_message_summary_get_message_id (summary));
      g_string_append (out, ",\"flags\":[");
      for (size_t j = 0; j < G_N_ELEMENTS (flag_names); j++)
        {
          if ((flags & flag_names[j].flag) == 0)
            continue;
          if (!first)
            g_string_append_c (out, ',');
          mw_cli_json_append_string (out, flag_names[j].name);
          first = FALSE;
        }
      g_string_append_c (out, ']');
      append_json_member (out, "problem", mw_message_summary_get_problem (summary));
      g_string_append_c (out, '}');
    }
  g_string_append (out, summaries->len > 0 ? "\n]\n" : "]\n");

  fwrite (out->str, 1, out->len, stdout);
}

/* Keeps a table cell on one line. */
static char *
cell (const char *text)
{
  char *copy = g_utf8_make_valid (text != NULL ? text : "", -1);

  for (char *p = copy; *p != '\0'; p++)
    if ((unsigned char) *p < 0x20 || *p == 0x7f)
      *p = ' ';
  return copy;
}

static void
print_previews_table (GPtrArray *summaries)
{
  printf ("%5s %10s  %-24s %-16s  %-28s %s\n", _ ("#"), _ ("Size"), _ ("UID"), _ ("Date"),
          _ ("From"), _ ("Subject"));

  for (guint i = 0; i < summaries->len; i++)
    {
      MwMessageSummary *summary = g_ptr_array_index (summaries, i);
      MwMessageFlags    flags = mw_message_summary_get_flags (summary);
      g_autofree char  *date = format_date (mw_message_summary_get_date (summary), FALSE);
      g_autofree char  *uid = cell (mw_message_summary_get_uid (summary));
      g_autofree char  *from = cell (mw_message_summary_get_from (summary));
      g_autofree char  *subject = cell (mw_message_summary_get_subject (summary));
      g_autoptr (GString) notes = g_string_new (NULL);

      for (size_t j = 0; j < G_N_ELEMENTS (flag_names); j++)
        if ((flags & flag_names[j].flag) != 0)
          g_string_append_printf (notes, "%s%s", notes->len > 0 ? "," : "", flag_names[j].name);

      printf ("%5u %10" G_GUINT64_FORMAT "  %-24s %-16s  %-28s %s", mw_message_summary_get_number (summary),
              mw_message_summary_get_size (summary), uid, date != NULL ? date : "-", from, subject);
      if (notes->len > 0)
        {
          const char *problem = mw_message_summary_get_problem (summary);

          printf ("  [%s]", notes->str);
          if (problem != NULL)
            printf (" %s", problem);
        }
      printf ("\n");
    }
}

static int
command_previews (Pop3Cli *cli,
                  int      argc,
                  char   **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) summaries = NULL;

  if (argc > 1)
    return mw_cli_usage_error (NULL, _ ("“previews” takes no arguments"));

  CONNECT_OR_FAIL (cli);

  mw_pop3_client_previews_async (cli->client, NULL, mw_cli_async_cb, &cli->async);
  summaries = mw_pop3_client_previews_finish (cli->client, mw_cli_async_wait (&cli->async), &error);
  if (summaries == NULL)
    return fail_session (cli, error);

  if (cli->json)
    print_previews_json (summaries);
  else
    print_previews_table (summaries);
  fflush (stdout);

  return finish_session (cli);
}

/* serverinfo. */

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

static void
print_capabilities (Pop3Cli    *cli,
                    const char *title)
{
  const char *const *lines = mw_pop3_client_get_capability_lines (cli->client);
  const char *const *mechanisms = mw_pop3_client_get_sasl_mechanisms (cli->client);
  g_autoptr (GPtrArray) methods = g_ptr_array_new ();
  g_autofree char *joined = NULL;

  printf ("%s\n", title);
  if (!mw_pop3_client_get_capa_known (cli->client) || lines == NULL || lines[0] == NULL)
    printf ("  %s\n", _ ("The server does not answer CAPA: it knows only the commands of RFC 1939."));
  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    {
      g_autofree char *explanation = mw_protocol_explain_keyword (MW_REPLY_PROTOCOL_POP3, lines[i]);

      printf ("  %-28s %s\n", lines[i], explanation);
    }

  for (guint i = 0; mechanisms != NULL && mechanisms[i] != NULL; i++)
    g_ptr_array_add (methods, (gpointer) mechanisms[i]);
  if (mw_pop3_client_get_apop_timestamp (cli->client) != NULL)
    g_ptr_array_add (methods, "APOP");
  if ((mw_pop3_client_get_capabilities (cli->client) & MW_POP3_CAPABILITY_USER) != 0)
    g_ptr_array_add (methods, "USER/PASS");
  g_ptr_array_add (methods, NULL);
  joined = g_strjoinv (" ", (char **) methods->pdata);
  if (methods->len > 1)
    printf (_ ("Login methods: %s\n"), joined);
  else
    printf ("%s\n", _ ("Login methods: none advertised"));
}

static int
command_serverinfo (Pop3Cli *cli,
                    int      argc,
                    char   **argv)
{
  g_autoptr (GError) error = NULL;

  if (argc > 1)
    return mw_cli_usage_error (NULL, _ ("“serverinfo” takes no arguments"));

  /* What the server shows before login is worth seeing even when the
   * login then fails, or when no credentials were given. */
  if (!pop3_connect_full (cli, FALSE, &error))
    return fail (cli, error);

  printf (_ ("Server: %s port %u\n"), cli->options.host, mw_cli_options_get_port (&cli->options));
  printf (_ ("Greeting: %s\n"), mw_pop3_client_get_greeting (cli->client));
  print_tls (mw_pop3_client_get_connection (cli->client));
  print_capabilities (cli, _ ("Capabilities before login (CAPA):"));
  fflush (stdout);

  if (!has_credentials (cli))
    {
      printf ("%s\n", _ ("Not logged in (no --user given): servers often advertise more after login."));
      fflush (stdout);
      return finish_session (cli);
    }

  mw_pop3_client_login_async (cli->client, NULL, mw_cli_async_cb, &cli->async);
  if (!mw_pop3_client_login_finish (cli->client, mw_cli_async_wait (&cli->async), &error))
    return fail_session (cli, error);

  printf (_ ("Logged in with: %s\n"), mw_pop3_client_get_mechanism_used (cli->client));
  mw_pop3_client_capa_async (cli->client, NULL, mw_cli_async_cb, &cli->async);
  if (!mw_pop3_client_capa_finish (cli->client, mw_cli_async_wait (&cli->async), &error))
    return fail_session (cli, error);
  printf (_ ("Pipelining: %s\n"), mw_pop3_client_is_pipelining (cli->client) ? _ ("used") : _ ("not used"));
  print_capabilities (cli, _ ("Capabilities after login (CAPA):"));
  fflush (stdout);

  return finish_session (cli);
}

/* console. */

static void
console_help (const char *topic)
{
  if (topic == NULL || *topic == '\0')
    {
      printf ("%s\n", _ ("Type POP3 commands as you would over telnet; Mailwire sends them over the "
                         "session it opened (with TLS and login done) and prints the replies."));
      printf ("%s\n", _ ("“help COMMAND” explains one command. End with QUIT (applies deletions) "
                         "or end of input (deletes nothing)."));
      printf ("%s\n", _ ("Commands:"));
      mw_cli_print_command_list (MW_REPLY_PROTOCOL_POP3);
      return;
    }

  if (mw_cli_print_command_help (MW_REPLY_PROTOCOL_POP3, topic))
    return;

  printf (_ ("“%s” is not a POP3 command. Type “help” for the list.\n"), topic);
}

static void
print_reply (MwPop3Reply *reply)
{
  printf ("%s\n", reply->status);
  if (reply->lines != NULL && reply->lines[0] != NULL)
    {
      for (guint i = 0; reply->lines[i] != NULL; i++)
        printf ("%s%s\n", reply->lines[i][0] == '.' ? "." : "", reply->lines[i]);
      if (reply->truncated)
        printf ("%s\n", _ ("[… the rest of the reply was left out]"));
      printf (".\n");
    }
  fflush (stdout);
}

/* Sends one typed line and prints the reply; FALSE when the session
 * ended with an error (printed). */
static gboolean
console_send (Pop3Cli    *cli,
              const char *line,
              MwPop3State before,
              int        *out_status)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwPop3Reply) reply = NULL;

  mw_pop3_client_command_async (cli->client, line, FALSE, NULL, mw_cli_async_cb, &cli->async);
  reply = mw_pop3_client_command_finish (cli->client, mw_cli_async_wait (&cli->async), &error);
  if (reply == NULL)
    {
      if (g_error_matches (error, MW_POP3_ERROR, MW_POP3_ERROR_INVALID_ARGUMENT))
        {
          fprintf (stderr, "mailwire-cli: %s\n", error->message);
          return TRUE;
        }
      if (g_error_matches (error, MW_POP3_ERROR, MW_POP3_ERROR_PLAINTEXT_REFUSED))
        {
          fprintf (stderr, "mailwire-cli: %s\n", error->message);
          fprintf (stderr, "  %s\n", _ ("Connect with --security tls or starttls; to send the "
                                        "password in clear anyway, add --allow-plaintext."));
          return TRUE;
        }
      *out_status = fail_session (cli, error);
      return FALSE;
    }

  print_reply (reply);
  if (!reply->ok && !reply->challenge)
    mw_cli_print_explanation (MW_REPLY_PROTOCOL_POP3, reply->status);
  if (reply->challenge)
    fprintf (stderr, "%s\n", _ ("The server asks for the next step of the login: type the base64 "
                                "response (it is not shown in the transcript), or “*” to cancel."));
  if (before != MW_POP3_STATE_TRANSACTION &&
      mw_pop3_client_get_state (cli->client) == MW_POP3_STATE_TRANSACTION)
    fprintf (stderr, _ ("Logged in with %s.\n"), mw_pop3_client_get_mechanism_used (cli->client));
  return TRUE;
}

/* Warns before DELE, and before RSET and QUIT when messages are marked
 * for deletion; asks when standard input is a terminal. */
static gboolean
confirm_command (Pop3Cli          *cli,
                 GDataInputStream *data,
                 const char       *verb)
{
  guint            pending = mw_pop3_client_get_pending_deletions (cli->client);
  g_autofree char *warning = NULL;

  if (g_str_equal (verb, "DELE"))
    warning = g_strdup (_ ("Note: DELE only marks the message. It is applied at QUIT; RSET undoes it."));
  else if (g_str_equal (verb, "RSET") && pending > 0)
    warning = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "Note: RSET unmarks the %u message marked with DELE; nothing will be deleted.",
                                            "Note: RSET unmarks the %u messages marked with DELE; nothing will be deleted.",
                                            pending),
                               pending);
  else if (g_str_equal (verb, "QUIT") && pending > 0)
    warning = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "Note: QUIT deletes the %u message marked with DELE.\n",
                                            "Note: QUIT deletes the %u messages marked with DELE.\n",
                                            pending),
                               pending);
  if (warning == NULL)
    return TRUE;

  g_strchomp (warning);
  return mw_cli_console_confirm (data, &cli->async, warning);
}

static int
command_console (Pop3Cli *cli,
                 int      argc,
                 char   **argv)
{
  g_autoptr (GInputStream) in = NULL;
  g_autoptr (GDataInputStream) data = NULL;
  gboolean ended = FALSE;
  int      status = MW_CLI_EXIT_OK;

  if (argc > 1)
    return mw_cli_usage_error (NULL, _ ("“console” takes no arguments"));

  {
    g_autoptr (GError) connect_error = NULL;

    /* Without credentials the person logs in by hand. */
    if (!pop3_connect_full (cli, has_credentials (cli), &connect_error))
      return fail (cli, connect_error);
  }

  printf ("%s\n", mw_pop3_client_get_greeting (cli->client));
  if (mw_pop3_client_get_state (cli->client) == MW_POP3_STATE_TRANSACTION)
    fprintf (stderr, "%s\n", _ ("Connected and logged in. Type “help” for the commands, QUIT to end."));
  else
    fprintf (stderr, "%s\n", _ ("Connected, not logged in: log in with USER and PASS, APOP or AUTH. "
                                "Type “help” for the commands, QUIT to end."));
  fflush (stdout);

  in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  data = g_data_input_stream_new (in);
  g_data_input_stream_set_newline_type (data, G_DATA_STREAM_NEWLINE_TYPE_ANY);

  while (!ended)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *line = NULL;
      g_autofree char *verb = NULL;
      const char      *args;
      gboolean         sasl_response = mw_pop3_client_get_expects_sasl_response (cli->client);
      MwPop3State      before = mw_pop3_client_get_state (cli->client);

      g_data_input_stream_read_line_async (data, G_PRIORITY_DEFAULT, NULL, mw_cli_async_cb, &cli->async);
      line = g_data_input_stream_read_line_finish_utf8 (data, mw_cli_async_wait (&cli->async), NULL, &error);
      if (line == NULL)
        {
          if (error != NULL)
            fprintf (stderr, _ ("mailwire-cli: Could not read the input: %s\n"), error->message);
          break;
        }

      g_strstrip (line);
      if (sasl_response)
        {
          /* The answer to the server's challenge: sent as typed, never
           * shown. */
          if (!console_send (cli, line, before, &status))
            return status;
          continue;
        }
      if (line[0] == '\0')
        continue;

      args = line + strcspn (line, " ");
      verb = g_ascii_strup (line, args - line);
      while (*args == ' ')
        args++;

      if (g_str_equal (verb, "HELP"))
        {
          console_help (args);
          fflush (stdout);
          continue;
        }

      if (g_str_equal (verb, "LAST"))
        fprintf (stderr, "%s\n", _ ("Note: LAST is obsolete (RFC 1460, dropped by RFC 1725); Mailwire uses UIDL."));
      else if (!confirm_command (cli, data, verb))
        continue;

      if (!console_send (cli, line, before, &status))
        return status;

      if (g_str_equal (verb, "QUIT"))
        ended = TRUE;
    }

  if (!ended)
    {
      guint pending = mw_pop3_client_get_pending_deletions (cli->client);

      mw_pop3_client_close (cli->client);
      if (pending > 0)
        fprintf (stderr, "%s\n", _ ("The input ended without QUIT: the session was closed and nothing was deleted."));
    }

  return MW_CLI_EXIT_OK;
}

/* fetch. */

static void
fetch_warning_cb (MwFetcher  *fetcher,
                  const char *text,
                  gpointer    user_data)
{
  fprintf (stderr, _ ("Warning: %s\n"), text);
}

static void
fetch_skipped_cb (MwFetcher *fetcher,
                  guint      number,
                  int        reason,
                  gpointer   user_data)
{
  fprintf (stderr, reason == MW_FETCH_SKIP_TOO_BIG ? _ ("Skipped message %u: larger than --max-size\n") : _ ("Skipped message %u: its unique ID cannot be recorded\n"),
           number);
}

static void
fetch_stored_cb (MwFetcher  *fetcher,
                 guint       number,
                 const char *uid,
                 const char *file,
                 gpointer    user_data)
{
  printf (_ ("Stored message %u (%s) as %s\n"), number, uid != NULL ? uid : "-", file);
  fflush (stdout);
}

static int
command_fetch (Pop3Cli *cli,
               int      argc,
               char   **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwMaildir) maildir = NULL;
  g_autoptr (MwUidIndex) index = NULL;
  g_autoptr (MwFetcher) fetcher = NULL;
  g_autofree char *index_path = NULL;
  MwFetchPolicy    policy = { MW_LEAVE_POLICY_KEEP, 0, 0 };
  GArray          *deleted;
  int              recovered;

  if (argc > 1)
    return mw_cli_usage_error (NULL, _ ("“fetch” takes no arguments"));
  if (cli->maildir == NULL)
    return mw_cli_usage_error (NULL, _ ("“fetch” needs --maildir DIR"));
  if (cli->delete &&cli->keep_days >= 0)
    return mw_cli_usage_error (NULL, _ ("Give either --delete or --keep-days, not both"));
  if (cli->max_size < 0)
    return mw_cli_usage_error (NULL, _ ("The size limit cannot be negative"));

  if (cli->delete)
    policy.leave = MW_LEAVE_POLICY_DELETE_AFTER_DOWNLOAD;
  else if (cli->keep_days >= 0)
    {
      policy.leave = MW_LEAVE_POLICY_DELETE_AFTER_DAYS;
      policy.days = (guint) cli->keep_days;
    }
  policy.max_size = (guint64) cli->max_size;

  maildir = mw_maildir_new (cli->maildir);
  mw_maildir_open_async (maildir, NULL, mw_cli_async_cb, &cli->async);
  if (!mw_maildir_open_finish (maildir, mw_cli_async_wait (&cli->async), NULL, &error))
    return fail (cli, error);

  index_path = g_build_filename (cli->maildir, FETCH_INDEX_NAME, NULL);
  index = mw_uid_index_new (index_path);
  mw_uid_index_load_async (index, NULL, mw_cli_async_cb, &cli->async);
  if (!mw_uid_index_load_finish (index, mw_cli_async_wait (&cli->async), &error))
    return fail (cli, error);
  mw_fetcher_recover_async (maildir, index, NULL, mw_cli_async_cb, &cli->async);
  recovered = mw_fetcher_recover_finish (mw_cli_async_wait (&cli->async), &error);
  if (recovered < 0)
    return fail (cli, error);
  if (recovered > 0)
    printf (ngettext ("Found %d message stored before an interruption; it is not downloaded again\n",
                      "Found %d messages stored before an interruption; they are not downloaded again\n",
                      recovered),
            recovered);

  CONNECT_OR_FAIL (cli);

  fetcher = mw_fetcher_new (cli->client, maildir, index, &policy);
  g_signal_connect (fetcher, "warning", G_CALLBACK (fetch_warning_cb), NULL);
  g_signal_connect (fetcher, "skipped", G_CALLBACK (fetch_skipped_cb), NULL);
  g_signal_connect (fetcher, "message-stored", G_CALLBACK (fetch_stored_cb), NULL);
  mw_fetcher_run_async (fetcher, NULL, mw_cli_async_cb, &cli->async);
  if (!mw_fetcher_run_finish (fetcher, mw_cli_async_wait (&cli->async), &error))
    {
      switch (mw_fetcher_get_stop (fetcher))
        {
        case MW_FETCH_STOP_DOWNLOAD:
          {
            int status = fail (cli, error);

            fprintf (stderr, _ ("mailwire-cli: The download stopped at message %u; nothing was deleted "
                                "from the server.\n"),
                     mw_fetcher_get_failed_number (fetcher));
            return status;
          }
        case MW_FETCH_STOP_DELETE:
          {
            int status = fail (cli, error);

            fprintf (stderr, "%s\n", _ ("mailwire-cli: The session was closed without QUIT, so nothing was deleted."));
            return status;
          }
        case MW_FETCH_STOP_QUIT:
          if (mw_fetcher_get_n_marked (fetcher) == 0)
            return fail (cli, error);
          report_quit_failure (cli, error);
          return exit_code (error);
        case MW_FETCH_STOP_LISTING:
        case MW_FETCH_STOP_NONE:
        default:
          return fail (cli, error);
        }
    }

  deleted = mw_fetcher_get_deleted (fetcher);
  for (guint i = 0; i < deleted->len; i++)
    printf (_ ("Deleted message %u from the server\n"), g_array_index (deleted, guint, i));
  printf (g_dngettext (GETTEXT_PACKAGE, "%u message downloaded\n", "%u messages downloaded\n",
                       mw_fetcher_get_n_downloaded (fetcher)),
          mw_fetcher_get_n_downloaded (fetcher));
  fflush (stdout);

  return MW_CLI_EXIT_OK;
}

/* The command line. */

static const Pop3Command commands[] = {
  { "capa", "", N_ ("Print the server’s capabilities (CAPA)"), command_capa },
  { "stat", "", N_ ("Print the number of messages and their total size"), command_stat },
  { "list", "[N]", N_ ("Print message sizes"), command_list },
  { "uidl", "[N]", N_ ("Print unique message IDs"), command_uidl },
  { "top", "N [LINES]", N_ ("Print the headers and the first LINES lines of a message"), command_top },
  { "retr", "N [-o FILE] [--no-size-limit]", N_ ("Save a message byte for byte, never parsed"), command_retr },
  { "dele", "N… | --uid UID…", N_ ("Delete messages (applied at QUIT)"), command_dele },
  { "previews", "[--json]", N_ ("List every message: size, UID, date, sender, subject"), command_previews },
  { "serverinfo", "", N_ ("Explain the server: greeting, capabilities, TLS, certificate"), command_serverinfo },
  { "console", "", N_ ("Type POP3 commands by hand, as with telnet but over TLS"), command_console },
  { "fetch", "--maildir DIR", N_ ("Download new messages into a Maildir"), command_fetch },
};

static char *
commands_description (void)
{
  GString *out = g_string_new (_ ("Commands:"));

  g_string_append_c (out, '\n');
  for (size_t i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (out, "  %-11s %s\n", commands[i].name, _ (commands[i].summary));
  g_string_append (out, _ ("\n“mailwire-cli pop3 COMMAND --help” tells more about each.\n"
                           "Exit status: 0 done, 1 refused by the server or local store failed (disk "
                           "full), 2 usage, 3 connection or protocol problem."));
  return g_string_free (out, FALSE);
}

static GOptionContext *
command_context (Pop3Cli           *cli,
                 const Pop3Command *command)
{
  const GOptionEntry retr_entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &cli->output,
      N_ ("Write the message to FILE (through FILE.part, synced, then renamed)"), N_ ("FILE") },
    { "no-size-limit", 0, 0, G_OPTION_ARG_NONE, &cli->no_size_limit,
      N_ ("Read the message however far it runs past the size the server announced"), NULL },
    { NULL }
  };
  const GOptionEntry dele_entries[] = {
    { "uid", 0, 0, G_OPTION_ARG_NONE, &cli->by_uid,
      N_ ("The arguments are unique IDs (UIDL), mapped in this session"), NULL },
    { NULL }
  };
  const GOptionEntry previews_entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json, N_ ("Print JSON"), NULL },
    { NULL }
  };
  const GOptionEntry fetch_entries[] = {
    { "maildir", 0, 0, G_OPTION_ARG_FILENAME, &cli->maildir,
      N_ ("Store messages in this Maildir (its UID index is kept inside)"), N_ ("DIR") },
    { "delete", 0, 0, G_OPTION_ARG_NONE, &cli->delete,
      N_ ("Delete messages from the server once stored"), NULL },
    { "keep-days", 0, 0, G_OPTION_ARG_INT, &cli->keep_days,
      N_ ("Delete stored messages N days after they were first seen"), N_ ("N") },
    { "max-size", 0, 0, G_OPTION_ARG_INT64, &cli->max_size,
      N_ ("Leave messages larger than this on the server"), N_ ("BYTES") },
    { NULL }
  };
  g_autofree char *parameters = g_strdup_printf ("%s %s", command->name, command->parameters);
  GOptionContext  *context = g_option_context_new (parameters);

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _ (command->summary));
  if (command->func == command_retr)
    g_option_context_add_main_entries (context, retr_entries, GETTEXT_PACKAGE);
  else if (command->func == command_dele)
    g_option_context_add_main_entries (context, dele_entries, GETTEXT_PACKAGE);
  else if (command->func == command_previews)
    g_option_context_add_main_entries (context, previews_entries, GETTEXT_PACKAGE);
  else if (command->func == command_fetch)
    g_option_context_add_main_entries (context, fetch_entries, GETTEXT_PACKAGE);
  else if (command->func == command_console)
    g_option_context_set_description (context, _ ("Without --user the console starts before login: type USER and PASS, "
                                                  "APOP or AUTH. Passwords and login responses never appear in the "
                                                  "transcript.\n"
                                                  "Before DELE, and before RSET and QUIT while messages are marked for "
                                                  "deletion, the console prints a warning on standard error. When "
                                                  "standard input is a terminal it then asks for confirmation; "
                                                  "otherwise (a pipe or a file) it goes on without asking."));
  g_option_context_add_group (context, mw_cli_options_get_group (&cli->options));

  return context;
}

int
mw_cli_pop3_main (int    argc,
                  char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GOptionContext) sub_context = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char   *description = commands_description ();
  const Pop3Command *command = NULL;
  Pop3Cli            cli = { 0 };
  int                sub_argc;
  char             **sub_argv;
  int                status;

  mw_cli_options_init (&cli.options, MW_CLI_PROTOCOL_POP3);
  cli.keep_days = -1;

  context = g_option_context_new (_ ("COMMAND [ARGUMENTS…]"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _ ("Talk to a POP3 server: list, read, save and delete "
                                            "messages, or type commands by hand."));
  g_option_context_set_description (context, description);
  g_option_context_set_strict_posix (context, TRUE);
  g_option_context_set_main_group (context, mw_cli_options_get_group (&cli.options));

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      status = mw_cli_usage_error (context, "%s", error->message);
      pop3_cli_clear (&cli);
      return status;
    }

  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      fprintf (stderr, "%s", help);
      pop3_cli_clear (&cli);
      return MW_CLI_EXIT_USAGE;
    }

  for (size_t i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      command = &commands[i];

  if (command == NULL)
    {
      status = mw_cli_usage_error (context, _ ("Unknown POP3 command “%s”"), argv[1]);
      pop3_cli_clear (&cli);
      return status;
    }

  {
    g_autofree char *prgname = g_strdup_printf ("mailwire-cli pop3");

    g_set_prgname (prgname);
  }

  sub_context = command_context (&cli, command);
  sub_argc = argc - 1;
  sub_argv = argv + 1;
  if (!g_option_context_parse (sub_context, &sub_argc, &sub_argv, &error))
    {
      status = mw_cli_usage_error (sub_context, "%s", error->message);
      pop3_cli_clear (&cli);
      return status;
    }

  if (!mw_cli_options_finish (&cli.options, &error))
    {
      status = mw_cli_usage_error (sub_context, "%s", error->message);
      pop3_cli_clear (&cli);
      return status;
    }

  cli.transcript = mw_transcript_new (MW_TRANSCRIPT_DEFAULT_MAX_ENTRIES);
  if (cli.options.transcript)
    mw_cli_print_transcript (cli.transcript);

  status = command->func (&cli, sub_argc, sub_argv);
  pop3_cli_clear (&cli);
  return status;
}
