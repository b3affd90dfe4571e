#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Verify a systemd user unit with `systemd-analyze --user verify`.
# The user manager needs a runtime directory, which CI may not have:
# give it a private one.
#
# Usage: check-systemd-unit.sh SYSTEMD-ANALYZE UNIT-FILE

set -u

if [ $# -ne 2 ]; then
  echo "usage: $0 SYSTEMD-ANALYZE UNIT-FILE" >&2
  exit 2
fi

systemd_analyze=$1
unit=$2
runtime=$(mktemp -d) || exit 1
trap 'rm -rf "$runtime"' EXIT
chmod 700 "$runtime"

# The unit must name an instance to be verified as a template.
dir=$(mktemp -d -p "$runtime") || exit 1
base=$(basename "$unit")
cp "$unit" "$dir/$base" || exit 1
case "$base" in
  *@.service) inst="$dir/${base%@.service}@check.service"; ln -s "$base" "$inst" ;;
  *) inst="$dir/$base" ;;
esac

out=$(XDG_RUNTIME_DIR=$runtime "$systemd_analyze" --user --man=no verify "$inst" 2>&1)
rc=$?
if [ $rc -ne 0 ] || [ -n "$out" ]; then
  echo "$unit: systemd-analyze verify failed (rc $rc):" >&2
  echo "$out" >&2
  exit 1
fi

echo "$unit: OK"
exit 0
