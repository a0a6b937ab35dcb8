/* mw-message-builder.h: composing a message to send
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MW_MESSAGE_BUILDER_ERROR (mw_message_builder_error_quark ())
GQuark mw_message_builder_error_quark (void);

typedef enum
{
  MW_MESSAGE_BUILDER_ERROR_HEADER_INJECTION,     /* CR or LF in a header field */
  MW_MESSAGE_BUILDER_ERROR_INVALID_ADDRESS,      /* not local@domain */
  MW_MESSAGE_BUILDER_ERROR_INVALID_TEXT,         /* not valid UTF-8 */
  MW_MESSAGE_BUILDER_ERROR_INVALID_CONTENT_TYPE, /* not type/subtype */
  MW_MESSAGE_BUILDER_ERROR_NO_SENDER,            /* no From address */
  MW_MESSAGE_BUILDER_ERROR_LINE_TOO_LONG,        /* a line over 998 bytes */
  MW_MESSAGE_BUILDER_ERROR_BAD_ORIGINAL,         /* the message replied to is unreadable */
} MwMessageBuilderError;

#define MW_TYPE_MESSAGE_BUILDER (mw_message_builder_get_type ())
G_DECLARE_FINAL_TYPE (MwMessageBuilder, mw_message_builder, MW, MESSAGE_BUILDER, GObject)

MwMessageBuilder *mw_message_builder_new (void);
MwMessageBuilder *mw_message_builder_new_reply (const char *data,
                                                size_t      len,
                                                gboolean    reply_all,
                                                GError    **error);
MwMessageBuilder *mw_message_builder_new_forward (const char *data,
                                                  size_t      len,
                                                  GError    **error);

void        mw_message_builder_set_from (MwMessageBuilder *self,
                                         const char       *name,
                                         const char       *address);
void        mw_message_builder_add_to (MwMessageBuilder *self,
                                       const char       *name,
                                       const char       *address);
void        mw_message_builder_add_cc (MwMessageBuilder *self,
                                       const char       *name,
                                       const char       *address);
void        mw_message_builder_add_bcc (MwMessageBuilder *self,
                                        const char       *name,
                                        const char       *address);
void        mw_message_builder_set_subject (MwMessageBuilder *self,
                                            const char       *subject);
const char *mw_message_builder_get_subject (MwMessageBuilder *self);
void        mw_message_builder_set_body_text (MwMessageBuilder *self,
                                              const char       *text);
const char *mw_message_builder_get_body_text (MwMessageBuilder *self);
void        mw_message_builder_add_attachment (MwMessageBuilder *self,
                                               GBytes           *content,
                                               const char       *filename,
                                               const char       *content_type);
void        mw_message_builder_add_attachment_file_async (MwMessageBuilder   *self,
                                                          GFile              *file,
                                                          const char         *content_type,
                                                          GCancellable       *cancellable,
                                                          GAsyncReadyCallback callback,
                                                          gpointer            user_data);
gboolean    mw_message_builder_add_attachment_file_finish (MwMessageBuilder *self,
                                                           GAsyncResult     *result,
                                                           GError          **error);
guint       mw_message_builder_get_n_attachments (MwMessageBuilder *self);
void        mw_message_builder_set_in_reply_to (MwMessageBuilder *self,
                                                const char       *message_id,
                                                const char       *references);
void        mw_message_builder_set_date (MwMessageBuilder *self,
                                         GDateTime        *date);
void        mw_message_builder_set_message_id_domain (MwMessageBuilder *self,
                                                      const char       *domain);

GBytes  *mw_message_builder_build (MwMessageBuilder *self,
                                   GError          **error);
char   **mw_message_builder_get_envelope_recipients (MwMessageBuilder *self);
char    *mw_message_builder_format_to (MwMessageBuilder *self);
char    *mw_message_builder_format_cc (MwMessageBuilder *self);
void     mw_message_builder_clear_recipients (MwMessageBuilder *self);
void     mw_message_builder_clear_attachments (MwMessageBuilder *self);
gboolean mw_message_builder_needs_8bit (MwMessageBuilder *self);
gboolean mw_message_builder_needs_smtputf8 (MwMessageBuilder *self);

gboolean mw_message_builder_validate_address (const char *address,
                                              GError    **error);

G_END_DECLS
