#!/usr/bin/env bash
# What a streamed answer's first byte costs over the script's own: a Python deployment whose run() yields its
# first item at once, asked over server-sent events; per request, the client's time to the first byte (curl's
# time_starttransfer, connection included) less the script's own time to its first item (the answer's
# x-ms-run-fn-exec-ms). Beside it, the same for whole answers of the same script (the platform's per-request cost
# the stream is held against). One node, sequential requests, alternated (stream, whole).
#   loadtest/stream-bench.sh    (STREAM_REQUESTS=400 of each; prints "key values..." lines)
# Keys: stream_ttfb_overhead_ms / whole_overhead_ms: "p50 p90 p99" in ms.
# Every request targets 127.0.0.1 only, and the run is bounded by its count.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
N="${STREAM_REQUESTS:-400}"
[ -f verticles/target/sluice.jar ] || mvn -B -q -DskipTests package >&2
work="$(mktemp -d /tmp/sluice-streambench.XXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
source "$here/loadtest/jvm-flags.sh"
bench_node 18190 "streambench-$$"
S() { "$here/bin/sluice" "$@"; }
mkdir -p "$work/d/code"
cat > "$work/d/code/score.py" <<'PY'
import json
def init():
    pass
def run(raw_data):
    items = [{"token": i} for i in range(8)]
    return items if json.loads(raw_data).get("whole") else iter(items)
PY
cat > "$work/d/d.yml" <<'YML'
name: gen
endpoint_name: sbench
code_configuration: {code: code, scoring_script: score.py}
environment: {image: any}
instance_type: Standard_DS3_v2
instance_count: 1
YML
S online-endpoint create -n sbench -o none
S online-deployment create -f "$work/d/d.yml" --all-traffic -o none
KEY=$(S online-endpoint get-credentials -n sbench -o tsv --query primaryKey)
one() { # $1: the body, $2: accept; prints "client_ms run_ms"
  curl -s -o /dev/null -D "$work/h" -w '%{time_starttransfer}' -H "Authorization: Bearer $KEY" \
    -H "Content-Type: application/json" -H "Accept: $2" -d "$1" http://127.0.0.1:18190/endpoints/sbench/score \
    > "$work/t"
  echo "$(awk '{printf "%.4f", $1 * 1000}' "$work/t") $(tr -d '\r' < "$work/h" | awk -F': ' 'tolower($1)=="x-ms-run-fn-exec-ms" {print $2}')"
}
echo "stream-bench: warming up, then $N streamed and $N whole answers, alternated" >&2
for _ in $(seq 1 100); do one '{}' text/event-stream > /dev/null; one '{"whole": true}' application/json > /dev/null; done
: > "$work/stream"; : > "$work/whole"
for _ in $(seq 1 "$N"); do
  one '{}' text/event-stream >> "$work/stream"
  one '{"whole": true}' application/json >> "$work/whole"
done
grep -q "text/event-stream" "$work/h" && { echo "stream-bench: the last whole answer came as a stream" >&2; exit 1; }
python3 - "$work/stream" "$work/whole" <<'PY'
import sys
def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))]
for key, path in (("stream_ttfb_overhead_ms", sys.argv[1]), ("whole_overhead_ms", sys.argv[2])):
    rows = [l.split() for l in open(path) if len(l.split()) == 2]
    over = [float(c) - float(r) for c, r in rows]
    if len(over) < 10:
        sys.exit("stream-bench: too few answers in %s" % path)
    print(key, " ".join("%.3f" % pct(over, q) for q in (0.5, 0.9, 0.99)))
PY
