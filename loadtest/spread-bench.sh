#!/usr/bin/env bash
# A deployment spread over three nodes against the same deployment on one node, requests entering one router:
# what local-first routing is for (issue 16). One cluster of three nodes on loopback; "spread" has an instance on
# each node, "local" three on the router's own node; wrk (1 thread, SB_CONCURRENCY connections) pinned to each in
# turn, SB_REPS times, medians. Java echo scorer, max_concurrent_requests_per_instance 64. Bounded in time.
#   loadtest/spread-bench.sh          (SB_DURATION 8, SB_REPS 3, SB_CONCURRENCY 32; SB_JAR another build's jar)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
DUR="${SB_DURATION:-8}"; REPS="${SB_REPS:-3}"; CONC="${SB_CONCURRENCY:-32}"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2; }
[ -f verticles/target/sluice.jar ] || mvn -B -q -DskipTests package
work="$(mktemp -d /tmp/sluice-sb.XXXX)"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
JFLAGS=(--add-modules java.se --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED -Djava.net.preferIPv4Stack=true -Xmx1g)
export SLUICE_HOME="$work/home" SLUICE_URL=http://127.0.0.1:18710
for n in "18710 local,spread" "18720 spread" "18730 spread"; do
  set -- $n
  java "${JFLAGS[@]}" -jar "${SB_JAR:-verticles/target/sluice.jar}" node --http-port "$1" --cluster-name "sb-$$" \
    --instance-types "$2" > "$work/node-$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && break; sleep 0.25; done
done
S() { bin/sluice "$@"; }
S online-endpoint create -n sb-ep -o none
for d in spread local; do
  S online-deployment create -f examples/java-echo/echo-deployment.yml -e sb-ep -n "$d" --set instance_type="$d" \
    instance_count=3 request_settings.max_concurrent_requests_per_instance=64 -o none
done
S online-deployment show -n spread -e sb-ep --query "instances[].node" -o tsv | tr '\n' ' ' >&2; echo >&2
KEY=$(S online-endpoint get-credentials -n sb-ep -o tsv --query primaryKey)
for d in spread local; do
  printf 'wrk.method = "POST"\nwrk.body = "{\\"data\\": [[1,2,3]]}"\nwrk.headers["Authorization"] = "Bearer %s"\nwrk.headers["azureml-model-deployment"] = "%s"\n' \
    "$KEY" "$d" > "$work/$d.lua"
  wrk -t1 -c"$CONC" -d5s -s "$work/$d.lua" "$SLUICE_URL/endpoints/sb-ep/score" > /dev/null
done
for i in $(seq 1 "$REPS"); do for d in spread local; do
  wrk -t1 -c"$CONC" -d"${DUR}s" --latency -s "$work/$d.lua" "$SLUICE_URL/endpoints/sb-ep/score" \
    | awk -v d="$d" '/Requests\/sec/ { r=$2 } $1=="50%" { p=$2 } END { print d, r, p }' | tee -a "$work/runs" >&2
done; done
/usr/bin/python3 - "$work/runs" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
med = lambda d: statistics.median(float(r[1]) for r in rows if r[0] == d)
print("| spread over 3 nodes req/s | all on the router's node req/s | spread ÷ local |")
print("|---:|---:|---:|")
print("| %.0f | %.0f | %.3f |" % (med("spread"), med("local"), med("spread") / med("local")))
PY
