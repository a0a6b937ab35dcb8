/* mw-pop3-client.h: the POP3 client
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mw-connection.h"
#include "mw-transcript.h"

G_BEGIN_DECLS

#define MW_POP3_ERROR (mw_pop3_error_quark ())
GQuark mw_pop3_error_quark (void);

/**
 * MwPop3Error:
 * @MW_POP3_ERROR_REFUSED: a plain -ERR without a response code
 * @MW_POP3_ERROR_IN_USE: [IN-USE]: another session holds the maildrop
 * @MW_POP3_ERROR_LOGIN_DELAY: [LOGIN-DELAY]: logging in again too soon
 * @MW_POP3_ERROR_SYS_TEMP: [SYS/TEMP]: a temporary server problem
 * @MW_POP3_ERROR_SYS_PERM: [SYS/PERM]: a lasting server problem
 * @MW_POP3_ERROR_AUTH: [AUTH], or a login refused by a server that gives no
 *   response codes: the credentials were not accepted
 * @MW_POP3_ERROR_PROTOCOL: the server broke the protocol
 * @MW_POP3_ERROR_NO_MECHANISM: no login method both sides support
 * @MW_POP3_ERROR_PLAINTEXT_REFUSED: logging in would send a secret in clear
 * @MW_POP3_ERROR_STARTTLS_UNAVAILABLE: STLS is not offered or was refused
 * @MW_POP3_ERROR_NOT_CONNECTED: no session, or not logged in yet
 * @MW_POP3_ERROR_INVALID_ARGUMENT: a command argument that cannot be sent
 *
 * Errors of the POP3 client. Every message quotes what the server said.
 */
typedef enum
{
  MW_POP3_ERROR_REFUSED,
  MW_POP3_ERROR_IN_USE,
  MW_POP3_ERROR_LOGIN_DELAY,
  MW_POP3_ERROR_SYS_TEMP,
  MW_POP3_ERROR_SYS_PERM,
  MW_POP3_ERROR_AUTH,
  MW_POP3_ERROR_PROTOCOL,
  MW_POP3_ERROR_NO_MECHANISM,
  MW_POP3_ERROR_PLAINTEXT_REFUSED,
  MW_POP3_ERROR_STARTTLS_UNAVAILABLE,
  MW_POP3_ERROR_NOT_CONNECTED,
  MW_POP3_ERROR_INVALID_ARGUMENT,
} MwPop3Error;

/* Whether @error is the server's -ERR to a command (a refusal, with or
 * without a response code), as opposed to a broken or closed session. */
gboolean mw_pop3_error_is_reply (const GError *error);

/**
 * MwPop3Capabilities:
 * @MW_POP3_CAPABILITY_NONE: nothing advertised
 * @MW_POP3_CAPABILITY_TOP: TOP
 * @MW_POP3_CAPABILITY_UIDL: UIDL
 * @MW_POP3_CAPABILITY_USER: USER/PASS
 * @MW_POP3_CAPABILITY_SASL: AUTH, with the mechanisms listed
 * @MW_POP3_CAPABILITY_PIPELINING: many commands in flight
 * @MW_POP3_CAPABILITY_STLS: STLS (RFC 2595)
 * @MW_POP3_CAPABILITY_RESP_CODES: response codes in brackets
 * @MW_POP3_CAPABILITY_AUTH_RESP_CODE: [AUTH] on credential failures
 * @MW_POP3_CAPABILITY_LOGIN_DELAY: a minimum delay between logins
 * @MW_POP3_CAPABILITY_EXPIRE: a retention policy
 * @MW_POP3_CAPABILITY_IMPLEMENTATION: the server software's name
 *
 * What the server's CAPA reply advertised (RFC 2449).
 */
typedef enum /*< flags >*/
{
  MW_POP3_CAPABILITY_NONE = 0,
  MW_POP3_CAPABILITY_TOP = 1 << 0,
  MW_POP3_CAPABILITY_UIDL = 1 << 1,
  MW_POP3_CAPABILITY_USER = 1 << 2,
  MW_POP3_CAPABILITY_SASL = 1 << 3,
  MW_POP3_CAPABILITY_PIPELINING = 1 << 4,
  MW_POP3_CAPABILITY_STLS = 1 << 5,
  MW_POP3_CAPABILITY_RESP_CODES = 1 << 6,
  MW_POP3_CAPABILITY_AUTH_RESP_CODE = 1 << 7,
  MW_POP3_CAPABILITY_LOGIN_DELAY = 1 << 8,
  MW_POP3_CAPABILITY_EXPIRE = 1 << 9,
  MW_POP3_CAPABILITY_IMPLEMENTATION = 1 << 10,
} MwPop3Capabilities;

/**
 * MwPop3Pipelining:
 * @MW_POP3_PIPELINING_AUTO: pipeline when the server advertises PIPELINING
 * @MW_POP3_PIPELINING_NEVER: one command at a time, whatever the server says
 */
typedef enum
{
  MW_POP3_PIPELINING_AUTO,
  MW_POP3_PIPELINING_NEVER,
} MwPop3Pipelining;

/**
 * MwPop3State:
 * @MW_POP3_STATE_DISCONNECTED: no connection
 * @MW_POP3_STATE_CONNECTING: connecting, reading the greeting, logging in
 * @MW_POP3_STATE_TRANSACTION: logged in
 * @MW_POP3_STATE_CLOSED: the session ended with QUIT
 * @MW_POP3_STATE_AUTHORIZATION: connected (greeting, CAPA and TLS done) but
 *   not logged in: see mw_pop3_client_set_login_on_connect()
 */
typedef enum
{
  MW_POP3_STATE_DISCONNECTED,
  MW_POP3_STATE_CONNECTING,
  MW_POP3_STATE_TRANSACTION,
  MW_POP3_STATE_CLOSED,
  MW_POP3_STATE_AUTHORIZATION,
} MwPop3State;

/* Bounds on what the server may send. */
#define MW_POP3_MAX_MESSAGES     10000000
#define MW_POP3_MAX_UID          512
#define MW_POP3_MAX_LISTING      (64 * 1024 * 1024)
#define MW_POP3_MAX_TOP_HEADERS  (256 * 1024)
#define MW_POP3_MAX_REPLY_BODY   (4 * 1024 * 1024)
#define MW_POP3_PIPELINE_BYTES   (32 * 1024)
#define MW_POP3_PIPELINE_REPLIES 4096

/* A message body may be up to twice the size LIST announced (a server
 * may count line ends as LF and send CRLF) plus MW_POP3_BODY_MARGIN;
 * past that the server is broken or hostile and the session ends. A
 * headers-only TOP may always reach MW_POP3_MAX_HEADERS_REPLY, and a
 * message whose size the session does not know MW_POP3_MAX_UNLISTED_BODY. */
#define MW_POP3_BODY_MARGIN       (1024 * 1024)
#define MW_POP3_MAX_HEADERS_REPLY (8 * 1024 * 1024)
#define MW_POP3_MAX_UNLISTED_BODY (G_GUINT64_CONSTANT (1) << 30)

typedef struct
{
  guint   number;
  guint64 size;
} MwPop3ListEntry;

typedef struct
{
  guint number;
  char *uid;
} MwPop3UidEntry;

/**
 * MwPop3Reply:
 * @ok: whether the status was +OK
 * @status: the status line as received
 * @lines: (array zero-terminated=1): the body lines of a multi-line reply
 * @truncated: the body was longer than %MW_POP3_MAX_REPLY_BODY
 * @challenge: a "+ " SASL challenge to an AUTH typed by hand: the next
 *   command line is the response (see
 *   mw_pop3_client_get_expects_sasl_response())
 *
 * A reply to a raw command (the console).
 */
typedef struct
{
  gboolean ok;
  char    *status;
  char   **lines;
  gboolean truncated;
  gboolean challenge;
} MwPop3Reply;

#define MW_TYPE_POP3_REPLY (mw_pop3_reply_get_type ())
GType        mw_pop3_reply_get_type (void) G_GNUC_CONST;
MwPop3Reply *mw_pop3_reply_copy (const MwPop3Reply *reply);
void         mw_pop3_reply_free (MwPop3Reply *reply);

#define MW_TYPE_POP3_CLIENT (mw_pop3_client_get_type ())
G_DECLARE_FINAL_TYPE (MwPop3Client, mw_pop3_client, MW, POP3_CLIENT, GObject)

MwPop3Client *mw_pop3_client_new (const char   *host,
                                  guint16       port,
                                  MwSecurity    security,
                                  MwTranscript *transcript);

const char   *mw_pop3_client_get_host (MwPop3Client *self);
guint16       mw_pop3_client_get_port (MwPop3Client *self);
MwSecurity    mw_pop3_client_get_security (MwPop3Client *self);
MwTranscript *mw_pop3_client_get_transcript (MwPop3Client *self);
MwPop3State   mw_pop3_client_get_state (MwPop3Client *self);

const char *mw_pop3_client_get_user (MwPop3Client *self);
void        mw_pop3_client_set_user (MwPop3Client *self,
                                     const char   *user);
/* Secrets are copied, and wiped when replaced or freed. */
void     mw_pop3_client_set_password (MwPop3Client *self,
                                      const char   *password);
gboolean mw_pop3_client_get_has_password (MwPop3Client *self);
void     mw_pop3_client_set_oauth2_token (MwPop3Client *self,
                                          const char   *token);
gboolean mw_pop3_client_get_has_oauth2_token (MwPop3Client *self);

/* "USER", "APOP" or a SASL mechanism name; NULL picks the strongest. */
const char *mw_pop3_client_get_auth_mechanism (MwPop3Client *self);
void        mw_pop3_client_set_auth_mechanism (MwPop3Client *self,
                                               const char   *mechanism);
gboolean    mw_pop3_client_get_allow_plaintext (MwPop3Client *self);
void        mw_pop3_client_set_allow_plaintext (MwPop3Client *self,
                                                gboolean      allow);
/* FALSE: connect_async() stops before logging in (greeting, CAPA, TLS
 * only), leaving the session in MW_POP3_STATE_AUTHORIZATION for
 * mw_pop3_client_login_async() or for commands typed by a person. */
gboolean         mw_pop3_client_get_login_on_connect (MwPop3Client *self);
void             mw_pop3_client_set_login_on_connect (MwPop3Client *self,
                                                      gboolean      login);
MwPop3Pipelining mw_pop3_client_get_pipelining (MwPop3Client *self);
void             mw_pop3_client_set_pipelining (MwPop3Client    *self,
                                                MwPop3Pipelining mode);
guint            mw_pop3_client_get_timeout (MwPop3Client *self);
void             mw_pop3_client_set_timeout (MwPop3Client *self,
                                             guint         seconds);
const char      *mw_pop3_client_get_pinned_fingerprint (MwPop3Client *self);
void             mw_pop3_client_set_pinned_fingerprint (MwPop3Client *self,
                                                        const char   *fingerprint);
const char      *mw_pop3_client_get_ca_file (MwPop3Client *self);
void             mw_pop3_client_set_ca_file (MwPop3Client *self,
                                             const char   *path);
const char      *mw_pop3_client_get_server_identity (MwPop3Client *self);
void             mw_pop3_client_set_server_identity (MwPop3Client *self,
                                                     const char   *identity);

/* What the session learned. */
MwConnection      *mw_pop3_client_get_connection (MwPop3Client *self);
MwCertificateInfo *mw_pop3_client_get_certificate_info (MwPop3Client *self);
const char        *mw_pop3_client_get_greeting (MwPop3Client *self);
const char        *mw_pop3_client_get_apop_timestamp (MwPop3Client *self);
gboolean           mw_pop3_client_get_capa_known (MwPop3Client *self);
MwPop3Capabilities mw_pop3_client_get_capabilities (MwPop3Client *self);
const char *const *mw_pop3_client_get_capability_lines (MwPop3Client *self);
const char *const *mw_pop3_client_get_sasl_mechanisms (MwPop3Client *self);
int                mw_pop3_client_get_login_delay (MwPop3Client *self);
const char        *mw_pop3_client_get_expire (MwPop3Client *self);
const char        *mw_pop3_client_get_implementation (MwPop3Client *self);
const char        *mw_pop3_client_get_mechanism_used (MwPop3Client *self);
gboolean           mw_pop3_client_is_pipelining (MwPop3Client *self);
guint              mw_pop3_client_get_pending_deletions (MwPop3Client *self);

/* Connects, reads the greeting, asks CAPA, upgrades with STLS when the
 * security is MW_SECURITY_STARTTLS (never falling back to plain text),
 * and logs in with the strongest method both sides support. */
void     mw_pop3_client_connect_async (MwPop3Client       *self,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
gboolean mw_pop3_client_connect_finish (MwPop3Client *self,
                                        GAsyncResult *result,
                                        GError      **error);

/* Logs in on a session connected without logging in
 * (MW_POP3_STATE_AUTHORIZATION), as connect_async() would have. */
void     mw_pop3_client_login_async (MwPop3Client       *self,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
gboolean mw_pop3_client_login_finish (MwPop3Client *self,
                                      GAsyncResult *result,
                                      GError      **error);

/* Asks CAPA again and replaces what the session knew: servers often
 * advertise more after login (IMPLEMENTATION, LOGIN-DELAY, EXPIRE;
 * RFC 2449 section 6). A -ERR leaves the RFC 1939 defaults. */
void     mw_pop3_client_capa_async (MwPop3Client       *self,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data);
gboolean mw_pop3_client_capa_finish (MwPop3Client *self,
                                     GAsyncResult *result,
                                     GError      **error);

void     mw_pop3_client_stat_async (MwPop3Client       *self,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data);
gboolean mw_pop3_client_stat_finish (MwPop3Client *self,
                                     GAsyncResult *result,
                                     guint        *out_count,
                                     guint64      *out_size,
                                     GError      **error);

/* Returns an array of MwPop3ListEntry. */
void    mw_pop3_client_list_async (MwPop3Client       *self,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data);
GArray *mw_pop3_client_list_finish (MwPop3Client *self,
                                    GAsyncResult *result,
                                    GError      **error);

void     mw_pop3_client_list_one_async (MwPop3Client       *self,
                                        guint               number,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gboolean mw_pop3_client_list_one_finish (MwPop3Client *self,
                                         GAsyncResult *result,
                                         guint64      *out_size,
                                         GError      **error);

/* Returns an array of MwPop3UidEntry (their uids freed with the array). */
void    mw_pop3_client_uidl_async (MwPop3Client       *self,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data);
GArray *mw_pop3_client_uidl_finish (MwPop3Client *self,
                                    GAsyncResult *result,
                                    GError      **error);

void  mw_pop3_client_uidl_one_async (MwPop3Client       *self,
                                     guint               number,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
char *mw_pop3_client_uidl_one_finish (MwPop3Client *self,
                                      GAsyncResult *result,
                                      GError      **error);

/* The headers and the first @lines body lines, unstuffed, into @sink. */
void     mw_pop3_client_top_async (MwPop3Client       *self,
                                   guint               number,
                                   guint               lines,
                                   GOutputStream      *sink,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data);
gboolean mw_pop3_client_top_finish (MwPop3Client *self,
                                    GAsyncResult *result,
                                    MwBodyStats  *out_stats,
                                    GError      **error);

/* The whole message, unstuffed and streamed into @sink; the
 * ::retr-progress signal reports the bytes received. */
void     mw_pop3_client_retr_async (MwPop3Client       *self,
                                    guint               number,
                                    GOutputStream      *sink,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data);
gboolean mw_pop3_client_retr_finish (MwPop3Client *self,
                                     GAsyncResult *result,
                                     MwBodyStats  *out_stats,
                                     GError      **error);

/* The size @number was listed with in an earlier session, once its UID
 * has been checked: bounds RETR and TOP like a LIST of this session. */
void mw_pop3_client_set_message_size (MwPop3Client *self,
                                      guint         number,
                                      guint64       size);

/* Whether RETR and TOP bodies end the session once they pass the bound
 * their announced size sets (default TRUE). */
gboolean mw_pop3_client_get_body_size_limit (MwPop3Client *self);
void     mw_pop3_client_set_body_size_limit (MwPop3Client *self,
                                             gboolean      limit);

void     mw_pop3_client_dele_async (MwPop3Client       *self,
                                    guint               number,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data);
gboolean mw_pop3_client_dele_finish (MwPop3Client *self,
                                     GAsyncResult *result,
                                     GError      **error);

void     mw_pop3_client_rset_async (MwPop3Client       *self,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data);
gboolean mw_pop3_client_rset_finish (MwPop3Client *self,
                                     GAsyncResult *result,
                                     GError      **error);

void     mw_pop3_client_noop_async (MwPop3Client       *self,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data);
gboolean mw_pop3_client_noop_finish (MwPop3Client *self,
                                     GAsyncResult *result,
                                     GError      **error);

/* LAST (RFC 1460): the highest message number accessed. */
void     mw_pop3_client_last_async (MwPop3Client       *self,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data);
gboolean mw_pop3_client_last_finish (MwPop3Client *self,
                                     GAsyncResult *result,
                                     guint        *out_last,
                                     GError      **error);

/* Ends the session. Deletions are real only once QUIT got +OK:
 * @out_committed says whether that happened. The connection is closed
 * in every case. */
void     mw_pop3_client_quit_async (MwPop3Client       *self,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data);
gboolean mw_pop3_client_quit_finish (MwPop3Client *self,
                                     GAsyncResult *result,
                                     gboolean     *out_committed,
                                     GError      **error);

/* A command typed by a person. Multi-line replies are recognised for
 * CAPA, LIST and UIDL without argument, TOP and RETR, and for any command
 * when @multiline_hint is TRUE. The arguments of PASS, the digest of APOP,
 * an AUTH initial response and every line answering a SASL challenge are
 * redacted in the transcript. PASS, and AUTH with a mechanism that sends
 * the password as it is, fail with MW_POP3_ERROR_PLAINTEXT_REFUSED on an
 * unencrypted connection unless plain text is allowed. A +OK to PASS,
 * APOP or AUTH moves the session to MW_POP3_STATE_TRANSACTION. STLS is
 * refused (it needs the client's help). */
void         mw_pop3_client_command_async (MwPop3Client       *self,
                                           const char         *line,
                                           gboolean            multiline_hint,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data);
MwPop3Reply *mw_pop3_client_command_finish (MwPop3Client *self,
                                            GAsyncResult *result,
                                            GError      **error);
/* Whether the last console reply was a SASL challenge: the next command
 * line is sent as the (redacted) response, "*" cancels. */
gboolean mw_pop3_client_get_expects_sasl_response (MwPop3Client *self);

/* STAT, LIST, UIDL and "TOP n 0" for every message, pipelined when the
 * server allows it. ::summary is emitted for each message as soon as its
 * headers arrive, ::progress after each. Returns the MwMessageSummary
 * objects in message order. */
void       mw_pop3_client_previews_async (MwPop3Client       *self,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
GPtrArray *mw_pop3_client_previews_finish (MwPop3Client *self,
                                           GAsyncResult *result,
                                           GError      **error);

/* Closes the connection at once, without QUIT: nothing is deleted. */
void mw_pop3_client_close (MwPop3Client *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MwPop3Reply, mw_pop3_reply_free)

G_END_DECLS
