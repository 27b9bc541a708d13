#!/usr/bin/env bash
# The benchmark: Sluice against the physical limit of its stack (a plain Vert.x echo server) and against nginx,
# all on this machine, in one run, wrk as the independent client, medians of BENCH_REPS repetitions, ratios.
# Writes docs/benchmarks.md and loadtest/results/latest.json. Installs wrk and nginx (Debian) when missing.
# Every load targets 127.0.0.1 only, and every run is bounded in time.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
DUR="${BENCH_DURATION:-8}"       # seconds per wrk run
REPS="${BENCH_REPS:-3}"          # repetitions; the median is reported
CONC="${BENCH_CONCURRENCY:-64}"  # connections (closed loop)
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null || ! command -v gunicorn >/dev/null \
    || ! /usr/bin/python3 -c 'import flask' 2>/dev/null; then
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk nginx-light gunicorn \
    python3-flask >&2
fi
scripts/setup.sh
[ -f verticles/target/sluice.jar ] || mvn -B -q -DskipTests package
/usr/bin/python3 examples/train_models.py 2>/dev/null

JAR="$here/verticles/target/sluice.jar"
source "$here/loadtest/jvm-flags.sh"
work="$(mktemp -d /tmp/sluice-bench.XXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx/nginx.pid" ] && nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -s stop 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
cluster="bench-$$"
export SLUICE_HOME="$work/home"

log() { echo "bench: $*" >&2; }
wait_http() { for _ in $(seq 1 240); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.25; done; return 1; }
start_node() { # port name extra...
  local port=$1; shift
  java "${JFLAGS[@]}" -Xmx1g -jar "$JAR" node --http-port "$port" --cluster-name "$cluster" "$@" \
    > "$work/node-$port.log" 2>&1 &
  pids+=($!); echo $! > "$work/node-$port.pid"
  wait_http "http://127.0.0.1:$port/healthz"
}
baseline() { # port name [event loops]
  java -cp "$JAR" io.sluice.loadtest.BaselineServer "$1" "$2" "${3:-1}" > "$work/base-$1.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$1/" || true
}
S() { "$here/bin/sluice" "$@"; }
BODY='{"data": [[1,2,3,4,5,6,7,8,9,10], [10,9,8,7,6,5,4,3,2,1]]}'
echo "$BODY" > "$work/body.json"
lua() { # file key [deployment]
  { echo 'wrk.method = "POST"'; echo "wrk.body = '$BODY'"; echo 'wrk.headers["Content-Type"] = "application/json"'
    if [ -n "${2:-}" ]; then echo "wrk.headers[\"Authorization\"] = \"Bearer $2\""; fi
    if [ -n "${3:-}" ]; then echo "wrk.headers[\"azureml-model-deployment\"] = \"$3\""; fi; } > "$1"
}
# one wrk run -> "rps p50_ms p99_ms"
wrk_once() { # url lua connections
  wrk -t1 -c"$3" -d"${DUR}s" --latency -s "$2" "$1" | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec/ { rps=$2 } $1=="50%" { p50=ms($2) } $1=="99%" { p99=ms($2) }
    END { printf "%s %s %s\n", rps, p50, p99 }'
}
# a discarded warm-up run (JIT), then the median over REPS of each column
wrk_median() { # url lua connections
  wrk -t1 -c"$3" -d"${WARMUP:-3}s" -s "$2" "$1" > /dev/null
  for _ in $(seq 1 "$REPS"); do wrk_once "$@"; done | /usr/bin/python3 -c '
import sys, statistics
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
print(" ".join("%.3f" % statistics.median(c) for c in zip(*rows)))'
}

log "starting nodes"
start_node 18110 --instance-types local,spread
start_node 18120 --instance-types remote,spread
start_node 18140 --instance-types remote,spread
S online-endpoint create -n bench -o none --url http://127.0.0.1:18110
export SLUICE_URL=http://127.0.0.1:18110
ECHO=examples/java-echo/echo-deployment.yml
echo_dep() { # name type count endpoint
  S online-deployment create -f "$ECHO" -e "$4" -n "$1" --set instance_type="$2" instance_count="$3" \
    request_settings.max_concurrent_requests_per_instance=64 -o none
}
echo_dep echo local 1 bench
echo_dep remote remote 2 bench
S online-endpoint update -n bench --traffic "echo=100" -o none
KEY=$(S online-endpoint get-credentials -n bench -o tsv --query primaryKey)
URI=http://127.0.0.1:18110/endpoints/bench/score
declare -A R

log "(1) baseline: plain Vert.x echo server"
baseline 18100 baseline
lua "$work/plain.lua" ""
R[base]=$(wrk_median http://127.0.0.1:18100/ "$work/plain.lua" "$CONC")
log "    ${R[base]}"
log "(1b) baseline: the same server on 2 event loops"
baseline 18105 baseline 2
R[base2]=$(wrk_median http://127.0.0.1:18105/ "$work/plain.lua" "$CONC")
log "    ${R[base2]}"
ours() { # url key deployment connections -> "rps p50 p99" from the load generator (median of REPS)
  local extra=(); [ -n "$2" ] && extra+=(--key "$2"); [ -n "$3" ] && extra+=(--header "azureml-model-deployment:$3")
  for _ in $(seq 1 "$REPS"); do
    S loadtest --url "$1" "${extra[@]}" --body-file "$work/body.json" --concurrency "$4" --duration "${DUR}s" \
      --warmup "${WARMUP:-3}s" --quiet --report "$work/ours" > /dev/null || true
    /usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print("%.3f %.3f %.3f" % (j["throughput_rps"], j["latency_ms"]["p50"], j["latency_ms"]["p99"]))' "$work/ours.json"
  done | /usr/bin/python3 -c '
import sys, statistics
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
print(" ".join("%.3f" % statistics.median(c) for c in zip(*rows)))'
}
log "    the load generator against the same target (a client-bound run: a JVM client is slower than wrk)"
R[ours_base]=$(ours http://127.0.0.1:18100/ "" "" "$CONC")
log "    ${R[ours_base]}"

log "(2) Sluice, router and Java echo scorer on the same node"
lua "$work/same.lua" "$KEY" echo
R[same]=$(wrk_median "$URI" "$work/same.lua" "$CONC")
log "    ${R[same]}"

log "(3) Sluice, router on one node, scorer on another (the scoring channel)"
lua "$work/cross.lua" "$KEY" remote
R[cross]=$(wrk_median "$URI" "$work/cross.lua" "$CONC")
log "    ${R[cross]}"

log "(3b) a deployment spread over the 3 nodes, against the same deployment all on the router's node (32 conns)"
echo_dep spread spread 3 bench
echo_dep spreadlocal local 3 bench
S online-deployment show -n spread -e bench --query "instances[].node" -o tsv | tr '\n' ' ' >&2; echo >&2
lua "$work/spread.lua" "$KEY" spread
lua "$work/spreadlocal.lua" "$KEY" spreadlocal
R[spread]=$(wrk_median "$URI" "$work/spread.lua" 32)
R[spreadlocal]=$(wrk_median "$URI" "$work/spreadlocal.lua" 32)
log "    spread ${R[spread]}; local ${R[spreadlocal]}"
S online-deployment delete -n spread -e bench -o none --yes >/dev/null 2>&1 || true
S online-deployment delete -n spreadlocal -e bench -o none --yes >/dev/null 2>&1 || true

log "(4) nginx split_clients 90/10 + 10% mirror, against Sluice with the same split and mirror"
baseline 18101 blue; baseline 18102 green; baseline 18103 shadow
mkdir -p "$work/nginx/logs"
cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  upstream blue { server 127.0.0.1:18101; keepalive 64; }
  upstream green { server 127.0.0.1:18102; keepalive 64; }
  upstream shadow { server 127.0.0.1:18103; keepalive 64; }
  split_clients "\${request_id}" \$live { 90% blue; * green; }
  split_clients "\${request_id}x" \$mirrored { 10% 1; * ""; }
  server {
    listen 127.0.0.1:18130;
    location / {
      mirror /mirror;
      proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_pass http://\$live;
    }
    location = /mirror {
      internal;
      if (\$mirrored = "") { return 204; }
      proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_pass http://shadow\$request_uri;
    }
  }
}
NGINX
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf"
wait_http http://127.0.0.1:18130/ || true
R[nginx]=$(wrk_median http://127.0.0.1:18130/ "$work/plain.lua" "$CONC")
log "    nginx ${R[nginx]}"
S online-endpoint create -n split -o none
echo_dep blue local 1 split; echo_dep green local 1 split; echo_dep shadow local 1 split
S online-endpoint update -n split --traffic "blue=90 green=10" -o none
S online-endpoint update -n split --mirror-traffic "shadow=10" -o none
SKEY=$(S online-endpoint get-credentials -n split -o tsv --query primaryKey)
lua "$work/split.lua" "$SKEY"
R[split]=$(wrk_median http://127.0.0.1:18110/endpoints/split/score "$work/split.lua" "$CONC")
log "    sluice ${R[split]}"

log "(5) Python: the sample sklearn model through Sluice, against gunicorn + Flask and run() in a loop, alternated"
log "    (loadtest/python-bench.sh: its own node and gunicorn; 1 and 2 workers; batching)"
while read -r k v; do R[$k]="$v"; done < <(loadtest/python-bench.sh)
log "(5b) data collection: the echo path with data_collector (request and response, sampling 1) against without,"
log "    alternated (loadtest/collect-bench.sh: its own node)"
while read -r k v; do R[$k]="$v"; done < <(loadtest/collect-bench.sh)
log "(5c) the Open Inference Protocol's REST door against Azure's route, echo, alternated (loadtest/oip-bench.sh)"
while read -r k v; do R[$k]="$v"; done < <(loadtest/oip-bench.sh)
log "(5d) the Open Inference Protocol's gRPC door against Azure's route over HTTP/1.1 (wrk) and HTTP/2 (h2load), rotated"
log "    (loadtest/grpc-bench.sh: its own node with --grpc-port, a constant inference response)"
while read -r k v; do R[$k]="$v"; done < <(loadtest/grpc-bench.sh)
log "(5e) a streamed answer's time to its first byte over the script's own, SSE, sequential (loadtest/stream-bench.sh)"
while read -r k v; do R[$k]="$v"; done < <(loadtest/stream-bench.sh)
log "    wrk and the load generator on a target that sets its own pace (run() sleeps 5 ms, 8 workers, 8 connections)"
mkdir -p "$work/nap/code"
printf 'import time\ndef init():\n    pass\ndef run(raw_data):\n    time.sleep(0.005)\n    return "ok"\n' > "$work/nap/code/score.py"
cat > "$work/nap/nap.yml" <<YAML
name: napping
endpoint_name: bench
code_configuration: {code: code, scoring_script: score.py}
environment: {image: any}
instance_type: local
instance_count: 1
request_settings: {max_concurrent_requests_per_instance: 8}
YAML
S online-deployment create -f "$work/nap/nap.yml" -o none
lua "$work/nap.lua" "$KEY" napping
R[nap]=$(wrk_median "$URI" "$work/nap.lua" 8)
R[ours]=$(ours "$URI" "$KEY" napping 8)
log "    wrk ${R[nap]}; load generator ${R[ours]}"
log "(6) scale-out 1 -> 8 (Java scorers), and failover after kill -9"
echo_dep scale local 1 bench
R[scale]=$(java -cp "$JAR" io.sluice.loadtest.BenchSteps scale http://127.0.0.1:18110 "$SLUICE_HOME" bench scale 8)
log "    scale-out ${R[scale]} s"
java -cp "$JAR" io.sluice.loadtest.BenchSteps scale http://127.0.0.1:18110 "$SLUICE_HOME" bench remote 4 >/dev/null
victim=$(cat "$work/node-18140.pid")
t0=$(date +%s%3N)
kill -9 "$victim"
R[failover]=$(java -cp "$JAR" io.sluice.loadtest.BenchSteps wait-ready http://127.0.0.1:18110 "$SLUICE_HOME" bench remote 4 node-18140 "$t0")
log "    failover ${R[failover]} s"

log "(7) client p99 with a 50% mirror, against no mirror (open loop, 2000 req/s)"
S online-endpoint create -n mir -o none
echo_dep live local 1 mir; echo_dep ghost local 1 mir
S online-endpoint update -n mir --traffic "live=100" -o none
MKEY=$(S online-endpoint get-credentials -n mir -o tsv --query primaryKey)
p99_open() {
  for _ in $(seq 1 "$REPS"); do
    S loadtest --url http://127.0.0.1:18110/endpoints/mir/score --key "$MKEY" --body-file "$work/body.json" \
      --rate 2000 --concurrency 64 --duration "${DUR}s" --warmup 2s --quiet --report "$work/mir" >/dev/null || true
    /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["latency_ms"]["p99"])' "$work/mir.json"
  done | /usr/bin/python3 -c 'import sys,statistics; print("%.3f" % statistics.median(float(l) for l in sys.stdin))'
}
R[mir_off]=$(p99_open)
S online-endpoint update -n mir --mirror-traffic "ghost=50" -o none
R[mir_on]=$(p99_open)
log "    p99 off ${R[mir_off]} ms, on ${R[mir_on]} ms"

log "writing docs/benchmarks.md and loadtest/results/latest.json"
export BENCH_CMD="loadtest/bench.sh (BENCH_DURATION=$DUR BENCH_REPS=$REPS BENCH_CONCURRENCY=$CONC)"
for k in "${!R[@]}"; do echo "$k ${R[$k]}"; done | /usr/bin/python3 loadtest/bench_report.py
