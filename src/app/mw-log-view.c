/* mw-log-view.c: the protocol log pane and its console
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-log-view.h"
#include "mw-application.h"
#include "mw-transcript-export.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <inttypes.h>

struct _MwLogView
{
  GtkWidget parent_instance;

  MwTranscript *transcript;
  GCancellable *cancellable;
  gulong        items_changed_id;
  guint         scroll_id;
  gboolean      following;
  double        last_value;
  double        last_upper;

  GtkListView        *list_view;
  GtkScrolledWindow  *scrolled_window;
  GtkFilterListModel *filter_model;
  GtkMultiSelection  *selection;
  GtkSearchEntry     *search_entry;
  GtkLabel           *count_label;
  GtkWidget          *latest_button;
  GtkLabel           *console_target;
  GtkEntry           *console_entry;
};

G_DEFINE_FINAL_TYPE (MwLogView, mw_log_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_TRANSCRIPT,
  PROP_FOLLOWING,
  N_PROPS,
};

enum
{
  SIGNAL_COMMAND,
  N_SIGNALS,
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

/* The reply time is kept on the entry itself, computed once as it arrives:
 * the rows are bound lazily, long after the preceding line may be gone. */
static GQuark elapsed_quark;

GtkWidget *
mw_log_view_new (void)
{
  return g_object_new (MW_TYPE_LOG_VIEW, NULL);
}

gint64
mw_log_view_get_elapsed (MwTranscriptEntry *entry)
{
  gpointer data;

  g_return_val_if_fail (MW_IS_TRANSCRIPT_ENTRY (entry), -1);

  data = g_object_get_qdata (G_OBJECT (entry), elapsed_quark);
  if (data == NULL)
    return -1;
  return GPOINTER_TO_SIZE (data) - 1;
}

/* Closures for the row template. */

static char *
log_entry_search_text (MwTranscriptEntry *entry)
{
  return g_strdup (mw_transcript_entry_get_text (entry));
}

static char *
log_entry_text (gpointer           item,
                MwTranscriptEntry *entry)
{
  if (entry == NULL)
    return NULL;
  return g_strdup (mw_transcript_entry_get_text (entry));
}

static char *
log_entry_prefix (gpointer           item,
                  MwTranscriptEntry *entry)
{
  if (entry == NULL)
    return NULL;
  return g_strdup (mw_transcript_direction_to_prefix (mw_transcript_entry_get_direction (entry)));
}

static char *
log_entry_time (gpointer           item,
                MwTranscriptEntry *entry)
{
  GDateTime *time;

  if (entry == NULL)
    return NULL;
  time = mw_transcript_entry_get_time (entry);
  return g_strdup_printf ("%02d:%02d:%02d.%03d",
                          g_date_time_get_hour (time),
                          g_date_time_get_minute (time),
                          g_date_time_get_second (time),
                          g_date_time_get_microsecond (time) / 1000);
}

static char *
log_entry_elapsed (gpointer           item,
                   MwTranscriptEntry *entry)
{
  gint64 ms;

  if (entry == NULL)
    return NULL;
  ms = mw_log_view_get_elapsed (entry);
  if (ms < 0)
    return NULL;
  if (ms < 10000)
    /* Translators: milliseconds a server took to reply. */
    return g_strdup_printf (_ ("%" PRId64 " ms"), ms);
  /* Translators: seconds a server took to reply. */
  return g_strdup_printf (_ ("%.1f s"), ms / 1000.0);
}

static GStrv
log_entry_classes (gpointer           item,
                   MwTranscriptEntry *entry)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  MwTranscriptFlags flags;

  g_strv_builder_add (builder, "log-row");
  if (entry == NULL)
    return g_strv_builder_end (builder);

  switch (mw_transcript_entry_get_direction (entry))
    {
    case MW_TRANSCRIPT_CLIENT:
      g_strv_builder_add (builder, "client");
      break;
    case MW_TRANSCRIPT_SERVER:
      g_strv_builder_add (builder, "server");
      break;
    case MW_TRANSCRIPT_NOTE:
    default:
      g_strv_builder_add (builder, "note");
      break;
    }

  flags = mw_transcript_entry_get_flags (entry);
  if (flags & (MW_TRANSCRIPT_FLAG_ERROR | MW_TRANSCRIPT_FLAG_UNEXPECTED))
    g_strv_builder_add (builder, "error");
  if (flags & MW_TRANSCRIPT_FLAG_REDACTED)
    g_strv_builder_add (builder, "redacted");
  if (flags & MW_TRANSCRIPT_FLAG_TLS)
    g_strv_builder_add (builder, "tls");
  if (flags & MW_TRANSCRIPT_FLAG_FOLDED)
    g_strv_builder_add (builder, "folded");

  return g_strv_builder_end (builder);
}

/* Following new lines. */

static void
set_following (MwLogView *self,
               gboolean   following)
{
  following = !!following;
  if (self->following == following)
    return;
  self->following = following;
  gtk_widget_set_visible (self->latest_button, !following);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

static gboolean
scroll_to_end_idle (gpointer user_data)
{
  MwLogView *self = user_data;
  guint      n = g_list_model_get_n_items (G_LIST_MODEL (self->selection));

  self->scroll_id = 0;
  if (n > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", n - 1);
  return G_SOURCE_REMOVE;
}

static void
scroll_to_end (MwLogView *self)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scrolled_window);

  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
  /* The list view places rows lazily: ask it for the last one once the
   * new rows exist. */
  if (self->scroll_id == 0)
    self->scroll_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, scroll_to_end_idle, self, NULL);
}

static void
shown_items_changed_cb (MwLogView *self)
{
  if (self->following)
    scroll_to_end (self);
}

static void
adjustment_changed_cb (MwLogView     *self,
                       GtkAdjustment *adj)
{
  if (self->following)
    scroll_to_end (self);
}

static void
adjustment_value_changed_cb (MwLogView     *self,
                             GtkAdjustment *adj)
{
  double value = gtk_adjustment_get_value (adj);
  double upper = gtk_adjustment_get_upper (adj);
  double bottom = upper - gtk_adjustment_get_page_size (adj);

  /* Only the user moves the view up with the same content: new lines and
   * the view's own scrolling only ever move it down. */
  if (value >= bottom - 4)
    set_following (self, TRUE);
  else if (value < self->last_value - 1 && upper >= self->last_upper)
    set_following (self, FALSE);
  self->last_value = value;
  self->last_upper = upper;
}

static void
update_count (MwLogView *self)
{
  g_autofree char *text = NULL;
  guint            n = 0;
  guint64          dropped = 0;

  if (self->transcript != NULL)
    {
      n = g_list_model_get_n_items (G_LIST_MODEL (self->transcript));
      dropped = mw_transcript_get_dropped (self->transcript);
    }

  if (dropped > 0)
    text = g_strdup_printf (ngettext ("%u line, %" PRIu64 " older dropped",
                                      "%u lines, %" PRIu64 " older dropped", n),
                            n, dropped);
  else
    text = g_strdup_printf (ngettext ("%u line", "%u lines", n), n);
  gtk_label_set_label (self->count_label, text);
}

static void
transcript_items_changed_cb (MwLogView  *self,
                             guint       position,
                             guint       removed,
                             guint       added,
                             GListModel *model)
{
  gint64 last_client = -1;

  /* A server line that follows a client line shows how long the server
   * took; look back over the lines just before the added ones. */
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (MwTranscriptEntry) entry = g_list_model_get_item (model, i);
      g_autoptr (MwTranscriptEntry) prev = NULL;
      gint64 elapsed;

      if (mw_transcript_entry_get_direction (entry) != MW_TRANSCRIPT_SERVER || i == 0)
        continue;
      prev = g_list_model_get_item (model, i - 1);
      if (mw_transcript_entry_get_direction (prev) != MW_TRANSCRIPT_CLIENT)
        continue;
      last_client = mw_transcript_entry_get_monotonic_time (prev);
      elapsed = (mw_transcript_entry_get_monotonic_time (entry) - last_client) / 1000;
      g_object_set_qdata (G_OBJECT (entry), elapsed_quark,
                          GSIZE_TO_POINTER ((gsize) MAX (elapsed, 0) + 1));
    }

  update_count (self);
}

MwTranscript *
mw_log_view_get_transcript (MwLogView *self)
{
  g_return_val_if_fail (MW_IS_LOG_VIEW (self), NULL);
  return self->transcript;
}

void
mw_log_view_set_transcript (MwLogView    *self,
                            MwTranscript *transcript)
{
  g_return_if_fail (MW_IS_LOG_VIEW (self));
  g_return_if_fail (transcript == NULL || MW_IS_TRANSCRIPT (transcript));

  if (self->transcript == transcript)
    return;

  if (self->transcript != NULL)
    g_clear_signal_handler (&self->items_changed_id, self->transcript);
  g_set_object (&self->transcript, transcript);

  /* Connected before the filter model so the reply times are known by the
   * time the rows are bound. */
  if (transcript != NULL)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (transcript));

      self->items_changed_id =
        g_signal_connect_object (transcript, "items-changed",
                                 G_CALLBACK (transcript_items_changed_cb), self,
                                 G_CONNECT_SWAPPED);
      transcript_items_changed_cb (self, 0, 0, n, G_LIST_MODEL (transcript));
    }
  gtk_filter_list_model_set_model (self->filter_model, G_LIST_MODEL (transcript));
  update_count (self);
  set_following (self, TRUE);
  scroll_to_end (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRANSCRIPT]);
}

gboolean
mw_log_view_get_following (MwLogView *self)
{
  g_return_val_if_fail (MW_IS_LOG_VIEW (self), FALSE);
  return self->following;
}

void
mw_log_view_set_console_target (MwLogView  *self,
                                const char *target)
{
  g_return_if_fail (MW_IS_LOG_VIEW (self));

  gtk_label_set_label (self->console_target, target != NULL ? target : _ ("Not connected"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->console_entry), target != NULL);
}

static void
console_activate_cb (MwLogView *self,
                     GtkEntry  *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  if (text == NULL || *text == '\0')
    return;
  set_following (self, TRUE);
  scroll_to_end (self);
  g_signal_emit (self, signals[SIGNAL_COMMAND], 0, text);
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
}

/* Actions. */

static void
follow_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  MwLogView *self = MW_LOG_VIEW (widget);

  set_following (self, TRUE);
  scroll_to_end (self);
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MwLogView  *self = MW_LOG_VIEW (widget);
  GListModel *model = G_LIST_MODEL (self->selection);
  g_autoptr (GtkBitset) selected = NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  guint    n = g_list_model_get_n_items (model);
  gboolean all;

  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  all = gtk_bitset_is_empty (selected);

  /* Without a selection, copy every line shown. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (MwTranscriptEntry) entry = NULL;
      g_autofree char *line = NULL;

      if (!all && !gtk_bitset_contains (selected, i))
        continue;
      entry = g_list_model_get_item (model, i);
      line = mw_transcript_entry_format (entry);
      g_string_append (text, line);
      g_string_append_c (text, '\n');
    }

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text->str);
}

static void
clear_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  MwLogView *self = MW_LOG_VIEW (widget);

  if (self->transcript != NULL)
    mw_transcript_clear (self->transcript);
}

static void
export_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (MwLogView) self = user_data;
  g_autoptr (GError) error = NULL;
  GtkRoot   *root;
  GtkWidget *dialog;

  if (mw_transcript_export_finish (result, &error))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _ ("Could Not Save the Transcript"),
                                   error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _ ("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
save_response_cb (MwLogView            *self,
                  int                   response,
                  GtkFileChooserNative *native)
{
  g_autoptr (GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT && self->transcript != NULL)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      mw_transcript_export_async (self->transcript, file, self->cancellable,
                                  export_cb, g_object_ref (self));
    }
  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (native));
  g_object_unref (native);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MwLogView            *self = MW_LOG_VIEW (widget);
  GtkRoot              *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *native;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = NULL;

  native = gtk_file_chooser_native_new (_ ("Save Transcript"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _ ("_Save"), _ ("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  name = g_date_time_format (now, "mailwire-transcript-%Y%m%d-%H%M%S.txt");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  g_signal_connect_object (native, "response", G_CALLBACK (save_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
mw_log_view_dispose (GObject *object)
{
  MwLogView *self = MW_LOG_VIEW (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->scroll_id, g_source_remove);
  if (self->transcript != NULL)
    g_clear_signal_handler (&self->items_changed_id, self->transcript);
  g_clear_object (&self->transcript);
  gtk_widget_dispose_template (GTK_WIDGET (self), MW_TYPE_LOG_VIEW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (mw_log_view_parent_class)->dispose (object);
}

static void
mw_log_view_finalize (GObject *object)
{
  MwLogView *self = MW_LOG_VIEW (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (mw_log_view_parent_class)->finalize (object);
}

static void
mw_log_view_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  MwLogView *self = MW_LOG_VIEW (object);

  switch (prop_id)
    {
    case PROP_TRANSCRIPT:
      g_value_set_object (value, self->transcript);
      break;
    case PROP_FOLLOWING:
      g_value_set_boolean (value, self->following);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_log_view_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  MwLogView *self = MW_LOG_VIEW (object);

  switch (prop_id)
    {
    case PROP_TRANSCRIPT:
      mw_log_view_set_transcript (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_log_view_class_init (MwLogViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mw_log_view_dispose;
  object_class->finalize = mw_log_view_finalize;
  object_class->get_property = mw_log_view_get_property;
  object_class->set_property = mw_log_view_set_property;

  properties[PROP_TRANSCRIPT] =
    g_param_spec_object ("transcript", NULL, NULL, MW_TYPE_TRANSCRIPT,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_FOLLOWING] =
    g_param_spec_boolean ("following", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MwLogView::command:
   * @text: the line the user typed
   *
   * The user asked to send a raw command to the server.
   */
  signals[SIGNAL_COMMAND] =
    g_signal_new ("command", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  elapsed_quark = g_quark_from_static_string ("mw-log-view-elapsed");

  mw_application_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mailwire/Mailwire/ui/mw-log-view.ui");
  gtk_widget_class_bind_template_child (widget_class, MwLogView, list_view);
  gtk_widget_class_bind_template_child (widget_class, MwLogView, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, MwLogView, filter_model);
  gtk_widget_class_bind_template_child (widget_class, MwLogView, selection);
  gtk_widget_class_bind_template_child (widget_class, MwLogView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, MwLogView, count_label);
  gtk_widget_class_bind_template_child (widget_class, MwLogView, latest_button);
  gtk_widget_class_bind_template_child (widget_class, MwLogView, console_target);
  gtk_widget_class_bind_template_child (widget_class, MwLogView, console_entry);
  gtk_widget_class_bind_template_callback (widget_class, console_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, log_entry_search_text);
  gtk_widget_class_bind_template_callback (widget_class, log_entry_text);
  gtk_widget_class_bind_template_callback (widget_class, log_entry_prefix);
  gtk_widget_class_bind_template_callback (widget_class, log_entry_time);
  gtk_widget_class_bind_template_callback (widget_class, log_entry_elapsed);
  gtk_widget_class_bind_template_callback (widget_class, log_entry_classes);

  gtk_widget_class_install_action (widget_class, "log.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "log.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "log.clear", NULL, clear_action);
  gtk_widget_class_install_action (widget_class, "log.follow", NULL, follow_action);

  gtk_widget_class_set_css_name (widget_class, "mwlogview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
mw_log_view_init (MwLogView *self)
{
  GtkAdjustment *adj;

  self->cancellable = g_cancellable_new ();
  self->following = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_search_entry_set_key_capture_widget (self->search_entry, NULL);
  adj = gtk_scrolled_window_get_vadjustment (self->scrolled_window);
  g_signal_connect_object (adj, "changed", G_CALLBACK (adjustment_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (adj, "value-changed", G_CALLBACK (adjustment_value_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "items-changed", G_CALLBACK (shown_items_changed_cb),
                           self, G_CONNECT_SWAPPED);
  update_count (self);
}
