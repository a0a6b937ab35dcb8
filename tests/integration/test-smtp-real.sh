#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs the SMTP client's integration tests (the program given as $1, a TAP
# producer) against a real Postfix and Dovecot from tests/lib/mail-servers.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
harness=$here/../lib/mail-servers
program=$1
shift

dir=$(mktemp -d /tmp/mw-smtp-it.XXXXXX)
started=0
cleanup ()
{
  local rc=$?
  if [ "$started" = 1 ]; then
    "$harness" stop "$dir" > /dev/null || rc=1
  fi
  if [ "$rc" != 0 ]; then
    echo "# --- postfix.log" ; tail -n 20 "$dir/postfix.log" | sed 's/^/# /' || true
  fi
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

"$harness" start "$dir" > /dev/null
started=1
set -a
# shellcheck source=/dev/null
. "$dir/env"
set +a

# Under `meson test --setup valgrindchildren` the program runs under the
# wrapper in MW_TEST_WRAPPER (memcheck; a finding exits 99).
# shellcheck disable=SC2086
${MW_TEST_WRAPPER:-} "$program" "$@"
