#!/usr/bin/env bash
# What the Open Inference Protocol's gRPC door costs against Azure's route: one node with --grpc-port, a Java
# deployment that answers a constant inference response (the built-in ConstantScorer, so the doors' own work is what
# differs), KServe's iris request as ModelInfer over gRPC and as JSON at POST /endpoints/<e>/score. Three sides, each
# as its clients call it: gRPC by h2load (HTTP/2); Azure's route over HTTP/1.1 by wrk -t1 -c64, as oip-bench.sh
# measures it (the baseline of oip_grpc_ratio); Azure's route over HTTP/2 by h2load (oip_grpc_h2_ratio). Rotated
# runs (the order reverses every pair), per-pair ratios, medians.
#   loadtest/grpc-bench.sh   (GRPC_PAIRS=6, GRPC_DURATION=4 s per run, GRPC_CONNECTIONS=4, GRPC_STREAMS=16, wrk -c64)
# Keys: oip_grpc / azure_h1 / azure_h2: "rps mean_ms"; oip_grpc_vs: the median of the per-pair rps ratios (gRPC over
# Azure's route over HTTP/1.1) and of the mean-latency ratios; oip_grpc_ratio_quartiles: the rps ratios' first and
# third quartile; oip_grpc_h2_vs and oip_grpc_h2_ratio_quartiles: the same against Azure's route over HTTP/2.
# Every load targets 127.0.0.1 only, and every run is bounded in time.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
PAIRS="${GRPC_PAIRS:-6}"; DUR="${GRPC_DURATION:-4}"; CONNS="${GRPC_CONNECTIONS:-4}"; STREAMS="${GRPC_STREAMS:-16}"
if ! command -v h2load >/dev/null || ! command -v wrk >/dev/null \
    || ! /usr/bin/python3 -c 'import google.protobuf' 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client wrk python3-protobuf >&2
fi
desc=verticles/target/generated-resources/protobuf/descriptor-sets/grpc_predict_v2.desc
{ [ -f verticles/target/sluice.jar ] && [ -f "$desc" ]; } || mvn -B -q -DskipTests package >&2
work="$(mktemp -d /tmp/sluice-grpcbench.XXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
source "$here/loadtest/jvm-flags.sh"
bench_node 18200 "grpcbench-$$" --grpc-port 18201
S() { "$here/bin/sluice" "$@"; }
S online-endpoint create -n gbench -o none
cat > "$work/constant.yml" <<YML
name: constant
endpoint_name: gbench
code_configuration: {code: $here/examples/java-echo/code, scoring_script: io.sluice.scorer.examples.ConstantScorer}
environment: {image: sluice/java}
environment_variables:
  SLUICE_CONSTANT: '{"model_name": "gbench", "outputs": [{"name": "output-0", "datatype": "FP32", "shape": [2], "data": [15.8, 15.5]}]}'
instance_type: Standard_DS3_v2
instance_count: 1
request_settings: {max_concurrent_requests_per_instance: 64}
YML
S online-deployment create -f "$work/constant.yml" --all-traffic -o none
KEY=$(S online-endpoint get-credentials -n gbench -o tsv --query primaryKey)
# the same iris request both ways: JSON for Azure's route, a length-prefixed ModelInferRequest for gRPC
printf '%s' '{"id": "1", "inputs": [{"name": "input-0", "shape": [2, 4], "datatype": "FP32", "data": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}]}' > "$work/body.json"
/usr/bin/python3 - "$desc" "$work/body.grpc" <<'PY'
import struct, sys
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
pool = descriptor_pool.DescriptorPool()
for f in descriptor_pb2.FileDescriptorSet.FromString(open(sys.argv[1], "rb").read()).file:
    pool.Add(f)
Req = message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName("inference.ModelInferRequest"))
r = Req(model_name="gbench", id="1")
t = r.inputs.add(name="input-0", datatype="FP32", shape=[2, 4])
t.contents.fp32_contents.extend([6.8, 2.8, 4.8, 1.4, 6.0, 3.4, 4.5, 1.6])
b = r.SerializeToString()
open(sys.argv[2], "wb").write(b"\0" + struct.pack(">I", len(b)) + b)
PY
GRPC_URI=http://127.0.0.1:18201/inference.GRPCInferenceService/ModelInfer
REST_URI=http://127.0.0.1:18200/endpoints/gbench/score
# one call each way first: gRPC answers HTTP 200 whatever happened, so its status (a trailer) is read here
status=$(curl -s --http2-prior-knowledge -o /dev/null -D - -H "content-type: application/grpc" -H "te: trailers" \
  -H "authorization: Bearer $KEY" --data-binary @"$work/body.grpc" "$GRPC_URI" | tr -d '\r' \
  | awk -F': ' 'tolower($1)=="grpc-status" {print $2}')
[ "$status" = 0 ] || { echo "grpc-bench: ModelInfer answered grpc-status '$status'" >&2; exit 1; }
rest=$(curl -s --http2-prior-knowledge -o /dev/null -w '%{http_code} %{http_version}' -H "authorization: Bearer $KEY" \
  -H "content-type: application/json" --data-binary @"$work/body.json" "$REST_URI")
[ "$rest" = "200 2" ] || { echo "grpc-bench: Azure's route over h2c answered '$rest'" >&2; exit 1; }
{ echo 'wrk.method = "POST"'; echo "wrk.body = '$(cat "$work/body.json")'"
  echo 'wrk.headers["Content-Type"] = "application/json"'; echo "wrk.headers[\"Authorization\"] = \"Bearer $KEY\""
} > "$work/req.lua"
once() { # side duration -> "rps mean_ms"; a run with any request not succeeded fails
  if [ "$1" = h1 ]; then
    wrk -t1 -c64 -d"$2s" -s "$work/req.lua" "$REST_URI" | awk '
      function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
      /Requests\/sec/ { rps=$2 } $1=="Latency" { mean=ms($2) } /Non-2xx|Socket errors/ { bad=1 }
      END { if (bad || rps == 0) { print "grpc-bench: wrk saw errors or answers not 2xx" > "/dev/stderr"; exit 1 }
            printf "%s %s\n", rps, mean }'
    return
  fi
  local args=(-c "$CONNS" -m "$STREAMS" -D "$2" -H "authorization: Bearer $KEY")
  if [ "$1" = grpc ]; then
    args+=(-d "$work/body.grpc" -H "content-type: application/grpc" -H "te: trailers" "$GRPC_URI")
  else
    args+=(-d "$work/body.json" -H "content-type: application/json" "$REST_URI")
  fi
  h2load "${args[@]}" | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /^finished in/ { rps=$4 } /^requests:/ { total=$2; ok=$8 } /^time for request:/ { mean=ms($6) }
    /^status codes:/ { bad=$7+$9 }
    END { if (ok != total || bad > 0 || total == 0) { print "grpc-bench: " total - ok + bad " of " total " requests failed" > "/dev/stderr"; exit 1 }
          printf "%s %s\n", rps, mean }'
}
echo "grpc-bench: warming up the three sides, then $PAIRS rounds" >&2
# the gRPC path runs at a third of its speed for its first 10-15 s (JIT): every side is warmed for 15 s
once grpc 15 > /dev/null; once h2 15 > /dev/null; once h1 15 > /dev/null
: > "$work/grpc"; : > "$work/h2"; : > "$work/h1"
for i in $(seq 1 "$PAIRS"); do
  if [ $((i % 2)) = 1 ]; then order="grpc h2 h1"; else order="h1 h2 grpc"; fi
  for side in $order; do once "$side" "$DUR" >> "$work/$side"; done
  echo "grpc-bench: round $i: grpc $(tail -1 "$work/grpc"); azure h1 $(tail -1 "$work/h1"); azure h2 $(tail -1 "$work/h2")" >&2
done
# gRPC answers HTTP 200 whatever happened: every answer the node gave must have been a 200
bad=$(curl -s http://127.0.0.1:18200/metrics | awk '/^sluice_requests_total\{/ && /endpoint="gbench"/ && !/status="200"/ {n += $NF} END {print n + 0}')
[ "$bad" = 0 ] || { echo "grpc-bench: $bad answers were not 200" >&2; exit 1; }
/usr/bin/python3 - "$work/grpc" "$work/h1" "$work/h2" <<'PY'
import statistics, sys
rows = [[list(map(float, l.split())) for l in open(f) if l.strip()] for f in sys.argv[1:]]
med = lambda rs: " ".join("%.3f" % statistics.median(c) for c in zip(*rs))
for name, rs in zip(("oip_grpc", "azure_h1", "azure_h2"), rows):
    print(name, med(rs))
for key, base in (("oip_grpc", rows[1]), ("oip_grpc_h2", rows[2])):
    ratios = sorted(x[0] / y[0] for x, y in zip(rows[0], base))
    print(key + "_vs", "%.3f" % statistics.median(ratios), "%.3f" % statistics.median(x[1] / y[1] for x, y in zip(rows[0], base)))
    q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
    print(key + "_ratio_quartiles", "%.3f %.3f" % (q[0], q[2]))
PY
