#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Smoke test of tests/lib/mail-servers: start a real Dovecot and Postfix,
# talk to them with nothing but Python's sockets, ssl, poplib and smtplib,
# and stop them again. Later integration tests rely on what this proves.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
harness=$here/../lib/mail-servers

dir=$(mktemp -d /tmp/mw-it.XXXXXX)
started=0
cleanup ()
{
  local rc=$?
  if [ "$started" = 1 ]; then
    "$harness" stop "$dir" || rc=1
  fi
  if [ "$rc" != 0 ]; then
    echo "--- dovecot.log" >&2; tail -n 30 "$dir/dovecot.log" >&2 || true
    echo "--- postfix.log" >&2; tail -n 30 "$dir/postfix.log" >&2 || true
  fi
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

"$harness" start "$dir"
started=1
# shellcheck source=/dev/null
. "$dir/env"
export POP3_PORT POP3S_PORT SUBMISSION_PORT SUBMISSIONS_PORT USER1 PASS1 \
  USER2 PASS2 ADDR1 ADDR2 CA_FILE TLS_SERVER_NAME REMOTE_SOURCE_ADDR HOST

# A message put straight into the Maildir must show up after the resync.
printf 'From: <%s>\nTo: <%s>\nSubject: delivered by the harness\n\nHello.\n' \
  "$ADDR2" "$ADDR1" > "$dir/direct.eml"
"$harness" deliver "$dir" "$USER1" "$dir/direct.eml" > /dev/null

python3 - <<'PYTHON'
import os, poplib, re, smtplib, socket, ssl, sys, time, uuid

E = os.environ
host = E["HOST"]
ctx = ssl.create_default_context(cafile=E["CA_FILE"])
server_name = E["TLS_SERVER_NAME"]


def step(msg):
    print("ok -", msg, flush=True)


def check(cond, msg):
    if not cond:
        print("FAIL -", msg, flush=True)
        sys.exit(1)
    step(msg)


def line(f):
    return f.readline().decode("latin-1").rstrip("\r\n")


def pop3_plain(source):
    s = socket.create_connection((host, int(E["POP3_PORT"])), timeout=10,
                                 source_address=(source, 0))
    return s, s.makefile("rwb")


def cmd(f, text):
    f.write(text.encode() + b"\r\n")
    f.flush()
    return line(f)


# POP3 on the plain port: an APOP timestamp in the greeting, STLS offered,
# and plaintext passwords refused from a non-local peer.
s, f = pop3_plain(E["REMOTE_SOURCE_ADDR"])
greeting = line(f)
check(re.match(r"^\+OK .*<[^<>@]+@[^<>]+>$", greeting) is not None,
      f"POP3 greeting carries an APOP timestamp: {greeting}")
capa = []
check(cmd(f, "CAPA").startswith("+OK"), "POP3 CAPA")
while (l := line(f)) != ".":
    capa.append(l)
check("STLS" in capa and "USER" not in capa,
      "CAPA before TLS offers STLS and hides USER: " + " ".join(capa))
cmd(f, "USER " + E["USER1"])
reply = cmd(f, "PASS " + E["PASS1"])
check(reply.startswith("-ERR [AUTH]"),
      f"plaintext USER/PASS without TLS is refused: {reply}")
cmd(f, "QUIT")
s.close()

# POP3 with STLS, certificate verified against the test CA.
p = poplib.POP3(host, int(E["POP3_PORT"]), timeout=10)
p.stls(context=ctx)
check(p.sock.version() in ("TLSv1.2", "TLSv1.3"),
      f"POP3 STLS negotiated {p.sock.version()}")
p.user(E["USER1"])
p.pass_(E["PASS1"])
count, size = p.stat()
check(count == 1, f"{E['USER1']} logs in over STLS and sees the delivered "
      f"message ({count} message, {size} bytes)")
uidl = p.uidl()[1][0].decode()
check(re.match(r"^1 [0-9a-f]{16}$", uidl) is not None,
      f"UIDL is %08Xu%08Xv: {uidl}")
p.quit()


def pop3s_login(user, password):
    p = poplib.POP3_SSL(host, int(E["POP3S_PORT"]), context=ctx, timeout=10)
    p.user(user)
    p.pass_(password)
    return p


p = pop3s_login(E["USER2"], E["PASS2"])
check(p.stat()[0] == 0, f"{E['USER2']} logs in over implicit TLS (POP3S)")
p.quit()

# Submission: no AUTH before STARTTLS, AUTH PLAIN after it.
subject = "smoke " + uuid.uuid4().hex
body = (f"From: <{E['ADDR1']}>\r\nTo: <{E['ADDR2']}>\r\nSubject: {subject}\r\n"
        "\r\nSent through the test Postfix.\r\n")
with smtplib.SMTP(host, int(E["SUBMISSION_PORT"]), timeout=10) as smtp:
    smtp.ehlo("client.example.test")
    check(smtp.has_extn("starttls") and not smtp.has_extn("auth"),
          "submission offers STARTTLS and no AUTH before TLS")
    smtp.starttls(context=ctx)
    smtp.ehlo("client.example.test")
    mechs = smtp.esmtp_features.get("auth", "").split()
    check("PLAIN" in mechs, "after STARTTLS, AUTH " + " ".join(mechs))
    smtp.user, smtp.password = E["USER1"], E["PASS1"]
    code, _ = smtp.auth("PLAIN", smtp.auth_plain)
    check(code == 235, f"AUTH PLAIN succeeds ({code})")
    refused = smtp.sendmail(E["ADDR1"], [E["ADDR2"]], body.encode())
    check(refused == {}, "message submitted after STARTTLS + AUTH PLAIN")
    try:
        smtp.sendmail(E["ADDR1"], ["someone@elsewhere.invalid"], body.encode())
        check(False, "relaying to another domain is refused")
    except smtplib.SMTPRecipientsRefused as e:
        code = e.recipients["someone@elsewhere.invalid"][0]
        check(code == 554, f"relaying to another domain is refused ({code})")

with smtplib.SMTP_SSL(host, int(E["SUBMISSIONS_PORT"]), context=ctx,
                      timeout=10) as smtp:
    smtp.login(E["USER2"], E["PASS2"])
    step("submissions (implicit TLS) accepts AUTH")

# The message travels Postfix -> LMTP -> Dovecot: poll with a deadline.
deadline = time.monotonic() + 30
while True:
    p = pop3s_login(E["USER2"], E["PASS2"])
    count = p.stat()[0]
    subjects = []
    for n in range(1, count + 1):
        for raw in p.top(n, 0)[1]:
            if raw.lower().startswith(b"subject:"):
                subjects.append(raw.decode().split(":", 1)[1].strip())
    p.quit()
    if subject in subjects:
        step(f"the submitted message arrived in {E['USER2']}'s maildrop")
        break
    if time.monotonic() > deadline:
        check(False, "the submitted message arrived within 30 s")
    time.sleep(0.2)
PYTHON

"$harness" stop "$dir"
started=0
for port in "$POP3_PORT" "$POP3S_PORT" "$SUBMISSION_PORT" "$SUBMISSIONS_PORT"; do
  if (exec 3<> "/dev/tcp/$HOST/$port") 2> /dev/null; then
    echo "FAIL - port $port still open after stop"
    exit 1
  fi
done
echo "ok - all ports closed after stop"
