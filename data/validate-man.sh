#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Formats a manual page with groff and with man, all warnings on, and fails
# on any diagnostic: neither tool fails by its exit status alone.
set -u

page=$1
status=0

out=$(groff -man -Tutf8 -ww -z -rCHECKSTYLE=3 "$page" 2>&1) || status=1
if [ -n "$out" ]; then
  printf 'groff: %s\n' "$out"
  status=1
fi

if command -v man > /dev/null; then
  out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 > /dev/null) || status=1
  if [ -n "$out" ]; then
    printf 'man: %s\n' "$out"
    status=1
  fi
fi

[ "$status" = 0 ] && echo "$page: no warnings"
exit "$status"
