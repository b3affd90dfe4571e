#!/usr/bin/env bash
# Runs inside dbus-run-session (see build-aux/test): unlocks a fresh
# gnome-keyring, then runs meson test under Xvfb.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)

# A throwaway login keyring, unlocked without a prompt: a password on stdin
# with --unlock (an empty one creates nothing; without --unlock the prompter
# fails or hangs under Xvfb). The daemon returns before it owns
# org.freedesktop.secrets, so wait for the name.
printf %s "ec2-autoscaler-test-keyring" | \
  gnome-keyring-daemon --unlock --components=secrets >/dev/null
for _ in $(seq 200); do
  if gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
       --method org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets 2>/dev/null | grep -q true; then
    break
  fi
  sleep 0.05
done
export SCALER_KEYRING_READY=1

xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" \
  meson test -C "${SCALER_TEST_BUILD:-$top/_build}" --print-errorlogs --no-rebuild "$@"
