/* mw-message-summary.c: one message in a POP3 maildrop
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-message-summary.h"

#include "mw-core-enums.h"
#include "mw-gmime-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* MwMessageSummary is what the list shows about a message still on the
 * server: what LIST and UIDL said, and what the headers from "TOP n 0"
 * say. Servers send broken headers too; set_headers() takes any bytes,
 * keeps whatever it can read and flags the rest, with a sentence for the
 * user. */

#define MAX_LINE           998
#define MAX_HEADERS_WALKED 10000

struct _MwMessageSummary
{
  GObject parent_instance;

  guint          number;
  char          *uid;
  guint64        size;
  MwMessageFlags flags;

  gboolean   has_headers;
  char      *from;
  char      *from_address;
  char      *to;
  char      *subject;
  GDateTime *date;
  char      *message_id;
  gboolean   has_attachments;

  char *header_problem;
  char *problem;
};

G_DEFINE_FINAL_TYPE (MwMessageSummary, mw_message_summary, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_NUMBER,
  PROP_UID,
  PROP_SIZE,
  PROP_FLAGS,
  PROP_PROBLEM,
  PROP_FROM,
  PROP_FROM_ADDRESS,
  PROP_TO,
  PROP_SUBJECT,
  PROP_DATE,
  PROP_MESSAGE_ID,
  PROP_HAS_ATTACHMENTS,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
mw_message_summary_finalize (GObject *object)
{
  MwMessageSummary *self = MW_MESSAGE_SUMMARY (object);

  g_free (self->uid);
  g_free (self->from);
  g_free (self->from_address);
  g_free (self->to);
  g_free (self->subject);
  g_clear_pointer (&self->date, g_date_time_unref);
  g_free (self->message_id);
  g_free (self->header_problem);
  g_free (self->problem);

  G_OBJECT_CLASS (mw_message_summary_parent_class)->finalize (object);
}

static void
mw_message_summary_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  MwMessageSummary *self = MW_MESSAGE_SUMMARY (object);

  switch (prop_id)
    {
    case PROP_NUMBER:
      g_value_set_uint (value, self->number);
      break;

    case PROP_UID:
      g_value_set_string (value, self->uid);
      break;

    case PROP_SIZE:
      g_value_set_uint64 (value, self->size);
      break;

    case PROP_FLAGS:
      g_value_set_flags (value, self->flags);
      break;

    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;

    case PROP_FROM:
      g_value_set_string (value, self->from);
      break;

    case PROP_FROM_ADDRESS:
      g_value_set_string (value, self->from_address);
      break;

    case PROP_TO:
      g_value_set_string (value, self->to);
      break;

    case PROP_SUBJECT:
      g_value_set_string (value, self->subject);
      break;

    case PROP_DATE:
      g_value_set_boxed (value, self->date);
      break;

    case PROP_MESSAGE_ID:
      g_value_set_string (value, self->message_id);
      break;

    case PROP_HAS_ATTACHMENTS:
      g_value_set_boolean (value, self->has_attachments);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_message_summary_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  MwMessageSummary *self = MW_MESSAGE_SUMMARY (object);

  switch (prop_id)
    {
    case PROP_NUMBER:
      mw_message_summary_set_number (self, g_value_get_uint (value));
      break;

    case PROP_UID:
      mw_message_summary_set_uid (self, g_value_get_string (value));
      break;

    case PROP_SIZE:
      mw_message_summary_set_size (self, g_value_get_uint64 (value));
      break;

    case PROP_FLAGS:
      mw_message_summary_set_flags (self, g_value_get_flags (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_message_summary_class_init (MwMessageSummaryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  GParamFlags   ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = mw_message_summary_finalize;
  object_class->get_property = mw_message_summary_get_property;
  object_class->set_property = mw_message_summary_set_property;

  properties[PROP_NUMBER] =
    g_param_spec_uint ("number", NULL, NULL, 0, G_MAXUINT, 0, rw);
  properties[PROP_UID] =
    g_param_spec_string ("uid", NULL, NULL, NULL, rw);
  properties[PROP_SIZE] =
    g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0, rw);
  properties[PROP_FLAGS] =
    g_param_spec_flags ("flags", NULL, NULL, MW_TYPE_MESSAGE_FLAGS, MW_MESSAGE_FLAG_NONE, rw);
  properties[PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL, NULL, ro);
  properties[PROP_FROM] =
    g_param_spec_string ("from", NULL, NULL, NULL, ro);
  properties[PROP_FROM_ADDRESS] =
    g_param_spec_string ("from-address", NULL, NULL, NULL, ro);
  properties[PROP_TO] =
    g_param_spec_string ("to", NULL, NULL, NULL, ro);
  properties[PROP_SUBJECT] =
    g_param_spec_string ("subject", NULL, NULL, NULL, ro);
  properties[PROP_DATE] =
    g_param_spec_boxed ("date", NULL, NULL, G_TYPE_DATE_TIME, ro);
  properties[PROP_MESSAGE_ID] =
    g_param_spec_string ("message-id", NULL, NULL, NULL, ro);
  properties[PROP_HAS_ATTACHMENTS] =
    g_param_spec_boolean ("has-attachments", NULL, NULL, FALSE, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mw_message_summary_init (MwMessageSummary *self)
{
}

/**
 * mw_message_summary_new:
 * @number: the message number in this session, from 1
 * @size: the size from LIST, in bytes
 *
 * Returns: (transfer full): a summary without headers
 */
MwMessageSummary *
mw_message_summary_new (guint   number,
                        guint64 size)
{
  return g_object_new (MW_TYPE_MESSAGE_SUMMARY,
                       "number", number,
                       "size", size,
                       NULL);
}

static gboolean
set_string (MwMessageSummary *self,
            char            **field,
            const char       *value,
            int               prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
  return TRUE;
}

static const char *
compute_problem (MwMessageSummary *self)
{
  MwMessageFlags flags = self->flags;

  if (flags & MW_MESSAGE_FLAG_DOWNLOAD_FAILED)
    return _ ("The last attempt to download this message failed.");
  if (flags & MW_MESSAGE_FLAG_OVERSIZE)
    return _ ("This message is larger than the size limit.");
  if (flags & MW_MESSAGE_FLAG_NO_HEADERS)
    return _ ("The server did not send the headers of this message.");
  if (flags & MW_MESSAGE_FLAG_MALFORMED_HEADERS)
    return self->header_problem != NULL ? self->header_problem : _ ("The headers of this message are damaged.");
  if (flags & MW_MESSAGE_FLAG_COUNT_MISMATCH)
    return _ ("The server’s message lists disagree, so this entry may not match the message.");
  if (flags & MW_MESSAGE_FLAG_NO_UID)
    return _ ("The server gives this message no unique ID, so it cannot be recognized in a later session.");
  return NULL;
}

static void
update_problem (MwMessageSummary *self)
{
  set_string (self, &self->problem, compute_problem (self), PROP_PROBLEM);
}

guint
mw_message_summary_get_number (MwMessageSummary *self)
{
  g_return_val_if_fail (MW_IS_MESSAGE_SUMMARY (self), 0);

  return self->number;
}

/**
 * mw_message_summary_set_number:
 * @self: a #MwMessageSummary
 * @number: the message number in the current session
 *
 * Message numbers are valid for one session; a new session re-maps them.
 */
void
mw_message_summary_set_number (MwMessageSummary *self,
                               guint             number)
{
  g_return_if_fail (MW_IS_MESSAGE_SUMMARY (self));

  if (self->number == number)
    return;
  self->number = number;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NUMBER]);
}

/**
 * mw_message_summary_get_uid:
 * @self: a #MwMessageSummary
 *
 * Returns: (transfer none) (nullable): the UIDL unique ID
 */
const char *
mw_message_summary_get_uid (MwMessageSummary *self)
{
  g_return_val_if_fail (MW_IS_MESSAGE_SUMMARY (self), NULL);

  return self->uid;
}

void
mw_message_summary_set_uid (MwMessageSummary *self,
                            const char       *uid)
{
  g_return_if_fail (MW_IS_MESSAGE_SUMMARY (self));

  set_string (self, &self->uid, uid, PROP_UID);
}

guint64
mw_message_summary_get_size (MwMessageSummary *self)
{
  g_return_val_if_fail (MW_IS_MESSAGE_SUMMARY (self), 0);

  return self->size;
}

void
mw_message_summary_set_size (MwMessageSummary *self,
                             guint64           size)
{
  g_return_if_fail (MW_IS_MESSAGE_SUMMARY (self));

  if (self->size == size)
    return;
  self->size = size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
}

MwMessageFlags
mw_message_summary_get_flags (MwMessageSummary *self)
{
  g_return_val_if_fail (MW_IS_MESSAGE_SUMMARY (self), MW_MESSAGE_FLAG_NONE);

  return self->flags;
}

void
mw_message_summary_set_flags (MwMessageSummary *self,
                              MwMessageFlags    flags)
{
  g_return_if_fail (MW_IS_MESSAGE_SUMMARY (self));

  if (self->flags == flags)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  self->flags = flags;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FLAGS]);
  update_problem (self);
  g_object_thaw_notify (G_OBJECT (self));
}

void
mw_message_summary_add_flags (MwMessageSummary *self,
                              MwMessageFlags    flags)
{
  g_return_if_fail (MW_IS_MESSAGE_SUMMARY (self));

  mw_message_summary_set_flags (self, self->flags | flags);
}

void
mw_message_summary_remove_flags (MwMessageSummary *self,
                                 MwMessageFlags    flags)
{
  g_return_if_fail (MW_IS_MESSAGE_SUMMARY (self));

  mw_message_summary_set_flags (self, self->flags & ~flags);
}

/**
 * mw_message_summary_get_problem:
 * @self: a #MwMessageSummary
 *
 * Returns: (transfer none) (nullable): a sentence for the user saying
 *   what is wrong with this message, or %NULL
 */
const char *
mw_message_summary_get_problem (MwMessageSummary *self)
{
  g_return_val_if_fail (MW_IS_MESSAGE_SUMMARY (self), NULL);

  return self->problem;
}

/**
 * mw_message_summary_has_headers:
 * @self: a #MwMessageSummary
 *
 * Returns: whether mw_message_summary_set_headers() was called
 */
gboolean
mw_message_summary_has_headers (MwMessageSummary *self)
{
  g_return_val_if_fail (MW_IS_MESSAGE_SUMMARY (self), FALSE);

  return self->has_headers;
}

/**
 * mw_message_summary_get_from:
 * @self: a #MwMessageSummary
 *
 * Returns: (transfer none) (nullable): the sender's name, or address if
 *   the name is empty, decoded
 */
const char *
mw_message_summary_get_from (MwMessageSummary *self)
{
  g_return_val_if_fail (MW_IS_MESSAGE_SUMMARY (self), NULL);

  return self->from;
}

/**
 * mw_message_summary_get_from_address:
 * @self: a #MwMessageSummary
 *
 * Returns: (transfer none) (nullable): the sender's address
 */
const char *
mw_message_summary_get_from_address (MwMessageSummary *self)
{
  g_return_val_if_fail (MW_IS_MESSAGE_SUMMARY (self), NULL);

  return self->from_address;
}

/**
 * mw_message_summary_get_to:
 * @self: a #MwMessageSummary
 *
 * Returns: (transfer none) (nullable): the To recipients, decoded, as
 *   one display string
 */
const char *
mw_message_summary_get_to (MwMessageSummary *self)
{
  g_return_val_if_fail (MW_IS_MESSAGE_SUMMARY (self), NULL);

  return self->to;
}

/**
 * mw_message_summary_get_subject:
 * @self: a #MwMessageSummary
 *
 * Returns: (transfer none) (nullable): the subject, decoded
 */
const char *
mw_message_summary_get_subject (MwMessageSummary *self)
{
  g_return_val_if_fail (MW_IS_MESSAGE_SUMMARY (self), NULL);

  return self->subject;
}

/**
 * mw_message_summary_get_date:
 * @self: a #MwMessageSummary
 *
 * Returns: (transfer none) (nullable): the Date header, or %NULL if it
 *   is missing or cannot be read
 */
GDateTime *
mw_message_summary_get_date (MwMessageSummary *self)
{
  g_return_val_if_fail (MW_IS_MESSAGE_SUMMARY (self), NULL);

  return self->date;
}

/**
 * mw_message_summary_get_message_id:
 * @self: a #MwMessageSummary
 *
 * Returns: (transfer none) (nullable): the Message-ID without its angle
 *   brackets
 */
const char *
mw_message_summary_get_message_id (MwMessageSummary *self)
{
  g_return_val_if_fail (MW_IS_MESSAGE_SUMMARY (self), NULL);

  return self->message_id;
}

/**
 * mw_message_summary_get_has_attachments:
 * @self: a #MwMessageSummary
 *
 * A hint from the headers alone: the message is multipart/mixed.
 *
 * Returns: whether the message probably has attachments
 */
gboolean
mw_message_summary_get_has_attachments (MwMessageSummary *self)
{
  g_return_val_if_fail (MW_IS_MESSAGE_SUMMARY (self), FALSE);

  return self->has_attachments;
}

typedef struct
{
  char *problem; /* the first thing found wrong */
} ParseState;

static void
note_problem (ParseState *state,
              const char *problem)
{
  if (state->problem == NULL)
    state->problem = g_strdup (problem);
}

static void
parser_warning_cb (gint64             offset,
                   GMimeParserWarning errcode,
                   const char        *item,
                   gpointer           user_data)
{
  ParseState *state = user_data;

  switch ((int) errcode)
    {
    case GMIME_WARN_DUPLICATED_HEADER:
      note_problem (state, _ ("A header that may appear only once appears more than once."));
      break;

    case GMIME_WARN_INVALID_CONTENT_TYPE:
    case GMIME_WARN_INVALID_PARAMETER:
    case GMIME_WARN_DUPLICATED_PARAMETER:
    case GMIME_CRIT_CONFLICTING_PARAMETER:
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
      note_problem (state, _ ("The Content-Type header is damaged."));
      break;

    case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE:
      note_problem (state, _ ("A header contains badly encoded text."));
      break;

    case GMIME_WARN_INVALID_ADDRESS_LIST:
      note_problem (state, _ ("An address header cannot be read."));
      break;

    case GMIME_CRIT_INVALID_HEADER_NAME:
    case GMIME_CRIT_CONFLICTING_HEADER:
    case GMIME_CRIT_NESTING_OVERFLOW:
      note_problem (state, _ ("The headers contain lines that are not headers."));
      break;

    default:
      /* Only the header block is parsed, so a missing body is expected;
       * undeclared 8-bit text is checked separately. */
      break;
    }
}

/* Copies the header block of @data: up to the first empty line, NUL
 * bytes replaced, ending in a newline and an empty line. */
static GByteArray *
extract_header_block (const char *data,
                      size_t      len,
                      ParseState *state)
{
  GByteArray *block;
  size_t      line_len = 0;
  size_t      i;
  gboolean    ended = FALSE;
  gboolean    has_nul = FALSE;
  gboolean    long_line = FALSE;

  if (len > MW_MESSAGE_SUMMARY_MAX_HEADERS)
    {
      note_problem (state, _ ("The headers are too large; only the first megabyte was read."));
      len = MW_MESSAGE_SUMMARY_MAX_HEADERS;
      ended = TRUE;
    }

  block = g_byte_array_sized_new ((guint) len + 2);

  for (i = 0; i < len; i++)
    {
      char c = data[i];

      if (c == '\n')
        {
          if (line_len == 0)
            {
              ended = TRUE;
              break;
            }
          line_len = 0;
        }
      else if (c == '\r' && line_len == 0 && i + 1 < len && data[i + 1] == '\n')
        {
          ended = TRUE;
          break;
        }
      else
        {
          if (++line_len > MAX_LINE)
            long_line = TRUE;
          if (c == '\0')
            {
              has_nul = TRUE;
              c = ' ';
            }
        }
      g_byte_array_append (block, (const guint8 *) &c, 1);
    }

  if (has_nul)
    note_problem (state, _ ("The headers contain NUL bytes."));
  if (long_line)
    note_problem (state, _ ("A header line is longer than 998 bytes."));
  if (!ended && len > 0)
    note_problem (state, _ ("The headers end without an empty line, so they may be cut short."));

  if (block->len > 0 && block->data[block->len - 1] != '\n')
    g_byte_array_append (block, (const guint8 *) "\n", 1);
  g_byte_array_append (block, (const guint8 *) "\n", 1);
  return block;
}

/* Makes a single valid UTF-8 line of at most MW_MESSAGE_SUMMARY_MAX_TEXT
 * characters, or %NULL for nothing. */
static char *
display_text (const char *text)
{
  g_autofree char *valid = NULL;
  GString         *str;
  glong            chars = 0;
  gboolean         space = FALSE;

  if (text == NULL)
    return NULL;

  valid = g_utf8_make_valid (text, -1);
  str = g_string_sized_new (MIN (strlen (valid), 4 * MW_MESSAGE_SUMMARY_MAX_TEXT));

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || c == 0x7f || g_unichar_isspace (c))
        {
          space = str->len > 0;
          continue;
        }
      if (chars + (space ? 1 : 0) >= MW_MESSAGE_SUMMARY_MAX_TEXT)
        {
          g_string_append (str, "…");
          break;
        }
      if (space)
        {
          g_string_append_c (str, ' ');
          chars++;
          space = FALSE;
        }
      g_string_append_unichar (str, c);
      chars++;
    }

  if (str->len == 0)
    {
      g_string_free (str, TRUE);
      return NULL;
    }
  return g_string_free (str, FALSE);
}

static void
check_raw_headers (GMimeObject *object,
                   ParseState  *state)
{
  GMimeHeaderList *headers = g_mime_object_get_header_list (object);
  int              count = g_mime_header_list_get_count (headers);

  for (int i = 0; i < count && i < MAX_HEADERS_WALKED; i++)
    {
      GMimeHeader *header = g_mime_header_list_get_header_at (headers, i);
      const char  *raw = g_mime_header_get_raw_value (header);

      if (raw != NULL && !g_utf8_validate (raw, -1, NULL))
        {
          note_problem (state, _ ("A header contains text in an undeclared character set."));
          return;
        }
    }
}

typedef struct
{
  char      *from;
  char      *from_address;
  char      *to;
  char      *subject;
  GDateTime *date;
  char      *message_id;
  gboolean   has_attachments;
} Fields;

static void
fields_clear (Fields *fields)
{
  g_free (fields->from);
  g_free (fields->from_address);
  g_free (fields->to);
  g_free (fields->subject);
  g_clear_pointer (&fields->date, g_date_time_unref);
  g_free (fields->message_id);
}

static void
read_fields (GMimeMessage *message,
             Fields       *fields,
             ParseState   *state)
{
  GMimeObject         *object = GMIME_OBJECT (message);
  InternetAddressList *from = g_mime_message_get_from (message);
  InternetAddressList *to = g_mime_message_get_to (message);
  GMimeObject         *part = g_mime_message_get_mime_part (message);
  GDateTime           *date = g_mime_message_get_date (message);

  check_raw_headers (object, state);

  if (from != NULL && internet_address_list_length (from) > 0)
    {
      InternetAddress *address = internet_address_list_get_address (from, 0);
      const char      *name = internet_address_get_name (address);

      if (INTERNET_ADDRESS_IS_MAILBOX (address))
        fields->from_address = display_text (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address)));
      if (fields->from_address == NULL)
        note_problem (state, _ ("The From header holds no readable address."));
      fields->from = display_text (name);
      if (fields->from == NULL)
        fields->from = g_strdup (fields->from_address);
    }
  if (fields->from == NULL)
    {
      if (g_mime_object_get_header (object, "From") == NULL)
        note_problem (state, _ ("The message has no From header."));
      else
        note_problem (state, _ ("The From header holds no readable address."));
    }

  if (to != NULL && internet_address_list_length (to) > 0)
    {
      g_autofree char *text = internet_address_list_to_string (to, NULL, FALSE);

      fields->to = display_text (text);
    }

  fields->subject = display_text (g_mime_message_get_subject (message));

  if (date != NULL)
    fields->date = g_date_time_ref (date);
  else if (g_mime_object_get_header (object, "Date") == NULL)
    note_problem (state, _ ("The message has no Date header."));
  else
    note_problem (state, _ ("The Date header cannot be read."));

  fields->message_id = display_text (g_mime_message_get_message_id (message));

  if (part != NULL)
    {
      GMimeContentType *type = g_mime_object_get_content_type (part);

      fields->has_attachments = type != NULL && g_mime_content_type_is_type (type, "multipart", "mixed");
    }
}

static gboolean
date_equal (GDateTime *a,
            GDateTime *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_date_time_equal (a, b) &&
         g_date_time_get_utc_offset (a) == g_date_time_get_utc_offset (b);
}

/**
 * mw_message_summary_set_headers:
 * @self: a #MwMessageSummary
 * @data: (array length=len) (nullable): the header block, as "TOP n 0"
 *   returned it (without dot-stuffing)
 * @len: its length
 *
 * Reads From, To, Subject, Date and Message-ID. Any bytes are accepted:
 * what cannot be read stays %NULL, and damage sets
 * %MW_MESSAGE_FLAG_MALFORMED_HEADERS with a problem sentence. At most
 * %MW_MESSAGE_SUMMARY_MAX_HEADERS bytes are read. Clears
 * %MW_MESSAGE_FLAG_NO_HEADERS.
 *
 * Returns: %TRUE if the headers were well formed
 */
void
mw_message_summary_set_listed (MwMessageSummary *self,
                               const char       *from,
                               const char       *subject,
                               gint64            date,
                               const char       *message_id)
{
  g_autoptr (GDateTime) when = NULL;

  g_return_if_fail (MW_IS_MESSAGE_SUMMARY (self));

  if (date != 0)
    when = g_date_time_new_from_unix_local (date);
  g_object_freeze_notify (G_OBJECT (self));
  self->has_headers = TRUE;
  set_string (self, &self->from, from, PROP_FROM);
  set_string (self, &self->subject, subject, PROP_SUBJECT);
  set_string (self, &self->message_id, message_id, PROP_MESSAGE_ID);
  if (!date_equal (self->date, when))
    {
      g_clear_pointer (&self->date, g_date_time_unref);
      self->date = when != NULL ? g_date_time_ref (when) : NULL;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
mw_message_summary_set_headers (MwMessageSummary *self,
                                const char       *data,
                                size_t            len)
{
  g_autoptr (GByteArray) block = NULL;
  g_autoptr (GMimeParserOptions) options = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  ParseState     state = { NULL };
  Fields         fields = { NULL };
  MwMessageFlags flags;

  g_return_val_if_fail (MW_IS_MESSAGE_SUMMARY (self), FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (len == 0)
    note_problem (&state, _ ("The server sent no headers for this message."));

  block = extract_header_block (data, len, &state);

  options = mw_gmime_parser_options_new ();
  g_mime_parser_options_set_warning_callback (options, parser_warning_cb, &state);
  message = mw_gmime_parse_message ((const char *) block->data, block->len, options);

  if (message != NULL)
    read_fields (message, &fields, &state);
  else
    note_problem (&state, _ ("The headers cannot be read."));

  g_object_freeze_notify (G_OBJECT (self));

  self->has_headers = TRUE;
  set_string (self, &self->from, fields.from, PROP_FROM);
  set_string (self, &self->from_address, fields.from_address, PROP_FROM_ADDRESS);
  set_string (self, &self->to, fields.to, PROP_TO);
  set_string (self, &self->subject, fields.subject, PROP_SUBJECT);
  set_string (self, &self->message_id, fields.message_id, PROP_MESSAGE_ID);
  if (!date_equal (self->date, fields.date))
    {
      g_clear_pointer (&self->date, g_date_time_unref);
      self->date = fields.date != NULL ? g_date_time_ref (fields.date) : NULL;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATE]);
    }
  if (self->has_attachments != fields.has_attachments)
    {
      self->has_attachments = fields.has_attachments;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_ATTACHMENTS]);
    }

  g_free (self->header_problem);
  self->header_problem = g_steal_pointer (&state.problem);

  flags = self->flags & ~(MW_MESSAGE_FLAG_NO_HEADERS | MW_MESSAGE_FLAG_MALFORMED_HEADERS);
  if (self->header_problem != NULL)
    flags |= MW_MESSAGE_FLAG_MALFORMED_HEADERS;
  if (flags != self->flags)
    {
      self->flags = flags;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FLAGS]);
    }
  update_problem (self);

  g_object_thaw_notify (G_OBJECT (self));

  fields_clear (&fields);
  return self->header_problem == NULL;
}
