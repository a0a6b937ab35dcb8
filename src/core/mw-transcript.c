/* mw-transcript.c: the live record of a protocol session
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-transcript.h"

#include <string.h>

struct _MwTranscriptEntry
{
  GObject parent_instance;

  GDateTime            *time;
  gint64                monotonic_time;
  char                 *text;
  guint64               lines;
  guint64               bytes;
  MwTranscriptDirection direction;
  MwTranscriptFlags     flags;
};

G_DEFINE_FINAL_TYPE (MwTranscriptEntry, mw_transcript_entry, G_TYPE_OBJECT)

static void
mw_transcript_entry_finalize (GObject *object)
{
  MwTranscriptEntry *self = MW_TRANSCRIPT_ENTRY (object);

  g_clear_pointer (&self->time, g_date_time_unref);
  g_clear_pointer (&self->text, g_free);

  G_OBJECT_CLASS (mw_transcript_entry_parent_class)->finalize (object);
}

static void
mw_transcript_entry_class_init (MwTranscriptEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mw_transcript_entry_finalize;
}

static void
mw_transcript_entry_init (MwTranscriptEntry *self)
{
}

GDateTime *
mw_transcript_entry_get_time (MwTranscriptEntry *self)
{
  g_return_val_if_fail (MW_IS_TRANSCRIPT_ENTRY (self), NULL);
  return self->time;
}

gint64
mw_transcript_entry_get_monotonic_time (MwTranscriptEntry *self)
{
  g_return_val_if_fail (MW_IS_TRANSCRIPT_ENTRY (self), 0);
  return self->monotonic_time;
}

MwTranscriptDirection
mw_transcript_entry_get_direction (MwTranscriptEntry *self)
{
  g_return_val_if_fail (MW_IS_TRANSCRIPT_ENTRY (self), MW_TRANSCRIPT_NOTE);
  return self->direction;
}

const char *
mw_transcript_entry_get_text (MwTranscriptEntry *self)
{
  g_return_val_if_fail (MW_IS_TRANSCRIPT_ENTRY (self), NULL);
  return self->text;
}

MwTranscriptFlags
mw_transcript_entry_get_flags (MwTranscriptEntry *self)
{
  g_return_val_if_fail (MW_IS_TRANSCRIPT_ENTRY (self), 0);
  return self->flags;
}

void
mw_transcript_entry_add_flags (MwTranscriptEntry *self,
                               MwTranscriptFlags  flags)
{
  g_return_if_fail (MW_IS_TRANSCRIPT_ENTRY (self));
  self->flags |= flags;
}

guint64
mw_transcript_entry_get_lines (MwTranscriptEntry *self)
{
  g_return_val_if_fail (MW_IS_TRANSCRIPT_ENTRY (self), 0);
  return self->lines;
}

guint64
mw_transcript_entry_get_bytes (MwTranscriptEntry *self)
{
  g_return_val_if_fail (MW_IS_TRANSCRIPT_ENTRY (self), 0);
  return self->bytes;
}

const char *
mw_transcript_direction_to_prefix (MwTranscriptDirection direction)
{
  switch (direction)
    {
    case MW_TRANSCRIPT_CLIENT:
      return "C:";
    case MW_TRANSCRIPT_SERVER:
      return "S:";
    case MW_TRANSCRIPT_NOTE:
    default:
      return "*";
    }
}

char *
mw_transcript_entry_format (MwTranscriptEntry *self)
{
  g_autofree char *time = NULL;

  g_return_val_if_fail (MW_IS_TRANSCRIPT_ENTRY (self), NULL);

  time = g_date_time_format (self->time, "%H:%M:%S");
  return g_strdup_printf ("%s.%03d %s %s", time,
                          g_date_time_get_microsecond (self->time) / 1000,
                          mw_transcript_direction_to_prefix (self->direction),
                          self->text);
}

/* Makes protocol bytes safe to show: valid UTF-8, control bytes escaped,
 * capped in size. */
static char *
sanitize (const char        *text,
          size_t             len,
          MwTranscriptFlags *flags)
{
  GString    *out = g_string_sized_new (MIN (len, MW_TRANSCRIPT_MAX_TEXT) + 8);
  const char *p = text;
  const char *end = text + len;

  while (p < end)
    {
      gunichar c;

      if (out->len >= MW_TRANSCRIPT_MAX_TEXT)
        {
          g_string_append_printf (out, "… (%" G_GSIZE_FORMAT " more bytes)",
                                  (size_t) (end - p));
          *flags |= MW_TRANSCRIPT_FLAG_TRUNCATED;
          break;
        }

      c = g_utf8_get_char_validated (p, end - p);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02X", (guint8) *p);
          *flags |= MW_TRANSCRIPT_FLAG_BINARY;
          p++;
          continue;
        }

      if ((c < 0x20 && c != '\t') || c == 0x7f)
        {
          g_string_append_printf (out, "\\x%02X", (guint) c);
          *flags |= MW_TRANSCRIPT_FLAG_BINARY;
        }
      else
        {
          g_string_append_unichar (out, c);
        }
      p = g_utf8_next_char (p);
    }

  return g_string_free (out, FALSE);
}

struct _MwTranscript
{
  GObject parent_instance;

  GPtrArray *entries;
  guint      max_entries;
  guint64    dropped;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MwTranscript, mw_transcript, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return MW_TYPE_TRANSCRIPT_ENTRY;
}

static guint
get_n_items (GListModel *model)
{
  return MW_TRANSCRIPT (model)->entries->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  MwTranscript *self = MW_TRANSCRIPT (model);

  if (position >= self->entries->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->entries, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
mw_transcript_finalize (GObject *object)
{
  MwTranscript *self = MW_TRANSCRIPT (object);

  g_clear_pointer (&self->entries, g_ptr_array_unref);

  G_OBJECT_CLASS (mw_transcript_parent_class)->finalize (object);
}

static void
mw_transcript_class_init (MwTranscriptClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mw_transcript_finalize;
}

static void
mw_transcript_init (MwTranscript *self)
{
  self->entries = g_ptr_array_new_with_free_func (g_object_unref);
  self->max_entries = MW_TRANSCRIPT_DEFAULT_MAX_ENTRIES;
}

/**
 * mw_transcript_new:
 * @max_entries: how many entries to keep; 0 for the default
 *
 * Returns: (transfer full): a new, empty transcript
 */
MwTranscript *
mw_transcript_new (guint max_entries)
{
  MwTranscript *self = g_object_new (MW_TYPE_TRANSCRIPT, NULL);

  if (max_entries > 0)
    self->max_entries = max_entries;

  return self;
}

guint
mw_transcript_get_max_entries (MwTranscript *self)
{
  g_return_val_if_fail (MW_IS_TRANSCRIPT (self), 0);
  return self->max_entries;
}

guint64
mw_transcript_get_dropped (MwTranscript *self)
{
  g_return_val_if_fail (MW_IS_TRANSCRIPT (self), 0);
  return self->dropped;
}

static MwTranscriptEntry *
add_entry (MwTranscript      *self,
           MwTranscriptEntry *entry)
{
  guint removed = 0;
  guint len;

  /* Drop the oldest tenth at once so a busy session does not pay one
   * move per line. */
  if (self->entries->len >= self->max_entries)
    {
      removed = MAX (1, self->max_entries / 10);
      removed = MIN (removed, self->entries->len);
      g_ptr_array_remove_range (self->entries, 0, removed);
      self->dropped += removed;
    }

  g_ptr_array_add (self->entries, entry);
  len = self->entries->len;

  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), len - 1, 0, 1);

  return entry;
}

static MwTranscriptEntry *
entry_new (MwTranscriptDirection direction,
           MwTranscriptFlags     flags)
{
  MwTranscriptEntry *entry = g_object_new (MW_TYPE_TRANSCRIPT_ENTRY, NULL);

  entry->time = g_date_time_new_now_local ();
  entry->monotonic_time = g_get_monotonic_time ();
  entry->direction = direction;
  entry->flags = flags;

  return entry;
}

/**
 * mw_transcript_append:
 * @text: the bytes of one line, without its line ending
 * @len: their length, or -1 when NUL-terminated
 *
 * Returns: (transfer none): the new entry
 */
MwTranscriptEntry *
mw_transcript_append (MwTranscript         *self,
                      MwTranscriptDirection direction,
                      MwTranscriptFlags     flags,
                      const char           *text,
                      gssize                len)
{
  MwTranscriptEntry *entry;

  g_return_val_if_fail (MW_IS_TRANSCRIPT (self), NULL);
  g_return_val_if_fail (text != NULL || len == 0, NULL);

  if (len < 0)
    len = strlen (text);

  entry = entry_new (direction, flags);
  entry->text = sanitize (text, len, &entry->flags);
  entry->bytes = len;
  entry->lines = 1;

  return add_entry (self, entry);
}

/**
 * mw_transcript_note:
 *
 * Returns: (transfer none): the new entry
 */
MwTranscriptEntry *
mw_transcript_note (MwTranscript     *self,
                    MwTranscriptFlags flags,
                    const char       *format,
                    ...)
{
  g_autofree char *text = NULL;
  va_list          args;

  g_return_val_if_fail (MW_IS_TRANSCRIPT (self), NULL);

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  return mw_transcript_append (self, MW_TRANSCRIPT_NOTE, flags, text, -1);
}

/**
 * mw_transcript_append_body:
 *
 * Returns: (transfer none): the new entry
 */
MwTranscriptEntry *
mw_transcript_append_body (MwTranscript         *self,
                           MwTranscriptDirection direction,
                           guint64               lines,
                           guint64               bytes)
{
  MwTranscriptEntry *entry;
  g_autofree char   *size = NULL;

  g_return_val_if_fail (MW_IS_TRANSCRIPT (self), NULL);

  size = g_format_size (bytes);
  entry = entry_new (direction, MW_TRANSCRIPT_FLAG_FOLDED);
  /* The exact count beside the rounded one, where they differ. */
  if (bytes < 1000)
    entry->text = g_strdup_printf ("… %" G_GUINT64_FORMAT " %s, %s",
                                   lines, lines == 1 ? "line" : "lines", size);
  else
    entry->text = g_strdup_printf ("… %" G_GUINT64_FORMAT " %s, %s (%" G_GUINT64_FORMAT " bytes)",
                                   lines, lines == 1 ? "line" : "lines", size, bytes);
  entry->lines = lines;
  entry->bytes = bytes;

  return add_entry (self, entry);
}

void
mw_transcript_clear (MwTranscript *self)
{
  guint len;

  g_return_if_fail (MW_IS_TRANSCRIPT (self));

  len = self->entries->len;
  if (len == 0)
    return;

  g_ptr_array_set_size (self->entries, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, len, 0);
}

/**
 * mw_transcript_to_text:
 *
 * Returns: (transfer full): every entry as a line of text
 */
char *
mw_transcript_to_text (MwTranscript *self)
{
  GString *out;

  g_return_val_if_fail (MW_IS_TRANSCRIPT (self), NULL);

  out = g_string_new (NULL);
  if (self->dropped > 0)
    g_string_append_printf (out, "* (%" G_GUINT64_FORMAT " earlier entries dropped)\n",
                            self->dropped);

  for (guint i = 0; i < self->entries->len; i++)
    {
      g_autofree char *line = mw_transcript_entry_format (g_ptr_array_index (self->entries, i));

      g_string_append (out, line);
      g_string_append_c (out, '\n');
    }

  return g_string_free (out, FALSE);
}
