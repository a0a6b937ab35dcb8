/* main.c: mailwire-test-server, the embedded server as a program
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-mail-server.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);

  return G_SOURCE_CONTINUE;
}

static char *
read_password (const char *path,
               GError    **error)
{
  g_autofree char *contents = NULL;
  char            *password;
  gsize            len = 0;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;

  password = g_strndup (contents, strcspn (contents, "\r\n"));
  explicit_bzero (contents, len);

  return password;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (MwMailServer) server = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char   *maildir = NULL;
  g_autofree char   *user = NULL;
  g_autofree char   *password_file = NULL;
  g_autofree char   *cert = NULL;
  g_autofree char   *key = NULL;
  char              *password;
  const GOptionEntry entries[] = {
    { "maildir", 0, 0, G_OPTION_ARG_FILENAME, &maildir, N_ ("The Maildir to serve (created if missing)"), N_ ("DIR") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, N_ ("The POP3 and SMTP user name"), N_ ("USER") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, N_ ("A file whose first line is the password"), N_ ("FILE") },
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &cert, N_ ("A PEM certificate: enables STLS, STARTTLS, POP3S and SMTPS"), N_ ("PEM") },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key, N_ ("The PEM private key of the certificate"), N_ ("PEM") },
    { NULL },
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _ ("Runs the Mailwire test mail server on 127.0.0.1."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (maildir == NULL || user == NULL || password_file == NULL)
    {
      g_printerr (_ ("--maildir, --user and --password-file are required\n"));
      return 2;
    }

  password = read_password (password_file, &error);
  if (password == NULL)
    {
      g_printerr (_ ("Cannot read the password: %s\n"), error->message);
      return 1;
    }

  server = mw_mail_server_new (maildir);
  mw_mail_server_add_user (server, user, password);
  explicit_bzero (password, strlen (password));
  g_free (password);

  if (cert != NULL)
    {
      g_autoptr (GTlsCertificate) certificate = NULL;

      certificate = g_tls_certificate_new_from_files (cert, key != NULL ? key : cert, &error);
      if (certificate == NULL)
        {
          g_printerr (_ ("Cannot load the certificate: %s\n"), error->message);
          return 1;
        }
      mw_mail_server_set_certificate (server, certificate);
    }

  if (!mw_mail_server_start (server, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  printf ("pop3=%u pop3s=%u smtp=%u smtps=%u\n",
          mw_mail_server_get_pop3_port (server),
          mw_mail_server_get_pop3s_port (server),
          mw_mail_server_get_smtp_port (server),
          mw_mail_server_get_smtps_port (server));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_main_loop_run (loop);

  mw_mail_server_stop (server);

  return 0;
}
