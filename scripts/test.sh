#!/usr/bin/env bash
# The test command: installs what the tests need (scripts/setup.sh; scripts/browser.sh for the dashboard's browser
# tests), then builds and runs every test.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/setup.sh"
"$here/scripts/browser.sh"
# the store tests run against a real PostgreSQL server too
SLUICE_TEST_PG_URL="$("$here/scripts/postgres.sh")"
export SLUICE_TEST_PG_URL
cd "$here"
mvn -B verify "$@"
