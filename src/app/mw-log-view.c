/* mw-log-view.c: the protocol log pane and its console
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-log-view.h"
#include "mw-application.h"
#include "mw-error-text.h"
#include "mw-protocol-commands.h"
#include "mw-transcript-export.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

/* Lines kept in each protocol's console history. */
#define HISTORY_MAX 100

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
  GtkLabel           *console_hint;
  GtkDropDown        *protocol_dropdown;
  GtkMenuButton      *help_button;
  GtkPopover         *help_popover;
  GtkSearchEntry     *help_search;
  GtkListBox         *help_list;
  GtkWidget          *explain_button;
  GtkWidget          *explain_popover;
  GtkWidget          *explain_reply;
  GtkWidget          *explain_sentence;
  GtkWidget          *explain_advice;
  GtkWidget          *explain_detail;

  /* The console. */
  MwConsoleSession *sessions[2];
  GPtrArray        *history[2];
  MwReplyProtocol   protocol;
  int               history_pos;
  char             *draft;
  GStrv             completions;
  guint             completion_index;
  gboolean          busy;
  GtkWidget        *dialog;
};

G_DEFINE_FINAL_TYPE (MwLogView, mw_log_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_TRANSCRIPT,
  PROP_FOLLOWING,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

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

/* The console. */

static MwConsoleSession *
current_session (MwLogView *self)
{
  return self->sessions[self->protocol];
}

static void
set_hint (MwLogView  *self,
          const char *hint)
{
  gtk_label_set_label (self->console_hint, hint != NULL ? hint : "");
  gtk_widget_set_visible (GTK_WIDGET (self->console_hint), hint != NULL && *hint != '\0');
}

static void
clear_completions (MwLogView *self)
{
  g_clear_pointer (&self->completions, g_strfreev);
  self->completion_index = 0;
}

static void
update_console (MwLogView *self)
{
  MwConsoleSession *session = current_session (self);
  gboolean          in_data = session != NULL && mw_console_session_get_in_data (session);
  guint64           chunk = session != NULL ? mw_console_session_get_chunk_remaining (session) : 0;
  g_autofree char  *chunk_text = NULL;

  gtk_label_set_label (self->console_target,
                       session != NULL ? mw_console_session_get_target (session) : _ ("Not connected"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->console_entry), session != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->help_button), session != NULL);
  if (chunk > 0)
    chunk_text = g_strdup_printf (ngettext (
                                    "Type the chunk: %" PRIu64 " byte to go, each line counted with its CRLF",
                                    "Type the chunk: %" PRIu64 " bytes to go, each line counted with its CRLF",
                                    chunk),
                                  chunk);
  gtk_entry_set_placeholder_text (self->console_entry,
                                  chunk_text != NULL ? chunk_text
                                  : in_data          ? _ ("Type the message; end it with a line holding only “.”")
                                  : self->protocol == MW_REPLY_PROTOCOL_SMTP
                                    ? _ ("Type a command for the server, such as EHLO or NOOP")
                                    : _ ("Type a command for the server, such as NOOP or CAPA"));
  if (in_data)
    set_hint (self, _ ("Message text"));
  else if (self->completions == NULL)
    set_hint (self, NULL);
}

static gboolean
help_filter (GtkListBoxRow *row,
             gpointer       user_data)
{
  MwLogView               *self = user_data;
  const MwProtocolCommand *command = g_object_get_data (G_OBJECT (row), "command");
  const char              *search = gtk_editable_get_text (GTK_EDITABLE (self->help_search));
  g_autofree char         *needle = NULL;
  g_autofree char         *haystack = NULL;

  if (search == NULL || *search == '\0')
    return TRUE;
  needle = g_utf8_casefold (search, -1);
  haystack = g_utf8_casefold (g_object_get_data (G_OBJECT (row), "search-text"), -1);
  return command != NULL && strstr (haystack, needle) != NULL;
}

static void
fill_help (MwLogView *self)
{
  const MwProtocolCommand *commands;
  GtkWidget               *child;
  size_t                   n = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->help_list))) != NULL)
    gtk_list_box_remove (self->help_list, child);

  commands = mw_protocol_commands (self->protocol, &n);
  for (size_t i = 0; i < n; i++)
    {
      const MwProtocolCommand *command = &commands[i];
      GtkWidget               *row = gtk_list_box_row_new ();
      GtkWidget               *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget               *syntax = gtk_label_new (command->syntax);
      GtkWidget               *help = gtk_label_new (mw_protocol_command_get_help (command));
      g_autofree char         *search = NULL;
      g_autofree char         *refused = NULL;

      gtk_widget_set_margin_top (box, 6);
      gtk_widget_set_margin_bottom (box, 6);
      gtk_widget_set_margin_start (box, 6);
      gtk_widget_set_margin_end (box, 6);
      gtk_label_set_xalign (GTK_LABEL (syntax), 0);
      gtk_label_set_wrap (GTK_LABEL (syntax), TRUE);
      gtk_widget_add_css_class (syntax, "monospace");
      gtk_widget_add_css_class (syntax, "heading");
      gtk_widget_add_css_class (syntax, "console-help-syntax");
      gtk_label_set_xalign (GTK_LABEL (help), 0);
      gtk_label_set_wrap (GTK_LABEL (help), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (help), 50);
      gtk_widget_add_css_class (help, "console-help-text");
      gtk_box_append (GTK_BOX (box), syntax);
      gtk_box_append (GTK_BOX (box), help);
      if (command->fate == MW_COMMAND_FATE_REFUSED)
        {
          GtkWidget *label;

          /* Translators: why the console does not send a command. */
          refused = g_strdup_printf (_ ("Refused: %s"), mw_protocol_command_get_refusal (command));
          label = gtk_label_new (refused);
          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_label_set_wrap (GTK_LABEL (label), TRUE);
          gtk_label_set_max_width_chars (GTK_LABEL (label), 50);
          gtk_widget_add_css_class (label, "error");
          gtk_box_append (GTK_BOX (box), label);
        }
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      command->syntax, -1);
      search = g_strjoin (" ", command->syntax, mw_protocol_command_get_help (command), NULL);
      g_object_set_data (G_OBJECT (row), "command", (gpointer) command);
      g_object_set_data_full (G_OBJECT (row), "search-text", g_steal_pointer (&search), g_free);
      gtk_list_box_append (self->help_list, row);
    }
}

static void
help_search_changed_cb (MwLogView      *self,
                        GtkSearchEntry *entry)
{
  gtk_list_box_invalidate_filter (self->help_list);
}

static void
insert_command (MwLogView               *self,
                const MwProtocolCommand *command)
{
  g_autofree char *text = NULL;

  /* A command with arguments is followed by the space before them. */
  text = g_strconcat (command->name, strchr (command->syntax, ' ') != NULL ? " " : "", NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->console_entry), text);
  gtk_popover_popdown (self->help_popover);
  gtk_widget_grab_focus (GTK_WIDGET (self->console_entry));
  gtk_editable_set_position (GTK_EDITABLE (self->console_entry), -1);
}

static void
help_row_activated_cb (MwLogView     *self,
                       GtkListBoxRow *row,
                       GtkListBox    *list)
{
  const MwProtocolCommand *command = g_object_get_data (G_OBJECT (row), "command");

  if (command != NULL)
    insert_command (self, command);
}

static void
help_search_activate_cb (MwLogView      *self,
                         GtkSearchEntry *entry)
{
  /* Enter in the search takes the first command shown. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->help_list));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_BOX_ROW (child) && gtk_widget_get_child_visible (child))
      {
        help_row_activated_cb (self, GTK_LIST_BOX_ROW (child), self->help_list);
        return;
      }
}

static void
protocol_selected_cb (MwLogView   *self,
                      GParamSpec  *pspec,
                      GtkDropDown *dropdown)
{
  MwReplyProtocol protocol = gtk_drop_down_get_selected (dropdown) == 1 ? MW_REPLY_PROTOCOL_SMTP
                                                                        : MW_REPLY_PROTOCOL_POP3;

  if (protocol == self->protocol)
    return;
  self->protocol = protocol;
  self->history_pos = -1;
  g_clear_pointer (&self->draft, g_free);
  clear_completions (self);
  fill_help (self);
  update_console (self);
}

void
mw_log_view_set_consoles (MwLogView        *self,
                          MwConsoleSession *pop3,
                          MwConsoleSession *smtp)
{
  g_return_if_fail (MW_IS_LOG_VIEW (self));
  g_return_if_fail (pop3 == NULL || MW_IS_CONSOLE_SESSION (pop3));
  g_return_if_fail (smtp == NULL || MW_IS_CONSOLE_SESSION (smtp));

  g_set_object (&self->sessions[MW_REPLY_PROTOCOL_POP3], pop3);
  g_set_object (&self->sessions[MW_REPLY_PROTOCOL_SMTP], smtp);
  gtk_widget_set_visible (GTK_WIDGET (self->protocol_dropdown), pop3 != NULL && smtp != NULL);
  if (pop3 == NULL && smtp != NULL)
    mw_log_view_set_console_protocol (self, MW_REPLY_PROTOCOL_SMTP);
  else if (smtp == NULL)
    mw_log_view_set_console_protocol (self, MW_REPLY_PROTOCOL_POP3);
  update_console (self);
}

MwReplyProtocol
mw_log_view_get_console_protocol (MwLogView *self)
{
  g_return_val_if_fail (MW_IS_LOG_VIEW (self), MW_REPLY_PROTOCOL_POP3);
  return self->protocol;
}

void
mw_log_view_set_console_protocol (MwLogView      *self,
                                  MwReplyProtocol protocol)
{
  g_return_if_fail (MW_IS_LOG_VIEW (self));
  gtk_drop_down_set_selected (self->protocol_dropdown, protocol == MW_REPLY_PROTOCOL_SMTP ? 1 : 0);
}

gboolean
mw_log_view_get_console_busy (MwLogView *self)
{
  g_return_val_if_fail (MW_IS_LOG_VIEW (self), FALSE);
  return self->busy;
}

/* History and completion. */

static void
history_add (MwLogView  *self,
             const char *line)
{
  GPtrArray *history = self->history[self->protocol];

  self->history_pos = -1;
  g_clear_pointer (&self->draft, g_free);
  if (history->len > 0 && g_str_equal (g_ptr_array_index (history, history->len - 1), line))
    return;
  if (history->len >= HISTORY_MAX)
    g_ptr_array_remove_index (history, 0);
  g_ptr_array_add (history, g_strdup (line));
}

static void
set_entry_text (MwLogView  *self,
                const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (self->console_entry), text);
  gtk_editable_set_position (GTK_EDITABLE (self->console_entry), -1);
}

static gboolean
history_move (MwLogView *self,
              int        step)
{
  GPtrArray *history = self->history[self->protocol];
  int        pos = self->history_pos;

  if (history->len == 0)
    return FALSE;
  if (pos < 0)
    {
      if (step > 0)
        return FALSE;
      /* The line being typed comes back after the newest one. */
      g_free (self->draft);
      self->draft = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->console_entry)));
      pos = history->len;
    }
  pos += step;
  if (pos < 0)
    {
      gtk_widget_error_bell (GTK_WIDGET (self->console_entry));
      return TRUE;
    }
  if (pos >= (int) history->len)
    {
      self->history_pos = -1;
      set_entry_text (self, self->draft != NULL ? self->draft : "");
      g_clear_pointer (&self->draft, g_free);
      return TRUE;
    }
  self->history_pos = pos;
  set_entry_text (self, g_ptr_array_index (history, pos));
  return TRUE;
}

static gboolean
complete (MwLogView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->console_entry));
  g_autoptr (GStrvBuilder) builder = NULL;
  g_autofree char         *candidates = NULL;
  const MwProtocolCommand *commands;
  size_t                   n = 0;

  /* Another Tab goes on to the next match. */
  if (self->completions != NULL && g_strv_contains ((const char *const *) self->completions, text))
    {
      self->completion_index = (self->completion_index + 1) % g_strv_length (self->completions);
      set_entry_text (self, self->completions[self->completion_index]);
      return TRUE;
    }

  clear_completions (self);
  /* Only the command name is completed; Tab elsewhere moves the focus. */
  if (*text == '\0' || strchr (text, ' ') != NULL)
    return FALSE;

  builder = g_strv_builder_new ();
  commands = mw_protocol_commands (self->protocol, &n);
  for (size_t i = 0; i < n; i++)
    if (g_ascii_strncasecmp (commands[i].name, text, strlen (text)) == 0)
      g_strv_builder_add (builder, commands[i].name);
  self->completions = g_strv_builder_end (builder);

  if (self->completions[0] == NULL)
    {
      clear_completions (self);
      set_hint (self, _ ("No command starts like this"));
      gtk_widget_error_bell (GTK_WIDGET (self->console_entry));
      return TRUE;
    }

  set_entry_text (self, self->completions[0]);
  if (self->completions[1] == NULL)
    set_hint (self, NULL);
  else
    {
      candidates = g_strjoinv ("  ", self->completions);
      set_hint (self, candidates);
    }
  return TRUE;
}

static gboolean
console_key_pressed_cb (MwLogView             *self,
                        guint                  keyval,
                        guint                  keycode,
                        GdkModifierType        state,
                        GtkEventControllerKey *controller)
{
  MwConsoleSession *session = current_session (self);

  if (session != NULL && mw_console_session_get_in_data (session))
    return FALSE;
  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK))
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Tab:
    case GDK_KEY_KP_Tab:
      return complete (self);
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      clear_completions (self);
      set_hint (self, NULL);
      return history_move (self, -1);
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      clear_completions (self);
      set_hint (self, NULL);
      return history_move (self, 1);
    default:
      if (self->completions != NULL)
        {
          clear_completions (self);
          set_hint (self, NULL);
        }
      return FALSE;
    }
}

/* Sending. */

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (MwLogView) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!mw_console_session_send_finish (MW_CONSOLE_SESSION (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->transcript != NULL)
    mw_transcript_note (self->transcript, MW_TRANSCRIPT_FLAG_ERROR, "%s", error->message);

  self->busy = FALSE;
  update_console (self);
}

static void
console_send (MwLogView  *self,
              const char *line)
{
  MwConsoleSession *session = current_session (self);
  g_autofree char  *display = NULL;

  if (!mw_console_session_get_in_data (session) &&
      !mw_protocol_command_redact (self->protocol, line, &display))
    history_add (self, line);
  self->history_pos = -1;
  g_clear_pointer (&self->draft, g_free);
  gtk_editable_set_text (GTK_EDITABLE (self->console_entry), "");
  clear_completions (self);
  set_following (self, TRUE);
  scroll_to_end (self);
  self->busy = TRUE;
  update_console (self);
  mw_console_session_send_async (session, line, self->cancellable, send_cb, g_object_ref (self));
}

static void
confirm_response_cb (MwLogView        *self,
                     const char       *response,
                     AdwMessageDialog *dialog)
{
  const char *line = g_object_get_data (G_OBJECT (dialog), "line");

  if (self->dialog == GTK_WIDGET (dialog))
    self->dialog = NULL;
  if (g_str_equal (response, "send") && current_session (self) != NULL && !self->busy)
    console_send (self, line);
}

static void
confirm (MwLogView  *self,
         const char *line,
         const char *heading,
         const char *body,
         const char *send_label)
{
  GtkRoot   *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _ ("_Cancel"),
                                    "send", send_label,
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "send",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "line", g_strdup (line), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_response_cb), self,
                           G_CONNECT_SWAPPED);
  self->dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
console_activate_cb (MwLogView *self,
                     GtkEntry  *entry)
{
  MwConsoleSession *session = current_session (self);
  const char       *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autofree char  *line = NULL;
  g_autofree char  *verb = NULL;
  g_autofree char  *body = NULL;
  guint             pending;

  if (session == NULL || text == NULL)
    return;
  /* One line at a time: the next waits in the entry. */
  if (self->busy)
    {
      gtk_widget_error_bell (GTK_WIDGET (entry));
      return;
    }
  /* Inside a message every line counts, blank ones too. */
  if (mw_console_session_get_in_data (session))
    {
      line = g_strdup (text);
      console_send (self, line);
      return;
    }

  line = g_strstrip (g_strdup (text));
  if (*line == '\0')
    return;
  verb = g_ascii_strup (line, strcspn (line, " "));

  if (self->protocol != MW_REPLY_PROTOCOL_POP3)
    {
      console_send (self, line);
      return;
    }

  /* What cannot be taken back is asked first; only the answer sends it. */
  pending = mw_console_session_get_pending_deletions (session);
  if (g_str_equal (verb, "DELE"))
    confirm (self, line, _ ("Mark the Message for Deletion?"),
             _ ("The server deletes it when this console session ends with QUIT. RSET before then keeps it."),
             _ ("_Mark for Deletion"));
  else if (g_str_equal (verb, "RSET") && pending > 0)
    {
      body = g_strdup_printf (ngettext ("RSET unmarks the %u message marked for deletion in this session.",
                                        "RSET unmarks the %u messages marked for deletion in this session.",
                                        pending),
                              pending);
      confirm (self, line, _ ("Keep the Marked Messages?"), body, _ ("_Send RSET"));
    }
  else if (g_str_equal (verb, "QUIT") && pending > 0)
    {
      body = g_strdup_printf (ngettext ("QUIT deletes the %u message marked with DELE from the server. This cannot be undone.",
                                        "QUIT deletes the %u messages marked with DELE from the server. This cannot be undone.",
                                        pending),
                              pending);
      confirm (self, line, _ ("Delete the Marked Messages?"), body, _ ("_Delete and Quit"));
    }
  else
    console_send (self, line);
}

/* What a server line means. */

static const char *
row_text (GtkWidget  *row,
          const char *klass)
{
  for (GtkWidget *child = gtk_widget_get_first_child (row); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_INSCRIPTION (child) && gtk_widget_has_css_class (child, klass))
      return gtk_inscription_get_text (GTK_INSCRIPTION (child));
  return NULL;
}

static GtkWidget *
explain_label (GtkWidget  *box,
               const char *klass)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 50);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, klass);
  gtk_box_append (GTK_BOX (box), label);
  return label;
}

static void
ensure_explain_popover (MwLogView *self)
{
  GtkWidget *box;
  GtkWidget *heading;

  if (self->explain_popover != NULL)
    return;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  heading = gtk_label_new (_ ("The server said"));
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_box_append (GTK_BOX (box), heading);
  self->explain_reply = explain_label (box, "explain-reply");
  gtk_widget_add_css_class (self->explain_reply, "monospace");
  heading = gtk_label_new (_ ("What it means"));
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_box_append (GTK_BOX (box), heading);
  self->explain_sentence = explain_label (box, "explain-sentence");
  self->explain_advice = explain_label (box, "explain-advice");
  self->explain_detail = explain_label (box, "explain-detail");
  gtk_widget_add_css_class (self->explain_detail, "dim-label");

  self->explain_popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (self->explain_popover), box);
  gtk_widget_set_parent (self->explain_popover, GTK_WIDGET (self));
}

static void
set_optional (GtkWidget  *label,
              const char *text)
{
  gtk_label_set_label (GTK_LABEL (label), text != NULL ? text : "");
  gtk_widget_set_visible (label, text != NULL && *text != '\0');
}

/* Shows what @line means, pointing at @rect (in the view's coordinates). */
static gboolean
explain_line (MwLogView             *self,
              const char            *line,
              const graphene_rect_t *rect)
{
  g_autoptr (MwReplyExplanation) explanation = NULL;
  MwReplyProtocol protocol;
  GdkRectangle    area;

  if (line == NULL || !mw_error_text_reply_protocol (line, &protocol))
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return FALSE;
    }

  explanation = mw_reply_explain (protocol, line);
  ensure_explain_popover (self);
  gtk_label_set_label (GTK_LABEL (self->explain_reply), line);
  gtk_label_set_label (GTK_LABEL (self->explain_sentence), explanation->sentence);
  set_optional (self->explain_advice, explanation->advice);
  set_optional (self->explain_detail, explanation->detail);

  area.x = (int) rect->origin.x;
  area.y = (int) rect->origin.y;
  area.width = MAX ((int) rect->size.width, 1);
  area.height = MAX ((int) rect->size.height, 1);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->explain_popover), &area);
  gtk_popover_popup (GTK_POPOVER (self->explain_popover));
  return TRUE;
}

/* The server line selected, or NULL. */
static MwTranscriptEntry *
selected_server_entry (MwLogView *self,
                       guint     *out_position)
{
  g_autoptr (GtkBitset) selected = NULL;
  g_autoptr (MwTranscriptEntry) entry = NULL;
  guint position;

  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  if (gtk_bitset_get_size (selected) != 1)
    return NULL;
  position = gtk_bitset_get_minimum (selected);
  entry = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
  if (entry == NULL || mw_transcript_entry_get_direction (entry) != MW_TRANSCRIPT_SERVER ||
      !mw_error_text_reply_protocol (mw_transcript_entry_get_text (entry), NULL))
    return NULL;
  if (out_position != NULL)
    *out_position = position;
  return g_steal_pointer (&entry);
}

static void
update_explain_action (MwLogView *self)
{
  g_autoptr (MwTranscriptEntry) entry = selected_server_entry (self, NULL);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.explain", entry != NULL);
}

static void
explain_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  MwLogView *self = MW_LOG_VIEW (widget);
  g_autoptr (MwTranscriptEntry) entry = selected_server_entry (self, NULL);
  graphene_rect_t rect;

  if (entry == NULL)
    {
      gtk_widget_error_bell (widget);
      return;
    }
  /* Points at the button; the row may be scrolled out of sight. */
  if (!gtk_widget_compute_bounds (self->explain_button, widget, &rect))
    graphene_rect_init (&rect, 0, 0, 1, 1);
  explain_line (self, mw_transcript_entry_get_text (entry), &rect);
}

gboolean
mw_log_view_explain_at (MwLogView *self,
                        double     x,
                        double     y)
{
  GtkWidget       *row;
  const char      *prefix;
  const char      *text;
  graphene_point_t point;
  graphene_rect_t  rect;
  guint            n;

  g_return_val_if_fail (MW_IS_LOG_VIEW (self), FALSE);

  row = gtk_widget_pick (GTK_WIDGET (self), x, y, GTK_PICK_DEFAULT);
  while (row != NULL && row != GTK_WIDGET (self) && !gtk_widget_has_css_class (row, "log-row"))
    row = gtk_widget_get_parent (row);
  if (row == NULL || !gtk_widget_has_css_class (row, "log-row") || !gtk_widget_has_css_class (row, "server"))
    return FALSE;
  prefix = row_text (row, "log-prefix");
  text = row_text (row, "log-text");
  if (text == NULL || g_strcmp0 (prefix, mw_transcript_direction_to_prefix (MW_TRANSCRIPT_SERVER)) != 0)
    return FALSE;

  /* The row under the pointer becomes the selection, as a click would. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->selection));
  for (guint i = n; i > 0; i--)
    {
      g_autoptr (MwTranscriptEntry) entry = g_list_model_get_item (G_LIST_MODEL (self->selection), i - 1);

      if (mw_transcript_entry_get_direction (entry) == MW_TRANSCRIPT_SERVER &&
          g_str_equal (mw_transcript_entry_get_text (entry), text))
        {
          gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), i - 1, TRUE);
          break;
        }
    }

  graphene_point_init (&point, x, y);
  graphene_rect_init (&rect, point.x, point.y, 1, 1);
  return explain_line (self, text, &rect);
}

static void
list_pressed_cb (MwLogView       *self,
                 int              n_press,
                 double           x,
                 double           y,
                 GtkGestureClick *gesture)
{
  graphene_point_t in_list = GRAPHENE_POINT_INIT ((float) x, (float) y);
  graphene_point_t in_view;

  if (!gtk_widget_compute_point (GTK_WIDGET (self->list_view), GTK_WIDGET (self), &in_list, &in_view))
    return;
  if (mw_log_view_explain_at (self, in_view.x, in_view.y))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
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
  g_clear_object (&self->sessions[MW_REPLY_PROTOCOL_POP3]);
  g_clear_object (&self->sessions[MW_REPLY_PROTOCOL_SMTP]);
  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->dialog));
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
  g_ptr_array_unref (self->history[MW_REPLY_PROTOCOL_POP3]);
  g_ptr_array_unref (self->history[MW_REPLY_PROTOCOL_SMTP]);
  g_free (self->draft);
  g_strfreev (self->completions);

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
  gtk_widget_class_bind_template_child (widget_class, MwLogView, console_hint);
  gtk_widget_class_bind_template_child (widget_class, MwLogView, protocol_dropdown);
  gtk_widget_class_bind_template_child (widget_class, MwLogView, help_button);
  gtk_widget_class_bind_template_child (widget_class, MwLogView, help_popover);
  gtk_widget_class_bind_template_child (widget_class, MwLogView, help_search);
  gtk_widget_class_bind_template_child (widget_class, MwLogView, help_list);
  gtk_widget_class_bind_template_child (widget_class, MwLogView, explain_button);
  gtk_widget_class_bind_template_callback (widget_class, console_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, protocol_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, help_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, help_search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, help_row_activated_cb);
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
  gtk_widget_class_install_action (widget_class, "log.explain", NULL, explain_action);
  /* The keys that open a context menu explain the selected line. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "log.explain", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "log.explain", NULL);

  gtk_widget_class_set_css_name (widget_class, "mwlogview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
mw_log_view_init (MwLogView *self)
{
  GtkAdjustment      *adj;
  GtkEventController *keys;
  GtkGesture         *click;

  self->cancellable = g_cancellable_new ();
  self->following = TRUE;
  self->protocol = MW_REPLY_PROTOCOL_POP3;
  self->history_pos = -1;
  self->history[MW_REPLY_PROTOCOL_POP3] = g_ptr_array_new_with_free_func (g_free);
  self->history[MW_REPLY_PROTOCOL_SMTP] = g_ptr_array_new_with_free_func (g_free);

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Before the entry's own handling: Tab would move the focus. */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (console_key_pressed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->console_entry), keys);
  gtk_list_box_set_filter_func (self->help_list, help_filter, self, NULL);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect_object (click, "pressed", G_CALLBACK (list_pressed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), GTK_EVENT_CONTROLLER (click));
  g_signal_connect_object (self->selection, "selection-changed", G_CALLBACK (update_explain_action),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "items-changed", G_CALLBACK (update_explain_action),
                           self, G_CONNECT_SWAPPED);
  update_explain_action (self);
  fill_help (self);
  update_console (self);

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
