/* mw-store-util.c: file system helpers shared by the store
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-store-util-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

void
mw_store_set_io_error (GError    **error,
                       int         errsv,
                       const char *what,
                       const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               "%s “%s”: %s", what, path, g_strerror (errsv));
}

gboolean
mw_store_fsync_directory (const char *path,
                          GError    **error)
{
  int fd;

  fd = g_open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int errsv = errno;

      mw_store_set_io_error (error, errsv, _ ("Could not open the folder"), path);
      return FALSE;
    }

  if (fsync (fd) != 0 && errno != EINVAL && errno != EROFS)
    {
      int errsv = errno;

      close (fd);
      mw_store_set_io_error (error, errsv, _ ("Could not flush the folder"), path);
      return FALSE;
    }

  close (fd);
  return TRUE;
}

gboolean
mw_store_mkdir (const char *path,
                GError    **error)
{
  if (g_mkdir_with_parents (path, 0700) != 0)
    {
      int errsv = errno;

      mw_store_set_io_error (error, errsv, _ ("Could not create the folder"), path);
      return FALSE;
    }

  return TRUE;
}

gboolean
mw_store_account_id_is_valid (const char *account_id)
{
  size_t len;

  if (account_id == NULL)
    return FALSE;

  len = strlen (account_id);
  if (len == 0 || len > 64 || account_id[0] == '.')
    return FALSE;

  for (size_t i = 0; i < len; i++)
    {
      char c = account_id[i];

      if (!g_ascii_isalnum (c) && c != '-' && c != '_' && c != '.')
        return FALSE;
    }

  return TRUE;
}

char *
mw_store_account_dir (const char *account_id)
{
  g_assert (mw_store_account_id_is_valid (account_id));

  return g_build_filename (g_get_user_data_dir (), "mailwire", "accounts", account_id, NULL);
}
