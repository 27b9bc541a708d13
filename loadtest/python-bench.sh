#!/usr/bin/env bash
# score.py through Sluice against the same score.py the way Azure's inference server serves it (Flask behind
# gunicorn), and batching; alternated runs (Sluice, then gunicorn, PY_PAIRS times), ratios per pair, medians.
#   loadtest/python-bench.sh     (PY_PAIRS=5, PY_DURATION=8 s per run, PY_WARMUP=20 s; prints "key values..." lines)
# Keys: py / gunicorn (1 worker each, wrk -t1 -c2), py2 / gunicorn2 (2 workers, -c4): "rps p50_ms p99_ms" medians;
# pyvg, pyvg2: medians of the per-pair rps ratios and p99 ratios; batch1 / batch32: examples/batching with
# max_batch_size 1 and 32, 1 worker, wrk -c32: "answered_2xx_per_s p50_ms p99_ms share_refused"; batch_speedup:
# median of the per-pair ratios of 2xx per second and of p99; pyloop / pyloop_logged: run() in a loop in one
# process without and with its log lines. Every load targets 127.0.0.1 only, and every run is bounded in time.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
PAIRS="${PY_PAIRS:-5}"; DUR="${PY_DURATION:-8}"; WARM="${PY_WARMUP:-20}"
if ! command -v wrk >/dev/null || ! command -v gunicorn >/dev/null || ! /usr/bin/python3 -c 'import flask' 2>/dev/null
then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk gunicorn python3-flask >&2
fi
scripts/setup.sh >&2
[ -f verticles/target/sluice.jar ] || mvn -B -q -DskipTests package >&2
/usr/bin/python3 examples/train_models.py >/dev/null 2>&1
JAR="$here/verticles/target/sluice.jar"
work="$(mktemp -d /tmp/sluice-pybench.XXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
export SLUICE_HOME="$work/home"
log() { echo "python-bench: $*" >&2; }
source "$here/loadtest/jvm-flags.sh"
java "${JFLAGS[@]}" -Xmx1g \
  -jar "$JAR" node --http-port 18160 --cluster-name "pybench-$$" > "$work/node.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 240); do curl -sf http://127.0.0.1:18160/healthz >/dev/null 2>&1 && break; sleep 0.25; done
S() { "$here/bin/sluice" "$@"; }
export SLUICE_URL=http://127.0.0.1:18160
BODY='{"data": [[1,2,3,4,5,6,7,8,9,10], [10,9,8,7,6,5,4,3,2,1]]}'
SAMPLE=examples/cli/endpoints/online/managed/sample/blue-deployment.yml
S online-endpoint create -n pyb -o none
S online-deployment create -f "$SAMPLE" -e pyb -n one --all-traffic -o none
S online-deployment create -f "$SAMPLE" -e pyb -n two --set request_settings.max_concurrent_requests_per_instance=2 \
  -o none
S online-deployment create -f examples/batching/batch-deployment.yml -e pyb -n batch32 -o none
S online-deployment create -f examples/batching/batch-deployment.yml -e pyb -n batch1 \
  --set request_settings.max_batch_size=1 -o none
KEY=$(S online-endpoint get-credentials -n pyb -o tsv --query primaryKey)
lua() { # file [deployment]
  { echo 'wrk.method = "POST"'; echo "wrk.body = '$BODY'"; echo 'wrk.headers["Content-Type"] = "application/json"'
    echo "wrk.headers[\"Authorization\"] = \"Bearer $KEY\""
    if [ -n "${2:-}" ]; then echo "wrk.headers[\"azureml-model-deployment\"] = \"$2\""; fi; } > "$1"
}
for d in one two batch1 batch32; do lua "$work/$d.lua" "$d"; done
lua "$work/plain.lua"
URI=http://127.0.0.1:18160/endpoints/pyb/score
gunicorn_start() { # port workers
  (cd examples/cli/endpoints/online/model-1 && SCORE_PY="$PWD/onlinescoring/score.py" AZUREML_MODEL_DIR="$PWD" \
    exec gunicorn -w "$2" -b "127.0.0.1:$1" --chdir "$here/loadtest/anchor" gunicorn_app:app \
    > "$work/gunicorn-$1.log" 2>&1) &
  pids+=($!)
  for _ in $(seq 1 120); do curl -sf -X POST -H 'Content-Type: application/json' -d "$BODY" \
    "http://127.0.0.1:$1/score" >/dev/null 2>&1 && return 0; sleep 0.25; done
}
gunicorn_start 18161 1
gunicorn_start 18162 2
# one wrk run -> "answered_2xx_per_s p50_ms p99_ms share_refused"
wrk_once() { # url lua connections seconds
  wrk -t1 -c"$3" -d"$4s" --latency -s "$2" "$1" | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    function secs(v) { sub(/,$/, "", v); if (v ~ /ms$/) return v/1000; if (v ~ /m$/) return v*60; return v+0 }
    /requests in/ { n=$1; t=secs($4) } /Non-2xx/ { bad=$5 } $1=="50%" { p50=ms($2) } $1=="99%" { p99=ms($2) }
    END { printf "%.1f %s %s %.4f\n", (n-bad)/t, p50, p99, (n > 0 ? bad/n : 0) }'
}
# alternated pairs: a run of each side PAIRS times; then the medians of each side and of the per-pair ratios
pairs() { # name_a name_b command_a command_b  (each command prints "rps p50 p99 ...")
  : > "$work/$1.runs"; : > "$work/$2.runs"
  for i in $(seq 1 "$PAIRS"); do
    eval "$3" >> "$work/$1.runs"
    eval "$4" >> "$work/$2.runs"
    log "  pair $i: $1 $(tail -1 "$work/$1.runs"); $2 $(tail -1 "$work/$2.runs")"
  done
  /usr/bin/python3 - "$work/$1.runs" "$work/$2.runs" "$1" "$2" <<'PY'
import statistics, sys
a = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
b = [list(map(float, l.split())) for l in open(sys.argv[2]) if l.strip()]
med = lambda rows: " ".join("%.3f" % statistics.median(c) for c in zip(*rows))
print(sys.argv[3], med(a))
print(sys.argv[4], med(b))
print(sys.argv[3] + "_vs", "%.3f" % statistics.median(x[0] / y[0] for x, y in zip(a, b)),
      "%.3f" % statistics.median(x[2] / y[2] for x, y in zip(a, b)))
PY
}
warm() { wrk -t1 -c"$3" -d"$4s" -s "$2" "$1" > /dev/null; }

log "1 worker each, wrk -c2: warming up"
warm "$URI" "$work/one.lua" 2 "$WARM"; warm http://127.0.0.1:18161/score "$work/plain.lua" 2 5
pairs py gunicorn "wrk_once $URI $work/one.lua 2 $DUR" "wrk_once http://127.0.0.1:18161/score $work/plain.lua 2 $DUR" \
  | sed 's/^py_vs /pyvg /'
log "2 workers each, wrk -c4: warming up"
warm "$URI" "$work/two.lua" 4 10; warm http://127.0.0.1:18162/score "$work/plain.lua" 4 5
pairs py2 gunicorn2 "wrk_once $URI $work/two.lua 4 $DUR" "wrk_once http://127.0.0.1:18162/score $work/plain.lua 4 $DUR" \
  | sed 's/^py2_vs /pyvg2 /'
log "batching: max_batch_size 32 against 1, 1 worker, wrk -c32: warming up"
warm "$URI" "$work/batch32.lua" 32 10; warm "$URI" "$work/batch1.lua" 32 5
pairs batch32 batch1 "wrk_once $URI $work/batch32.lua 32 $DUR" "wrk_once $URI $work/batch1.lua 32 $DUR" \
  | sed 's/^batch32_vs /batch_speedup /'
pyloop() { # logging: off (the script's log lines dropped) or on (formatted as the instance log's, to /dev/null)
  (cd examples/cli/endpoints/online/model-1 && AZUREML_MODEL_DIR="$PWD" /usr/bin/python3 -c '
import sys, time, importlib.util, logging, os
if sys.argv[3] == "off":
    logging.disable(logging.CRITICAL)
else:
    h = logging.StreamHandler(open(os.devnull, "w"))
    h.setFormatter(logging.Formatter("%(asctime)s %(levelname).1s [%(process)d] %(name)s - %(message)s"))
    logging.basicConfig(level="INFO", handlers=[h], force=True)
spec = importlib.util.spec_from_file_location("score", "onlinescoring/score.py"); m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m); m.init()
body = sys.argv[1]
for _ in range(200): m.run(body)
n, t0 = 0, time.perf_counter()
while time.perf_counter() - t0 < float(sys.argv[2]):
    m.run(body); n += 1
print("%.3f" % (n / (time.perf_counter() - t0)))' "$BODY" "$DUR" "$1")
}
echo "pyloop $(pyloop off)"
echo "pyloop_logged $(pyloop on)"
