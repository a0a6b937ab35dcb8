/* mw-console-session.h: the session the log pane's console types into
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mw-account.h"
#include "mw-connection.h"
#include "mw-reply-explainer.h"
#include "mw-transcript.h"

G_BEGIN_DECLS

#define MW_TYPE_CONSOLE_SESSION (mw_console_session_get_type ())
G_DECLARE_FINAL_TYPE (MwConsoleSession, mw_console_session, MW, CONSOLE_SESSION, GObject)

/* A POP3 or SMTP session of its own, opened (and logged in) on the first
 * command, ended after a minute of silence. Every line goes to
 * @transcript. */
MwConsoleSession *mw_console_session_new (MwReplyProtocol protocol,
                                          const char     *host,
                                          guint16         port,
                                          MwSecurity      security,
                                          MwTranscript   *transcript);
void              mw_console_session_set_credentials (MwConsoleSession *self,
                                                      const char       *user,
                                                      const char       *password,
                                                      gboolean          allow_plaintext);
/* Sessions opened from now on accept the certificates @account pins,
 * including pins added later. */
void mw_console_session_set_account (MwConsoleSession *self,
                                     MwAccount        *account);

MwReplyProtocol mw_console_session_get_protocol (MwConsoleSession *self);
/* "POP3 mail.example.org:995" */
const char *mw_console_session_get_target (MwConsoleSession *self);

/* Messages marked with DELE in the open POP3 session, counted from the
 * server's replies; 0 after RSET, QUIT or a new session. */
guint mw_console_session_get_pending_deletions (MwConsoleSession *self);
/* Whether the server answered DATA with 354: the lines sent now are the
 * message, up to one holding only ".". */
gboolean mw_console_session_get_in_data (MwConsoleSession *self);
/* While the chunk after a typed "BDAT n" is being typed: the bytes still to
 * come (each typed line counts with its CRLF); 0 otherwise. */
guint64 mw_console_session_get_chunk_remaining (MwConsoleSession *self);

/* Sends one typed line (connecting first when needed) and waits for the
 * whole reply, multi-line or not. Commands Mailwire refuses fail with
 * G_IO_ERROR_NOT_SUPPORTED and say why; nothing is sent. In DATA mode the
 * line is kept and the message goes out at the final ".". */
void     mw_console_session_send_async (MwConsoleSession   *self,
                                        const char         *line,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gboolean mw_console_session_send_finish (MwConsoleSession *self,
                                         GAsyncResult     *result,
                                         GError          **error);

/* Ends the session. With deletions pending it closes without QUIT, so
 * that nothing is deleted the user did not confirm. */
void mw_console_session_close (MwConsoleSession *self);

G_END_DECLS
