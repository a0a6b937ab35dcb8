/* mw-mailto.h: mailto: URIs (RFC 6068) made safe for the compose window
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define MW_MAILTO_ERROR (mw_mailto_error_quark ())
GQuark mw_mailto_error_quark (void);

/**
 * MwMailtoError:
 * @MW_MAILTO_ERROR_NOT_MAILTO: the text does not start with "mailto:"
 * @MW_MAILTO_ERROR_TOO_LONG: longer than %MW_MAILTO_MAX_LENGTH bytes
 * @MW_MAILTO_ERROR_TOO_MANY_ADDRESSES: more than %MW_MAILTO_MAX_ADDRESSES
 *   addresses in to, cc and bcc together
 * @MW_MAILTO_ERROR_BAD_ESCAPE: a "%" not followed by two hexadecimal digits
 * @MW_MAILTO_ERROR_BAD_UTF8: decoded text that is not UTF-8
 * @MW_MAILTO_ERROR_CONTROL_CHARACTER: a line break or other control
 *   character in a header field (which could add header fields of its own),
 *   or a NUL byte anywhere
 * @MW_MAILTO_ERROR_BAD_FIELD_NAME: a header field name that is empty or not
 *   made of printable ASCII
 */
typedef enum
{
  MW_MAILTO_ERROR_NOT_MAILTO,
  MW_MAILTO_ERROR_TOO_LONG,
  MW_MAILTO_ERROR_TOO_MANY_ADDRESSES,
  MW_MAILTO_ERROR_BAD_ESCAPE,
  MW_MAILTO_ERROR_BAD_UTF8,
  MW_MAILTO_ERROR_CONTROL_CHARACTER,
  MW_MAILTO_ERROR_BAD_FIELD_NAME,
} MwMailtoError;

/* Caps on what a link from a web page or another program may hand us. */
#define MW_MAILTO_MAX_LENGTH    (64 * 1024)
#define MW_MAILTO_MAX_ADDRESSES 500

/**
 * MwMailto:
 * @to: (array zero-terminated=1): addresses from the path, then from every
 *   "to" field, in order; never %NULL, possibly empty
 * @cc: (array zero-terminated=1): addresses from every "cc" field
 * @bcc: (array zero-terminated=1): addresses from every "bcc" field
 * @subject: (nullable): the subject, with RFC 2047 encoded words decoded
 * @body: (nullable): the body; its line breaks are "\n"
 * @in_reply_to: (nullable): the In-Reply-To value, such as "<id@host>"
 * @ignored: (array zero-terminated=1): the lower-case names of fields that
 *   were not used: every field other than the six above (From, Reply-To,
 *   Sender and the like are never taken from a link, RFC 6068 §7), and
 *   repeats of subject, body and in-reply-to, of which the first one counts
 *
 * A mailto: URI taken apart. Each address is one entry as written in the
 * link ("Name <user@example.org>" stays whole). No header field holds a
 * line break or control character.
 */
typedef struct
{
  GStrv to;
  GStrv cc;
  GStrv bcc;
  char *subject;
  char *body;
  char *in_reply_to;
  GStrv ignored;
} MwMailto;

#define MW_TYPE_MAILTO (mw_mailto_get_type ())
GType mw_mailto_get_type (void) G_GNUC_CONST;

/* Parses @uri ("mailto:…", the scheme in any case). A fragment ("#…") is
 * dropped. "+" stays a plus sign: spaces are "%20" (RFC 6068 §5). */
MwMailto *mw_mailto_parse (const char *uri,
                           GError    **error);
MwMailto *mw_mailto_copy (const MwMailto *self);
void      mw_mailto_free (MwMailto *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MwMailto, mw_mailto_free)

G_END_DECLS
