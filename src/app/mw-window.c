/* mw-window.c: the main window
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-window.h"
#include "mw-application.h"
#include "mw-account-dialog.h"
#include "mw-account-store.h"
#include "mw-certificate-trust.h"
#include "mw-compose-window.h"
#include "mw-demo.h"
#include "mw-error-text.h"
#include "mw-fetcher.h"
#include "mw-file-save.h"
#include "mw-folder.h"
#include "mw-format.h"
#include "mw-log-view.h"
#include "mw-maildir.h"
#include "mw-message-builder.h"
#include "mw-message-summary.h"
#include "mw-message-text.h"
#include "mw-outbox-view.h"
#include "mw-pop3-client.h"
#include "mw-seen-uids.h"

#include <glib/gi18n.h>
#include <string.h>

struct _MwWindow
{
  AdwApplicationWindow parent_instance;

  /* Owned. */
  GSettings    *settings;
  GCancellable *cancellable;
  /* Get Mail and Open: what the Stop button cancels. */
  GCancellable     *op_cancellable;
  MwTranscript     *transcript;
  GListStore       *server_messages;
  GtkMapListModel  *downloaded_messages;
  GtkMapListModel  *outbox_messages;
  GtkMapListModel  *sent_messages;
  MwFolder         *folders[MW_MAILDIR_FOLDER_OUTBOX + 1];
  char             *reader_path;
  GBytes           *reader_raw;
  GPtrArray        *attachments;
  char             *pending_draft;
  gboolean          log_visible;
  MwDemo           *demo;
  MwPop3Client     *pop3;
  MwPop3Client     *preview_pop3;
  gboolean          preview_again;
  MwPop3Client     *delete_pop3;
  MwMessageSummary *delete_summary;
  MwMessageSummary *delete_pending;
  MwPop3Client     *open_pop3;
  MwAccountStore   *accounts;
  MwAccount        *account;
  char             *pop3_password;
  gboolean          open_pending;
  MwMaildir        *local;
  MwUidIndex       *index; /* of the messages in local */
  MwPop3Client     *fetch_pop3;
  MwFetcher        *fetcher;
  GHashTable       *rows_by_number; /* during a Download New */
  GHashTable       *deleted_rows;   /* rows it deleted on the server */
  AdwToast         *delete_toast;
  gboolean          delete_undone;
  GCancellable     *preview_cancellable;
  GPtrArray        *pending;
  MwOutbox         *outbox;
  guint             flush_id;
  gint64            last_summary;
  guint             resort_id;

  /* The account in use; the demo's until accounts are stored. */
  char      *account_label;
  char      *host;
  guint16    pop3_port;
  guint16    smtp_port;
  MwSecurity security;
  char      *user;
  char      *address;
  char      *password;
  gboolean   allow_plaintext;

  /* Template children. */
  AdwToastOverlay     *toast_overlay;
  AdwWindowTitle      *window_title;
  GtkDropDown         *account_dropdown;
  GtkStringList       *account_names;
  GtkListBox          *folder_list;
  GtkListBoxRow       *server_row;
  GtkLabel            *server_count;
  GtkSearchBar        *search_bar;
  GtkSearchEntry      *search_entry;
  GtkProgressBar      *progress_bar;
  GtkWidget           *progress_box;
  GtkStack            *list_stack;
  AdwStatusPage       *empty_page;
  GtkColumnView       *message_view;
  GtkColumnViewColumn *date_column;
  GtkSingleSelection  *selection;
  GtkFilterListModel  *filter_model;
  GtkSortListModel    *sort_model;
  GtkPaned            *log_paned;
  GtkStack            *reader_stack;
  GtkLabel            *reader_subject;
  GtkLabel            *reader_from;
  GtkLabel            *reader_to;
  GtkLabel            *reader_date;
  GtkRevealer         *problem_revealer;
  GtkRevealer         *attachments_revealer;
  GtkListBox          *attachments_list;
  GtkLabel            *problem_label;
  GtkRevealer         *outbox_actions_revealer;
  GtkTextView         *reader_body;
  MwLogView           *log_view;
};

G_DEFINE_FINAL_TYPE (MwWindow, mw_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_LOG_VISIBLE,
  PROP_HAS_ACCOUNT,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

#define MAX_SHOWN_SIZE (4 * 1024 * 1024)

static void start_demo (MwWindow *self);
static void compose_sent_cb (MwWindow        *self,
                             GBytes          *message,
                             MwComposeWindow *compose);
static void show_error (MwWindow     *self,
                        const char   *title,
                        const GError *error);

MwWindow *
mw_window_new (MwApplication *application)
{
  MwWindow *self;

  g_return_val_if_fail (MW_IS_APPLICATION (application), NULL);

  self = g_object_new (MW_TYPE_WINDOW, "application", application, NULL);
  if (mw_application_get_demo (application))
    start_demo (self);
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "win.reload-accounts", NULL);
  return self;
}

MwTranscript *
mw_window_get_transcript (MwWindow *self)
{
  g_return_val_if_fail (MW_IS_WINDOW (self), NULL);
  return self->transcript;
}

MwLogView *
mw_window_get_log_view (MwWindow *self)
{
  g_return_val_if_fail (MW_IS_WINDOW (self), NULL);
  return self->log_view;
}

GListStore *
mw_window_get_server_messages (MwWindow *self)
{
  g_return_val_if_fail (MW_IS_WINDOW (self), NULL);
  return self->server_messages;
}

GListModel *
mw_window_get_visible_messages (MwWindow *self)
{
  g_return_val_if_fail (MW_IS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->selection);
}

gboolean
mw_window_get_log_visible (MwWindow *self)
{
  g_return_val_if_fail (MW_IS_WINDOW (self), FALSE);
  return self->log_visible;
}

void
mw_window_set_log_visible (MwWindow *self,
                           gboolean  visible)
{
  g_return_if_fail (MW_IS_WINDOW (self));

  visible = !!visible;
  if (self->log_visible == visible)
    return;
  self->log_visible = visible;
  gtk_widget_set_visible (GTK_WIDGET (self->log_view), visible);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG_VISIBLE]);
}

gboolean
mw_window_get_has_account (MwWindow *self)
{
  g_return_val_if_fail (MW_IS_WINDOW (self), FALSE);
  return self->host != NULL && self->pop3_port != 0;
}

void
mw_window_toast (MwWindow   *self,
                 const char *text)
{
  g_return_if_fail (MW_IS_WINDOW (self));

  if (self->toast_overlay == NULL)
    return;
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

/* Closures for the message list. */

static char *
summary_status_icon (gpointer       item,
                     MwMessageFlags flags)
{
  const char *icon = mw_format_status_icon (flags);

  if (icon == NULL && GTK_IS_LIST_ITEM (item))
    icon = mw_outbox_view_status_icon (gtk_list_item_get_item (item));
  return g_strdup (icon);
}

static char *
summary_status_text (gpointer       item,
                     MwMessageFlags flags,
                     const char    *problem)
{
  if (GTK_IS_LIST_ITEM (item) && mw_outbox_view_status_text (gtk_list_item_get_item (item)) != NULL)
    return g_strdup (mw_outbox_view_status_text (gtk_list_item_get_item (item)));
  return mw_format_status_text (flags, problem);
}

static guint
summary_status_rank (MwMessageSummary *summary)
{
  MwMessageFlags flags = mw_message_summary_get_flags (summary);

  if (flags & MW_MESSAGE_FLAG_DELETED)
    return 3;
  if (mw_format_status_icon (flags) != NULL && !(flags & MW_MESSAGE_FLAG_DOWNLOADED))
    return 2;
  if (flags & MW_MESSAGE_FLAG_DOWNLOADED)
    return 1;
  return 0;
}

static gint64
summary_date_unix (MwMessageSummary *summary,
                   GDateTime        *date)
{
  return date != NULL ? g_date_time_to_unix (date) : G_MININT64;
}

static char *
summary_date_text (gpointer   item,
                   GDateTime *date)
{
  return mw_format_date (date, NULL);
}

static char *
summary_size_text (gpointer item,
                   guint64  size)
{
  return mw_format_size (size);
}

/* The list's cells. They are made in code: a GtkBuilderListItemFactory
 * parses its template for every row it creates, which froze the window
 * for a third of a second when the first rows of a listing appeared. */

typedef enum
{
  CELL_STATUS,
  CELL_FROM,
  CELL_SUBJECT,
  CELL_DATE,
  CELL_SIZE,
  N_CELLS,
} CellKind;

static void
cell_update (GtkListItem *list_item)
{
  MwMessageSummary *summary = gtk_list_item_get_item (list_item);
  GtkWidget        *child = gtk_list_item_get_child (list_item);
  g_autofree char  *text = NULL;
  g_autofree char  *tooltip = NULL;

  if (summary == NULL || child == NULL)
    return;
  switch (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (list_item), "mw-cell")))
    {
    case CELL_STATUS:
      text = summary_status_icon (list_item, mw_message_summary_get_flags (summary));
      tooltip = summary_status_text (list_item, mw_message_summary_get_flags (summary),
                                     mw_message_summary_get_problem (summary));
      gtk_image_set_from_icon_name (GTK_IMAGE (child), text);
      gtk_widget_set_tooltip_text (child, tooltip);
      return;
    case CELL_FROM:
      gtk_inscription_set_text (GTK_INSCRIPTION (child), mw_message_summary_get_from (summary));
      gtk_widget_set_tooltip_text (child, mw_message_summary_get_from_address (summary));
      return;
    case CELL_SUBJECT:
      gtk_inscription_set_text (GTK_INSCRIPTION (child), mw_message_summary_get_subject (summary));
      return;
    case CELL_DATE:
      text = summary_date_text (list_item, mw_message_summary_get_date (summary));
      break;
    case CELL_SIZE:
    default:
      text = summary_size_text (list_item, mw_message_summary_get_size (summary));
      break;
    }
  gtk_inscription_set_text (GTK_INSCRIPTION (child), text);
}

static void
cell_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  user_data)
{
  CellKind   kind = GPOINTER_TO_INT (user_data);
  GtkWidget *child;

  g_object_set_data (G_OBJECT (list_item), "mw-cell", user_data);
  if (kind == CELL_STATUS)
    {
      gtk_list_item_set_child (list_item, gtk_image_new ());
      return;
    }
  child = gtk_inscription_new (NULL);
  switch (kind)
    {
    case CELL_FROM:
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (child), 24);
      break;
    case CELL_SUBJECT:
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (child), 40);
      gtk_widget_set_hexpand (child, TRUE);
      break;
    case CELL_DATE:
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (child), 12);
      gtk_widget_add_css_class (child, "numeric");
      break;
    case CELL_SIZE:
    case CELL_STATUS:
    case N_CELLS:
    default:
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (child), 8);
      gtk_inscription_set_xalign (GTK_INSCRIPTION (child), 1.0f);
      gtk_widget_add_css_class (child, "numeric");
      break;
    }
  if (kind != CELL_SIZE)
    gtk_inscription_set_text_overflow (GTK_INSCRIPTION (child), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_list_item_set_child (list_item, child);
}

/* Flags change while a row is shown (downloaded, deleted, too large). */
static void
cell_notify_cb (MwMessageSummary *summary,
                GParamSpec       *pspec,
                GtkListItem      *list_item)
{
  cell_update (list_item);
}

static void
cell_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  cell_update (list_item);
  g_signal_connect_object (gtk_list_item_get_item (list_item), "notify", G_CALLBACK (cell_notify_cb),
                           list_item, 0);
}

static void
cell_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                gpointer                  user_data)
{
  gpointer item = gtk_list_item_get_item (list_item);

  if (item != NULL)
    g_signal_handlers_disconnect_by_func (item, cell_notify_cb, list_item);
}

static void
set_cell_factories (MwWindow *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->message_view);

  g_assert (g_list_model_get_n_items (columns) == N_CELLS);
  for (guint i = 0; i < N_CELLS; i++)
    {
      g_autoptr (GtkColumnViewColumn) column = g_list_model_get_item (columns, i);
      g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

      g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), GINT_TO_POINTER (i));
      g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), GINT_TO_POINTER (i));
      g_signal_connect (factory, "unbind", G_CALLBACK (cell_unbind_cb), GINT_TO_POINTER (i));
      gtk_column_view_column_set_factory (column, factory);
    }
}

/* The list and the reader. */

static GListModel *
folder_store (MwWindow      *self,
              GtkListBoxRow *row)
{
  const char *name = row != NULL ? gtk_widget_get_name (GTK_WIDGET (row)) : "server";

  if (g_str_equal (name, "downloaded"))
    return G_LIST_MODEL (self->downloaded_messages);
  if (g_str_equal (name, "outbox"))
    return G_LIST_MODEL (self->outbox_messages);
  if (g_str_equal (name, "sent"))
    return G_LIST_MODEL (self->sent_messages);
  return G_LIST_MODEL (self->server_messages);
}

/* Local folders: MwFolder lists the Maildir, each item shown as a summary
 * so that the list's columns, sorting and search serve every folder. */

static gpointer
folder_item_to_summary (gpointer item,
                        gpointer user_data)
{
  g_autoptr (MwFolderItem) folder_item = item;
  MwFolder         *folder = user_data;
  MwMessageSummary *summary;

  summary = mw_message_summary_new (0, mw_folder_item_get_size (folder_item));
  mw_message_summary_set_listed (summary, mw_folder_item_get_from (folder_item),
                                 mw_folder_item_get_subject (folder_item),
                                 mw_folder_item_get_date (folder_item),
                                 mw_folder_item_get_message_id (folder_item));
  g_object_set_data_full (G_OBJECT (summary), "path",
                          g_build_filename (mw_maildir_get_path (mw_folder_get_maildir (folder)),
                                            mw_folder_item_get_subdir (folder_item),
                                            mw_folder_item_get_name (folder_item), NULL),
                          g_free);
  if (g_object_get_data (G_OBJECT (folder), "mw-outbox") != NULL)
    mw_outbox_view_annotate (summary, g_object_get_data (G_OBJECT (folder), "mw-outbox"),
                             mw_folder_item_get_name (folder_item));
  return summary;
}

static GtkMapListModel *
folder_model (MwWindow       *self,
              MwMaildirFolder which)
{
  switch (which)
    {
    case MW_MAILDIR_FOLDER_DOWNLOADED:
      return self->downloaded_messages;
    case MW_MAILDIR_FOLDER_SENT:
      return self->sent_messages;
    case MW_MAILDIR_FOLDER_OUTBOX:
    default:
      return self->outbox_messages;
    }
}

static void
folder_refresh_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (MwWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!mw_folder_refresh_finish (MW_FOLDER (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_error (self, _ ("Could not list the local folder"), error);
}

static void
folder_open_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (MwWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!mw_maildir_open_finish (MW_MAILDIR (object), result, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, _ ("Could not open the local folder"), error);
      return;
    }
  /* Choosing an account again replaces the folders while they open. */
  for (guint i = 0; i < G_N_ELEMENTS (self->folders); i++)
    if (self->folders[i] != NULL && mw_folder_get_maildir (self->folders[i]) == MW_MAILDIR (object))
      mw_folder_refresh_async (self->folders[i], self->cancellable, folder_refresh_cb,
                               g_object_ref (self));
}

static void
folder_refresh (MwWindow       *self,
                MwMaildirFolder which)
{
  MwFolder *folder = self->folders[which];

  if (folder == NULL)
    return;
  mw_maildir_open_async (mw_folder_get_maildir (folder), self->cancellable, folder_open_cb,
                         g_object_ref (self));
}

static void index_loaded_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data);

/* @index records which server messages are in @downloaded. */
static void
set_local_folders (MwWindow   *self,
                   MwMaildir  *downloaded,
                   MwMaildir  *sent,
                   MwMaildir  *outbox,
                   MwUidIndex *index)
{
  MwMaildir *maildirs[] = { downloaded, sent, outbox };

  g_clear_object (&self->local);
  self->local = g_object_ref (downloaded);
  g_set_object (&self->index, index);
  mw_uid_index_load_async (index, self->cancellable, index_loaded_cb, g_object_ref (self));
  for (guint i = 0; i < G_N_ELEMENTS (maildirs); i++)
    {
      GtkMapListModel *model = folder_model (self, i);

      g_clear_object (&self->folders[i]);
      self->folders[i] = mw_folder_new (maildirs[i], NULL);
      gtk_map_list_model_set_map_func (model, folder_item_to_summary,
                                       g_object_ref (self->folders[i]), g_object_unref);
      gtk_map_list_model_set_model (model, G_LIST_MODEL (self->folders[i]));
      folder_refresh (self, i);
    }
}

/* The Outbox folder shows what the account's outbox knows of each message,
 * and follows it. */
static void
outbox_changed_cb (MwWindow *self)
{
  MwFolder *folder = self->folders[MW_MAILDIR_FOLDER_OUTBOX];

  if (folder != NULL)
    gtk_map_list_model_set_map_func (self->outbox_messages, folder_item_to_summary,
                                     g_object_ref (folder), g_object_unref);
  folder_refresh (self, MW_MAILDIR_FOLDER_OUTBOX);
  folder_refresh (self, MW_MAILDIR_FOLDER_SENT);
}

static void
set_outbox (MwWindow *self,
            MwOutbox *outbox)
{
  if (self->outbox != NULL)
    g_signal_handlers_disconnect_by_func (self->outbox, outbox_changed_cb, self);
  g_set_object (&self->outbox, outbox);
  if (self->folders[MW_MAILDIR_FOLDER_OUTBOX] != NULL)
    g_object_set_data_full (G_OBJECT (self->folders[MW_MAILDIR_FOLDER_OUTBOX]), "mw-outbox",
                            outbox != NULL ? g_object_ref (outbox) : NULL, g_object_unref);
  if (outbox != NULL)
    g_signal_connect_object (outbox, "items-changed", G_CALLBACK (outbox_changed_cb), self,
                             G_CONNECT_SWAPPED);
  outbox_changed_cb (self);
}

static MwSendQueue *
send_queue (MwWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return MW_IS_APPLICATION (app) ? mw_application_get_send_queue (MW_APPLICATION (app)) : NULL;
}

static void
update_list_page (MwWindow *self)
{
  GListModel      *base = gtk_filter_list_model_get_model (self->filter_model);
  guint            n_all = base != NULL ? g_list_model_get_n_items (base) : 0;
  guint            n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  const char      *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *count = NULL;

  if (n_shown > 0 || (n_all > 0 && gtk_filter_list_model_get_pending (self->filter_model) > 0))
    {
      gtk_stack_set_visible_child_name (self->list_stack, "list");
    }
  else if (n_all > 0 && search != NULL && *search != '\0')
    {
      adw_status_page_set_icon_name (self->empty_page, "edit-find-symbolic");
      adw_status_page_set_title (self->empty_page, _ ("No Results"));
      adw_status_page_set_description (self->empty_page, _ ("No sender or subject matches the search."));
      gtk_stack_set_visible_child_name (self->list_stack, "empty");
    }
  else
    {
      GListModel *store = base;

      adw_status_page_set_icon_name (self->empty_page, "mail-read-symbolic");
      adw_status_page_set_title (self->empty_page, _ ("No Messages"));
      if (store == G_LIST_MODEL (self->server_messages))
        adw_status_page_set_description (self->empty_page,
                                         _ ("Get Mail lists the messages on the server from their headers, without downloading them."));
      else if (store == G_LIST_MODEL (self->outbox_messages))
        adw_status_page_set_description (self->empty_page, _ ("Messages waiting to be sent appear here."));
      else if (store == G_LIST_MODEL (self->sent_messages))
        adw_status_page_set_description (self->empty_page, _ ("Messages the server accepted appear here."));
      else
        adw_status_page_set_description (self->empty_page, _ ("Messages you open or download are kept here."));
      gtk_stack_set_visible_child_name (self->list_stack, "empty");
    }

  n_all = g_list_model_get_n_items (G_LIST_MODEL (self->server_messages));
  if (n_all > 0)
    count = g_strdup_printf ("%u", n_all);
  gtk_label_set_label (self->server_count, count != NULL ? count : "");
}

static void
show_summary (MwWindow         *self,
              MwMessageSummary *summary)
{
  g_autofree char *date = NULL;
  GtkTextBuffer   *buffer = gtk_text_view_get_buffer (self->reader_body);
  const char      *problem;
  const char      *subject;

  if (summary == NULL)
    {
      gtk_revealer_set_reveal_child (self->outbox_actions_revealer, FALSE);
      gtk_stack_set_visible_child_name (self->reader_stack, "none");
      gtk_text_buffer_set_text (buffer, "", 0);
      return;
    }

  subject = mw_message_summary_get_subject (summary);
  gtk_label_set_label (self->reader_subject,
                       subject != NULL && *subject != '\0' ? subject : _ ("(No subject)"));
  gtk_label_set_label (self->reader_from, mw_message_summary_get_from (summary));
  gtk_label_set_label (self->reader_to, mw_message_summary_get_to (summary));
  if (mw_message_summary_get_date (summary) != NULL)
    date = g_date_time_format (mw_message_summary_get_date (summary), "%c");
  gtk_label_set_label (self->reader_date, date != NULL ? date : "");

  problem = mw_message_summary_get_problem (summary);
  if (problem == NULL)
    problem = mw_outbox_view_status_text (summary);
  gtk_revealer_set_reveal_child (self->outbox_actions_revealer,
                                 g_object_get_data (G_OBJECT (summary), "outbox-id") != NULL);
  gtk_label_set_label (self->problem_label, problem != NULL ? problem : "");
  gtk_revealer_set_reveal_child (self->problem_revealer, problem != NULL && *problem != '\0');

  gtk_text_buffer_set_text (buffer, "", 0);
  gtk_stack_set_visible_child_name (self->reader_stack, "message");
}

/* The reader's preview: the headers and first lines from TOP, in a
 * session of its own that ends as soon as they are here. */

#define PREVIEW_LINES 40

typedef struct
{
  MwMessageSummary *summary;
  GOutputStream    *sink;
} Preview;

static void
preview_free (Preview *preview)
{
  g_clear_object (&preview->summary);
  g_clear_object (&preview->sink);
  g_free (preview);
}

static gboolean      has_account (MwWindow *self);
static MwPop3Client *pop3_client_new (MwWindow *self);

static void
set_reader_text (MwWindow   *self,
                 const char *text)
{
  if (self->reader_body == NULL)
    return;
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->reader_body), text, -1);
}

static void
preview_quit_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  mw_pop3_client_quit_finish (MW_POP3_CLIENT (object), result, NULL, NULL);
}

static void selection_changed_cb (MwWindow *self);

/* A certificate the account does not trust yet: ask, pin it, go again. */
static gboolean
offer_trust (MwWindow              *self,
             MwPop3Client          *client,
             const GError          *error,
             MwCertificateRetryFunc retry,
             gpointer               data,
             GDestroyNotify         destroy)
{
  if (self->account == NULL || self->demo != NULL)
    {
      if (destroy != NULL)
        destroy (data);
      return FALSE;
    }
  return mw_certificate_trust_offer (GTK_WINDOW (self), G_OBJECT (self), self->accounts,
                                     self->account, MW_PROTOCOL_POP3, self->host, error,
                                     mw_pop3_client_get_certificate_info (client),
                                     retry, data, destroy);
}

static void
retry_action (GObject *owner,
              gpointer action)
{
  gtk_widget_activate_action (GTK_WIDGET (owner), action, NULL);
}

static void
retry_preview (GObject *owner,
               gpointer data)
{
  selection_changed_cb (MW_WINDOW (owner));
}

static void
preview_end (MwWindow     *self,
             MwPop3Client *client,
             GTask        *task)
{
  if (mw_pop3_client_get_state (client) == MW_POP3_STATE_TRANSACTION)
    mw_pop3_client_quit_async (client, NULL, preview_quit_cb, NULL);
  else
    mw_pop3_client_close (client);
  if (self->preview_pop3 == client)
    g_clear_object (&self->preview_pop3);
  g_task_return_boolean (task, TRUE);

  /* The selection moved while this session held the maildrop. */
  if (self->preview_again)
    {
      self->preview_again = FALSE;
      selection_changed_cb (self);
    }
}

static void
preview_top_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwWindow *self = g_task_get_source_object (task);
  Preview  *preview = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  MwPop3Client *client = MW_POP3_CLIENT (object);

  if (!mw_pop3_client_top_finish (client, result, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_reader_text (self, error->message);
    }
  else if (gtk_single_selection_get_selected_item (self->selection) == preview->summary)
    {
      GMemoryOutputStream *mem = G_MEMORY_OUTPUT_STREAM (preview->sink);
      g_autofree char     *text = NULL;
      gboolean             html = FALSE;

      g_output_stream_close (preview->sink, NULL, NULL);
      text = mw_message_text_extract (g_memory_output_stream_get_data (mem),
                                      g_memory_output_stream_get_data_size (mem), &html);
      if (html)
        {
          char *labelled = g_strdup_printf ("%s\n\n%s", _ ("This message has only an HTML version; its text:"), text);

          g_free (text);
          text = labelled;
        }
      set_reader_text (self, text);
    }
  preview_end (self, client, task);
}

static void
preview_uidl_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwWindow *self = g_task_get_source_object (task);
  Preview  *preview = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autofree char *uid = NULL;
  MwPop3Client    *client = MW_POP3_CLIENT (object);
  const char      *expected = mw_message_summary_get_uid (preview->summary);

  uid = mw_pop3_client_uidl_one_finish (client, result, &error);
  /* Numbers hold for one session: make sure this is still the message. */
  if (expected != NULL && uid != NULL && !g_str_equal (uid, expected))
    {
      set_reader_text (self, _ ("The mailbox changed since it was listed. Get Mail to list it again."));
      preview_end (self, client, task);
      return;
    }

  preview->sink = g_memory_output_stream_new_resizable ();
  /* The same message as listed: its size bounds the reply. */
  if (expected != NULL && g_strcmp0 (uid, expected) == 0)
    mw_pop3_client_set_message_size (client, mw_message_summary_get_number (preview->summary),
                                     mw_message_summary_get_size (preview->summary));
  mw_pop3_client_top_async (client, mw_message_summary_get_number (preview->summary),
                            PREVIEW_LINES, preview->sink,
                            g_task_get_cancellable (task), preview_top_cb, g_object_ref (task));
}

static void
preview_connect_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwWindow *self = g_task_get_source_object (task);
  Preview  *preview = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  MwPop3Client *client = MW_POP3_CLIENT (object);

  if (!mw_pop3_client_connect_finish (client, result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_reader_text (self, error->message);
      offer_trust (self, client, error, retry_preview, NULL, NULL);
      preview_end (self, client, task);
      return;
    }
  mw_pop3_client_uidl_one_async (client, mw_message_summary_get_number (preview->summary),
                                 g_task_get_cancellable (task), preview_uidl_cb, g_object_ref (task));
}

static void
preview_cancel (MwWindow *self)
{
  if (self->preview_cancellable != NULL)
    g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  if (self->preview_pop3 != NULL)
    mw_pop3_client_close (self->preview_pop3);
  g_clear_object (&self->preview_pop3);
}

static void
preview_start (MwWindow         *self,
               MwMessageSummary *summary)
{
  g_autoptr (GTask) task = NULL;
  Preview *preview;

  /* Sessions one after the other: the server locks the maildrop. */
  if (self->preview_pop3 != NULL)
    {
      self->preview_again = TRUE;
      return;
    }
  /* One session at a time holds the maildrop: the listing's QUIT starts
   * the preview again. */
  if (!has_account (self) || self->pop3 != NULL || self->delete_pop3 != NULL ||
      self->open_pop3 != NULL)
    return;
  if (mw_message_summary_get_flags (summary) & MW_MESSAGE_FLAG_NO_HEADERS)
    return;

  set_reader_text (self, _ ("Loading the first lines from the server…"));
  self->preview_cancellable = g_cancellable_new ();
  preview = g_new0 (Preview, 1);
  preview->summary = g_object_ref (summary);
  task = g_task_new (self, self->preview_cancellable, NULL, NULL);
  g_task_set_task_data (task, preview, (GDestroyNotify) preview_free);

  self->preview_pop3 = pop3_client_new (self);
  mw_pop3_client_connect_async (self->preview_pop3, self->preview_cancellable,
                                preview_connect_cb, g_steal_pointer (&task));
}

/* The whole message in the reader: its raw bytes for Save as .eml, Reply
 * and Forward, and its attachments. */

static void
update_reader_actions (MwWindow *self)
{
  gboolean whole = self->reader_raw != NULL;
  gboolean listed = FALSE;

  /* A message only listed on the server is downloaded first. */
  if (self->selection != NULL && gtk_single_selection_get_selected_item (self->selection) != NULL)
    listed = gtk_filter_list_model_get_model (self->filter_model) == G_LIST_MODEL (self->server_messages);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-eml", whole);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-eml-to", whole);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reply", whole || listed);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reply-all", whole || listed);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.forward", whole || listed);
}

static void
reader_clear (MwWindow *self)
{
  GtkWidget *row;

  g_clear_pointer (&self->reader_path, g_free);
  g_clear_pointer (&self->reader_raw, g_bytes_unref);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);
  if (self->attachments_list != NULL)
    {
      while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->attachments_list))) != NULL)
        gtk_list_box_remove (self->attachments_list, row);
      gtk_revealer_set_reveal_child (self->attachments_revealer, FALSE);
    }
  update_reader_actions (self);
}

static GtkWidget *
attachment_row_new (MwMessageAttachment *attachment,
                    guint                index)
{
  g_autofree char *size = mw_format_size (g_bytes_get_size (attachment->data));
  g_autofree char *subtitle = g_strdup_printf ("%s · %s", attachment->content_type, size);
  g_autofree char *tooltip = g_strdup_printf (_ ("Save “%s” As…"), attachment->name);
  GtkWidget       *row = adw_action_row_new ();
  GtkWidget       *button = gtk_button_new_from_icon_name ("document-save-as-symbolic");

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), attachment->name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("mail-attachment-symbolic"));
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.save-attachment");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "u", index);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
  return row;
}

static void             run_draft (MwWindow   *self,
                                   const char *kind);
static MwComposeWindow *compose_new (MwWindow *self);

static void
reader_loaded (MwWindow   *self,
               const char *data,
               gsize       len)
{
  g_clear_pointer (&self->reader_raw, g_bytes_unref);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);
  self->reader_raw = g_bytes_new (data, len);
  self->attachments = mw_message_text_list_attachments (data, len);
  for (guint i = 0; i < self->attachments->len; i++)
    gtk_list_box_append (self->attachments_list,
                         attachment_row_new (g_ptr_array_index (self->attachments, i), i));
  gtk_revealer_set_reveal_child (self->attachments_revealer, self->attachments->len > 0);
  update_reader_actions (self);

  if (self->pending_draft != NULL)
    {
      g_autofree char *kind = g_steal_pointer (&self->pending_draft);

      run_draft (self, kind);
    }
}

/* A local message: read from its file and shown decoded. */

static void
local_loaded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (MwWindow) self = user_data;
  g_autofree char *data = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = g_file_get_path (G_FILE (object));
  g_autoptr (GError) error = NULL;
  gsize             len = 0;
  MwMessageSummary *summary;

  if (!g_file_load_contents_finish (G_FILE (object), result, &data, &len, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          g_strcmp0 (self->reader_path, path) == 0)
        set_reader_text (self, error->message);
      return;
    }
  if (self->selection == NULL || g_strcmp0 (self->reader_path, path) != 0)
    return;
  /* The listing has no To: read it, with the rest, from the file. */
  summary = gtk_single_selection_get_selected_item (self->selection);
  if (summary != NULL && g_strcmp0 (g_object_get_data (G_OBJECT (summary), "path"), path) == 0)
    {
      mw_message_summary_set_headers (summary, data, len);
      show_summary (self, summary);
    }
  text = mw_message_text_extract (data, len, NULL);
  set_reader_text (self, text);
  reader_loaded (self, data, len);
}

static void
local_show (MwWindow         *self,
            MwMessageSummary *summary)
{
  const char *path = g_object_get_data (G_OBJECT (summary), "path");
  g_autoptr (GFile) file = g_file_new_for_path (path);

  self->reader_path = g_strdup (path);
  if (mw_message_summary_get_size (summary) > MAX_SHOWN_SIZE)
    {
      set_reader_text (self, _ ("The message is too large to show here."));
      return;
    }
  g_file_load_contents_async (file, self->cancellable, local_loaded_cb, g_object_ref (self));
}

/* The local copy of a server message, by Message-ID. */
static MwMessageSummary *
find_local (MwWindow         *self,
            MwMessageSummary *summary)
{
  GListModel *model = G_LIST_MODEL (self->downloaded_messages);
  const char *id = mw_message_summary_get_message_id (summary);

  if (id == NULL || *id == '\0')
    return NULL;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (MwMessageSummary) local = g_list_model_get_item (model, i);

      if (g_strcmp0 (mw_message_summary_get_message_id (local), id) == 0)
        return g_steal_pointer (&local);
    }
  return NULL;
}

static void
selection_changed_cb (MwWindow *self)
{
  MwMessageSummary *summary;
  GListModel       *base;

  /* Sessions may end after the window is gone. */
  if (self->selection == NULL)
    return;

  summary = gtk_single_selection_get_selected_item (self->selection);
  base = gtk_filter_list_model_get_model (self->filter_model);

  show_summary (self, summary);
  reader_clear (self);
  g_clear_pointer (&self->pending_draft, g_free);
  if (summary != NULL && base == G_LIST_MODEL (self->server_messages))
    {
      MwMessageSummary *local = NULL;

      /* A message downloaded before is read whole from its local copy. */
      if (mw_message_summary_get_flags (summary) & MW_MESSAGE_FLAG_DOWNLOADED)
        local = find_local (self, summary);
      if (local == NULL)
        {
          preview_start (self, summary);
          return;
        }
      preview_cancel (self);
      local_show (self, local);
      g_object_unref (local);
      return;
    }
  preview_cancel (self);
  if (summary != NULL && g_object_get_data (G_OBJECT (summary), "path") != NULL)
    local_show (self, summary);
}

static void
folder_selected_cb (MwWindow      *self,
                    GtkListBoxRow *row)
{
  GListModel *store;
  GtkWidget  *label;

  /* The list box reports the selection going away as it is destroyed. */
  if (self->filter_model == NULL)
    return;

  store = folder_store (self, row);
  gtk_filter_list_model_set_model (self->filter_model, store);
  for (guint i = 0; i < G_N_ELEMENTS (self->folders); i++)
    if (store == G_LIST_MODEL (folder_model (self, i)))
      folder_refresh (self, i);
  label = row != NULL ? gtk_widget_get_first_child (gtk_list_box_row_get_child (row)) : NULL;
  if (label != NULL)
    label = gtk_widget_get_next_sibling (label);
  if (GTK_IS_LABEL (label))
    adw_window_title_set_title (self->window_title, gtk_label_get_label (GTK_LABEL (label)));
  update_list_page (self);
}

/* Actions. */

static gboolean
has_account (MwWindow *self)
{
  return self->host != NULL && self->pop3_port != 0;
}

static MwPop3Client *
pop3_client_new (MwWindow *self)
{
  MwPop3Client *client;

  client = mw_pop3_client_new (self->host, self->pop3_port, self->security, self->transcript);
  mw_pop3_client_set_user (client, self->user);
  mw_pop3_client_set_password (client, self->password);
  mw_pop3_client_set_allow_plaintext (client, self->allow_plaintext);
  if (self->account != NULL && self->demo == NULL)
    mw_pop3_client_set_pinned_fingerprint (client, mw_account_get_pop3_fingerprint (self->account));
  return client;
}

static void
show_error (MwWindow     *self,
            const char   *what,
            const GError *error)
{
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  text = mw_error_text_format (what, error);
  mw_window_toast (self, text);
}

/* A failure the user may want to try again: the toast stays until it is
 * dismissed, with a button that runs @action_name again. Libadwaita 1.2
 * has no banner; this is its closest equivalent. */
static void
toast_retry (MwWindow   *self,
             const char *text,
             const char *action_name)
{
  AdwToast *toast;

  if (self->toast_overlay == NULL)
    return;
  toast = adw_toast_new (text);
  adw_toast_set_timeout (toast, 0);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_button_label (toast, _ ("_Try Again"));
  adw_toast_set_action_name (toast, action_name);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
show_error_retry (MwWindow     *self,
                  const char   *what,
                  const GError *error,
                  const char   *action_name)
{
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  text = mw_error_text_format (what, error);
  toast_retry (self, text, action_name);
}

/* A listing at least this long is sorted when it pauses, not as it comes. */
#define UNSORTED_STREAM_MIN 2000

static gboolean
resort_cb (gpointer user_data)
{
  MwWindow *self = user_data;

  if (self->pending->len > 0 || g_get_monotonic_time () - self->last_summary < 300 * G_TIME_SPAN_MILLISECOND)
    return G_SOURCE_CONTINUE;
  self->resort_id = 0;
  gtk_sort_list_model_set_sorter (self->sort_model, gtk_column_view_get_sorter (self->message_view));
  return G_SOURCE_REMOVE;
}

/* While the list holds fewer than RAMP_ROWS rows, RAMP_BATCH rows at a
 * time go in, every RAMP_INTERVAL_MS. */
#define RAMP_ROWS        400
#define RAMP_BATCH       20
#define RAMP_INTERVAL_MS 10

static gboolean
flush_pending (gpointer user_data)
{
  MwWindow *self = user_data;
  guint     n;
  guint     take;

  self->flush_id = 0;
  if (self->pending->len == 0 || self->server_messages == NULL)
    return G_SOURCE_REMOVE;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->server_messages));
  /* New rows would make a sort still under way finish at once. */
  if (gtk_sort_list_model_get_pending (self->sort_model) > 0)
    {
      self->flush_id = g_timeout_add (50, flush_pending, self);
      return G_SOURCE_REMOVE;
    }
  /* In a long listing, each batch would make the sorted list move rows
   * all over, and the column view go through every one of them: the
   * window froze for most of the listing. Rows are shown as they come
   * until the listing pauses, then sorted once. */
  if (n + self->pending->len >= UNSORTED_STREAM_MIN && self->resort_id == 0)
    {
      gtk_sort_list_model_set_sorter (self->sort_model, NULL);
      self->resort_id = g_timeout_add (100, resort_cb, self);
    }

  /* One items-changed for the whole batch, except while the list fills
   * its first screens: the column view then builds a row of widgets for
   * each new item, up to a few hundred, all at once. Small batches spread
   * that over frames (one batch of 600 rows froze the window for 250 ms). */
  take = n < RAMP_ROWS ? MIN (self->pending->len, RAMP_BATCH) : self->pending->len;
  g_list_store_splice (self->server_messages, n, 0, self->pending->pdata, take);
  g_ptr_array_remove_range (self->pending, 0, take);
  if (self->pending->len > 0)
    self->flush_id = g_timeout_add (RAMP_INTERVAL_MS, flush_pending, self);
  return G_SOURCE_REMOVE;
}

static void flag_downloaded (MwWindow         *self,
                             MwMessageSummary *summary);

/* The demo account downloads at most this much, so that its 30 MB message
 * shows what a message over the limit looks like. */
#define DEMO_DOWNLOAD_LIMIT (G_GUINT64_CONSTANT (25) * 1024 * 1024)

/* Download New leaves larger messages on the server; 0: no limit. */
static guint64
download_limit (MwWindow *self)
{
  if (self->demo != NULL)
    return DEMO_DOWNLOAD_LIMIT;
  return self->account != NULL ? mw_account_get_max_size (self->account) : 0;
}

static void
summary_cb (MwWindow         *self,
            MwMessageSummary *summary,
            MwPop3Client     *client)
{
  flag_downloaded (self, summary);
  if (download_limit (self) > 0 && mw_message_summary_get_size (summary) > download_limit (self))
    mw_message_summary_add_flags (summary, MW_MESSAGE_FLAG_OVERSIZE);
  g_ptr_array_add (self->pending, g_object_ref (summary));
  self->last_summary = g_get_monotonic_time ();
  if (self->flush_id == 0)
    self->flush_id = g_timeout_add (50, flush_pending, self);
}

void
mw_window_add_server_summary (MwWindow         *self,
                              MwMessageSummary *summary)
{
  g_return_if_fail (MW_IS_WINDOW (self));
  g_return_if_fail (MW_IS_MESSAGE_SUMMARY (summary));
  summary_cb (self, summary, NULL);
}

static void
progress_cb (MwWindow     *self,
             guint         done,
             guint         total,
             MwPop3Client *client)
{
  gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? (double) done / total : 1.0);
}

static void
set_busy (MwWindow *self,
          gboolean  busy)
{
  if (self->progress_bar == NULL)
    return;
  gtk_widget_set_visible (self->progress_box, busy);
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.get-mail", !busy && has_account (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.download-new", !busy && has_account (self));
  /* Only listing and downloading stop: a deletion ends with QUIT, whose
   * outcome must be known. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop",
                                 busy && (self->pop3 != NULL || self->open_pop3 != NULL || self->fetch_pop3 != NULL));
}

/* A fresh cancellable for the next Get Mail or Open. */
static GCancellable *
op_cancellable (MwWindow *self)
{
  if (self->op_cancellable == NULL || g_cancellable_is_cancelled (self->op_cancellable))
    {
      g_clear_object (&self->op_cancellable);
      self->op_cancellable = g_cancellable_new ();
    }
  return self->op_cancellable;
}

/* The user pressed Stop, as opposed to the window closing. */
static gboolean
stopped (MwWindow     *self,
         const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
         !g_cancellable_is_cancelled (self->cancellable);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MwWindow *self = MW_WINDOW (widget);

  if (self->op_cancellable != NULL)
    g_cancellable_cancel (self->op_cancellable);
}

static void delete_start (MwWindow         *self,
                          MwMessageSummary *summary);

static void
quit_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (MwWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  gboolean committed = FALSE;

  if (!mw_pop3_client_quit_finish (MW_POP3_CLIENT (object), result, &committed, &error))
    g_debug ("QUIT failed: %s", error->message);
  if (self->pop3 == MW_POP3_CLIENT (object))
    g_clear_object (&self->pop3);
  set_busy (self, FALSE);
  if (self->open_pending)
    {
      self->open_pending = FALSE;
      gtk_widget_activate_action (GTK_WIDGET (self), "win.open", NULL);
    }
  else if (self->delete_pending != NULL)
    {
      g_autoptr (MwMessageSummary) pending = g_steal_pointer (&self->delete_pending);

      delete_start (self, pending);
    }
  else
    selection_changed_cb (self);
}

static void
seen_saved_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  /* Not recorded: the next background check announces them, nothing worse. */
  if (!mw_seen_uids_save_finish (result, &error))
    g_debug ("Could not record the messages listed: %s", error->message);
}

/* What the user saw listed is not new to them: background checks announce
 * only what came after. */
static void
note_listed (MwWindow  *self,
             GPtrArray *summaries)
{
  g_autoptr (GStrvBuilder) builder = NULL;
  g_auto (GStrv) uids = NULL;

  if (self->account == NULL || self->demo != NULL)
    return;
  builder = g_strv_builder_new ();
  for (guint i = 0; i < summaries->len; i++)
    {
      const char *uid = mw_message_summary_get_uid (g_ptr_array_index (summaries, i));

      if (uid != NULL && *uid != '\0')
        g_strv_builder_add (builder, uid);
    }
  uids = g_strv_builder_end (builder);
  mw_seen_uids_save_async (mw_account_get_id (self->account), (const char *const *) uids, NULL,
                           seen_saved_cb, NULL);
}

static void
previews_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (MwWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) summaries = NULL;
  MwPop3Client *client = MW_POP3_CLIENT (object);

  summaries = mw_pop3_client_previews_finish (client, result, &error);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  flush_pending (self);
  g_signal_handlers_disconnect_by_data (client, self);

  if (summaries == NULL)
    {
      if (!stopped (self, error))
        show_error_retry (self, _ ("Could not list the messages"), error, "win.get-mail");
      if (stopped (self, error))
        {
          /* The rows listed so far stay; the session ends without QUIT,
           * which changes nothing on the server. */
          mw_pop3_client_close (client);
          if (self->pop3 == client)
            g_clear_object (&self->pop3);
          set_busy (self, FALSE);
          mw_window_toast (self, _ ("Stopped; the messages listed so far stay"));
          return;
        }
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    }

  if (summaries != NULL)
    note_listed (self, summaries);
  /* Sessions hold the maildrop lock: end this one at once. */
  mw_pop3_client_quit_async (client, self->cancellable, quit_cb, g_object_ref (self));
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (MwWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  MwPop3Client *client = MW_POP3_CLIENT (object);

  if (!mw_pop3_client_connect_finish (client, result, &error))
    {
      if (!offer_trust (self, client, error, retry_action, "win.get-mail", NULL))
        show_error_retry (self, _ ("Could not connect to the server"), error, "win.get-mail");
      if (self->pop3 == client)
        g_clear_object (&self->pop3);
      if (stopped (self, error))
        mw_window_toast (self, _ ("Stopped"));
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || stopped (self, error))
        set_busy (self, FALSE);
      return;
    }

  g_signal_connect_object (client, "summary", G_CALLBACK (summary_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (client, "progress", G_CALLBACK (progress_cb), self, G_CONNECT_SWAPPED);
  mw_pop3_client_previews_async (client, op_cancellable (self), previews_cb, g_object_ref (self));
}

static void
get_mail_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  MwWindow *self = MW_WINDOW (widget);

  if (!has_account (self))
    {
      mw_window_toast (self, _ ("No account is set up yet"));
      return;
    }
  if (self->pop3 != NULL || self->delete_pop3 != NULL || self->open_pop3 != NULL)
    return;

  preview_cancel (self);
  g_list_store_remove_all (self->server_messages);
  self->pop3 = pop3_client_new (self);
  set_busy (self, TRUE);
  mw_pop3_client_connect_async (self->pop3, op_cancellable (self), connect_cb, g_object_ref (self));
}

/* Deleting from the server. DELE goes out at once in a session of its
 * own, which stays open while the toast offers Undo (RSET); the message
 * is reported deleted only once QUIT got +OK. */

static void
delete_finished (MwWindow *self)
{
  g_clear_object (&self->delete_pop3);
  g_clear_object (&self->delete_summary);
  self->delete_toast = NULL;
  self->delete_undone = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.delete", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo-delete", FALSE);
}

static void
delete_quit_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (MwWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  gboolean          committed = FALSE;
  MwMessageSummary *summary = self->delete_summary;
  guint             position;

  mw_pop3_client_quit_finish (MW_POP3_CLIENT (object), result, &committed, &error);
  if (summary == NULL || self->server_messages == NULL)
    {
      delete_finished (self);
      return;
    }

  if (self->delete_undone)
    {
      mw_message_summary_remove_flags (summary, MW_MESSAGE_FLAG_DELETED);
      mw_window_toast (self, committed ? _ ("The message stays on the server") : _ ("Nothing was deleted: the server did not confirm the end of the session"));
    }
  else if (committed)
    {
      if (g_list_store_find (self->server_messages, summary, &position))
        g_list_store_remove (self->server_messages, position);
      mw_window_toast (self, _ ("Deleted from the server"));
    }
  else
    {
      mw_message_summary_remove_flags (summary, MW_MESSAGE_FLAG_DELETED);
      mw_window_toast (self, _ ("Nothing was deleted: the session ended before the server confirmed it"));
    }
  delete_finished (self);
}

static void
delete_quit (MwWindow *self)
{
  if (self->delete_pop3 == NULL)
    return;
  mw_pop3_client_quit_async (self->delete_pop3, self->cancellable, delete_quit_cb,
                             g_object_ref (self));
}

static void
delete_toast_dismissed_cb (MwWindow *self,
                           AdwToast *toast)
{
  /* Undo sends RSET first and ends the session itself. */
  if (self->delete_toast == toast && !self->delete_undone)
    delete_quit (self);
}

static void
delete_rset_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (MwWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!mw_pop3_client_rset_finish (MW_POP3_CLIENT (object), result, &error))
    {
      /* Without RSET the deletion would still happen at QUIT: drop the
       * session instead, which deletes nothing. */
      mw_pop3_client_close (MW_POP3_CLIENT (object));
      if (self->delete_summary != NULL)
        mw_message_summary_remove_flags (self->delete_summary, MW_MESSAGE_FLAG_DELETED);
      mw_window_toast (self, _ ("The message stays on the server"));
      delete_finished (self);
      return;
    }
  delete_quit (self);
}

static void
undo_delete_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MwWindow *self = MW_WINDOW (widget);

  if (self->delete_pop3 == NULL || self->delete_undone)
    return;
  self->delete_undone = TRUE;
  gtk_widget_action_set_enabled (widget, "win.undo-delete", FALSE);
  mw_pop3_client_rset_async (self->delete_pop3, self->cancellable, delete_rset_cb,
                             g_object_ref (self));
}

static void
delete_dele_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (MwWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  AdwToast *toast;

  if (!mw_pop3_client_dele_finish (MW_POP3_CLIENT (object), result, &error))
    {
      show_error (self, _ ("Could not delete the message"), error);
      delete_quit (self);
      return;
    }

  mw_message_summary_add_flags (self->delete_summary, MW_MESSAGE_FLAG_DELETED);
  toast = adw_toast_new (_ ("Message marked for deletion"));
  adw_toast_set_button_label (toast, _ ("_Undo"));
  adw_toast_set_action_name (toast, "win.undo-delete");
  adw_toast_set_timeout (toast, 6);
  self->delete_toast = toast;
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (delete_toast_dismissed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo-delete", TRUE);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
delete_uidl_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (MwWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) uids = NULL;
  const char *uid = mw_message_summary_get_uid (self->delete_summary);
  guint       number = 0;

  uids = mw_pop3_client_uidl_finish (MW_POP3_CLIENT (object), result, &error);
  if (uids == NULL)
    {
      show_error (self, _ ("Could not delete the message"), error);
      delete_quit (self);
      return;
    }

  /* Message numbers hold for one session: find this one by its UID. */
  for (guint i = 0; i < uids->len && uid != NULL; i++)
    {
      MwPop3UidEntry *entry = &g_array_index (uids, MwPop3UidEntry, i);

      if (g_strcmp0 (entry->uid, uid) == 0)
        number = entry->number;
    }
  if (number == 0)
    {
      mw_window_toast (self, _ ("The message is no longer on the server"));
      delete_quit (self);
      return;
    }
  mw_pop3_client_dele_async (MW_POP3_CLIENT (object), number, self->cancellable,
                             delete_dele_cb, g_object_ref (self));
}

static void
retry_delete (GObject *owner,
              gpointer summary)
{
  delete_start (MW_WINDOW (owner), summary);
}

static void
delete_connect_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (MwWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!mw_pop3_client_connect_finish (MW_POP3_CLIENT (object), result, &error))
    {
      if (!offer_trust (self, MW_POP3_CLIENT (object), error, retry_delete,
                        g_object_ref (self->delete_summary), g_object_unref))
        show_error (self, _ ("Could not connect to the server"), error);
      delete_finished (self);
      return;
    }
  mw_pop3_client_uidl_async (MW_POP3_CLIENT (object), self->cancellable, delete_uidl_cb,
                             g_object_ref (self));
}

static void
delete_start (MwWindow         *self,
              MwMessageSummary *summary)
{
  if (self->delete_pop3 != NULL)
    {
      mw_window_toast (self, _ ("Wait for the server session to end"));
      return;
    }
  /* The listing holds the maildrop: delete once it has ended. */
  if (self->pop3 != NULL)
    {
      g_set_object (&self->delete_pending, summary);
      return;
    }
  if (mw_message_summary_get_uid (summary) == NULL)
    {
      mw_window_toast (self, _ ("This server gives no unique IDs: Mailwire cannot be sure which message to delete"));
      return;
    }

  preview_cancel (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.delete", FALSE);
  self->delete_summary = g_object_ref (summary);
  self->delete_undone = FALSE;
  self->delete_pop3 = pop3_client_new (self);
  mw_pop3_client_connect_async (self->delete_pop3, self->cancellable, delete_connect_cb,
                                g_object_ref (self));
}

static void
delete_confirm_cb (MwWindow         *self,
                   const char       *response,
                   AdwMessageDialog *dialog)
{
  MwMessageSummary *summary = g_object_get_data (G_OBJECT (dialog), "summary");

  if (g_str_equal (response, "delete") && summary != NULL)
    delete_start (self, summary);
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  MwWindow         *self = MW_WINDOW (widget);
  MwMessageSummary *summary = gtk_single_selection_get_selected_item (self->selection);
  g_autofree char  *size = NULL;
  g_autofree char  *body = NULL;
  const char       *problem;
  GtkWidget        *dialog;

  if (summary == NULL || gtk_filter_list_model_get_model (self->filter_model) != G_LIST_MODEL (self->server_messages) ||
      !has_account (self))
    return;

  /* A problem message goes without being downloaded: show what it is. */
  problem = mw_message_summary_get_problem (summary);
  if (problem == NULL || *problem == '\0')
    {
      delete_start (self, summary);
      return;
    }

  size = mw_format_size (mw_message_summary_get_size (summary));
  body = g_strdup_printf (_ ("From: %s\nSubject: %s\nSize: %s\n\n%s\n\nThe message is deleted without being downloaded."),
                          mw_message_summary_get_from (summary),
                          mw_message_summary_get_subject (summary),
                          size, problem);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _ ("Delete the Problem Message from the Server?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _ ("_Cancel"),
                                    "delete", _ ("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "summary", g_object_ref (summary), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_confirm_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Open: the whole message with RETR, written durably into the local
 * Maildir by the store, then shown decoded. */

typedef struct
{
  MwMessageSummary  *summary;
  MwMaildirDelivery *delivery;
  char              *path;
  char              *uid; /* checked with UIDL in the session */
} Open;

static void
open_free (Open *open)
{
  g_clear_object (&open->summary);
  g_clear_object (&open->delivery);
  g_free (open->path);
  g_free (open->uid);
  g_free (open);
}

static void
open_finished (MwWindow *self)
{
  g_clear_object (&self->open_pop3);
  set_busy (self, FALSE);
}

static void
open_loaded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwWindow        *self = g_task_get_source_object (task);
  Open            *open = g_task_get_task_data (task);
  g_autofree char *data = NULL;
  g_autofree char *text = NULL;
  gsize            len = 0;

  if (g_file_load_contents_finish (G_FILE (object), result, &data, &len, NULL, NULL) &&
      self->selection != NULL &&
      gtk_single_selection_get_selected_item (self->selection) == open->summary)
    {
      text = mw_message_text_extract (data, len, NULL);
      set_reader_text (self, text);
      g_free (self->reader_path);
      self->reader_path = g_strdup (open->path);
      reader_loaded (self, data, len);
    }
  g_task_return_boolean (task, TRUE);
}

static void
open_quit_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwWindow *self = g_task_get_source_object (task);
  Open     *open = g_task_get_task_data (task);
  g_autoptr (GFile) file = NULL;

  mw_pop3_client_quit_finish (MW_POP3_CLIENT (object), result, NULL, NULL);
  open_finished (self);
  if (mw_message_summary_get_size (open->summary) > MAX_SHOWN_SIZE)
    {
      set_reader_text (self, _ ("The message is downloaded. It is too large to show here."));
      g_task_return_boolean (task, TRUE);
      return;
    }
  file = g_file_new_for_path (open->path);
  g_file_load_contents_async (file, self->cancellable, open_loaded_cb, g_steal_pointer (&task));
}

static void
record_saved_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (MwWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!mw_uid_index_save_finish (MW_UID_INDEX (object), result, &error))
    show_error (self, _ ("Could not update the list of downloaded messages"), error);
}

/* Notes in the index that the message @uid is stored as @name, so that
 * Download New does not store it again. */
static void
record_download (MwWindow   *self,
                 const char *uid,
                 const char *name)
{
  g_autoptr (GError) error = NULL;

  if (uid == NULL || self->index == NULL ||
      mw_uid_index_get_state (self->index) != MW_UID_INDEX_STATE_READY)
    return;
  if (!mw_uid_index_add (self->index, uid, name, g_get_real_time () / G_USEC_PER_SEC, &error))
    {
      show_error (self, _ ("Could not update the list of downloaded messages"), error);
      return;
    }
  mw_uid_index_save_async (self->index, self->cancellable, record_saved_cb, g_object_ref (self));
}

static void
open_commit_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwWindow *self = g_task_get_source_object (task);
  Open     *open = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;

  name = mw_maildir_delivery_commit_finish (MW_MAILDIR_DELIVERY (object), result, &error);
  if (name == NULL)
    {
      mw_message_summary_add_flags (open->summary, MW_MESSAGE_FLAG_DOWNLOAD_FAILED);
      show_error (self, _ ("Could not store the message"), error);
      mw_pop3_client_close (self->open_pop3);
      open_finished (self);
      g_task_return_boolean (task, FALSE);
      return;
    }
  open->path = g_build_filename (mw_maildir_get_path (self->local), "new", name, NULL);
  record_download (self, open->uid, name);
  mw_message_summary_remove_flags (open->summary, MW_MESSAGE_FLAG_DOWNLOAD_FAILED);
  mw_message_summary_add_flags (open->summary, MW_MESSAGE_FLAG_DOWNLOADED);
  folder_refresh (self, MW_MAILDIR_FOLDER_DOWNLOADED);
  mw_pop3_client_quit_async (self->open_pop3, self->cancellable, open_quit_cb, g_steal_pointer (&task));
}

static void
open_retr_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwWindow *self = g_task_get_source_object (task);
  Open     *open = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!mw_pop3_client_retr_finish (MW_POP3_CLIENT (object), result, NULL, &error))
    {
      mw_maildir_delivery_abort (open->delivery);
      if (stopped (self, error))
        {
          /* Nothing half-downloaded is kept. */
          mw_pop3_client_close (MW_POP3_CLIENT (object));
          open_finished (self);
          set_reader_text (self, _ ("The download was stopped; nothing of it was kept."));
          mw_window_toast (self, _ ("Stopped"));
        }
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          mw_message_summary_add_flags (open->summary, MW_MESSAGE_FLAG_DOWNLOAD_FAILED);
          show_error_retry (self, _ ("Could not download the message"), error, "win.open");
          mw_pop3_client_close (MW_POP3_CLIENT (object));
          open_finished (self);
        }
      g_task_return_boolean (task, FALSE);
      return;
    }
  mw_maildir_delivery_commit_async (open->delivery, self->cancellable, open_commit_cb,
                                    g_steal_pointer (&task));
}

static void
open_retr_progress_cb (MwWindow     *self,
                       guint         number,
                       guint64       bytes,
                       MwPop3Client *client)
{
  MwMessageSummary *summary = gtk_single_selection_get_selected_item (self->selection);
  guint64           size = summary != NULL ? mw_message_summary_get_size (summary) : 0;

  if (size > 0)
    gtk_progress_bar_set_fraction (self->progress_bar, MIN (1.0, (double) bytes / size));
}

static void
open_uidl_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwWindow *self = g_task_get_source_object (task);
  Open     *open = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autofree char *uid = NULL;
  const char      *expected = mw_message_summary_get_uid (open->summary);

  uid = mw_pop3_client_uidl_one_finish (MW_POP3_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (stopped (self, error))
        {
          mw_pop3_client_close (MW_POP3_CLIENT (object));
          open_finished (self);
          mw_window_toast (self, _ ("Stopped"));
        }
      g_task_return_boolean (task, FALSE);
      return;
    }
  if (expected != NULL && g_strcmp0 (uid, expected) != 0)
    {
      mw_window_toast (self, _ ("The mailbox changed since it was listed. Get Mail to list it again."));
      mw_pop3_client_quit_async (MW_POP3_CLIENT (object), NULL, preview_quit_cb, NULL);
      open_finished (self);
      g_task_return_boolean (task, FALSE);
      return;
    }

  open->delivery = mw_maildir_begin_delivery (self->local, &error);
  if (open->delivery == NULL)
    {
      show_error (self, _ ("Could not store the message"), error);
      mw_pop3_client_quit_async (MW_POP3_CLIENT (object), NULL, preview_quit_cb, NULL);
      open_finished (self);
      g_task_return_boolean (task, FALSE);
      return;
    }
  if (uid != NULL && mw_uid_is_valid (uid, NULL))
    {
      open->uid = g_steal_pointer (&uid);
      mw_maildir_delivery_set_uid (open->delivery, open->uid);
    }
  g_signal_connect_object (object, "retr-progress", G_CALLBACK (open_retr_progress_cb), self,
                           G_CONNECT_SWAPPED);
  if (expected != NULL)
    mw_pop3_client_set_message_size (MW_POP3_CLIENT (object), mw_message_summary_get_number (open->summary),
                                     mw_message_summary_get_size (open->summary));
  mw_pop3_client_retr_async (MW_POP3_CLIENT (object), mw_message_summary_get_number (open->summary),
                             mw_maildir_delivery_get_output_stream (open->delivery),
                             op_cancellable (self), open_retr_cb, g_steal_pointer (&task));
}

static void
open_connect_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwWindow *self = g_task_get_source_object (task);
  Open     *open = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!mw_pop3_client_connect_finish (MW_POP3_CLIENT (object), result, &error))
    {
      if (!offer_trust (self, MW_POP3_CLIENT (object), error, retry_action, "win.open", NULL))
        show_error_retry (self, _ ("Could not connect to the server"), error, "win.open");
      if (stopped (self, error))
        mw_window_toast (self, _ ("Stopped"));
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || stopped (self, error))
        open_finished (self);
      g_task_return_boolean (task, FALSE);
      return;
    }
  mw_pop3_client_uidl_one_async (MW_POP3_CLIENT (object), mw_message_summary_get_number (open->summary),
                                 op_cancellable (self), open_uidl_cb, g_steal_pointer (&task));
}

static void
open_maildir_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwWindow *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;

  if (!mw_maildir_open_finish (MW_MAILDIR (object), result, NULL, &error))
    {
      show_error (self, _ ("Could not open the local folder"), error);
      open_finished (self);
      g_task_return_boolean (task, FALSE);
      return;
    }
  self->open_pop3 = pop3_client_new (self);
  set_busy (self, TRUE);
  mw_pop3_client_connect_async (self->open_pop3, op_cancellable (self), open_connect_cb,
                                g_steal_pointer (&task));
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MwWindow         *self = MW_WINDOW (widget);
  MwMessageSummary *summary = gtk_single_selection_get_selected_item (self->selection);
  g_autoptr (GTask) task = NULL;
  Open *open;

  if (summary == NULL || self->local == NULL || !has_account (self) ||
      gtk_filter_list_model_get_model (self->filter_model) != G_LIST_MODEL (self->server_messages))
    return;
  /* The listing holds the maildrop: open once it has ended. */
  if (self->pop3 != NULL)
    {
      self->open_pending = TRUE;
      return;
    }
  if (self->delete_pop3 != NULL || self->open_pop3 != NULL)
    {
      mw_window_toast (self, _ ("Wait for the server session to end"));
      return;
    }

  preview_cancel (self);
  set_busy (self, TRUE);
  open = g_new0 (Open, 1);
  open->summary = g_object_ref (summary);
  task = g_task_new (self, self->cancellable, NULL, NULL);
  g_task_set_task_data (task, open, (GDestroyNotify) open_free);
  set_reader_text (self, _ ("Downloading the message…"));
  mw_maildir_open_async (self->local, self->cancellable, open_maildir_cb, g_steal_pointer (&task));
}

/* Download New: the messages not downloaded before, into the Downloaded
 * folder, with the account's policy (leave on server, delete after
 * download or after some days, size limit) through MwFetcher. */

/* The rows of the On Server list by message number, for the signals of
 * one Download New: a lookup per message must not walk a list of a
 * hundred thousand rows. */
static MwMessageSummary *
server_row (MwWindow   *self,
            guint       number,
            const char *uid)
{
  GListModel       *model = G_LIST_MODEL (self->server_messages);
  MwMessageSummary *summary;

  if (self->rows_by_number == NULL && model != NULL)
    {
      self->rows_by_number = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
      for (guint i = 0; i < g_list_model_get_n_items (model); i++)
        {
          MwMessageSummary *row = g_list_model_get_item (model, i);

          g_hash_table_replace (self->rows_by_number, GUINT_TO_POINTER (mw_message_summary_get_number (row)), row);
        }
    }
  if (self->rows_by_number == NULL)
    return NULL;
  summary = g_hash_table_lookup (self->rows_by_number, GUINT_TO_POINTER (number));
  /* A row of an older listing may have another number now. */
  if (summary == NULL || (uid != NULL && g_strcmp0 (mw_message_summary_get_uid (summary), uid) != 0))
    return NULL;
  return summary;
}

/* Takes the rows deleted by a Download New out of the list, in one change. */
static void
remove_deleted_rows (MwWindow *self)
{
  GListModel *model = G_LIST_MODEL (self->server_messages);
  g_autoptr (GPtrArray) kept = NULL;
  guint n;

  if (self->deleted_rows == NULL || g_hash_table_size (self->deleted_rows) == 0 || model == NULL)
    return;
  n = g_list_model_get_n_items (model);
  kept = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      MwMessageSummary *row = g_list_model_get_item (model, i);

      if (g_hash_table_contains (self->deleted_rows, row))
        g_object_unref (row);
      else
        g_ptr_array_add (kept, row);
    }
  g_list_store_splice (self->server_messages, 0, n, kept->pdata, kept->len);
}

/* Rows whose UID the index lists were downloaded before. */
static void
flag_downloaded (MwWindow         *self,
                 MwMessageSummary *summary)
{
  const char *uid = mw_message_summary_get_uid (summary);

  if (self->index != NULL && uid != NULL &&
      mw_uid_index_get_state (self->index) == MW_UID_INDEX_STATE_READY &&
      mw_uid_index_contains (self->index, uid))
    mw_message_summary_add_flags (summary, MW_MESSAGE_FLAG_DOWNLOADED);
}

static void
index_loaded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (MwWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  GListModel *model;

  if (!mw_uid_index_load_finish (MW_UID_INDEX (object), result, &error))
    {
      if (MW_UID_INDEX (object) == self->index)
        show_error (self, _ ("Could not read the list of downloaded messages"), error);
      return;
    }
  model = G_LIST_MODEL (self->server_messages);
  for (guint i = 0; model != NULL && MW_UID_INDEX (object) == self->index && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (MwMessageSummary) summary = g_list_model_get_item (model, i);

      flag_downloaded (self, summary);
    }
}

static void
download_finished (MwWindow *self)
{
  if (self->fetcher != NULL)
    g_signal_handlers_disconnect_by_data (self->fetcher, self);
  g_clear_object (&self->fetcher);
  g_clear_object (&self->fetch_pop3);
  remove_deleted_rows (self);
  g_clear_pointer (&self->rows_by_number, g_hash_table_unref);
  g_clear_pointer (&self->deleted_rows, g_hash_table_unref);
  set_busy (self, FALSE);
  folder_refresh (self, MW_MAILDIR_FOLDER_DOWNLOADED);
}

static void
download_warning_cb (MwWindow   *self,
                     const char *text,
                     MwFetcher  *fetcher)
{
  mw_window_toast (self, text);
}

static void
download_skipped_cb (MwWindow  *self,
                     guint      number,
                     int        reason,
                     MwFetcher *fetcher)
{
  MwMessageSummary *summary = server_row (self, number, NULL);

  if (summary != NULL && reason == MW_FETCH_SKIP_TOO_BIG)
    mw_message_summary_add_flags (summary, MW_MESSAGE_FLAG_OVERSIZE);
}

static void
download_stored_cb (MwWindow   *self,
                    guint       number,
                    const char *uid,
                    const char *file,
                    MwFetcher  *fetcher)
{
  MwMessageSummary *summary = server_row (self, number, uid);
  guint             total = mw_fetcher_get_n_to_download (fetcher);

  if (summary != NULL)
    mw_message_summary_add_flags (summary, MW_MESSAGE_FLAG_DOWNLOADED);
  gtk_progress_bar_set_fraction (self->progress_bar,
                                 total > 0 ? (double) mw_fetcher_get_n_downloaded (fetcher) / total : 1.0);
}

static void
download_deleted_cb (MwWindow   *self,
                     guint       number,
                     const char *uid,
                     MwFetcher  *fetcher)
{
  MwMessageSummary *summary = server_row (self, number, uid);

  if (summary == NULL)
    return;
  if (self->deleted_rows == NULL)
    self->deleted_rows = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  g_hash_table_add (self->deleted_rows, g_object_ref (summary));
}

static void
download_run_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (MwWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  MwFetcher       *fetcher = MW_FETCHER (object);
  g_autofree char *text = NULL;
  guint            downloaded = mw_fetcher_get_n_downloaded (fetcher);
  guint            deleted = mw_fetcher_get_deleted (fetcher)->len;

  if (!mw_fetcher_run_finish (fetcher, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !stopped (self, error))
        return;
      if (stopped (self, error))
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "Stopped; %u message was downloaded, nothing was deleted from the server",
                                             "Stopped; %u messages were downloaded, nothing was deleted from the server",
                                             downloaded),
                                downloaded);
      else if (mw_fetcher_get_stop (fetcher) == MW_FETCH_STOP_DOWNLOAD)
        {
          g_autofree char *what = g_strdup_printf (_ ("The download stopped at message %u; nothing was deleted from the server"),
                                                   mw_fetcher_get_failed_number (fetcher));

          text = mw_error_text_format (what, error);
        }
      else if (mw_fetcher_get_stop (fetcher) == MW_FETCH_STOP_DELETE ||
               mw_fetcher_get_stop (fetcher) == MW_FETCH_STOP_QUIT)
        text = mw_error_text_format (_ ("The messages are downloaded, but nothing was deleted from the server"), error);
      else
        text = mw_error_text_format (_ ("Could not download new messages"), error);
      if (stopped (self, error))
        mw_window_toast (self, text);
      else
        toast_retry (self, text, "win.download-new");
      download_finished (self);
      return;
    }

  if (downloaded == 0 && deleted == 0)
    text = g_strdup (_ ("No new messages"));
  else if (deleted == 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new message downloaded",
                                         "%u new messages downloaded", downloaded),
                            downloaded);
  else
    {
      g_autofree char *first = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new message downloaded",
                                                             "%u new messages downloaded", downloaded),
                                                downloaded);

      /* Translators: the first %s is "N new messages downloaded". */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s; %u deleted from the server",
                                           "%s; %u deleted from the server", deleted),
                              first, deleted);
    }
  mw_window_toast (self, text);
  download_finished (self);
}

static void
download_connect_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr (MwWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  MwPop3Client *client = MW_POP3_CLIENT (object);
  MwFetchPolicy policy = { MW_LEAVE_POLICY_KEEP, 0, 0 };

  if (!mw_pop3_client_connect_finish (client, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !stopped (self, error))
        return;
      if (!offer_trust (self, client, error, retry_action, "win.download-new", NULL))
        show_error_retry (self, _ ("Could not connect to the server"), error, "win.download-new");
      if (stopped (self, error))
        mw_window_toast (self, _ ("Stopped"));
      download_finished (self);
      return;
    }

  if (self->account != NULL && self->demo == NULL)
    mw_account_get_fetch_policy (self->account, &policy);
  else
    policy.max_size = download_limit (self);
  self->fetcher = mw_fetcher_new (client, self->local, self->index, &policy);
  g_signal_connect_object (self->fetcher, "warning", G_CALLBACK (download_warning_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->fetcher, "skipped", G_CALLBACK (download_skipped_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->fetcher, "message-stored", G_CALLBACK (download_stored_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->fetcher, "deleted", G_CALLBACK (download_deleted_cb), self, G_CONNECT_SWAPPED);
  mw_fetcher_run_async (self->fetcher, op_cancellable (self), download_run_cb, g_object_ref (self));
}

static void
download_recovered_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr (MwWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (mw_fetcher_recover_finish (result, &error) < 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          show_error (self, _ ("Could not read the Downloaded folder"), error);
          download_finished (self);
        }
      return;
    }
  self->fetch_pop3 = pop3_client_new (self);
  set_busy (self, TRUE); /* now it can be stopped */
  mw_pop3_client_connect_async (self->fetch_pop3, op_cancellable (self), download_connect_cb,
                                g_object_ref (self));
}

static void
download_opened_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (MwWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!mw_maildir_open_finish (MW_MAILDIR (object), result, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          show_error (self, _ ("Could not open the local folder"), error);
          download_finished (self);
        }
      return;
    }
  mw_fetcher_recover_async (self->local, self->index, self->cancellable, download_recovered_cb,
                            g_object_ref (self));
}

static void
download_new_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  MwWindow *self = MW_WINDOW (widget);

  if (!has_account (self) || self->local == NULL || self->index == NULL ||
      gtk_widget_get_visible (self->progress_box))
    return;
  switch (mw_uid_index_get_state (self->index))
    {
    case MW_UID_INDEX_STATE_READY:
      break;
    case MW_UID_INDEX_STATE_CORRUPT:
      /* Downloading now could store everything a second time. */
      mw_window_toast (self, _ ("The list of downloaded messages is damaged, so nothing is downloaded; a copy of it "
                                "was kept next to it with the ending .bak"));
      return;
    case MW_UID_INDEX_STATE_UNLOADED:
    default:
      mw_window_toast (self, _ ("Still reading the list of downloaded messages; try again in a moment"));
      return;
    }
  set_busy (self, TRUE);
  mw_maildir_open_async (self->local, self->cancellable, download_opened_cb, g_object_ref (self));
}

/* Accounts. */

static void
set_account (MwWindow   *self,
             const char *label,
             const char *address,
             const char *host,
             guint16     pop3_port,
             guint16     smtp_port,
             MwSecurity  security,
             const char *user,
             const char *password,
             gboolean    allow_plaintext)
{
  g_autoptr (MwConsoleSession) pop3_console = NULL;
  g_autoptr (MwConsoleSession) smtp_console = NULL;

  g_free (self->account_label);
  self->account_label = g_strdup (label);
  g_free (self->address);
  self->address = g_strdup (address);
  g_free (self->host);
  self->host = g_strdup (host);
  self->pop3_port = pop3_port;
  self->smtp_port = smtp_port;
  self->security = security;
  g_free (self->user);
  self->user = g_strdup (user);
  if (self->password != NULL)
    explicit_bzero (self->password, strlen (self->password));
  g_free (self->password);
  self->password = g_strdup (password);
  self->allow_plaintext = allow_plaintext;

  /* Stored accounts are listed already: replacing the list would choose
   * the account again, and again. */
  if (self->account == NULL)
    gtk_string_list_splice (self->account_names, 0,
                            g_list_model_get_n_items (G_LIST_MODEL (self->account_names)),
                            (const char *const[]){ label, NULL });
  gtk_widget_set_visible (GTK_WIDGET (self->account_dropdown), TRUE);
  adw_window_title_set_subtitle (self->window_title, label);
  pop3_console = mw_console_session_new (MW_REPLY_PROTOCOL_POP3, host, pop3_port, security, self->transcript);
  mw_console_session_set_credentials (pop3_console, user, password, allow_plaintext);
  if (smtp_port != 0)
    {
      smtp_console = mw_console_session_new (MW_REPLY_PROTOCOL_SMTP, host, smtp_port, security, self->transcript);
      mw_console_session_set_credentials (smtp_console, user, password, allow_plaintext);
    }
  if (self->account != NULL && self->demo == NULL)
    {
      mw_console_session_set_account (pop3_console, self->account);
      if (smtp_console != NULL)
        mw_console_session_set_account (smtp_console, self->account);
    }
  mw_log_view_set_consoles (self->log_view, pop3_console, smtp_console);
  set_busy (self, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_ACCOUNT]);
}

/* Stored accounts: the switcher lists them; choosing one looks up its
 * passwords in the Secret Service. */

typedef struct
{
  MwAccount *account;
  char      *pop3_password;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_clear_object (&lookup->account);
  if (lookup->pop3_password != NULL)
    mw_password_free (g_steal_pointer (&lookup->pop3_password));
  g_free (lookup);
}

static void
smtp_password_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  MwWindow  *self = g_task_get_source_object (task);
  Lookup    *lookup = g_task_get_task_data (task);
  MwAccount *account = lookup->account;
  char      *smtp_password;

  smtp_password = mw_account_store_lookup_password_finish (MW_ACCOUNT_STORE (object), result, NULL);
  /* The POP3 password is the one the window keeps; SMTP uses its own
   * when it has one. */
  set_account (self, mw_account_get_display_name (account), mw_account_get_address (account),
               mw_account_get_pop3_host (account), mw_account_get_pop3_port (account),
               mw_account_get_smtp_port (account), mw_account_get_pop3_security (account),
               mw_account_get_pop3_user (account),
               lookup->pop3_password != NULL ? lookup->pop3_password : smtp_password,
               mw_account_get_allow_plaintext (account));
  if (smtp_password != NULL)
    mw_password_free (smtp_password);
  g_task_return_boolean (task, TRUE);
}

static void
pop3_password_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);

  lookup->pop3_password = mw_account_store_lookup_password_finish (MW_ACCOUNT_STORE (object), result, NULL);
  mw_account_store_lookup_password_async (MW_ACCOUNT_STORE (object), lookup->account,
                                          MW_PROTOCOL_SMTP, g_task_get_cancellable (task),
                                          smtp_password_cb, g_object_ref (task));
}

static void
account_selected_cb (MwWindow *self)
{
  guint position;
  g_autoptr (MwAccount) account = NULL;
  g_autoptr (GTask) task = NULL;
  Lookup *lookup;

  if (self->demo != NULL || self->accounts == NULL)
    return;
  position = gtk_drop_down_get_selected (self->account_dropdown);
  if (position == GTK_INVALID_LIST_POSITION)
    return;
  account = g_list_model_get_item (G_LIST_MODEL (self->accounts), position);
  if (account == NULL)
    return;
  g_set_object (&self->account, account);
  {
    const char *id = mw_account_get_id (account);
    g_autoptr (MwMaildir) downloaded = mw_maildir_new_for_account (id, MW_MAILDIR_FOLDER_DOWNLOADED);
    g_autoptr (MwMaildir) sent = mw_maildir_new_for_account (id, MW_MAILDIR_FOLDER_SENT);
    g_autoptr (MwMaildir) outbox = mw_maildir_new_for_account (id, MW_MAILDIR_FOLDER_OUTBOX);

    g_autoptr (MwUidIndex) index = mw_uid_index_new_for_account (id);

    set_local_folders (self, downloaded, sent, outbox, index);
    set_outbox (self, send_queue (self) != NULL ? mw_send_queue_lookup (send_queue (self), id) : NULL);
  }

  lookup = g_new0 (Lookup, 1);
  lookup->account = g_object_ref (account);
  task = g_task_new (self, self->cancellable, NULL, NULL);
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);
  mw_account_store_lookup_password_async (self->accounts, account, MW_PROTOCOL_POP3,
                                          self->cancellable, pop3_password_cb, g_steal_pointer (&task));
}

static void
fill_account_names (MwWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  g_autoptr (GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (MwAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      g_ptr_array_add (names, (gpointer) mw_account_get_display_name (account));
    }
  g_ptr_array_add (names, NULL);
  gtk_string_list_splice (self->account_names, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->account_names)),
                          (const char *const *) names->pdata);
  gtk_widget_set_visible (GTK_WIDGET (self->account_dropdown), n > 0);
  if (n > 0)
    account_selected_cb (self);
}

static void
accounts_loaded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (MwWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!mw_account_store_load_finish (MW_ACCOUNT_STORE (object), result, &error))
    {
      show_error (self, _ ("Could not read the accounts"), error);
      return;
    }
  if (send_queue (self) != NULL)
    {
      mw_send_queue_set_transcript (send_queue (self), self->transcript);
      mw_application_set_accounts (MW_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))),
                                   self->accounts);
    }
  if (self->account_names != NULL)
    fill_account_names (self);
}

void
mw_window_show_account (MwWindow   *self,
                        const char *account_id)
{
  guint n;

  g_return_if_fail (MW_IS_WINDOW (self));
  g_return_if_fail (account_id != NULL);

  n = self->accounts != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->accounts)) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (MwAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      if (g_str_equal (mw_account_get_id (account), account_id))
        {
          if (gtk_drop_down_get_selected (self->account_dropdown) != i)
            gtk_drop_down_set_selected (self->account_dropdown, i);
          gtk_widget_activate_action (GTK_WIDGET (self), "win.show-folder", "s", "server");
          return;
        }
    }
}

const char *
mw_window_get_account_id (MwWindow *self)
{
  g_return_val_if_fail (MW_IS_WINDOW (self), NULL);

  return self->account != NULL ? mw_account_get_id (self->account) : NULL;
}

static void
reload_accounts_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  MwWindow *self = MW_WINDOW (widget);

  if (self->demo != NULL)
    return;
  mw_account_store_load_async (self->accounts, self->cancellable, accounts_loaded_cb,
                               g_object_ref (self));
}

static void
demo_started_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (MwWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  MwDemo *demo = MW_DEMO (object);

  if (!mw_demo_start_finish (demo, result, &error))
    {
      show_error (self, _ ("Demo mode is not available"), error);
      return;
    }

  {
    const char      *dir = mw_demo_get_local_dir (demo);
    g_autofree char *sent_dir = g_build_filename (dir, ".Sent", NULL);
    g_autofree char *outbox_dir = g_build_filename (dir, ".Outbox", NULL);
    g_autoptr (MwMaildir) downloaded = mw_maildir_new (dir);
    g_autoptr (MwMaildir) sent = mw_maildir_new (sent_dir);
    g_autoptr (MwMaildir) outbox = mw_maildir_new (outbox_dir);
    g_autofree char *index_path = g_build_filename (dir, ".mailwire-uids", NULL);
    g_autoptr (MwUidIndex) index = mw_uid_index_new (index_path);

    set_local_folders (self, downloaded, sent, outbox, index);
    if (send_queue (self) != NULL)
      {
        g_autoptr (MwOutbox) demo_outbox = mw_outbox_new_for_maildirs ("demo", outbox, sent);

        mw_send_queue_set_transcript (send_queue (self), self->transcript);
        mw_send_queue_add (send_queue (self), demo_outbox);
        mw_send_queue_set_server (send_queue (self), "demo", "127.0.0.1", mw_demo_get_smtp_port (demo),
                                  MW_SECURITY_NONE, MW_DEMO_USER, MW_DEMO_PASSWORD, TRUE, NULL);
        set_outbox (self, demo_outbox);
      }
  }
  set_account (self, _ ("Demo"), MW_DEMO_ADDRESS, "127.0.0.1",
               mw_demo_get_pop3_port (demo), mw_demo_get_smtp_port (demo),
               MW_SECURITY_NONE, MW_DEMO_USER, MW_DEMO_PASSWORD, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.get-mail", NULL);
}

static void
start_demo (MwWindow *self)
{
  self->demo = mw_demo_new ();
  gtk_progress_bar_pulse (self->progress_bar);
  mw_demo_start_async (self->demo, self->cancellable, demo_started_cb, g_object_ref (self));
}

static MwComposeWindow *
compose_new (MwWindow *self)
{
  MwComposeWindow *compose;

  if (!has_account (self) || self->smtp_port == 0 || self->outbox == NULL)
    {
      mw_window_toast (self, _ ("No account is set up yet"));
      return NULL;
    }

  compose = mw_compose_window_new (GTK_WINDOW (self), self->address, self->outbox);
  if (send_queue (self) != NULL)
    mw_compose_window_set_send_queue (compose, send_queue (self));
  if (self->account != NULL && self->demo == NULL)
    mw_compose_window_set_account (compose, self->accounts, self->account);
  g_signal_connect_object (compose, "sent", G_CALLBACK (compose_sent_cb), self, G_CONNECT_SWAPPED);
  return compose;
}

static void
compose_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  MwComposeWindow *compose = compose_new (MW_WINDOW (widget));

  if (compose != NULL)
    gtk_window_present (GTK_WINDOW (compose));
}

/* Saving what the reader shows, through the store. */

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (MwWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;

  if (!mw_file_save_bytes_finish (G_FILE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, _ ("Could not save the file"), error);
      return;
    }
  name = g_file_get_basename (G_FILE (object));
  text = g_strdup_printf (_ ("Saved “%s”"), name);
  mw_window_toast (self, text);
}

static void
save_response_cb (GtkNativeDialog *native,
                  int              response,
                  MwWindow        *self)
{
  const char *action = g_object_get_data (G_OBJECT (native), "action");
  guint       index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (native), "index"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *uri = file != NULL ? g_file_get_uri (file) : NULL;

      if (uri != NULL && g_str_equal (action, "win.save-attachment-to"))
        gtk_widget_activate_action (GTK_WIDGET (self), action, "(us)", index, uri);
      else if (uri != NULL)
        gtk_widget_activate_action (GTK_WIDGET (self), action, "s", uri);
    }
  gtk_native_dialog_destroy (native);
  g_object_unref (native);
}

/* Asks where to save; @action (with @index for an attachment) does it. */
static void
choose_save_file (MwWindow   *self,
                  const char *title,
                  const char *name,
                  const char *action,
                  guint       index)
{
  GtkFileChooserNative *native;

  native = gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _ ("_Save"), _ ("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  g_object_set_data (G_OBJECT (native), "action", (gpointer) action);
  g_object_set_data (G_OBJECT (native), "index", GUINT_TO_POINTER (index));
  g_signal_connect_object (native, "response", G_CALLBACK (save_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
save_attachment_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  MwWindow            *self = MW_WINDOW (widget);
  guint                index = g_variant_get_uint32 (parameter);
  MwMessageAttachment *attachment;

  if (self->attachments == NULL || index >= self->attachments->len)
    return;
  attachment = g_ptr_array_index (self->attachments, index);
  choose_save_file (self, _ ("Save Attachment"), attachment->name, "win.save-attachment-to", index);
}

static void
save_attachment_to_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  MwWindow            *self = MW_WINDOW (widget);
  guint                index = 0;
  const char          *uri = NULL;
  MwMessageAttachment *attachment;
  g_autoptr (GFile) file = NULL;

  g_variant_get (parameter, "(u&s)", &index, &uri);
  if (self->attachments == NULL || index >= self->attachments->len)
    return;
  attachment = g_ptr_array_index (self->attachments, index);
  file = g_file_new_for_uri (uri);
  mw_file_save_bytes_async (file, attachment->data, self->cancellable, saved_cb, g_object_ref (self));
}

static void
save_eml_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  MwWindow         *self = MW_WINDOW (widget);
  MwMessageSummary *summary = gtk_single_selection_get_selected_item (self->selection);
  const char       *subject = summary != NULL ? mw_message_summary_get_subject (summary) : NULL;
  g_autofree char  *name = NULL;

  if (self->reader_raw == NULL)
    return;
  if (subject == NULL || *subject == '\0')
    subject = _ ("Message");
  name = g_strdup_printf ("%s.eml", subject);
  g_strdelimit (name, "/\\:", '-');
  choose_save_file (self, _ ("Save Message"), name, "win.save-eml-to", 0);
}

static void
save_eml_to_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MwWindow *self = MW_WINDOW (widget);
  g_autoptr (GFile) file = NULL;

  if (self->reader_raw == NULL)
    return;
  file = g_file_new_for_uri (g_variant_get_string (parameter, NULL));
  mw_file_save_bytes_async (file, self->reader_raw, self->cancellable, saved_cb, g_object_ref (self));
}

/* Reply, Reply All and Forward start from the whole message; one only
 * listed on the server is downloaded first. */

static void
run_draft (MwWindow   *self,
           const char *kind)
{
  g_autoptr (MwMessageBuilder) draft = NULL;
  g_autoptr (GError) error = NULL;
  gsize            len = 0;
  const char      *data;
  MwComposeWindow *compose;

  data = g_bytes_get_data (self->reader_raw, &len);
  if (g_str_equal (kind, "forward"))
    draft = mw_message_builder_new_forward (data, len, &error);
  else
    draft = mw_message_builder_new_reply (data, len, g_str_equal (kind, "reply-all"), &error);
  if (draft == NULL)
    {
      show_error (self, _ ("Could not read the message"), error);
      return;
    }
  compose = compose_new (self);
  if (compose == NULL)
    return;
  mw_compose_window_set_draft (compose, draft);
  gtk_window_present (GTK_WINDOW (compose));
}

static void
draft_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  MwWindow   *self = MW_WINDOW (widget);
  const char *kind = strchr (action_name, '.') + 1;

  if (self->reader_raw != NULL)
    {
      run_draft (self, kind);
      return;
    }
  if (gtk_single_selection_get_selected_item (self->selection) == NULL ||
      gtk_filter_list_model_get_model (self->filter_model) != G_LIST_MODEL (self->server_messages))
    return;
  g_free (self->pending_draft);
  self->pending_draft = g_strdup (kind);
  gtk_widget_activate_action (widget, "win.open", NULL);
}

/* The outbox moved the message to Sent, or keeps it. */
static void
compose_sent_cb (MwWindow        *self,
                 GBytes          *message,
                 MwComposeWindow *compose)
{
  folder_refresh (self, MW_MAILDIR_FOLDER_SENT);
  folder_refresh (self, MW_MAILDIR_FOLDER_OUTBOX);
}

static const char *
selected_outbox_id (MwWindow *self)
{
  gpointer summary = gtk_single_selection_get_selected_item (self->selection);

  return summary != NULL ? g_object_get_data (G_OBJECT (summary), "outbox-id") : NULL;
}

static void
outbox_send_again_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  MwWindow *self = MW_WINDOW (widget);

  if (self->outbox != NULL && selected_outbox_id (self) != NULL)
    mw_outbox_view_send_again (GTK_WINDOW (self), self->outbox, selected_outbox_id (self));
}

static void
outbox_delete_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  MwWindow *self = MW_WINDOW (widget);

  if (self->outbox != NULL && selected_outbox_id (self) != NULL)
    mw_outbox_view_delete (GTK_WINDOW (self), self->outbox, selected_outbox_id (self));
}

static void
message_queued_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  mw_window_toast (MW_WINDOW (widget), _ ("The message waits in the Outbox and is sent as soon as the server can be reached"));
}

static void
show_folder_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MwWindow   *self = MW_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->folder_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row) && g_str_equal (gtk_widget_get_name (row), name))
      {
        gtk_list_box_select_row (self->folder_list, GTK_LIST_BOX_ROW (row));
        return;
      }
}

static void
message_sent_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  MwWindow *self = MW_WINDOW (widget);

  mw_window_toast (self, _ ("Message sent"));
}

static void
account_saved_cb (MwWindow        *self,
                  MwAccount       *account,
                  MwAccountDialog *dialog)
{
  mw_window_toast (self, _ ("Account saved"));
  gtk_widget_activate_action (GTK_WIDGET (self), "win.reload-accounts", NULL);
}

static void
accounts_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  MwWindow        *self = MW_WINDOW (widget);
  MwAccountDialog *dialog;

  if (self->demo != NULL)
    {
      mw_window_toast (self, _ ("The demo account cannot be changed"));
      return;
    }
  dialog = mw_account_dialog_new (GTK_WINDOW (self), self->accounts, self->account, self->transcript);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (account_saved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  MwWindow *self = MW_WINDOW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* State. */

static GSettings *
settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  /* Running from the build tree without the schema only loses state. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    {
      g_debug ("The settings schema %s is not installed: settings are not kept", APP_ID);
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

static void
save_window_state (MwWindow *self)
{
  int width, height;

  if (self->settings == NULL)
    return;
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_apply (self->settings);
}

static gboolean
mw_window_close_request (GtkWindow *window)
{
  MwWindow *self = MW_WINDOW (window);

  save_window_state (self);
  return GTK_WINDOW_CLASS (mw_window_parent_class)->close_request (window);
}

static void
mw_window_constructed (GObject *object)
{
  MwWindow *self = MW_WINDOW (object);

  G_OBJECT_CLASS (mw_window_parent_class)->constructed (object);

  if (self->settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
      g_settings_bind (self->settings, "log-pane-visible", self, "log-visible",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "log-pane-position", self->log_paned, "position",
                       G_SETTINGS_BIND_DEFAULT);
    }
  else
    gtk_window_set_default_size (GTK_WINDOW (self), 1100, 720);
}

static void
mw_window_dispose (GObject *object)
{
  MwWindow *self = MW_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->op_cancellable != NULL)
    g_cancellable_cancel (self->op_cancellable);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_clear_handle_id (&self->resort_id, g_source_remove);
  if (self->log_view != NULL)
    mw_log_view_set_consoles (self->log_view, NULL, NULL);
  preview_cancel (self);
  if (self->delete_pop3 != NULL)
    mw_pop3_client_close (self->delete_pop3);
  g_clear_object (&self->delete_pop3);
  g_clear_object (&self->delete_summary);
  g_clear_object (&self->delete_pending);
  if (self->open_pop3 != NULL)
    mw_pop3_client_close (self->open_pop3);
  g_clear_object (&self->open_pop3);
  if (self->fetch_pop3 != NULL)
    mw_pop3_client_close (self->fetch_pop3);
  g_clear_object (&self->fetch_pop3);
  g_clear_object (&self->fetcher);
  g_clear_pointer (&self->rows_by_number, g_hash_table_unref);
  g_clear_pointer (&self->deleted_rows, g_hash_table_unref);
  g_clear_object (&self->local);
  g_clear_object (&self->index);
  g_clear_object (&self->accounts);
  g_clear_object (&self->account);
  if (self->outbox != NULL)
    g_signal_handlers_disconnect_by_func (self->outbox, outbox_changed_cb, self);
  g_clear_object (&self->outbox);
  if (self->pop3 != NULL)
    mw_pop3_client_close (self->pop3);
  g_clear_object (&self->pop3);
  gtk_widget_dispose_template (GTK_WIDGET (self), MW_TYPE_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->server_messages);
  g_clear_object (&self->downloaded_messages);
  g_clear_object (&self->outbox_messages);
  g_clear_object (&self->sent_messages);
  for (guint i = 0; i < G_N_ELEMENTS (self->folders); i++)
    g_clear_object (&self->folders[i]);
  g_clear_object (&self->transcript);
  g_clear_object (&self->demo);
  if (self->pending != NULL)
    g_ptr_array_set_size (self->pending, 0);

  G_OBJECT_CLASS (mw_window_parent_class)->dispose (object);
}

static void
mw_window_finalize (GObject *object)
{
  MwWindow *self = MW_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->op_cancellable);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_free (self->account_label);
  g_free (self->reader_path);
  g_clear_pointer (&self->reader_raw, g_bytes_unref);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);
  g_free (self->pending_draft);
  g_free (self->host);
  g_free (self->user);
  g_free (self->address);
  if (self->password != NULL)
    explicit_bzero (self->password, strlen (self->password));
  g_free (self->password);

  G_OBJECT_CLASS (mw_window_parent_class)->finalize (object);
}

static void
mw_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  MwWindow *self = MW_WINDOW (object);

  switch (prop_id)
    {
    case PROP_LOG_VISIBLE:
      g_value_set_boolean (value, self->log_visible);
      break;
    case PROP_HAS_ACCOUNT:
      g_value_set_boolean (value, mw_window_get_has_account (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  MwWindow *self = MW_WINDOW (object);

  switch (prop_id)
    {
    case PROP_LOG_VISIBLE:
      mw_window_set_log_visible (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_window_class_init (MwWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = mw_window_constructed;
  object_class->dispose = mw_window_dispose;
  object_class->finalize = mw_window_finalize;
  object_class->get_property = mw_window_get_property;
  object_class->set_property = mw_window_set_property;
  window_class->close_request = mw_window_close_request;

  properties[PROP_LOG_VISIBLE] =
    g_param_spec_boolean ("log-visible", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_HAS_ACCOUNT] =
    g_param_spec_boolean ("has-account", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (MW_TYPE_LOG_VIEW);
  g_type_ensure (MW_TYPE_MESSAGE_SUMMARY);

  mw_application_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mailwire/Mailwire/ui/mw-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MwWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, account_dropdown);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, account_names);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, folder_list);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, server_count);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, progress_box);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, message_view);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, date_column);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, selection);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, filter_model);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, sort_model);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, log_paned);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, reader_stack);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, reader_subject);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, reader_from);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, reader_to);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, reader_date);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, problem_revealer);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, attachments_revealer);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, attachments_list);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, problem_label);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, outbox_actions_revealer);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, reader_body);
  gtk_widget_class_bind_template_child (widget_class, MwWindow, log_view);
  gtk_widget_class_bind_template_callback (widget_class, folder_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, selection_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, summary_status_rank);
  gtk_widget_class_bind_template_callback (widget_class, summary_date_unix);

  gtk_widget_class_install_action (widget_class, "win.get-mail", NULL, get_mail_action);
  gtk_widget_class_install_action (widget_class, "win.download-new", NULL, download_new_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.compose", NULL, compose_action);
  gtk_widget_class_install_action (widget_class, "win.message-sent", NULL, message_sent_action);
  gtk_widget_class_install_action (widget_class, "win.message-queued", NULL, message_queued_action);
  gtk_widget_class_install_action (widget_class, "win.outbox-send-again", NULL, outbox_send_again_action);
  gtk_widget_class_install_action (widget_class, "win.outbox-delete", NULL, outbox_delete_action);
  gtk_widget_class_install_action (widget_class, "win.accounts", NULL, accounts_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.show-folder", "s", show_folder_action);
  gtk_widget_class_install_action (widget_class, "win.save-attachment", "u", save_attachment_action);
  gtk_widget_class_install_action (widget_class, "win.save-attachment-to", "(us)", save_attachment_to_action);
  gtk_widget_class_install_action (widget_class, "win.save-eml", NULL, save_eml_action);
  gtk_widget_class_install_action (widget_class, "win.save-eml-to", "s", save_eml_to_action);
  gtk_widget_class_install_action (widget_class, "win.reply", NULL, draft_action);
  gtk_widget_class_install_action (widget_class, "win.reply-all", NULL, draft_action);
  gtk_widget_class_install_action (widget_class, "win.forward", NULL, draft_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.reply", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.reply-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.forward", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.save-eml", NULL);
  gtk_widget_class_install_action (widget_class, "win.reload-accounts", NULL, reload_accounts_action);
  gtk_widget_class_install_action (widget_class, "win.undo-delete", NULL, undo_delete_action);
  gtk_widget_class_install_property_action (widget_class, "win.toggle-log", "log-visible");
}

static void
mw_window_init (MwWindow *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop", FALSE);
  self->transcript = mw_transcript_new (MW_TRANSCRIPT_DEFAULT_MAX_ENTRIES);
  self->server_messages = g_list_store_new (MW_TYPE_MESSAGE_SUMMARY);
  self->downloaded_messages = gtk_map_list_model_new (NULL, NULL, NULL, NULL);
  self->outbox_messages = gtk_map_list_model_new (NULL, NULL, NULL, NULL);
  self->sent_messages = gtk_map_list_model_new (NULL, NULL, NULL, NULL);
  self->settings = settings_new ();
  self->pending = g_ptr_array_new_with_free_func (g_object_unref);
  self->accounts = mw_account_store_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  mw_log_view_set_transcript (self->log_view, self->transcript);
  set_cell_factories (self);
  gtk_column_view_sort_by_column (self->message_view, self->date_column, GTK_SORT_DESCENDING);

  g_signal_connect_object (self->filter_model, "items-changed",
                           G_CALLBACK (update_list_page), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->server_messages, "items-changed",
                           G_CALLBACK (update_list_page), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_entry, "search-changed",
                           G_CALLBACK (update_list_page), self, G_CONNECT_SWAPPED);

  gtk_list_box_select_row (self->folder_list, self->server_row);
  folder_selected_cb (self, self->server_row);
  gtk_widget_set_visible (GTK_WIDGET (self->account_dropdown), FALSE);
  g_signal_connect_object (self->account_dropdown, "notify::selected",
                           G_CALLBACK (account_selected_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo-delete", FALSE);
  update_reader_actions (self);
}
