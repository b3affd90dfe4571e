#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Check a D-Bus session service (activation) file: a [D-BUS Service] group,
# Name= equal to the file name without ".service", Exec= whose program is an
# executable file, and, with UNIT-FILE, SystemdService= naming that unit,
# whose BusName= is the same name and whose ExecStart= runs the same program.
# dbus-daemon only logs a broken activation file; this makes it a failure.
#
# Usage: check-dbus-service.sh SERVICE-FILE [UNIT-FILE]

set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 SERVICE-FILE [UNIT-FILE]" >&2
  exit 2
fi

file=$1
unit=${2:-}
fail() { echo "$file: $*" >&2; exit 1; }
value() { sed -n "s/^$1=//p" "$2" | head -n 1; }

head -n 1 "$file" | grep -qx '\[D-BUS Service\]' || fail "the first line is not [D-BUS Service]"
name=$(value Name "$file")
exec_line=$(value Exec "$file")
expected=$(basename "$file" .service | sed "s/-check$//")
[ "$name" = "$expected" ] || fail "Name=$name, but the file is named for $expected"
program=${exec_line%% *}
[ -n "$program" ] || fail "no Exec="
case "$program" in /*) ;; *) fail "Exec= must be an absolute path, not $program" ;; esac
[ -x "$program" ] || fail "Exec= names $program, which is not an executable file"

if [ -n "$unit" ]; then
  systemd_service=$(value SystemdService "$file")
  [ "$systemd_service" = "$(basename "$unit" | sed 's/-check//')" ] ||
    fail "SystemdService=$systemd_service does not name $(basename "$unit")"
  [ "$(value BusName "$unit")" = "$name" ] || fail "the unit's BusName= is not $name"
  [ "$(value Type "$unit")" = dbus ] || fail "the unit's Type= is not dbus"
  unit_program=$(value ExecStart "$unit")
  [ "${unit_program%% *}" = "$program" ] || fail "the unit runs ${unit_program%% *}, the service file $program"
fi

echo "$file: OK"
exit 0
