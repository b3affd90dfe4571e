#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Strict check of a flatpak-builder manifest, without network or runtime.
# `flatpak-builder --show-manifest` fails only on JSON syntax errors; a wrong
# type or an unknown key is merely a WARNING on stderr. Treat both as failures.
#
# Usage: check-flatpak-manifest.sh FLATPAK-BUILDER MANIFEST.json

set -u

if [ $# -ne 2 ]; then
  echo "usage: $0 FLATPAK-BUILDER MANIFEST.json" >&2
  exit 2
fi

flatpak_builder=$1
manifest=$2
err=$(mktemp) || exit 1
trap 'rm -f "$err"' EXIT

if ! "$flatpak_builder" --show-manifest "$manifest" >/dev/null 2>"$err"; then
  echo "$manifest: flatpak-builder --show-manifest failed:" >&2
  cat "$err" >&2
  exit 1
fi

if grep -q WARNING "$err"; then
  echo "$manifest: flatpak-builder --show-manifest printed warnings:" >&2
  cat "$err" >&2
  exit 1
fi

echo "$manifest: OK"
exit 0
