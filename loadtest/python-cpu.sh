#!/usr/bin/env bash
# The JVM side of a Python request, in CPU: one node, Azure's sample sklearn model and score.py (1 worker),
# wrk -t1 -c2 after a warm-up; the node process's CPU (user + system, /proc/<pid>/stat) over a loaded run, minus what
# it spends idle over as long, divided by the requests answered. The Python process's CPU is reported beside it.
#   loadtest/python-cpu.sh            (CPU_DURATION=10, CPU_WARMUP=20, CPU_CONNECTIONS=2 to change the runs;
#                                      CPU_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/x.jfr" to profile;
#                                      CPU_NODE_CONFIG=node.yaml to start the node with a config file)
# Every load targets 127.0.0.1 only, and every run is bounded in time.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
DUR="${CPU_DURATION:-10}"; WARM="${CPU_WARMUP:-20}"; CONN="${CPU_CONNECTIONS:-2}"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2; }
scripts/setup.sh >&2
[ -f verticles/target/sluice.jar ] || mvn -B -q -DskipTests package
/usr/bin/python3 examples/train_models.py 2>/dev/null >&2
JAR="$here/verticles/target/sluice.jar"
work="$(mktemp -d /tmp/sluice-cpu.XXXX)"
node_pid=""
cleanup() { [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT
export SLUICE_HOME="$work/home"
log() { echo "cpu: $*" >&2; }
source "$here/loadtest/jvm-flags.sh"
java "${JFLAGS[@]}" -Xmx1g ${CPU_JAVA_OPTS:-} \
  -jar "$JAR" node --http-port 18310 --cluster-name "cpu-$$" ${CPU_NODE_CONFIG:+--config "$CPU_NODE_CONFIG"} \
  > "$work/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 1 240); do curl -sf http://127.0.0.1:18310/healthz >/dev/null 2>&1 && break; sleep 0.25; done
S() { "$here/bin/sluice" "$@"; }
export SLUICE_URL=http://127.0.0.1:18310
S online-endpoint create -n cpu -o none
S online-deployment create -f examples/cli/endpoints/online/managed/sample/blue-deployment.yml -e cpu -n blue \
  --all-traffic -o none
KEY=$(S online-endpoint get-credentials -n cpu -o tsv --query primaryKey)
{ echo 'wrk.method = "POST"'; echo "wrk.body = '{\"data\": [[1,2,3,4,5,6,7,8,9,10], [10,9,8,7,6,5,4,3,2,1]]}'"
  echo 'wrk.headers["Content-Type"] = "application/json"'; echo "wrk.headers[\"Authorization\"] = \"Bearer $KEY\""
} > "$work/req.lua"
URI=http://127.0.0.1:18310/endpoints/cpu/score
py_pid() { pgrep -f "sluice_runner.py" | head -1; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime, in clock ticks
threads() { # "name ticks" of each of the node's threads (names without spaces)
  for t in /proc/"$node_pid"/task/*; do
    echo "$(tr ' ' '_' < "$t/comm" 2>/dev/null) $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null)"
  done 2>/dev/null | awk 'NF == 2'
}
HZ=$(getconf CLK_TCK)
log "warming up ${WARM} s"
wrk -t1 -c"$CONN" -d"${WARM}s" -s "$work/req.lua" "$URI" > /dev/null
log "idle ${DUR} s"
a=$(ticks "$node_pid"); sleep "$DUR"; b=$(ticks "$node_pid"); idle=$((b - a))
log "loaded ${DUR} s (wrk -t1 -c${CONN})"
pp=$(py_pid); pa=$(ticks "$pp"); threads > "$work/t0"; a=$(ticks "$node_pid")
out=$(wrk -t1 -c"$CONN" -d"${DUR}s" -s "$work/req.lua" "$URI")
b=$(ticks "$node_pid"); threads > "$work/t1"; pb=$(ticks "$pp")
n=$(echo "$out" | awk '/requests in/ {print $1}')
rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
/usr/bin/python3 - "$((b - a))" "$idle" "$((pb - pa))" "$n" "$rps" "$HZ" "$work/t0" "$work/t1" <<'PY'
import collections, json, sys
loaded, idle, py, n, rps, hz = (float(x) for x in sys.argv[1:7])
def read(f):
    c = collections.Counter()
    for line in open(f):
        name, t = line.split()
        c[name.rstrip("0123456789-")] += int(t)  # threads of one role summed (python-worker-0, -1, ...)
    return c
t0, t1 = read(sys.argv[7]), read(sys.argv[8])
per = {k: round((t1[k] - t0.get(k, 0)) / hz / n * 1e6, 1) for k in t1 if t1[k] - t0.get(k, 0) > 0}
print(json.dumps({"requests": int(n), "rps": rps,
                  "jvm_cpu_us_per_request": round((loaded - idle) / hz / n * 1e6, 1),
                  "jvm_idle_cpu_s": round(idle / hz, 2), "python_cpu_us_per_request": round(py / hz / n * 1e6, 1),
                  "by_thread_us_per_request": dict(sorted(per.items(), key=lambda kv: -kv[1])[:10])}))
PY
