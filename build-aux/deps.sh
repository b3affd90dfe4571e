#!/usr/bin/env bash
# Installs what the project needs on Debian 12, when it is missing:
# Debian packages (as root, or through sudo) and the npm packages of the test
# fakes (tests/fakes, pinned by package-lock.json). Idempotent and quick when
# everything is there. Used by build-aux/run and build-aux/test.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-all}   # all | build (no test-only packages)

build_pkgs=(
  build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-dev-bin libgtk-4-dev libadwaita-1-dev libjson-glib-dev
  libsecret-1-dev libcurl4-openssl-dev libssl-dev libyaml-dev
  desktop-file-utils appstream
)
test_pkgs=(
  xvfb xauth x11-utils imagemagick dbus dbus-x11 gnome-keyring libsecret-tools
  appstream-util flatpak-builder libgtk-4-bin
  clang libclang-rt-14-dev shellcheck faketime
  nodejs libxml2-utils librsvg2-bin groff-base procps
  openssh-client openssh-server systemd
)

pkgs=("${build_pkgs[@]}")
if [ "$what" = all ]; then
  pkgs+=("${test_pkgs[@]}")
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# Node comes from the machine image (NodeSource) on our machines; only ask apt
# for Debian's nodejs when there is no node at all.
if command -v node >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do [ "$p" = nodejs ] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing missing packages: ${missing[*]}"
  sudo=()
  if [ "$(id -u)" != 0 ]; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q >/dev/null
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages of the test fakes (exact versions from package-lock.json).
if [ "$what" = all ] && [ -f "$top/tests/fakes/package-lock.json" ]; then
  stamp="$top/tests/fakes/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$top/tests/fakes/package-lock.json" -nt "$stamp" ]; then
    echo "Installing the npm packages of the test fakes (npm ci)"
    (cd "$top/tests/fakes" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
fi
