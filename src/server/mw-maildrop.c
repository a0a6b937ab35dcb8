/* mw-maildrop.c: the server's Maildir: listing, locking, delivery
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-maildrop-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK_SIZE 16384

/* A lock file without a pid yet is being written; older than this, it is
 * junk. */
#define LOCK_GRACE_SECONDS 10

/* Wire normalizer */

void
mw_wire_normalizer_init (MwWireNormalizer *self,
                         gboolean          dot_stuff,
                         int               max_body_lines)
{
  memset (self, 0, sizeof *self);
  self->dot_stuff = dot_stuff;
  self->max_body_lines = max_body_lines;
}

static size_t
end_line (MwWireNormalizer *self,
          char             *out)
{
  if (out != NULL)
    {
      out[0] = '\r';
      out[1] = '\n';
    }
  self->wire_size += 2;

  if (!self->in_body)
    {
      if (self->line_len == 0)
        {
          self->in_body = TRUE;
          if (self->max_body_lines == 0)
            self->done = TRUE;
        }
    }
  else
    {
      self->body_lines++;
      if (self->max_body_lines >= 0 && self->body_lines >= self->max_body_lines)
        self->done = TRUE;
    }

  self->line_len = 0;

  return 2;
}

size_t
mw_wire_normalizer_feed (MwWireNormalizer *self,
                         const char       *in,
                         size_t            len,
                         char             *out)
{
  size_t i = 0;
  size_t o = 0;

  while (i < len && !self->done)
    {
      char   c = in[i];
      size_t run;

      if (self->pending_cr)
        {
          self->pending_cr = FALSE;
          if (c == '\n')
            {
              o += end_line (self, out != NULL ? out + o : NULL);
              i++;
              continue;
            }

          /* A lone CR is data, as other servers pass it on. */
          if (out != NULL)
            out[o] = '\r';
          o++;
          self->line_len++;
          self->wire_size++;
        }

      if (c == '\r')
        {
          self->pending_cr = TRUE;
          i++;
          continue;
        }

      if (c == '\n')
        {
          o += end_line (self, out != NULL ? out + o : NULL);
          i++;
          continue;
        }

      if (self->line_len == 0 && c == '.' && self->dot_stuff)
        {
          if (out != NULL)
            out[o] = '.';
          o++;
        }

      for (run = 1; i + run < len && in[i + run] != '\r' && in[i + run] != '\n'; run++)
        ;

      if (out != NULL)
        memcpy (out + o, in + i, run);
      o += run;
      i += run;
      self->line_len += run;
      self->wire_size += run;
    }

  return o;
}

size_t
mw_wire_normalizer_finish (MwWireNormalizer *self,
                           char             *out)
{
  size_t o = 0;

  if (self->done)
    return 0;

  if (self->pending_cr)
    {
      self->pending_cr = FALSE;
      if (out != NULL)
        out[o] = '\r';
      o++;
      self->line_len++;
      self->wire_size++;
    }

  if (self->line_len > 0)
    o += end_line (self, out != NULL ? out + o : NULL);

  self->done = TRUE;

  return o;
}

/* Maildir */

static gboolean
set_error_from_errno (GError    **error,
                      int         saved_errno,
                      const char *what,
                      const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s %s: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

gboolean
mw_maildir_ensure (const char *path,
                   GError    **error)
{
  static const char *const subdirs[] = { "cur", "new", "tmp" };

  for (size_t i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *sub = g_build_filename (path, subdirs[i], NULL);

      if (g_mkdir_with_parents (sub, 0700) != 0)
        return set_error_from_errno (error, errno, "Cannot create", sub);
    }

  return TRUE;
}

char *
mw_maildrop_make_uid (const char *file_name)
{
  const char *colon = strchr (file_name, ':');
  size_t      len = colon != NULL ? (size_t) (colon - file_name) : strlen (file_name);
  gboolean    safe = len > 0 && len <= MW_MAILDROP_MAX_UID_LEN;

  for (size_t i = 0; safe && i < len; i++)
    {
      guchar c = (guchar) file_name[i];

      if (c < 0x21 || c > 0x7E)
        safe = FALSE;
    }

  g_autofree char *digest = NULL;

  if (safe)
    return g_strndup (file_name, len);

  /* Stable across sessions, and UIDL-safe: 41 characters. */
  digest = g_compute_checksum_for_data (G_CHECKSUM_SHA1, (const guchar *) file_name, len);
  return g_strconcat ("x", digest, NULL);
}

static gboolean
pid_is_alive (pid_t pid)
{
  if (pid == getpid ())
    return TRUE;

  return kill (pid, 0) == 0 || errno == EPERM;
}

gboolean
mw_maildrop_lock_file (const char *maildir,
                       gboolean   *out_in_use,
                       GError    **error)
{
  g_autofree char *path = g_build_filename (maildir, MW_MAILDROP_LOCK_NAME, NULL);

  *out_in_use = FALSE;

  for (int attempt = 0; attempt < 5; attempt++)
    {
      g_autofree char *contents = NULL;
      g_autofree char *pid_line = NULL;
      struct stat      before;
      struct stat      after;
      char            *end = NULL;
      gint64           pid;
      int              fd;

      fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd >= 0)
        {
          g_autofree char *line = g_strdup_printf ("%ld\n", (long) getpid ());
          gboolean         ok = write (fd, line, strlen (line)) == (ssize_t) strlen (line);
          int              saved_errno = errno;

          close (fd);
          if (!ok)
            {
              g_unlink (path);
              return set_error_from_errno (error, saved_errno, "Cannot write", path);
            }

          return TRUE;
        }

      if (errno != EEXIST)
        return set_error_from_errno (error, errno, "Cannot create", path);

      if (g_stat (path, &before) != 0 ||
          !g_file_get_contents (path, &contents, NULL, NULL))
        continue; /* Gone meanwhile: try again. */

      pid = g_ascii_strtoll (contents, &end, 10);
      if (end == contents || (*end != '\n' && *end != '\0') || pid <= 0 || pid > G_MAXINT)
        {
          /* No pid yet: someone is creating it right now, unless it is old. */
          if (time (NULL) - before.st_mtime < LOCK_GRACE_SECONDS)
            {
              *out_in_use = TRUE;
              return FALSE;
            }
        }
      else if (pid_is_alive ((pid_t) pid))
        {
          *out_in_use = TRUE;
          return FALSE;
        }

      /* Stale: take it over, unless it was replaced since we read it. A
       * process racing us on the same stale lock can still slip in between
       * the check and the unlink; both then see each other's O_EXCL fail or
       * succeed in turn on the next attempt. */
      if (g_stat (path, &after) == 0 &&
          after.st_ino == before.st_ino && after.st_dev == before.st_dev)
        {
          g_debug ("Taking over the stale lock %s", path);
          g_unlink (path);
        }
    }

  *out_in_use = TRUE;
  return FALSE;
}

void
mw_maildrop_unlock_file (const char *maildir)
{
  g_autofree char *path = g_build_filename (maildir, MW_MAILDROP_LOCK_NAME, NULL);

  if (g_unlink (path) != 0)
    g_debug ("Cannot remove %s: %s", path, g_strerror (errno));
}

typedef struct
{
  gint64 mtime_ns;
  char  *name;
} Entry;

static int
compare_entries (const void *a,
                 const void *b)
{
  const Entry *ea = a;
  const Entry *eb = b;

  if (ea->mtime_ns != eb->mtime_ns)
    return ea->mtime_ns < eb->mtime_ns ? -1 : 1;

  /* The file name, without "new/" or "cur/". */
  return strcmp (strchr (ea->name, '/') + 1, strchr (eb->name, '/') + 1);
}

static void
clear_message (gpointer data)
{
  MwMaildropMessage *message = data;

  g_free (message->name);
  g_free (message->uid);
}

static void
clear_entry (gpointer data)
{
  Entry *entry = data;

  g_free (entry->name);
}

/* The size from ",W=<n>" (wire size) or ",S=<n>" in the base name. */
static gboolean
size_from_name (const char *file_name,
                guint64    *out_size)
{
  static const char *const keys[] = { ",W=", ",S=" };
  const char              *colon = strchr (file_name, ':');
  size_t                   len = colon != NULL ? (size_t) (colon - file_name) : strlen (file_name);
  g_autofree char         *base = g_strndup (file_name, len);

  for (size_t k = 0; k < G_N_ELEMENTS (keys); k++)
    {
      const char *p = strstr (base, keys[k]);
      char       *end = NULL;
      guint64     size;

      if (p == NULL || !g_ascii_isdigit (p[3]))
        continue;

      errno = 0;
      size = g_ascii_strtoull (p + 3, &end, 10);
      if (errno == 0 && (*end == ',' || *end == '\0'))
        {
          *out_size = size;
          return TRUE;
        }
    }

  return FALSE;
}

static gboolean
count_wire_size (int         dirfd,
                 const char *name,
                 guint64    *out_size)
{
  MwWireNormalizer norm;
  char             buf[CHUNK_SIZE];
  ssize_t          n;
  int              fd;

  fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return FALSE;

  mw_wire_normalizer_init (&norm, FALSE, -1);
  while ((n = read (fd, buf, sizeof buf)) > 0)
    mw_wire_normalizer_feed (&norm, buf, (size_t) n, NULL);
  mw_wire_normalizer_finish (&norm, NULL);
  close (fd);

  if (n < 0)
    return FALSE;

  *out_size = norm.wire_size;
  return TRUE;
}

MwMaildrop *
mw_maildrop_open (const char   *maildir,
                  GCancellable *cancellable,
                  GError      **error)
{
  static const char *const subdirs[] = { "new", "cur" };
  g_autoptr (MwMaildrop) self = NULL;
  g_autoptr (GArray) entries = NULL;
  int rootfd;

  rootfd = open (maildir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return (set_error_from_errno (error, errno, "Cannot open", maildir), NULL);

  entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  g_array_set_clear_func (entries, clear_entry);

  for (size_t s = 0; s < G_N_ELEMENTS (subdirs); s++)
    {
      struct dirent *dent;
      DIR           *dir;
      int            dirfd;

      dirfd = openat (rootfd, subdirs[s], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dirfd < 0 || (dir = fdopendir (dirfd)) == NULL)
        {
          int saved_errno = errno;

          if (dirfd >= 0)
            close (dirfd);
          close (rootfd);
          return (set_error_from_errno (error, saved_errno, "Cannot open", subdirs[s]), NULL);
        }

      while ((dent = readdir (dir)) != NULL)
        {
          struct stat st;
          Entry       entry;

          if (dent->d_name[0] == '.')
            continue;

          if (fstatat (dirfd, dent->d_name, &st, 0) != 0 || !S_ISREG (st.st_mode))
            continue;

          entry.mtime_ns = (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_mtim.tv_nsec;
          entry.name = g_strconcat (subdirs[s], "/", dent->d_name, NULL);
          g_array_append_val (entries, entry);
        }

      closedir (dir);
    }

  g_array_sort (entries, compare_entries);

  self = g_new0 (MwMaildrop, 1);
  self->path = g_strdup (maildir);
  self->messages = g_array_sized_new (FALSE, TRUE, sizeof (MwMaildropMessage), entries->len);
  g_array_set_clear_func (self->messages, clear_message);

  for (guint i = 0; i < entries->len; i++)
    {
      Entry            *entry = &g_array_index (entries, Entry, i);
      const char       *file_name = strchr (entry->name, '/') + 1;
      MwMaildropMessage message = { 0 };

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          close (rootfd);
          return NULL;
        }

      if (!size_from_name (file_name, &message.size) &&
          !count_wire_size (rootfd, entry->name, &message.size))
        continue; /* Removed meanwhile. */

      message.name = g_steal_pointer (&entry->name);
      message.uid = mw_maildrop_make_uid (file_name);
      g_array_append_val (self->messages, message);
    }

  close (rootfd);

  return g_steal_pointer (&self);
}

void
mw_maildrop_free (MwMaildrop *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->messages, g_array_unref);
  g_free (self->path);
  g_free (self);
}

int
mw_maildrop_open_message (MwMaildrop *self,
                          guint       index,
                          GError    **error)
{
  MwMaildropMessage *message;
  g_autofree char   *path = NULL;
  int                fd;

  g_assert (index < self->messages->len);

  message = &g_array_index (self->messages, MwMaildropMessage, index);
  path = g_build_filename (self->path, message->name, NULL);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    set_error_from_errno (error, errno, "Cannot open", path);

  return fd;
}

static gboolean
sync_directory (const char *path,
                GError    **error)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return set_error_from_errno (error, errno, "Cannot open", path);

  if (fsync (fd) != 0)
    {
      int saved_errno = errno;

      close (fd);
      return set_error_from_errno (error, saved_errno, "Cannot sync", path);
    }

  close (fd);
  return TRUE;
}

gboolean
mw_maildrop_expunge (MwMaildrop *self,
                     GError    **error)
{
  gboolean touched[2] = { FALSE, FALSE };
  gboolean ok = TRUE;

  for (guint i = 0; i < self->messages->len; i++)
    {
      MwMaildropMessage *message = &g_array_index (self->messages, MwMaildropMessage, i);
      g_autofree char   *path = NULL;

      if (!message->deleted)
        continue;

      path = g_build_filename (self->path, message->name, NULL);
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          if (ok)
            set_error_from_errno (error, errno, "Cannot remove", path);
          ok = FALSE;
          continue;
        }

      touched[g_str_has_prefix (message->name, "new/") ? 0 : 1] = TRUE;
    }

  for (int d = 0; d < 2; d++)
    {
      g_autofree char *dir = NULL;

      if (!touched[d])
        continue;

      dir = g_build_filename (self->path, d == 0 ? "new" : "cur", NULL);
      if (!sync_directory (dir, ok ? error : NULL))
        ok = FALSE;
    }

  return ok;
}

/* Delivery */

struct _MwMaildirWriter
{
  char            *maildir;
  char            *base;
  char            *tmp_path;
  int              fd;
  char            *buf;
  size_t           buf_len;
  MwWireNormalizer norm;
  gboolean         created;
  gboolean         committed;
};

static char *
unique_base (void)
{
  static gint      counter;
  g_autofree char *host = g_strdup (g_get_host_name ());
  gint64           now = g_get_real_time ();

  /* '/' and ':' would break the Maildir name. */
  for (char *p = host; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      *p = '_';

  return g_strdup_printf ("%" G_GINT64_FORMAT ".M%06dP%ldQ%d.%s",
                          now / G_USEC_PER_SEC, (int) (now % G_USEC_PER_SEC),
                          (long) getpid (), g_atomic_int_add (&counter, 1) + 1,
                          host);
}

MwMaildirWriter *
mw_maildir_writer_new (const char *maildir,
                       GError    **error)
{
  g_autoptr (MwMaildirWriter) self = g_new0 (MwMaildirWriter, 1);

  self->fd = -1;
  self->maildir = g_strdup (maildir);
  self->base = unique_base ();
  self->tmp_path = g_build_filename (maildir, "tmp", self->base, NULL);
  self->buf = g_malloc (CHUNK_SIZE * 4);
  mw_wire_normalizer_init (&self->norm, FALSE, -1);

  self->fd = open (self->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (self->fd < 0)
    return (set_error_from_errno (error, errno, "Cannot create", self->tmp_path), NULL);
  self->created = TRUE;

  return g_steal_pointer (&self);
}

static gboolean
write_all (MwMaildirWriter *self,
           const char      *data,
           size_t           len,
           GError         **error)
{
  while (len > 0)
    {
      ssize_t n = write (self->fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return set_error_from_errno (error, errno, "Cannot write", self->tmp_path);

      data += n;
      len -= (size_t) n;
    }

  return TRUE;
}

gboolean
mw_maildir_writer_write (MwMaildirWriter *self,
                         const void      *data,
                         size_t           len,
                         GError         **error)
{
  g_assert (!self->committed);

  mw_wire_normalizer_feed (&self->norm, data, len, NULL);

  if (self->buf_len + len > CHUNK_SIZE * 4)
    {
      if (!write_all (self, self->buf, self->buf_len, error))
        return FALSE;
      self->buf_len = 0;

      if (len >= CHUNK_SIZE * 4)
        return write_all (self, data, len, error);
    }

  memcpy (self->buf + self->buf_len, data, len);
  self->buf_len += len;

  return TRUE;
}

guint64
mw_maildir_writer_get_size (MwMaildirWriter *self)
{
  return self->norm.wire_size;
}

const char *
mw_maildir_writer_get_id (MwMaildirWriter *self)
{
  return self->base;
}

gboolean
mw_maildir_writer_commit (MwMaildirWriter *self,
                          GError         **error)
{
  g_autofree char *name = NULL;
  g_autofree char *new_path = NULL;
  g_autofree char *new_dir = NULL;

  g_assert (!self->committed);

  if (!write_all (self, self->buf, self->buf_len, error))
    return FALSE;
  self->buf_len = 0;

  if (fsync (self->fd) != 0)
    return (set_error_from_errno (error, errno, "Cannot sync", self->tmp_path), FALSE);

  if (close (self->fd) != 0)
    {
      self->fd = -1;
      return (set_error_from_errno (error, errno, "Cannot close", self->tmp_path), FALSE);
    }
  self->fd = -1;

  mw_wire_normalizer_finish (&self->norm, NULL);
  name = g_strdup_printf ("%s,S=%" G_GUINT64_FORMAT, self->base, self->norm.wire_size);
  new_dir = g_build_filename (self->maildir, "new", NULL);
  new_path = g_build_filename (new_dir, name, NULL);

  if (g_rename (self->tmp_path, new_path) != 0)
    return (set_error_from_errno (error, errno, "Cannot move", self->tmp_path), FALSE);

  self->committed = TRUE;

  return sync_directory (new_dir, error);
}

void
mw_maildir_writer_free (MwMaildirWriter *self)
{
  if (self == NULL)
    return;

  if (self->fd >= 0)
    close (self->fd);

  if (self->created && !self->committed)
    g_unlink (self->tmp_path);

  g_free (self->maildir);
  g_free (self->base);
  g_free (self->tmp_path);
  g_free (self->buf);
  g_free (self);
}
