/* mw-cli-commands.c: the table of mailwire-cli commands
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "mw-cli-commands.h"
#include "mw-cli-pop3.h"
#include "mw-cli-smtp.h"

/* Each protocol adds its command here. */
const MwCliCommand mw_cli_commands[] = {
  { "pop3", N_ ("Talk to a POP3 server: list, read, save, delete, fetch"), mw_cli_pop3_main },
  { "smtp", N_ ("Talk to an SMTP server: capabilities, send, verify"), mw_cli_smtp_main },
  { NULL, NULL, NULL },
};
