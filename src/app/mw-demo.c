/* mw-demo.c: demo mode, the app against its own loopback server
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-demo.h"
#include "mw-demo-seed.h"
#include "mw-mail-server.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

struct _MwDemo
{
  GObject parent_instance;

  char         *root;
  char         *maildir;
  char         *local_dir;
  MwMailServer *server;
};

G_DEFINE_FINAL_TYPE (MwDemo, mw_demo, G_TYPE_OBJECT)

MwDemo *
mw_demo_new (void)
{
  return g_object_new (MW_TYPE_DEMO, NULL);
}

const char *
mw_demo_get_maildir (MwDemo *self)
{
  g_return_val_if_fail (MW_IS_DEMO (self), NULL);
  return self->maildir;
}

const char *
mw_demo_get_local_dir (MwDemo *self)
{
  g_return_val_if_fail (MW_IS_DEMO (self), NULL);
  return self->local_dir;
}

guint16
mw_demo_get_pop3_port (MwDemo *self)
{
  g_return_val_if_fail (MW_IS_DEMO (self), 0);
  return self->server != NULL ? mw_mail_server_get_pop3_port (self->server) : 0;
}

guint16
mw_demo_get_smtp_port (MwDemo *self)
{
  g_return_val_if_fail (MW_IS_DEMO (self), 0);
  return self->server != NULL ? mw_mail_server_get_smtp_port (self->server) : 0;
}

static void
seed_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwDemo *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;

  if (!mw_demo_seed_finish (result, &error))
    {
      g_prefix_error (&error, _ ("Could not prepare the demo mailbox: "));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->server = mw_mail_server_new (self->maildir);
  mw_mail_server_add_user (self->server, MW_DEMO_USER, MW_DEMO_PASSWORD);
  /* Loopback only, and no certificate: the demo is the one account that
   * may log in without TLS. */
  mw_mail_server_set_allow_plaintext_auth (self->server, TRUE);
  mw_mail_server_set_auth_failure_delay (self->server, 0);
  if (!mw_mail_server_start (self->server, &error))
    {
      g_prefix_error (&error, _ ("Could not start the demo server: "));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
mw_demo_start_async (MwDemo             *self,
                     GCancellable       *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (MW_IS_DEMO (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_demo_start_async);

  if (self->root != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_EXISTS,
                               "The demo was already started");
      return;
    }

  self->root = g_dir_make_tmp ("mailwire-demo-XXXXXX", &error);
  if (self->root == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->maildir = g_build_filename (self->root, "Maildir", NULL);
  self->local_dir = g_build_filename (self->root, "Downloaded", NULL);
  mw_demo_seed_async (self->maildir, cancellable, seed_cb, g_steal_pointer (&task));
}

gboolean
mw_demo_start_finish (MwDemo       *self,
                      GAsyncResult *result,
                      GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
            !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

static void
mw_demo_dispose (GObject *object)
{
  MwDemo *self = MW_DEMO (object);

  if (self->server != NULL)
    mw_mail_server_stop (self->server);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (mw_demo_parent_class)->dispose (object);
}

static void
mw_demo_finalize (GObject *object)
{
  MwDemo *self = MW_DEMO (object);

  /* The demo mailbox is throwaway data in a directory of our own. */
  if (self->root != NULL)
    remove_tree (self->root);
  g_free (self->root);
  g_free (self->maildir);
  g_free (self->local_dir);

  G_OBJECT_CLASS (mw_demo_parent_class)->finalize (object);
}

static void
mw_demo_class_init (MwDemoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mw_demo_dispose;
  object_class->finalize = mw_demo_finalize;
}

static void
mw_demo_init (MwDemo *self)
{
}
