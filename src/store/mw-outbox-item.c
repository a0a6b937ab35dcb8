/* mw-outbox-item.c: one message waiting in the outbox
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-outbox-item.h"

#include "mw-outbox-item-private.h"
#include "mw-store-enums.h"

enum
{
  PROP_0,
  PROP_ID,
  PROP_STATE,
  PROP_ATTEMPTS,
  PROP_NEXT_ATTEMPT,
  PROP_REPLY,
  PROP_NEEDS_ATTENTION,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (MwOutboxItem, mw_outbox_item, G_TYPE_OBJECT)

static void
mw_outbox_item_finalize (GObject *object)
{
  MwOutboxItem *self = MW_OUTBOX_ITEM (object);

  g_free (self->id);
  g_free (self->file_name);
  g_free (self->from);
  g_strfreev (self->recipients);
  g_free (self->reply);
  g_clear_pointer (&self->results, g_ptr_array_unref);

  G_OBJECT_CLASS (mw_outbox_item_parent_class)->finalize (object);
}

static void
mw_outbox_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  MwOutboxItem *self = MW_OUTBOX_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ATTEMPTS:
      g_value_set_uint (value, self->attempts);
      break;
    case PROP_NEXT_ATTEMPT:
      g_value_set_int64 (value, self->next_attempt);
      break;
    case PROP_REPLY:
      g_value_set_string (value, self->reply);
      break;
    case PROP_NEEDS_ATTENTION:
      g_value_set_boolean (value, self->needs_attention);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_outbox_item_class_init (MwOutboxItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mw_outbox_item_finalize;
  object_class->get_property = mw_outbox_item_get_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, MW_TYPE_OUTBOX_STATE, MW_OUTBOX_STATE_QUEUED,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ATTEMPTS] =
    g_param_spec_uint ("attempts", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_NEXT_ATTEMPT] =
    g_param_spec_int64 ("next-attempt", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_REPLY] =
    g_param_spec_string ("reply", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_NEEDS_ATTENTION] =
    g_param_spec_boolean ("needs-attention", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mw_outbox_item_init (MwOutboxItem *self)
{
}

MwOutboxItem *
mw_outbox_item_new (const char        *id,
                    const char        *file_name,
                    const char        *from,
                    const char *const *recipients)
{
  MwOutboxItem *self = g_object_new (MW_TYPE_OUTBOX_ITEM, NULL);

  self->id = g_strdup (id);
  self->file_name = g_strdup (file_name);
  self->from = g_strdup (from);
  self->recipients = g_strdupv ((char **) recipients);
  return self;
}

const char *
mw_outbox_item_get_id (MwOutboxItem *self)
{
  g_return_val_if_fail (MW_IS_OUTBOX_ITEM (self), NULL);
  return self->id;
}

const char *
mw_outbox_item_get_from (MwOutboxItem *self)
{
  g_return_val_if_fail (MW_IS_OUTBOX_ITEM (self), NULL);
  return self->from;
}

const char *const *
mw_outbox_item_get_recipients (MwOutboxItem *self)
{
  g_return_val_if_fail (MW_IS_OUTBOX_ITEM (self), NULL);
  return (const char *const *) self->recipients;
}

MwOutboxState
mw_outbox_item_get_state (MwOutboxItem *self)
{
  g_return_val_if_fail (MW_IS_OUTBOX_ITEM (self), MW_OUTBOX_STATE_QUEUED);
  return self->state;
}

guint
mw_outbox_item_get_attempts (MwOutboxItem *self)
{
  g_return_val_if_fail (MW_IS_OUTBOX_ITEM (self), 0);
  return self->attempts;
}

gint64
mw_outbox_item_get_next_attempt (MwOutboxItem *self)
{
  g_return_val_if_fail (MW_IS_OUTBOX_ITEM (self), 0);
  return self->next_attempt;
}

const char *
mw_outbox_item_get_reply (MwOutboxItem *self)
{
  g_return_val_if_fail (MW_IS_OUTBOX_ITEM (self), NULL);
  return self->reply;
}

int
mw_outbox_item_get_reply_code (MwOutboxItem *self)
{
  g_return_val_if_fail (MW_IS_OUTBOX_ITEM (self), 0);
  return self->reply_code;
}

gboolean
mw_outbox_item_get_needs_attention (MwOutboxItem *self)
{
  g_return_val_if_fail (MW_IS_OUTBOX_ITEM (self), FALSE);
  return self->needs_attention;
}

GPtrArray *
mw_outbox_item_get_recipient_results (MwOutboxItem *self)
{
  g_return_val_if_fail (MW_IS_OUTBOX_ITEM (self), NULL);
  return self->results;
}

void
mw_outbox_item_set_state (MwOutboxItem *self,
                          MwOutboxState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
mw_outbox_item_set_attempts (MwOutboxItem *self,
                             guint         attempts,
                             gint64        next_attempt)
{
  if (self->attempts != attempts)
    {
      self->attempts = attempts;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTEMPTS]);
    }
  if (self->next_attempt != next_attempt)
    {
      self->next_attempt = next_attempt;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_ATTEMPT]);
    }
}

void
mw_outbox_item_set_reply (MwOutboxItem *self,
                          int           code,
                          const char   *reply)
{
  self->reply_code = code;
  if (g_strcmp0 (self->reply, reply) == 0)
    return;
  g_free (self->reply);
  self->reply = g_strdup (reply);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPLY]);
}

void
mw_outbox_item_set_needs_attention (MwOutboxItem *self,
                                    gboolean      needs_attention)
{
  needs_attention = !!needs_attention;
  if (self->needs_attention == needs_attention)
    return;
  self->needs_attention = needs_attention;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEEDS_ATTENTION]);
}

void
mw_outbox_item_take_recipient_results (MwOutboxItem *self,
                                       GPtrArray    *results)
{
  g_clear_pointer (&self->results, g_ptr_array_unref);
  self->results = results;
}
