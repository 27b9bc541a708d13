#!/usr/bin/env bash
# Installs what Sluice needs beyond JDK 17 and Maven: Debian's Python with scikit-learn and joblib (the sample
# models' runtime). Idempotent; uses sudo when not root.
set -euo pipefail
py="${SLUICE_PYTHON:-/usr/bin/python3}"
if "$py" -c 'import sklearn, joblib, numpy' 2>/dev/null; then
  exit 0
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "setup: installing python3-sklearn python3-joblib (Debian packages) ..." >&2
$sudo apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3 python3-sklearn python3-joblib python3-numpy >&2
"$py" -c 'import sklearn, joblib, numpy' 
