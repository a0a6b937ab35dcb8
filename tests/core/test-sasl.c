/* test-sasl.c: SASL mechanisms and APOP
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-sasl.h"

#include "mw-sasl-private.h"

#include <string.h>

static void
assert_bytes (GBytes     *bytes,
              const char *expected,
              size_t      expected_len)
{
  g_assert_nonnull (bytes);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   expected, expected_len);
}

static void
assert_bytes_str (GBytes     *bytes,
                  const char *expected)
{
  assert_bytes (bytes, expected, strlen (expected));
}

static GBytes *
step_str (MwSasl     *sasl,
          const char *challenge,
          GError    **error)
{
  GBytes *response = NULL;

  if (!mw_sasl_step (sasl, (const guint8 *) challenge, strlen (challenge), &response, error))
    {
      g_assert_null (response);
      return NULL;
    }
  return response;
}

static void
test_plain (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSasl) sasl = NULL;
  g_autoptr (GBytes) response = NULL;
  g_autoptr (GBytes) again = NULL;

  /* RFC 4616 section 4. */
  sasl = mw_sasl_new ("PLAIN", "tim", "tanstaaftanstaaf", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mw_sasl_get_mechanism (sasl), ==, "PLAIN");
  g_assert_false (mw_sasl_is_complete (sasl));

  response = mw_sasl_get_initial_response (sasl);
  assert_bytes (response, "\0tim\0tanstaaftanstaaf", 21);
  g_assert_true (mw_sasl_is_complete (sasl));
  g_assert_null (mw_sasl_get_initial_response (sasl));

  again = step_str (sasl, "", &error);
  g_assert_error (error, MW_SASL_ERROR, MW_SASL_ERROR_COMPLETE);
  g_assert_null (again);
}

static void
test_plain_no_initial_response (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSasl) sasl = NULL;
  g_autoptr (GBytes) response = NULL;
  g_autofree char *encoded = NULL;

  sasl = mw_sasl_new ("plain", "tim", "tanstaaftanstaaf", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mw_sasl_get_mechanism (sasl), ==, "PLAIN");

  response = step_str (sasl, "", &error);
  g_assert_no_error (error);
  encoded = mw_sasl_encode_base64 (response);
  g_assert_cmpstr (encoded, ==, "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
  g_assert_true (mw_sasl_is_complete (sasl));
}

static void
test_plain_nonempty_first_challenge (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSasl) sasl = NULL;
  g_autoptr (GBytes) response = NULL;

  sasl = mw_sasl_new ("PLAIN", "tim", "secret", &error);
  g_assert_no_error (error);
  response = step_str (sasl, "Password:", &error);
  g_assert_error (error, MW_SASL_ERROR, MW_SASL_ERROR_BAD_CHALLENGE);
}

static void
test_login (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSasl) sasl = NULL;
  g_autoptr (GBytes) user = NULL;
  g_autoptr (GBytes) password = NULL;
  g_autoptr (GBytes) extra = NULL;

  sasl = mw_sasl_new ("LOGIN", "tim", "tanstaaf", &error);
  g_assert_no_error (error);
  g_assert_null (mw_sasl_get_initial_response (sasl));

  user = step_str (sasl, "Username:", &error);
  g_assert_no_error (error);
  assert_bytes_str (user, "tim");
  g_assert_false (mw_sasl_is_complete (sasl));

  password = step_str (sasl, "Password:", &error);
  g_assert_no_error (error);
  assert_bytes_str (password, "tanstaaf");
  g_assert_true (mw_sasl_is_complete (sasl));

  extra = step_str (sasl, "Password:", &error);
  g_assert_error (error, MW_SASL_ERROR, MW_SASL_ERROR_COMPLETE);
}

static void
test_cram_md5 (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSasl) sasl = NULL;
  g_autoptr (GBytes) response = NULL;
  g_autoptr (GBytes) challenge = NULL;
  g_autofree char *encoded = NULL;
  const char      *text = "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+";

  /* RFC 2195 section 2, from the base64 the server sends. */
  sasl = mw_sasl_new ("CRAM-MD5", "tim", "tanstaaftanstaaf", &error);
  g_assert_no_error (error);
  g_assert_null (mw_sasl_get_initial_response (sasl));

  challenge = mw_sasl_decode_base64 (text, strlen (text), &error);
  g_assert_no_error (error);
  assert_bytes_str (challenge, "<1896.697170952@postoffice.reston.mci.net>");

  g_assert_true (mw_sasl_step (sasl, g_bytes_get_data (challenge, NULL),
                               g_bytes_get_size (challenge), &response, &error));
  g_assert_no_error (error);
  assert_bytes_str (response, "tim b913a602c7eda7a495b4e6e7334d3890");
  encoded = mw_sasl_encode_base64 (response);
  g_assert_cmpstr (encoded, ==, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
  g_assert_true (mw_sasl_is_complete (sasl));
}

static void
test_cram_md5_empty (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSasl) sasl = NULL;
  g_autoptr (GBytes) response = NULL;

  sasl = mw_sasl_new ("CRAM-MD5", "tim", "tanstaaftanstaaf", &error);
  g_assert_no_error (error);
  response = step_str (sasl, "", &error);
  g_assert_error (error, MW_SASL_ERROR, MW_SASL_ERROR_BAD_CHALLENGE);
  g_assert_false (mw_sasl_is_complete (sasl));
}

typedef struct
{
  const char *mechanism;
  const char *nonce;
  const char *client_first;
  const char *server_first;
  const char *client_final;
  const char *server_final;
} ScramVector;

/* RFC 5802 section 5 and RFC 7677 section 3, user "user", password "pencil". */
static const ScramVector scram_sha1 = {
  "SCRAM-SHA-1",
  "fyko+d2lbbFgONRv9qkxdawL",
  "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
  "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
  "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
  "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
};

static const ScramVector scram_sha256 = {
  "SCRAM-SHA-256",
  "rOprNGfwEbeRWgbNEkqO",
  "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
  "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
  "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
  "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

static MwSasl *
scram_new (const ScramVector *vector)
{
  g_autoptr (GError) error = NULL;
  MwSasl *sasl;

  sasl = mw_sasl_new (vector->mechanism, "user", "pencil", &error);
  g_assert_no_error (error);
  mw_sasl_set_client_nonce (sasl, vector->nonce);
  return sasl;
}

static void
test_scram_vector (gconstpointer data)
{
  const ScramVector *vector = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSasl) sasl = scram_new (vector);
  g_autoptr (GBytes) first = NULL;
  g_autoptr (GBytes) final = NULL;
  g_autoptr (GBytes) empty = NULL;
  g_autoptr (GBytes) extra = NULL;

  first = mw_sasl_get_initial_response (sasl);
  assert_bytes_str (first, vector->client_first);
  g_assert_false (mw_sasl_is_complete (sasl));

  final = step_str (sasl, vector->server_first, &error);
  g_assert_no_error (error);
  assert_bytes_str (final, vector->client_final);
  g_assert_false (mw_sasl_is_complete (sasl));

  empty = step_str (sasl, vector->server_final, &error);
  g_assert_no_error (error);
  assert_bytes (empty, "", 0);
  g_assert_true (mw_sasl_is_complete (sasl));

  extra = step_str (sasl, "", &error);
  g_assert_error (error, MW_SASL_ERROR, MW_SASL_ERROR_COMPLETE);
}

static void
test_scram_without_initial_response (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSasl) sasl = scram_new (&scram_sha256);
  g_autoptr (GBytes) first = NULL;
  g_autoptr (GBytes) final = NULL;

  first = step_str (sasl, "", &error);
  g_assert_no_error (error);
  assert_bytes_str (first, scram_sha256.client_first);
  final = step_str (sasl, scram_sha256.server_first, &error);
  g_assert_no_error (error);
  assert_bytes_str (final, scram_sha256.client_final);
}

static void
test_scram_random_nonce (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSasl) a = mw_sasl_new ("SCRAM-SHA-256", "user", "pencil", &error);
  g_autoptr (MwSasl) b = mw_sasl_new ("SCRAM-SHA-256", "user", "pencil", &error);
  g_autoptr (GBytes) first_a = mw_sasl_get_initial_response (a);
  g_autoptr (GBytes) first_b = mw_sasl_get_initial_response (b);
  g_autofree char *text = g_strndup (g_bytes_get_data (first_a, NULL), g_bytes_get_size (first_a));

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (text, "n,,n=user,r="));
  /* 24 random bytes in base64. */
  g_assert_cmpuint (strlen (text), ==, strlen ("n,,n=user,r=") + 32);
  g_assert_null (strchr (text + strlen ("n,,n=user,r="), ','));
  g_assert_false (g_bytes_equal (first_a, first_b));
}

static void
test_scram_saslname (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSasl) sasl = mw_sasl_new ("SCRAM-SHA-1", "a,b=c", "pencil", &error);
  g_autoptr (GBytes) first = NULL;

  g_assert_no_error (error);
  mw_sasl_set_client_nonce (sasl, "abc");
  first = mw_sasl_get_initial_response (sasl);
  assert_bytes_str (first, "n,,n=a=2Cb=3Dc,r=abc");
}

static void
test_scram_bad_server_signature (void)
{
  static const struct
  {
    const char *server_final;
    int         code;
  } cases[] = {
    /* The SHA-1 signature: the wrong length. */
    { "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", MW_SASL_ERROR_SERVER_SIGNATURE },
    /* One bit off. */
    { "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G0=", MW_SASL_ERROR_SERVER_SIGNATURE },
    { "v=", MW_SASL_ERROR_SERVER_SIGNATURE },
    { "v=not base64!", MW_SASL_ERROR_SERVER_SIGNATURE },
    { "x=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", MW_SASL_ERROR_BAD_CHALLENGE },
    { "", MW_SASL_ERROR_BAD_CHALLENGE },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (MwSasl) sasl = scram_new (&scram_sha256);
      g_autoptr (GBytes) first = mw_sasl_get_initial_response (sasl);
      g_autoptr (GBytes) final = NULL;
      g_autoptr (GBytes) empty = NULL;
      g_autoptr (GBytes) retry = NULL;

      final = step_str (sasl, scram_sha256.server_first, &error);
      g_assert_no_error (error);

      g_test_message ("server-final: %s", cases[i].server_final);
      empty = step_str (sasl, cases[i].server_final, &error);
      g_assert_error (error, MW_SASL_ERROR, cases[i].code);
      g_assert_null (empty);
      g_assert_false (mw_sasl_is_complete (sasl));
      g_clear_error (&error);

      /* The right signature after a wrong one does not complete it. */
      retry = step_str (sasl, scram_sha256.server_final, &error);
      g_assert_error (error, MW_SASL_ERROR, MW_SASL_ERROR_COMPLETE);
      g_assert_false (mw_sasl_is_complete (sasl));
    }
}

static void
test_scram_server_error (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSasl) sasl = scram_new (&scram_sha1);
  g_autoptr (GBytes) first = mw_sasl_get_initial_response (sasl);
  g_autoptr (GBytes) final = step_str (sasl, scram_sha1.server_first, &error);
  g_autoptr (GBytes) empty = NULL;

  g_assert_no_error (error);
  empty = step_str (sasl, "e=invalid-proof", &error);
  g_assert_error (error, MW_SASL_ERROR, MW_SASL_ERROR_SERVER_REJECTED);
  g_assert_cmpstr (mw_sasl_get_server_message (sasl), ==, "invalid-proof");
  g_assert_false (mw_sasl_is_complete (sasl));
}

static void
test_scram_malformed_server_first (void)
{
  static const struct
  {
    const char *server_first;
    int         code;
  } cases[] = {
    { "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", MW_SASL_ERROR_BAD_CHALLENGE },
    { "r=rOprNGfwEbeRWgbNEkqOxyz,i=4096", MW_SASL_ERROR_BAD_CHALLENGE },
    { "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==", MW_SASL_ERROR_BAD_CHALLENGE },
    { "s=W22ZaJ0SNY7soEsUEjb6gQ==,r=rOprNGfwEbeRWgbNEkqOxyz,i=4096", MW_SASL_ERROR_BAD_CHALLENGE },
    /* The server's nonce must extend ours. */
    { "r=XXXXNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", MW_SASL_ERROR_BAD_CHALLENGE },
    { "r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", MW_SASL_ERROR_BAD_CHALLENGE },
    { "r=rOprNGfwEbeRWgbNEk,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", MW_SASL_ERROR_BAD_CHALLENGE },
    /* Iteration counts. */
    { "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0", MW_SASL_ERROR_BAD_CHALLENGE },
    { "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=", MW_SASL_ERROR_BAD_CHALLENGE },
    { "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-1", MW_SASL_ERROR_BAD_CHALLENGE },
    { "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=40x", MW_SASL_ERROR_BAD_CHALLENGE },
    { "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=100001", MW_SASL_ERROR_BAD_CHALLENGE },
    { "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4294967297", MW_SASL_ERROR_BAD_CHALLENGE },
    { "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999999999999999", MW_SASL_ERROR_BAD_CHALLENGE },
    /* Salts. */
    { "r=rOprNGfwEbeRWgbNEkqOxyz,s=,i=4096", MW_SASL_ERROR_BAD_CHALLENGE },
    { "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22Z*J0SNY7soEsUEjb6gQ==,i=4096", MW_SASL_ERROR_BAD_CHALLENGE },
    /* Mandatory extensions, controls, nothing. */
    { "m=ext,r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", MW_SASL_ERROR_UNSUPPORTED_MECHANISM },
    { "r=rOprNGfwEbeRWgbNEkqOxyz\n,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", MW_SASL_ERROR_BAD_CHALLENGE },
    { "", MW_SASL_ERROR_BAD_CHALLENGE },
    { ",,,", MW_SASL_ERROR_BAD_CHALLENGE },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (MwSasl) sasl = scram_new (&scram_sha256);
      g_autoptr (GBytes) first = mw_sasl_get_initial_response (sasl);
      g_autoptr (GBytes) final = NULL;

      g_test_message ("server-first: %s", cases[i].server_first);
      final = step_str (sasl, cases[i].server_first, &error);
      g_assert_error (error, MW_SASL_ERROR, cases[i].code);
      g_assert_false (mw_sasl_is_complete (sasl));
    }
}

static void
test_scram_extension_accepted (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSasl) sasl = scram_new (&scram_sha256);
  g_autoptr (GBytes) first = mw_sasl_get_initial_response (sasl);
  g_autofree char *server_first = g_strconcat (scram_sha256.server_first, ",x=future", NULL);
  g_autoptr (GBytes) final = step_str (sasl, server_first, &error);

  /* An optional extension changes the auth message, so no fixed proof. */
  g_assert_no_error (error);
  g_assert_nonnull (final);
}

static void
test_scram_binary_server_first (void)
{
  static const guint8 binary[] = { 'r', '=', 0, 0xff, ',' };
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSasl) sasl = scram_new (&scram_sha256);
  g_autoptr (GBytes) first = mw_sasl_get_initial_response (sasl);
  GBytes *final = NULL;

  g_assert_false (mw_sasl_step (sasl, binary, sizeof binary, &final, &error));
  g_assert_error (error, MW_SASL_ERROR, MW_SASL_ERROR_BAD_CHALLENGE);
  g_assert_null (final);
}

static void
test_scram_bad_password (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSasl) sasl = NULL;

  sasl = mw_sasl_new ("SCRAM-SHA-256", "user", "", &error);
  g_assert_error (error, MW_SASL_ERROR, MW_SASL_ERROR_INVALID_CREDENTIALS);
  g_assert_null (sasl);
  g_clear_error (&error);

  sasl = mw_sasl_new ("SCRAM-SHA-256", "user", "\xff\xfe", &error);
  g_assert_error (error, MW_SASL_ERROR, MW_SASL_ERROR_INVALID_CREDENTIALS);
  g_assert_null (sasl);
}

static void
test_scram_nonascii_password (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSasl) sasl = mw_sasl_new ("SCRAM-SHA-256", "user", "p\xc3\xa4ss\xe2\x80\x83word", &error);
  g_autoptr (GBytes) first = NULL;
  g_autoptr (GBytes) final = NULL;

  /* Non-ASCII passwords are prepared, not refused. */
  g_assert_no_error (error);
  mw_sasl_set_client_nonce (sasl, scram_sha256.nonce);
  first = mw_sasl_get_initial_response (sasl);
  final = step_str (sasl, scram_sha256.server_first, &error);
  g_assert_no_error (error);
  g_assert_nonnull (final);
}

static void
test_xoauth2 (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSasl) sasl = NULL;
  g_autoptr (GBytes) response = NULL;
  g_autoptr (GBytes) ack = NULL;
  g_autoptr (GBytes) extra = NULL;
  g_autoptr (GBytes) challenge = NULL;
  g_autofree char *encoded = NULL;
  const char      *json = "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIG1hYyIsInNjb3BlIjoiaHR0cHM6Ly9tYWlsLmdvb2dsZS5jb20vIn0K";

  sasl = mw_sasl_new ("XOAUTH2", "someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg", &error);
  g_assert_no_error (error);
  response = mw_sasl_get_initial_response (sasl);
  assert_bytes_str (response, "user=someuser@example.com\001auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\001\001");
  encoded = mw_sasl_encode_base64 (response);
  g_assert_cmpstr (encoded, ==,
                   "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==");
  g_assert_true (mw_sasl_is_complete (sasl));

  /* The error challenge is answered with an empty response. */
  challenge = mw_sasl_decode_base64 (json, strlen (json), &error);
  g_assert_no_error (error);
  g_assert_true (mw_sasl_step (sasl, g_bytes_get_data (challenge, NULL),
                               g_bytes_get_size (challenge), &ack, &error));
  g_assert_no_error (error);
  assert_bytes (ack, "", 0);
  g_assert_true (g_str_has_prefix (mw_sasl_get_server_message (sasl), "{\"status\":\"401\""));

  extra = step_str (sasl, "", &error);
  g_assert_error (error, MW_SASL_ERROR, MW_SASL_ERROR_COMPLETE);
}

static void
test_oauthbearer (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSasl) sasl = NULL;
  g_autoptr (GBytes) response = NULL;
  g_autoptr (GBytes) ack = NULL;
  g_autofree char *encoded = NULL;

  sasl = mw_sasl_new ("OAUTHBEARER", "user@example.com", "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", &error);
  g_assert_no_error (error);

  /* Without an initial response, the first challenge is empty. */
  response = step_str (sasl, "", &error);
  g_assert_no_error (error);
  assert_bytes_str (response, "n,a=user@example.com,\001auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\001\001");
  g_assert_true (mw_sasl_is_complete (sasl));

  /* RFC 7628 section 3.2.3: the client answers a failure with %x01. */
  ack = step_str (sasl, "{\"status\":\"invalid_token\",\"scope\":\"example_scope\"}", &error);
  g_assert_no_error (error);
  assert_bytes (ack, "\001", 1);
  encoded = mw_sasl_encode_base64 (ack);
  g_assert_cmpstr (encoded, ==, "AQ==");
  g_assert_cmpstr (mw_sasl_get_server_message (sasl), ==,
                   "{\"status\":\"invalid_token\",\"scope\":\"example_scope\"}");
}

static void
test_oauth_bad_token (void)
{
  static const char *tokens[] = { "", "a b", "abc\001", "to\r\nken", "=abc", "abc=d" };

  for (size_t i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (MwSasl) sasl = mw_sasl_new ("XOAUTH2", "user", tokens[i], &error);

      g_assert_error (error, MW_SASL_ERROR, MW_SASL_ERROR_INVALID_CREDENTIALS);
      g_assert_null (sasl);
    }
}

static void
test_new_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MwSasl) sasl = NULL;

  sasl = mw_sasl_new ("GSSAPI", "user", "secret", &error);
  g_assert_error (error, MW_SASL_ERROR, MW_SASL_ERROR_UNSUPPORTED_MECHANISM);
  g_assert_null (sasl);
  g_clear_error (&error);

  sasl = mw_sasl_new ("PLAIN", "", "secret", &error);
  g_assert_error (error, MW_SASL_ERROR, MW_SASL_ERROR_INVALID_CREDENTIALS);
  g_clear_error (&error);

  sasl = mw_sasl_new ("PLAIN", "us\xffr", "secret", &error);
  g_assert_error (error, MW_SASL_ERROR, MW_SASL_ERROR_INVALID_CREDENTIALS);
  g_clear_error (&error);

  sasl = mw_sasl_new ("XOAUTH2", "us\001r", "token", &error);
  g_assert_error (error, MW_SASL_ERROR, MW_SASL_ERROR_INVALID_CREDENTIALS);
}

static void
test_base64 (void)
{
  static const struct
  {
    const char *text;
    const char *decoded; /* NULL: invalid */
  } cases[] = {
    { "", "" },
    { "YQ==", "a" },
    { "YWI=", "ab" },
    { "YWJj", "abc" },
    { "VXNlcm5hbWU6", "Username:" },
    { "YQ", NULL },
    { "YQ=", NULL },
    { "Y===", NULL },
    { "=YQ=", NULL },
    { "YQ==YQ==", NULL },
    { "Y Q==", NULL },
    { "YQ==\r\n", NULL },
    { "YR==", NULL }, /* non-zero padding bits */
    { "YWJ=", NULL },
    { "YW-j", NULL },
    { "YW_j", NULL },
    { "=", NULL },
    { "====", NULL },
    { "*", NULL },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) bytes = mw_sasl_decode_base64 (cases[i].text, strlen (cases[i].text), &error);

      g_test_message ("base64: “%s”", cases[i].text);
      if (cases[i].decoded != NULL)
        {
          g_assert_no_error (error);
          assert_bytes_str (bytes, cases[i].decoded);
        }
      else
        {
          g_assert_error (error, MW_SASL_ERROR, MW_SASL_ERROR_BAD_BASE64);
          g_assert_null (bytes);
        }
    }
}

static void
test_base64_binary_and_long (void)
{
  static const char nul_inside[] = { 'Y', 'Q', 0, '=' };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *huge = NULL;
  g_autoptr (GBytes) empty = g_bytes_new (NULL, 0);
  g_autofree char *encoded = mw_sasl_encode_base64 (empty);

  g_assert_cmpstr (encoded, ==, "");

  bytes = mw_sasl_decode_base64 (nul_inside, sizeof nul_inside, &error);
  g_assert_error (error, MW_SASL_ERROR, MW_SASL_ERROR_BAD_BASE64);
  g_clear_error (&error);

  huge = g_strnfill (MW_SASL_MAX_CHALLENGE + 4, 'A');
  bytes = mw_sasl_decode_base64 (huge, strlen (huge), &error);
  g_assert_error (error, MW_SASL_ERROR, MW_SASL_ERROR_BAD_BASE64);
  g_assert_null (bytes);
  g_clear_error (&error);

  bytes = mw_sasl_decode_base64 (huge, MW_SASL_MAX_CHALLENGE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, MW_SASL_MAX_CHALLENGE / 4 * 3);
}

static void
test_base64_round_trip (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (4648);

  for (size_t len = 0; len < 64; len++)
    {
      g_autofree guint8 *data = g_malloc (len + 1);
      g_autoptr (GBytes) bytes = NULL;
      g_autoptr (GBytes) decoded = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree char *encoded = NULL;

      for (size_t i = 0; i < len; i++)
        data[i] = (guint8) g_rand_int_range (rand, 0, 256);
      bytes = g_bytes_new (data, len);
      encoded = mw_sasl_encode_base64 (bytes);
      decoded = mw_sasl_decode_base64 (encoded, strlen (encoded), &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (bytes, decoded));
    }
}

static void
test_random_challenges (void)
{
  static const char *mechanisms[] = { "PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256", "XOAUTH2", "OAUTHBEARER" };
  g_autoptr (GRand) rand = g_rand_new_with_seed (7677);

  /* Whatever the server sends, each step answers or fails cleanly. */
  for (int round = 0; round < 200; round++)
    {
      const char *mechanism = mechanisms[round % G_N_ELEMENTS (mechanisms)];
      g_autoptr (MwSasl) sasl = mw_sasl_new (mechanism, "user", "pencil", NULL);

      g_assert_nonnull (sasl);
      if (round % 2 == 0)
        g_bytes_unref (mw_sasl_get_initial_response (sasl));

      for (int step = 0; step < 4; step++)
        {
          g_autoptr (GError) error = NULL;
          g_autoptr (GBytes) response = NULL;
          size_t  len = (size_t) g_rand_int_range (rand, 0, 80);
          guint8 *challenge = g_malloc (len + 1);

          for (size_t i = 0; i < len; i++)
            challenge[i] = g_rand_int_range (rand, 0, 3) == 0 ? (guint8) g_rand_int_range (rand, 0, 256) : (guint8) "r=s,i=v=e=0123456789abcdefABC+/"[g_rand_int_range (rand, 0, 31)];

          if (mw_sasl_step (sasl, challenge, len, &response, &error))
            {
              g_assert_no_error (error);
              g_assert_nonnull (response);
            }
          else
            {
              g_assert_true (error != NULL && error->domain == MW_SASL_ERROR);
              g_assert_null (response);
            }
          g_free (challenge);
        }
    }
}

static void
test_choose (void)
{
  static const char *all[] = { "LOGIN", "PLAIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256", "XOAUTH2", "OAUTHBEARER", NULL };
  static const char *lower[] = { "login", "plain", "scram-sha-1", NULL };
  static const char *cleartext[] = { "LOGIN", "PLAIN", NULL };
  static const char *login[] = { "LOGIN", NULL };
  static const char *md5[] = { "PLAIN", "CRAM-MD5", "LOGIN", NULL };
  static const char *oauth[] = { "XOAUTH2", "PLAIN", NULL };
  static const char *unknown[] = { "GSSAPI", "NTLM", "DIGEST-MD5", "SCRAM-SHA-256-PLUS", NULL };
  static const char *none[] = { NULL };

  g_assert_cmpstr (mw_sasl_choose (all, TRUE, FALSE, FALSE), ==, "SCRAM-SHA-256");
  g_assert_cmpstr (mw_sasl_choose (all, FALSE, FALSE, FALSE), ==, "SCRAM-SHA-256");
  g_assert_cmpstr (mw_sasl_choose (all, TRUE, FALSE, TRUE), ==, "OAUTHBEARER");
  g_assert_cmpstr (mw_sasl_choose (all, FALSE, FALSE, TRUE), ==, NULL);
  g_assert_cmpstr (mw_sasl_choose (all, FALSE, TRUE, TRUE), ==, "OAUTHBEARER");
  g_assert_cmpstr (mw_sasl_choose (lower, TRUE, FALSE, FALSE), ==, "SCRAM-SHA-1");
  g_assert_cmpstr (mw_sasl_choose (md5, FALSE, FALSE, FALSE), ==, "CRAM-MD5");
  g_assert_cmpstr (mw_sasl_choose (md5, TRUE, FALSE, FALSE), ==, "CRAM-MD5");

  /* Cleartext only with TLS or the user's consent. */
  g_assert_cmpstr (mw_sasl_choose (cleartext, TRUE, FALSE, FALSE), ==, "PLAIN");
  g_assert_cmpstr (mw_sasl_choose (cleartext, FALSE, FALSE, FALSE), ==, NULL);
  g_assert_cmpstr (mw_sasl_choose (cleartext, FALSE, TRUE, FALSE), ==, "PLAIN");
  g_assert_cmpstr (mw_sasl_choose (login, TRUE, FALSE, FALSE), ==, "LOGIN");
  g_assert_cmpstr (mw_sasl_choose (login, FALSE, FALSE, FALSE), ==, NULL);

  /* Tokens only with a token, passwords only without one. */
  g_assert_cmpstr (mw_sasl_choose (oauth, TRUE, FALSE, TRUE), ==, "XOAUTH2");
  g_assert_cmpstr (mw_sasl_choose (oauth, TRUE, FALSE, FALSE), ==, "PLAIN");
  g_assert_cmpstr (mw_sasl_choose (cleartext, TRUE, FALSE, TRUE), ==, NULL);

  g_assert_cmpstr (mw_sasl_choose (unknown, TRUE, TRUE, FALSE), ==, NULL);
  g_assert_cmpstr (mw_sasl_choose (none, TRUE, TRUE, FALSE), ==, NULL);
}

static void
test_is_plaintext (void)
{
  g_assert_true (mw_sasl_is_plaintext ("PLAIN"));
  g_assert_true (mw_sasl_is_plaintext ("login"));
  g_assert_true (mw_sasl_is_plaintext ("XOAUTH2"));
  g_assert_true (mw_sasl_is_plaintext ("OAUTHBEARER"));
  g_assert_true (mw_sasl_is_plaintext ("UNKNOWN"));
  g_assert_false (mw_sasl_is_plaintext ("CRAM-MD5"));
  g_assert_false (mw_sasl_is_plaintext ("SCRAM-SHA-1"));
  g_assert_false (mw_sasl_is_plaintext ("scram-sha-256"));

  g_assert_true (mw_sasl_is_supported ("scram-sha-256"));
  g_assert_false (mw_sasl_is_supported ("GSSAPI"));
}

static void
test_apop (void)
{
  g_autofree char *timestamp = NULL;
  g_autofree char *digest = NULL;

  /* RFC 1939 section 7. */
  timestamp = mw_apop_timestamp_from_greeting ("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>");
  g_assert_cmpstr (timestamp, ==, "<1896.697170952@dbc.mtview.ca.us>");
  digest = mw_apop_digest (timestamp, "tanstaaf");
  g_assert_cmpstr (digest, ==, "c4c9334bac560ecc979e58001b3e22fb");
}

static void
test_apop_timestamp (void)
{
  static const struct
  {
    const char *greeting;
    const char *timestamp;
  } cases[] = {
    { "+OK ready", NULL },
    { "+OK <1896.697170952@dbc.mtview.ca.us>", "<1896.697170952@dbc.mtview.ca.us>" },
    { "+OK <abc@def> and more", "<abc@def>" },
    { "+OK Dovecot <1.2.3@host> ready.", "<1.2.3@host>" },
    { "+OK <no-at-sign>", NULL },
    { "+OK <@host>", NULL },
    { "+OK <local@>", NULL },
    { "+OK <a@b@c>", NULL },
    { "+OK <a b@c>", NULL },
    { "+OK <a\tb@c>", NULL },
    { "+OK <abc@def", NULL },
    { "+OK abc@def>", NULL },
    { "+OK <>", NULL },
    { "+OK <<a@b>", "<a@b>" },
    { "+OK <x> <1.2@host>", "<1.2@host>" },
    { "+OK <a\xc3\xa4@b>", NULL },
  };
  g_autofree char *huge = NULL;
  g_autofree char *long_greeting = NULL;
  g_autofree char *result = NULL;

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *timestamp = mw_apop_timestamp_from_greeting (cases[i].greeting);

      g_test_message ("greeting: %s", cases[i].greeting);
      g_assert_cmpstr (timestamp, ==, cases[i].timestamp);
    }

  /* Capped lengths. */
  huge = g_strnfill (300, 'a');
  long_greeting = g_strdup_printf ("+OK <%s@host>", huge);
  result = mw_apop_timestamp_from_greeting (long_greeting);
  g_assert_null (result);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/sasl/plain/rfc4616", test_plain);
  g_test_add_func ("/core/sasl/plain/no-initial-response", test_plain_no_initial_response);
  g_test_add_func ("/core/sasl/plain/nonempty-first-challenge", test_plain_nonempty_first_challenge);
  g_test_add_func ("/core/sasl/login", test_login);
  g_test_add_func ("/core/sasl/cram-md5/rfc2195", test_cram_md5);
  g_test_add_func ("/core/sasl/cram-md5/empty-challenge", test_cram_md5_empty);
  g_test_add_data_func ("/core/sasl/scram-sha-1/rfc5802", &scram_sha1, test_scram_vector);
  g_test_add_data_func ("/core/sasl/scram-sha-256/rfc7677", &scram_sha256, test_scram_vector);
  g_test_add_func ("/core/sasl/scram/no-initial-response", test_scram_without_initial_response);
  g_test_add_func ("/core/sasl/scram/random-nonce", test_scram_random_nonce);
  g_test_add_func ("/core/sasl/scram/saslname", test_scram_saslname);
  g_test_add_func ("/core/sasl/scram/bad-server-signature", test_scram_bad_server_signature);
  g_test_add_func ("/core/sasl/scram/server-error", test_scram_server_error);
  g_test_add_func ("/core/sasl/scram/malformed-server-first", test_scram_malformed_server_first);
  g_test_add_func ("/core/sasl/scram/extension", test_scram_extension_accepted);
  g_test_add_func ("/core/sasl/scram/binary-server-first", test_scram_binary_server_first);
  g_test_add_func ("/core/sasl/scram/bad-password", test_scram_bad_password);
  g_test_add_func ("/core/sasl/scram/non-ascii-password", test_scram_nonascii_password);
  g_test_add_func ("/core/sasl/xoauth2", test_xoauth2);
  g_test_add_func ("/core/sasl/oauthbearer", test_oauthbearer);
  g_test_add_func ("/core/sasl/oauth/bad-token", test_oauth_bad_token);
  g_test_add_func ("/core/sasl/new-errors", test_new_errors);
  g_test_add_func ("/core/sasl/base64/strict", test_base64);
  g_test_add_func ("/core/sasl/base64/binary-and-long", test_base64_binary_and_long);
  g_test_add_func ("/core/sasl/base64/round-trip", test_base64_round_trip);
  g_test_add_func ("/core/sasl/random-challenges", test_random_challenges);
  g_test_add_func ("/core/sasl/choose", test_choose);
  g_test_add_func ("/core/sasl/is-plaintext", test_is_plaintext);
  g_test_add_func ("/core/apop/rfc1939", test_apop);
  g_test_add_func ("/core/apop/timestamp", test_apop_timestamp);

  return g_test_run ();
}
