#!/usr/bin/env bash
# How fast capacity follows load: one node, a Python score.py whose run() takes 20 ms, one request per instance,
# target_utilization 70 % between 1 and 8 instances, scale_down_delay 20 s. Open loop (the project's load generator)
# at 20, then 150, then 20 requests a second. Prints the seconds from the step up to 5 Ready instances (what 150/s x
# 20 ms at 70 % needs), the answers refused meanwhile, and the failed requests while it scales back down.
# Loopback only, bounded in time (about 2.5 minutes).
#   loadtest/autoscale-bench.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
[ -f verticles/target/sluice.jar ] || mvn -B -q -DskipTests package
work="$(mktemp -d /tmp/sluice-asb.XXXX)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true' EXIT
. loadtest/one-node.sh
one_node 18610 "asb-$$"
S() { bin/sluice "$@"; }
mkdir -p "$work/d/code"
printf 'import time\ndef init():\n    pass\ndef run(raw_data):\n    time.sleep(0.02)\n    return raw_data\n' \
  > "$work/d/code/score.py"
cat > "$work/d/d.yml" <<'YAML'
name: auto
endpoint_name: asb-ep
code_configuration: {code: code, scoring_script: score.py}
environment: {image: any}
instance_type: Standard_DS3_v2
request_settings: {max_concurrent_requests_per_instance: 1, max_queue_wait_ms: 3000}
scale_settings: {type: target_utilization, min_instances: 1, max_instances: 8, polling_interval: 1,
                 target_utilization_percentage: 70, scale_down_delay: 20}
YAML
S online-endpoint create -n asb-ep -o none
S online-deployment create -f "$work/d/d.yml" --all-traffic -o none
KEY=$(S online-endpoint get-credentials -n asb-ep -o tsv --query primaryKey)
echo '{"x": 1}' > "$work/body.json"
load() { # rate seconds report
  S loadtest --url "$SLUICE_URL/endpoints/asb-ep/score" --key "$KEY" --body-file "$work/body.json" \
    --concurrency 64 --rate "$1" --duration "$2s" --quiet --report "$work/$3" > /dev/null || true  # (429s: exit 1)
}
ready() { S online-deployment show -n auto -e asb-ep -o json | python3 -c \
  'import json,sys; print(sum(1 for i in json.load(sys.stdin)["instances"] if i["state"] == "Ready"))'; }
field() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# runs one load step in the background; prints the seconds until the Ready count first met the test (empty: never)
step_until() { # RATE SECONDS NAME TEST...
  local rate=$1 secs=$2 name=$3 start at=""
  shift 3
  start=$(date +%s.%N)
  load "$rate" "$secs" "$name" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    if [ -z "$at" ] && [ "$(ready)" "$@" ]; then at=$(python3 -c "print(round($(date +%s.%N) - $start, 1))"); fi
    sleep 0.5
  done
  wait "$pid"
  echo "$at"
}

load 20 15 calm
up=$(step_until 150 40 busy -ge 5)
peak=$(ready)
down=$(step_until 20 70 after -le 2)
echo "| step | result |"
echo "|---|---|"
echo "| 20 req/s, 15 s | $(field "$work/calm.json" 'r["status"]') |"
echo "| 150 req/s, 40 s: seconds to 5 Ready instances | ${up:-not reached} (Ready at the end: $peak) |"
echo "| 150 req/s: answers by status | $(field "$work/busy.json" 'r["status"]') |"
echo "| back to 20 req/s, 70 s: failed requests | $(field "$work/after.json" 'r["failed"]') of $(field "$work/after.json" 'r["requests"]') |"
echo "| back to 20 req/s: seconds to 2 Ready instances or fewer | ${down:-not reached} |"
grep "autoscaling" "$work/node.log" | sed 's/^/    /' | head -20
