/* mw-mail-server.c: the embedded POP3 and SMTP server
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-mail-server.h"

#include "mw-mail-server-private.h"
#include "mw-maildrop-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* Sessions at once; more connections wait for a free thread. */
#define MAX_SESSIONS 64

/* What the session threads share with the server. Sessions never hold a
 * reference on the server: mw_mail_server_stop() (run by dispose at the
 * latest) clears the pointer and waits for every session to end, so the
 * pointer is valid while a session counts itself in n_sessions. */
typedef struct
{
  GMutex        mutex;
  GCond         cond;
  MwMailServer *server;
  GCancellable *cancellable;
  guint         n_sessions;
} Sessions;

static void
sessions_clear (gpointer data)
{
  Sessions *sessions = data;

  g_assert (sessions->n_sessions == 0);
  g_clear_object (&sessions->cancellable);
  g_mutex_clear (&sessions->mutex);
  g_cond_clear (&sessions->cond);
}

static void
sessions_release (gpointer  data,
                  GClosure *closure)
{
  g_atomic_rc_box_release_full (data, sessions_clear);
}

struct _MwMailServer
{
  GObject parent_instance;

  char *maildir;

  /* Guarded by mutex. */
  GMutex           mutex;
  GCond            cond;
  GHashTable      *users;   /* user → password */
  GHashTable      *refused; /* folded address → reply */
  GTlsCertificate *certificate;
  guint64          max_message_size;
  guint            idle_timeout;
  guint            auth_failure_delay;
  gboolean         allow_plaintext_auth;
  gboolean         no_uidl;
  gboolean         no_top;
  gboolean         maildrop_locked;

  /* Owned by the thread that started the server. */
  GSocketService *service;
  GMainContext   *context;
  GThread        *thread;
  Sessions       *sessions;
  gulong          run_handler;
  gboolean        started;
  gboolean        quit; /* read and written in the accepting thread */

  guint16 pop3_port;
  guint16 pop3s_port;
  guint16 smtp_port;
  guint16 smtps_port;
};

G_DEFINE_FINAL_TYPE (MwMailServer, mw_mail_server, G_TYPE_OBJECT)

/* clang-format off */
G_DEFINE_QUARK (mw-mail-server-error-quark, mw_mail_server_error)
/* clang-format on */

enum
{
  PROP_0,
  PROP_MAILDIR,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

void
mw_server_free_secret (char *secret)
{
  if (secret == NULL)
    return;

  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

gboolean
mw_server_secure_equal (const char *a,
                        const char *b)
{
  size_t len_a = strlen (a);
  size_t len_b = strlen (b);
  guint8 diff = len_a != len_b;

  for (size_t i = 0; i < len_a; i++)
    diff |= (guint8) a[i] ^ (guint8) (i < len_b ? b[i] : 0);

  return diff == 0;
}

void
mw_server_config_free (MwServerConfig *config)
{
  if (config == NULL)
    return;

  g_clear_object (&config->certificate);
  g_free (config);
}

static void
mw_mail_server_dispose (GObject *object)
{
  MwMailServer *self = MW_MAIL_SERVER (object);

  mw_mail_server_stop (self);

  G_OBJECT_CLASS (mw_mail_server_parent_class)->dispose (object);
}

static void
mw_mail_server_finalize (GObject *object)
{
  MwMailServer *self = MW_MAIL_SERVER (object);

  g_clear_object (&self->certificate);
  g_clear_pointer (&self->users, g_hash_table_unref);
  g_clear_pointer (&self->refused, g_hash_table_unref);
  g_clear_pointer (&self->maildir, g_free);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (mw_mail_server_parent_class)->finalize (object);
}

static void
mw_mail_server_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  MwMailServer *self = MW_MAIL_SERVER (object);

  switch (prop_id)
    {
    case PROP_MAILDIR:
      g_value_set_string (value, self->maildir);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_mail_server_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  MwMailServer *self = MW_MAIL_SERVER (object);

  switch (prop_id)
    {
    case PROP_MAILDIR:
      self->maildir = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mw_mail_server_class_init (MwMailServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mw_mail_server_dispose;
  object_class->finalize = mw_mail_server_finalize;
  object_class->get_property = mw_mail_server_get_property;
  object_class->set_property = mw_mail_server_set_property;

  /**
   * MwMailServer:maildir:
   *
   * The Maildir that SMTP delivers into and POP3 serves.
   */
  properties[PROP_MAILDIR] =
    g_param_spec_string ("maildir", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                           G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mw_mail_server_init (MwMailServer *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) mw_server_free_secret);
  self->refused = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->max_message_size = MW_MAIL_SERVER_DEFAULT_MAX_MESSAGE_SIZE;
  self->idle_timeout = MW_MAIL_SERVER_DEFAULT_IDLE_TIMEOUT;
  self->auth_failure_delay = MW_MAIL_SERVER_DEFAULT_AUTH_FAILURE_DELAY;
}

/**
 * mw_mail_server_new:
 * @maildir: the Maildir to serve; created by mw_mail_server_start() if missing
 *
 * Returns: (transfer full): a new server, not yet listening
 */
MwMailServer *
mw_mail_server_new (const char *maildir)
{
  g_return_val_if_fail (maildir != NULL, NULL);

  return g_object_new (MW_TYPE_MAIL_SERVER, "maildir", maildir, NULL);
}

const char *
mw_mail_server_get_maildir (MwMailServer *self)
{
  g_return_val_if_fail (MW_IS_MAIL_SERVER (self), NULL);

  return self->maildir;
}

void
mw_mail_server_add_user (MwMailServer *self,
                         const char   *user,
                         const char   *password)
{
  g_return_if_fail (MW_IS_MAIL_SERVER (self));
  g_return_if_fail (user != NULL && *user != '\0');
  g_return_if_fail (password != NULL);

  g_mutex_lock (&self->mutex);
  g_hash_table_replace (self->users, g_strdup (user), g_strdup (password));
  g_mutex_unlock (&self->mutex);
}

void
mw_mail_server_set_certificate (MwMailServer    *self,
                                GTlsCertificate *certificate)
{
  g_return_if_fail (MW_IS_MAIL_SERVER (self));
  g_return_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate));
  g_return_if_fail (!self->started);

  g_mutex_lock (&self->mutex);
  g_set_object (&self->certificate, certificate);
  g_mutex_unlock (&self->mutex);
}

void
mw_mail_server_set_max_message_size (MwMailServer *self,
                                     guint64       max_size)
{
  g_return_if_fail (MW_IS_MAIL_SERVER (self));

  g_mutex_lock (&self->mutex);
  self->max_message_size = max_size;
  g_mutex_unlock (&self->mutex);
}

static char *
fold_address (const char *address)
{
  return g_ascii_strdown (address, -1);
}

void
mw_mail_server_set_refused_recipient (MwMailServer *self,
                                      const char   *address,
                                      const char   *reply)
{
  g_return_if_fail (MW_IS_MAIL_SERVER (self));
  g_return_if_fail (address != NULL);
  g_return_if_fail (reply == NULL ||
                    (strlen (reply) >= 3 && (reply[0] == '4' || reply[0] == '5') &&
                     g_ascii_isdigit (reply[1]) && g_ascii_isdigit (reply[2]) &&
                     (reply[3] == '\0' || reply[3] == ' ') &&
                     strpbrk (reply, "\r\n") == NULL));

  g_mutex_lock (&self->mutex);
  if (reply != NULL)
    g_hash_table_replace (self->refused, fold_address (address), g_strdup (reply));
  else
    {
      g_autofree char *key = fold_address (address);

      g_hash_table_remove (self->refused, key);
    }
  g_mutex_unlock (&self->mutex);
}

void
mw_mail_server_set_idle_timeout (MwMailServer *self,
                                 guint         seconds)
{
  g_return_if_fail (MW_IS_MAIL_SERVER (self));

  g_mutex_lock (&self->mutex);
  self->idle_timeout = seconds;
  g_mutex_unlock (&self->mutex);
}

void
mw_mail_server_set_auth_failure_delay (MwMailServer *self,
                                       guint         msec)
{
  g_return_if_fail (MW_IS_MAIL_SERVER (self));

  g_mutex_lock (&self->mutex);
  self->auth_failure_delay = msec;
  g_mutex_unlock (&self->mutex);
}

void
mw_mail_server_set_allow_plaintext_auth (MwMailServer *self,
                                         gboolean      allow)
{
  g_return_if_fail (MW_IS_MAIL_SERVER (self));

  g_mutex_lock (&self->mutex);
  self->allow_plaintext_auth = !!allow;
  g_mutex_unlock (&self->mutex);
}

void
mw_mail_server_set_pop3_uidl (MwMailServer *self,
                              gboolean      offered)
{
  g_return_if_fail (MW_IS_MAIL_SERVER (self));

  g_mutex_lock (&self->mutex);
  self->no_uidl = !offered;
  g_mutex_unlock (&self->mutex);
}

void
mw_mail_server_set_pop3_top (MwMailServer *self,
                             gboolean      offered)
{
  g_return_if_fail (MW_IS_MAIL_SERVER (self));

  g_mutex_lock (&self->mutex);
  self->no_top = !offered;
  g_mutex_unlock (&self->mutex);
}

guint16
mw_mail_server_get_pop3_port (MwMailServer *self)
{
  g_return_val_if_fail (MW_IS_MAIL_SERVER (self), 0);

  return self->pop3_port;
}

guint16
mw_mail_server_get_pop3s_port (MwMailServer *self)
{
  g_return_val_if_fail (MW_IS_MAIL_SERVER (self), 0);

  return self->pop3s_port;
}

guint16
mw_mail_server_get_smtp_port (MwMailServer *self)
{
  g_return_val_if_fail (MW_IS_MAIL_SERVER (self), 0);

  return self->smtp_port;
}

guint16
mw_mail_server_get_smtps_port (MwMailServer *self)
{
  g_return_val_if_fail (MW_IS_MAIL_SERVER (self), 0);

  return self->smtps_port;
}

/* What the sessions ask */

MwServerConfig *
mw_mail_server_get_config (MwMailServer *self)
{
  MwServerConfig *config = g_new0 (MwServerConfig, 1);

  g_mutex_lock (&self->mutex);
  g_set_object (&config->certificate, self->certificate);
  config->max_message_size = self->max_message_size;
  config->idle_timeout = self->idle_timeout;
  config->auth_failure_delay = self->auth_failure_delay;
  config->allow_plaintext_auth = self->allow_plaintext_auth;
  config->no_uidl = self->no_uidl;
  config->no_top = self->no_top;
  g_mutex_unlock (&self->mutex);

  return config;
}

const char *
mw_mail_server_get_host_name (MwMailServer *self)
{
  /* The server only listens on the loopback interface. */
  return "localhost";
}

gboolean
mw_mail_server_check_password (MwMailServer *self,
                               const char   *user,
                               const char   *password)
{
  const char *stored;
  gboolean    ok = FALSE;

  g_mutex_lock (&self->mutex);
  stored = g_hash_table_lookup (self->users, user);
  if (stored != NULL)
    ok = mw_server_secure_equal (stored, password);
  g_mutex_unlock (&self->mutex);

  return ok;
}

gboolean
mw_mail_server_check_apop (MwMailServer *self,
                           const char   *user,
                           const char   *timestamp,
                           const char   *digest)
{
  g_autofree char *expected = NULL;
  g_autofree char *given = NULL;
  const char      *stored;
  GChecksum       *checksum;

  g_mutex_lock (&self->mutex);
  stored = g_hash_table_lookup (self->users, user);
  if (stored != NULL)
    {
      checksum = g_checksum_new (G_CHECKSUM_MD5);
      g_checksum_update (checksum, (const guchar *) timestamp, -1);
      g_checksum_update (checksum, (const guchar *) stored, -1);
      expected = g_strdup (g_checksum_get_string (checksum));
      g_checksum_free (checksum);
    }
  g_mutex_unlock (&self->mutex);

  if (expected == NULL)
    return FALSE;

  given = g_ascii_strdown (digest, -1);

  return mw_server_secure_equal (expected, given);
}

static gboolean
is_base64 (const char *str)
{
  size_t len = strlen (str);

  if (len == 0 || len % 4 != 0)
    return FALSE;

  for (size_t i = 0; i < len; i++)
    {
      char c = str[i];

      if (c == '=')
        {
          /* Padding only at the end, at most two. */
          if (i < len - 2 || (i == len - 2 && str[len - 1] != '='))
            return FALSE;
        }
      else if (!g_ascii_isalnum (c) && c != '+' && c != '/')
        return FALSE;
    }

  return TRUE;
}

guchar *
mw_server_decode_base64 (const char *str,
                         gsize      *out_len)
{
  guchar *decoded;
  guchar *raw;
  gsize   len = 0;

  if (strcmp (str, "=") == 0)
    {
      *out_len = 0;
      return (guchar *) g_strdup ("");
    }

  if (!is_base64 (str))
    return NULL;

  /* Copied rather than reallocated, so no stray copy of a secret stays. */
  raw = g_base64_decode (str, &len);
  decoded = g_malloc (len + 1);
  memcpy (decoded, raw, len);
  decoded[len] = '\0';
  explicit_bzero (raw, len);
  g_free (raw);
  *out_len = len;

  return decoded;
}

gboolean
mw_mail_server_check_sasl_plain (MwMailServer *self,
                                 const char   *response,
                                 char        **out_user)
{
  g_autofree char *authzid = NULL;
  g_autofree char *authcid = NULL;
  char            *password = NULL;
  guchar          *decoded;
  gsize            len = 0;
  const char      *nul1;
  const char      *nul2;
  gboolean         ok = FALSE;

  if (!is_base64 (response))
    return FALSE;

  decoded = g_base64_decode (response, &len);
  nul1 = memchr (decoded, '\0', len);
  nul2 = nul1 != NULL ? memchr (nul1 + 1, '\0', len - (size_t) (nul1 + 1 - (const char *) decoded)) : NULL;

  if (nul2 != NULL && memchr (nul2 + 1, '\0', len - (size_t) (nul2 + 1 - (const char *) decoded)) == NULL)
    {
      authzid = g_strndup ((const char *) decoded, (size_t) (nul1 - (const char *) decoded));
      authcid = g_strndup (nul1 + 1, (size_t) (nul2 - nul1 - 1));
      password = g_strndup (nul2 + 1, len - (size_t) (nul2 + 1 - (const char *) decoded));

      ok = (*authzid == '\0' || strcmp (authzid, authcid) == 0) &&
           mw_mail_server_check_password (self, authcid, password);
    }

  explicit_bzero (decoded, len);
  g_free (decoded);
  mw_server_free_secret (password);

  if (ok)
    *out_user = g_steal_pointer (&authcid);

  return ok;
}

char *
mw_mail_server_lookup_refused (MwMailServer *self,
                               const char   *address)
{
  g_autofree char *key = fold_address (address);
  char            *reply;

  g_mutex_lock (&self->mutex);
  reply = g_strdup (g_hash_table_lookup (self->refused, key));
  g_mutex_unlock (&self->mutex);

  return reply;
}

gboolean
mw_mail_server_lock_maildrop (MwMailServer *self,
                              gboolean     *out_in_use,
                              GError      **error)
{
  g_mutex_lock (&self->mutex);
  if (self->maildrop_locked)
    {
      g_mutex_unlock (&self->mutex);
      *out_in_use = TRUE;
      return FALSE;
    }
  self->maildrop_locked = TRUE;
  g_mutex_unlock (&self->mutex);

  if (!mw_maildrop_lock_file (self->maildir, out_in_use, error))
    {
      g_mutex_lock (&self->mutex);
      self->maildrop_locked = FALSE;
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }

  return TRUE;
}

void
mw_mail_server_unlock_maildrop (MwMailServer *self)
{
  mw_maildrop_unlock_file (self->maildir);

  g_mutex_lock (&self->mutex);
  g_assert (self->maildrop_locked);
  self->maildrop_locked = FALSE;
  g_mutex_unlock (&self->mutex);
}

/* Listening */

static gboolean
run_cb (GThreadedSocketService *service,
        GSocketConnection      *connection,
        GObject                *source_object,
        gpointer                user_data)
{
  Sessions *sessions = user_data;
  g_autoptr (GCancellable) cancellable = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  MwMailServer *self;
  guint16       port;

  g_mutex_lock (&sessions->mutex);
  self = sessions->server;
  if (self == NULL)
    {
      g_mutex_unlock (&sessions->mutex);
      return TRUE;
    }
  sessions->n_sessions++;
  cancellable = g_object_ref (sessions->cancellable);
  g_mutex_unlock (&sessions->mutex);

  local = g_socket_connection_get_local_address (connection, NULL);
  port = local != NULL ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)) : 0;

  if (port == 0)
    ;
  else if (port == self->pop3_port || port == self->pop3s_port)
    mw_pop3_session_run (self, connection, port == self->pop3s_port, cancellable);
  else if (port == self->smtp_port || port == self->smtps_port)
    mw_smtp_session_run (self, connection, port == self->smtps_port, cancellable);

  g_mutex_lock (&sessions->mutex);
  sessions->n_sessions--;
  g_cond_broadcast (&sessions->cond);
  g_mutex_unlock (&sessions->mutex);

  return TRUE;
}

static gboolean
listen_on_loopback (MwMailServer *self,
                    guint16      *out_port,
                    GError      **error)
{
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) effective = NULL;

  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &effective, error))
    return FALSE;

  *out_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));

  return TRUE;
}

static gpointer
accept_thread (gpointer data)
{
  MwMailServer *self = data;

  g_main_context_push_thread_default (self->context);

  while (!self->quit)
    g_main_context_iteration (self->context, TRUE);

  /* Let the cancelled accept finish so that it releases the service. */
  while (g_main_context_pending (self->context))
    g_main_context_iteration (self->context, FALSE);

  g_main_context_pop_thread_default (self->context);

  return NULL;
}

static gboolean
stop_accepting_cb (gpointer data)
{
  MwMailServer *self = data;

  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  self->quit = TRUE;

  return G_SOURCE_REMOVE;
}

/**
 * mw_mail_server_start:
 * @self: a server
 * @error: where to put an error
 *
 * Creates the Maildir if needed and starts listening on 127.0.0.1.
 *
 * Returns: %TRUE when the server listens
 */
gboolean
mw_mail_server_start (MwMailServer *self,
                      GError      **error)
{
  g_autoptr (GError) local_error = NULL;
  gboolean tls;

  g_return_val_if_fail (MW_IS_MAIL_SERVER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->started)
    {
      g_set_error (error, MW_MAIL_SERVER_ERROR, MW_MAIL_SERVER_ERROR_STARTED,
                   _ ("The mail server was already started"));
      return FALSE;
    }

  if (!mw_maildir_ensure (self->maildir, &local_error))
    {
      g_set_error (error, MW_MAIL_SERVER_ERROR, MW_MAIL_SERVER_ERROR_MAILDIR,
                   _ ("Cannot create the mail folder: %s"), local_error->message);
      return FALSE;
    }

  g_mutex_lock (&self->mutex);
  tls = self->certificate != NULL;
  g_mutex_unlock (&self->mutex);

  self->service = g_object_new (G_TYPE_THREADED_SOCKET_SERVICE,
                                "max-threads", MAX_SESSIONS,
                                "active", FALSE,
                                NULL);

  if (!listen_on_loopback (self, &self->pop3_port, &local_error) ||
      !listen_on_loopback (self, &self->smtp_port, &local_error) ||
      (tls && !listen_on_loopback (self, &self->pop3s_port, &local_error)) ||
      (tls && !listen_on_loopback (self, &self->smtps_port, &local_error)))
    {
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
      g_clear_object (&self->service);
      self->pop3_port = self->pop3s_port = self->smtp_port = self->smtps_port = 0;
      g_set_error (error, MW_MAIL_SERVER_ERROR, MW_MAIL_SERVER_ERROR_FAILED,
                   _ ("Cannot listen on 127.0.0.1: %s"), local_error->message);
      return FALSE;
    }

  self->sessions = g_atomic_rc_box_new0 (Sessions);
  g_mutex_init (&self->sessions->mutex);
  g_cond_init (&self->sessions->cond);
  self->sessions->server = self;
  self->sessions->cancellable = g_cancellable_new ();
  self->run_handler =
    g_signal_connect_data (self->service, "run", G_CALLBACK (run_cb),
                           g_atomic_rc_box_acquire (self->sessions),
                           sessions_release, G_CONNECT_DEFAULT);

  self->context = g_main_context_new ();
  self->started = TRUE;

  /* The accept source attaches to the thread-default context. */
  g_main_context_push_thread_default (self->context);
  g_socket_service_start (self->service);
  g_main_context_pop_thread_default (self->context);

  self->thread = g_thread_new ("mw-mail-server", accept_thread, self);

  return TRUE;
}

/**
 * mw_mail_server_stop:
 * @self: a server
 *
 * Stops listening, cancels every session and waits for them to end. Does
 * nothing if the server is not running.
 */
void
mw_mail_server_stop (MwMailServer *self)
{
  g_return_if_fail (MW_IS_MAIL_SERVER (self));

  if (!self->started || self->thread == NULL)
    return;

  g_mutex_lock (&self->sessions->mutex);
  self->sessions->server = NULL;
  g_mutex_unlock (&self->sessions->mutex);

  g_cancellable_cancel (self->sessions->cancellable);
  g_main_context_invoke (self->context, stop_accepting_cb, self);
  g_thread_join (g_steal_pointer (&self->thread));

  g_mutex_lock (&self->sessions->mutex);
  while (self->sessions->n_sessions > 0)
    g_cond_wait (&self->sessions->cond, &self->sessions->mutex);
  g_mutex_unlock (&self->sessions->mutex);

  g_clear_signal_handler (&self->run_handler, self->service);
  g_clear_object (&self->service);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_atomic_rc_box_release_full (g_steal_pointer (&self->sessions), sessions_clear);
}
