/* test-desktop.c: the .ui files, F1 for help
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "app-test-utils.h"
#include "mw-account-dialog.h"
#include "mw-application.h"
#include "mw-certificate-dialog.h"
#include "mw-compose-window.h"
#include "mw-log-view.h"
#include "mw-window.h"

#include <adwaita.h>
#include <string.h>

#define UI_RESOURCES "/io/github/mailwire/Mailwire/ui/"

/* One registered application for the whole program, as in a session. */
static MwApplication *application;

/* The class a .ui file is the template of, or NULL. */
static char *
template_class (const char *xml)
{
  const char *start = strstr (xml, "<template class=\"");
  const char *end;

  /* Row templates of list factories sit inside a property, after the
   * file's own template. */
  if (start == NULL || strstr (xml, "parent=\"") == NULL)
    return NULL;
  start += strlen ("<template class=\"");
  end = strchr (start, '"');
  g_assert_nonnull (end);
  return g_strndup (start, end - start);
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Builds a widget of @type: its template is parsed by GtkBuilder, and
 * any problem (unknown property, signal handler, object type, bad value)
 * is a critical, fatal under G_DEBUG=fatal-warnings. */
static void
instantiate (GType type)
{
  GtkWidget *widget;
  gpointer   weak;

  if (g_type_is_a (type, MW_TYPE_WINDOW))
    widget = GTK_WIDGET (mw_window_new (application));
  else
    widget = g_object_new (type, NULL);
  g_assert_true (GTK_IS_WIDGET (widget));

  weak = widget;
  g_object_add_weak_pointer (G_OBJECT (widget), &weak);
  if (GTK_IS_WINDOW (widget))
    gtk_window_destroy (GTK_WINDOW (widget));
  else
    g_object_unref (g_object_ref_sink (widget));
  g_assert_true (app_test_wait (is_null, &weak, 10));
}

/* Every .ui file in the GResource, through GtkBuilder with libadwaita
 * loaded: what gtk4-builder-tool cannot do for templates on Adw types. */
static void
test_ui_resources (void)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) names = NULL;
  guint templates = 0;
  guint plain = 0;

  /* The app's own types, as a running app registers them. */
  g_type_ensure (MW_TYPE_WINDOW);
  g_type_ensure (MW_TYPE_LOG_VIEW);
  g_type_ensure (MW_TYPE_COMPOSE_WINDOW);
  g_type_ensure (MW_TYPE_ACCOUNT_DIALOG);
  g_type_ensure (MW_TYPE_CERTIFICATE_DIALOG);

  names = g_resources_enumerate_children (UI_RESOURCES, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_strconcat (UI_RESOURCES, names[i], NULL);
      g_autoptr (GBytes) bytes = NULL;
      g_autofree char *klass = NULL;
      const char      *xml;

      if (!g_str_has_suffix (names[i], ".ui"))
        continue;
      g_test_message ("%s", path);
      bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      g_assert_no_error (error);
      xml = g_bytes_get_data (bytes, NULL);
      klass = template_class (xml);

      if (klass != NULL)
        {
          GType type = g_type_from_name (klass);

          /* The template's class and its parent both exist. */
          g_assert_cmpuint (type, !=, 0);
          instantiate (type);
          templates++;
        }
      else
        {
          g_autoptr (GtkBuilder) builder = gtk_builder_new ();
          g_autoptr (GSList) objects = NULL;

          gtk_builder_add_from_resource (builder, path, &error);
          g_assert_no_error (error);
          objects = gtk_builder_get_objects (builder);
          g_assert_nonnull (objects);
          for (GSList *l = objects; l != NULL; l = l->next)
            if (GTK_IS_WINDOW (l->data) && gtk_widget_get_parent (l->data) == NULL)
              gtk_window_destroy (l->data);
          plain++;
        }
    }

  /* MwWindow, MwLogView, MwComposeWindow, MwAccountDialog,
   * MwCertificateDialog; the shortcuts. */
  g_assert_cmpuint (templates, ==, 5);
  g_assert_cmpuint (plain, ==, 1);
}

/* gtk4-builder-tool validate, on every file it can read: those that use
 * no libadwaita type (the tool does not load libadwaita) and no closure
 * function (those live in the app). */
static void
test_builder_tool (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (MW_UI_DIR, 0, &error);
  const char *name;
  guint       validated = 0;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (MW_UI_DIR, name, NULL);
      g_autofree char *xml = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int              status = -1;
      const char      *argv[] = { GTK4_BUILDER_TOOL, "validate", path, NULL };

      if (!g_str_has_suffix (name, ".ui"))
        continue;
      g_file_get_contents (path, &xml, NULL, &error);
      g_assert_no_error (error);
      if (strstr (xml, "\"Adw") != NULL || strstr (xml, "function=\"") != NULL)
        continue;

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
      g_assert_no_error (error);
      /* A value that does not parse is only a warning for the tool. */
      if (!g_spawn_check_wait_status (status, NULL) || strstr (err, "WARNING") != NULL ||
          strstr (err, "CRITICAL") != NULL)
        g_error ("gtk4-builder-tool validate %s: %s%s", name, out, err);
      validated++;
    }
  /* mw-shortcuts-window.ui at least. */
  g_assert_cmpuint (validated, >=, 1);
}

/* F1. */

typedef struct
{
  GtkWindow *parent;
  char      *uri;
} Launched;

static void
record_uri (GtkWindow  *parent,
            const char *uri,
            gpointer    user_data)
{
  Launched *launched = user_data;

  launched->parent = parent;
  g_free (launched->uri);
  launched->uri = g_strdup (uri);
}

/* Presses @accel in @window: runs the shortcut the window's controllers
 * (the application's accelerators among them) have for it. */
static gboolean
press_accel (GtkWidget  *window,
             const char *accel)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (window);
  guint n = g_list_model_get_n_items (controllers);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GtkEventController) controller = g_list_model_get_item (controllers, i);
      guint m;

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      m = g_list_model_get_n_items (G_LIST_MODEL (controller));
      for (guint j = 0; j < m; j++)
        {
          g_autoptr (GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          g_autofree char *trigger = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));

          if (g_str_equal (trigger, accel))
            return gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), GTK_SHORTCUT_ACTION_EXCLUSIVE,
                                                 window, gtk_shortcut_get_arguments (shortcut));
        }
    }
  return FALSE;
}

static void
test_f1_help (void)
{
  MwWindow *window = mw_window_new (application);
  Launched  launched = { NULL, NULL };
  gpointer  weak = window;

  mw_application_set_uri_launcher (application, record_uri, &launched);
  gtk_window_present (GTK_WINDOW (window));

  g_assert_true (press_accel (GTK_WIDGET (window), "F1"));
  g_assert_cmpstr (launched.uri, ==, "help:mailwire");
  g_assert_true (launched.parent == GTK_WINDOW (window));

  /* The Help menu item does the same. */
  g_clear_pointer (&launched.uri, g_free);
  g_action_group_activate_action (G_ACTION_GROUP (application), "help", NULL);
  g_assert_cmpstr (launched.uri, ==, "help:mailwire");
  g_clear_pointer (&launched.uri, g_free);

  mw_application_set_uri_launcher (application, NULL, NULL);
  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (app_test_wait (is_null, &weak, 10));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  adw_init ();
  mw_application_ensure_resources ();

  application = app_test_application_new (".Test");

  g_test_add_func ("/app/desktop/ui-resources", test_ui_resources);
  g_test_add_func ("/app/desktop/builder-tool", test_builder_tool);
  g_test_add_func ("/app/desktop/f1-help", test_f1_help);

  ret = g_test_run ();
  g_clear_object (&application);
  return ret;
}
