#!/usr/bin/env bash
# One command for a fresh machine: install what is missing, build, start a local node with embedded defaults and
# deploy the sample endpoint (examples/cli, the Azure walkthrough's files) with all traffic on blue.
# Ctrl-C stops the node.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SLUICE_HOME="${SLUICE_HOME:-$HOME/.sluice}"
port="${SLUICE_HTTP_PORT:-8080}"
"$here/scripts/setup.sh"
(cd "$here" && mvn -B -q -DskipTests package)
/usr/bin/python3 "$here/examples/train_models.py"
"$here/bin/sluice" node --http-port "$port" &
node=$!
trap 'kill $node 2>/dev/null; wait $node 2>/dev/null' INT TERM EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.5; done
cd "$here/examples/cli"
S="$here/bin/sluice"
if ! "$S" online-endpoint show -n my-endpoint >/dev/null 2>&1; then
  "$S" online-endpoint create --name my-endpoint -f endpoints/online/managed/sample/endpoint.yml -o none
  "$S" online-deployment create --name blue --endpoint-name my-endpoint \
    -f endpoints/online/managed/sample/blue-deployment.yml --all-traffic -o none
fi
echo "invoke: $("$S" online-endpoint invoke --name my-endpoint --request-file endpoints/online/model-1/sample-request.json)"
echo "Sluice is running at http://127.0.0.1:$port (scoring URI: $("$S" online-endpoint show -n my-endpoint -o tsv --query scoring_uri)); Ctrl-C stops it."
wait $node
