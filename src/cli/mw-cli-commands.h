/* mw-cli-commands.h: the commands of mailwire-cli
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Each takes the arguments after its own name (argv[0] is the command). */
typedef int (*MwCliCommandMain) (int    argc,
                                 char **argv);

typedef struct
{
  const char      *name;
  const char      *summary;
  MwCliCommandMain main;
} MwCliCommand;

/* NULL-terminated. */
extern const MwCliCommand mw_cli_commands[];

G_END_DECLS
