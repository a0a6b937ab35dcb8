/* mw-mailto.c: mailto: URIs (RFC 6068) made safe for the compose window
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-mailto.h"

#include "mw-gmime-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* clang-format off */
G_DEFINE_QUARK (mw-mailto-error-quark, mw_mailto_error)
/* clang-format on */

G_DEFINE_BOXED_TYPE (MwMailto, mw_mailto, mw_mailto_copy, mw_mailto_free)

#define SCHEME "mailto:"

typedef struct
{
  GPtrArray *to;
  GPtrArray *cc;
  GPtrArray *bcc;
  GPtrArray *ignored;
  char      *subject;
  char      *body;
  char      *in_reply_to;
  unsigned   n_addresses;
} Parse;

static void
parse_clear (Parse *parse)
{
  g_clear_pointer (&parse->to, g_ptr_array_unref);
  g_clear_pointer (&parse->cc, g_ptr_array_unref);
  g_clear_pointer (&parse->bcc, g_ptr_array_unref);
  g_clear_pointer (&parse->ignored, g_ptr_array_unref);
  g_clear_pointer (&parse->subject, g_free);
  g_clear_pointer (&parse->body, g_free);
  g_clear_pointer (&parse->in_reply_to, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Parse, parse_clear)

static GStrv
steal_strv (GPtrArray **array)
{
  g_ptr_array_add (*array, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (array), FALSE);
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Percent-decodes @len bytes at @text into UTF-8 text without NUL bytes.
 * @what names the part for error messages. */
static char *
decode (const char *text,
        size_t      len,
        const char *what,
        GError    **error)
{
  g_autoptr (GString) out = g_string_sized_new (len);

  for (size_t i = 0; i < len; i++)
    {
      int hi, lo;

      if (text[i] != '%')
        {
          g_string_append_c (out, text[i]);
          continue;
        }

      hi = i + 1 < len ? hex_value (text[i + 1]) : -1;
      lo = i + 2 < len ? hex_value (text[i + 2]) : -1;
      if (hi < 0 || lo < 0)
        {
          g_set_error (error, MW_MAILTO_ERROR, MW_MAILTO_ERROR_BAD_ESCAPE,
                       _ ("The link’s %s has a “%%” that is not followed by two hexadecimal digits"),
                       what);
          return NULL;
        }
      if (hi == 0 && lo == 0)
        {
          g_set_error (error, MW_MAILTO_ERROR, MW_MAILTO_ERROR_CONTROL_CHARACTER,
                       _ ("The link’s %s contains a NUL byte"), what);
          return NULL;
        }
      g_string_append_c (out, (char) (hi << 4 | lo));
      i += 2;
    }

  if (!g_utf8_validate_len (out->str, out->len, NULL))
    {
      g_set_error (error, MW_MAILTO_ERROR, MW_MAILTO_ERROR_BAD_UTF8,
                   _ ("The link’s %s is not valid UTF-8 text"), what);
      return NULL;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Control characters, C1 controls and the Unicode line and paragraph
 * separators: anything a mail program or a terminal might take for the end
 * of a line. A tab is folding white space and may stay. */
static gboolean
is_unsafe_in_header (gunichar c)
{
  if (c == '\t')
    return FALSE;
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029;
}

static gboolean
check_header_value (const char *value,
                    const char *field,
                    GError    **error)
{
  for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (is_unsafe_in_header (g_utf8_get_char (p)))
        {
          g_set_error (error, MW_MAILTO_ERROR, MW_MAILTO_ERROR_CONTROL_CHARACTER,
                       _ ("The link’s “%s” field contains a line break or a control character, "
                          "which could add header fields of its own"),
                       field);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

static char *
strip_blanks (const char *start,
              const char *end)
{
  while (start < end && is_blank (*start))
    start++;
  while (end > start && is_blank (end[-1]))
    end--;
  return g_strndup (start, end - start);
}

/* Splits an address list at commas outside quoted strings, comments and
 * angle brackets, and adds each non-empty address to @list. */
static gboolean
add_addresses (Parse      *parse,
               GPtrArray  *list,
               const char *value,
               GError    **error)
{
  const char *start = value;
  gboolean    quoted = FALSE;
  int         comment = 0;
  gboolean    angle = FALSE;

  for (const char *p = value;; p++)
    {
      if (*p == '\0' || (*p == ',' && !quoted && comment == 0 && !angle))
        {
          char *address = strip_blanks (start, p);

          if (address[0] == '\0')
            g_free (address);
          else if (++parse->n_addresses > MW_MAILTO_MAX_ADDRESSES)
            {
              g_free (address);
              g_set_error (error, MW_MAILTO_ERROR, MW_MAILTO_ERROR_TOO_MANY_ADDRESSES,
                           _ ("The link names more than %d addresses"),
                           MW_MAILTO_MAX_ADDRESSES);
              return FALSE;
            }
          else
            g_ptr_array_add (list, address);

          if (*p == '\0')
            break;
          start = p + 1;
          continue;
        }

      if (*p == '\\' && (quoted || comment > 0))
        {
          if (p[1] == '\0')
            continue;
          p++;
        }
      else if (*p == '"' && comment == 0)
        quoted = !quoted;
      else if (quoted)
        continue;
      else if (*p == '(')
        comment++;
      else if (*p == ')' && comment > 0)
        comment--;
      else if (comment > 0)
        continue;
      else if (*p == '<')
        angle = TRUE;
      else if (*p == '>')
        angle = FALSE;
    }

  return TRUE;
}

/* Subjects may carry RFC 2047 encoded words (RFC 6068 §6.3); an encoded
 * word can hide a line break, so the caller checks the result again. */
static char *
decode_encoded_words (char *subject)
{
  char *decoded;

  if (strstr (subject, "=?") == NULL)
    return subject;

  mw_gmime_init ();
  decoded = g_mime_utils_header_decode_text (NULL, subject);
  if (decoded == NULL)
    return subject;

  g_free (subject);
  if (!g_utf8_validate (decoded, -1, NULL))
    {
      char *valid = g_utf8_make_valid (decoded, -1);

      g_free (decoded);
      return valid;
    }

  return decoded;
}

/* Line breaks of any kind become "\n". */
static char *
normalize_line_breaks (const char *body)
{
  GString *out = g_string_sized_new (strlen (body));

  for (const char *p = body; *p != '\0'; p++)
    {
      if (*p == '\r')
        {
          g_string_append_c (out, '\n');
          if (p[1] == '\n')
            p++;
        }
      else
        g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

static void
add_ignored (Parse      *parse,
             const char *name)
{
  for (unsigned i = 0; i < parse->ignored->len; i++)
    if (strcmp (g_ptr_array_index (parse->ignored, i), name) == 0)
      return;

  g_ptr_array_add (parse->ignored, g_strdup (name));
}

/* Field names are RFC 5322 ftext: printable ASCII except ":". */
static gboolean
is_field_name (const char *name)
{
  if (name[0] == '\0')
    return FALSE;

  for (const char *p = name; *p != '\0'; p++)
    if (*p < 33 || *p > 126 || *p == ':')
      return FALSE;

  return TRUE;
}

static gboolean
parse_field (Parse      *parse,
             const char *field,
             size_t      len,
             GError    **error)
{
  const char      *equals = memchr (field, '=', len);
  size_t           name_len = equals != NULL ? (size_t) (equals - field) : len;
  const char      *raw_value = equals != NULL ? equals + 1 : field + len;
  size_t           value_len = field + len - raw_value;
  g_autofree char *raw_name = NULL;
  g_autofree char *name = NULL;
  g_autofree char *value = NULL;

  raw_name = decode (field, name_len, _ ("field name"), error);
  if (raw_name == NULL)
    return FALSE;
  if (!is_field_name (raw_name))
    {
      g_set_error_literal (error, MW_MAILTO_ERROR, MW_MAILTO_ERROR_BAD_FIELD_NAME,
                           _ ("The link has a header field name that is empty or not plain text"));
      return FALSE;
    }
  /* Field names are case-insensitive (RFC 6068 §2). */
  name = g_ascii_strdown (raw_name, -1);

  value = decode (raw_value, value_len, name, error);
  if (value == NULL)
    return FALSE;

  if (strcmp (name, "to") == 0 || strcmp (name, "cc") == 0 || strcmp (name, "bcc") == 0)
    {
      GPtrArray *list = parse->bcc;

      if (name[0] == 't')
        list = parse->to;
      else if (name[0] == 'c')
        list = parse->cc;

      return check_header_value (value, name, error) &&
             add_addresses (parse, list, value, error);
    }
  else if (strcmp (name, "subject") == 0 && parse->subject == NULL)
    {
      if (!check_header_value (value, name, error))
        return FALSE;
      value = decode_encoded_words (g_steal_pointer (&value));
      if (!check_header_value (value, name, error))
        return FALSE;
      parse->subject = g_steal_pointer (&value);
    }
  else if (strcmp (name, "body") == 0 && parse->body == NULL)
    {
      parse->body = normalize_line_breaks (value);
    }
  else if (strcmp (name, "in-reply-to") == 0 && parse->in_reply_to == NULL)
    {
      if (!check_header_value (value, name, error))
        return FALSE;
      parse->in_reply_to = strip_blanks (value, value + strlen (value));
    }
  else
    {
      add_ignored (parse, name);
    }

  return TRUE;
}

/**
 * mw_mailto_parse:
 * @uri: a mailto: URI
 * @error: return location for a #MW_MAILTO_ERROR
 *
 * Takes a mailto: URI apart for the compose window. Only To, Cc, Bcc,
 * Subject, In-Reply-To and the body are used; the names of all other
 * fields are listed in #MwMailto.ignored so that the user can be told.
 *
 * Returns: (transfer full): the parts, or %NULL with @error set
 */
MwMailto *
mw_mailto_parse (const char *uri,
                 GError    **error)
{
  g_auto (Parse) parse = { 0 };
  const char *rest;
  const char *end;
  const char *query;
  MwMailto   *self;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (strnlen (uri, MW_MAILTO_MAX_LENGTH + 1) > MW_MAILTO_MAX_LENGTH)
    {
      g_set_error (error, MW_MAILTO_ERROR, MW_MAILTO_ERROR_TOO_LONG,
                   _ ("The link is longer than %d KiB"), MW_MAILTO_MAX_LENGTH / 1024);
      return NULL;
    }

  if (g_ascii_strncasecmp (uri, SCHEME, strlen (SCHEME)) != 0)
    {
      g_set_error_literal (error, MW_MAILTO_ERROR, MW_MAILTO_ERROR_NOT_MAILTO,
                           _ ("The link is not a “mailto:” link"));
      return NULL;
    }

  parse.to = g_ptr_array_new_with_free_func (g_free);
  parse.cc = g_ptr_array_new_with_free_func (g_free);
  parse.bcc = g_ptr_array_new_with_free_func (g_free);
  parse.ignored = g_ptr_array_new_with_free_func (g_free);

  rest = uri + strlen (SCHEME);
  end = rest + strcspn (rest, "#");
  query = memchr (rest, '?', end - rest);

  /* The path: addresses separated by commas. */
  {
    g_autofree char *path = NULL;

    path = decode (rest, (query != NULL ? query : end) - rest, _ ("address"), error);
    if (path == NULL ||
        !check_header_value (path, "to", error) ||
        !add_addresses (&parse, parse.to, path, error))
      return NULL;
  }

  /* The header fields: name=value pairs separated by "&". */
  if (query != NULL)
    {
      const char *field = query + 1;

      while (field < end)
        {
          const char *amp = memchr (field, '&', end - field);
          const char *field_end = amp != NULL ? amp : end;

          if (field_end > field &&
              !parse_field (&parse, field, field_end - field, error))
            return NULL;
          field = field_end + 1;
        }
    }

  self = g_new0 (MwMailto, 1);
  self->to = steal_strv (&parse.to);
  self->cc = steal_strv (&parse.cc);
  self->bcc = steal_strv (&parse.bcc);
  self->ignored = steal_strv (&parse.ignored);
  self->subject = g_steal_pointer (&parse.subject);
  self->body = g_steal_pointer (&parse.body);
  self->in_reply_to = g_steal_pointer (&parse.in_reply_to);

  return self;
}

/**
 * mw_mailto_copy:
 * @self: a #MwMailto
 *
 * Returns: (transfer full): a deep copy of @self
 */
MwMailto *
mw_mailto_copy (const MwMailto *self)
{
  MwMailto *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (MwMailto, 1);
  copy->to = g_strdupv (self->to);
  copy->cc = g_strdupv (self->cc);
  copy->bcc = g_strdupv (self->bcc);
  copy->subject = g_strdup (self->subject);
  copy->body = g_strdup (self->body);
  copy->in_reply_to = g_strdup (self->in_reply_to);
  copy->ignored = g_strdupv (self->ignored);

  return copy;
}

void
mw_mailto_free (MwMailto *self)
{
  if (self == NULL)
    return;

  g_strfreev (self->to);
  g_strfreev (self->cc);
  g_strfreev (self->bcc);
  g_free (self->subject);
  g_free (self->body);
  g_free (self->in_reply_to);
  g_strfreev (self->ignored);
  g_free (self);
}
