/* mw-server-guess.c: a mail domain's servers, from DNS SRV records
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-server-guess.h"

#include <glib/gi18n-lib.h>
#include <string.h>

typedef struct
{
  const char *service;
  MwSecurity  security;
} Service;

/* Implicit TLS first (RFC 8314, section 5.1), then STARTTLS. */
static const Service pop3_services[] = {
  { "pop3s", MW_SECURITY_TLS },
  { "pop3", MW_SECURITY_STARTTLS },
};

static const Service smtp_services[] = {
  { "submissions", MW_SECURITY_TLS },
  { "submission", MW_SECURITY_STARTTLS },
};

typedef struct
{
  char      *domain;
  MwProtocol protocol;
  guint      step;
} Guess;

typedef struct
{
  char               *host;
  guint16             port;
  MwSecurity          security;
  MwServerGuessSource source;
} Answer;

static void
guess_free (Guess *guess)
{
  g_free (guess->domain);
  g_free (guess);
}

static void
answer_free (Answer *answer)
{
  g_free (answer->host);
  g_free (answer);
}

static const Service *
services (Guess *guess,
          guint *n)
{
  *n = 2;
  return guess->protocol == MW_PROTOCOL_POP3 ? pop3_services : smtp_services;
}

static void
return_answer (GTask              *task,
               const char         *host,
               guint16             port,
               MwSecurity          security,
               MwServerGuessSource source)
{
  Answer *answer = g_new0 (Answer, 1);

  answer->host = g_strdup (host);
  answer->port = port;
  answer->security = security;
  answer->source = source;
  g_task_return_pointer (task, answer, (GDestroyNotify) answer_free);
}

static void lookup_next (GTask *task);

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Guess *guess = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  GList         *targets;
  guint          n;
  const Service *service = &services (guess, &n)[guess->step];

  targets = g_resolver_lookup_service_finish (G_RESOLVER (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Not found or no answer: as if there were no record. */
  targets = g_srv_target_list_sort (targets);
  for (GList *l = targets; l != NULL; l = l->next)
    {
      const char *host = g_srv_target_get_hostname (l->data);
      guint16     port = g_srv_target_get_port (l->data);

      /* "." says that the service is not offered (RFC 2782). */
      if (host == NULL || *host == '\0' || g_str_equal (host, ".") || port == 0)
        continue;
      return_answer (task, host, port, service->security, MW_SERVER_GUESS_DNS);
      g_list_free_full (targets, (GDestroyNotify) g_srv_target_free);
      return;
    }
  g_list_free_full (targets, (GDestroyNotify) g_srv_target_free);

  guess->step++;
  lookup_next (g_steal_pointer (&task));
}

static void
lookup_next (GTask *task)
{
  Guess         *guess = g_task_get_task_data (task);
  guint          n;
  const Service *list = services (guess, &n);

  if (guess->step >= n)
    {
      g_autofree char *host = g_strconcat (guess->protocol == MW_PROTOCOL_POP3 ? "pop." : "smtp.",
                                           guess->domain, NULL);

      return_answer (task, host,
                     guess->protocol == MW_PROTOCOL_POP3 ? MW_SERVER_GUESS_POP3_TLS_PORT : MW_SERVER_GUESS_SUBMISSION_TLS_PORT,
                     MW_SECURITY_TLS, MW_SERVER_GUESS_WELL_KNOWN);
      g_object_unref (task);
      return;
    }
  {
    g_autoptr (GResolver) resolver = g_resolver_get_default ();

    g_resolver_lookup_service_async (resolver, list[guess->step].service, "tcp", guess->domain,
                                     g_task_get_cancellable (task), lookup_cb, task);
  }
}

void
mw_server_guess_async (const char         *domain,
                       MwProtocol          protocol,
                       GCancellable       *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *name = NULL;
  Guess           *guess;

  g_return_if_fail (domain != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mw_server_guess_async);

  /* International names go to DNS in their ASCII form. */
  {
    g_autofree char *stripped = g_strstrip (g_strdup (domain));
    g_autofree char *ascii = g_hostname_to_ascii (stripped);

    name = g_ascii_strdown (ascii != NULL ? ascii : "", -1);
  }
  if (g_str_has_suffix (name, "."))
    name[strlen (name) - 1] = '\0';
  if (*name == '\0' || strchr (name, '.') == NULL || g_hostname_is_ip_address (name) ||
      strspn (name, "abcdefghijklmnopqrstuvwxyz0123456789-.") != strlen (name) ||
      strstr (name, "..") != NULL || name[0] == '.' || name[0] == '-')
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _ ("“%s” is not a mail domain"), domain);
      return;
    }

  guess = g_new0 (Guess, 1);
  guess->domain = g_steal_pointer (&name);
  guess->protocol = protocol;
  g_task_set_task_data (task, guess, (GDestroyNotify) guess_free);
  lookup_next (g_steal_pointer (&task));
}

gboolean
mw_server_guess_finish (GAsyncResult        *result,
                        char               **out_host,
                        guint16             *out_port,
                        MwSecurity          *out_security,
                        MwServerGuessSource *out_source,
                        GError             **error)
{
  Answer *answer;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mw_server_guess_async, FALSE);

  answer = g_task_propagate_pointer (G_TASK (result), error);
  if (answer == NULL)
    return FALSE;
  if (out_host != NULL)
    *out_host = g_steal_pointer (&answer->host);
  if (out_port != NULL)
    *out_port = answer->port;
  if (out_security != NULL)
    *out_security = answer->security;
  if (out_source != NULL)
    *out_source = answer->source;
  answer_free (answer);
  return TRUE;
}

char *
mw_server_guess_domain_of (const char *address)
{
  const char *at;

  if (address == NULL)
    return NULL;
  at = strrchr (address, '@');
  if (at == NULL || at[1] == '\0' || strchr (at + 1, '.') == NULL)
    return NULL;
  return g_ascii_strdown (at + 1, -1);
}
