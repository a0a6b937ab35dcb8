#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs the build into a temporary DESTDIR and checks that what a
# distribution would package is there and works: the CLI, the desktop
# file, metainfo, schema, icons, help, manual page and translations; and,
# once the application is built, that it starts and stays up.
#
#   test-install.sh MESON BUILD_ROOT SOURCE_ROOT VERSION PREFIX BINDIR
#                   DATADIR MANDIR LOCALEDIR APP_ID
#
# The directories after PREFIX are meson's options, relative to it or
# absolute. Also run as "test-install.sh --app APP SCHEMA_DIR" to start
# the application inside a private D-Bus session.
set -u

check_app ()
{
  app=$1
  schema_dir=$2
  log=$3

  GSETTINGS_SCHEMA_DIR=$schema_dir GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1 \
    "$app" > "$log" 2>&1 &
  pid=$!
  # The application must survive its start-up: window, settings, resources.
  sleep 2
  if ! kill -0 "$pid" 2> /dev/null; then
    wait "$pid"
    echo "not ok: $app exited with status $? within 2 s:"
    sed 's/^/  /' "$log"
    return 1
  fi
  kill "$pid"
  wait "$pid" 2> /dev/null
  echo "ok: $app started and stayed up for 2 s"
  return 0
}

if [ "${1:-}" = --app ]; then
  check_app "$2" "$3" "$4"
  exit $?
fi

if [ $# -ne 10 ]; then
  echo "usage: $0 MESON BUILD_ROOT SOURCE_ROOT VERSION PREFIX BINDIR DATADIR MANDIR LOCALEDIR APP_ID" >&2
  exit 2
fi

meson=$1 build_root=$2 source_root=$3 version=$4 prefix=$5
bindir=$6 datadir=$7 mandir=$8 localedir=$9
shift 9
app_id=$1

under_prefix ()
{
  case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$prefix/$1" ;;
  esac
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mailwire-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
bin=$dest$(under_prefix "$bindir")
data=$dest$(under_prefix "$datadir")
man=$dest$(under_prefix "$mandir")
locale=$dest$(under_prefix "$localedir")

failures=0
fail ()
{
  echo "not ok: $*"
  failures=$((failures + 1))
}

echo "installing $build_root into $dest"
if ! "$meson" install -C "$build_root" --destdir "$dest" --no-rebuild --quiet > "$tmp/install.log" 2>&1; then
  sed 's/^/  /' "$tmp/install.log"
  echo "not ok: meson install failed"
  exit 1
fi

for file in \
  "$bin/mailwire-cli" \
  "$data/applications/$app_id.desktop" \
  "$data/metainfo/$app_id.metainfo.xml" \
  "$data/glib-2.0/schemas/$app_id.gschema.xml" \
  "$data/icons/hicolor/scalable/apps/$app_id.svg" \
  "$data/icons/hicolor/symbolic/apps/$app_id-symbolic.svg" \
  "$data/help/C/mailwire/index.page" \
  "$man/man1/mailwire-cli.1"; do
  if [ -s "$file" ]; then
    echo "ok: ${file#"$dest"}"
  else
    fail "${file#"$dest"} is missing or empty"
  fi
done

# Every help page in the source is installed.
for page in "$source_root"/help/C/*.page; do
  name=$(basename "$page")
  [ -s "$data/help/C/mailwire/$name" ] || fail "help page $name is not installed"
done

# One catalogue per language that po/LINGUAS lists.
languages=$(sed -e 's/#.*//' "$source_root/po/LINGUAS" | tr -s ' \t' '\n\n' | grep -v '^$')
if [ -z "$languages" ]; then
  echo "ok: po/LINGUAS lists no languages, so no catalogues are expected"
fi
for lang in $languages; do
  mo=$locale/$lang/LC_MESSAGES/mailwire.mo
  if [ -s "$mo" ]; then
    echo "ok: ${mo#"$dest"}"
  else
    fail "${mo#"$dest"} is missing"
  fi
done

# The installed CLI runs from where it is, with nothing from the build tree.
if [ -x "$bin/mailwire-cli" ]; then
  output=$(cd "$tmp" && "$bin/mailwire-cli" --version 2>&1)
  status=$?
  if [ "$status" = 0 ] && [ "$output" = "mailwire-cli $version" ]; then
    echo "ok: installed mailwire-cli --version prints “$output”"
  else
    fail "installed mailwire-cli --version exited with $status and printed “$output”, not “mailwire-cli $version”"
  fi
else
  fail "bin/mailwire-cli is not executable"
fi

# The application, once it is built and installed.
if [ -e "$bin/mailwire" ]; then
  schema_dir=$tmp/schemas
  mkdir -p "$schema_dir"
  if ! glib-compile-schemas --strict --targetdir="$schema_dir" "$data/glib-2.0/schemas"; then
    fail "the installed schemas do not compile"
  elif [ -z "${DISPLAY:-}" ]; then
    fail "bin/mailwire is installed but there is no X display to start it on (run under xvfb-run, as build-aux/dev test does)"
  else
    # A private session bus, so that the application neither finds nor
    # disturbs a running instance.
    if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && command -v dbus-run-session > /dev/null; then
      dbus-run-session -- sh "$0" --app "$bin/mailwire" "$schema_dir" "$tmp/app.log" ||
        failures=$((failures + 1))
    else
      check_app "$bin/mailwire" "$schema_dir" "$tmp/app.log" || failures=$((failures + 1))
    fi
  fi
else
  echo "app not installed: not started"
fi

if [ "$failures" != 0 ]; then
  echo "$failures problems"
  exit 1
fi
echo "the installed tree is complete"
exit 0
