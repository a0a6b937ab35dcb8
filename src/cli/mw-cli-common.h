/* mw-cli-common.h: what every mailwire-cli command shares
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mw-connection.h"
#include "mw-reply-explainer.h"
#include "mw-reply-explainer.h"
#include "mw-transcript.h"

G_BEGIN_DECLS

/* Exit status, the same for every command. */
typedef enum
{
  MW_CLI_EXIT_OK = 0,
  MW_CLI_EXIT_REFUSED = 1,    /* the server said no; the message quotes it */
  MW_CLI_EXIT_USAGE = 2,      /* bad arguments */
  MW_CLI_EXIT_CONNECTION = 3, /* connection, TLS, timeout, protocol violation */
  MW_CLI_EXIT_UNCERTAIN = 4,  /* SMTP: delivery uncertain */
} MwCliExit;

typedef enum
{
  MW_CLI_PROTOCOL_POP3,
  MW_CLI_PROTOCOL_SMTP,
} MwCliProtocol;

typedef struct
{
  MwCliProtocol protocol;
  char         *host;
  int           port; /* 0: the protocol's default for the security */
  char         *security_name;
  MwSecurity    security;
  char         *user;
  char         *password_file;
  char         *password_env;
  char         *auth;
  char         *fingerprint;
  char         *ca_file;
  int           timeout;
  gboolean      no_pipelining;
  gboolean      transcript;
  gboolean      allow_plaintext;
  char         *oauth2_token_command;
} MwCliOptions;

void          mw_cli_options_init (MwCliOptions *options,
                                   MwCliProtocol protocol);
void          mw_cli_options_clear (MwCliOptions *options);
GOptionGroup *mw_cli_options_get_group (MwCliOptions *options);
/* Checks the parsed options and fills in defaults (port from security). */
gboolean mw_cli_options_finish (MwCliOptions *options,
                                GError      **error);
guint16  mw_cli_options_get_port (MwCliOptions *options);

/* The password from --password-file, --password-env or a prompt without
 * echo on the terminal. NULL with no error when none is needed (no --user).
 * The caller explicit_bzero()s it. */
char *mw_cli_get_password (MwCliOptions *options,
                           GError      **error);
/* The OAuth2 access token printed by --oauth2-token-command. */
char *mw_cli_get_oauth2_token (MwCliOptions *options,
                               GError      **error);

/* Prints every new transcript entry on stderr ("C: …", "S: …", "* …"). */
void mw_cli_print_transcript (MwTranscript *transcript);

/* Runs the default main context until *@done is TRUE. */
void mw_cli_wait (gboolean *done);

/* The exit status an error calls for. */
MwCliExit mw_cli_exit_code_for_error (const GError *error);
/* Prints "mailwire-cli: message" on stderr and returns the exit status. */
int mw_cli_fail (const GError *error);
int mw_cli_usage_error (GOptionContext *context,
                        const char     *format,
                        ...) G_GNUC_PRINTF (2, 3);

/* Waiting for one asynchronous call at a time: pass mw_cli_async_cb and
 * the struct to a *_async() function, then give the result of
 * mw_cli_async_wait() (borrowed, valid until the next wait) to *_finish(). */
typedef struct
{
  gboolean      done;
  GAsyncResult *result;
} MwCliAsync;

void          mw_cli_async_cb (GObject      *source,
                               GAsyncResult *result,
                               gpointer      user_data);
GAsyncResult *mw_cli_async_wait (MwCliAsync *self);
void          mw_cli_async_clear (MwCliAsync *self);

/* A console's warning before a command that changes the mailbox: printed
 * on standard error. When standard input is a terminal the person is
 * asked to confirm, and the answer is read from @input; otherwise the
 * console goes on. Returns whether to send the command. */
gboolean mw_cli_console_confirm (GDataInputStream *input,
                                 MwCliAsync       *async,
                                 const char       *warning);

/* The last line the server sent that @accept takes, from the transcript. */
char *mw_cli_last_server_line (MwTranscript *transcript,
                               gboolean (*accept) (const char *line));
/* Prints "  sentence advice" explaining a server reply on stderr. */
void mw_cli_print_explanation (MwReplyProtocol protocol,
                               const char     *reply);
/* Prints what is wrong with a certificate the connection refused, and
 * how to trust it when it is the right one. */
void mw_cli_print_certificate_problem (MwConnection *connection);

/* Writes @text as a JSON string, quoted and escaped; invalid UTF-8 is
 * replaced, other characters are kept as they are. */
void mw_cli_json_append_string (GString    *out,
                                const char *text);

/* Console help from the protocol's command table: one line a command, or
 * one command's syntax, help, standard and (when refused) the reason.
 * Returns FALSE when @name is not a command of the protocol. */
void     mw_cli_print_command_list (MwReplyProtocol protocol);
gboolean mw_cli_print_command_help (MwReplyProtocol protocol,
                                    const char     *name);

/* Overwrites and frees a secret. */
void mw_cli_free_secret (char *secret);

G_END_DECLS
