/* test-server-guess.c: servers from DNS SRV records
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-fake-resolver.h"
#include "mw-server-guess.h"

typedef struct
{
  MwFakeResolver *resolver;
  GResolver      *saved;
} Fixture;

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  fixture->saved = g_resolver_get_default ();
  fixture->resolver = mw_fake_resolver_new ();
  g_resolver_set_default (G_RESOLVER (fixture->resolver));
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  g_resolver_set_default (fixture->saved);
  g_object_unref (fixture->saved);
  g_assert_finalize_object (fixture->resolver);
}

typedef struct
{
  gboolean            ok;
  char               *host;
  guint16             port;
  MwSecurity          security;
  MwServerGuessSource source;
  GError             *error;
  gboolean            done;
} Result;

static void
guess_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Result *r = user_data;

  r->ok = mw_server_guess_finish (result, &r->host, &r->port, &r->security, &r->source, &r->error);
  r->done = TRUE;
}

static void
run (const char *domain,
     MwProtocol  protocol,
     Result     *r)
{
  mw_server_guess_async (domain, protocol, NULL, guess_cb, r);
  while (!r->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
result_clear (Result *r)
{
  g_free (r->host);
  g_clear_error (&r->error);
  *r = (Result){ 0 };
}

static void
test_implicit_tls_preferred (Fixture      *fixture,
                             gconstpointer data)
{
  Result r = { 0 };

  mw_fake_resolver_add_srv (fixture->resolver, "_pop3._tcp.example.org", "mail.example.org", 110, 0, 0);
  mw_fake_resolver_add_srv (fixture->resolver, "_pop3s._tcp.example.org", "pop3s.example.org", 995, 10, 0);
  mw_fake_resolver_add_srv (fixture->resolver, "_submission._tcp.example.org", "mail.example.org", 587, 0, 0);
  mw_fake_resolver_add_srv (fixture->resolver, "_submissions._tcp.example.org", "smtps.example.org", 4465, 0, 0);

  run ("Example.ORG", MW_PROTOCOL_POP3, &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpstr (r.host, ==, "pop3s.example.org");
  g_assert_cmpuint (r.port, ==, 995);
  g_assert_cmpint (r.security, ==, MW_SECURITY_TLS);
  g_assert_cmpint (r.source, ==, MW_SERVER_GUESS_DNS);
  result_clear (&r);

  run ("example.org", MW_PROTOCOL_SMTP, &r);
  g_assert_true (r.ok);
  g_assert_cmpstr (r.host, ==, "smtps.example.org");
  g_assert_cmpuint (r.port, ==, 4465);
  g_assert_cmpint (r.security, ==, MW_SECURITY_TLS);
  result_clear (&r);
}

static void
test_starttls (Fixture      *fixture,
               gconstpointer data)
{
  Result             r = { 0 };
  const char *const *queries;

  mw_fake_resolver_add_srv (fixture->resolver, "_pop3._tcp.example.net", "mail.example.net", 110, 0, 0);
  mw_fake_resolver_add_srv (fixture->resolver, "_submission._tcp.example.net", "mail.example.net", 587, 0, 1);

  run ("example.net", MW_PROTOCOL_POP3, &r);
  g_assert_cmpstr (r.host, ==, "mail.example.net");
  g_assert_cmpuint (r.port, ==, 110);
  g_assert_cmpint (r.security, ==, MW_SECURITY_STARTTLS);
  result_clear (&r);

  run ("example.net", MW_PROTOCOL_SMTP, &r);
  g_assert_cmpstr (r.host, ==, "mail.example.net");
  g_assert_cmpuint (r.port, ==, 587);
  g_assert_cmpint (r.security, ==, MW_SECURITY_STARTTLS);
  result_clear (&r);

  /* Implicit TLS was asked for first (RFC 8314). */
  queries = mw_fake_resolver_get_queries (fixture->resolver);
  g_assert_cmpstr (queries[0], ==, "_pop3s._tcp.example.net");
  g_assert_cmpstr (queries[1], ==, "_pop3._tcp.example.net");
  g_assert_cmpstr (queries[2], ==, "_submissions._tcp.example.net");
  g_assert_cmpstr (queries[3], ==, "_submission._tcp.example.net");
  g_assert_null (queries[4]);
}

static void
test_priority (Fixture      *fixture,
               gconstpointer data)
{
  Result r = { 0 };

  /* The lowest priority number wins, whatever the order of the answer. */
  mw_fake_resolver_add_srv (fixture->resolver, "_pop3s._tcp.example.com", "backup.example.com", 995, 20, 100);
  mw_fake_resolver_add_srv (fixture->resolver, "_pop3s._tcp.example.com", "primary.example.com", 1995, 10, 1);
  mw_fake_resolver_add_srv (fixture->resolver, "_pop3s._tcp.example.com", "third.example.com", 995, 30, 100);

  for (guint i = 0; i < 20; i++)
    {
      run ("example.com", MW_PROTOCOL_POP3, &r);
      g_assert_cmpstr (r.host, ==, "primary.example.com");
      g_assert_cmpuint (r.port, ==, 1995);
      result_clear (&r);
    }
}

static void
test_weight (Fixture      *fixture,
             gconstpointer data)
{
  Result r = { 0 };
  guint  heavy = 0;

  /* Same priority: chosen in proportion to the weight (RFC 2782). */
  mw_fake_resolver_add_srv (fixture->resolver, "_pop3s._tcp.example.com", "light.example.com", 995, 10, 1);
  mw_fake_resolver_add_srv (fixture->resolver, "_pop3s._tcp.example.com", "heavy.example.com", 995, 10, 99);
  for (guint i = 0; i < 200; i++)
    {
      run ("example.com", MW_PROTOCOL_POP3, &r);
      g_assert_true (g_str_equal (r.host, "light.example.com") || g_str_equal (r.host, "heavy.example.com"));
      heavy += g_str_equal (r.host, "heavy.example.com");
      result_clear (&r);
    }
  /* 198 expected; fewer than 170 has a chance below 1e-15. */
  g_assert_cmpuint (heavy, >=, 170);
}

static void
test_not_offered (Fixture      *fixture,
                  gconstpointer data)
{
  Result r = { 0 };

  /* "." says no implicit TLS here: STARTTLS is what the domain offers. */
  mw_fake_resolver_add_srv (fixture->resolver, "_pop3s._tcp.example.org", ".", 0, 0, 0);
  mw_fake_resolver_add_srv (fixture->resolver, "_pop3._tcp.example.org", "mail.example.org", 110, 0, 0);
  run ("example.org", MW_PROTOCOL_POP3, &r);
  g_assert_cmpstr (r.host, ==, "mail.example.org");
  g_assert_cmpint (r.security, ==, MW_SECURITY_STARTTLS);
  g_assert_cmpint (r.source, ==, MW_SERVER_GUESS_DNS);
  result_clear (&r);

  /* Neither submission service offered: nothing usable from DNS. */
  mw_fake_resolver_add_srv (fixture->resolver, "_submissions._tcp.example.org", ".", 0, 0, 0);
  mw_fake_resolver_add_srv (fixture->resolver, "_submission._tcp.example.org", ".", 0, 0, 0);
  run ("example.org", MW_PROTOCOL_SMTP, &r);
  g_assert_cmpstr (r.host, ==, "smtp.example.org");
  g_assert_cmpint (r.source, ==, MW_SERVER_GUESS_WELL_KNOWN);
  result_clear (&r);
}

static void
test_well_known (Fixture      *fixture,
                 gconstpointer data)
{
  Result r = { 0 };

  run ("example.de", MW_PROTOCOL_POP3, &r);
  g_assert_true (r.ok);
  g_assert_cmpstr (r.host, ==, "pop.example.de");
  g_assert_cmpuint (r.port, ==, 995);
  g_assert_cmpint (r.security, ==, MW_SECURITY_TLS);
  g_assert_cmpint (r.source, ==, MW_SERVER_GUESS_WELL_KNOWN);
  result_clear (&r);

  run ("example.de", MW_PROTOCOL_SMTP, &r);
  g_assert_cmpstr (r.host, ==, "smtp.example.de");
  g_assert_cmpuint (r.port, ==, 465);
  g_assert_cmpint (r.security, ==, MW_SECURITY_TLS);
  result_clear (&r);
}

static void
test_invalid (Fixture      *fixture,
              gconstpointer data)
{
  const char *bad[] = { "", "localhost", "127.0.0.1", "a..b", "exa mple.org", ".example.org", "ex_ample.org" };

  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      Result r = { 0 };

      run (bad[i], MW_PROTOCOL_POP3, &r);
      g_assert_false (r.ok);
      g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      result_clear (&r);
    }
  g_assert_null (mw_fake_resolver_get_queries (fixture->resolver)[0]);
}

static void
test_cancelled (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  Result r = { 0 };

  g_cancellable_cancel (cancellable);
  mw_server_guess_async ("example.org", MW_PROTOCOL_POP3, cancellable, guess_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  result_clear (&r);
}

static void
test_domain_of (void)
{
  g_autofree char *a = mw_server_guess_domain_of ("Ada <ada@Example.ORG");
  g_autofree char *b = mw_server_guess_domain_of ("ada@example.org");
  g_autofree char *c = mw_server_guess_domain_of ("ada@");
  g_autofree char *d = mw_server_guess_domain_of ("ada");
  g_autofree char *e = mw_server_guess_domain_of ("ada@localhost");

  g_assert_cmpstr (a, ==, "example.org");
  g_assert_cmpstr (b, ==, "example.org");
  g_assert_null (c);
  g_assert_null (d);
  g_assert_null (e);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/store/server-guess/implicit-tls-preferred", test_implicit_tls_preferred);
  ADD ("/store/server-guess/starttls", test_starttls);
  ADD ("/store/server-guess/priority", test_priority);
  ADD ("/store/server-guess/weight", test_weight);
  ADD ("/store/server-guess/not-offered", test_not_offered);
  ADD ("/store/server-guess/well-known", test_well_known);
  ADD ("/store/server-guess/invalid", test_invalid);
  ADD ("/store/server-guess/cancelled", test_cancelled);
#undef ADD
  g_test_add_func ("/store/server-guess/domain-of", test_domain_of);

  return g_test_run ();
}
