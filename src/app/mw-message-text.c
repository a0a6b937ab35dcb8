/* mw-message-text.c: the readable text of a message or of its beginning
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-message-text.h"

#include <glib/gi18n.h>
#include <gmime/gmime.h>
#include <string.h>

static GMimeTextPart *
find_text_part (GMimeObject *object,
                const char  *subtype)
{
  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      int             n = g_mime_multipart_get_count (multipart);

      for (int i = 0; i < n; i++)
        {
          GMimeTextPart *part = find_text_part (g_mime_multipart_get_part (multipart, i), subtype);

          if (part != NULL)
            return part;
        }
      return NULL;
    }

  if (GMIME_IS_TEXT_PART (object))
    {
      GMimeContentType        *type = g_mime_object_get_content_type (object);
      GMimeContentDisposition *disposition = g_mime_object_get_content_disposition (object);

      if (disposition != NULL && g_mime_content_disposition_is_attachment (disposition))
        return NULL;
      if (type == NULL || g_mime_content_type_is_type (type, "text", subtype))
        return GMIME_TEXT_PART (object);
    }
  return NULL;
}

/* Tags out, entities for the common few: enough to read a newsletter. */
static char *
html_to_text (const char *html)
{
  GString *out = g_string_new (NULL);
  gboolean in_tag = FALSE;
  gboolean in_skip = FALSE;

  for (const char *p = html; *p != '\0'; p++)
    {
      if (*p == '<')
        {
          in_tag = TRUE;
          if (g_ascii_strncasecmp (p, "<style", 6) == 0 || g_ascii_strncasecmp (p, "<script", 7) == 0 ||
              g_ascii_strncasecmp (p, "<title", 6) == 0)
            in_skip = TRUE;
          else if (g_ascii_strncasecmp (p, "</style", 7) == 0 || g_ascii_strncasecmp (p, "</script", 8) == 0 ||
                   g_ascii_strncasecmp (p, "</title", 7) == 0)
            in_skip = FALSE;
          if (g_ascii_strncasecmp (p, "<br", 3) == 0 || g_ascii_strncasecmp (p, "<p", 2) == 0 ||
              g_ascii_strncasecmp (p, "<li", 3) == 0 || g_ascii_strncasecmp (p, "<h", 2) == 0 ||
              g_ascii_strncasecmp (p, "</h", 3) == 0)
            g_string_append_c (out, '\n');
          if (g_ascii_strncasecmp (p, "<li", 3) == 0)
            g_string_append (out, " • ");
          continue;
        }
      if (*p == '>' && in_tag)
        {
          in_tag = FALSE;
          continue;
        }
      if (in_tag || in_skip)
        continue;
      if (*p == '&')
        {
          static const struct
          {
            const char *entity;
            const char *text;
          } entities[] = {
            { "&amp;", "&" },
            { "&lt;", "<" },
            { "&gt;", ">" },
            { "&quot;", "\"" },
            { "&nbsp;", " " },
            { "&#39;", "'" },
          };
          gboolean done = FALSE;

          for (size_t i = 0; i < G_N_ELEMENTS (entities) && !done; i++)
            if (g_str_has_prefix (p, entities[i].entity))
              {
                g_string_append (out, entities[i].text);
                p += strlen (entities[i].entity) - 1;
                done = TRUE;
              }
          if (done)
            continue;
        }
      if (*p == '\n' && out->len > 0 && out->str[out->len - 1] == '\n')
        continue;
      g_string_append_c (out, *p);
    }
  return g_strstrip (g_string_free (out, FALSE));
}

char *
mw_message_text_extract (const char *data,
                         size_t      len,
                         gboolean   *out_html)
{
  GMimeStream   *stream;
  GMimeParser   *parser;
  GMimeMessage  *message;
  GMimeObject   *body;
  GMimeTextPart *part;
  char          *text = NULL;
  gboolean       html = FALSE;

  g_mime_init ();

  stream = g_mime_stream_mem_new_with_buffer (data, len);
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  body = message != NULL ? g_mime_message_get_mime_part (message) : NULL;

  if (body != NULL)
    {
      part = find_text_part (body, "plain");
      if (part == NULL && (part = find_text_part (body, "html")) != NULL)
        html = TRUE;
      if (part != NULL)
        text = g_mime_text_part_get_text (part);
    }

  if (text != NULL && !g_utf8_validate (text, -1, NULL))
    {
      char *valid = g_utf8_make_valid (text, -1);

      g_free (text);
      text = valid;
    }
  if (text != NULL && html)
    {
      char *plain = html_to_text (text);

      g_free (text);
      text = plain;
    }

  g_clear_object (&message);
  g_object_unref (parser);
  g_object_unref (stream);

  if (out_html != NULL)
    *out_html = html;
  return text != NULL ? text : g_strdup ("");
}

void
mw_message_attachment_free (MwMessageAttachment *attachment)
{
  if (attachment == NULL)
    return;
  g_free (attachment->name);
  g_free (attachment->content_type);
  g_clear_pointer (&attachment->data, g_bytes_unref);
  g_free (attachment);
}

static void
collect_attachment (GMimeObject *parent,
                    GMimeObject *part,
                    gpointer     user_data)
{
  GPtrArray               *out = user_data;
  GMimeContentType        *type = g_mime_object_get_content_type (part);
  GMimeContentDisposition *disposition = g_mime_object_get_content_disposition (part);
  GMimeDataWrapper        *content;
  GMimeStream             *stream;
  GByteArray              *array;
  MwMessageAttachment     *attachment;
  const char              *name;
  gboolean                 marked;

  if (!GMIME_IS_PART (part))
    return;
  marked = disposition != NULL && g_mime_content_disposition_is_attachment (disposition);
  if (!marked && (type == NULL || g_mime_content_type_is_type (type, "text", "*")))
    return;

  content = g_mime_part_get_content (GMIME_PART (part));
  array = g_byte_array_new ();
  if (content != NULL)
    {
      stream = g_mime_stream_mem_new_with_byte_array (array);
      g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
      g_mime_data_wrapper_write_to_stream (content, stream);
      g_object_unref (stream);
    }

  attachment = g_new0 (MwMessageAttachment, 1);
  name = g_mime_part_get_filename (GMIME_PART (part));
  attachment->name = name != NULL && *name != '\0' ? g_path_get_basename (name)
                                                   : g_strdup (_ ("Unnamed attachment"));
  if (!g_utf8_validate (attachment->name, -1, NULL))
    {
      char *valid = g_utf8_make_valid (attachment->name, -1);

      g_free (attachment->name);
      attachment->name = valid;
    }
  attachment->content_type = type != NULL ? g_mime_content_type_get_mime_type (type)
                                          : g_strdup ("application/octet-stream");
  attachment->data = g_byte_array_free_to_bytes (array);
  g_ptr_array_add (out, attachment);
}

GPtrArray *
mw_message_text_list_attachments (const char *data,
                                  size_t      len)
{
  GPtrArray    *out = g_ptr_array_new_with_free_func ((GDestroyNotify) mw_message_attachment_free);
  GMimeStream  *stream;
  GMimeParser  *parser;
  GMimeMessage *message;

  g_mime_init ();

  stream = g_mime_stream_mem_new_with_buffer (data, len);
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  if (message != NULL)
    g_mime_message_foreach (message, collect_attachment, out);

  g_clear_object (&message);
  g_object_unref (parser);
  g_object_unref (stream);
  return out;
}
