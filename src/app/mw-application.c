/* mw-application.c: the Mailwire application
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "mw-app-resources.h"
#include "mw-application.h"
#include "mw-compose-window.h"
#include "mw-mail-checker.h"
#include "mw-mailto.h"
#include "mw-window.h"

struct _MwApplication
{
  AdwApplication parent_instance;

  gboolean demo;
  /* mailto: links (MwMailto) waiting for the window's account. */
  GPtrArray *pending_mailtos;
  /* Opens help: and web links; replaced in tests. */
  MwUriLauncher uri_launcher;
  gpointer      uri_launcher_data;
  /* Every account's outbox, alive while the application runs. */
  MwSendQueue *send_queue;
  /* Background checks for new mail. */
  MwMailChecker *checker;
  GSettings     *settings;
  gboolean       held; /* running in the background */
};

G_DEFINE_FINAL_TYPE (MwApplication, mw_application, ADW_TYPE_APPLICATION)

enum
{
  PROP_0,
  PROP_DEMO,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static const GOptionEntry option_entries[] = {
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_ ("Run against the built-in demo server"), NULL },
  { NULL }
};

void
mw_application_ensure_resources (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      mw_app_register_resource ();
      g_once_init_leave (&registered, 1);
    }
}

MwSendQueue *
mw_application_get_send_queue (MwApplication *self)
{
  g_return_val_if_fail (MW_IS_APPLICATION (self), NULL);

  if (self->send_queue == NULL)
    self->send_queue = mw_send_queue_new ();
  return self->send_queue;
}

MwMailChecker *
mw_application_get_mail_checker (MwApplication *self)
{
  g_return_val_if_fail (MW_IS_APPLICATION (self), NULL);

  if (self->checker == NULL)
    self->checker = mw_mail_checker_new (G_APPLICATION (self));
  return self->checker;
}

void
mw_application_set_accounts (MwApplication  *self,
                             MwAccountStore *accounts)
{
  g_return_if_fail (MW_IS_APPLICATION (self));
  g_return_if_fail (MW_IS_ACCOUNT_STORE (accounts));

  mw_send_queue_set_accounts (mw_application_get_send_queue (self), accounts);
  mw_mail_checker_set_accounts (mw_application_get_mail_checker (self), accounts);
}

MwApplication *
mw_application_new (void)
{
  return g_object_new (MW_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       NULL);
}

gboolean
mw_application_get_demo (MwApplication *self)
{
  g_return_val_if_fail (MW_IS_APPLICATION (self), FALSE);
  return self->demo;
}

void
mw_application_set_demo (MwApplication *self,
                         gboolean       demo)
{
  g_return_if_fail (MW_IS_APPLICATION (self));

  demo = !!demo;
  if (self->demo == demo)
    return;
  self->demo = demo;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEMO]);
}

static MwWindow *
get_window (MwApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (MW_IS_WINDOW (window))
    return MW_WINDOW (window);
  return NULL;
}

static void
forward_to_window (MwApplication *self,
                   const char    *action)
{
  MwWindow *window = get_window (self);

  if (window == NULL)
    {
      g_application_activate (G_APPLICATION (self));
      window = get_window (self);
    }
  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), action, NULL);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  MwApplication *self = user_data;
  GList         *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Closing the windows lets each end its sessions politely (QUIT). */
  while (windows != NULL)
    {
      GList *next = windows->next;

      gtk_window_close (windows->data);
      windows = next;
    }
}

static void
compose_activated (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  forward_to_window (user_data, "win.compose");
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  forward_to_window (user_data, "win.accounts");
}

static void
shortcuts_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  MwApplication *self = user_data;
  g_autoptr (GtkBuilder) builder = NULL;
  GtkWindow *shortcuts;

  builder = gtk_builder_new_from_resource ("/io/github/mailwire/Mailwire/ui/mw-shortcuts-window.ui");
  shortcuts = GTK_WINDOW (gtk_builder_get_object (builder, "shortcuts_window"));
  gtk_window_set_transient_for (shortcuts, GTK_WINDOW (get_window (self)));
  gtk_window_present (shortcuts);
}

GtkWindow *
mw_application_new_about_window (MwApplication *self)
{
  const char *developers[] = { "The Mailwire authors", NULL };

  g_return_val_if_fail (MW_IS_APPLICATION (self), NULL);

  return g_object_new (ADW_TYPE_ABOUT_WINDOW,
                       "transient-for", get_window (self),
                       "application-icon", APP_ID,
                       "application-name", _ ("Mailwire"),
                       "developer-name", _ ("The Mailwire authors"),
                       "version", PACKAGE_VERSION,
                       "comments", _ ("Read, download and send mail while "
                                      "watching the protocol exchange."),
                       "website", "https://github.com/mailwire/mailwire",
                       "issue-url", "https://github.com/mailwire/mailwire/issues",
                       "license-type", GTK_LICENSE_GPL_3_0,
                       "copyright", "© 2026 The Mailwire authors",
                       "developers", developers,
                       /* Translators: your names, one per line. */
                       "translator-credits", _ ("translator-credits"),
                       NULL);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  gtk_window_present (mw_application_new_about_window (user_data));
}

static void
show_uri (GtkWindow  *parent,
          const char *uri,
          gpointer    user_data)
{
  gtk_show_uri (parent, uri, GDK_CURRENT_TIME);
}

void
mw_application_set_uri_launcher (MwApplication *self,
                                 MwUriLauncher  launcher,
                                 gpointer       user_data)
{
  g_return_if_fail (MW_IS_APPLICATION (self));

  self->uri_launcher = launcher != NULL ? launcher : show_uri;
  self->uri_launcher_data = launcher != NULL ? user_data : NULL;
}

static void
help_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  MwApplication *self = user_data;

  /* The Mallard guide in help/, installed for Yelp. */
  self->uri_launcher (GTK_WINDOW (get_window (self)), "help:mailwire", self->uri_launcher_data);
}

static void
show_account_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  MwApplication *self = user_data;
  MwWindow      *window = get_window (self);

  if (window == NULL)
    {
      g_application_activate (G_APPLICATION (self));
      window = get_window (self);
    }
  if (window == NULL)
    return;
  mw_window_show_account (window, g_variant_get_string (parameter, NULL));
  gtk_window_present (GTK_WINDOW (window));
}

/* Running in the background: the application stays when its last window
 * closes, so that the checks and the outbox go on. */
static void
background_changed_cb (MwApplication *self)
{
  gboolean background = self->settings != NULL &&
                        g_settings_get_boolean (self->settings, "run-in-background");

  if (background && !self->held)
    g_application_hold (G_APPLICATION (self));
  else if (!background && self->held)
    g_application_release (G_APPLICATION (self));
  self->held = background;
}

static const GActionEntry app_actions[] = {
  { "show-account", show_account_activated, "s" },
  { "quit", quit_activated },
  { "compose", compose_activated },
  { "preferences", preferences_activated },
  { "shortcuts", shortcuts_activated },
  { "about", about_activated },
  { "help", help_activated },
};

static const struct
{
  const char *action;
  const char *accels[3];
} app_accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "app.compose", { "<Control>n", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  { "app.shortcuts", { "<Control>question", NULL } },
  { "app.help", { "F1", NULL } },
  { "win.get-mail", { "F5", "<Control>r", NULL } },
  { "win.download-new", { "<Control><Shift>r", NULL } },
  { "win.toggle-log", { "<Control>l", NULL } },
  { "win.search", { "<Control>f", NULL } },
  { "win.delete", { "Delete", NULL } },
  { "win.open", { "<Control>o", NULL } },
  { "window.close", { "<Control>w", NULL } },
};

static void
mw_application_startup (GApplication *app)
{
  MwApplication *self = MW_APPLICATION (app);

  G_APPLICATION_CLASS (mw_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  for (size_t i = 0; i < G_N_ELEMENTS (app_accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                           app_accels[i].action,
                                           app_accels[i].accels);

  {
    GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
    g_autoptr (GSettingsSchema) schema = source != NULL ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;

    /* Running from the build tree without the schema: no preference. */
    if (schema != NULL && g_settings_schema_has_key (schema, "run-in-background"))
      {
        g_autoptr (GAction) background = NULL;

        self->settings = g_settings_new_full (schema, NULL, NULL);
        background = g_settings_create_action (self->settings, "run-in-background");
        g_action_map_add_action (G_ACTION_MAP (self), background);
        g_signal_connect_object (self->settings, "changed::run-in-background",
                                 G_CALLBACK (background_changed_cb), self, G_CONNECT_SWAPPED);
        background_changed_cb (self);
      }
  }
}

static void
mw_application_activate (GApplication *app)
{
  MwApplication *self = MW_APPLICATION (app);
  MwWindow      *window = get_window (self);

  if (window == NULL)
    window = mw_window_new (self);
  gtk_window_present (GTK_WINDOW (window));
}

/* The compose window that win.compose opened: the one toplevel that was
 * not there before. */
static MwComposeWindow *
compose (MwWindow *window)
{
  g_autoptr (GList) before = gtk_window_list_toplevels ();
  g_autoptr (GList) after = NULL;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.compose", NULL);
  after = gtk_window_list_toplevels ();
  for (GList *l = after; l != NULL; l = l->next)
    if (MW_IS_COMPOSE_WINDOW (l->data) && g_list_find (before, l->data) == NULL)
      return l->data;
  return NULL;
}

static void
compose_mailto (MwWindow       *window,
                const MwMailto *mailto)
{
  g_autofree char *to = NULL;
  g_autofree char *cc = NULL;
  g_autofree char *bcc = NULL;
  MwComposeWindow *compose_window;

  /* Without an SMTP server the window says so itself. */
  compose_window = compose (window);
  if (compose_window == NULL)
    return;

  to = g_strjoinv (", ", mailto->to);
  cc = g_strjoinv (", ", mailto->cc);
  bcc = g_strjoinv (", ", mailto->bcc);
  mw_compose_window_set_to (compose_window, to);
  mw_compose_window_set_cc (compose_window, cc);
  mw_compose_window_set_bcc (compose_window, bcc);
  if (mailto->subject != NULL)
    mw_compose_window_set_subject (compose_window, mailto->subject);
  if (mailto->body != NULL)
    mw_compose_window_set_body (compose_window, mailto->body);
}

static void
has_account_cb (MwWindow      *window,
                GParamSpec    *pspec,
                MwApplication *self)
{
  g_autoptr (GPtrArray) pending = g_steal_pointer (&self->pending_mailtos);

  if (!mw_window_get_has_account (window))
    {
      self->pending_mailtos = g_steal_pointer (&pending);
      return;
    }

  g_signal_handlers_disconnect_by_func (window, has_account_cb, self);
  for (guint i = 0; pending != NULL && i < pending->len; i++)
    compose_mailto (window, pending->pdata[i]);
}

static void
open_mailto (MwApplication *self,
             MwWindow      *window,
             const char    *uri)
{
  g_autoptr (MwMailto) mailto = NULL;
  g_autoptr (GError) error = NULL;

  mailto = mw_mailto_parse (uri, &error);
  if (mailto == NULL)
    {
      g_autofree char *text = NULL;

      /* Translators: %s says what is wrong with the link. */
      text = g_strdup_printf (_ ("Could not write to this address: %s"), error->message);
      mw_window_toast (window, text);
      return;
    }

  if (mw_window_get_has_account (window))
    {
      compose_mailto (window, mailto);
      return;
    }

  /* At startup the account is still being read (its password comes from
   * the Secret Service): the link waits for it. */
  if (self->pending_mailtos == NULL)
    {
      self->pending_mailtos = g_ptr_array_new_with_free_func ((GDestroyNotify) mw_mailto_free);
      g_signal_connect_object (window, "notify::has-account", G_CALLBACK (has_account_cb), self,
                               G_CONNECT_DEFAULT);
    }
  g_ptr_array_add (self->pending_mailtos, g_steal_pointer (&mailto));
}

/* `mailwire mailto:…`, from the desktop file's %u, here or forwarded from
 * a second instance. */
static void
mw_application_open (GApplication *app,
                     GFile       **files,
                     int           n_files,
                     const char   *hint)
{
  MwApplication *self = MW_APPLICATION (app);
  MwWindow      *window;

  g_application_activate (app);
  window = get_window (self);
  if (window == NULL)
    return;

  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *uri = g_file_get_uri (files[i]);

      open_mailto (self, window, uri);
    }
}

static int
mw_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  MwApplication *self = MW_APPLICATION (app);

  if (g_variant_dict_contains (options, "demo"))
    mw_application_set_demo (self, TRUE);
  return -1;
}

static void
mw_application_constructed (GObject *object)
{
  G_OBJECT_CLASS (mw_application_parent_class)->constructed (object);

  /* Whatever the ID (tests use their own), the style comes from the
   * app's resources. */
  g_application_set_resource_base_path (G_APPLICATION (object), "/io/github/mailwire/Mailwire");
}

static void
mw_application_finalize (GObject *object)
{
  MwApplication *self = MW_APPLICATION (object);

  g_clear_pointer (&self->pending_mailtos, g_ptr_array_unref);
  g_clear_object (&self->send_queue);
  g_clear_object (&self->checker);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (mw_application_parent_class)->finalize (object);
}

static void
mw_application_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  MwApplication *self = MW_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DEMO:
      g_value_set_boolean (value, self->demo);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_application_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  MwApplication *self = MW_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DEMO:
      mw_application_set_demo (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_application_class_init (MwApplicationClass *klass)
{
  GObjectClass      *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  mw_application_ensure_resources ();

  object_class->constructed = mw_application_constructed;
  object_class->finalize = mw_application_finalize;
  object_class->get_property = mw_application_get_property;
  object_class->set_property = mw_application_set_property;

  app_class->startup = mw_application_startup;
  app_class->activate = mw_application_activate;
  app_class->open = mw_application_open;
  app_class->handle_local_options = mw_application_handle_local_options;

  properties[PROP_DEMO] =
    g_param_spec_boolean ("demo", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mw_application_init (MwApplication *self)
{
  self->uri_launcher = show_uri;
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _ ("A mail client that shows its work"));
}
