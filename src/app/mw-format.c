/* mw-format.c: how the app shows sizes, dates and message states
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "mw-format.h"

char *
mw_format_size (guint64 size)
{
  return g_format_size (size);
}

char *
mw_format_date (GDateTime *date,
                GDateTime *now)
{
  g_autoptr (GDateTime) local = NULL;
  g_autoptr (GDateTime) local_now = NULL;
  GTimeSpan age;

  if (date == NULL)
    return g_strdup ("");

  local = g_date_time_to_local (date);
  local_now = now != NULL ? g_date_time_to_local (now) : g_date_time_new_now_local ();
  age = g_date_time_difference (local_now, local);

  if (g_date_time_get_year (local) == g_date_time_get_year (local_now) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (local_now))
    /* Translators: a time today, see g_date_time_format(). */
    return g_date_time_format (local, _ ("%H:%M"));
  if (age >= 0 && age < 6 * G_TIME_SPAN_DAY)
    /* Translators: a weekday and time, see g_date_time_format(). */
    return g_date_time_format (local, _ ("%a %H:%M"));
  if (g_date_time_get_year (local) == g_date_time_get_year (local_now))
    /* Translators: a day this year, see g_date_time_format(). */
    return g_date_time_format (local, _ ("%e %b"));
  /* Translators: a day in another year, see g_date_time_format(). */
  return g_date_time_format (local, _ ("%e %b %Y"));
}

const char *
mw_format_status_icon (MwMessageFlags flags)
{
  if (flags & MW_MESSAGE_FLAG_DELETED)
    return "user-trash-symbolic";
  if (flags & (MW_MESSAGE_FLAG_OVERSIZE | MW_MESSAGE_FLAG_MALFORMED_HEADERS |
               MW_MESSAGE_FLAG_NO_HEADERS | MW_MESSAGE_FLAG_DOWNLOAD_FAILED))
    return "dialog-warning-symbolic";
  if (flags & MW_MESSAGE_FLAG_DOWNLOADED)
    return "emblem-ok-symbolic";
  return NULL;
}

char *
mw_format_status_text (MwMessageFlags flags,
                       const char    *problem)
{
  GString *text = g_string_new (NULL);

  if (flags & MW_MESSAGE_FLAG_DELETED)
    g_string_append (text, _ ("Marked for deletion: the server removes it when the session ends"));
  if (flags & MW_MESSAGE_FLAG_DOWNLOADED)
    g_string_append_printf (text, "%s%s", text->len ? "\n" : "", _ ("Downloaded"));
  if (flags & MW_MESSAGE_FLAG_OVERSIZE)
    g_string_append_printf (text, "%s%s", text->len ? "\n" : "", _ ("Larger than the download limit"));
  if (flags & MW_MESSAGE_FLAG_DOWNLOAD_FAILED)
    g_string_append_printf (text, "%s%s", text->len ? "\n" : "", _ ("The last download failed"));
  if (problem != NULL && *problem != '\0')
    g_string_append_printf (text, "%s%s", text->len ? "\n" : "", problem);

  if (text->len == 0)
    {
      g_string_free (text, TRUE);
      return NULL;
    }
  return g_string_free (text, FALSE);
}
