#!/usr/bin/env bash
# What data collection costs on the echo path: the same Java echo deployment with and without data_collector
# (request and response, sampling_rate 1), one node, router and scorer together; alternated wrk runs (collecting,
# then not, COLLECT_PAIRS times), per-pair ratios, medians.
#   loadtest/collect-bench.sh    (COLLECT_PAIRS=5, COLLECT_DURATION=8 s per run; prints "key values..." lines)
#   COLLECT_PATH=python: the sample's sklearn model and score.py (1 worker, COLLECT_CONCURRENCY=2) instead of echo
# Keys: collect / plain: "rps p50_ms p99_ms" medians; collect_vs: medians of the per-pair rps and p99 ratios
# (collecting over not); collect_ratio_quartiles: the first and third quartile of the rps ratios; collect_records: records written during the runs; collect_dropped: records dropped.
# Every load targets 127.0.0.1 only, and every run is bounded in time.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
PAIRS="${COLLECT_PAIRS:-12}"; DUR="${COLLECT_DURATION:-4}"; CONC="${COLLECT_CONCURRENCY:-64}"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2; }
[ -f verticles/target/sluice.jar ] || mvn -B -q -DskipTests package >&2
JAR="$here/verticles/target/sluice.jar"
work="$(mktemp -d "${COLLECT_TMP:-/tmp}/sluice-collectbench.XXXX")"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
export SLUICE_HOME="$work/home"
log() { echo "collect-bench: $*" >&2; }
source "$here/loadtest/jvm-flags.sh"
java "${JFLAGS[@]}" ${COLLECT_JAVA_OPTS:-} -Xmx1g -jar "$JAR" node --http-port 18170 --cluster-name "collectbench-$$" > "$work/node.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 240); do curl -sf http://127.0.0.1:18170/healthz >/dev/null 2>&1 && break; sleep 0.25; done
S() { "$here/bin/sluice" "$@"; }
export SLUICE_URL=http://127.0.0.1:18170
ECHO=examples/java-echo/echo-deployment.yml
SPEC=(-f "$ECHO" --set request_settings.max_concurrent_requests_per_instance=64)
if [ "${COLLECT_PATH:-echo}" = python ]; then
  scripts/setup.sh >&2; /usr/bin/python3 examples/train_models.py >/dev/null 2>&1
  SPEC=(-f examples/cli/endpoints/online/managed/sample/blue-deployment.yml --set instance_count=1)
fi
S online-endpoint create -n cbench -o none
S online-deployment create "${SPEC[@]}" -e cbench -n plain --all-traffic -o none
S online-deployment create "${SPEC[@]}" \
  'data_collector={"collections": {"request": {"enabled": "True"}, "response": {"enabled": "True"}}}' \
  -e cbench -n collect -o none
KEY=$(S online-endpoint get-credentials -n cbench -o tsv --query primaryKey)
BODY='{"data": [[1,2,3,4,5,6,7,8,9,10], [10,9,8,7,6,5,4,3,2,1]]}'
for d in plain collect; do
  { echo 'wrk.method = "POST"'; echo "wrk.body = '$BODY'"; echo 'wrk.headers["Content-Type"] = "application/json"'
    echo "wrk.headers[\"Authorization\"] = \"Bearer $KEY\""; echo "wrk.headers[\"azureml-model-deployment\"] = \"$d\""
  } > "$work/$d.lua"
done
URI=http://127.0.0.1:18170/endpoints/cbench/score
source "$here/loadtest/ab-pairs.sh"
log "warming up both, then $PAIRS pairs"
ab_pairs collect "$PAIRS" "$DUR" "$CONC" "$URI" "$work/collect.lua" "$URI" "$work/plain.lua" | sed \
  -e 's/^collect_a /collect /' -e 's/^collect_b /plain /'
sleep 2 # the writer forces its files once a second
echo "collect_records $(cat "$SLUICE_HOME"/collected/cbench/collect/request/*/*/*/*/*.jsonl 2>/dev/null | wc -l)"
echo "collect_dropped $(curl -s http://127.0.0.1:18170/metrics | awk '/^sluice_collected_dropped_total/ { s += $2 } END { print s + 0 }')"
