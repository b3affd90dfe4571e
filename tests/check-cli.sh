#!/bin/sh
# Command-line basics of both executables: --version and --help, without a
# display and without the GSettings schema (they must not need either).
# Usage: check-cli.sh GUI_EXE DAEMON_EXE VERSION
set -eu
gui=$1 daemon=$2 version=$3
empty=$(mktemp -d)
trap 'rm -rf "$empty"' EXIT
export GSETTINGS_SCHEMA_DIR="$empty"
unset DISPLAY WAYLAND_DISPLAY || true

fail() { echo "not ok - $*"; exit 1; }

out=$("$gui" --version) || fail "ec2-autoscaler --version exited $?"
[ "$out" = "ec2-autoscaler $version" ] || fail "ec2-autoscaler --version printed '$out'"
echo "ok 1 - ec2-autoscaler --version"

out=$("$daemon" --version) || fail "ec2-autoscalerd --version exited $?"
[ "$out" = "ec2-autoscalerd $version" ] || fail "ec2-autoscalerd --version printed '$out'"
echo "ok 2 - ec2-autoscalerd --version"

out=$("$daemon" --help) || fail "ec2-autoscalerd --help exited $?"
for opt in --check --once --state-dir --service --version; do
  printf '%s' "$out" | grep -q -- "$opt" || fail "ec2-autoscalerd --help does not mention $opt"
done
echo "ok 3 - ec2-autoscalerd --help lists its options"

set +e
"$daemon" >/dev/null 2>&1; rc=$?
set -e
[ "$rc" = 2 ] || fail "ec2-autoscalerd without a config exited $rc, expected 2"
echo "ok 4 - ec2-autoscalerd without a config is a usage error"

set +e
"$daemon" --service "$empty/x.json" >/dev/null 2>&1; rc=$?
set -e
[ "$rc" = 2 ] || fail "ec2-autoscalerd --service with a config exited $rc, expected 2"
echo "ok 5 - ec2-autoscalerd --service takes no configuration"

set +e
DBUS_SESSION_BUS_ADDRESS="unix:path=$empty/no-bus" "$daemon" --service >/dev/null 2>&1; rc=$?
set -e
[ "$rc" = 1 ] || fail "ec2-autoscalerd --service without a bus exited $rc, expected 1"
echo "ok 6 - ec2-autoscalerd --service without a bus exits 1"
echo "1..6"
