/* mw-message-builder.c: composing a message to send
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-message-builder.h"

#include "mw-gmime-private.h"

#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <string.h>

/* MwMessageBuilder collects what the compose window holds and turns it
 * into RFC 5322 bytes with GMime. Setters only store: every check runs in
 * mw_message_builder_build(), so one error names the field to fix. The
 * output has CRLF line ends, no line over 998 bytes, 7-bit bodies (quoted-
 * printable or base64 where needed) and never a Bcc header. */

/* clang-format off */
G_DEFINE_QUARK (mw-message-builder-error-quark, mw_message_builder_error)
/* clang-format on */

#define MAX_LINE          998
#define MAX_ADDRESS       254
#define MAX_LOCAL_PART    64
#define MAX_REFERENCES    30
#define MAX_QUOTED_BYTES  (1024 * 1024)
#define MAX_MIME_DEPTH    16
#define MESSAGE_ID_RANDOM 16

typedef enum
{
  KIND_TO,
  KIND_CC,
  KIND_BCC,
  N_KINDS,
} RecipientKind;

typedef struct
{
  char *name;
  char *address;
} Recipient;

typedef struct
{
  GBytes *content;
  char   *filename;
  char   *content_type;
} Attachment;

struct _MwMessageBuilder
{
  GObject parent_instance;

  char      *from_name;
  char      *from_address;
  GPtrArray *recipients[N_KINDS];
  char      *subject;
  char      *body_text;
  GPtrArray *attachments;
  char      *in_reply_to;
  char      *references;
  GDateTime *date;
  char      *message_id_domain;

  GMimeMessage *forward; /* the original, attached as message/rfc822 */
  gboolean      forward_8bit;
  gboolean      drop_self_from_cc;
};

G_DEFINE_FINAL_TYPE (MwMessageBuilder, mw_message_builder, G_TYPE_OBJECT)

static void
recipient_free (gpointer data)
{
  Recipient *recipient = data;

  g_free (recipient->name);
  g_free (recipient->address);
  g_free (recipient);
}

static void
attachment_free (gpointer data)
{
  Attachment *attachment = data;

  g_bytes_unref (attachment->content);
  g_free (attachment->filename);
  g_free (attachment->content_type);
  g_free (attachment);
}

static void
mw_message_builder_dispose (GObject *object)
{
  MwMessageBuilder *self = MW_MESSAGE_BUILDER (object);

  g_clear_object (&self->forward);

  G_OBJECT_CLASS (mw_message_builder_parent_class)->dispose (object);
}

static void
mw_message_builder_finalize (GObject *object)
{
  MwMessageBuilder *self = MW_MESSAGE_BUILDER (object);

  g_free (self->from_name);
  g_free (self->from_address);
  for (int i = 0; i < N_KINDS; i++)
    g_ptr_array_unref (self->recipients[i]);
  g_free (self->subject);
  g_free (self->body_text);
  g_ptr_array_unref (self->attachments);
  g_free (self->in_reply_to);
  g_free (self->references);
  g_clear_pointer (&self->date, g_date_time_unref);
  g_free (self->message_id_domain);

  G_OBJECT_CLASS (mw_message_builder_parent_class)->finalize (object);
}

static void
mw_message_builder_class_init (MwMessageBuilderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mw_message_builder_dispose;
  object_class->finalize = mw_message_builder_finalize;
}

static void
mw_message_builder_init (MwMessageBuilder *self)
{
  for (int i = 0; i < N_KINDS; i++)
    self->recipients[i] = g_ptr_array_new_with_free_func (recipient_free);
  self->attachments = g_ptr_array_new_with_free_func (attachment_free);
}

/**
 * mw_message_builder_new:
 *
 * Returns: (transfer full): an empty message
 */
MwMessageBuilder *
mw_message_builder_new (void)
{
  return g_object_new (MW_TYPE_MESSAGE_BUILDER, NULL);
}

/**
 * mw_message_builder_set_from:
 * @self: a #MwMessageBuilder
 * @name: (nullable): the display name
 * @address: the address
 */
void
mw_message_builder_set_from (MwMessageBuilder *self,
                             const char       *name,
                             const char       *address)
{
  g_return_if_fail (MW_IS_MESSAGE_BUILDER (self));
  g_return_if_fail (address != NULL);

  g_free (self->from_name);
  self->from_name = g_strdup (name);
  g_free (self->from_address);
  self->from_address = g_strdup (address);
}

static void
add_recipient (MwMessageBuilder *self,
               RecipientKind     kind,
               const char       *name,
               const char       *address)
{
  Recipient *recipient;

  g_return_if_fail (MW_IS_MESSAGE_BUILDER (self));
  g_return_if_fail (address != NULL);

  recipient = g_new0 (Recipient, 1);
  recipient->name = g_strdup (name);
  recipient->address = g_strdup (address);
  g_ptr_array_add (self->recipients[kind], recipient);
}

/**
 * mw_message_builder_add_to:
 * @self: a #MwMessageBuilder
 * @name: (nullable): the display name
 * @address: the address
 */
void
mw_message_builder_add_to (MwMessageBuilder *self,
                           const char       *name,
                           const char       *address)
{
  add_recipient (self, KIND_TO, name, address);
}

/**
 * mw_message_builder_add_cc:
 * @self: a #MwMessageBuilder
 * @name: (nullable): the display name
 * @address: the address
 */
void
mw_message_builder_add_cc (MwMessageBuilder *self,
                           const char       *name,
                           const char       *address)
{
  add_recipient (self, KIND_CC, name, address);
}

/**
 * mw_message_builder_add_bcc:
 * @self: a #MwMessageBuilder
 * @name: (nullable): the display name, never written
 * @address: the address; on the envelope only, never in the headers
 */
void
mw_message_builder_add_bcc (MwMessageBuilder *self,
                            const char       *name,
                            const char       *address)
{
  add_recipient (self, KIND_BCC, name, address);
}

/**
 * mw_message_builder_set_subject:
 * @self: a #MwMessageBuilder
 * @subject: (nullable): the subject, UTF-8
 */
void
mw_message_builder_set_subject (MwMessageBuilder *self,
                                const char       *subject)
{
  g_return_if_fail (MW_IS_MESSAGE_BUILDER (self));

  g_free (self->subject);
  self->subject = g_strdup (subject);
}

/**
 * mw_message_builder_get_subject:
 * @self: a #MwMessageBuilder
 *
 * Returns: (transfer none) (nullable): the subject
 */
const char *
mw_message_builder_get_subject (MwMessageBuilder *self)
{
  g_return_val_if_fail (MW_IS_MESSAGE_BUILDER (self), NULL);

  return self->subject;
}

/**
 * mw_message_builder_set_body_text:
 * @self: a #MwMessageBuilder
 * @text: (nullable): the plain text body, UTF-8, any line ends
 */
void
mw_message_builder_set_body_text (MwMessageBuilder *self,
                                  const char       *text)
{
  g_return_if_fail (MW_IS_MESSAGE_BUILDER (self));

  g_free (self->body_text);
  self->body_text = g_strdup (text);
}

/**
 * mw_message_builder_get_body_text:
 * @self: a #MwMessageBuilder
 *
 * Returns: (transfer none) (nullable): the body text
 */
const char *
mw_message_builder_get_body_text (MwMessageBuilder *self)
{
  g_return_val_if_fail (MW_IS_MESSAGE_BUILDER (self), NULL);

  return self->body_text;
}

/**
 * mw_message_builder_add_attachment:
 * @self: a #MwMessageBuilder
 * @content: the file's bytes
 * @filename: the name shown to the recipient, UTF-8, without directories
 * @content_type: (nullable): a MIME type such as "image/png", or %NULL
 *   to guess from the name and the bytes
 */
void
mw_message_builder_add_attachment (MwMessageBuilder *self,
                                   GBytes           *content,
                                   const char       *filename,
                                   const char       *content_type)
{
  Attachment *attachment;

  g_return_if_fail (MW_IS_MESSAGE_BUILDER (self));
  g_return_if_fail (content != NULL);
  g_return_if_fail (filename != NULL);

  attachment = g_new0 (Attachment, 1);
  attachment->content = g_bytes_ref (content);
  attachment->filename = g_strdup (filename);
  attachment->content_type = g_strdup (content_type);
  g_ptr_array_add (self->attachments, attachment);
}

typedef struct
{
  char *filename;
  char *content_type;
} LoadData;

static void
load_data_free (gpointer data)
{
  LoadData *load = data;

  g_free (load->filename);
  g_free (load->content_type);
  g_free (load);
}

static void
load_contents_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwMessageBuilder *self = g_task_get_source_object (task);
  LoadData         *load = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  char *contents = NULL;
  gsize length = 0;

  if (!g_file_load_contents_finish (G_FILE (object), result, &contents, &length, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  bytes = g_bytes_new_take (contents, length);
  mw_message_builder_add_attachment (self, bytes, load->filename, load->content_type);
  g_task_return_boolean (task, TRUE);
}

/**
 * mw_message_builder_add_attachment_file_async:
 * @self: a #MwMessageBuilder
 * @file: the file to attach
 * @content_type: (nullable): its MIME type, or %NULL to guess
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the file is read
 * @user_data: data for @callback
 *
 * Reads @file and attaches it under its base name.
 */
void
mw_message_builder_add_attachment_file_async (MwMessageBuilder   *self,
                                              GFile              *file,
                                              const char         *content_type,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *basename = NULL;
  LoadData        *load;

  g_return_if_fail (MW_IS_MESSAGE_BUILDER (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, G_GNUC_EXTENSION (gpointer) mw_message_builder_add_attachment_file_async);

  basename = g_file_get_basename (file);
  load = g_new0 (LoadData, 1);
  load->filename = g_filename_display_name (basename != NULL ? basename : "attachment");
  load->content_type = g_strdup (content_type);
  g_task_set_task_data (task, load, load_data_free);

  g_file_load_contents_async (file, cancellable, load_contents_cb, g_steal_pointer (&task));
}

/**
 * mw_message_builder_add_attachment_file_finish:
 * @self: a #MwMessageBuilder
 * @result: the result given to the callback
 * @error: return location for a #GIOErrorEnum
 *
 * Returns: %TRUE if the file was attached
 */
gboolean
mw_message_builder_add_attachment_file_finish (MwMessageBuilder *self,
                                               GAsyncResult     *result,
                                               GError          **error)
{
  g_return_val_if_fail (MW_IS_MESSAGE_BUILDER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

guint
mw_message_builder_get_n_attachments (MwMessageBuilder *self)
{
  g_return_val_if_fail (MW_IS_MESSAGE_BUILDER (self), 0);

  return self->attachments->len;
}

/**
 * mw_message_builder_set_in_reply_to:
 * @self: a #MwMessageBuilder
 * @message_id: (nullable): the Message-ID replied to, with or without
 *   angle brackets
 * @references: (nullable): the References, message IDs in angle
 *   brackets separated by spaces, without @message_id
 */
void
mw_message_builder_set_in_reply_to (MwMessageBuilder *self,
                                    const char       *message_id,
                                    const char       *references)
{
  g_return_if_fail (MW_IS_MESSAGE_BUILDER (self));

  g_free (self->in_reply_to);
  self->in_reply_to = NULL;
  if (message_id != NULL)
    {
      if (message_id[0] == '<')
        self->in_reply_to = g_strdup (message_id);
      else
        self->in_reply_to = g_strdup_printf ("<%s>", message_id);
    }
  g_free (self->references);
  self->references = g_strdup (references);
}

/**
 * mw_message_builder_set_date:
 * @self: a #MwMessageBuilder
 * @date: (nullable): the Date header, or %NULL for the time of building
 */
void
mw_message_builder_set_date (MwMessageBuilder *self,
                             GDateTime        *date)
{
  g_return_if_fail (MW_IS_MESSAGE_BUILDER (self));

  g_clear_pointer (&self->date, g_date_time_unref);
  if (date != NULL)
    self->date = g_date_time_ref (date);
}

/**
 * mw_message_builder_set_message_id_domain:
 * @self: a #MwMessageBuilder
 * @domain: (nullable): the right side of the Message-ID, or %NULL for
 *   the domain of the From address
 */
void
mw_message_builder_set_message_id_domain (MwMessageBuilder *self,
                                          const char       *domain)
{
  g_return_if_fail (MW_IS_MESSAGE_BUILDER (self));

  g_free (self->message_id_domain);
  self->message_id_domain = g_strdup (domain);
}

static gboolean
is_atext (guchar c)
{
  return g_ascii_isalnum (c) || c >= 0x80 || strchr ("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;
  return TRUE;
}

static gboolean
check_header_text (const char *text,
                   const char *field,
                   GError    **error)
{
  if (text == NULL)
    return TRUE;

  if (strpbrk (text, "\r\n") != NULL)
    {
      g_set_error (error, MW_MESSAGE_BUILDER_ERROR, MW_MESSAGE_BUILDER_ERROR_HEADER_INJECTION,
                   _ ("The %s contains a line break, which is not allowed in a header"),
                   field);
      return FALSE;
    }
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, MW_MESSAGE_BUILDER_ERROR, MW_MESSAGE_BUILDER_ERROR_INVALID_TEXT,
                   _ ("The %s is not valid UTF-8"), field);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_valid_domain (const char *domain)
{
  size_t label = 0;

  if (*domain == '\0' || *domain == '.')
    return FALSE;

  for (const char *p = domain; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '.')
        {
          if (label == 0 || p[-1] == '-')
            return FALSE;
          label = 0;
          continue;
        }
      if (!g_ascii_isalnum (c) && c != '-' && c < 0x80)
        return FALSE;
      if (c == '-' && label == 0)
        return FALSE;
      if (++label > 63)
        return FALSE;
    }

  return label > 0 && domain[strlen (domain) - 1] != '-';
}

static gboolean
is_valid_local_part (const char *local,
                     size_t      len)
{
  if (len == 0 || len > MAX_LOCAL_PART || local[0] == '.' || local[len - 1] == '.')
    return FALSE;

  for (size_t i = 0; i < len; i++)
    {
      if (local[i] == '.')
        {
          if (local[i + 1] == '.')
            return FALSE;
          continue;
        }
      if (!is_atext ((guchar) local[i]))
        return FALSE;
    }
  return TRUE;
}

/**
 * mw_message_builder_validate_address:
 * @address: an address as the user typed it
 * @error: return location for a #MW_MESSAGE_BUILDER_ERROR
 *
 * Accepts local@domain: a dot-atom local part (UTF-8 allowed, needing
 * SMTPUTF8) and a host name (IDN allowed). Rejects spaces, angle brackets,
 * quotes, comments and address literals.
 *
 * Returns: %TRUE if @address can be sent to
 */
gboolean
mw_message_builder_validate_address (const char *address,
                                     GError    **error)
{
  const char *at;

  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_header_text (address, _ ("address"), error))
    return FALSE;

  at = strrchr (address, '@');
  if (strlen (address) > MAX_ADDRESS || at == NULL ||
      !is_valid_local_part (address, (size_t) (at - address)) ||
      !is_valid_domain (at + 1))
    {
      g_autofree char *shown = g_strndup (address, 100);

      g_set_error (error, MW_MESSAGE_BUILDER_ERROR, MW_MESSAGE_BUILDER_ERROR_INVALID_ADDRESS,
                   _ ("“%s” is not a valid email address"), shown);
      return FALSE;
    }
  return TRUE;
}

/* The address with its domain in ASCII (IDNA) where the local part allows
 * it, as the SMTP envelope and the headers want it. */
static char *
address_for_wire (const char *address)
{
  const char      *at = strrchr (address, '@');
  g_autofree char *local = NULL;
  g_autofree char *domain = NULL;

  g_assert (at != NULL);
  if (is_ascii (address))
    return g_strdup (address);

  local = g_strndup (address, (size_t) (at - address));
  if (!is_ascii (local))
    return g_strdup (address);

  domain = g_hostname_to_ascii (at + 1);
  if (domain == NULL)
    return g_strdup (address);
  return g_strconcat (local, "@", domain, NULL);
}

static gboolean
same_address (const char *a,
              const char *b)
{
  const char *at_a = strrchr (a, '@');
  const char *at_b = strrchr (b, '@');

  if (at_a == NULL || at_b == NULL || at_a - a != at_b - b)
    return g_strcmp0 (a, b) == 0;

  /* Local parts are compared exactly, domains without case. */
  return strncmp (a, b, (size_t) (at_a - a)) == 0 &&
         g_ascii_strcasecmp (at_a, at_b) == 0;
}

static gboolean
is_dropped (MwMessageBuilder *self,
            RecipientKind     kind,
            Recipient        *recipient)
{
  return kind == KIND_CC && self->drop_self_from_cc && self->from_address != NULL &&
         same_address (recipient->address, self->from_address);
}

static char *
format_recipients (MwMessageBuilder *self,
                   RecipientKind     kind)
{
  g_autoptr (InternetAddressList) list = internet_address_list_new ();
  char *text;

  for (guint i = 0; i < self->recipients[kind]->len; i++)
    {
      Recipient *recipient = g_ptr_array_index (self->recipients[kind], i);
      g_autoptr (InternetAddress) address = NULL;

      if (is_dropped (self, kind, recipient))
        continue;
      address = internet_address_mailbox_new (recipient->name, recipient->address);
      internet_address_list_add (list, address);
    }
  text = internet_address_list_to_string (list, NULL, FALSE);
  return text != NULL ? text : g_strdup ("");
}

/**
 * mw_message_builder_format_to:
 * @self: a #MwMessageBuilder
 *
 * The To recipients as one address list for editing ("Name <a@b>, c@d").
 *
 * Returns: (transfer full): the list, "" when empty
 */
char *
mw_message_builder_format_to (MwMessageBuilder *self)
{
  g_return_val_if_fail (MW_IS_MESSAGE_BUILDER (self), NULL);
  return format_recipients (self, KIND_TO);
}

/**
 * mw_message_builder_format_cc:
 * @self: a #MwMessageBuilder
 *
 * The Cc recipients as one address list for editing; after a Reply All,
 * without the From address already set.
 *
 * Returns: (transfer full): the list, "" when empty
 */
char *
mw_message_builder_format_cc (MwMessageBuilder *self)
{
  g_return_val_if_fail (MW_IS_MESSAGE_BUILDER (self), NULL);
  return format_recipients (self, KIND_CC);
}

/**
 * mw_message_builder_clear_recipients:
 * @self: a #MwMessageBuilder
 *
 * Forgets To, Cc and Bcc, to set them again from what the user edited.
 */
void
mw_message_builder_clear_recipients (MwMessageBuilder *self)
{
  g_return_if_fail (MW_IS_MESSAGE_BUILDER (self));
  for (int kind = 0; kind < N_KINDS; kind++)
    g_ptr_array_set_size (self->recipients[kind], 0);
}

/**
 * mw_message_builder_clear_attachments:
 * @self: a #MwMessageBuilder
 *
 * Forgets the attachments added with mw_message_builder_add_attachment();
 * a forwarded original stays.
 */
void
mw_message_builder_clear_attachments (MwMessageBuilder *self)
{
  g_return_if_fail (MW_IS_MESSAGE_BUILDER (self));
  g_ptr_array_set_size (self->attachments, 0);
}

/**
 * mw_message_builder_get_envelope_recipients:
 * @self: a #MwMessageBuilder
 *
 * The RCPT TO addresses: To, Cc and Bcc without duplicates, domains in
 * ASCII where the local part is ASCII.
 *
 * Returns: (transfer full) (array zero-terminated=1): the addresses
 */
char **
mw_message_builder_get_envelope_recipients (MwMessageBuilder *self)
{
  GPtrArray *addresses;

  g_return_val_if_fail (MW_IS_MESSAGE_BUILDER (self), NULL);

  addresses = g_ptr_array_new ();
  for (int kind = 0; kind < N_KINDS; kind++)
    {
      for (guint i = 0; i < self->recipients[kind]->len; i++)
        {
          Recipient *recipient = g_ptr_array_index (self->recipients[kind], i);
          gboolean   seen = FALSE;
          char      *wire;

          if (is_dropped (self, kind, recipient) || strrchr (recipient->address, '@') == NULL)
            continue;

          wire = address_for_wire (recipient->address);
          for (guint j = 0; j < addresses->len && !seen; j++)
            seen = same_address (g_ptr_array_index (addresses, j), wire);
          if (seen)
            g_free (wire);
          else
            g_ptr_array_add (addresses, wire);
        }
    }
  g_ptr_array_add (addresses, NULL);
  return (char **) g_ptr_array_free (addresses, FALSE);
}

static gboolean
has_non_ascii_local_part (const char *address)
{
  const char *at;

  if (address == NULL)
    return FALSE;
  at = strrchr (address, '@');
  for (const char *p = address; *p != '\0' && (at == NULL || p < at); p++)
    if ((guchar) *p >= 0x80)
      return TRUE;
  return FALSE;
}

/**
 * mw_message_builder_needs_smtputf8:
 * @self: a #MwMessageBuilder
 *
 * Returns: whether an address has a non-ASCII local part, so the server
 *   must offer SMTPUTF8 (RFC 6531)
 */
gboolean
mw_message_builder_needs_smtputf8 (MwMessageBuilder *self)
{
  g_return_val_if_fail (MW_IS_MESSAGE_BUILDER (self), FALSE);

  if (has_non_ascii_local_part (self->from_address))
    return TRUE;
  for (int kind = 0; kind < N_KINDS; kind++)
    for (guint i = 0; i < self->recipients[kind]->len; i++)
      {
        Recipient *recipient = g_ptr_array_index (self->recipients[kind], i);

        if (has_non_ascii_local_part (recipient->address))
          return TRUE;
      }
  return FALSE;
}

/**
 * mw_message_builder_needs_8bit:
 * @self: a #MwMessageBuilder
 *
 * Whether the built message holds 8-bit bytes, so MAIL FROM needs
 * BODY=8BITMIME: a forwarded original in 8 bits, or UTF-8 addresses.
 * Bodies and attachments Mailwire writes are always 7-bit.
 *
 * Returns: %TRUE if 8BITMIME is needed
 */
gboolean
mw_message_builder_needs_8bit (MwMessageBuilder *self)
{
  g_return_val_if_fail (MW_IS_MESSAGE_BUILDER (self), FALSE);

  return self->forward_8bit || mw_message_builder_needs_smtputf8 (self);
}

static gboolean
check_name (const char *name,
            GError    **error)
{
  return check_header_text (name, _ ("display name"), error);
}

static gboolean
check_message_id_part (const char *text,
                       const char *field,
                       GError    **error)
{
  if (!check_header_text (text, field, error))
    return FALSE;
  if (text != NULL && !is_ascii (text))
    {
      g_set_error (error, MW_MESSAGE_BUILDER_ERROR, MW_MESSAGE_BUILDER_ERROR_INVALID_TEXT,
                   _ ("The %s contains characters that are not ASCII"), field);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_valid_content_type (const char *type)
{
  const char *slash = strchr (type, '/');
  size_t      len = strlen (type);

  if (slash == NULL || slash == type || slash == type + len - 1 || strchr (slash + 1, '/') != NULL)
    return FALSE;
  for (const char *p = type; *p != '\0'; p++)
    if (p != slash && !g_ascii_isalnum (*p) && strchr ("!#$&-^_.+", *p) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
validate (MwMessageBuilder *self,
          GError          **error)
{
  if (self->from_address == NULL)
    {
      g_set_error (error, MW_MESSAGE_BUILDER_ERROR, MW_MESSAGE_BUILDER_ERROR_NO_SENDER,
                   _ ("The message has no sender address"));
      return FALSE;
    }
  if (!check_name (self->from_name, error) ||
      !mw_message_builder_validate_address (self->from_address, error))
    return FALSE;

  for (int kind = 0; kind < N_KINDS; kind++)
    for (guint i = 0; i < self->recipients[kind]->len; i++)
      {
        Recipient *recipient = g_ptr_array_index (self->recipients[kind], i);

        if (!check_name (recipient->name, error) ||
            !mw_message_builder_validate_address (recipient->address, error))
          return FALSE;
      }

  if (!check_header_text (self->subject, _ ("subject"), error))
    return FALSE;

  if (self->body_text != NULL && !g_utf8_validate (self->body_text, -1, NULL))
    {
      g_set_error (error, MW_MESSAGE_BUILDER_ERROR, MW_MESSAGE_BUILDER_ERROR_INVALID_TEXT,
                   _ ("The message text is not valid UTF-8"));
      return FALSE;
    }

  for (guint i = 0; i < self->attachments->len; i++)
    {
      Attachment *attachment = g_ptr_array_index (self->attachments, i);

      if (!check_header_text (attachment->filename, _ ("attachment name"), error) ||
          !check_header_text (attachment->content_type, _ ("attachment type"), error))
        return FALSE;
      if (attachment->content_type != NULL && !is_valid_content_type (attachment->content_type))
        {
          g_set_error (error, MW_MESSAGE_BUILDER_ERROR, MW_MESSAGE_BUILDER_ERROR_INVALID_CONTENT_TYPE,
                       _ ("“%s” is not a valid content type for the attachment “%s”"),
                       attachment->content_type, attachment->filename);
          return FALSE;
        }
    }

  if (!check_message_id_part (self->in_reply_to, _ ("In-Reply-To header"), error) ||
      !check_message_id_part (self->references, _ ("References header"), error) ||
      !check_header_text (self->message_id_domain, _ ("Message-ID domain"), error))
    return FALSE;

  if (self->message_id_domain != NULL && !is_valid_domain (self->message_id_domain))
    {
      g_set_error (error, MW_MESSAGE_BUILDER_ERROR, MW_MESSAGE_BUILDER_ERROR_INVALID_ADDRESS,
                   _ ("“%s” is not a valid domain for the Message-ID"), self->message_id_domain);
      return FALSE;
    }

  return TRUE;
}

static void
add_mailbox (InternetAddressList *list,
             const char          *name,
             const char          *address)
{
  g_autofree char *wire = address_for_wire (address);
  g_autoptr (InternetAddress) mailbox = internet_address_mailbox_new (name != NULL ? name : "", wire);

  internet_address_set_charset (mailbox, "utf-8");
  internet_address_list_add (list, mailbox);
}

static char *
make_message_id (MwMessageBuilder *self)
{
  guint8 random[MESSAGE_ID_RANDOM];
  g_autoptr (GString) id = g_string_new (NULL);
  g_autofree char *domain = NULL;
  const char      *source = self->message_id_domain;

  if (source == NULL)
    source = strrchr (self->from_address, '@') + 1;
  domain = g_hostname_to_ascii (source);
  if (domain == NULL)
    domain = g_strdup ("mailwire.invalid");

  if (gnutls_rnd (GNUTLS_RND_NONCE, random, sizeof random) != 0)
    g_error ("The system random number generator failed");
  for (size_t i = 0; i < sizeof random; i++)
    g_string_append_printf (id, "%02x", random[i]);
  g_string_append_printf (id, "@%s", domain);
  return g_string_free (g_steal_pointer (&id), FALSE);
}

/* Normalizes line ends to LF; GMime writes them as CRLF. */
static char *
normalize_newlines (const char *text)
{
  GString *str = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\r')
        {
          g_string_append_c (str, '\n');
          if (p[1] == '\n')
            p++;
        }
      else
        {
          g_string_append_c (str, *p);
        }
    }
  return g_string_free (str, FALSE);
}

static GMimeDataWrapper *
wrapper_new (const void *data,
             size_t      len)
{
  g_autoptr (GMimeStream) stream = g_mime_stream_mem_new_with_buffer (data, len);

  return g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);
}

static GMimeObject *
make_text_part (const char *text)
{
  g_autofree char *normalized = normalize_newlines (text != NULL ? text : "");
  g_autoptr (GMimeDataWrapper) wrapper = NULL;
  GMimeContentEncoding encoding;
  GMimeTextPart       *part = g_mime_text_part_new_with_subtype ("plain");

  if (*normalized != '\0' && !g_str_has_suffix (normalized, "\n"))
    {
      char *terminated = g_strconcat (normalized, "\n", NULL);

      g_free (normalized);
      normalized = terminated;
    }

  wrapper = wrapper_new (normalized, strlen (normalized));
  g_mime_part_set_content (GMIME_PART (part), wrapper);
  g_mime_text_part_set_charset (part, is_ascii (normalized) ? "us-ascii" : "utf-8");
  encoding = g_mime_part_get_best_content_encoding (GMIME_PART (part), GMIME_ENCODING_CONSTRAINT_7BIT);
  g_mime_part_set_content_encoding (GMIME_PART (part), encoding);

  /* Base64 text carries its canonical CRLF line ends (RFC 2049). */
  if (encoding == GMIME_CONTENT_ENCODING_BASE64)
    {
      g_auto (GStrv) lines = g_strsplit (normalized, "\n", -1);
      g_autofree char *canonical = g_strjoinv ("\r\n", lines);
      g_autoptr (GMimeDataWrapper) crlf = wrapper_new (canonical, strlen (canonical));

      g_mime_part_set_content (GMIME_PART (part), crlf);
    }
  return GMIME_OBJECT (part);
}

static GMimeObject *
make_attachment_part (Attachment *attachment)
{
  g_autofree char *guessed = NULL;
  g_autofree char *mime_type = NULL;
  g_auto (GStrv) type = NULL;
  g_autoptr (GMimeDataWrapper) wrapper = NULL;
  const guint8 *data;
  size_t        len;
  GMimePart    *part;

  data = g_bytes_get_data (attachment->content, &len);

  if (attachment->content_type != NULL)
    {
      mime_type = g_ascii_strdown (attachment->content_type, -1);
    }
  else
    {
      guessed = g_content_type_guess (attachment->filename, data, len, NULL);
      mime_type = g_content_type_get_mime_type (guessed);
      if (mime_type == NULL || !is_valid_content_type (mime_type))
        {
          g_free (mime_type);
          mime_type = g_strdup ("application/octet-stream");
        }
    }

  type = g_strsplit (mime_type, "/", 2);
  part = g_mime_part_new_with_type (type[0], type[1]);
  wrapper = wrapper_new (data, len);
  g_mime_part_set_content (part, wrapper);
  g_mime_part_set_filename (part, attachment->filename);
  g_mime_object_set_disposition (GMIME_OBJECT (part), GMIME_DISPOSITION_ATTACHMENT);

  /* Text keeps its meaning in quoted-printable; anything else must come
   * back byte for byte. */
  if (g_str_equal (type[0], "text"))
    g_mime_part_set_content_encoding (part, g_mime_part_get_best_content_encoding (part, GMIME_ENCODING_CONSTRAINT_7BIT));
  else
    g_mime_part_set_content_encoding (part, GMIME_CONTENT_ENCODING_BASE64);

  return GMIME_OBJECT (part);
}

/* Rewrites every line end as CRLF and checks the line length. */
static GBytes *
finish_output (const guint8 *data,
               size_t        len,
               GError      **error)
{
  GByteArray *out = g_byte_array_sized_new ((guint) len + len / 16 + 2);
  size_t      line = 0;

  for (size_t i = 0; i < len; i++)
    {
      if (data[i] == '\r' || data[i] == '\n')
        {
          if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
            i++;
          g_byte_array_append (out, (const guint8 *) "\r\n", 2);
          line = 0;
          continue;
        }
      if (++line > MAX_LINE)
        {
          g_byte_array_unref (out);
          g_set_error (error, MW_MESSAGE_BUILDER_ERROR, MW_MESSAGE_BUILDER_ERROR_LINE_TOO_LONG,
                       _ ("The message has a line longer than 998 bytes that cannot be sent"));
          return NULL;
        }
      g_byte_array_append (out, &data[i], 1);
    }
  if (line > 0)
    g_byte_array_append (out, (const guint8 *) "\r\n", 2);

  return g_byte_array_free_to_bytes (out);
}

/**
 * mw_message_builder_build:
 * @self: a #MwMessageBuilder
 * @error: return location for a #MW_MESSAGE_BUILDER_ERROR
 *
 * Checks every field and writes the message.
 *
 * Returns: (transfer full) (nullable): the RFC 5322 message with CRLF
 *   line ends, or %NULL
 */
GBytes *
mw_message_builder_build (MwMessageBuilder *self,
                          GError          **error)
{
  g_autoptr (GMimeMessage) message = NULL;
  g_autoptr (GMimeObject) body = NULL;
  g_autoptr (GMimeStream) stream = NULL;
  g_autoptr (GMimeFormatOptions) options = NULL;
  g_autoptr (GDateTime) now = NULL;
  g_autofree char *message_id = NULL;
  GMimeObject     *object;
  GByteArray      *written;

  g_return_val_if_fail (MW_IS_MESSAGE_BUILDER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!validate (self, error))
    return NULL;

  mw_gmime_init ();

  message = g_mime_message_new (TRUE);
  object = GMIME_OBJECT (message);

  add_mailbox (g_mime_message_get_from (message), self->from_name, self->from_address);
  for (int kind = KIND_TO; kind <= KIND_CC; kind++)
    {
      InternetAddressList *list = g_mime_message_get_addresses (message, kind == KIND_TO ? GMIME_ADDRESS_TYPE_TO : GMIME_ADDRESS_TYPE_CC);

      for (guint i = 0; i < self->recipients[kind]->len; i++)
        {
          Recipient *recipient = g_ptr_array_index (self->recipients[kind], i);

          if (!is_dropped (self, kind, recipient))
            add_mailbox (list, recipient->name, recipient->address);
        }
    }
  /* Bcc recipients are on the envelope only. */

  if (self->subject != NULL)
    g_mime_message_set_subject (message, self->subject, "utf-8");

  if (self->date == NULL)
    now = g_date_time_new_now_local ();
  g_mime_message_set_date (message, self->date != NULL ? self->date : now);

  message_id = make_message_id (self);
  g_mime_message_set_message_id (message, message_id);

  if (self->in_reply_to != NULL)
    {
      g_autofree char *references = NULL;

      g_mime_object_set_header (object, "In-Reply-To", self->in_reply_to, NULL);
      if (self->references != NULL && *self->references != '\0')
        references = g_strconcat (self->references, " ", self->in_reply_to, NULL);
      else
        references = g_strdup (self->in_reply_to);
      g_mime_object_set_header (object, "References", references, NULL);
    }

  g_mime_object_set_header (object, "MIME-Version", "1.0", NULL);

  body = make_text_part (self->body_text);
  if (self->attachments->len > 0 || self->forward != NULL)
    {
      GMimeMultipart *mixed = g_mime_multipart_new_with_subtype ("mixed");

      g_mime_multipart_add (mixed, body);
      if (self->forward != NULL)
        {
          g_autoptr (GMimeMessagePart) original = g_mime_message_part_new_with_message ("rfc822", self->forward);

          g_mime_object_set_disposition (GMIME_OBJECT (original), GMIME_DISPOSITION_INLINE);
          g_mime_multipart_add (mixed, GMIME_OBJECT (original));
        }
      for (guint i = 0; i < self->attachments->len; i++)
        {
          g_autoptr (GMimeObject) part = make_attachment_part (g_ptr_array_index (self->attachments, i));

          g_mime_multipart_add (mixed, part);
        }
      g_object_unref (body);
      body = GMIME_OBJECT (mixed);
    }
  g_mime_message_set_mime_part (message, body);

  options = g_mime_format_options_new ();
  g_mime_format_options_set_newline_format (options, GMIME_NEWLINE_FORMAT_DOS);
  stream = g_mime_stream_mem_new ();
  if (g_mime_object_write_to_stream (object, options, stream) < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _ ("Could not write the message"));
      return NULL;
    }

  written = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
  return finish_output (written->data, written->len, error);
}

static GMimeMessage *
parse_original (const char *data,
                size_t      len,
                GError    **error)
{
  GMimeMessage *message;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  message = len > 0 ? mw_gmime_parse_message (data, len, NULL) : NULL;
  if (message == NULL)
    g_set_error (error, MW_MESSAGE_BUILDER_ERROR, MW_MESSAGE_BUILDER_ERROR_BAD_ORIGINAL,
                 _ ("The original message cannot be read"));
  return message;
}

static gboolean
has_prefix_word (const char        *subject,
                 const char *const *prefixes)
{
  while (g_ascii_isspace (*subject))
    subject++;

  for (size_t i = 0; prefixes[i] != NULL; i++)
    {
      size_t      len = strlen (prefixes[i]);
      const char *rest = subject + len;

      if (g_ascii_strncasecmp (subject, prefixes[i], len) != 0)
        continue;
      /* "Re:", "RE :", "Re[2]:". */
      if (*rest == '[')
        {
          while (g_ascii_isdigit (*++rest))
            ;
          if (*rest != ']')
            continue;
          rest++;
        }
      while (*rest == ' ')
        rest++;
      if (*rest == ':')
        return TRUE;
    }
  return FALSE;
}

static char *
prefixed_subject (const char        *subject,
                  const char        *prefix,
                  const char *const *known)
{
  g_autofree char *clean = NULL;

  if (subject == NULL || *subject == '\0')
    return g_strdup (prefix);

  clean = g_utf8_make_valid (subject, -1);
  g_strdelimit (clean, "\r\n", ' ');
  if (has_prefix_word (clean, known))
    return g_strdup (g_strchug (clean));
  return g_strconcat (prefix, " ", clean, NULL);
}

/* Copies the mailboxes of @list that have valid addresses. */
static void
copy_mailboxes (MwMessageBuilder    *self,
                RecipientKind        kind,
                InternetAddressList *list)
{
  int n = list != NULL ? internet_address_list_length (list) : 0;

  for (int i = 0; i < n; i++)
    {
      InternetAddress *address = internet_address_list_get_address (list, i);
      const char      *addr;
      g_autofree char *name = NULL;
      gboolean         seen = FALSE;

      if (INTERNET_ADDRESS_IS_GROUP (address))
        {
          copy_mailboxes (self, kind, internet_address_group_get_members (INTERNET_ADDRESS_GROUP (address)));
          continue;
        }

      addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address));
      if (addr == NULL || !mw_message_builder_validate_address (addr, NULL))
        continue;

      for (int k = 0; k <= KIND_CC && !seen; k++)
        for (guint j = 0; j < self->recipients[k]->len && !seen; j++)
          seen = same_address (((Recipient *) g_ptr_array_index (self->recipients[k], j))->address, addr);
      if (seen)
        continue;

      if (internet_address_get_name (address) != NULL)
        {
          name = g_utf8_make_valid (internet_address_get_name (address), -1);
          g_strdelimit (name, "\r\n", ' ');
        }
      add_recipient (self, kind, name, addr);
    }
}

static GMimeTextPart *
find_text_part (GMimeObject *object,
                int          depth)
{
  if (object == NULL || depth > MAX_MIME_DEPTH)
    return NULL;

  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      int             n = g_mime_multipart_get_count (multipart);

      for (int i = 0; i < n; i++)
        {
          GMimeTextPart *found = find_text_part (g_mime_multipart_get_part (multipart, i), depth + 1);

          if (found != NULL)
            return found;
        }
      return NULL;
    }

  if (GMIME_IS_TEXT_PART (object) &&
      g_mime_content_type_is_type (g_mime_object_get_content_type (object), "text", "plain") &&
      !g_mime_part_is_attachment (GMIME_PART (object)))
    return GMIME_TEXT_PART (object);

  return NULL;
}

static char *
quote_body (GMimeMessage *original)
{
  GMimeTextPart       *part = find_text_part (g_mime_message_get_mime_part (original), 0);
  InternetAddressList *from = g_mime_message_get_from (original);
  GDateTime           *date = g_mime_message_get_date (original);
  g_autofree char     *text = NULL;
  g_autofree char     *normalized = NULL;
  g_autofree char     *who = NULL;
  g_autofree char     *when = NULL;
  g_auto (GStrv) lines = NULL;
  GString *body = g_string_new ("\n\n");
  size_t   n_lines;

  if (from != NULL && internet_address_list_length (from) > 0)
    who = internet_address_list_to_string (from, NULL, FALSE);
  if (date != NULL)
    when = g_date_time_format (date, "%c");

  if (who != NULL && when != NULL)
    g_string_append_printf (body, _ ("On %s, %s wrote:"), when, who);
  else if (who != NULL)
    g_string_append_printf (body, _ ("%s wrote:"), who);
  else
    g_string_append (body, _ ("The original message:"));
  g_string_append_c (body, '\n');

  if (part != NULL)
    text = g_mime_text_part_get_text (part);
  if (text == NULL)
    return g_string_free (body, FALSE);

  if (strlen (text) > MAX_QUOTED_BYTES)
    text[MAX_QUOTED_BYTES] = '\0';
  normalized = normalize_newlines (text);
  g_free (text);
  text = g_utf8_make_valid (normalized, -1);

  lines = g_strsplit (text, "\n", -1);
  n_lines = g_strv_length (lines);
  if (n_lines > 0 && *lines[n_lines - 1] == '\0')
    n_lines--;
  for (size_t i = 0; i < n_lines; i++)
    g_string_append_printf (body, lines[i][0] == '>' || lines[i][0] == '\0' ? ">%s\n" : "> %s\n", lines[i]);

  return g_string_free (body, FALSE);
}

static char *
collect_references (GMimeMessage *original)
{
  const char *value = g_mime_object_get_header (GMIME_OBJECT (original), "References");
  g_autoptr (GString) str = g_string_new (NULL);
  GMimeReferences *references;
  int              n;

  if (value == NULL)
    return NULL;

  references = g_mime_references_parse (NULL, value);
  if (references == NULL)
    return NULL;

  n = g_mime_references_length (references);
  for (int i = MAX (0, n - MAX_REFERENCES + 1); i < n; i++)
    {
      const char *id = g_mime_references_get_message_id (references, i);

      if (id == NULL || !is_ascii (id) || strpbrk (id, "\r\n <>") != NULL)
        continue;
      if (str->len > 0)
        g_string_append_c (str, ' ');
      g_string_append_printf (str, "<%s>", id);
    }
  g_mime_references_free (references);

  return str->len > 0 ? g_string_free (g_steal_pointer (&str), FALSE) : NULL;
}

/**
 * mw_message_builder_new_reply:
 * @data: (array length=len): the message replied to
 * @len: its length
 * @reply_all: whether to copy the other recipients to Cc
 * @error: return location for a #MW_MESSAGE_BUILDER_ERROR
 *
 * Starts a reply: To from Reply-To or From, "Re: " subject, In-Reply-To
 * and References, and the quoted text. With @reply_all, the original To
 * and Cc go to Cc, except the From address set later.
 *
 * Returns: (transfer full) (nullable): the reply, or %NULL
 */
MwMessageBuilder *
mw_message_builder_new_reply (const char *data,
                              size_t      len,
                              gboolean    reply_all,
                              GError    **error)
{
  static const char *const known[] = { "Re", "Aw", "Sv", NULL };
  g_autoptr (GMimeMessage) original = NULL;
  g_autoptr (MwMessageBuilder) self = NULL;
  InternetAddressList *reply_to;
  g_autofree char     *subject = NULL;
  g_autofree char     *references = NULL;
  g_autofree char     *body = NULL;
  const char          *message_id;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  original = parse_original (data, len, error);
  if (original == NULL)
    return NULL;

  self = mw_message_builder_new ();

  reply_to = g_mime_message_get_reply_to (original);
  if (reply_to == NULL || internet_address_list_length (reply_to) == 0)
    reply_to = g_mime_message_get_from (original);
  copy_mailboxes (self, KIND_TO, reply_to);

  if (reply_all)
    {
      copy_mailboxes (self, KIND_CC, g_mime_message_get_to (original));
      copy_mailboxes (self, KIND_CC, g_mime_message_get_cc (original));
      self->drop_self_from_cc = TRUE;
    }

  subject = prefixed_subject (g_mime_message_get_subject (original), "Re:", known);
  mw_message_builder_set_subject (self, subject);

  message_id = g_mime_message_get_message_id (original);
  if (message_id != NULL && is_ascii (message_id) && strpbrk (message_id, "\r\n <>") == NULL)
    {
      references = collect_references (original);
      mw_message_builder_set_in_reply_to (self, message_id, references);
    }

  body = quote_body (original);
  mw_message_builder_set_body_text (self, body);

  return g_steal_pointer (&self);
}

/**
 * mw_message_builder_new_forward:
 * @data: (array length=len): the message to forward
 * @len: its length
 * @error: return location for a #MW_MESSAGE_BUILDER_ERROR
 *
 * Starts a forward: "Fwd: " subject and the original attached as
 * message/rfc822.
 *
 * Returns: (transfer full) (nullable): the forward, or %NULL
 */
MwMessageBuilder *
mw_message_builder_new_forward (const char *data,
                                size_t      len,
                                GError    **error)
{
  static const char *const known[] = { "Fwd", "Fw", "Wg", NULL };
  g_autoptr (GMimeMessage) original = NULL;
  g_autoptr (MwMessageBuilder) self = NULL;
  g_autofree char *subject = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  original = parse_original (data, len, error);
  if (original == NULL)
    return NULL;

  self = mw_message_builder_new ();
  subject = prefixed_subject (g_mime_message_get_subject (original), "Fwd:", known);
  mw_message_builder_set_subject (self, subject);

  self->forward = g_steal_pointer (&original);
  for (size_t i = 0; i < len && !self->forward_8bit; i++)
    self->forward_8bit = (guchar) data[i] >= 0x80;

  return g_steal_pointer (&self);
}
