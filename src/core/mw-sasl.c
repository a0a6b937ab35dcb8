/* mw-sasl.c: client side of SASL and APOP
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-sasl.h"

#include "mw-sasl-private.h"

#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>

/* MwSasl speaks one mechanism with one set of credentials. Challenges and
 * responses are decoded bytes: the protocol client does the base64, with
 * mw_sasl_decode_base64() for what the server sends.
 *
 * A mechanism with an initial response produces it either from
 * mw_sasl_get_initial_response() or, when the protocol has no room for it,
 * from the first mw_sasl_step() on the server's empty challenge. */

/* clang-format off */
G_DEFINE_QUARK (mw-sasl-error-quark, mw_sasl_error)
/* clang-format on */

typedef enum
{
  MECH_PLAIN,
  MECH_LOGIN,
  MECH_CRAM_MD5,
  MECH_SCRAM_SHA_1,
  MECH_SCRAM_SHA_256,
  MECH_XOAUTH2,
  MECH_OAUTHBEARER,
} Mechanism;

typedef struct
{
  const char *name;
  Mechanism   mech;
  gboolean    initial_response;
  gboolean    plaintext;
  gboolean    token;
} MechanismInfo;

/* In order of preference, strongest first. */
static const MechanismInfo mechanisms[] = {
  { "OAUTHBEARER", MECH_OAUTHBEARER, TRUE, TRUE, TRUE },
  { "XOAUTH2", MECH_XOAUTH2, TRUE, TRUE, TRUE },
  { "SCRAM-SHA-256", MECH_SCRAM_SHA_256, TRUE, FALSE, FALSE },
  { "SCRAM-SHA-1", MECH_SCRAM_SHA_1, TRUE, FALSE, FALSE },
  { "CRAM-MD5", MECH_CRAM_MD5, FALSE, FALSE, FALSE },
  { "PLAIN", MECH_PLAIN, TRUE, TRUE, FALSE },
  { "LOGIN", MECH_LOGIN, FALSE, TRUE, FALSE },
};

#define SCRAM_NONCE_BYTES 24
#define SCRAM_MAX_HASH    32
#define MAX_SERVER_TEXT   1024

struct _MwSasl
{
  GObject parent_instance;

  const MechanismInfo *info;
  char                *user;
  char                *secret; /* cleared before free */
  size_t               secret_len;

  char  *client_nonce;
  char  *client_first_bare;
  guint8 server_signature[SCRAM_MAX_HASH];
  char  *server_message;

  guint    responses; /* responses produced so far */
  gboolean complete;
  gboolean failed;
  gboolean error_answered;
};

G_DEFINE_FINAL_TYPE (MwSasl, mw_sasl, G_TYPE_OBJECT)

static void
clear_secret (char  **secret,
              size_t *len)
{
  if (*secret != NULL)
    {
      explicit_bzero (*secret, *len);
      g_free (*secret);
      *secret = NULL;
    }
  *len = 0;
}

static void
mw_sasl_finalize (GObject *object)
{
  MwSasl *self = MW_SASL (object);

  clear_secret (&self->secret, &self->secret_len);
  explicit_bzero (self->server_signature, sizeof self->server_signature);
  g_free (self->user);
  g_free (self->client_nonce);
  g_free (self->client_first_bare);
  g_free (self->server_message);

  G_OBJECT_CLASS (mw_sasl_parent_class)->finalize (object);
}

static void
mw_sasl_class_init (MwSaslClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mw_sasl_finalize;
}

static void
mw_sasl_init (MwSasl *self)
{
}

typedef struct
{
  guint8 *data;
  size_t  len;
} SecretBuffer;

static void
secret_buffer_free (gpointer data)
{
  SecretBuffer *buffer = data;

  explicit_bzero (buffer->data, buffer->len);
  g_free (buffer->data);
  g_free (buffer);
}

/* Wraps @data in bytes that clear it when the last reference goes. */
static GBytes *
secret_bytes_take (gpointer data,
                   size_t   len)
{
  SecretBuffer *buffer = g_new (SecretBuffer, 1);

  buffer->data = data;
  buffer->len = len;
  return g_bytes_new_with_free_func (data, len, secret_buffer_free, buffer);
}

static const MechanismInfo *
find_mechanism (const char *name)
{
  for (size_t i = 0; i < G_N_ELEMENTS (mechanisms); i++)
    if (g_ascii_strcasecmp (mechanisms[i].name, name) == 0)
      return &mechanisms[i];
  return NULL;
}

static gboolean
is_scram (MwSasl *self)
{
  return self->info->mech == MECH_SCRAM_SHA_1 ||
         self->info->mech == MECH_SCRAM_SHA_256;
}

static gboolean
is_bearer_token (const char *token)
{
  size_t i = 0;

  /* RFC 6750 b64token. */
  while (token[i] != '\0' &&
         (g_ascii_isalnum (token[i]) || strchr ("-._~+/", token[i]) != NULL))
    i++;
  if (i == 0)
    return FALSE;
  while (token[i] == '=')
    i++;
  return token[i] == '\0';
}

/* Escapes a user name as an RFC 5802 saslname. */
static char *
escape_saslname (const char *user)
{
  GString *str = g_string_new (NULL);

  for (const char *p = user; *p != '\0'; p++)
    {
      if (*p == ',')
        g_string_append (str, "=2C");
      else if (*p == '=')
        g_string_append (str, "=3D");
      else
        g_string_append_c (str, *p);
    }
  return g_string_free (str, FALSE);
}

/* Prepares a SCRAM password with the OpaqueString profile of RFC 8265,
 * the successor of SASLprep. */
static gboolean
prepare_scram_password (MwSasl  *self,
                        GError **error)
{
  gnutls_datum_t out = { NULL, 0 };

  if (gnutls_utf8_password_normalize ((const unsigned char *) self->secret,
                                      self->secret_len, &out, 0) < 0 ||
      out.size == 0)
    {
      if (out.data != NULL)
        {
          explicit_bzero (out.data, out.size);
          gnutls_free (out.data);
        }
      g_set_error (error, MW_SASL_ERROR, MW_SASL_ERROR_INVALID_CREDENTIALS,
                   _ ("The password contains characters that %s cannot use"),
                   self->info->name);
      return FALSE;
    }

  clear_secret (&self->secret, &self->secret_len);
  self->secret = g_malloc (out.size + 1);
  memcpy (self->secret, out.data, out.size);
  self->secret[out.size] = '\0';
  self->secret_len = out.size;
  explicit_bzero (out.data, out.size);
  gnutls_free (out.data);
  return TRUE;
}

static char *
make_client_nonce (void)
{
  guint8 random[SCRAM_NONCE_BYTES];
  char  *nonce;

  if (gnutls_rnd (GNUTLS_RND_NONCE, random, sizeof random) != 0)
    g_error ("The system random number generator failed");
  nonce = g_base64_encode (random, sizeof random);
  explicit_bzero (random, sizeof random);
  return nonce;
}

/**
 * mw_sasl_new:
 * @mechanism: a SASL mechanism name such as "SCRAM-SHA-256"
 * @user: the user name, UTF-8
 * @secret: the password, or the OAuth 2.0 access token for XOAUTH2 and
 *   OAUTHBEARER; copied and cleared from memory when no longer needed
 * @error: return location for a #MW_SASL_ERROR
 *
 * Returns: (transfer full) (nullable): a new client exchange, or %NULL
 */
MwSasl *
mw_sasl_new (const char *mechanism,
             const char *user,
             const char *secret,
             GError    **error)
{
  const MechanismInfo *info;
  g_autoptr (MwSasl) self = NULL;

  g_return_val_if_fail (mechanism != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (secret != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  info = find_mechanism (mechanism);
  if (info == NULL)
    {
      g_autofree char *shown = g_utf8_make_valid (mechanism, MIN (strlen (mechanism), 64));

      g_set_error (error, MW_SASL_ERROR, MW_SASL_ERROR_UNSUPPORTED_MECHANISM,
                   _ ("The authentication mechanism “%s” is not supported"),
                   shown);
      return NULL;
    }

  if (!g_utf8_validate (user, -1, NULL))
    {
      g_set_error (error, MW_SASL_ERROR, MW_SASL_ERROR_INVALID_CREDENTIALS,
                   _ ("The user name is not valid UTF-8"));
      return NULL;
    }
  if (info->mech != MECH_OAUTHBEARER && *user == '\0')
    {
      g_set_error (error, MW_SASL_ERROR, MW_SASL_ERROR_INVALID_CREDENTIALS,
                   _ ("%s needs a user name"), info->name);
      return NULL;
    }
  if (info->token && !is_bearer_token (secret))
    {
      g_set_error (error, MW_SASL_ERROR, MW_SASL_ERROR_INVALID_CREDENTIALS,
                   _ ("The access token for %s is empty or contains characters a token cannot have"),
                   info->name);
      return NULL;
    }
  if (info->token && strchr (user, '\001') != NULL)
    {
      g_set_error (error, MW_SASL_ERROR, MW_SASL_ERROR_INVALID_CREDENTIALS,
                   _ ("The user name contains a control character"));
      return NULL;
    }

  self = g_object_new (MW_TYPE_SASL, NULL);
  self->info = info;
  self->user = g_strdup (user);
  self->secret_len = strlen (secret);
  self->secret = g_malloc (self->secret_len + 1);
  memcpy (self->secret, secret, self->secret_len + 1);

  if (is_scram (self))
    {
      if (!prepare_scram_password (self, error))
        return NULL;
      self->client_nonce = make_client_nonce ();
    }

  return g_steal_pointer (&self);
}

/**
 * mw_sasl_get_mechanism:
 * @self: a #MwSasl
 *
 * Returns: (transfer none): the canonical name of the mechanism
 */
const char *
mw_sasl_get_mechanism (MwSasl *self)
{
  g_return_val_if_fail (MW_IS_SASL (self), NULL);

  return self->info->name;
}

void
mw_sasl_set_client_nonce (MwSasl     *self,
                          const char *nonce)
{
  g_return_if_fail (MW_IS_SASL (self));
  g_return_if_fail (nonce != NULL && *nonce != '\0');
  g_return_if_fail (strchr (nonce, ',') == NULL);
  g_return_if_fail (self->responses == 0);

  g_free (self->client_nonce);
  self->client_nonce = g_strdup (nonce);
}

static GBytes *
make_initial_response (MwSasl *self)
{
  switch (self->info->mech)
    {
    case MECH_PLAIN:
      {
        size_t  user_len = strlen (self->user);
        size_t  len = 1 + user_len + 1 + self->secret_len;
        guint8 *data = g_malloc (len);

        /* RFC 4616: no authorization identity. */
        data[0] = '\0';
        memcpy (data + 1, self->user, user_len);
        data[1 + user_len] = '\0';
        memcpy (data + 2 + user_len, self->secret, self->secret_len);
        return secret_bytes_take (data, len);
      }

    case MECH_SCRAM_SHA_1:
    case MECH_SCRAM_SHA_256:
      {
        g_autofree char *name = escape_saslname (self->user);
        char            *first;

        g_free (self->client_first_bare);
        self->client_first_bare = g_strconcat ("n=", name, ",r=", self->client_nonce, NULL);
        first = g_strconcat ("n,,", self->client_first_bare, NULL);
        return g_bytes_new_take (first, strlen (first));
      }

    case MECH_XOAUTH2:
      {
        char *data = g_strconcat ("user=", self->user, "\001auth=Bearer ",
                                  self->secret, "\001\001", NULL);

        return secret_bytes_take (data, strlen (data));
      }

    case MECH_OAUTHBEARER:
      {
        g_autofree char *name = escape_saslname (self->user);
        char            *data;

        /* RFC 7628: gs2-header, then key-value pairs. */
        data = g_strconcat ("n,", *name != '\0' ? "a=" : "", name, ",\001auth=Bearer ",
                            self->secret, "\001\001", NULL);
        return secret_bytes_take (data, strlen (data));
      }

    case MECH_LOGIN:
    case MECH_CRAM_MD5:
    default:
      g_assert_not_reached ();
    }
}

/* Marks the end of the client's part of the exchange where it has no
 * further proof to check. */
static void
finish_unverified (MwSasl *self)
{
  self->complete = TRUE;
  clear_secret (&self->secret, &self->secret_len);
}

/**
 * mw_sasl_get_initial_response:
 * @self: a #MwSasl
 *
 * Produces the initial response (RFC 4954 section 4) of mechanisms that
 * have one. Calling this counts as sending it: the next step is the one
 * after it. Call it only if the protocol command carries the response.
 *
 * Returns: (transfer full) (nullable): the decoded response, or %NULL if
 *   the mechanism has none or the exchange has started
 */
GBytes *
mw_sasl_get_initial_response (MwSasl *self)
{
  GBytes *response;

  g_return_val_if_fail (MW_IS_SASL (self), NULL);

  if (!self->info->initial_response || self->responses > 0)
    return NULL;

  response = make_initial_response (self);
  self->responses++;
  if (self->info->mech == MECH_PLAIN || self->info->token)
    finish_unverified (self);
  return response;
}

static char *
server_text (const guint8 *data,
             size_t        len)
{
  return g_utf8_make_valid ((const char *) data, MIN (len, MAX_SERVER_TEXT));
}

static gboolean
is_base64_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '/';
}

/**
 * mw_sasl_decode_base64:
 * @text: base64 text as the server sent it, without CRLF
 * @len: its length in bytes
 * @error: return location for %MW_SASL_ERROR_BAD_BASE64
 *
 * Decodes strictly: only the base64 alphabet, canonical padding, no
 * whitespace, at most %MW_SASL_MAX_CHALLENGE characters. An empty text
 * is an empty challenge.
 *
 * Returns: (transfer full) (nullable): the decoded bytes, or %NULL
 */
GBytes *
mw_sasl_decode_base64 (const char *text,
                       size_t      len,
                       GError    **error)
{
  g_autofree char   *copy = NULL;
  g_autofree char   *again = NULL;
  g_autofree guchar *decoded = NULL;
  gsize              decoded_len = 0;
  size_t             padding = 0;

  g_return_val_if_fail (text != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len == 0)
    return g_bytes_new (NULL, 0);

  if (len > MW_SASL_MAX_CHALLENGE)
    {
      g_set_error (error, MW_SASL_ERROR, MW_SASL_ERROR_BAD_BASE64,
                   _ ("The server sent an authentication challenge of %zu bytes, more than the limit of %d"),
                   len, MW_SASL_MAX_CHALLENGE);
      return NULL;
    }

  if (len % 4 != 0)
    goto bad;

  if (text[len - 1] == '=')
    padding++;
  if (padding == 1 && text[len - 2] == '=')
    padding++;

  for (size_t i = 0; i < len - padding; i++)
    if (!is_base64_char (text[i]))
      goto bad;

  copy = g_strndup (text, len);
  decoded = g_base64_decode (copy, &decoded_len);

  /* Reject non-zero bits in the padding: the text must be canonical. */
  again = g_base64_encode (decoded, decoded_len);
  if (strcmp (again, copy) != 0)
    goto bad;

  return g_bytes_new_take (g_steal_pointer (&decoded), decoded_len);

bad:
  g_set_error (error, MW_SASL_ERROR, MW_SASL_ERROR_BAD_BASE64,
               _ ("The server sent an authentication challenge that is not valid base64"));
  return NULL;
}

/**
 * mw_sasl_encode_base64:
 * @bytes: a response from #MwSasl
 *
 * Returns: (transfer full): @bytes in base64, "" for no bytes
 */
char *
mw_sasl_encode_base64 (GBytes *bytes)
{
  const guint8 *data;
  size_t        len;

  g_return_val_if_fail (bytes != NULL, NULL);

  data = g_bytes_get_data (bytes, &len);
  if (len == 0)
    return g_strdup ("");
  return g_base64_encode (data, len);
}

static gboolean
step_cram_md5 (MwSasl       *self,
               const guint8 *challenge,
               size_t        len,
               GBytes      **out_response,
               GError      **error)
{
  static const char hex[] = "0123456789abcdef";
  guint8            mac[16];
  char              digest[2 * sizeof mac + 1];
  char             *response;

  if (len == 0)
    {
      g_set_error (error, MW_SASL_ERROR, MW_SASL_ERROR_BAD_CHALLENGE,
                   _ ("The server sent an empty CRAM-MD5 challenge"));
      return FALSE;
    }

  /* One call: no heap HMAC object keeps the key, as a GHmac would. */
  if (gnutls_hmac_fast (GNUTLS_MAC_MD5, self->secret, self->secret_len,
                        challenge, len, mac) < 0)
    {
      g_set_error (error, MW_SASL_ERROR, MW_SASL_ERROR_UNSUPPORTED_MECHANISM,
                   _ ("CRAM-MD5 is not available on this system"));
      return FALSE;
    }
  for (size_t i = 0; i < sizeof mac; i++)
    {
      digest[2 * i] = hex[mac[i] >> 4];
      digest[2 * i + 1] = hex[mac[i] & 0xf];
    }
  digest[2 * sizeof mac] = '\0';

  response = g_strconcat (self->user, " ", digest, NULL);
  *out_response = g_bytes_new_take (response, strlen (response));
  finish_unverified (self);
  return TRUE;
}

static gboolean
step_login (MwSasl  *self,
            GBytes **out_response)
{
  if (self->responses == 0)
    {
      *out_response = g_bytes_new (self->user, strlen (self->user));
    }
  else
    {
      *out_response = secret_bytes_take (g_memdup2 (self->secret, self->secret_len),
                                         self->secret_len);
      finish_unverified (self);
    }
  return TRUE;
}

static gnutls_mac_algorithm_t
scram_mac (MwSasl *self)
{
  return self->info->mech == MECH_SCRAM_SHA_1 ? GNUTLS_MAC_SHA1 : GNUTLS_MAC_SHA256;
}

static gnutls_digest_algorithm_t
scram_digest (MwSasl *self)
{
  return self->info->mech == MECH_SCRAM_SHA_1 ? GNUTLS_DIG_SHA1 : GNUTLS_DIG_SHA256;
}

static size_t
scram_hash_len (MwSasl *self)
{
  return self->info->mech == MECH_SCRAM_SHA_1 ? 20 : 32;
}

static gboolean
scram_bad (GError    **error,
           const char *what)
{
  g_set_error (error, MW_SASL_ERROR, MW_SASL_ERROR_BAD_CHALLENGE,
               _ ("The server’s SCRAM challenge is malformed: %s"), what);
  return FALSE;
}

static gboolean
parse_iterations (const char *text,
                  guint      *out_iterations,
                  GError    **error)
{
  guint64 value = 0;

  if (*text == '\0')
    return scram_bad (error, _ ("the iteration count is empty"));

  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return scram_bad (error, _ ("the iteration count is not a number"));
      value = value * 10 + (guint64) (*p - '0');
      if (value > MW_SASL_SCRAM_MAX_ITERATIONS)
        {
          g_set_error (error, MW_SASL_ERROR, MW_SASL_ERROR_BAD_CHALLENGE,
                       _ ("The server asks for more than %d SCRAM iterations"),
                       MW_SASL_SCRAM_MAX_ITERATIONS);
          return FALSE;
        }
    }

  if (value == 0)
    return scram_bad (error, _ ("the iteration count is zero"));

  *out_iterations = (guint) value;
  return TRUE;
}

static gboolean
step_scram_first (MwSasl       *self,
                  const guint8 *challenge,
                  size_t        len,
                  GBytes      **out_response,
                  GError      **error)
{
  g_autofree char *server_first = NULL;
  g_auto (GStrv) attrs = NULL;
  const char *nonce;
  g_autoptr (GBytes) salt = NULL;
  guint                  iterations = 0;
  gnutls_mac_algorithm_t mac = scram_mac (self);
  size_t                 hash_len = scram_hash_len (self);
  guint8                 salted[SCRAM_MAX_HASH];
  guint8                 client_key[SCRAM_MAX_HASH];
  guint8                 stored_key[SCRAM_MAX_HASH];
  guint8                 client_signature[SCRAM_MAX_HASH];
  guint8                 server_key[SCRAM_MAX_HASH];
  g_autofree char       *without_proof = NULL;
  g_autofree char       *auth_message = NULL;
  g_autofree char       *proof = NULL;
  gnutls_datum_t         key;
  gnutls_datum_t         salt_datum;
  char                  *response;
  int                    ret;

  for (size_t i = 0; i < len; i++)
    if (challenge[i] < 0x20 || challenge[i] > 0x7e)
      return scram_bad (error, _ ("it contains bytes that are not printable ASCII"));

  server_first = g_strndup ((const char *) challenge, len);
  attrs = g_strsplit (server_first, ",", 0);

  if (g_strv_length (attrs) >= 1 && g_str_has_prefix (attrs[0], "m="))
    {
      g_set_error (error, MW_SASL_ERROR, MW_SASL_ERROR_UNSUPPORTED_MECHANISM,
                   _ ("The server requires a SCRAM extension Mailwire does not support"));
      return FALSE;
    }
  if (g_strv_length (attrs) < 3)
    return scram_bad (error, _ ("it lacks the nonce, salt or iteration count"));
  if (!g_str_has_prefix (attrs[0], "r="))
    return scram_bad (error, _ ("the nonce is missing"));
  if (!g_str_has_prefix (attrs[1], "s="))
    return scram_bad (error, _ ("the salt is missing"));
  if (!g_str_has_prefix (attrs[2], "i="))
    return scram_bad (error, _ ("the iteration count is missing"));

  nonce = attrs[0] + 2;
  if (!g_str_has_prefix (nonce, self->client_nonce) ||
      strlen (nonce) <= strlen (self->client_nonce))
    return scram_bad (error, _ ("the nonce does not extend Mailwire’s"));

  salt = mw_sasl_decode_base64 (attrs[1] + 2, strlen (attrs[1] + 2), NULL);
  if (salt == NULL || g_bytes_get_size (salt) == 0)
    return scram_bad (error, _ ("the salt is not valid base64"));

  if (!parse_iterations (attrs[2] + 2, &iterations, error))
    return FALSE;

  key.data = (unsigned char *) self->secret;
  key.size = self->secret_len;
  salt_datum.data = (unsigned char *) g_bytes_get_data (salt, NULL);
  salt_datum.size = g_bytes_get_size (salt);
  ret = gnutls_pbkdf2 (mac, &key, &salt_datum, iterations, salted, hash_len);
  if (ret < 0)
    {
      g_set_error (error, MW_SASL_ERROR, MW_SASL_ERROR_BAD_CHALLENGE,
                   _ ("Could not compute the SCRAM key: %s"), gnutls_strerror (ret));
      return FALSE;
    }

  without_proof = g_strconcat ("c=biws,r=", nonce, NULL);
  auth_message = g_strconcat (self->client_first_bare, ",", server_first, ",",
                              without_proof, NULL);

  gnutls_hmac_fast (mac, salted, hash_len, "Client Key", 10, client_key);
  gnutls_hash_fast (scram_digest (self), client_key, hash_len, stored_key);
  gnutls_hmac_fast (mac, stored_key, hash_len, auth_message, strlen (auth_message),
                    client_signature);
  for (size_t i = 0; i < hash_len; i++)
    client_key[i] ^= client_signature[i];
  proof = g_base64_encode (client_key, hash_len);

  gnutls_hmac_fast (mac, salted, hash_len, "Server Key", 10, server_key);
  gnutls_hmac_fast (mac, server_key, hash_len, auth_message, strlen (auth_message),
                    self->server_signature);

  explicit_bzero (salted, sizeof salted);
  explicit_bzero (client_key, sizeof client_key);
  explicit_bzero (stored_key, sizeof stored_key);
  explicit_bzero (client_signature, sizeof client_signature);
  explicit_bzero (server_key, sizeof server_key);
  clear_secret (&self->secret, &self->secret_len);

  response = g_strconcat (without_proof, ",p=", proof, NULL);
  *out_response = g_bytes_new_take (response, strlen (response));
  return TRUE;
}

static gboolean
step_scram_final (MwSasl       *self,
                  const guint8 *challenge,
                  size_t        len,
                  GBytes      **out_response,
                  GError      **error)
{
  g_autofree char *server_final = NULL;
  g_autoptr (GBytes) signature = NULL;
  const char   *value;
  const char   *end;
  const guint8 *expected = self->server_signature;
  const guint8 *given;
  guint8        diff = 0;

  for (size_t i = 0; i < len; i++)
    if (challenge[i] < 0x20 || challenge[i] > 0x7e)
      return scram_bad (error, _ ("it contains bytes that are not printable ASCII"));

  server_final = g_strndup ((const char *) challenge, len);

  if (g_str_has_prefix (server_final, "e="))
    {
      g_free (self->server_message);
      self->server_message = g_strdup (server_final + 2);
      g_set_error (error, MW_SASL_ERROR, MW_SASL_ERROR_SERVER_REJECTED,
                   _ ("The server rejected the SCRAM proof: “%s”"), self->server_message);
      return FALSE;
    }
  if (!g_str_has_prefix (server_final, "v="))
    return scram_bad (error, _ ("the server signature is missing"));

  value = server_final + 2;
  end = strchr (value, ',');
  if (end == NULL)
    end = value + strlen (value);

  signature = mw_sasl_decode_base64 (value, (size_t) (end - value), NULL);
  if (signature == NULL || g_bytes_get_size (signature) != scram_hash_len (self))
    {
      g_set_error (error, MW_SASL_ERROR, MW_SASL_ERROR_SERVER_SIGNATURE,
                   _ ("The server’s SCRAM signature is malformed; the server may not be the one it claims to be"));
      return FALSE;
    }

  given = g_bytes_get_data (signature, NULL);
  for (size_t i = 0; i < scram_hash_len (self); i++)
    diff |= (guint8) (given[i] ^ expected[i]);
  if (diff != 0)
    {
      g_set_error (error, MW_SASL_ERROR, MW_SASL_ERROR_SERVER_SIGNATURE,
                   _ ("The server’s SCRAM signature is wrong; the server may not be the one it claims to be"));
      return FALSE;
    }

  *out_response = g_bytes_new (NULL, 0);
  self->complete = TRUE;
  return TRUE;
}

static gboolean
step_token_error (MwSasl       *self,
                  const guint8 *challenge,
                  size_t        len,
                  GBytes      **out_response)
{
  /* The server reports a failure as a JSON challenge that the client
   * acknowledges (RFC 7628 section 3.2.2); the server then fails the
   * command. */
  g_free (self->server_message);
  self->server_message = server_text (challenge, len);
  self->error_answered = TRUE;

  if (self->info->mech == MECH_OAUTHBEARER)
    *out_response = g_bytes_new ("\001", 1);
  else
    *out_response = g_bytes_new (NULL, 0);
  return TRUE;
}

/**
 * mw_sasl_step:
 * @self: a #MwSasl
 * @challenge: (array length=len) (nullable): the decoded challenge
 * @len: its length
 * @out_response: (out) (transfer full): the decoded response to send
 * @error: return location for a #MW_SASL_ERROR
 *
 * Answers one server challenge. On failure the exchange must be
 * cancelled ("*" in SMTP and POP3).
 *
 * Returns: %TRUE if @out_response was set
 */
gboolean
mw_sasl_step (MwSasl       *self,
              const guint8 *challenge,
              size_t        len,
              GBytes      **out_response,
              GError      **error)
{
  gboolean ok = FALSE;

  g_return_val_if_fail (MW_IS_SASL (self), FALSE);
  g_return_val_if_fail (challenge != NULL || len == 0, FALSE);
  g_return_val_if_fail (out_response != NULL && *out_response == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (challenge == NULL)
    challenge = (const guint8 *) "";

  if (self->info->token && self->complete && !self->error_answered)
    return step_token_error (self, challenge, len, out_response);

  if (self->complete || self->failed)
    {
      g_set_error (error, MW_SASL_ERROR, MW_SASL_ERROR_COMPLETE,
                   _ ("The server continued the %s exchange after it had ended"),
                   self->info->name);
      return FALSE;
    }

  if (self->info->initial_response && self->responses == 0)
    {
      if (len != 0)
        {
          g_set_error (error, MW_SASL_ERROR, MW_SASL_ERROR_BAD_CHALLENGE,
                       _ ("The server sent a %s challenge where an empty one belongs"),
                       self->info->name);
          return FALSE;
        }
      *out_response = mw_sasl_get_initial_response (self);
      return TRUE;
    }

  switch (self->info->mech)
    {
    case MECH_LOGIN:
      ok = step_login (self, out_response);
      break;

    case MECH_CRAM_MD5:
      ok = step_cram_md5 (self, challenge, len, out_response, error);
      break;

    case MECH_SCRAM_SHA_1:
    case MECH_SCRAM_SHA_256:
      if (self->responses == 1)
        ok = step_scram_first (self, challenge, len, out_response, error);
      else
        ok = step_scram_final (self, challenge, len, out_response, error);
      break;

    case MECH_PLAIN:
    case MECH_XOAUTH2:
    case MECH_OAUTHBEARER:
    default:
      g_assert_not_reached ();
    }

  if (ok)
    {
      self->responses++;
    }
  else
    {
      /* A failed exchange stays failed: a second try could otherwise
       * pass a check the first one failed. */
      self->failed = TRUE;
      clear_secret (&self->secret, &self->secret_len);
    }
  return ok;
}

/**
 * mw_sasl_is_complete:
 * @self: a #MwSasl
 *
 * Whether the client has done its part: for SCRAM, the server signature
 * was verified; for the other mechanisms, the last response was produced.
 * A server that reports success while this is %FALSE skipped a step.
 *
 * Returns: %TRUE when complete
 */
gboolean
mw_sasl_is_complete (MwSasl *self)
{
  g_return_val_if_fail (MW_IS_SASL (self), FALSE);

  return self->complete;
}

/**
 * mw_sasl_get_server_message:
 * @self: a #MwSasl
 *
 * The error the server reported inside the exchange: the JSON of an
 * OAuth failure, or the "e=" value of SCRAM. Valid UTF-8, capped.
 *
 * Returns: (transfer none) (nullable): the message, or %NULL
 */
const char *
mw_sasl_get_server_message (MwSasl *self)
{
  g_return_val_if_fail (MW_IS_SASL (self), NULL);

  return self->server_message;
}

/**
 * mw_sasl_is_supported:
 * @mechanism: a mechanism name
 *
 * Returns: whether #MwSasl speaks @mechanism
 */
gboolean
mw_sasl_is_supported (const char *mechanism)
{
  g_return_val_if_fail (mechanism != NULL, FALSE);

  return find_mechanism (mechanism) != NULL;
}

/**
 * mw_sasl_is_plaintext:
 * @mechanism: a mechanism name
 *
 * Whether @mechanism sends the password or token itself, readable by
 * anyone on the path unless the connection is encrypted.
 *
 * Returns: %TRUE for PLAIN, LOGIN, XOAUTH2, OAUTHBEARER and unknown ones
 */
gboolean
mw_sasl_is_plaintext (const char *mechanism)
{
  const MechanismInfo *info;

  g_return_val_if_fail (mechanism != NULL, TRUE);

  info = find_mechanism (mechanism);
  return info == NULL || info->plaintext;
}

static gboolean
is_offered (const char *const *offered,
            const char        *name)
{
  for (size_t i = 0; offered[i] != NULL; i++)
    if (g_ascii_strcasecmp (offered[i], name) == 0)
      return TRUE;
  return FALSE;
}

/**
 * mw_sasl_choose:
 * @offered: (array zero-terminated=1): the mechanisms the server offers
 * @encrypted: whether the connection is protected by TLS
 * @allow_plaintext: whether the user allowed sending secrets unencrypted
 * @have_token: whether the secret is an OAuth 2.0 access token
 *
 * Picks the strongest usable mechanism. With a token only OAUTHBEARER
 * and XOAUTH2 are usable; with a password SCRAM-SHA-256, SCRAM-SHA-1,
 * CRAM-MD5, PLAIN, LOGIN in that order. Mechanisms that send the secret
 * itself need @encrypted or @allow_plaintext.
 *
 * Returns: (transfer none) (nullable): the canonical mechanism name, or
 *   %NULL if none is usable
 */
const char *
mw_sasl_choose (const char *const *offered,
                gboolean           encrypted,
                gboolean           allow_plaintext,
                gboolean           have_token)
{
  g_return_val_if_fail (offered != NULL, NULL);

  for (size_t i = 0; i < G_N_ELEMENTS (mechanisms); i++)
    {
      const MechanismInfo *info = &mechanisms[i];

      if (info->token != !!have_token)
        continue;
      if (info->plaintext && !encrypted && !allow_plaintext)
        continue;
      if (is_offered (offered, info->name))
        return info->name;
    }
  return NULL;
}

/**
 * mw_apop_digest:
 * @timestamp: the timestamp from the greeting, with its angle brackets
 * @password: the password
 *
 * Computes the RFC 1939 APOP digest.
 *
 * Returns: (transfer full): 32 lower-case hexadecimal digits
 */
char *
mw_apop_digest (const char *timestamp,
                const char *password)
{
  g_autoptr (GChecksum) checksum = NULL;

  g_return_val_if_fail (timestamp != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);

  checksum = g_checksum_new (G_CHECKSUM_MD5);
  g_checksum_update (checksum, (const guchar *) timestamp, -1);
  g_checksum_update (checksum, (const guchar *) password, -1);
  return g_strdup (g_checksum_get_string (checksum));
}

#define MAX_GREETING  4096
#define MAX_TIMESTAMP 256

static gboolean
is_timestamp (const char *start,
              size_t      len)
{
  const char *at = NULL;

  /* "<" local "@" domain ">" with printable ASCII and one "@". */
  if (len < 5 || len > MAX_TIMESTAMP)
    return FALSE;
  g_assert (start[0] == '<' && start[len - 1] == '>');

  for (size_t i = 1; i < len - 1; i++)
    {
      char c = start[i];

      if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>')
        return FALSE;
      if (c == '@')
        {
          if (at != NULL)
            return FALSE;
          at = start + i;
        }
    }

  return at != NULL && at > start + 1 && at < start + len - 2;
}

/**
 * mw_apop_timestamp_from_greeting:
 * @greeting: the POP3 greeting line, without CRLF
 *
 * Finds the RFC 1939 timestamp ("<process.clock@host>") in @greeting.
 *
 * Returns: (transfer full) (nullable): the timestamp with its angle
 *   brackets, or %NULL if the server offers no APOP
 */
char *
mw_apop_timestamp_from_greeting (const char *greeting)
{
  const char *p;

  g_return_val_if_fail (greeting != NULL, NULL);

  if (strnlen (greeting, MAX_GREETING + 1) > MAX_GREETING)
    return NULL;

  for (p = strchr (greeting, '<'); p != NULL; p = strchr (p + 1, '<'))
    {
      const char *end = strchr (p, '>');

      if (end == NULL)
        return NULL;
      if (is_timestamp (p, (size_t) (end - p) + 1))
        return g_strndup (p, (size_t) (end - p) + 1);
    }
  return NULL;
}
