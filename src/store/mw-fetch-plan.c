/* mw-fetch-plan.c: what Get Mail downloads, deletes and leaves alone
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-fetch-plan.h"

#include "mw-store-error.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define DAY_SECONDS (24 * 60 * 60)

struct _MwFetchPlan
{
  GObject parent_instance;

  GArray         *downloads; /* guint */
  GPtrArray      *deletions; /* char *, NULL-terminated */
  GArray         *skipped;   /* MwFetchSkip */
  GPtrArray      *vanished;  /* char *, NULL-terminated */
  MwFetchWarnings warnings;
};

G_DEFINE_FINAL_TYPE (MwFetchPlan, mw_fetch_plan, G_TYPE_OBJECT)

static void
mw_fetch_plan_finalize (GObject *object)
{
  MwFetchPlan *self = MW_FETCH_PLAN (object);

  g_clear_pointer (&self->downloads, g_array_unref);
  g_clear_pointer (&self->deletions, g_ptr_array_unref);
  g_clear_pointer (&self->skipped, g_array_unref);
  g_clear_pointer (&self->vanished, g_ptr_array_unref);

  G_OBJECT_CLASS (mw_fetch_plan_parent_class)->finalize (object);
}

static void
mw_fetch_plan_class_init (MwFetchPlanClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mw_fetch_plan_finalize;
}

static void
mw_fetch_plan_init (MwFetchPlan *self)
{
  self->downloads = g_array_new (FALSE, FALSE, sizeof (guint));
  self->deletions = g_ptr_array_new_with_free_func (g_free);
  self->skipped = g_array_new (FALSE, FALSE, sizeof (MwFetchSkip));
  self->vanished = g_ptr_array_new_with_free_func (g_free);
}

static void
skip (MwFetchPlan      *self,
      guint             number,
      MwFetchSkipReason reason)
{
  MwFetchSkip entry = { number, reason };

  g_array_append_val (self->skipped, entry);
}

static gboolean
too_big (const MwFetchPolicy   *policy,
         const MwServerMessage *message)
{
  return policy->max_size != 0 && message->size > policy->max_size;
}

static gboolean
policy_wants_deletion (const MwFetchPolicy *policy,
                       MwUidIndex          *index,
                       const char          *uid,
                       gint64               now)
{
  switch (policy->leave)
    {
    case MW_LEAVE_POLICY_DELETE_AFTER_DOWNLOAD:
      return TRUE;
    case MW_LEAVE_POLICY_DELETE_AFTER_DAYS:
      return mw_uid_index_get_seen_since (index, uid) <= now - (gint64) policy->days * DAY_SECONDS;
    case MW_LEAVE_POLICY_KEEP:
    default:
      return FALSE;
    }
}

MwFetchPlan *
mw_fetch_plan_new (const MwServerMessage *messages,
                   size_t                 n_messages,
                   MwUidIndex            *index,
                   const MwFetchPolicy   *policy,
                   gint64                 now,
                   GError               **error)
{
  g_autoptr (MwFetchPlan) self = NULL;
  g_autoptr (GHashTable) counts = NULL;
  g_auto (GStrv) indexed = NULL;
  gboolean have_uidl = n_messages > 0;

  g_return_val_if_fail (messages != NULL || n_messages == 0, NULL);
  g_return_val_if_fail (MW_IS_UID_INDEX (index), NULL);
  g_return_val_if_fail (mw_uid_index_get_state (index) != MW_UID_INDEX_STATE_UNLOADED, NULL);
  g_return_val_if_fail (policy != NULL, NULL);

  if (mw_uid_index_get_state (index) != MW_UID_INDEX_STATE_READY)
    {
      g_set_error (error, MW_STORE_ERROR, MW_STORE_ERROR_INDEX_CORRUPT,
                   _ ("The list of downloaded messages is damaged; nothing was downloaded or deleted"));
      return NULL;
    }

  self = g_object_new (MW_TYPE_FETCH_PLAN, NULL);

  /* A listing where any message lacks a UID is treated as having none. */
  counts = g_hash_table_new (g_str_hash, g_str_equal);
  for (size_t i = 0; i < n_messages; i++)
    {
      const char *uid = messages[i].uid;

      if (uid == NULL)
        {
          have_uidl = FALSE;
          break;
        }
      g_hash_table_insert (counts, (gpointer) uid,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, uid)) + 1));
    }

  if (!have_uidl)
    {
      if (n_messages > 0)
        self->warnings |= MW_FETCH_WARNING_NO_UIDL;

      for (size_t i = 0; i < n_messages; i++)
        {
          if (too_big (policy, &messages[i]))
            skip (self, messages[i].number, MW_FETCH_SKIP_TOO_BIG);
          else
            g_array_append_val (self->downloads, messages[i].number);
        }

      g_ptr_array_add (self->deletions, NULL);
      g_ptr_array_add (self->vanished, NULL);
      return g_steal_pointer (&self);
    }

  for (size_t i = 0; i < n_messages; i++)
    {
      const MwServerMessage *message = &messages[i];
      gboolean               duplicate;

      if (!mw_uid_is_valid (message->uid, NULL))
        {
          self->warnings |= MW_FETCH_WARNING_INVALID_UIDS;
          skip (self, message->number, MW_FETCH_SKIP_INVALID_UID);
          continue;
        }

      duplicate = GPOINTER_TO_UINT (g_hash_table_lookup (counts, message->uid)) > 1;
      if (duplicate)
        self->warnings |= MW_FETCH_WARNING_DUPLICATE_UIDS;

      if (!mw_uid_index_contains (index, message->uid))
        {
          if (too_big (policy, message))
            skip (self, message->number, MW_FETCH_SKIP_TOO_BIG);
          else
            g_array_append_val (self->downloads, message->number);
          continue;
        }

      /* Stored. Deleted only by UID, when that UID names one message. */
      if (duplicate || !policy_wants_deletion (policy, index, message->uid, now))
        continue;

      if (!mw_uid_index_is_durable (index, message->uid))
        {
          self->warnings |= MW_FETCH_WARNING_NOT_DURABLE;
          continue;
        }

      g_ptr_array_add (self->deletions, g_strdup (message->uid));
    }
  g_ptr_array_add (self->deletions, NULL);

  indexed = mw_uid_index_dup_uids (index);
  for (guint i = 0; indexed[i] != NULL; i++)
    if (!g_hash_table_contains (counts, indexed[i]))
      g_ptr_array_add (self->vanished, g_strdup (indexed[i]));
  g_ptr_array_add (self->vanished, NULL);

  return g_steal_pointer (&self);
}

const guint *
mw_fetch_plan_get_downloads (MwFetchPlan *self,
                             size_t      *n_downloads)
{
  g_return_val_if_fail (MW_IS_FETCH_PLAN (self), NULL);
  g_return_val_if_fail (n_downloads != NULL, NULL);

  *n_downloads = self->downloads->len;
  return (const guint *) (gpointer) self->downloads->data;
}

const char *const *
mw_fetch_plan_get_deletions (MwFetchPlan *self)
{
  g_return_val_if_fail (MW_IS_FETCH_PLAN (self), NULL);
  return (const char *const *) self->deletions->pdata;
}

const MwFetchSkip *
mw_fetch_plan_get_skipped (MwFetchPlan *self,
                           size_t      *n_skipped)
{
  g_return_val_if_fail (MW_IS_FETCH_PLAN (self), NULL);
  g_return_val_if_fail (n_skipped != NULL, NULL);

  *n_skipped = self->skipped->len;
  return (const MwFetchSkip *) (gpointer) self->skipped->data;
}

MwFetchWarnings
mw_fetch_plan_get_warnings (MwFetchPlan *self)
{
  g_return_val_if_fail (MW_IS_FETCH_PLAN (self), MW_FETCH_WARNING_NONE);
  return self->warnings;
}

const char *const *
mw_fetch_plan_get_vanished (MwFetchPlan *self)
{
  g_return_val_if_fail (MW_IS_FETCH_PLAN (self), NULL);
  return (const char *const *) self->vanished->pdata;
}

gboolean
mw_fetch_remap_uids (const char *const     *uids,
                     const MwServerMessage *listing,
                     size_t                 n_listing,
                     GArray               **numbers,
                     GStrv                 *unmapped,
                     GError               **error)
{
  g_autoptr (GHashTable) by_uid = NULL;
  g_autoptr (GHashTable) duplicates = NULL;
  g_autoptr (GArray) mapped = NULL;
  g_autoptr (GStrvBuilder) missing = NULL;

  g_return_val_if_fail (uids != NULL, FALSE);
  g_return_val_if_fail (listing != NULL || n_listing == 0, FALSE);
  g_return_val_if_fail (numbers != NULL, FALSE);

  by_uid = g_hash_table_new (g_str_hash, g_str_equal);
  duplicates = g_hash_table_new (g_str_hash, g_str_equal);
  for (size_t i = 0; i < n_listing; i++)
    {
      if (listing[i].uid == NULL)
        {
          g_set_error (error, MW_STORE_ERROR, MW_STORE_ERROR_NO_UIDL,
                       _ ("The server does not give message identifiers (UIDL), so no message can be deleted safely"));
          return FALSE;
        }

      if (g_hash_table_contains (by_uid, listing[i].uid))
        g_hash_table_add (duplicates, (gpointer) listing[i].uid);
      g_hash_table_insert (by_uid, (gpointer) listing[i].uid, GUINT_TO_POINTER (listing[i].number));
    }

  mapped = g_array_new (FALSE, FALSE, sizeof (guint));
  missing = g_strv_builder_new ();
  for (guint i = 0; uids[i] != NULL; i++)
    {
      gpointer number;
      guint    n;

      if (!g_hash_table_lookup_extended (by_uid, uids[i], NULL, &number) ||
          g_hash_table_contains (duplicates, uids[i]))
        {
          g_strv_builder_add (missing, uids[i]);
          continue;
        }

      n = GPOINTER_TO_UINT (number);
      g_array_append_val (mapped, n);
    }

  *numbers = g_steal_pointer (&mapped);
  if (unmapped != NULL)
    *unmapped = g_strv_builder_end (missing);
  return TRUE;
}

static gboolean
is_stable_field (const char *name,
                 gsize       length)
{
  static const char *const fields[] = {
    "message-id",
    "date",
    "from",
    "sender",
    "to",
    "cc",
    "subject",
    "received",
  };

  for (size_t i = 0; i < G_N_ELEMENTS (fields); i++)
    if (strlen (fields[i]) == length && g_ascii_strncasecmp (fields[i], name, length) == 0)
      return TRUE;
  return FALSE;
}

/* Feeds one unfolded header field, "name: value", in a normal form. */
static gboolean
hash_field (GChecksum  *checksum,
            const char *field,
            gsize       length)
{
  const char *colon = memchr (field, ':', length);
  gsize       name_length;
  gboolean    space = FALSE;
  gboolean    any = FALSE;

  if (colon == NULL)
    return FALSE;
  name_length = (gsize) (colon - field);
  while (name_length > 0 && g_ascii_isspace (field[name_length - 1]))
    name_length--;
  if (!is_stable_field (field, name_length))
    return FALSE;

  for (gsize i = 0; i < name_length; i++)
    {
      guchar c = (guchar) g_ascii_tolower (field[i]);

      g_checksum_update (checksum, &c, 1);
    }
  g_checksum_update (checksum, (const guchar *) ":", 1);

  for (const char *p = colon + 1; p < field + length; p++)
    {
      if (g_ascii_isspace (*p))
        {
          space = any;
          continue;
        }
      if (space)
        g_checksum_update (checksum, (const guchar *) " ", 1);
      g_checksum_update (checksum, (const guchar *) p, 1);
      space = FALSE;
      any = TRUE;
    }
  g_checksum_update (checksum, (const guchar *) "\n", 1);
  return TRUE;
}

char *
mw_fetch_header_uid (const char *headers,
                     gsize       length)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr (GString) field = g_string_new (NULL);
  const char *p = headers;
  const char *end = headers + length;
  gboolean    found = FALSE;

  g_return_val_if_fail (headers != NULL || length == 0, NULL);

  while (p < end)
    {
      const char *eol = memchr (p, '\n', (size_t) (end - p));
      const char *next = eol != NULL ? eol + 1 : end;
      gsize       line_length = (gsize) ((eol != NULL ? eol : end) - p);

      if (line_length > 0 && p[line_length - 1] == '\r')
        line_length--;
      if (line_length == 0)
        break;

      if ((p[0] == ' ' || p[0] == '\t') && field->len > 0)
        {
          /* A continuation line: unfold it into the field. */
          g_string_append_c (field, ' ');
          g_string_append_len (field, p, (gssize) line_length);
        }
      else
        {
          if (field->len > 0)
            found |= hash_field (checksum, field->str, field->len);
          g_string_assign (field, "");
          g_string_append_len (field, p, (gssize) line_length);
        }
      p = next;
    }
  if (field->len > 0)
    found |= hash_field (checksum, field->str, field->len);

  if (!found)
    return NULL;
  return g_strconcat ("~", g_checksum_get_string (checksum), NULL);
}
