#!/usr/bin/env bash
# Installs what the dashboard's browser tests drive: Debian's Chromium and its chromedriver. Idempotent; uses sudo
# when not root. Only the tests need them, not a node.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "browser: installing chromium chromium-driver (Debian packages) ..." >&2
$sudo apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >&2
