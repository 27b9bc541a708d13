#!/usr/bin/env bash
# The scale harness (issue 27, docs/capacity.md): for each cluster size a fresh cluster of real nodes in a few JVMs,
# measured, then killed. Writes loadtest/results/scale-latest.json and prints a table.
#   loadtest/scale-sim.sh [--members 3,10,30] [--endpoints 10] [--deployments 2] [--instances 5] [--jvms 4] ...
#   loadtest/scale-sim.sh --help          (every option)
# Builds what it needs (Maven, offline when it can). Loopback only; stops by itself.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source loadtest/jvm-flags.sh
if [ ! -f verticles/target/sluice.jar ] || [ ! -d loadtest/scale/target/classes ]; then
  mvn -B -q install -DskipTests -pl loadtest/scale -am
fi
work=$(mktemp -d /tmp/sluice-scale.XXXXXX)
trap 'pkill -f "io.sluice.scale.ScaleMembers scale-[^ ]* $work/" 2>/dev/null || true' EXIT
echo "scale-sim: scratch folder $work (homes and member logs)" >&2
java "${JFLAGS[@]}" -Xmx2g -cp verticles/target/sluice.jar:loadtest/scale/target/classes \
  io.sluice.scale.ScaleSim --work "$work" "$@"
