#!/usr/bin/env bash
# What a streamed answer's first byte costs over the script's own: a Python deployment whose run() yields its
# first item at once, asked over server-sent events; per request, the client's time to the first line of the body
# less the script's own time to its first item (the answer's x-ms-run-fn-exec-ms). Beside it, the same for whole answers of the same script (the platform's per-request cost
# the stream is held against). One node, sequential requests, alternated (stream, whole).
#   loadtest/stream-bench.sh    (STREAM_REQUESTS=400 of each; prints "key values..." lines)
# Keys: stream_ttfb_overhead_ms / whole_overhead_ms: "p50 p90 p99" in ms. The client keeps its connection (as a
# streaming client does) and times the first line of each body, so its own cost is in both figures.
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
echo "stream-bench: warming up, then $N streamed and $N whole answers, alternated" >&2
/usr/bin/python3 - "$KEY" "$N" <<'PY'
import http.client, sys, time
key, n = sys.argv[1], int(sys.argv[2])
conn = http.client.HTTPConnection("127.0.0.1", 18190)
def one(stream):
    """(ms from sending the request to the first line of the answer's body, the script's own ms to its first item)"""
    body = b"{}" if stream else b'{"whole": true}'
    headers = {"Authorization": "Bearer " + key, "Content-Type": "application/json",
               "Accept": "text/event-stream" if stream else "application/json"}
    t0 = time.perf_counter()
    conn.request("POST", "/endpoints/sbench/score", body, headers)
    r = conn.getresponse()
    r.readline()
    first = (time.perf_counter() - t0) * 1000.0
    r.read()
    if r.status != 200 or (r.getheader("content-type") == "text/event-stream") != stream:
        sys.exit("stream-bench: a %s answer came %d %s" % ("streamed" if stream else "whole", r.status,
                                                          r.getheader("content-type")))
    return first, float(r.getheader("x-ms-run-fn-exec-ms"))
for _ in range(200):
    one(True), one(False)
over = {True: [], False: []}
for _ in range(n):
    for stream in (True, False):
        c, own = one(stream)
        over[stream].append(c - own)
def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))]
for key, stream in (("stream_ttfb_overhead_ms", True), ("whole_overhead_ms", False)):
    print(key, " ".join("%.3f" % pct(over[stream], q) for q in (0.5, 0.9, 0.99)))
PY
