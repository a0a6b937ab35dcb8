/* mw-reply-explainer.c: server replies in plain words
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-reply-explainer.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* Well-known reply texts, matched case-insensitively on every word, before
 * the codes: they say more than their codes do. */
typedef struct
{
  MwReplyProtocol protocol;
  const char     *words[3]; /* all must occur */
  const char     *sentence;
  const char     *advice;
} KnownText;

static const KnownText known_texts[] = {
  { MW_REPLY_PROTOCOL_POP3, { "password supplied", "incorrect" }, N_ ("The user name or the password is wrong."), N_ ("Check both; some providers want an app password instead of your usual one.") },
  { MW_REPLY_PROTOCOL_POP3, { "lock", "busy" }, N_ ("Another program (a phone, another mail client) is connected to this mailbox."), N_ ("It clears when that session ends; try again in a few minutes.") },
  { MW_REPLY_PROTOCOL_POP3, { "another session" }, N_ ("Another program (a phone, another mail client) is connected to this mailbox."), N_ ("It clears when that session ends; try again in a few minutes.") },
  { MW_REPLY_PROTOCOL_POP3, { "quota exceeded" }, N_ ("The server is out of space for your account."), N_ ("Try again later, or free some space by removing large messages from the server.") },
  { MW_REPLY_PROTOCOL_POP3, { "unable to copy mail spool" }, N_ ("The server is out of space for your account."), N_ ("Try again later, or free some space by removing large messages from the server.") },
  { MW_REPLY_PROTOCOL_POP3, { "pam authentication failed" }, N_ ("The server could not log you in; this is often a damaged mailbox on the server rather than a wrong password."), N_ ("If the password is right, ask your provider to check the mailbox.") },
  { MW_REPLY_PROTOCOL_POP3, { "unable to process from lines" }, N_ ("The mailbox file on the server is damaged."), N_ ("A problem message may need removing: list the messages and remove the damaged one without downloading it.") },
  { MW_REPLY_PROTOCOL_SMTP, { "insufficient", "disk space" }, N_ ("The server is temporarily full."), N_ ("The message stays in the outbox and is sent again later.") },
  { MW_REPLY_PROTOCOL_SMTP, { "sender domain must exist" }, N_ ("The domain of the From address does not exist as far as the server can tell."), N_ ("Check the From address for typing errors.") },
  { MW_REPLY_PROTOCOL_SMTP, { "need mail", "before rcpt" }, N_ ("The commands came out of order: MAIL FROM must come before RCPT TO."), N_ ("When typing by hand, start the message with MAIL FROM.") },
  { MW_REPLY_PROTOCOL_SMTP, { "relay", "denied" }, N_ ("This server will not pass mail on for you."), N_ ("Log in first, or send through your own provider’s server.") },
  { MW_REPLY_PROTOCOL_SMTP, { "relaying", "not allowed" }, N_ ("This server will not pass mail on for you."), N_ ("Log in first, or send through your own provider’s server.") },
  { MW_REPLY_PROTOCOL_SMTP, { "must issue a starttls" }, N_ ("The server requires encryption before login."), N_ ("Use STARTTLS or TLS security for this account.") },
  { MW_REPLY_PROTOCOL_SMTP, { "authentication credentials invalid" }, N_ ("The user name or the password is wrong, or the provider wants an app password or OAuth2."), N_ ("Check both; large providers often require an app password or OAuth2 sign-in.") },
  { MW_REPLY_PROTOCOL_SMTP, { "message size exceeds" }, N_ ("The message is larger than the server accepts."), N_ ("Make it smaller: remove or shrink attachments, or share large files by a link.") },
  { MW_REPLY_PROTOCOL_SMTP, { "closing connection" }, N_ ("The server is ending the session."), N_ ("Try again later.") },
  { MW_REPLY_PROTOCOL_SMTP, { "closing transmission channel" }, N_ ("The server is ending the session."), N_ ("Try again later.") },
};

/* POP3 response codes (RFC 2449, RFC 3206, RFC 6856). */
typedef struct
{
  const char *code;
  MwReplyKind kind;
  const char *sentence;
  const char *advice;
} ResponseCode;

static const ResponseCode response_codes[] = {
  { "IN-USE", MW_REPLY_KIND_TEMPORARY,
    N_ ("Another program (a phone, another mail client) is connected to this mailbox."),
    N_ ("It clears when that session ends; try again in a few minutes.") },
  { "LOGIN-DELAY", MW_REPLY_KIND_TEMPORARY,
    N_ ("You logged in again sooner than the server allows."),
    N_ ("Wait a little longer between mail checks (the server’s CAPA LOGIN-DELAY says how long).") },
  { "SYS/TEMP", MW_REPLY_KIND_TEMPORARY,
    N_ ("The server has a temporary problem of its own."),
    N_ ("Try again later; nothing is wrong with your account.") },
  { "SYS/PERM", MW_REPLY_KIND_PERMANENT,
    N_ ("The server has a lasting problem that trying again will not fix."),
    N_ ("Contact your provider.") },
  { "AUTH", MW_REPLY_KIND_PERMANENT,
    N_ ("The server could not log you in with these credentials."),
    N_ ("Check the user name and password; some providers want an app password or OAuth2.") },
  { "UTF8", MW_REPLY_KIND_PERMANENT,
    N_ ("The server refused because of UTF-8 handling."),
    NULL },
};

/* RFC 3463 and the IANA registry of enhanced status codes. */
typedef struct
{
  int         subject;
  int         detail;
  const char *text;
} EnhancedCode;

static const char *const enhanced_subjects[] = {
  N_ ("Other or undefined status"),
  N_ ("Addressing status"),
  N_ ("Mailbox status"),
  N_ ("Mail system status"),
  N_ ("Network and routing status"),
  N_ ("Mail delivery protocol status"),
  N_ ("Message content or media status"),
  N_ ("Security or policy status"),
};

static const EnhancedCode enhanced_codes[] = {
  { 0, 0, N_ ("Other undefined status") },
  { 1, 0, N_ ("Other address status") },
  { 1, 1, N_ ("Bad destination mailbox address: the recipient does not exist there") },
  { 1, 2, N_ ("Bad destination system address: the recipient’s domain does not exist or takes no mail") },
  { 1, 3, N_ ("Bad destination mailbox address syntax") },
  { 1, 4, N_ ("Destination mailbox address ambiguous") },
  { 1, 5, N_ ("Destination address valid") },
  { 1, 6, N_ ("Destination mailbox has moved, no forwarding address") },
  { 1, 7, N_ ("Bad sender’s mailbox address syntax") },
  { 1, 8, N_ ("Bad sender’s system address") },
  { 1, 9, N_ ("Message relayed to a non-compliant mailer") },
  { 1, 10, N_ ("Recipient address has a null MX: the domain accepts no mail") },
  { 2, 0, N_ ("Other or undefined mailbox status") },
  { 2, 1, N_ ("Mailbox disabled, not accepting messages") },
  { 2, 2, N_ ("Mailbox full") },
  { 2, 3, N_ ("Message length exceeds the administrative limit") },
  { 2, 4, N_ ("Mailing list expansion problem") },
  { 3, 0, N_ ("Other or undefined mail system status") },
  { 3, 1, N_ ("Mail system full") },
  { 3, 2, N_ ("System not accepting network messages") },
  { 3, 3, N_ ("System not capable of the selected features") },
  { 3, 4, N_ ("Message too big for the system") },
  { 3, 5, N_ ("System incorrectly configured") },
  { 3, 6, N_ ("Requested priority was changed") },
  { 4, 0, N_ ("Other or undefined network or routing status") },
  { 4, 1, N_ ("No answer from the host") },
  { 4, 2, N_ ("Bad connection") },
  { 4, 3, N_ ("Directory server failure") },
  { 4, 4, N_ ("Unable to route") },
  { 4, 5, N_ ("Mail system congestion") },
  { 4, 6, N_ ("Routing loop detected") },
  { 4, 7, N_ ("Delivery time expired") },
  { 5, 0, N_ ("Other or undefined protocol status") },
  { 5, 1, N_ ("Invalid command") },
  { 5, 2, N_ ("Syntax error") },
  { 5, 3, N_ ("Too many recipients") },
  { 5, 4, N_ ("Invalid command arguments") },
  { 5, 5, N_ ("Wrong protocol version") },
  { 5, 6, N_ ("Authentication exchange line is too long") },
  { 6, 0, N_ ("Other or undefined media error") },
  { 6, 1, N_ ("Media not supported") },
  { 6, 2, N_ ("Conversion required and prohibited") },
  { 6, 3, N_ ("Conversion required but not supported") },
  { 6, 4, N_ ("Conversion with loss performed") },
  { 6, 5, N_ ("Conversion failed") },
  { 6, 6, N_ ("Message content not available") },
  { 6, 7, N_ ("Non-ASCII addresses not permitted for that sender or recipient") },
  { 6, 8, N_ ("UTF-8 string reply is required, but not permitted by the client") },
  { 6, 9, N_ ("UTF-8 header message cannot be transferred to one or more recipients") },
  { 7, 0, N_ ("Other or undefined security status") },
  { 7, 1, N_ ("Delivery not authorized, message refused") },
  { 7, 2, N_ ("Mailing list expansion prohibited") },
  { 7, 3, N_ ("Security conversion required but not possible") },
  { 7, 4, N_ ("Security features not supported") },
  { 7, 5, N_ ("Cryptographic failure") },
  { 7, 6, N_ ("Cryptographic algorithm not supported") },
  { 7, 7, N_ ("Message integrity failure") },
  { 7, 8, N_ ("Authentication credentials invalid") },
  { 7, 9, N_ ("Authentication mechanism is too weak") },
  { 7, 10, N_ ("Encryption needed") },
  { 7, 11, N_ ("Encryption required for the requested authentication mechanism") },
  { 7, 12, N_ ("A password transition is needed") },
  { 7, 13, N_ ("User account disabled") },
  { 7, 14, N_ ("Trust relationship required") },
  { 7, 15, N_ ("Priority level is too low") },
  { 7, 16, N_ ("Message is too big for the specified priority") },
  { 7, 17, N_ ("Mailbox owner has changed") },
  { 7, 18, N_ ("Domain owner has changed") },
  { 7, 19, N_ ("RRVS test cannot be completed") },
  { 7, 20, N_ ("No passing DKIM signature found") },
  { 7, 21, N_ ("No acceptable DKIM signature found") },
  { 7, 22, N_ ("No valid author-matched DKIM signature found") },
  { 7, 23, N_ ("SPF validation failed") },
  { 7, 24, N_ ("SPF validation error") },
  { 7, 25, N_ ("Reverse DNS validation failed") },
  { 7, 26, N_ ("Multiple authentication checks failed") },
  { 7, 27, N_ ("Sender address has a null MX") },
  { 7, 28, N_ ("Mail flood detected") },
  { 7, 29, N_ ("ARC validation failure") },
  { 7, 30, N_ ("REQUIRETLS support required") },
};

/* SMTP reply codes (RFC 5321 §4.2, RFC 4954, RFC 7504, RFC 3207). */
typedef struct
{
  int         code;
  const char *sentence;
  const char *advice;
} SmtpCode;

static const SmtpCode smtp_codes[] = {
  { 211, N_ ("System status or help reply."), NULL },
  { 214, N_ ("Help message from the server."), NULL },
  { 220, N_ ("The server is ready."), NULL },
  { 221, N_ ("The server is closing the connection normally."), NULL },
  { 235, N_ ("Logged in."), NULL },
  { 250, N_ ("Done."), NULL },
  { 251, N_ ("The recipient is not local; the server will forward the message."), NULL },
  { 252, N_ ("The server cannot verify this address but will accept the message and try."), NULL },
  { 334, N_ ("The server waits for the next step of the login."), NULL },
  { 354, N_ ("The server waits for the message; end it with a line holding a single dot."), NULL },
  { 421, N_ ("The server is ending the session."), N_ ("Try again later.") },
  { 432, N_ ("A password transition is needed."), N_ ("Log in once through your provider’s web site, then try again.") },
  { 450, N_ ("The mailbox is unavailable for now (busy or temporarily blocked)."), N_ ("The message is sent again later.") },
  { 451, N_ ("The server had a local error and stopped."), N_ ("The message is sent again later.") },
  { 452, N_ ("The server is short of storage, or there are too many recipients for now."), N_ ("The message is sent again later.") },
  { 454, N_ ("The login or TLS is temporarily unavailable."), N_ ("Try again later.") },
  { 455, N_ ("The server cannot take these parameters now."), N_ ("Try again later.") },
  { 500, N_ ("The server did not recognize the command."), N_ ("Check its spelling; the command may not exist on this server.") },
  { 501, N_ ("The command’s arguments are wrong."), N_ ("Check the address or parameters sent with it.") },
  { 502, N_ ("The server does not implement this command."), NULL },
  { 503, N_ ("The commands came in the wrong order."), N_ ("When typing by hand: EHLO, then MAIL FROM, then RCPT TO, then DATA.") },
  { 504, N_ ("The server does not implement this parameter."), NULL },
  { 521, N_ ("This host does not accept mail at all."), N_ ("Check that you are sending to the right server.") },
  { 523, N_ ("The message is too large for the server."), N_ ("Make it smaller.") },
  { 530, N_ ("The server requires you to log in (or to use encryption) first."), N_ ("Set a user name and password for sending, and use STARTTLS or TLS.") },
  { 534, N_ ("The login method is too weak for this server."), N_ ("Use a stronger method, or encryption.") },
  { 535, N_ ("The login failed: wrong user name or password."), N_ ("Check both; some providers want an app password or OAuth2.") },
  { 538, N_ ("This login method needs encryption."), N_ ("Use STARTTLS or TLS security.") },
  { 550, N_ ("The server refused: the mailbox does not exist, or policy forbids this."), N_ ("Check the address; read the server’s words for the reason.") },
  { 551, N_ ("The recipient is not local to this server."), N_ ("Send to the address the server suggests.") },
  { 552, N_ ("The message exceeds the storage or size the server allows."), N_ ("Make it smaller.") },
  { 553, N_ ("The mailbox name is not allowed."), N_ ("Check the address for typing errors.") },
  { 554, N_ ("The transaction failed; the server refused the message."), N_ ("Read the server’s words for the reason; it is often spam filtering or policy.") },
  { 555, N_ ("The server does not recognize the MAIL FROM or RCPT TO parameters."), NULL },
  { 556, N_ ("The recipient’s domain does not accept mail."), N_ ("Check the address.") },
};

void
mw_reply_explanation_free (MwReplyExplanation *self)
{
  if (self == NULL)
    return;

  g_free (self->sentence);
  g_free (self->advice);
  g_free (self->detail);
  g_free (self);
}

char *
mw_reply_explanation_to_string (MwReplyExplanation *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->advice != NULL)
    return g_strdup_printf ("%s %s", self->sentence, self->advice);
  return g_strdup (self->sentence);
}

size_t
mw_enhanced_status_parse (const char *text,
                          int        *klass,
                          int        *subject,
                          int        *detail)
{
  const char *p = text;
  int         parts[3];

  if (text == NULL)
    return 0;

  for (int i = 0; i < 3; i++)
    {
      int value = 0;
      int digits = 0;

      while (g_ascii_isdigit (*p) && digits < 3)
        {
          value = value * 10 + (*p - '0');
          p++;
          digits++;
        }
      if (digits == 0 || g_ascii_isdigit (*p))
        return 0;
      parts[i] = value;
      if (i < 2)
        {
          if (*p != '.')
            return 0;
          p++;
        }
    }

  /* RFC 3463: the class is one digit, 2, 4 or 5. */
  if (parts[0] != 2 && parts[0] != 4 && parts[0] != 5)
    return 0;
  if (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
    return 0;

  *klass = parts[0];
  *subject = parts[1];
  *detail = parts[2];
  return (size_t) (p - text);
}

char *
mw_enhanced_status_describe (int klass,
                             int subject,
                             int detail)
{
  const char *class_text;

  switch (klass)
    {
    case 2:
      class_text = _ ("Success");
      break;
    case 4:
      class_text = _ ("Temporary failure");
      break;
    case 5:
      class_text = _ ("Permanent failure");
      break;
    default:
      return NULL;
    }

  if (subject < 0 || subject >= (int) G_N_ELEMENTS (enhanced_subjects))
    return NULL;

  for (size_t i = 0; i < G_N_ELEMENTS (enhanced_codes); i++)
    if (enhanced_codes[i].subject == subject && enhanced_codes[i].detail == detail)
      return g_strdup_printf ("%s: %s", class_text, _ (enhanced_codes[i].text));

  return g_strdup_printf ("%s: %s", class_text, _ (enhanced_subjects[subject]));
}

static gboolean
contains_words (const char       *lower,
                const char *const words[3])
{
  gboolean any = FALSE;

  for (int i = 0; i < 3; i++)
    {
      if (words[i] == NULL)
        continue;
      if (strstr (lower, words[i]) == NULL)
        return FALSE;
      any = TRUE;
    }

  return any;
}

static const KnownText *
find_known_text (MwReplyProtocol protocol,
                 const char     *reply)
{
  g_autofree char *lower = g_ascii_strdown (reply, -1);

  for (size_t i = 0; i < G_N_ELEMENTS (known_texts); i++)
    if (known_texts[i].protocol == protocol && contains_words (lower, known_texts[i].words))
      return &known_texts[i];

  return NULL;
}

static void
set_text (MwReplyExplanation *self,
          const char         *sentence,
          const char         *advice)
{
  if (self->sentence == NULL && sentence != NULL)
    self->sentence = g_strdup (_ (sentence));
  if (self->advice == NULL && advice != NULL)
    self->advice = g_strdup (_ (advice));
}

static void
explain_pop3 (MwReplyExplanation *self,
              const char         *reply)
{
  const char *rest;

  if (g_str_has_prefix (reply, "+OK"))
    {
      self->kind = MW_REPLY_KIND_SUCCESS;
      set_text (self, N_ ("The server agreed."), NULL);
      return;
    }

  if (reply[0] == '+' && (reply[1] == ' ' || reply[1] == '\0'))
    {
      self->kind = MW_REPLY_KIND_INTERMEDIATE;
      set_text (self, N_ ("The server waits for the next step of the login."), NULL);
      return;
    }

  if (!g_str_has_prefix (reply, "-ERR"))
    {
      self->kind = MW_REPLY_KIND_UNKNOWN;
      set_text (self, N_ ("This is not a POP3 reply: a POP3 server answers +OK or -ERR."),
                N_ ("The server may not be a POP3 server, or the port may be wrong."));
      return;
    }

  self->kind = MW_REPLY_KIND_PERMANENT;
  rest = reply + 4;
  while (*rest == ' ')
    rest++;

  /* "[CODE]" or "[CODE/SUB]" (RFC 2449 §8). */
  if (*rest == '[')
    {
      const char *end = strchr (rest, ']');

      if (end != NULL && (size_t) (end - rest - 1) < sizeof self->response)
        {
          memcpy (self->response, rest + 1, end - rest - 1);
          self->response[end - rest - 1] = '\0';

          for (size_t i = 0; i < G_N_ELEMENTS (response_codes); i++)
            {
              size_t len = strlen (response_codes[i].code);

              /* A code is known when it or its parent is: SYS/TEMP/x. */
              if (g_ascii_strncasecmp (self->response, response_codes[i].code, len) == 0 &&
                  (self->response[len] == '\0' || self->response[len] == '/'))
                {
                  self->kind = response_codes[i].kind;
                  self->detail = g_strdup (_ (response_codes[i].sentence));
                  break;
                }
            }
        }
    }

  {
    const KnownText *known = find_known_text (MW_REPLY_PROTOCOL_POP3, reply);

    if (known != NULL)
      set_text (self, known->sentence, known->advice);
  }

  for (size_t i = 0; i < G_N_ELEMENTS (response_codes); i++)
    if (self->detail != NULL && g_ascii_strncasecmp (self->response, response_codes[i].code, strlen (response_codes[i].code)) == 0)
      {
        set_text (self, response_codes[i].sentence, response_codes[i].advice);
        break;
      }

  set_text (self, N_ ("The server refused the command."),
            N_ ("The server’s own words, quoted with this, say why."));
}

static void
explain_smtp (MwReplyExplanation *self,
              const char         *reply)
{
  const char *text;
  int         klass, subject, detail;

  if (!(g_ascii_isdigit (reply[0]) && g_ascii_isdigit (reply[1]) && g_ascii_isdigit (reply[2]) &&
        (reply[3] == ' ' || reply[3] == '-' || reply[3] == '\0' || reply[3] == '\n' || reply[3] == '\r')))
    {
      self->kind = MW_REPLY_KIND_UNKNOWN;
      set_text (self, N_ ("This is not an SMTP reply: an SMTP server answers with a three-digit code."),
                N_ ("The server may not be an SMTP server, or the port may be wrong."));
      return;
    }

  self->code = (reply[0] - '0') * 100 + (reply[1] - '0') * 10 + (reply[2] - '0');
  switch (reply[0])
    {
    case '2':
      self->kind = MW_REPLY_KIND_SUCCESS;
      break;
    case '3':
      self->kind = MW_REPLY_KIND_INTERMEDIATE;
      break;
    case '4':
      self->kind = MW_REPLY_KIND_TEMPORARY;
      break;
    case '5':
      self->kind = MW_REPLY_KIND_PERMANENT;
      break;
    default:
      self->kind = MW_REPLY_KIND_UNKNOWN;
      break;
    }

  text = reply + 3;
  if (*text == ' ' || *text == '-')
    text++;

  if (mw_enhanced_status_parse (text, &klass, &subject, &detail) > 0 &&
      klass == reply[0] - '0')
    {
      g_snprintf (self->enhanced, sizeof self->enhanced, "%d.%d.%d", klass, subject, detail);
      self->detail = mw_enhanced_status_describe (klass, subject, detail);
    }

  {
    const KnownText *known = find_known_text (MW_REPLY_PROTOCOL_SMTP, reply);

    if (known != NULL)
      set_text (self, known->sentence, known->advice);
  }

  /* A few enhanced codes say more than the reply code they come with. */
  if (self->enhanced[0] != '\0')
    {
      if (subject == 7 && detail == 8)
        set_text (self, N_ ("The login failed: wrong user name or password."),
                  N_ ("Check both; some providers want an app password or OAuth2."));
      else if (subject == 2 && detail == 2)
        set_text (self, N_ ("The recipient’s mailbox is full."),
                  N_ ("Try again later, or reach the person another way."));
      else if (subject == 1 && detail == 1)
        set_text (self, N_ ("The recipient’s address does not exist on that server."),
                  N_ ("Check the address for typing errors."));
      else if ((subject == 3 && detail == 4) || (subject == 2 && detail == 3))
        set_text (self, N_ ("The message is larger than the server accepts."),
                  N_ ("Make it smaller: remove or shrink attachments."));
      else if (subject == 7 && detail == 1)
        set_text (self, N_ ("The server will not accept this message from you (policy)."),
                  N_ ("Log in, or read the server’s words for the reason."));
    }

  for (size_t i = 0; i < G_N_ELEMENTS (smtp_codes); i++)
    if (smtp_codes[i].code == self->code)
      {
        set_text (self, smtp_codes[i].sentence, smtp_codes[i].advice);
        break;
      }

  /* Codes without an entry of their own: by class (RFC 5321 §4.2.1). */
  switch (self->kind)
    {
    case MW_REPLY_KIND_SUCCESS:
      set_text (self, N_ ("The server accepted."), NULL);
      break;
    case MW_REPLY_KIND_INTERMEDIATE:
      set_text (self, N_ ("The server waits for more."), NULL);
      break;
    case MW_REPLY_KIND_TEMPORARY:
      set_text (self, N_ ("The server refused for now."), N_ ("Trying again later may work."));
      break;
    case MW_REPLY_KIND_PERMANENT:
      set_text (self, N_ ("The server refused."), N_ ("Trying again will not help; the server’s words say why."));
      break;
    case MW_REPLY_KIND_UNKNOWN:
    default:
      set_text (self, N_ ("The server sent a reply code outside the standard classes."), NULL);
      break;
    }
}

MwReplyExplanation *
mw_reply_explain (MwReplyProtocol protocol,
                  const char     *reply)
{
  MwReplyExplanation *self = g_new0 (MwReplyExplanation, 1);

  if (reply == NULL)
    reply = "";

  if (protocol == MW_REPLY_PROTOCOL_POP3)
    explain_pop3 (self, reply);
  else
    explain_smtp (self, reply);

  g_assert (self->sentence != NULL);
  return self;
}
