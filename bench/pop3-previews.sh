#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# POP3 previews against a real Dovecot started for the run.
#
#   pop3-previews.sh BENCH-POP3-PREVIEWS [--messages N] [--sample S] [OPTION…]
#
# Starts Dovecot with tests/lib/mail-servers in a temporary directory,
# writes N real-looking messages into USER1's Maildir and the first S of
# them into USER2's, resyncs, runs bench-pop3-previews --env on them, and
# stops the servers whatever happens. Needs root, as Dovecot does: the
# Maildirs belong to the mail uid.

set -eu

bench=$1
shift
messages=10000
sample=500
prev=
for arg in "$@"; do
  case $prev in
    --messages) messages=$arg ;;
    --sample) sample=$arg ;;
  esac
  prev=$arg
done

here=$(cd "$(dirname "$0")" && pwd)
servers=$here/../tests/lib/mail-servers
dir=$(mktemp -d /tmp/mw-bench-XXXXXX)
cleanup ()
{
  "$servers" stop "$dir" || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

"$servers" start "$dir"
# shellcheck source=/dev/null
. "$dir/env"

python3 "$here/pop3-previews-messages.py" "$dir/mail/$USER1" "$messages" "$MAIL_UID" 1
python3 "$here/pop3-previews-messages.py" "$dir/mail/$USER2" "$sample" "$MAIL_UID" 1
for user in "$USER1" "$USER2"; do
  doveadm -c "$DOVECOT_CONF" force-resync -u "$user" INBOX
done
echo "pop3-previews.sh: $messages messages for $USER1, $sample for $USER2 in $dir/mail" >&2

"$bench" --env "$dir/env" --messages "$messages" --sample "$sample" "$@"
