/* mw-smtp-client.h: the ESMTP client
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mw-connection.h"
#include "mw-transcript.h"

G_BEGIN_DECLS

#define MW_SMTP_ERROR (mw_smtp_error_quark ())
GQuark mw_smtp_error_quark (void);

/**
 * MwSmtpError:
 * @MW_SMTP_ERROR_PROTOCOL: a reply of the wrong shape, or out of place
 * @MW_SMTP_ERROR_GREETING_REFUSED: the server refused the session (554)
 * @MW_SMTP_ERROR_SERVICE_UNAVAILABLE: the server is closing the session (421)
 * @MW_SMTP_ERROR_COMMAND_FAILED: a command was refused for another reason
 * @MW_SMTP_ERROR_STARTTLS_UNAVAILABLE: encryption was required and the
 *   server does not offer STARTTLS
 * @MW_SMTP_ERROR_STARTTLS_FAILED: the server refused STARTTLS
 * @MW_SMTP_ERROR_AUTH_UNAVAILABLE: credentials were given and the server
 *   offers no AUTH
 * @MW_SMTP_ERROR_NO_MECHANISM: no offered mechanism is one Mailwire speaks
 * @MW_SMTP_ERROR_PLAINTEXT_REFUSED: only mechanisms that send the password
 *   are left, and the connection is not encrypted
 * @MW_SMTP_ERROR_AUTH_FAILED: credentials refused (535)
 * @MW_SMTP_ERROR_AUTH_TOO_WEAK: the mechanism is too weak (534)
 * @MW_SMTP_ERROR_AUTH_ENCRYPTION_REQUIRED: login needs TLS (538)
 * @MW_SMTP_ERROR_AUTH_TEMPORARY: login failed for now (454)
 * @MW_SMTP_ERROR_AUTH_SERVER_UNVERIFIED: the server failed to prove it
 *   knows the password (SCRAM)
 * @MW_SMTP_ERROR_UNSUPPORTED: the message needs an extension the server
 *   lacks (8BITMIME, SMTPUTF8)
 * @MW_SMTP_ERROR_MESSAGE_TOO_LARGE: larger than the advertised SIZE, or
 *   refused for its size (552)
 * @MW_SMTP_ERROR_SENDER_REFUSED: MAIL FROM was refused
 * @MW_SMTP_ERROR_RECIPIENTS_REFUSED: recipients were refused; nothing was
 *   sent
 * @MW_SMTP_ERROR_MESSAGE_REFUSED: the server refused the message after
 *   receiving it, or refused DATA
 * @MW_SMTP_ERROR_DELIVERY_UNCERTAIN: the connection ended after the whole
 *   message was sent and before the server's answer; the message may or
 *   may not have been accepted
 * @MW_SMTP_ERROR_INVALID_ARGUMENT: an address or command Mailwire will not
 *   send
 * @MW_SMTP_ERROR_NOT_CONNECTED: no session is open
 * @MW_SMTP_ERROR_BUSY: another operation is under way
 */
typedef enum
{
  MW_SMTP_ERROR_PROTOCOL,
  MW_SMTP_ERROR_GREETING_REFUSED,
  MW_SMTP_ERROR_SERVICE_UNAVAILABLE,
  MW_SMTP_ERROR_COMMAND_FAILED,
  MW_SMTP_ERROR_STARTTLS_UNAVAILABLE,
  MW_SMTP_ERROR_STARTTLS_FAILED,
  MW_SMTP_ERROR_AUTH_UNAVAILABLE,
  MW_SMTP_ERROR_NO_MECHANISM,
  MW_SMTP_ERROR_PLAINTEXT_REFUSED,
  MW_SMTP_ERROR_AUTH_FAILED,
  MW_SMTP_ERROR_AUTH_TOO_WEAK,
  MW_SMTP_ERROR_AUTH_ENCRYPTION_REQUIRED,
  MW_SMTP_ERROR_AUTH_TEMPORARY,
  MW_SMTP_ERROR_AUTH_SERVER_UNVERIFIED,
  MW_SMTP_ERROR_UNSUPPORTED,
  MW_SMTP_ERROR_MESSAGE_TOO_LARGE,
  MW_SMTP_ERROR_SENDER_REFUSED,
  MW_SMTP_ERROR_RECIPIENTS_REFUSED,
  MW_SMTP_ERROR_MESSAGE_REFUSED,
  MW_SMTP_ERROR_DELIVERY_UNCERTAIN,
  MW_SMTP_ERROR_INVALID_ARGUMENT,
  MW_SMTP_ERROR_NOT_CONNECTED,
  MW_SMTP_ERROR_BUSY,
} MwSmtpError;

/* Caps on what a server may send. */
#define MW_SMTP_MAX_REPLY_LINES 256
#define MW_SMTP_MAX_AUTH_ROUNDS 8

/* Default seconds to wait for the answer to the end of the message
 * (RFC 5321 section 4.5.3.2.6 suggests ten minutes). */
#define MW_SMTP_DEFAULT_FINAL_REPLY_TIMEOUT 600

/**
 * MwSmtpReply:
 * @code: the three-digit reply code
 * @enhanced_class: the class of the enhanced status code (2, 4 or 5), or
 *   0 when the reply has none
 * @enhanced_subject: its subject
 * @enhanced_detail: its detail
 * @enhanced: the enhanced code as text ("5.7.8"), or %NULL
 * @text: the text of every line after the codes, joined by newlines
 * @lines: (array zero-terminated=1): the lines as received
 *
 * One complete (possibly multi-line) server reply.
 */
typedef struct
{
  int    code;
  int    enhanced_class;
  int    enhanced_subject;
  int    enhanced_detail;
  char  *enhanced;
  char  *text;
  char **lines;
} MwSmtpReply;

#define MW_TYPE_SMTP_REPLY (mw_smtp_reply_get_type ())
GType        mw_smtp_reply_get_type (void);
MwSmtpReply *mw_smtp_reply_parse (const char *const *lines,
                                  GError           **error);
MwSmtpReply *mw_smtp_reply_copy (const MwSmtpReply *reply);
void         mw_smtp_reply_free (MwSmtpReply *reply);
/* The reply as a person reads it: its lines joined, capped in length. */
char *mw_smtp_reply_quote (const MwSmtpReply *reply);

/**
 * MwSmtpCapabilityFlags:
 * @MW_SMTP_CAP_NONE: nothing (HELO, or EHLO answered with no keywords)
 * @MW_SMTP_CAP_ESMTP: the server answered EHLO
 * @MW_SMTP_CAP_SIZE: SIZE (RFC 1870)
 * @MW_SMTP_CAP_PIPELINING: PIPELINING (RFC 2920)
 * @MW_SMTP_CAP_8BITMIME: 8BITMIME (RFC 6152)
 * @MW_SMTP_CAP_SMTPUTF8: SMTPUTF8 (RFC 6531)
 * @MW_SMTP_CAP_CHUNKING: CHUNKING (RFC 3030)
 * @MW_SMTP_CAP_DSN: DSN (RFC 3461)
 * @MW_SMTP_CAP_ENHANCEDSTATUSCODES: ENHANCEDSTATUSCODES (RFC 2034)
 * @MW_SMTP_CAP_AUTH: AUTH (RFC 4954)
 * @MW_SMTP_CAP_STARTTLS: STARTTLS (RFC 3207)
 */
typedef enum /*< flags >*/
{
  MW_SMTP_CAP_NONE = 0,
  MW_SMTP_CAP_ESMTP = 1 << 0,
  MW_SMTP_CAP_SIZE = 1 << 1,
  MW_SMTP_CAP_PIPELINING = 1 << 2,
  MW_SMTP_CAP_8BITMIME = 1 << 3,
  MW_SMTP_CAP_SMTPUTF8 = 1 << 4,
  MW_SMTP_CAP_CHUNKING = 1 << 5,
  MW_SMTP_CAP_DSN = 1 << 6,
  MW_SMTP_CAP_ENHANCEDSTATUSCODES = 1 << 7,
  MW_SMTP_CAP_AUTH = 1 << 8,
  MW_SMTP_CAP_STARTTLS = 1 << 9,
} MwSmtpCapabilityFlags;

/**
 * MwSmtpCapabilities:
 * @flags: the extensions offered
 * @size: the SIZE limit in bytes; 0 when none is stated
 * @domain: the server's name from the first line of its EHLO/HELO reply
 * @auth: (array zero-terminated=1): the AUTH mechanisms, upper case
 * @keywords: (array zero-terminated=1): every keyword line as received,
 *   without the reply code (for explaining them)
 *
 * What the server said about itself in its EHLO reply.
 */
typedef struct
{
  MwSmtpCapabilityFlags flags;
  guint64               size;
  char                 *domain;
  char                **auth;
  char                **keywords;
} MwSmtpCapabilities;

#define MW_TYPE_SMTP_CAPABILITIES (mw_smtp_capabilities_get_type ())
GType               mw_smtp_capabilities_get_type (void);
MwSmtpCapabilities *mw_smtp_capabilities_parse (const MwSmtpReply *ehlo_reply);
MwSmtpCapabilities *mw_smtp_capabilities_copy (const MwSmtpCapabilities *caps);
void                mw_smtp_capabilities_free (MwSmtpCapabilities *caps);

/**
 * MwSmtpRecipient:
 * @address: the address as given
 * @accepted: whether the server accepted it
 * @reply: (nullable): the server's reply to its RCPT TO; %NULL when the
 *   command was never answered
 *
 * What happened to one recipient.
 */
typedef struct
{
  char        *address;
  gboolean     accepted;
  MwSmtpReply *reply;
} MwSmtpRecipient;

#define MW_TYPE_SMTP_RECIPIENT (mw_smtp_recipient_get_type ())
GType            mw_smtp_recipient_get_type (void);
MwSmtpRecipient *mw_smtp_recipient_copy (const MwSmtpRecipient *recipient);
void             mw_smtp_recipient_free (MwSmtpRecipient *recipient);

/**
 * MwSmtpSendFlags:
 * @MW_SMTP_SEND_NONE: defaults: all or nothing
 * @MW_SMTP_SEND_8BITMIME: the message has 8-bit content (BODY=8BITMIME)
 * @MW_SMTP_SEND_SMTPUTF8: the message or its addresses need SMTPUTF8
 * @MW_SMTP_SEND_TO_ACCEPTED_ONLY: when some recipients are refused, send
 *   to the others
 * @MW_SMTP_SEND_ALL_OR_NOTHING: when any recipient is refused, send
 *   nothing (the default)
 */
typedef enum /*< flags >*/
{
  MW_SMTP_SEND_NONE = 0,
  MW_SMTP_SEND_8BITMIME = 1 << 0,
  MW_SMTP_SEND_SMTPUTF8 = 1 << 1,
  MW_SMTP_SEND_TO_ACCEPTED_ONLY = 1 << 2,
  MW_SMTP_SEND_ALL_OR_NOTHING = 1 << 3,
} MwSmtpSendFlags;

/**
 * MwSmtpDsnNotify:
 * @MW_SMTP_DSN_NOTIFY_DEFAULT: leave it to the server
 * @MW_SMTP_DSN_NOTIFY_NEVER: never (excludes the others)
 * @MW_SMTP_DSN_NOTIFY_SUCCESS: on delivery
 * @MW_SMTP_DSN_NOTIFY_FAILURE: on failure
 * @MW_SMTP_DSN_NOTIFY_DELAY: on delay
 */
typedef enum /*< flags >*/
{
  MW_SMTP_DSN_NOTIFY_DEFAULT = 0,
  MW_SMTP_DSN_NOTIFY_NEVER = 1 << 0,
  MW_SMTP_DSN_NOTIFY_SUCCESS = 1 << 1,
  MW_SMTP_DSN_NOTIFY_FAILURE = 1 << 2,
  MW_SMTP_DSN_NOTIFY_DELAY = 1 << 3,
} MwSmtpDsnNotify;

typedef enum
{
  MW_SMTP_DSN_RET_DEFAULT,
  MW_SMTP_DSN_RET_FULL,
  MW_SMTP_DSN_RET_HDRS,
} MwSmtpDsnRet;

/**
 * MwSmtpDsn:
 * @notify: NOTIFY= for every recipient
 * @ret: RET=
 * @envid: (nullable): ENVID=, printable ASCII; xtext-encoded on the wire
 *
 * Delivery status notifications asked for (RFC 3461). Used only when the
 * server offers DSN; otherwise a note says they were left out.
 */
typedef struct
{
  MwSmtpDsnNotify notify;
  MwSmtpDsnRet    ret;
  const char     *envid;
} MwSmtpDsn;

/**
 * MwSmtpPipelining:
 * @MW_SMTP_PIPELINING_AUTO: group commands when the server offers
 *   PIPELINING
 * @MW_SMTP_PIPELINING_NEVER: one command at a time
 */
typedef enum
{
  MW_SMTP_PIPELINING_AUTO,
  MW_SMTP_PIPELINING_NEVER,
} MwSmtpPipelining;

/**
 * MwSmtpChunking:
 * @MW_SMTP_CHUNKING_AUTO: BDAT when the server offers CHUNKING
 * @MW_SMTP_CHUNKING_NEVER: always DATA
 */
typedef enum
{
  MW_SMTP_CHUNKING_AUTO,
  MW_SMTP_CHUNKING_NEVER,
} MwSmtpChunking;

#define MW_TYPE_SMTP_SEND_RESULT (mw_smtp_send_result_get_type ())
G_DECLARE_FINAL_TYPE (MwSmtpSendResult, mw_smtp_send_result, MW, SMTP_SEND_RESULT, GObject)

/* Every recipient, in the order given. */
GPtrArray   *mw_smtp_send_result_get_recipients (MwSmtpSendResult *self);
guint        mw_smtp_send_result_get_n_accepted (MwSmtpSendResult *self);
guint        mw_smtp_send_result_get_n_refused (MwSmtpSendResult *self);
MwSmtpReply *mw_smtp_send_result_get_mail_reply (MwSmtpSendResult *self);
/* The answer to the end of the message: the one that decides. */
MwSmtpReply *mw_smtp_send_result_get_final_reply (MwSmtpSendResult *self);
/* Message bytes written to the server (after CRLF normalization). */
guint64  mw_smtp_send_result_get_bytes_sent (MwSmtpSendResult *self);
gboolean mw_smtp_send_result_get_used_chunking (MwSmtpSendResult *self);
gboolean mw_smtp_send_result_get_used_pipelining (MwSmtpSendResult *self);

#define MW_TYPE_SMTP_CLIENT (mw_smtp_client_get_type ())
G_DECLARE_FINAL_TYPE (MwSmtpClient, mw_smtp_client, MW, SMTP_CLIENT, GObject)

MwSmtpClient *mw_smtp_client_new (const char   *host,
                                  guint16       port,
                                  MwSecurity    security,
                                  MwTranscript *transcript);

const char   *mw_smtp_client_get_host (MwSmtpClient *self);
guint16       mw_smtp_client_get_port (MwSmtpClient *self);
MwSecurity    mw_smtp_client_get_security (MwSmtpClient *self);
MwTranscript *mw_smtp_client_get_transcript (MwSmtpClient *self);

/* Settings, used by the next connect. */
const char *mw_smtp_client_get_user (MwSmtpClient *self);
void        mw_smtp_client_set_user (MwSmtpClient *self,
                                     const char   *user);
/* The password is copied and cleared from memory when replaced. */
void mw_smtp_client_set_password (MwSmtpClient *self,
                                  const char   *password);
/* An OAuth 2.0 access token: XOAUTH2 / OAUTHBEARER instead of a password. */
void        mw_smtp_client_set_oauth2_token (MwSmtpClient *self,
                                             const char   *token);
const char *mw_smtp_client_get_auth_mechanism (MwSmtpClient *self);
/* NULL: the strongest offered; otherwise only this mechanism. */
void     mw_smtp_client_set_auth_mechanism (MwSmtpClient *self,
                                            const char   *mechanism);
gboolean mw_smtp_client_get_allow_plaintext (MwSmtpClient *self);
/* Allows mechanisms that send the password on an unencrypted connection. */
void             mw_smtp_client_set_allow_plaintext (MwSmtpClient *self,
                                                     gboolean      allow);
MwSmtpPipelining mw_smtp_client_get_pipelining (MwSmtpClient *self);
void             mw_smtp_client_set_pipelining (MwSmtpClient    *self,
                                                MwSmtpPipelining pipelining);
MwSmtpChunking   mw_smtp_client_get_chunking (MwSmtpClient *self);
void             mw_smtp_client_set_chunking (MwSmtpClient  *self,
                                              MwSmtpChunking chunking);
guint            mw_smtp_client_get_timeout (MwSmtpClient *self);
void             mw_smtp_client_set_timeout (MwSmtpClient *self,
                                             guint         seconds);
guint            mw_smtp_client_get_final_reply_timeout (MwSmtpClient *self);
void             mw_smtp_client_set_final_reply_timeout (MwSmtpClient *self,
                                                         guint         seconds);
void             mw_smtp_client_set_pinned_fingerprint (MwSmtpClient *self,
                                                        const char   *fingerprint);
void             mw_smtp_client_set_ca_file (MwSmtpClient *self,
                                             const char   *path);
void             mw_smtp_client_set_server_identity (MwSmtpClient *self,
                                                     const char   *identity);
const char      *mw_smtp_client_get_ehlo_name (MwSmtpClient *self);
/* NULL restores the default, an address literal such as "[127.0.0.1]". */
gboolean mw_smtp_client_set_ehlo_name (MwSmtpClient *self,
                                       const char   *name,
                                       GError      **error);

/* State. */
MwConnection             *mw_smtp_client_get_connection (MwSmtpClient *self);
gboolean                  mw_smtp_client_is_connected (MwSmtpClient *self);
gboolean                  mw_smtp_client_is_authenticated (MwSmtpClient *self);
const char               *mw_smtp_client_get_auth_mechanism_used (MwSmtpClient *self);
const MwSmtpCapabilities *mw_smtp_client_get_capabilities (MwSmtpClient *self);
const MwSmtpReply        *mw_smtp_client_get_greeting (MwSmtpClient *self);

/* Greeting, EHLO (or HELO), STARTTLS and EHLO again, AUTH. */
void     mw_smtp_client_connect_async (MwSmtpClient       *self,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
gboolean mw_smtp_client_connect_finish (MwSmtpClient *self,
                                        GAsyncResult *result,
                                        GError      **error);

/* One mail transaction. @message is read to its end in chunks and sent
 * CRLF-normalized (and dot-stuffed for DATA). @size_hint is its size in
 * bytes, or -1. */
void mw_smtp_client_send_async (MwSmtpClient       *self,
                                const char         *from,
                                const char *const  *recipients,
                                GInputStream       *message,
                                gint64              size_hint,
                                MwSmtpSendFlags     flags,
                                const MwSmtpDsn    *dsn,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data);
/* @out_result is set whenever there is something to report, on failure
 * too (which recipients were refused, the final reply). */
gboolean mw_smtp_client_send_finish (MwSmtpClient      *self,
                                     GAsyncResult      *result,
                                     MwSmtpSendResult **out_result,
                                     GError           **error);

/* VRFY, EXPN, HELP: the server's reply, whatever its code (2xx–5xx
 * except 421). */
void         mw_smtp_client_vrfy_async (MwSmtpClient       *self,
                                        const char         *string,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
void         mw_smtp_client_expn_async (MwSmtpClient       *self,
                                        const char         *list,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
void         mw_smtp_client_help_async (MwSmtpClient       *self,
                                        const char         *topic,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
MwSmtpReply *mw_smtp_client_query_finish (MwSmtpClient *self,
                                          GAsyncResult *result,
                                          GError      **error);

/* NOOP and RSET: success on 250. */
void     mw_smtp_client_noop_async (MwSmtpClient       *self,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data);
void     mw_smtp_client_rset_async (MwSmtpClient       *self,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data);
gboolean mw_smtp_client_simple_finish (MwSmtpClient *self,
                                       GAsyncResult *result,
                                       GError      **error);

/* QUIT, then close. A server that closes without answering is fine. */
void     mw_smtp_client_quit_async (MwSmtpClient       *self,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data);
gboolean mw_smtp_client_quit_finish (MwSmtpClient *self,
                                     GAsyncResult *result,
                                     GError      **error);

/* A command typed in the console. Commands that would leave the session
 * out of step (DATA, BDAT, STARTTLS) or are unsafe (TURN) are refused
 * with MW_SMTP_ERROR_INVALID_ARGUMENT and the reason. AUTH may be typed:
 * its initial response and every line answering a 334 challenge are
 * redacted in the transcript, and a mechanism that sends the password as
 * it is fails with MW_SMTP_ERROR_PLAINTEXT_REFUSED on an unencrypted
 * connection unless plain text is allowed. Returns the whole reply
 * whatever its code. */
void         mw_smtp_client_command_async (MwSmtpClient       *self,
                                           const char         *line,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data);
MwSmtpReply *mw_smtp_client_command_finish (MwSmtpClient *self,
                                            GAsyncResult *result,
                                            GError      **error);
/* Whether the last console reply was a 334 challenge to a typed AUTH:
 * the next command line is sent as the (redacted) response; "*"
 * cancels. */
gboolean mw_smtp_client_get_expects_sasl_response (MwSmtpClient *self);

/* Reads a BDAT command typed by hand, "BDAT SIZE [LAST]" in any case, with
 * SIZE a decimal number of at most @max_size. */
gboolean mw_smtp_parse_bdat_command (const char *line,
                                     guint64     max_size,
                                     guint64    *out_size,
                                     gboolean   *out_last);

/* Closes at once, without QUIT. */
void mw_smtp_client_close (MwSmtpClient *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MwSmtpReply, mw_smtp_reply_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MwSmtpCapabilities, mw_smtp_capabilities_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MwSmtpRecipient, mw_smtp_recipient_free)

G_END_DECLS
