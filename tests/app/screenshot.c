/* screenshot.c: renders the main window in demo mode to a PNG
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run under Xvfb: screenshot OUTPUT.png [SUBJECT [STEPS]]. The window is
 * shown at 1280×800 with the protocol log open and the message with SUBJECT
 * (the welcome message by default) selected. STEPS, comma-separated, are
 * window actions run then, each followed by a pause: "open" downloads the
 * message, "folder:NAME" shows a local folder and selects its first
 * message, any other name activates win.NAME. With STEPS the program then
 * waits five seconds, for `import -window root` to see other windows.
 */

#include "config.h"

#include "app-test-utils.h"
#include "mw-application.h"
#include "mw-message-summary.h"
#include "mw-window.h"

#include <adwaita.h>
#include <string.h>

static gboolean
n_at_least (gpointer data)
{
  return g_list_model_get_n_items (data) >= 12;
}

static gboolean
reader_loaded (gpointer data)
{
  const char    *classes[] = { "reader-body", NULL };
  GtkWidget     *view = app_test_find (data, GTK_TYPE_TEXT_VIEW, classes, NULL);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));

  return gtk_text_buffer_get_char_count (buffer) > 60;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwApplication) app = NULL;
  g_autoptr (GdkPaintable) paintable = NULL;
  g_autoptr (GtkSnapshot) snapshot = NULL;
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  const char *subject = argc > 2 ? argv[2] : "Welcome to Mailwire";
  MwWindow   *window;
  GListModel *shown;
  int         width, height;

  if (argc < 2)
    {
      g_printerr ("usage: screenshot OUTPUT.png [SUBJECT]\n");
      return 2;
    }

  gtk_init ();
  app = g_object_new (MW_TYPE_APPLICATION, "application-id", APP_ID ".Screenshot",
                      "flags", G_APPLICATION_NON_UNIQUE, NULL);
  mw_application_set_demo (app, TRUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("%s", error->message);

  window = mw_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1290, 810);
  mw_window_set_log_visible (window, TRUE);
  gtk_window_present (GTK_WINDOW (window));

  shown = mw_window_get_visible_messages (window);
  if (!app_test_wait (n_at_least, shown, 90))
    g_error ("The demo list did not fill");
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr (MwMessageSummary) summary = g_list_model_get_item (shown, i);

      if (g_strcmp0 (mw_message_summary_get_subject (summary), subject) == 0)
        gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (shown), i);
    }
  app_test_wait (reader_loaded, window, 20);
  if (argc > 3)
    {
      g_auto (GStrv) steps = g_strsplit (argv[3], ",", 0);

      for (guint i = 0; steps[i] != NULL; i++)
        {
          if (g_str_has_prefix (steps[i], "folder:"))
            {
              gtk_widget_activate_action (GTK_WIDGET (window), "win.show-folder", "s", steps[i] + 7);
              app_test_wait (never, NULL, 2);
              gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (shown), 0);
            }
          else
            {
              g_autofree char *action = g_strconcat ("win.", steps[i], NULL);

              gtk_widget_activate_action (GTK_WIDGET (window), action, NULL);
            }
          app_test_wait (never, NULL, 3);
        }
    }
  /* Let the log settle at its end and the toasts go. */
  app_test_wait (never, NULL, 1);

  width = gtk_widget_get_width (GTK_WIDGET (window));
  height = gtk_widget_get_height (GTK_WIDGET (window));
  paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, argv[1]))
    g_error ("Could not write %s", argv[1]);

  if (argc > 3)
    app_test_wait (never, NULL, 5);
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
