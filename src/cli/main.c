/* main.c: mailwire-cli, the protocol work of Mailwire from a terminal
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "mw-cli-commands.h"
#include "mw-cli-common.h"

static void
print_usage (FILE *out)
{
  fprintf (out, _ ("Usage: %s COMMAND [OPTION…]\n\n"), "mailwire-cli");
  fprintf (out, "%s\n", _ ("Talk to mail servers the way Mailwire does: with TLS, SASL, pipelining\n"
                           "and a transcript in which passwords never appear."));
  fprintf (out, "\n%s\n", _ ("Commands:"));
  for (const MwCliCommand *command = mw_cli_commands; command->name != NULL; command++)
    fprintf (out, "  %-8s %s\n", command->name, _ (command->summary));
  fprintf (out, "\n%s\n", _ ("“mailwire-cli COMMAND --help” tells more about each."));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("mailwire-cli");

  if (argc < 2)
    {
      print_usage (stderr);
      return MW_CLI_EXIT_USAGE;
    }

  if (strcmp (argv[1], "--version") == 0 || strcmp (argv[1], "-V") == 0)
    {
      printf ("mailwire-cli %s\n", PACKAGE_VERSION);
      return MW_CLI_EXIT_OK;
    }

  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 ||
      strcmp (argv[1], "help") == 0)
    {
      print_usage (stdout);
      return MW_CLI_EXIT_OK;
    }

  for (const MwCliCommand *command = mw_cli_commands; command->name != NULL; command++)
    {
      if (strcmp (argv[1], command->name) == 0)
        {
          g_autofree char *prgname = g_strdup_printf ("mailwire-cli %s", command->name);

          g_set_prgname (prgname);
          return command->main (argc - 1, argv + 1);
        }
    }

  fprintf (stderr, _ ("mailwire-cli: unknown command “%s”\n\n"), argv[1]);
  print_usage (stderr);
  return MW_CLI_EXIT_USAGE;
}
