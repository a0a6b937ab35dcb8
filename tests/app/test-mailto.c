/* test-mailto.c: opening mailto: links
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "app-test-utils.h"
#include "mw-application.h"
#include "mw-compose-window.h"
#include "mw-window.h"

#include <adwaita.h>

typedef struct
{
  MwWindow *window;
} Fixture;

/* One registered application for the whole program, as in a session. */
static MwApplication *application;

static MwComposeWindow *
find_compose (void)
{
  g_autoptr (GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (MW_IS_COMPOSE_WINDOW (l->data))
      return l->data;
  return NULL;
}

static gboolean
has_account (gpointer data)
{
  return mw_window_get_has_account (data);
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  mw_application_set_demo (application, TRUE);
  g_application_activate (G_APPLICATION (application));
  fixture->window = MW_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (application)));
  g_assert_nonnull (fixture->window);
  g_assert_true (app_test_wait (has_account, fixture->window, 30));
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
destroy (gpointer window)
{
  g_object_add_weak_pointer (window, &window);
  gtk_window_destroy (window);
  g_assert_true (app_test_wait (is_null, &window, 10));
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  MwComposeWindow *compose;

  while ((compose = find_compose ()) != NULL)
    destroy (compose);
  destroy (fixture->window);
  mw_application_set_demo (application, FALSE);
}

static void
open_uri (const char *uri)
{
  g_autoptr (GFile) file = g_file_new_for_uri (uri);

  g_application_open (G_APPLICATION (application), &file, 1, "");
}

/* The entry whose mnemonic label reads @label ("_Cc"). */
static const char *
entry_text (GtkWidget  *root,
            const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *text;

      if (GTK_IS_ENTRY (child))
        {
          g_autoptr (GList) labels = gtk_widget_list_mnemonic_labels (child);

          for (GList *l = labels; l != NULL; l = l->next)
            if (g_strcmp0 (gtk_label_get_label (l->data), label) == 0)
              return gtk_editable_get_text (GTK_EDITABLE (child));
        }
      if ((text = entry_text (child, label)) != NULL)
        return text;
    }
  return NULL;
}

static char *
body_text (GtkWidget *root)
{
  GtkTextView   *view = GTK_TEXT_VIEW (app_test_find (root, GTK_TYPE_TEXT_VIEW, NULL, NULL));
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter    start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
test_prefill (Fixture      *fixture,
              gconstpointer data)
{
  MwComposeWindow *compose;
  GtkWidget       *root;
  g_autofree char *body = NULL;

  open_uri ("mailto:alice@example.org,bob@example.org"
            "?cc=carol@example.org&bcc=dave@example.org"
            "&subject=Gr%C3%BC%C3%9Fe%20aus%20Berlin&body=Line%201%0D%0ALine%202"
            "&from=mallory@example.org");
  compose = find_compose ();
  g_assert_nonnull (compose);
  root = GTK_WIDGET (compose);

  g_assert_cmpstr (entry_text (root, "_To"), ==, "alice@example.org, bob@example.org");
  g_assert_cmpstr (entry_text (root, "_Cc"), ==, "carol@example.org");
  g_assert_cmpstr (entry_text (root, "_Bcc"), ==, "dave@example.org");
  g_assert_cmpstr (entry_text (root, "_Subject"), ==, "Grüße aus Berlin");
  body = body_text (root);
  g_assert_cmpstr (body, ==, "Line 1\nLine 2");
  /* The sender is never taken from a link. */
  g_assert_null (app_test_find (root, GTK_TYPE_LABEL, NULL, "mallory"));
}

static gboolean
has_compose (gpointer data)
{
  return find_compose () != NULL;
}

/* Started by a link: the window is new and its account still loading. */
static void
test_before_account (void)
{
  MwWindow *window;

  mw_application_set_demo (application, TRUE);
  open_uri ("mailto:alice@example.org?subject=Hello");
  window = MW_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (application)));
  g_assert_nonnull (window);
  g_assert_false (mw_window_get_has_account (window));
  g_assert_null (find_compose ());

  g_assert_true (app_test_wait (has_compose, NULL, 30));
  g_assert_cmpstr (entry_text (GTK_WIDGET (find_compose ()), "_To"), ==, "alice@example.org");
  g_assert_cmpstr (entry_text (GTK_WIDGET (find_compose ()), "_Subject"), ==, "Hello");

  destroy (find_compose ());
  destroy (window);
  mw_application_set_demo (application, FALSE);
}

typedef struct
{
  GtkWidget  *root;
  const char *text;
} Find;

static gboolean
found_label (gpointer data)
{
  Find *find = data;

  return app_test_find (find->root, GTK_TYPE_LABEL, NULL, find->text) != NULL;
}

static void
test_rejected (Fixture      *fixture,
               gconstpointer data)
{
  const char *uri = data;
  Find        find = { GTK_WIDGET (fixture->window), "Could not write to this address" };

  open_uri (uri);
  g_assert_null (find_compose ());
  /* The toast names the problem. */
  g_assert_true (app_test_wait (found_label, &find, 10));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();

  application = g_object_new (MW_TYPE_APPLICATION,
                              "application-id", APP_ID ".Test",
                              "flags", G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN,
                              NULL);
  g_application_register (G_APPLICATION (application), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/app/mailto/before-account", test_before_account);
  g_test_add ("/app/mailto/prefill", Fixture, NULL,
              fixture_set_up, test_prefill, fixture_tear_down);
  /* A line break in a header field could add a header of its own. */
  g_test_add ("/app/mailto/header-injection", Fixture,
              "mailto:alice@example.org?subject=Hi%0D%0ABcc:%20eve@example.org",
              fixture_set_up, test_rejected, fixture_tear_down);
  g_test_add ("/app/mailto/bad-escape", Fixture, "mailto:alice@example.org?subject=100%",
              fixture_set_up, test_rejected, fixture_tear_down);
  g_test_add ("/app/mailto/not-mailto", Fixture, "https://example.org/",
              fixture_set_up, test_rejected, fixture_tear_down);

  ret = g_test_run ();
  g_clear_object (&application);
  return ret;
}
