#!/bin/sh
# The fake servers checked with the official AWS SDK (tests/fakes/selftest.js).
# Without node or the npm packages of tests/fakes, the rule of every test
# that needs the fakes (scaler_fake_require() in tests/support/scaler-fake.h):
# a failure under CI=true or build-aux/test, a skip (exit 77) run by hand.
# Usage: check-fakes-selftest.sh FAKES_DIR
fakes=$1
node=${NODE:-$(command -v node || true)}

if [ -z "$node" ] || [ ! -x "$node" ]; then
  missing="node (Node.js 20) was not found"
elif [ ! -d "$fakes/node_modules/@aws-sdk/client-ec2" ]; then
  missing="the npm packages of $fakes are not installed"
else
  exec "$node" "$fakes/selftest.js"
fi
echo "The fake AWS and ClearML servers cannot run: $missing (build-aux/deps.sh all installs node and the npm packages of tests/fakes)" >&2
if [ "${CI:-}" = true ] || [ -n "${SCALER_TEST_TMP:-}" ]; then
  exit 1
fi
exit 77
