/* mw-mail-server.h: the embedded POP3 and SMTP server
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MW_MAIL_SERVER_ERROR (mw_mail_server_error_quark ())
GQuark mw_mail_server_error_quark (void);

/**
 * MwMailServerError:
 * @MW_MAIL_SERVER_ERROR_FAILED: the server could not start
 * @MW_MAIL_SERVER_ERROR_MAILDIR: the Maildir could not be created
 * @MW_MAIL_SERVER_ERROR_STARTED: the server was already started
 */
typedef enum
{
  MW_MAIL_SERVER_ERROR_FAILED,
  MW_MAIL_SERVER_ERROR_MAILDIR,
  MW_MAIL_SERVER_ERROR_STARTED,
} MwMailServerError;

/* The largest message SMTP accepts unless told otherwise (as Postfix). */
#define MW_MAIL_SERVER_DEFAULT_MAX_MESSAGE_SIZE (50 * 1024 * 1024)
/* Seconds a session may stay silent before it is closed. */
#define MW_MAIL_SERVER_DEFAULT_IDLE_TIMEOUT 600
/* Milliseconds before a wrong password is answered. */
#define MW_MAIL_SERVER_DEFAULT_AUTH_FAILURE_DELAY 1000

#define MW_TYPE_MAIL_SERVER (mw_mail_server_get_type ())
G_DECLARE_FINAL_TYPE (MwMailServer, mw_mail_server, MW, MAIL_SERVER, GObject)

/* A POP3 and SMTP server on 127.0.0.1 over one Maildir: what SMTP accepts
 * lands in the Maildir, which POP3 serves to any configured user. Sessions
 * run in their own threads with blocking I/O; the object's methods are
 * called from one thread (the setters before mw_mail_server_start()). */
MwMailServer *mw_mail_server_new (const char *maildir);

const char *mw_mail_server_get_maildir (MwMailServer *self);

void mw_mail_server_add_user (MwMailServer *self,
                              const char   *user,
                              const char   *password);

/* Enables STLS, STARTTLS and the POP3S and SMTPS listeners. */
void mw_mail_server_set_certificate (MwMailServer    *self,
                                     GTlsCertificate *certificate);

/* 0: no limit. */
void mw_mail_server_set_max_message_size (MwMailServer *self,
                                          guint64       max_size);

/* SMTP answers RCPT TO:<@address> with @reply, a whole reply line such as
 * "550 5.1.1 <bob@example.org>: Recipient address rejected" (no CRLF).
 * A NULL @reply accepts the address again. */
void mw_mail_server_set_refused_recipient (MwMailServer *self,
                                           const char   *address,
                                           const char   *reply);

void mw_mail_server_set_idle_timeout (MwMailServer *self,
                                      guint         seconds);
void mw_mail_server_set_auth_failure_delay (MwMailServer *self,
                                            guint         msec);

/* With a certificate, password authentication waits for TLS unless this
 * is set (APOP is always allowed). */
void mw_mail_server_set_allow_plaintext_auth (MwMailServer *self,
                                              gboolean      allow);

/* Plays an old POP3 server without the optional UIDL command: CAPA does not
 * list it and the command is unknown. Offered by default. */
void mw_mail_server_set_pop3_uidl (MwMailServer *self,
                                   gboolean      offered);
/* The same for the optional TOP command. */
void mw_mail_server_set_pop3_top (MwMailServer *self,
                                  gboolean      offered);

/* Creates the Maildir if needed and listens on 127.0.0.1, on ports the
 * system picks. Accepting runs in a thread of its own: the caller needs no
 * main loop. */
gboolean mw_mail_server_start (MwMailServer *self,
                               GError      **error);

/* Stops listening, ends every session (nothing marked for deletion is
 * removed) and waits for their threads. */
void mw_mail_server_stop (MwMailServer *self);

guint16 mw_mail_server_get_pop3_port (MwMailServer *self);
guint16 mw_mail_server_get_pop3s_port (MwMailServer *self);
guint16 mw_mail_server_get_smtp_port (MwMailServer *self);
guint16 mw_mail_server_get_smtps_port (MwMailServer *self);

G_END_DECLS
