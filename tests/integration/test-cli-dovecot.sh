#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# mailwire-cli (the program given as $1) against a real Dovecot from
# tests/lib/mail-servers: serverinfo without credentials, and a console in
# which the user logs in by typing USER and PASS. TAP on standard output.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
harness=$here/../lib/mail-servers
# Under `meson test --setup valgrindchildren` every run goes through the
# wrapper in MW_TEST_WRAPPER (memcheck; a finding exits 99).
# shellcheck disable=SC2206
cli=(${MW_TEST_WRAPPER:-} "$1")

dir=$(mktemp -d /tmp/mw-cli-it.XXXXXX)
started=0
cleanup ()
{
  local rc=$?
  if [ "$started" = 1 ]; then
    "$harness" stop "$dir" > /dev/null || rc=1
  fi
  if [ "$rc" != 0 ]; then
    echo "# --- dovecot.log"; tail -n 20 "$dir/dovecot.log" | sed 's/^/# /' || true
  fi
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

"$harness" start "$dir" > /dev/null
started=1
# shellcheck source=/dev/null
. "$dir/env"
export LC_ALL=C.UTF-8

n=0
failed=0
check ()
{
  local what=$1
  shift
  n=$((n + 1))
  if "$@"; then
    echo "ok $n - $what"
  else
    echo "not ok $n - $what"
    failed=1
  fi
}
has () { grep -qF -- "$2" "$1"; }
lacks () { ! grep -qF -- "$2" "$1"; }

common=(-H "$HOST" --ca-file "$CA_FILE" -t 30)

# serverinfo on the plain port, no --user: the CAPA Dovecot shows before
# STLS, its SASL mechanisms, and nothing sent that needs a password.
status=0
"${cli[@]}" pop3 "${common[@]}" -p "$POP3_PORT" -s none -v serverinfo \
  > "$dir/info.out" 2> "$dir/info.err" < /dev/null || status=$?
check "serverinfo without credentials succeeds" test "$status" = 0
check "serverinfo shows the greeting" has "$dir/info.out" "Greeting: +OK"
check "serverinfo shows STLS in CAPA" grep -qE '^  STLS +The connection can be upgraded' "$dir/info.out"
check "serverinfo shows the SASL mechanisms" grep -qE '^  SASL .*SCRAM-SHA-256' "$dir/info.out"
check "serverinfo lists the login methods" grep -qE '^Login methods: .*SCRAM-SHA-256.*APOP' "$dir/info.out"
check "serverinfo says it did not log in" has "$dir/info.out" "Not logged in"
check "serverinfo sent no login" lacks "$dir/info.err" "C: USER"
check "serverinfo sent no AUTH" lacks "$dir/info.err" "C: AUTH"
cat "$dir/info.out" "$dir/info.err" | sed 's/^/# /'

# The same with STLS and credentials: CAPA before and after login.
status=0
printf '%s\n' "$PASS1" > "$dir/password"
"${cli[@]}" pop3 "${common[@]}" -p "$POP3_PORT" -s starttls -u "$USER1" --password-file "$dir/password" \
  serverinfo > "$dir/login.out" 2> "$dir/login.err" < /dev/null || status=$?
check "serverinfo with credentials succeeds" test "$status" = 0
check "serverinfo shows TLS" has "$dir/login.out" "Encryption: TLS"
check "serverinfo shows CAPA before login" has "$dir/login.out" "Capabilities before login (CAPA):"
check "serverinfo logs in" has "$dir/login.out" "Logged in with:"
check "serverinfo shows CAPA after login" has "$dir/login.out" "Capabilities after login (CAPA):"
check "serverinfo keeps the password out" lacks "$dir/login.out" "$PASS1"

# A console without --user: USER and PASS typed over STLS.
status=0
printf 'USER %s\nPASS %s\nSTAT\nQUIT\n' "$USER1" "$PASS1" |
  "${cli[@]}" pop3 "${common[@]}" -p "$POP3_PORT" -s starttls -v console \
    > "$dir/console.out" 2> "$dir/console.err" || status=$?
check "console without credentials succeeds" test "$status" = 0
check "console starts before login" has "$dir/console.err" "not logged in"
check "console sends USER as typed" has "$dir/console.err" "C: USER $USER1"
check "console redacts PASS" has "$dir/console.err" "C: PASS ********"
check "console logs in with the typed USER/PASS" has "$dir/console.err" "Logged in with USER."
check "console STAT works after the typed login" grep -qE '^\+OK [0-9]+ [0-9]+' "$dir/console.out"
check "console keeps the password out of stdout" lacks "$dir/console.out" "$PASS1"
check "console keeps the password out of the transcript" lacks "$dir/console.err" "$PASS1"

# PASS typed on the unencrypted port without --allow-plaintext: refused.
status=0
printf 'USER %s\nPASS %s\nQUIT\n' "$USER1" "$PASS1" |
  "${cli[@]}" pop3 "${common[@]}" -p "$POP3_PORT" -s none -v console \
    > "$dir/clear.out" 2> "$dir/clear.err" || status=$?
check "console on a clear connection ends normally" test "$status" = 0
check "console refuses PASS in clear" has "$dir/clear.err" "PASS was not sent"
check "console never sent PASS in clear" lacks "$dir/clear.err" "C: PASS"
check "console keeps the password out (clear)" lacks "$dir/clear.err" "$PASS1"

echo "1..$n"
exit "$failed"
