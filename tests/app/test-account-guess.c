/* test-account-guess.c: the accounts dialog fills in servers from the address
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "app-test-utils.h"
#include "mw-account-dialog.h"
#include "mw-connection.h"
#include "mw-fake-resolver.h"

#include <adwaita.h>

typedef struct
{
  GPtrArray *rows;
  gpointer   address;
  gpointer   host[2];
  gpointer   port[2];
  gpointer   security[2];
} Rows;

static void
collect_rows (GtkWidget *root,
              GPtrArray *out)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (ADW_IS_PREFERENCES_ROW (child))
        g_ptr_array_add (out, child);
      collect_rows (child, out);
    }
}

static gpointer
row (GPtrArray  *rows,
     const char *title,
     guint       nth)
{
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (rows->pdata[i]), title) == 0 && nth-- == 0)
      return rows->pdata[i];
  g_assert_not_reached ();
}

typedef struct
{
  Rows       *rows;
  guint       side;
  const char *host;
  const char *port;
  MwSecurity  security;
} Expect;

static gboolean
side_is (gpointer data)
{
  Expect *e = data;

  return g_strcmp0 (gtk_editable_get_text (e->rows->host[e->side]), e->host) == 0 &&
         g_strcmp0 (gtk_editable_get_text (e->rows->port[e->side]), e->port) == 0 &&
         adw_combo_row_get_selected (e->rows->security[e->side]) == (guint) e->security;
}

static void
expect (Rows       *rows,
        guint       side,
        const char *host,
        const char *port,
        MwSecurity  security)
{
  Expect e = { rows, side, host, port, security };

  if (!app_test_wait (side_is, &e, 30))
    g_error ("%s: expected %s:%s/%d, found %s:%s/%u", side == 0 ? "POP3" : "SMTP", host, port, security,
             gtk_editable_get_text (rows->host[side]), gtk_editable_get_text (rows->port[side]),
             adw_combo_row_get_selected (rows->security[side]));
}

static gboolean
queried (gpointer data)
{
  gpointer          *args = data;
  const char *const *queries = mw_fake_resolver_get_queries (args[0]);

  return g_strv_contains (queries, args[1]);
}

static void
test_fill (void)
{
  g_autoptr (MwFakeResolver) resolver = mw_fake_resolver_new ();
  g_autoptr (GResolver) saved = g_resolver_get_default ();
  g_autoptr (MwAccountStore) store = mw_account_store_new (NULL);
  g_autoptr (GPtrArray) all = g_ptr_array_new ();
  GtkWindow *dialog;
  Rows       rows = { all };
  gpointer   args[2] = { resolver, "_submission._tcp.example.net" };

  /* example.org offers POP3 with STARTTLS only, submission with TLS. */
  mw_fake_resolver_add_srv (resolver, "_pop3s._tcp.example.org", ".", 0, 0, 0);
  mw_fake_resolver_add_srv (resolver, "_pop3._tcp.example.org", "mail.example.org", 110, 0, 0);
  mw_fake_resolver_add_srv (resolver, "_submissions._tcp.example.org", "out.example.org", 465, 0, 0);
  /* relay.example.com is the submission server of its domain, on 2587. */
  mw_fake_resolver_add_srv (resolver, "_submission._tcp.example.com", "relay.example.com", 2587, 0, 0);
  g_resolver_set_default (G_RESOLVER (resolver));

  dialog = GTK_WINDOW (mw_account_dialog_new (NULL, store, NULL, NULL));
  gtk_window_present (dialog);
  collect_rows (GTK_WIDGET (dialog), all);
  rows.address = row (all, "Email Address", 0);
  for (guint i = 0; i < 2; i++)
    {
      rows.host[i] = row (all, "Server", i);
      rows.port[i] = row (all, "Port", i);
      rows.security[i] = row (all, "Security", i);
    }

  /* Typing an address fills both servers from the domain's records. */
  gtk_editable_set_text (rows.address, "ada@exam");
  gtk_editable_set_text (rows.address, "ada@example.org");
  expect (&rows, 0, "mail.example.org", "110", MW_SECURITY_STARTTLS);
  expect (&rows, 1, "out.example.org", "465", MW_SECURITY_TLS);

  /* A port set by hand stays; the rest follows the new domain, which has
   * no records: the well-known names. */
  gtk_editable_set_text (rows.port[0], "10110");
  gtk_editable_set_text (rows.address, "ada@example.net");
  g_assert_true (app_test_wait (queried, args, 30));
  expect (&rows, 1, "smtp.example.net", "465", MW_SECURITY_TLS);
  expect (&rows, 0, "pop.example.net", "10110", MW_SECURITY_STARTTLS);

  /* A server typed by hand: its port and security from its domain's
   * record, and it stays when the address changes. */
  gtk_editable_set_text (rows.host[1], "relay.example.com");
  expect (&rows, 1, "relay.example.com", "2587", MW_SECURITY_STARTTLS);
  gtk_editable_set_text (rows.address, "ada@example.org");
  expect (&rows, 0, "mail.example.org", "10110", MW_SECURITY_STARTTLS);
  expect (&rows, 1, "relay.example.com", "2587", MW_SECURITY_STARTTLS);

  gtk_window_destroy (dialog);
  g_resolver_set_default (saved);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();

  g_test_add_func ("/app/account-guess/fill", test_fill);

  return g_test_run ();
}
