#!/usr/bin/env bash
# The test command: installs what the tests need (scripts/setup.sh; scripts/browser.sh for the dashboard's browser
# tests), then builds and runs every test.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/setup.sh"
"$here/scripts/browser.sh"
# Debian's gRPC for Python: StreamTest calls the Open Inference Protocol's gRPC service from Python too
if ! /usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-grpcio \
    python3-protobuf; } >&2 \
    || echo "test: python3-grpcio did not install; StreamTest leaves its Python client out (fails under CI)" >&2
fi
# the store tests run against a real PostgreSQL server too
SLUICE_TEST_PG_URL="$("$here/scripts/postgres.sh")"
export SLUICE_TEST_PG_URL
cd "$here"
mvn -B verify "$@"
