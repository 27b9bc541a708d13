#!/usr/bin/env bash
# Throughput and p50 of one node's scoring path while a rollout is judged as often as it can be (every 3 s),
# against the same endpoint without a rollout, runs alternated in one run (wrk, 1 thread, 64 connections).
# Loopback only, bounded in time.
#   loadtest/rollout-bench.sh        (RB_DURATION 8, RB_REPS 3)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
DUR="${RB_DURATION:-8}"; REPS="${RB_REPS:-3}"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2; }
[ -f verticles/target/sluice.jar ] || mvn -B -q -DskipTests package
work="$(mktemp -d /tmp/sluice-rb.XXXX)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true' EXIT
. loadtest/one-node.sh
one_node 18510 "rb-$$"
S() { bin/sluice "$@"; }
S online-endpoint create -n rb-ep -o none
for d in blue green; do
  S online-deployment create -f examples/java-echo/echo-deployment.yml -e rb-ep -n "$d" \
    --set request_settings.max_concurrent_requests_per_instance=64 -o none
done
S online-endpoint update -n rb-ep --traffic "blue=100" -o none
KEY=$(S online-endpoint get-credentials -n rb-ep -o tsv --query primaryKey)
printf 'wrk.method = "POST"\nwrk.body = "{\\"data\\": [[1,2,3]]}"\nwrk.headers["Authorization"] = "Bearer %s"\n' "$KEY" \
  > "$work/s.lua"
run() { wrk -t1 -c64 -d"${DUR}s" --latency -s "$work/s.lua" "$SLUICE_URL/endpoints/rb-ep/score" | awk '
  function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
  /Requests\/sec/ { r=$2 } $1=="50%" { p=ms($2) } END { printf "%s %s\n", r, p }'; }
wrk -t1 -c64 -d10s -s "$work/s.lua" "$SLUICE_URL/endpoints/rb-ep/score" > /dev/null
for i in $(seq 1 "$REPS"); do
  echo "off $(run)" | tee -a "$work/runs" >&2
  # 1 s windows, never enough requests to pass: judged every 3 s (window + 2 s for the reports), green at 10 %
  S online-endpoint rollout start -n rb-ep --deployment green --interval 1s --min-requests 1000000000 \
    --max-inconclusive 1000 --no-wait -o none
  echo "on $(run)" | tee -a "$work/runs" >&2
  verdicts=$(S online-endpoint rollout show -n rb-ep --query "length(verdicts)" -o tsv)
  S online-endpoint rollout abort -n rb-ep -o none
  echo "verdicts $verdicts" >&2
done
/usr/bin/python3 - "$work/runs" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
med = lambda k, c: statistics.median(float(r[c]) for r in rows if r[0] == k)
print("| | no rollout | a rollout judged every 3 s | ratio |")
print("|---|---:|---:|---:|")
print("| req/s | %.0f | %.0f | %.3f |" % (med("off", 1), med("on", 1), med("on", 1) / med("off", 1)))
print("| p50 ms | %.3f | %.3f | |" % (med("off", 2), med("on", 2)))
PY
