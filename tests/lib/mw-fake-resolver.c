/* mw-fake-resolver.c: a GResolver that answers SRV queries from a table
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-fake-resolver.h"

struct _MwFakeResolver
{
  GResolver parent_instance;

  GHashTable *records; /* rrname → GList of GSrvTarget */
  GPtrArray  *queries;
};

G_DEFINE_FINAL_TYPE (MwFakeResolver, mw_fake_resolver, G_TYPE_RESOLVER)

static void
free_targets (gpointer data)
{
  g_list_free_full (data, (GDestroyNotify) g_srv_target_free);
}

MwFakeResolver *
mw_fake_resolver_new (void)
{
  return g_object_new (MW_TYPE_FAKE_RESOLVER, NULL);
}

void
mw_fake_resolver_add_srv (MwFakeResolver *self,
                          const char     *rrname,
                          const char     *target,
                          guint16         port,
                          guint16         priority,
                          guint16         weight)
{
  gpointer key = NULL;
  gpointer list = NULL;

  /* Takes the list out without freeing it, then puts it back longer. */
  if (g_hash_table_steal_extended (self->records, rrname, &key, &list))
    g_free (key);
  list = g_list_append (list, g_srv_target_new (target, port, priority, weight));
  g_hash_table_insert (self->records, g_strdup (rrname), list);
}

const char *const *
mw_fake_resolver_get_queries (MwFakeResolver *self)
{
  return (const char *const *) self->queries->pdata;
}

static void
lookup_service_async (GResolver          *resolver,
                      const char         *rrname,
                      GCancellable       *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer            user_data)
{
  MwFakeResolver *self = MW_FAKE_RESOLVER (resolver);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  GList *list = g_hash_table_lookup (self->records, rrname);
  GList *copy = NULL;

  g_ptr_array_insert (self->queries, self->queries->len - 1, g_strdup (rrname));
  if (g_task_return_error_if_cancelled (task))
    return;
  if (list == NULL)
    {
      g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                               "No SRV record for %s", rrname);
      return;
    }
  for (GList *l = list; l != NULL; l = l->next)
    copy = g_list_append (copy, g_srv_target_copy (l->data));
  g_task_return_pointer (task, copy, free_targets);
}

static GList *
lookup_service_finish (GResolver    *resolver,
                       GAsyncResult *result,
                       GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
mw_fake_resolver_finalize (GObject *object)
{
  MwFakeResolver *self = MW_FAKE_RESOLVER (object);

  g_hash_table_unref (self->records);
  g_ptr_array_unref (self->queries);

  G_OBJECT_CLASS (mw_fake_resolver_parent_class)->finalize (object);
}

static void
mw_fake_resolver_class_init (MwFakeResolverClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  object_class->finalize = mw_fake_resolver_finalize;
  resolver_class->lookup_service_async = lookup_service_async;
  resolver_class->lookup_service_finish = lookup_service_finish;
}

static void
mw_fake_resolver_init (MwFakeResolver *self)
{
  self->records = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_targets);
  self->queries = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->queries, NULL);
}
