#!/usr/bin/env bash
# Installs what Sluice needs beyond JDK 17 and Maven: Debian's Python with scikit-learn and joblib (the sample
# models' runtime), werkzeug (Azure's raw-HTTP scoring scripts: AMLRequest, AMLResponse) and Pillow (the image
# scripts of the tests and samples) and pandas (Azure's data collector: Collector.collect takes DataFrames).
# Idempotent; uses sudo when not root.
set -euo pipefail
py="${SLUICE_PYTHON:-/usr/bin/python3}"
if "$py" -c 'import sklearn, joblib, numpy, werkzeug, PIL, pandas' 2>/dev/null; then
  exit 0
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "setup: installing python3-sklearn python3-joblib python3-werkzeug python3-pil python3-pandas (Debian packages) ..." >&2
$sudo apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3 python3-sklearn python3-joblib python3-numpy \
  python3-werkzeug python3-pil python3-pandas >&2
"$py" -c 'import sklearn, joblib, numpy, werkzeug, PIL, pandas' 
