/* mw-mail-server-private.h: what the sessions ask of the server
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mw-mail-server.h"

G_BEGIN_DECLS

/* A copy of the settings, taken when a session starts. */
typedef struct
{
  GTlsCertificate *certificate;
  guint64          max_message_size;
  guint            idle_timeout;
  guint            auth_failure_delay;
  gboolean         allow_plaintext_auth;
  gboolean         no_uidl;
  gboolean         no_top;
} MwServerConfig;

void mw_server_config_free (MwServerConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MwServerConfig, mw_server_config_free)

MwServerConfig *mw_mail_server_get_config (MwMailServer *self);

gboolean mw_mail_server_check_password (MwMailServer *self,
                                        const char   *user,
                                        const char   *password);

/* APOP: @digest is the lower- or upper-case hex MD5 of @timestamp and the
 * user's password. */
gboolean mw_mail_server_check_apop (MwMailServer *self,
                                    const char   *user,
                                    const char   *timestamp,
                                    const char   *digest);

/* Decodes a SASL PLAIN response (base64) and checks it; @out_user gets the
 * user name on success. */
gboolean mw_mail_server_check_sasl_plain (MwMailServer *self,
                                          const char   *response,
                                          char        **out_user);

/* A newly allocated reply line for a refused recipient, or NULL. */
char *mw_mail_server_lookup_refused (MwMailServer *self,
                                     const char   *address);

/* The maildrop lock a POP3 session holds from login to the end. */
gboolean mw_mail_server_lock_maildrop (MwMailServer *self,
                                       gboolean     *out_in_use,
                                       GError      **error);
void     mw_mail_server_unlock_maildrop (MwMailServer *self);

const char *mw_mail_server_get_host_name (MwMailServer *self);

/* Sessions, in the threads of the socket service. */
void mw_pop3_session_run (MwMailServer      *server,
                          GSocketConnection *connection,
                          gboolean           implicit_tls,
                          GCancellable      *cancellable);
void mw_smtp_session_run (MwMailServer      *server,
                          GSocketConnection *connection,
                          gboolean           implicit_tls,
                          GCancellable      *cancellable);

/* Strict base64 ("=" alone is the empty string); NULL if malformed. The
 * result is NUL-terminated. */
guchar *mw_server_decode_base64 (const char *str,
                                 gsize      *out_len);

/* Compares without leaking through timing where the strings differ. */
gboolean mw_server_secure_equal (const char *a,
                                 const char *b);

/* Frees a secret after wiping it. */
void mw_server_free_secret (char *secret);

G_END_DECLS
