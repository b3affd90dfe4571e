#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Format a man(7) page with all groff warnings on; any warning fails.
# (groff exits 0 even when it warns.)
#
# Usage: check-man-page.sh GROFF PAGE

set -u

if [ $# -ne 2 ]; then
  echo "usage: $0 GROFF PAGE" >&2
  exit 2
fi

out=$(LC_ALL=C.UTF-8 "$1" -man -ww -z "$2" 2>&1)
rc=$?
if [ $rc -ne 0 ] || [ -n "$out" ]; then
  echo "$2: groff reported problems (rc $rc):" >&2
  echo "$out" >&2
  exit 1
fi

echo "$2: OK"
exit 0
