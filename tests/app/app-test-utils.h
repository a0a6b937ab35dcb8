/* app-test-utils.h: driving widgets in tests
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "mw-account.h"
#include "mw-application.h"

G_BEGIN_DECLS

typedef gboolean (*AppTestCondition) (gpointer data);

/* Iterates the main context until @condition holds or @seconds pass;
 * returns whether it held. */
gboolean app_test_wait (AppTestCondition condition,
                        gpointer         data,
                        guint            seconds);

/* The first descendant of @root (depth first) of @type, with every CSS
 * class in @classes (NULL-terminated, may be NULL) and, for labels and
 * inscriptions, containing @text (may be NULL). */
GtkWidget *app_test_find (GtkWidget         *root,
                          GType              type,
                          const char *const *classes,
                          const char        *text);

/* The text of the first GtkInscription or GtkLabel under @root with the
 * CSS class @klass. */
const char *app_test_child_text (GtkWidget  *root,
                                 const char *klass);

/* A registered application, not unique, whose ID is APP_ID + @suffix
 * (".Test"): one per test program, as in a session. */
MwApplication *app_test_application_new (const char *suffix);

/* Adds @account to the stored accounts, with @password for POP3 and
 * SMTP in the keyring, and waits until both are saved. */
void app_test_store_account (MwAccount  *account,
                             const char *password);

G_END_DECLS
