/* mw-maildrop-private.h: the server's Maildir: listing, locking, delivery
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* POP3 UIDs: printable ASCII without space, at most this long (RFC 1939). */
#define MW_MAILDROP_MAX_UID_LEN 70

/* The lock file a POP3 session holds in the Maildir. */
#define MW_MAILDROP_LOCK_NAME "mailwire-pop3.lock"

/* Turns stored bytes into the wire form: bare LF becomes CRLF, a last line
 * without a terminator gets one, lines starting with "." are stuffed when
 * asked. Optionally stops after the headers and @max_body_lines body lines
 * (POP3 TOP). wire_size counts the unstuffed wire octets. */
typedef struct
{
  gboolean dot_stuff;
  int      max_body_lines; /* -1: the whole message */
  gboolean pending_cr;
  size_t   line_len;
  gboolean in_body;
  int      body_lines;
  gboolean done;
  guint64  wire_size;
} MwWireNormalizer;

void mw_wire_normalizer_init (MwWireNormalizer *self,
                              gboolean          dot_stuff,
                              int               max_body_lines);

/* @out is NULL (count only) or has room for 2 * @len + 4 bytes; returns the
 * number of bytes written to it. */
size_t mw_wire_normalizer_feed (MwWireNormalizer *self,
                                const char       *in,
                                size_t            len,
                                char             *out);

/* @out is NULL or has room for 4 bytes. */
size_t mw_wire_normalizer_finish (MwWireNormalizer *self,
                                  char             *out);

gboolean mw_maildir_ensure (const char *path,
                            GError    **error);

/* Turns a file name into a POP3 UID: the part before ':' when it is safe,
 * else a digest of it. */
char *mw_maildrop_make_uid (const char *file_name);

/* The lock file: created with O_EXCL, holding our pid; a lock left by a
 * process that no longer runs is taken over. */
gboolean mw_maildrop_lock_file (const char *maildir,
                                gboolean   *out_in_use,
                                GError    **error);
void     mw_maildrop_unlock_file (const char *maildir);

typedef struct
{
  char    *name; /* relative to the Maildir: "new/…" or "cur/…" */
  char    *uid;
  guint64  size;
  gboolean deleted;
} MwMaildropMessage;

typedef struct
{
  char   *path;
  GArray *messages; /* MwMaildropMessage */
} MwMaildrop;

/* Lists new/ and cur/ ordered by delivery time then name, with wire sizes. */
MwMaildrop *mw_maildrop_open (const char   *maildir,
                              GCancellable *cancellable,
                              GError      **error);
void        mw_maildrop_free (MwMaildrop *self);

/* Opens message @index (0-based) for reading; returns a file descriptor. */
int mw_maildrop_open_message (MwMaildrop *self,
                              guint       index,
                              GError    **error);

/* Removes the messages marked deleted; returns FALSE if some could not be. */
gboolean mw_maildrop_expunge (MwMaildrop *self,
                              GError    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MwMaildrop, mw_maildrop_free)

/* One message being delivered: written to tmp/, then moved into new/. */
typedef struct _MwMaildirWriter MwMaildirWriter;

MwMaildirWriter *mw_maildir_writer_new (const char *maildir,
                                        GError    **error);
gboolean         mw_maildir_writer_write (MwMaildirWriter *self,
                                          const void      *data,
                                          size_t           len,
                                          GError         **error);
guint64          mw_maildir_writer_get_size (MwMaildirWriter *self);
/* The queue id: the unique part of the file name. */
const char *mw_maildir_writer_get_id (MwMaildirWriter *self);
/* Syncs the file, moves it into new/ and syncs the directory. */
gboolean mw_maildir_writer_commit (MwMaildirWriter *self,
                                   GError         **error);
/* Removes the temporary file unless it was committed. */
void mw_maildir_writer_free (MwMaildirWriter *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MwMaildirWriter, mw_maildir_writer_free)

G_END_DECLS
