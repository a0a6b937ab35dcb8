/* mw-protocol-commands.c: every POP3 and SMTP command, and what Mailwire does with it
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-protocol-commands.h"

#include <glib/gi18n-lib.h>
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
        "when the server offers it."),
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

static const Keyword esmtp_keywords[] = {
  { "PIPELINING", N_ ("Several commands may be sent without waiting for each reply (RFC 2920); Mailwire groups MAIL, RCPT and DATA.") },
  { "SIZE", N_ ("The largest message the server accepts, in bytes (RFC 1870); Mailwire checks before sending.") },
  { "8BITMIME", N_ ("Messages may contain 8-bit text (RFC 6152); Mailwire declares it when a message needs it.") },
  { "SMTPUTF8", N_ ("Addresses and headers may be in UTF-8 (RFC 6531).") },
  { "CHUNKING", N_ ("Messages may be sent in sized chunks with BDAT (RFC 3030); Mailwire uses it.") },
  { "BINARYMIME", N_ ("Binary message bodies may be sent with BDAT (RFC 3030).") },
  { "DSN", N_ ("Delivery status notifications on request (RFC 3461): NOTIFY, RET, ENVID.") },
  { "ENHANCEDSTATUSCODES", N_ ("Replies carry codes such as 5.7.8 that say more precisely what happened (RFC 2034, 3463).") },
  { "STARTTLS", N_ ("The connection can be encrypted with STARTTLS (RFC 3207).") },
  { "AUTH", N_ ("Login methods the server offers (RFC 4954).") },
  { "VRFY", N_ ("The server answers VRFY (address verification).") },
  { "EXPN", N_ ("The server answers EXPN (mailing list expansion).") },
  { "ETRN", N_ ("The server can flush its queue for a domain on request (RFC 1985).") },
  { "ATRN", N_ ("Authenticated TURN for on-demand relay (RFC 2645).") },
  { "HELP", N_ ("The server answers HELP.") },
  { "DELIVERBY", N_ ("Delivery deadlines may be requested (RFC 2852).") },
  { "MT-PRIORITY", N_ ("Message priorities may be given (RFC 6710).") },
  { "REQUIRETLS", N_ ("The sender may require TLS on every hop (RFC 8689).") },
  { "SUBMITTER", N_ ("MAIL FROM may name the responsible submitter, for Sender ID (RFC 4405).") },
  { "BURL", N_ ("The message may be fetched from an IMAP URL (RFC 4468).") },
  { "FUTURERELEASE", N_ ("Release of a message may be held until a set time (RFC 4865).") },
  { "CONNEG", N_ ("Content negotiation for fax-like delivery (RFC 4141).") },
  { "NO-SOLICITING", N_ ("The server asks not to be solicited (RFC 3865).") },
  { "LIMITS", N_ ("The server states its limits on recipients and transactions (RFC 9422).") },
  { "X-EXPS", N_ ("Microsoft Exchange: login with GSSAPI or NTLM between Exchange servers.") },
  { "X-LINK2STATE", N_ ("Microsoft Exchange: link-state routing information between Exchange servers.") },
  { "XEXCH50", N_ ("Microsoft Exchange: Exchange-specific message data between Exchange servers.") },
  { "X-ANONYMOUSTLS", N_ ("Microsoft Exchange: TLS between Exchange servers without certificates.") },
  { "XCLIENT", N_ ("Postfix: a trusted proxy may pass on the original client’s details.") },
  { "XFORWARD", N_ ("Postfix: a trusted filter may pass on the original client’s details.") },
  { "ONEX", N_ ("Old Sendmail extension: one transaction per session.") },
  { "VERB", N_ ("Old Sendmail extension: verbose delivery reports.") },
  { "TURN", N_ ("The unsafe TURN role reversal (removed from the standard).") },
};

static const Keyword pop3_capabilities[] = {
  { "TOP", N_ ("TOP is supported: headers can be read without downloading the message.") },
  { "UIDL", N_ ("UIDL is supported: messages have IDs that stay the same between sessions.") },
  { "USER", N_ ("Login with USER and PASS is allowed.") },
  { "SASL", N_ ("SASL login methods the server offers (AUTH).") },
  { "PIPELINING", N_ ("Several commands may be sent without waiting for each reply; Mailwire lists messages much faster.") },
  { "STLS", N_ ("The connection can be encrypted with STLS.") },
  { "RESP-CODES", N_ ("Error replies carry codes such as [IN-USE] in brackets.") },
  { "AUTH-RESP-CODE", N_ ("Login failures say whether the credentials were wrong ([AUTH]) (RFC 3206).") },
  { "LOGIN-DELAY", N_ ("The least number of seconds between logins the server allows.") },
  { "EXPIRE", N_ ("How many days the server keeps messages that were downloaded (NEVER: kept).") },
  { "IMPLEMENTATION", N_ ("The name of the server software.") },
  { "UTF8", N_ ("The server accepts UTF-8 user names and messages (RFC 6856).") },
  { "LANG", N_ ("The server can answer in other languages (RFC 6856).") },
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
