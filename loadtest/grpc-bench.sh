#!/usr/bin/env bash
# What the Open Inference Protocol's gRPC door costs against Azure's route: one node with --grpc-port, a Java
# deployment that answers a constant inference response (the built-in ConstantScorer, so the doors' own work is what
# differs), KServe's iris request as ModelInfer over gRPC and as JSON at POST /endpoints/<e>/score, both driven by
# h2load over HTTP/2 with the same connections and streams; alternated runs (ABBA), per-pair ratios, medians.
#   loadtest/grpc-bench.sh   (GRPC_PAIRS=6, GRPC_DURATION=4 s per run, GRPC_CONNECTIONS=4, GRPC_STREAMS=16)
# Keys: oip_grpc / azure_h2: "rps mean_ms"; oip_grpc_vs: the median of the per-pair rps ratios (gRPC over Azure's)
# and of the mean-latency ratios; oip_grpc_ratio_quartiles: the rps ratios' first and third quartile.
# Every load targets 127.0.0.1 only, and every run is bounded in time.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
PAIRS="${GRPC_PAIRS:-6}"; DUR="${GRPC_DURATION:-4}"; CONNS="${GRPC_CONNECTIONS:-4}"; STREAMS="${GRPC_STREAMS:-16}"
if ! command -v h2load >/dev/null || ! /usr/bin/python3 -c 'import google.protobuf' 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client python3-protobuf >&2
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
once() { # side duration -> "rps mean_ms"; a run with any request not succeeded fails
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
echo "grpc-bench: warming up both, then $PAIRS pairs" >&2
# the gRPC path runs at a third of its speed for its first 10-15 s (JIT): both sides are warmed for 15 s
once grpc 15 > /dev/null; once rest 15 > /dev/null
: > "$work/a"; : > "$work/b"
for i in $(seq 1 "$PAIRS"); do
  if [ $((i % 2)) = 1 ]; then once grpc "$DUR" >> "$work/a"; once rest "$DUR" >> "$work/b"
  else once rest "$DUR" >> "$work/b"; once grpc "$DUR" >> "$work/a"; fi
  echo "grpc-bench: pair $i: grpc $(tail -1 "$work/a"); azure $(tail -1 "$work/b")" >&2
done
# gRPC answers HTTP 200 whatever happened: every answer the node gave must have been a 200
bad=$(curl -s http://127.0.0.1:18200/metrics | awk '/^sluice_requests_total\{/ && /endpoint="gbench"/ && !/status="200"/ {n += $NF} END {print n + 0}')
[ "$bad" = 0 ] || { echo "grpc-bench: $bad answers were not 200" >&2; exit 1; }
/usr/bin/python3 - "$work/a" "$work/b" <<'PY'
import statistics, sys
a = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
b = [list(map(float, l.split())) for l in open(sys.argv[2]) if l.strip()]
med = lambda rows: " ".join("%.3f" % statistics.median(c) for c in zip(*rows))
print("oip_grpc", med(a))
print("azure_h2", med(b))
ratios = sorted(x[0] / y[0] for x, y in zip(a, b))
print("oip_grpc_vs", "%.3f" % statistics.median(ratios), "%.3f" % statistics.median(x[1] / y[1] for x, y in zip(a, b)))
q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
print("oip_grpc_ratio_quartiles", "%.3f %.3f" % (q[0], q[2]))
PY
