#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write COUNT real-looking messages straight into a Maildir.

  pop3-previews-messages.py MAILDIR COUNT UID [SEED]

Header blocks of a few kilobytes (Received chains, DKIM and ARC
signatures, list headers, encoded subjects), MIME bodies from a few hundred
bytes to a few hundred kilobytes, some with attachments. The file names
carry S= (size on disk) and W= (size with CRLF line ends) so that Dovecot
never reads a file to answer LIST. The same SEED gives the same messages.
Run doveadm force-resync afterwards.
"""

import base64
import os
import pwd
import random
import sys
import time

WORDS = ("the of and to in is for on that with as by this be are from at or "
         "an it not your we will can have all our more new about report "
         "meeting invoice release build review schedule budget project team "
         "update draft notes agenda question server backup ticket customer "
         "quarterly patch security travel lunch deadline contract").split()
NAMES = ["Alice Martin", "Bob Dupont", "Chloé Bernard", "David Müller",
         "Eve Johnson", "Frank O'Neill", "Grace Lee", "Héloïse Petit",
         "Ivan Petrov", "Judy Nakamura", "Karim Haddad", "Laura Rossi"]
DOMAINS = ["example.org", "example.net", "example.com", "mail.example.org",
           "lists.example.net", "corp.example.com"]


def words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def encoded(text):
    if all(ord(c) < 128 for c in text):
        return text
    return "=?UTF-8?B?" + base64.b64encode(text.encode()).decode() + "?="


def b64_block(rng, n):
    data = base64.b64encode(rng.randbytes(n)).decode()
    return "\n".join(data[i:i + 76] for i in range(0, len(data), 76))


def received(rng, when, i):
    a, b = rng.choice(DOMAINS), rng.choice(DOMAINS)
    return (f"Received: from relay{i}.{a} (relay{i}.{a} "
            f"[198.51.100.{rng.randint(1, 254)}])\n"
            f"\tby mx{rng.randint(1, 9)}.{b} (Postfix) with ESMTPS id "
            f"{rng.getrandbits(40):010X}\n"
            f"\tfor <alice@example.test>; "
            f"{time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime(when - 3 * i))}\n")


def message(rng, n):
    when = 1750000000 + n * 97
    date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(when))
    sender = rng.choice(NAMES)
    domain = rng.choice(DOMAINS)
    local = sender.split()[0].lower().replace("é", "e").replace("ï", "i")
    subject = rng.choice(["", "Re: ", "Fwd: ", "[team] "]) + words(rng, rng.randint(3, 9)).capitalize()
    if rng.random() < 0.2:
        subject += " — café résumé"
    h = "Return-Path: <" + local + "@" + domain + ">\n"
    h += "Delivered-To: alice@example.test\n"
    for i in range(rng.randint(2, 7)):
        h += received(rng, when, i)
    sig = base64.b64encode(rng.randbytes(256)).decode()
    h += (f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain};\n"
          f"\ts=sel{rng.randint(1, 3)}; t={when};\n"
          f"\th=from:to:subject:date:message-id:mime-version:content-type;\n"
          f"\tbh={base64.b64encode(rng.randbytes(32)).decode()};\n"
          f"\tb={sig[:60]}\n\t {sig[60:130]}\n\t {sig[130:200]}\n\t {sig[200:]}\n")
    if rng.random() < 0.4:
        h += (f"ARC-Seal: i=1; a=rsa-sha256; t={when}; cv=none; d={domain}; s=arc;\n"
              f"\tb={base64.b64encode(rng.randbytes(128)).decode()}\n"
              f"ARC-Authentication-Results: i=1; mx.{domain}; dkim=pass; spf=pass\n")
    h += f"Authentication-Results: mx.example.test; dkim=pass header.d={domain}; spf=pass\n"
    h += f"From: {encoded(sender)} <{local}@{domain}>\n"
    h += "To: Alice <alice@example.test>\n"
    if rng.random() < 0.5:
        h += "Cc: " + ", ".join(f"{encoded(x)} <{x.split()[0].lower()}@{rng.choice(DOMAINS)}>"
                                for x in rng.sample(NAMES, rng.randint(1, 4))) + "\n"
    h += f"Subject: {encoded(subject)}\n"
    h += f"Date: {date}\n"
    h += f"Message-ID: <{rng.getrandbits(64):016x}.{n}@{domain}>\n"
    if subject.startswith("Re:"):
        h += f"In-Reply-To: <{rng.getrandbits(64):016x}@{domain}>\n"
        h += f"References: <{rng.getrandbits(64):016x}@{domain}>\n"
    if subject.startswith("[team]"):
        h += (f"List-Id: Team <team.lists.example.net>\n"
              f"List-Unsubscribe: <mailto:team-leave@lists.example.net>\n"
              f"Precedence: list\n")
    h += "MIME-Version: 1.0\n"
    boundary = f"b{rng.getrandbits(48):012x}"
    text = "\n".join(words(rng, rng.randint(8, 14))
                     for _ in range(int(rng.lognormvariate(3.0, 1.0)) + 1))
    body = (f"--{boundary}\nContent-Type: text/plain; charset=utf-8\n"
            f"Content-Transfer-Encoding: 8bit\n\n{text}\n"
            f"--{boundary}\nContent-Type: text/html; charset=utf-8\n\n"
            f"<html><body><p>{text.replace(chr(10), '</p><p>')}</p></body></html>\n")
    kind = "alternative"
    if rng.random() < 0.15:
        kind = "mixed"
        body += (f"--{boundary}\nContent-Type: application/pdf; name=\"report-{n}.pdf\"\n"
                 f"Content-Disposition: attachment; filename=\"report-{n}.pdf\"\n"
                 f"Content-Transfer-Encoding: base64\n\n"
                 f"{b64_block(rng, int(rng.lognormvariate(10.5, 1.0)) % 400000)}\n")
    body += f"--{boundary}--\n"
    h += f"Content-Type: multipart/{kind}; boundary=\"{boundary}\"\n"
    return when, (h + "\n" + body).encode()


def main(argv):
    maildir, count, uid = argv[0], int(argv[1]), int(argv[2])
    rng = random.Random(int(argv[3]) if len(argv) > 3 else 1)
    new = os.path.join(maildir, "new")
    for n in range(1, count + 1):
        when, data = message(rng, n)
        lines = data.count(b"\n")
        name = f"{when}.M{n}P{os.getpid()}.mailwire-bench,S={len(data)},W={len(data) + lines}"
        path = os.path.join(new, name)
        with open(path, "wb") as f:
            f.write(data)
        os.chown(path, uid, pwd.getpwuid(uid).pw_gid)
        os.utime(path, (when, when))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
