/* app-test-utils.c: driving widgets in tests
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "app-test-utils.h"
#include "mw-account-store.h"

#include <string.h>

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
app_test_wait (AppTestCondition condition,
               gpointer         data,
               guint            seconds)
{
  gint64   deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  guint    tick = g_timeout_add (20, tick_cb, NULL);
  gboolean held;

  /* The tick wakes the loop so the deadline is seen without sleeping. */
  while (!(held = condition (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  return held;
}

static const char *
widget_text (GtkWidget *widget)
{
  if (GTK_IS_INSCRIPTION (widget))
    return gtk_inscription_get_text (GTK_INSCRIPTION (widget));
  if (GTK_IS_LABEL (widget))
    return gtk_label_get_label (GTK_LABEL (widget));
  return NULL;
}

static gboolean
has_text (GtkWidget  *widget,
          const char *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *t = widget_text (child);

      if ((t != NULL && strstr (t, text) != NULL) || has_text (child, text))
        return TRUE;
    }
  return FALSE;
}

GtkWidget *
app_test_find (GtkWidget         *root,
               GType              type,
               const char *const *classes,
               const char        *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;
      gboolean   match = G_TYPE_CHECK_INSTANCE_TYPE (child, type);

      for (size_t i = 0; match && classes != NULL && classes[i] != NULL; i++)
        match = gtk_widget_has_css_class (child, classes[i]);
      if (match && text != NULL)
        {
          const char *t = widget_text (child);

          match = (t != NULL && strstr (t, text) != NULL) || has_text (child, text);
        }
      if (match)
        return child;
      found = app_test_find (child, type, classes, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

const char *
app_test_child_text (GtkWidget  *root,
                     const char *klass)
{
  const char *classes[] = { klass, NULL };
  GtkWidget  *widget = app_test_find (root, GTK_TYPE_WIDGET, classes, NULL);

  return widget != NULL ? widget_text (widget) : NULL;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static gboolean
is_three (gpointer data)
{
  return *(guint *) data == 3;
}

static void
account_saved_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (mw_account_store_save_finish (MW_ACCOUNT_STORE (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
password_stored_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (mw_account_store_store_password_finish (MW_ACCOUNT_STORE (object), result, &error));
  g_assert_no_error (error);
  (*(guint *) user_data)++;
}

void
app_test_store_account (MwAccount  *account,
                        const char *password)
{
  g_autoptr (MwAccountStore) store = mw_account_store_new (NULL);
  guint    done = 1;
  gboolean saved = FALSE;

  g_assert_true (mw_account_store_add (store, account, NULL));
  mw_account_store_save_async (store, NULL, account_saved_cb, &saved);
  g_assert_true (app_test_wait (is_true, &saved, 10));
  mw_account_store_store_password_async (store, account, MW_PROTOCOL_POP3, password, NULL,
                                         password_stored_cb, &done);
  mw_account_store_store_password_async (store, account, MW_PROTOCOL_SMTP, password, NULL,
                                         password_stored_cb, &done);
  g_assert_true (app_test_wait (is_three, &done, 20));
}

MwApplication *
app_test_application_new (const char *suffix)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *id = g_strconcat (APP_ID, suffix, NULL);
  MwApplication   *application;

  application = g_object_new (MW_TYPE_APPLICATION,
                              "application-id", id,
                              "flags", G_APPLICATION_NON_UNIQUE,
                              NULL);
  g_application_register (G_APPLICATION (application), NULL, &error);
  g_assert_no_error (error);
  return application;
}
