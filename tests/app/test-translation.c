/* test-translation.c: the window speaks the user's language
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "app-test-utils.h"
#include "mw-application.h"
#include "mw-log-view.h"
#include "mw-window.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>

/* One registered application for the whole program, as in a session. */
static MwApplication *application;

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
test_window (void)
{
  MwWindow *window = mw_window_new (application);
  gpointer  weak = window;

  gtk_window_present (GTK_WINDOW (window));
  mw_window_set_log_visible (window, TRUE);

  /* The sidebar and the log pane's title come from the .ui files. */
  g_assert_nonnull (app_test_find (GTK_WIDGET (window), GTK_TYPE_LABEL, NULL, "Heruntergeladen"));
  g_assert_null (app_test_find (GTK_WIDGET (window), GTK_TYPE_LABEL, NULL, "Downloaded"));
  g_assert_nonnull (app_test_find (GTK_WIDGET (mw_window_get_log_view (window)), GTK_TYPE_LABEL, NULL,
                                   "Protokollmitschnitt"));

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (app_test_wait (is_null, &weak, 10));
}

static void
test_code (void)
{
  /* Strings from C, with German plural forms (nplurals=2). */
  g_assert_cmpstr (_ ("No account is set up yet"), ==, "Es ist noch kein Konto eingerichtet");
  g_assert_cmpstr (ngettext ("%u line", "%u lines", 1), ==, "%u Zeile");
  g_assert_cmpstr (ngettext ("%u line", "%u lines", 2), ==, "%u Zeilen");
  /* Protocol keywords stay as they are. */
  g_assert_cmpstr (_ ("STARTTLS"), ==, "STARTTLS");
}

static void
test_about_credits (void)
{
  GtkWindow       *about = mw_application_new_about_window (application);
  g_autofree char *credits = NULL;

  /* The About window names the German translators. */
  g_assert_true (ADW_IS_ABOUT_WINDOW (about));
  g_object_get (about, "translator-credits", &credits, NULL);
  g_assert_cmpstr (credits, ==, _ ("translator-credits"));
  g_assert_cmpstr (credits, !=, "translator-credits");
  g_assert_cmpstr (credits, !=, "");
  gtk_window_destroy (about);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* German through LANGUAGE over the C.UTF-8 locale, which every system
   * has: no German locale needs to be generated. */
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "de", TRUE);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();

  /* The catalogues the build just compiled, not installed ones. */
  bindtextdomain (GETTEXT_PACKAGE, MW_BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  application = app_test_application_new (".Test");

  g_test_add_func ("/app/translation/window", test_window);
  g_test_add_func ("/app/translation/code", test_code);
  g_test_add_func ("/app/translation/about-credits", test_about_credits);

  ret = g_test_run ();
  g_clear_object (&application);
  return ret;
}
