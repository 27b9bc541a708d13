#!/usr/bin/env bash
# Rolling upgrade under load: three nodes on loopback (one SLUICE_HOME), Azure's sample endpoint (blue, the Python
# model, 3 instances) under a steady load through a health-checking balancer (io.sluice.loadtest.BalancedLoad: each
# request to a router whose /healthz says UP). Each node in turn: `node drain --routers-too`, SIGTERM, start again as
# the next release (testing.protocol_version 2), `node undrain`. Prints, per node, how long it was out of service
# (drain command to back in the balancer's rotation) and its steps; then the requests answered and failed (goal: 0).
#   loadtest/upgrade-bench.sh [CLIENTS PERIOD_MS]     (defaults 4 clients, a request each per 10 ms at most)
# The nodes start through bin/sluice, from its class-data archive; SLUICE_CDS=off starts them without.
# Writes loadtest/results/upgrade-<date>.json. Needs the built jar (mvn -B package) and bin/sluice setup.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
clients="${1:-4}"
period="${2:-10}"
jar="verticles/target/sluice.jar"
work="$(mktemp -d)"
export SLUICE_HOME="$work/home"
cluster="upgrade-bench-$$"
ports=(18311 18312 18313)
declare -A pids
S=bin/sluice
cleanup() {
  [ -n "${load_pid:-}" ] && kill "$load_pid" 2>/dev/null || true
  for p in "${ports[@]}"; do [ -n "${pids[$p]:-}" ] && kill "${pids[$p]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
healthy() { curl -s "http://127.0.0.1:$1/healthz" | grep -q "\"status\":\"$2\""; }
start_node() { # PORT [CONFIG]
  local extra=()
  [ -n "${2:-}" ] && extra=(--config "$2")
  # as an operator starts it: bin/sluice (its class-data archive unless SLUICE_CDS=off; exec, so $! is the JVM)
  SLUICE_HEAP=1g "$S" node --http-port "$1" --cluster-name "$cluster" "${extra[@]}" >> "$work/node-$1.log" 2>&1 &
  pids[$1]=$!
}
wait_for() { # what command...
  local what="$1"; shift
  for _ in $(seq 1 600); do "$@" && return 0; sleep 0.1; done
  echo "upgrade-bench: timed out waiting for $what" >&2; exit 1
}

for p in "${ports[@]}"; do start_node "$p"; wait_for "node :$p" healthy "$p" UP; done
export SLUICE_URL="http://127.0.0.1:${ports[0]}"
/usr/bin/python3 examples/train_models.py 2>/dev/null
cd examples/cli
../../$S online-endpoint create -n up-bench -f endpoints/online/managed/sample/endpoint.yml -o none
../../$S online-deployment create -n blue -e up-bench -f endpoints/online/managed/sample/blue-deployment.yml \
  --all-traffic --set instance_count=3 -o none
key="$(../../$S online-endpoint get-credentials -n up-bench -o tsv --query primaryKey)"
body="$(cat endpoints/online/model-1/sample-request.json)"
cd "$here"
printf 'testing:\n  protocol_version: 2\n' > "$work/next.yaml"

urls=(); for p in "${ports[@]}"; do urls+=("http://127.0.0.1:$p"); done
java -cp "$jar" io.sluice.loadtest.BalancedLoad /endpoints/up-bench/score "$key" "$body" "$clients" "$period" \
  "${urls[@]}" > "$work/load.json" 2>"$work/load.err" &
load_pid=$!
sleep 5 # a steady load before the first node goes

rows=()
for i in 1 2 0; do
  p="${ports[$i]}"; via="http://127.0.0.1:${ports[$(( (i + 1) % 3 ))]}"
  t0=$(now)
  SLUICE_URL="$via" $S node drain "node-$p" --routers-too -o none 2>/dev/null
  t1=$(now)
  wait_for "node-$p out of rotation" bash -c "! curl -sf http://127.0.0.1:$p/healthz >/dev/null"
  kill "${pids[$p]}"; wait "${pids[$p]}" 2>/dev/null || true
  t2=$(now)
  start_node "$p" "$work/next.yaml"
  wait_for "node :$p back (drained)" healthy "$p" DRAINED
  t3=$(now)
  SLUICE_URL="$via" $S node undrain "node-$p" -o none
  wait_for "node :$p UP" healthy "$p" UP
  t4=$(now)
  rows+=("$(python3 -c "import json,sys; t=[float(x) for x in sys.argv[2:]]; print(json.dumps({'node': sys.argv[1],
    'drain_s': round(t[1]-t[0],2), 'stop_s': round(t[2]-t[1],2), 'start_s': round(t[3]-t[2],2),
    'undrain_s': round(t[4]-t[3],2), 'out_of_service_s': round(t[4]-t[0],2)}))" "node-$p" "$t0" "$t1" "$t2" "$t3" "$t4")")
  echo "node-$p: ${rows[-1]}"
done
sleep 5 # and a steady load after the last
kill "$load_pid"; wait "$load_pid" 2>/dev/null || true
load_pid=""
writes="$(curl -s "http://127.0.0.1:${ports[0]}/healthz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["protocol"]["writes"])')"
mkdir -p loadtest/results
out="loadtest/results/upgrade-$(date +%Y%m%d-%H%M%S).json"
python3 - "$work/load.json" "$out" "$clients" "$period" "$writes" "${SLUICE_CDS:-on}" "${rows[@]}" <<'PY'
import json, sys
load = json.load(open(sys.argv[1]))
nodes = [json.loads(r) for r in sys.argv[7:]]
result = {"clients": int(sys.argv[3]), "period_ms": int(sys.argv[4]), "class_data_archive": sys.argv[6], "nodes": nodes,
          "answered": load["answered"], "failed": load["failed"], "failures": load["failures"],
          "cluster_writes_protocol": int(sys.argv[5])}
json.dump(result, open(sys.argv[2], "w"), indent=2)
print(json.dumps(result, indent=2))
PY
echo "written: $out"
