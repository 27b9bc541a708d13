#!/usr/bin/env bash
# A/B of two builds in one run: the same-node and cross-node scoring paths of the current tree against another
# revision, both clusters up at once and their wrk runs alternated, so machine noise hits both alike.
#   loadtest/ab.sh REV        (AB_DURATION, AB_REPS, AB_CONCURRENCY, AB_WARMUP to change the runs)
#   AB_MIRROR=50 loadtest/ab.sh REV   the same node's path with P % mirrored to a second local deployment instead
#   AB_PYTHON=1 loadtest/ab.sh REV    the sample sklearn model through Python (1 worker, 2 connections) instead of
#                                     the cross-node path
#   AB_CONFIG_B=node.yaml loadtest/ab.sh HEAD   one build, cluster B's nodes started with that node config
# Every load targets 127.0.0.1 only, and every run is bounded in time.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
REV="${1:?usage: loadtest/ab.sh REV}"
DUR="${AB_DURATION:-8}"; REPS="${AB_REPS:-5}"; CONC="${AB_CONCURRENCY:-64}"; WARM="${AB_WARMUP:-10}"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2; }
work="$(mktemp -d /tmp/sluice-ab.XXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  git worktree remove --force "$work/old" 2>/dev/null || true
}
trap cleanup EXIT
log() { echo "ab: $*" >&2; }

log "building $REV and the working tree"
git worktree add -q --detach "$work/old" "$REV"
(cd "$work/old" && mvn -B -q -o -DskipTests package)
mvn -B -q -o -DskipTests package
cp "$work/old/verticles/target/sluice.jar" "$work/A.jar"
cp verticles/target/sluice.jar "$work/B.jar"

source "$here/loadtest/jvm-flags.sh"
wait_http() { for _ in $(seq 1 240); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.25; done; return 1; }
S() { java "${JFLAGS[@]}" -jar "$work/$AB.jar" "$@"; }
node() { # jar port types
  local conf=(); [ "$1" = B ] && [ -n "${AB_CONFIG_B:-}" ] && conf=(--config "$(readlink -f "$AB_CONFIG_B")")
  java "${JFLAGS[@]}" -Xmx1g -jar "$work/$1.jar" node --http-port "$2" --cluster-name "ab-$1-$$" \
    --home "$work/home-$1" --instance-types "$3" "${conf[@]}" > "$work/node-$1-$2.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$2/healthz"
}
declare -A KEY PORT=([A]=18310 [B]=18410)
for AB in A B; do
  log "starting cluster $AB"
  node "$AB" "${PORT[$AB]}" local
  node "$AB" $((PORT[$AB] + 1)) remote
  export SLUICE_HOME="$work/home-$AB" SLUICE_URL="http://127.0.0.1:${PORT[$AB]}"
  S online-endpoint create -n ab-ep -o none
  second="remote remote"; [ -n "${AB_MIRROR:-}" ] && second="remote local"
  for d in "echo local" "$second"; do
    set -- $d
    S online-deployment create -f examples/java-echo/echo-deployment.yml -e ab-ep -n "$1" \
      --set instance_type="$2" instance_count=1 request_settings.max_concurrent_requests_per_instance=64 -o none
  done
  if [ -n "${AB_PYTHON:-}" ]; then
    S online-deployment create -f examples/cli/endpoints/online/managed/sample/blue-deployment.yml -e ab-ep -n pyblue \
      --set instance_type=local -o none
  fi
  if [ -n "${AB_MIRROR:-}" ]; then
    S online-endpoint update -n ab-ep --traffic "echo=100" --mirror-traffic "remote=$AB_MIRROR" -o none
  fi
  KEY[$AB]=$(S online-endpoint get-credentials -n ab-ep -o tsv --query primaryKey)
done
second=remote; [ -n "${AB_PYTHON:-}" ] && second=pyblue
conns() { [ "$1" = pyblue ] && echo 2 || echo "$CONC"; } # Azure's admission limit for one worker is 2 in flight
for AB in A B; do for d in echo $second; do
  printf 'wrk.method = "POST"\nwrk.body = "{\\"data\\": [[1,2,3]]}"\nwrk.headers["Authorization"] = "Bearer %s"\n' \
    "${KEY[$AB]}" > "$work/$AB-$d.lua"
  # a pinned request is never mirrored: in mirror mode the "echo" runs go unpinned, through the split and mirror
  [ -n "${AB_MIRROR:-}" ] && [ "$d" = echo ] || printf 'wrk.headers["azureml-model-deployment"] = "%s"\n' "$d" \
    >> "$work/$AB-$d.lua"
  [ "$d" = pyblue ] && printf 'wrk.body = "{\\"data\\": [[1,2,3,4,5,6,7,8,9,10], [10,9,8,7,6,5,4,3,2,1]]}"\n' >> "$work/$AB-$d.lua"
  wrk -t1 -c"$(conns "$d")" -d"${WARM}s" -s "$work/$AB-$d.lua" "http://127.0.0.1:${PORT[$AB]}/endpoints/ab-ep/score" \
    > /dev/null
done; done
rps() { wrk -t1 -c"$(conns "$2")" -d"${DUR}s" --latency -s "$work/$1-$2.lua" "http://127.0.0.1:${PORT[$1]}/endpoints/ab-ep/score" \
  | awk 'function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
         /Requests\/sec/ { r=$2 } $1=="50%" { p=ms($2) } $1=="99%" { q=ms($2) } END { printf "%s %s %s\n", r, p, q }'; }
for i in $(seq 1 "$REPS"); do
  for d in echo $second; do for AB in A B; do
    echo "$AB $d $(rps $AB $d)" | tee -a "$work/runs" >&2
  done; done
done
/usr/bin/python3 - "$work/runs" "$REV" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
def med(ab, d, col): return statistics.median(float(r[col]) for r in rows if r[0] == ab and r[1] == d)
print("| path | %s req/s | working tree req/s | ratio | %s p50 ms | working tree p50 ms | %s p99 ms | working tree p99 ms |"
      % (sys.argv[2], sys.argv[2], sys.argv[2]))
print("|---|---:|---:|---:|---:|---:|---:|---:|")
import os
names = (("echo", "same node, %s%% mirrored" % os.environ["AB_MIRROR"]), ("remote", "pinned to the shadow")) \
    if os.environ.get("AB_MIRROR") else (("echo", "same node"), ("pyblue", "Python, 1 worker, 2 connections")) \
    if os.environ.get("AB_PYTHON") else (("echo", "same node"), ("remote", "cross node"))
for d, name in names:
    a, b = med("A", d, 2), med("B", d, 2)
    print("| %s | %.0f | %.0f | %.3f | %.3f | %.3f | %.3f | %.3f |" % (name, a, b, b / a, med("A", d, 3),
          med("B", d, 3), med("A", d, 4), med("B", d, 4)))
PY
