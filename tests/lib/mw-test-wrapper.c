/* mw-test-wrapper.c: running programs under test through a memory checker
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-test-wrapper.h"

#include <glib/gstdio.h>
#include <string.h>

char **
mw_test_wrapper_argv (void)
{
  const char *wrapper = g_getenv ("MW_TEST_WRAPPER");
  g_autoptr (GError) error = NULL;
  char **words = NULL;

  if (wrapper == NULL || *wrapper == '\0')
    return g_new0 (char *, 1);
  if (!g_shell_parse_argv (wrapper, NULL, &words, &error))
    g_error ("MW_TEST_WRAPPER: %s", error->message);
  return words;
}

gboolean
mw_test_wrapper_active (void)
{
  const char *wrapper = g_getenv ("MW_TEST_WRAPPER");

  return wrapper != NULL && *wrapper != '\0';
}

/* The wrapper's report for @pid: its --log-file= with %p replaced. */
static char *
log_path (const char *pid)
{
  g_auto (GStrv) words = mw_test_wrapper_argv ();

  for (guint i = 0; words[i] != NULL; i++)
    if (g_str_has_prefix (words[i], "--log-file="))
      {
        g_auto (GStrv) parts = g_strsplit (words[i] + strlen ("--log-file="), "%p", -1);

        return g_strjoinv (pid, parts);
      }
  return NULL;
}

void
mw_test_wrapper_check (GSubprocess *process,
                       const char  *pid)
{
  g_autofree char *path = NULL;
  g_autofree char *report = NULL;

  if (!mw_test_wrapper_active () || pid == NULL)
    return;

  path = log_path (pid);
  if (g_subprocess_get_if_exited (process) &&
      g_subprocess_get_exit_status (process) == MW_TEST_WRAPPER_FAILED)
    {
      if (path != NULL)
        g_file_get_contents (path, &report, NULL, NULL);
      g_test_message ("%s", report != NULL ? report : "(no report)");
      g_error ("the memory checker found errors in a spawned program; its report is above "
               "and in %s",
               path != NULL ? path : "its output");
    }
  if (path != NULL)
    g_unlink (path);
}
