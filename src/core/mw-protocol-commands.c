/* mw-protocol-commands.c: every POP3 and SMTP command, and what Mailwire does with it
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-protocol-commands.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#define USED    MW_COMMAND_FATE_USED
#define CONSOLE MW_COMMAND_FATE_CONSOLE
#define REFUSED MW_COMMAND_FATE_REFUSED

static const MwProtocolCommand pop3_commands[] = {
  { "USER", "USER name", USED, "RFC 1939",
    N_ ("Names the mailbox to log in to; PASS follows. Mailwire uses it only when nothing better is offered, "
        "and never over an unencrypted connection unless the account allows it."),
    NULL },
  { "PASS", "PASS password", USED, "RFC 1939",
    N_ ("Sends the password after USER. The transcript shows it as stars."), NULL },
  { "APOP", "APOP name digest", USED, "RFC 1939",
    N_ ("Logs in with the MD5 digest of the greeting’s timestamp and the password, so the password itself "
        "never crosses the wire. Offered when the greeting carries a <timestamp>."),
    NULL },
  { "AUTH", "AUTH mechanism [initial-response]", USED, "RFC 5034",
    N_ ("Logs in with SASL (SCRAM-SHA-256, CRAM-MD5, PLAIN, LOGIN, XOAUTH2…); Mailwire picks the strongest "
        "the server offers. The exchange continues with lines starting “+ ”."),
    NULL },
  { "CAPA", "CAPA", USED, "RFC 2449",
    N_ ("Lists what the server can do (TOP, UIDL, SASL mechanisms, PIPELINING, STLS…). Multi-line reply."), NULL },
  { "STLS", "STLS", USED, "RFC 2595",
    N_ ("Starts TLS on the open connection. Anything the server sends after its +OK and before the "
        "handshake is an attack, and Mailwire ends the session."),
    NULL },
  { "STAT", "STAT", USED, "RFC 1939",
    N_ ("Gives the number of messages and their total size in octets."), NULL },
  { "LIST", "LIST [msg]", USED, "RFC 1939",
    N_ ("Gives the size of every message (multi-line), or of one. Very large messages show up here "
        "before they abort a download."),
    NULL },
  { "UIDL", "UIDL [msg]", USED, "RFC 1939",
    N_ ("Gives each message’s unique ID, stable across sessions (multi-line without an argument). "
        "Mailwire plans deletions by these IDs."),
    NULL },
  { "TOP", "TOP msg n", USED, "RFC 1939",
    N_ ("Gives a message’s headers and its first n body lines (multi-line). TOP msg 0 is how Mailwire "
        "lists messages without downloading them."),
    NULL },
  { "RETR", "RETR msg", USED, "RFC 1939",
    N_ ("Sends the whole message (multi-line). Mailwire streams it to disk; Save Raw keeps its exact bytes."),
    NULL },
  { "DELE", "DELE msg", USED, "RFC 1939",
    N_ ("Marks a message for deletion. Nothing is deleted until QUIT succeeds; RSET undoes the marks."), NULL },
  { "RSET", "RSET", USED, "RFC 1939",
    N_ ("Unmarks every message marked with DELE in this session."), NULL },
  { "NOOP", "NOOP", USED, "RFC 1939",
    N_ ("Does nothing; the server answers +OK. Keeps a session alive."), NULL },
  { "QUIT", "QUIT", USED, "RFC 1939",
    N_ ("Ends the session and carries out the deletions. Only its +OK means they happened."), NULL },
  { "LAST", "LAST", CONSOLE, "RFC 1460",
    N_ ("Obsolete: gave the highest message number already read. Dropped by RFC 1725; few servers still "
        "have it. Mailwire uses UIDL instead."),
    NULL },
};

static const MwProtocolCommand smtp_commands[] = {
  { "HELO", "HELO domain", USED, "RFC 5321",
    N_ ("Introduces the client in plain SMTP. Mailwire uses it only when the server refuses EHLO."), NULL },
  { "EHLO", "EHLO domain", USED, "RFC 5321",
    N_ ("Introduces the client and asks for the server’s extensions (multi-line reply: SIZE, PIPELINING, "
        "STARTTLS, AUTH…)."),
    NULL },
  { "MAIL", "MAIL FROM:<address> [SIZE= BODY= SMTPUTF8 RET= ENVID=]", USED, "RFC 5321, 1870, 6152, 6531, 3461",
    N_ ("Starts a message with the sender’s address (the return path for bounces)."), NULL },
  { "RCPT", "RCPT TO:<address> [NOTIFY=]", USED, "RFC 5321, 3461",
    N_ ("Adds one recipient; the server accepts or refuses each one separately."), NULL },
  { "DATA", "DATA", USED, "RFC 5321",
    N_ ("After 354, send the message and end it with a line holding a single dot. A line that starts "
        "with a dot gets a second one (the console does this for you)."),
    NULL },
  { "BDAT", "BDAT size [LAST]", USED, "RFC 3030",
    N_ ("Sends the message in chunks of an exact size, with no dot handling (CHUNKING). Mailwire uses it "
        "when the server offers it. In the console, the lines typed after it make the chunk, each "
        "counted with its CRLF; it is sent once they come to the size given."),
    NULL },
  { "RSET", "RSET", USED, "RFC 5321",
    N_ ("Abandons the message under way; the session stays open."), NULL },
  { "VRFY", "VRFY string", USED, "RFC 5321",
    N_ ("Asks whether an address exists. Many servers answer 252 (cannot verify) to stop address harvesting."),
    NULL },
  { "EXPN", "EXPN list", CONSOLE, "RFC 5321",
    N_ ("Asks for the members of a mailing list. Most servers refuse it."), NULL },
  { "HELP", "HELP [topic]", CONSOLE, "RFC 5321",
    N_ ("Asks the server for help; its answer is shown as it comes."), NULL },
  { "NOOP", "NOOP", USED, "RFC 5321",
    N_ ("Does nothing; the server answers 250. Keeps a session alive."), NULL },
  { "QUIT", "QUIT", USED, "RFC 5321",
    N_ ("Ends the session; the server answers 221 and closes the connection."), NULL },
  { "STARTTLS", "STARTTLS", USED, "RFC 3207",
    N_ ("Starts TLS on the open connection. Anything the server sends after its 220 and before the "
        "handshake is an attack, and Mailwire ends the session."),
    NULL },
  { "AUTH", "AUTH mechanism [initial-response]", USED, "RFC 4954",
    N_ ("Logs in with SASL; Mailwire picks the strongest mechanism offered. The exchange continues with "
        "334 replies."),
    NULL },
  { "ETRN", "ETRN domain", CONSOLE, "RFC 1985",
    N_ ("Asks the server to flush its queue for a domain, for sites that are not always online."), NULL },
  { "ATRN", "ATRN [domain]", CONSOLE, "RFC 2645",
    N_ ("Authenticated TURN for on-demand relay: the server would become the client. Mailwire cannot play the "
        "server’s part, so it shows the reply but does not switch roles."),
    NULL },
  { "TURN", "TURN", REFUSED, "RFC 821, RFC 2821",
    N_ ("Asked the server to swap roles and send its queued mail."),
    N_ ("TURN lets anyone who claims a domain receive its mail: an unauthenticated role reversal, removed "
        "from the standard as unsafe. Mailwire does not send it.") },
  { "SEND", "SEND FROM:<address>", CONSOLE, "RFC 821",
    N_ ("Obsolete: delivered to a user’s terminal instead of the mailbox. Removed in RFC 2821; servers refuse it."),
    NULL },
  { "SOML", "SOML FROM:<address>", CONSOLE, "RFC 821",
    N_ ("Obsolete: “send or mail” to a terminal. Removed in RFC 2821; servers refuse it."), NULL },
  { "SAML", "SAML FROM:<address>", CONSOLE, "RFC 821",
    N_ ("Obsolete: “send and mail” to a terminal and a mailbox. Removed in RFC 2821; servers refuse it."), NULL },
  { "BURL", "BURL imap-url [LAST]", CONSOLE, "RFC 4468",
    N_ ("Takes the message from an IMAP URL instead of sending it. Mailwire has no IMAP, so it does not use it."),
    NULL },
  { "ONEX", "ONEX", CONSOLE, "Sendmail",
    N_ ("Old Sendmail extension: only one transaction in this session."), NULL },
  { "VERB", "VERB", CONSOLE, "Sendmail",
    N_ ("Old Sendmail extension: verbose mode, the server reports delivery steps."), NULL },
};

typedef struct
{
  const char *keyword;
  const char *text;
} Keyword;

/* What the console, serverinfo and Test Connection say about each EHLO
 * keyword; those that take arguments are worded in explain_esmtp(). */
static const Keyword esmtp_keywords[] = {
  { "PIPELINING", N_ ("MAIL, RCPT and DATA can be sent together without waiting (RFC 2920).") },
  { "SIZE", N_ ("The server states its size limit in MAIL FROM replies (RFC 1870).") },
  { "8BITMIME", N_ ("Messages with 8-bit text are accepted as they are (RFC 6152).") },
  { "SMTPUTF8", N_ ("Addresses and headers may be in UTF-8 (RFC 6531).") },
  { "CHUNKING", N_ ("Messages can be sent in counted chunks with BDAT instead of DATA (RFC 3030).") },
  { "BINARYMIME", N_ ("Binary message bodies are accepted with BDAT (RFC 3030).") },
  { "DSN", N_ ("Delivery status notifications can be asked for: on success, failure or delay (RFC 3461).") },
  { "ENHANCEDSTATUSCODES", N_ ("Replies carry detailed codes such as 5.1.1, which Mailwire explains (RFC 2034).") },
  { "STARTTLS", N_ ("The connection can be upgraded to TLS (RFC 3207, security “starttls”).") },
  { "AUTH", N_ ("Login methods the server offers (RFC 4954).") },
  { "VRFY", N_ ("Addresses can be checked with VRFY (“mailwire-cli smtp verify”).") },
  { "EXPN", N_ ("Mailing lists can be expanded with EXPN.") },
  { "ETRN", N_ ("A client may ask the server to flush its queue for a domain (RFC 1985).") },
  { "ATRN", N_ ("Authenticated TURN for on-demand relay (RFC 2645): the roles switch after "
                "login; Mailwire cannot act as the server side.") },
  { "HELP", N_ ("The server answers HELP.") },
  { "DELIVERBY", N_ ("Delivery can be asked to happen by a deadline (RFC 2852).") },
  { "MT-PRIORITY", N_ ("Messages can carry a priority (RFC 6710).") },
  { "REQUIRETLS", N_ ("The message can demand TLS on every hop (RFC 8689).") },
  { "SUBMITTER", N_ ("MAIL FROM may name the responsible submitter (SUBMITTER=, RFC 4405).") },
  { "BURL", N_ ("A message can be taken from an IMAP URL (RFC 4468); not used by Mailwire.") },
  { "FUTURERELEASE", N_ ("Delivery can be held until a later time (RFC 4865).") },
  { "CONNEG", N_ ("Content negotiation for fax-like delivery (RFC 4141).") },
  { "NO-SOLICITING", N_ ("The server asks not to be solicited (RFC 3865).") },
  { "LIMITS", N_ ("The server states its limits on recipients and transactions (RFC 9422).") },
  { "X-EXPS", N_ ("Microsoft Exchange: login with GSSAPI or NTLM between Exchange servers.") },
  { "X-LINK2STATE", N_ ("Microsoft Exchange: link state routing information between Exchange servers.") },
  { "XEXCH50", N_ ("Microsoft Exchange: Exchange-specific message data between Exchange servers.") },
  { "X-ANONYMOUSTLS", N_ ("Microsoft Exchange: TLS between Exchange servers without certificates.") },
  { "XCLIENT", N_ ("Postfix extension for trusted proxies; not for mail clients.") },
  { "XFORWARD", N_ ("Postfix extension for trusted proxies; not for mail clients.") },
  { "ONEX", N_ ("Old Sendmail extension: one transaction per session.") },
  { "VERB", N_ ("Old Sendmail extension: verbose replies.") },
  { "SEND", N_ ("Delivery to a terminal (RFC 821); obsolete, removed in RFC 2821.") },
  { "SOML", N_ ("Delivery to a terminal (RFC 821); obsolete, removed in RFC 2821.") },
  { "SAML", N_ ("Delivery to a terminal (RFC 821); obsolete, removed in RFC 2821.") },
  { "TURN", N_ ("Unauthenticated role reversal (RFC 821), removed as unsafe; Mailwire refuses it.") },
};

/* The same for POP3 CAPA tags (RFC 2449); see explain_pop3(). */
static const Keyword pop3_capabilities[] = {
  { "TOP", N_ ("Headers and first lines of a message can be read without downloading it (message lists).") },
  { "UIDL", N_ ("Every message has a unique ID that stays the same across sessions: "
                "Mailwire knows what it already downloaded and deletes by ID.") },
  { "USER", N_ ("Login with USER and PASS, which sends the password as it is: "
                "safe only inside TLS.") },
  { "SASL", N_ ("SASL login methods the server offers (AUTH).") },
  { "PIPELINING", N_ ("Many commands may be sent without waiting for each answer: "
                      "message lists come quickly even over slow links.") },
  { "STLS", N_ ("The connection can be upgraded to TLS with STLS (security “starttls”).") },
  { "RESP-CODES", N_ ("Error replies carry codes such as [IN-USE] or [SYS/TEMP], "
                      "so Mailwire can say why something failed.") },
  { "AUTH-RESP-CODE", N_ ("A refused login says with [AUTH] when the credentials were wrong.") },
  { "LOGIN-DELAY", N_ ("The least number of seconds between logins the server allows.") },
  { "EXPIRE", N_ ("How many days the server keeps messages that were downloaded (NEVER: kept).") },
  { "IMPLEMENTATION", N_ ("The name of the server software.") },
  { "UTF8", N_ ("The server can speak UTF-8 (RFC 6856).") },
  { "LANG", N_ ("The server can answer in other languages (RFC 6856).") },
  { "CAPA", N_ ("The server answers CAPA, the list of what it can do (RFC 2449).") },
};

const MwProtocolCommand *
mw_protocol_commands (MwReplyProtocol protocol,
                      size_t         *n_commands)
{
  if (protocol == MW_REPLY_PROTOCOL_POP3)
    {
      *n_commands = G_N_ELEMENTS (pop3_commands);
      return pop3_commands;
    }

  *n_commands = G_N_ELEMENTS (smtp_commands);
  return smtp_commands;
}

const MwProtocolCommand *
mw_protocol_command_lookup (MwReplyProtocol protocol,
                            const char     *name)
{
  const MwProtocolCommand *commands;
  size_t                   n;

  g_return_val_if_fail (name != NULL, NULL);

  commands = mw_protocol_commands (protocol, &n);
  for (size_t i = 0; i < n; i++)
    if (g_ascii_strcasecmp (commands[i].name, name) == 0)
      return &commands[i];

  return NULL;
}

const char *
mw_protocol_command_get_help (const MwProtocolCommand *command)
{
  g_return_val_if_fail (command != NULL, NULL);
  return _ (command->help);
}

const char *
mw_protocol_command_get_refusal (const MwProtocolCommand *command)
{
  g_return_val_if_fail (command != NULL, NULL);
  return command->refusal != NULL ? _ (command->refusal) : NULL;
}

/* The first word of @line, upper-cased, at most @size - 1 bytes. */
static void
first_word (const char *line,
            char       *word,
            size_t      size)
{
  size_t i = 0;

  while (*line == ' ')
    line++;
  while (line[i] != '\0' && line[i] != ' ' && line[i] != '=' && i + 1 < size)
    {
      word[i] = g_ascii_toupper (line[i]);
      i++;
    }
  word[i] = '\0';
}

/* Whether @line has anything after its first word. */
static gboolean
has_argument (const char *line)
{
  const char *space;

  while (*line == ' ')
    line++;
  space = strchr (line, ' ');
  if (space == NULL)
    return FALSE;
  while (*space == ' ')
    space++;
  return *space != '\0';
}

gboolean
mw_pop3_command_is_multiline (const char *line)
{
  char word[16];

  g_return_val_if_fail (line != NULL, FALSE);

  first_word (line, word, sizeof word);
  if (g_str_equal (word, "CAPA") || g_str_equal (word, "TOP") || g_str_equal (word, "RETR"))
    return TRUE;
  if (g_str_equal (word, "LIST") || g_str_equal (word, "UIDL"))
    return !has_argument (line);

  return FALSE;
}

/* Keeps the first @keep words of @line and replaces the rest by stars. */
static char *
redact_after (const char *line,
              guint       keep)
{
  const char *p = line;

  for (guint i = 0; i < keep; i++)
    {
      while (*p == ' ')
        p++;
      while (*p != ' ' && *p != '\0')
        p++;
    }

  return g_strdup_printf ("%.*s ********", (int) (p - line), line);
}

gboolean
mw_protocol_command_redact (MwReplyProtocol protocol,
                            const char     *line,
                            char          **out_display)
{
  char word[16];

  g_return_val_if_fail (line != NULL, FALSE);
  g_return_val_if_fail (out_display != NULL, FALSE);

  *out_display = NULL;
  first_word (line, word, sizeof word);

  if (protocol == MW_REPLY_PROTOCOL_POP3 && g_str_equal (word, "PASS") && has_argument (line))
    *out_display = redact_after (line, 1);
  else if (protocol == MW_REPLY_PROTOCOL_POP3 && g_str_equal (word, "APOP") && has_argument (line))
    *out_display = redact_after (line, 2);
  else if (g_str_equal (word, "AUTH"))
    {
      /* "AUTH MECH" is harmless; an initial response is a secret. */
      const char *p = line;
      guint       words = 0;

      while (*p != '\0')
        {
          while (*p == ' ')
            p++;
          if (*p == '\0')
            break;
          words++;
          while (*p != ' ' && *p != '\0')
            p++;
        }
      if (words > 2)
        *out_display = redact_after (line, 2);
    }

  return *out_display != NULL;
}

static const char *
explain_keyword (const Keyword *table,
                 size_t         n,
                 const char    *line)
{
  char word[32];

  if (line == NULL)
    return NULL;

  first_word (line, word, sizeof word);
  for (size_t i = 0; i < n; i++)
    if (g_str_equal (table[i].keyword, word))
      return _ (table[i].text);

  return NULL;
}

const char *
mw_esmtp_keyword_explain (const char *line)
{
  return explain_keyword (esmtp_keywords, G_N_ELEMENTS (esmtp_keywords), line);
}

const char *
mw_pop3_capability_explain (const char *line)
{
  return explain_keyword (pop3_capabilities, G_N_ELEMENTS (pop3_capabilities), line);
}

static const Keyword *
find_keyword (MwReplyProtocol protocol,
              const char     *line)
{
  const Keyword *table = protocol == MW_REPLY_PROTOCOL_SMTP ? esmtp_keywords : pop3_capabilities;
  size_t         n = protocol == MW_REPLY_PROTOCOL_SMTP ? G_N_ELEMENTS (esmtp_keywords)
                                                        : G_N_ELEMENTS (pop3_capabilities);
  char           word[32];

  if (line == NULL)
    return NULL;

  first_word (line, word, sizeof word);
  for (size_t i = 0; i < n; i++)
    if (g_str_equal (table[i].keyword, word))
      return &table[i];

  return NULL;
}

gboolean
mw_protocol_keyword_is_known (MwReplyProtocol protocol,
                              const char     *keyword_line)
{
  return find_keyword (protocol, keyword_line) != NULL;
}

static char *
explain_esmtp (const char *keyword,
               const char *arg,
               const char *rest)
{
  if (g_str_equal (keyword, "SIZE"))
    {
      guint64 size = 0;

      if (arg != NULL && g_ascii_string_to_unsigned (arg, 10, 1, G_MAXUINT64, &size, NULL))
        {
          g_autofree char *human = g_format_size (size);

          return g_strdup_printf (_ ("Messages up to %s (%" PRIu64 " bytes) are "
                                     "accepted; Mailwire checks the size before sending (RFC 1870)."),
                                  human, size);
        }
      return NULL;
    }
  if (g_str_equal (keyword, "AUTH") || g_str_has_prefix (keyword, "AUTH="))
    {
      /* "AUTH=LOGIN PLAIN" is the old form early Outlook versions read. */
      g_autofree char *mechanisms = NULL;

      if (keyword[4] == '=')
        mechanisms = rest != NULL ? g_strconcat (keyword + 5, " ", rest, NULL) : g_strdup (keyword + 5);
      else
        mechanisms = g_strdup (rest);
      if (mechanisms == NULL || *mechanisms == '\0')
        return g_strdup_printf (_ ("Login (RFC 4954) with: %s."), _ ("none listed"));
      return g_strdup_printf (_ ("Login (RFC 4954) with: %s."), mechanisms);
    }
  if (g_str_equal (keyword, "X-EXPS") && rest != NULL)
    return g_strdup_printf (_ ("Microsoft Exchange: login between Exchange servers with %s."), rest);
  if (g_str_equal (keyword, "LIMITS") && rest != NULL)
    return g_strdup_printf (_ ("The server states its limits: %s (RFC 9422)."), rest);
  return NULL;
}

static char *
explain_pop3 (const char *keyword,
              const char *arg,
              const char *rest)
{
  if (g_str_equal (keyword, "SASL"))
    return g_strdup_printf (_ ("Login with AUTH (RFC 5034); mechanisms offered: %s."),
                            rest != NULL ? rest : _ ("none listed"));
  if (g_str_equal (keyword, "LOGIN-DELAY") && g_strcmp0 (arg, "0") == 0)
    return g_strdup (_ ("Logging in again is allowed at any time: there is no least delay."));
  if (g_str_equal (keyword, "LOGIN-DELAY") && arg != NULL)
    return g_strdup_printf (_ ("Logging in again is allowed only after %s seconds: "
                               "checking more often is refused."),
                            arg);
  if (g_str_equal (keyword, "EXPIRE") && arg != NULL)
    {
      if (g_ascii_strcasecmp (arg, "NEVER") == 0)
        return g_strdup (_ ("Messages left on the server are kept for ever."));
      if (g_str_equal (arg, "0"))
        return g_strdup (_ ("Messages are deleted from the server once they have been read: "
                            "leaving mail on the server is not possible."));
      return g_strdup_printf (_ ("Messages left on the server are deleted after %s days."), arg);
    }
  if (g_str_equal (keyword, "IMPLEMENTATION") && rest != NULL)
    return g_strdup_printf (_ ("The server software calls itself “%s”."), rest);
  return NULL;
}

char *
mw_protocol_explain_keyword (MwReplyProtocol protocol,
                             const char     *keyword_line)
{
  g_auto (GStrv) words = NULL;
  g_autofree char *keyword = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *text = NULL;
  const Keyword   *known;
  const char      *arg;

  g_return_val_if_fail (keyword_line != NULL, NULL);

  while (*keyword_line == ' ')
    keyword_line++;
  words = g_strsplit (keyword_line, " ", -1);
  keyword = g_ascii_strup (words[0] != NULL ? words[0] : "", -1);
  arg = words[0] != NULL && words[1] != NULL && words[1][0] != '\0' ? words[1] : NULL;
  if (arg != NULL)
    rest = g_strjoinv (" ", words + 1);

  if (protocol == MW_REPLY_PROTOCOL_SMTP)
    text = explain_esmtp (keyword, arg, rest);
  else
    text = explain_pop3 (keyword, arg, rest);
  if (text != NULL)
    return g_steal_pointer (&text);

  known = find_keyword (protocol, keyword_line);
  if (known != NULL)
    return g_strdup (_ (known->text));

  if (*keyword == '\0')
    return g_strdup (_ ("An empty line where a keyword was expected."));
  return g_strdup_printf (protocol == MW_REPLY_PROTOCOL_SMTP
                            ? _ ("“%s” is an extension Mailwire does not know; it is shown as the server sent it.")
                            : _ ("“%s” is a capability Mailwire does not know; it is shown as the server sent it."),
                          keyword);
}
