/* mw-folder-item.c: one message of a local folder, as listed
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-folder-item.h"

#include <string.h>

struct _MwFolderItem
{
  GObject parent_instance;

  char       *name;
  char       *from;
  char       *subject;
  char       *message_id;
  char       *folded; /* From and Subject, folded on first search */
  const char *subdir; /* static */
  guint64     size;
  gint64      mtime;
  gint64      date;
};

G_DEFINE_FINAL_TYPE (MwFolderItem, mw_folder_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_NAME,
  PROP_SIZE,
  PROP_FROM,
  PROP_SUBJECT,
  PROP_DATE,
  PROP_MESSAGE_ID,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
mw_folder_item_finalize (GObject *object)
{
  MwFolderItem *self = MW_FOLDER_ITEM (object);

  g_free (self->name);
  g_free (self->from);
  g_free (self->subject);
  g_free (self->message_id);
  g_free (self->folded);

  G_OBJECT_CLASS (mw_folder_item_parent_class)->finalize (object);
}

static void
mw_folder_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  MwFolderItem *self = MW_FOLDER_ITEM (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_SIZE:
      g_value_set_uint64 (value, self->size);
      break;
    case PROP_FROM:
      g_value_set_string (value, self->from);
      break;
    case PROP_SUBJECT:
      g_value_set_string (value, self->subject);
      break;
    case PROP_DATE:
      g_value_set_int64 (value, self->date);
      break;
    case PROP_MESSAGE_ID:
      g_value_set_string (value, self->message_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_folder_item_class_init (MwFolderItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = mw_folder_item_finalize;
  object_class->get_property = mw_folder_item_get_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_SIZE] = g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_FROM] = g_param_spec_string ("from", NULL, NULL, NULL, flags);
  properties[PROP_SUBJECT] = g_param_spec_string ("subject", NULL, NULL, NULL, flags);
  properties[PROP_DATE] = g_param_spec_int64 ("date", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_MESSAGE_ID] = g_param_spec_string ("message-id", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mw_folder_item_init (MwFolderItem *self)
{
}

MwFolderItem *
mw_folder_item_new (const char *subdir,
                    const char *name,
                    guint64     size,
                    gint64      mtime,
                    const char *from,
                    const char *subject,
                    gint64      date,
                    const char *message_id)
{
  MwFolderItem *self;

  g_return_val_if_fail (name != NULL, NULL);

  self = g_object_new (MW_TYPE_FOLDER_ITEM, NULL);
  self->subdir = g_strcmp0 (subdir, "cur") == 0 ? "cur" : "new";
  self->name = g_strdup (name);
  self->size = size;
  self->mtime = mtime;
  self->from = g_strdup (from != NULL ? from : "");
  self->subject = g_strdup (subject != NULL ? subject : "");
  self->date = MAX (date, 0);
  self->message_id = g_strdup (message_id != NULL ? message_id : "");
  return self;
}

const char *
mw_folder_item_get_subdir (MwFolderItem *self)
{
  g_return_val_if_fail (MW_IS_FOLDER_ITEM (self), NULL);
  return self->subdir;
}

const char *
mw_folder_item_get_name (MwFolderItem *self)
{
  g_return_val_if_fail (MW_IS_FOLDER_ITEM (self), NULL);
  return self->name;
}

guint64
mw_folder_item_get_size (MwFolderItem *self)
{
  g_return_val_if_fail (MW_IS_FOLDER_ITEM (self), 0);
  return self->size;
}

gint64
mw_folder_item_get_mtime (MwFolderItem *self)
{
  g_return_val_if_fail (MW_IS_FOLDER_ITEM (self), 0);
  return self->mtime;
}

const char *
mw_folder_item_get_from (MwFolderItem *self)
{
  g_return_val_if_fail (MW_IS_FOLDER_ITEM (self), NULL);
  return self->from;
}

const char *
mw_folder_item_get_subject (MwFolderItem *self)
{
  g_return_val_if_fail (MW_IS_FOLDER_ITEM (self), NULL);
  return self->subject;
}

gint64
mw_folder_item_get_date (MwFolderItem *self)
{
  g_return_val_if_fail (MW_IS_FOLDER_ITEM (self), 0);
  return self->date;
}

const char *
mw_folder_item_get_message_id (MwFolderItem *self)
{
  g_return_val_if_fail (MW_IS_FOLDER_ITEM (self), NULL);
  return self->message_id;
}

static char *
fold (const char *text)
{
  g_autofree char *normalized = g_utf8_normalize (text, -1, G_NORMALIZE_ALL);

  return g_utf8_casefold (normalized != NULL ? normalized : "", -1);
}

gboolean
mw_folder_item_matches (MwFolderItem *self,
                        const char   *folded_query)
{
  g_return_val_if_fail (MW_IS_FOLDER_ITEM (self), FALSE);
  g_return_val_if_fail (folded_query != NULL, FALSE);

  if (*folded_query == '\0')
    return TRUE;

  /* Searches run on the UI thread only, so the lazy cache needs no lock. */
  if (self->folded == NULL)
    {
      g_autofree char *joined = g_strconcat (self->from, "\n", self->subject, NULL);

      self->folded = fold (joined);
    }

  return strstr (self->folded, folded_query) != NULL;
}
