/* test-accessibility.c: every control has a name a screen reader can say
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "app-test-utils.h"
#include "mw-account-dialog.h"
#include "mw-application.h"
#include "mw-compose-window.h"
#include "mw-window.h"

#include <adwaita.h>

/* One registered application for the whole program, as in a session. */
static MwApplication *application;

/* The controls a user reaches with the keyboard or a pointer. */
static gboolean
is_interactive (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_ENTRY (widget) ||
         GTK_IS_TEXT (widget) || GTK_IS_SEARCH_ENTRY (widget) ||
         GTK_IS_PASSWORD_ENTRY (widget) || GTK_IS_TEXT_VIEW (widget) ||
         GTK_IS_DROP_DOWN (widget) || GTK_IS_CHECK_BUTTON (widget) || GTK_IS_SWITCH (widget) ||
         GTK_IS_SPIN_BUTTON (widget) || GTK_IS_SCALE (widget);
}

static gboolean
has_visible_label (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_visible (child))
        continue;
      if (GTK_IS_LABEL (child) && *gtk_label_get_text (GTK_LABEL (child)) != '\0')
        return TRUE;
      if (has_visible_label (child))
        return TRUE;
    }
  return FALSE;
}

/* The name comes from the label property, the control's own visible text
 * or a labelled-by relation (a mnemonic label sets one). A button always
 * points labelled-by at its child, even when that is only an icon, and
 * the relation's targets cannot be read back here, so for buttons only
 * the label property or visible text count. A tooltip does not count:
 * GTK makes it the description, which screen readers say after the name
 * or not at all, so an icon button with only a tooltip is announced as a
 * bare "button". */
static gboolean
has_name (GtkWidget *widget)
{
  GtkAccessible *accessible = GTK_ACCESSIBLE (widget);

  if (gtk_test_accessible_has_property (accessible, GTK_ACCESSIBLE_PROPERTY_LABEL))
    return TRUE;
  if (GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget))
    return has_visible_label (widget);
  return gtk_test_accessible_has_relation (accessible, GTK_ACCESSIBLE_RELATION_LABELLED_BY);
}

static void
describe (GString   *path,
          GtkWidget *widget)
{
  const char *id = gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget));

  if (path->len > 0)
    g_string_append (path, " > ");
  g_string_append (path, G_OBJECT_TYPE_NAME (widget));
  if (id != NULL)
    g_string_append_printf (path, "#%s", id);
}

static void
walk (GtkWidget *widget,
      GString   *path,
      GPtrArray *offenders)
{
  gsize len = path->len;

  /* What is hidden cannot be reached. */
  if (!gtk_widget_get_visible (widget))
    return;

  describe (path, widget);
  /* List rows are exempt: the list view itself carries the name. */
  if (GTK_IS_LIST_VIEW (widget) || GTK_IS_COLUMN_VIEW (widget))
    goto out;
  /* An entry row is checked through its text; its other parts (apply and
   * show-text buttons) are libadwaita's own, as is a search bar's close
   * button, and no .ui can reach them. */
  if (ADW_IS_ENTRY_ROW (widget))
    {
      GtkWidget *text = GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (widget)));

      if (!has_name (text))
        g_ptr_array_add (offenders, g_strdup_printf ("%s > GtkText", path->str));
      goto out;
    }
  if (GTK_IS_SEARCH_BAR (widget))
    {
      walk (gtk_search_bar_get_child (GTK_SEARCH_BAR (widget)), path, offenders);
      goto out;
    }
  if (is_interactive (widget))
    {
      if (!has_name (widget))
        g_ptr_array_add (offenders, g_strdup (path->str));
      /* Its parts (an entry's text, a drop-down's button) speak for it. */
      goto out;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    walk (child, path, offenders);

out:
  g_string_truncate (path, len);
}

static void
assert_all_named (GtkWidget *root)
{
  g_autoptr (GPtrArray) offenders = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) path = g_string_new (NULL);

  walk (root, path, offenders);
  if (offenders->len > 0)
    {
      g_autoptr (GString) list = g_string_new (NULL);

      for (guint i = 0; i < offenders->len; i++)
        g_string_append_printf (list, "\n  %s", (char *) offenders->pdata[i]);
      g_test_message ("Controls without an accessible name:%s", list->str);
      g_test_fail_printf ("%u controls without an accessible name:%s", offenders->len, list->str);
    }
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

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static GtkWindow *
find_toplevel (GType type)
{
  g_autoptr (GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type))
      return l->data;
  return NULL;
}

static void
test_window (void)
{
  MwWindow *window = mw_window_new (application);

  gtk_window_present (GTK_WINDOW (window));
  mw_window_set_log_visible (window, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL));
  g_assert_true (app_test_wait (is_mapped, mw_window_get_log_view (window), 10));

  assert_all_named (GTK_WIDGET (window));
  destroy (window);
}

static void
test_compose (void)
{
  g_autoptr (MwOutbox) outbox = mw_outbox_new ("a11y");
  MwComposeWindow *compose = mw_compose_window_new (NULL, "ada@example.org", outbox);

  gtk_window_present (GTK_WINDOW (compose));
  g_assert_true (app_test_wait (is_mapped, compose, 10));

  assert_all_named (GTK_WIDGET (compose));
  destroy (compose);
}

static void
test_account_dialog (void)
{
  MwWindow  *window = mw_window_new (application);
  GtkWindow *dialog;

  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.accounts", NULL);
  dialog = find_toplevel (MW_TYPE_ACCOUNT_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_true (app_test_wait (is_mapped, dialog, 10));

  assert_all_named (GTK_WIDGET (dialog));
  destroy (dialog);
  destroy (window);
}

/* Whether @widget or an ancestor was built with the ID @id. */
static gboolean
is_inside (GtkWidget  *widget,
           const char *id)
{
  for (; widget != NULL; widget = gtk_widget_get_parent (widget))
    if (g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)), id) == 0)
      return TRUE;
  return FALSE;
}

/* Tab alone reaches the folders, the message list, the reader and the
 * log pane (F6 moves between the panes: GtkPaned binds it). */
static void
test_tab_chain (void)
{
  MwWindow   *window = mw_window_new (application);
  GtkWidget  *log_view = GTK_WIDGET (mw_window_get_log_view (window));
  const char *areas[] = { "folder_list", "list_stack", "reader_stack", "log_view" };
  gboolean    reached[G_N_ELEMENTS (areas)] = { FALSE };

  gtk_window_present (GTK_WINDOW (window));
  mw_window_set_log_visible (window, TRUE);
  g_assert_true (app_test_wait (is_mapped, log_view, 10));

  for (guint i = 0; i < 60; i++)
    {
      GtkWidget *focus;

      /* At the end of the chain, focus leaves the window and comes back
       * to its start on the next Tab. */
      if (!gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD))
        continue;
      focus = gtk_root_get_focus (GTK_ROOT (window));
      for (guint a = 0; a < G_N_ELEMENTS (areas); a++)
        reached[a] = reached[a] || is_inside (focus, areas[a]);
    }

  for (guint a = 0; a < G_N_ELEMENTS (areas); a++)
    if (!reached[a])
      g_test_fail_printf ("Tab never reaches %s", areas[a]);
  destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();

  application = app_test_application_new (".Test");

  g_test_add_func ("/app/accessibility/window", test_window);
  g_test_add_func ("/app/accessibility/tab-chain", test_tab_chain);
  g_test_add_func ("/app/accessibility/compose", test_compose);
  g_test_add_func ("/app/accessibility/account-dialog", test_account_dialog);

  ret = g_test_run ();
  g_clear_object (&application);
  return ret;
}
