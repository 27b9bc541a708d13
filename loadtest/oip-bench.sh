#!/usr/bin/env bash
# What the Open Inference Protocol's REST door costs against Azure's route: the same Java echo deployment scored
# with KServe's iris request at POST /v2/models/<e>/infer and at POST /endpoints/<e>/score, one node, alternated wrk
# runs (OIP first, then Azure's, in ABBA order), per-pair ratios, medians.
#   loadtest/oip-bench.sh    (OIP_PAIRS=8, OIP_DURATION=4 s per run, OIP_CONCURRENCY=64; prints "key values..." lines)
# Keys: oip_rest / azure_rest: "rps p50_ms p99_ms" medians; oip_rest_vs: the medians of the per-pair rps and p99
# ratios (OIP over Azure's); oip_rest_ratio_quartiles: the first and third quartile of the rps ratios.
# Every load targets 127.0.0.1 only, and every run is bounded in time.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
PAIRS="${OIP_PAIRS:-8}"; DUR="${OIP_DURATION:-4}"; CONC="${OIP_CONCURRENCY:-64}"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2; }
[ -f verticles/target/sluice.jar ] || mvn -B -q -DskipTests package >&2
work="$(mktemp -d /tmp/sluice-oipbench.XXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
source "$here/loadtest/jvm-flags.sh"
bench_node 18180 "oipbench-$$"
S() { "$here/bin/sluice" "$@"; }
S online-endpoint create -n obench -o none
S online-deployment create -f examples/java-echo/echo-deployment.yml \
  --set request_settings.max_concurrent_requests_per_instance=64 -e obench -n echo --all-traffic -o none
KEY=$(S online-endpoint get-credentials -n obench -o tsv --query primaryKey)
BODY='{"id": "1", "inputs": [{"name": "input-0", "shape": [2, 4], "datatype": "FP32", "data": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}]}'
{ echo 'wrk.method = "POST"'; echo "wrk.body = '$BODY'"; echo 'wrk.headers["Content-Type"] = "application/json"'
  echo "wrk.headers[\"Authorization\"] = \"Bearer $KEY\""; } > "$work/req.lua"
source "$here/loadtest/ab-pairs.sh"
echo "oip-bench: warming up both, then $PAIRS pairs" >&2
ab_pairs oip_rest "$PAIRS" "$DUR" "$CONC" http://127.0.0.1:18180/v2/models/obench/infer "$work/req.lua" \
  http://127.0.0.1:18180/endpoints/obench/score "$work/req.lua" | sed -e 's/^oip_rest_a /oip_rest /' \
  -e 's/^oip_rest_b /azure_rest /'
