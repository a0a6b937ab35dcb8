/* mw-cli-commands.c: the table of mailwire-cli commands
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "mw-cli-commands.h"

/* Each protocol adds its command here. */
const MwCliCommand mw_cli_commands[] = {
  { NULL, NULL, NULL },
};
