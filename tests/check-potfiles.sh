#!/bin/sh
# Every source with translatable strings is listed in po/POTFILES.in, and
# every listed file exists.
set -eu
top=$1
cd "$top"
status=0
n=0
listed=$(grep -v '^#' po/POTFILES.in | sed '/^$/d')
for f in $(grep -lE '(^|[^A-Za-z0-9_])N?_\(' src/*/*.c) $(grep -l 'translatable="yes"' ui/*.ui ui/*/*.ui 2>/dev/null); do
  n=$((n + 1))
  if printf '%s\n' "$listed" | grep -qx "$f"; then
    echo "ok $n - $f is in POTFILES.in"
  else
    echo "not ok $n - $f has translatable strings but is not in po/POTFILES.in"
    status=1
  fi
done
for f in $listed; do
  n=$((n + 1))
  if [ -f "$f" ] || [ -f "$f.in" ]; then
    echo "ok $n - $f exists"
  else
    echo "not ok $n - po/POTFILES.in lists $f, which does not exist"
    status=1
  fi
done
echo "1..$n"
exit $status
