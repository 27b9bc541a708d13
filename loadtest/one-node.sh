# Sourced by the single-node benchmarks: starts one node on loopback with an empty home under $work and waits for it.
#   one_node PORT CLUSTER   (sets SLUICE_HOME, SLUICE_URL and pid; the node's log is $work/node.log)
# The caller sets `work` and kills "$pid" on exit.
one_node() {
  export SLUICE_HOME="$work/home" SLUICE_URL="http://127.0.0.1:$1"
  java --add-modules java.se --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED \
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED -Xmx1g -jar verticles/target/sluice.jar node --http-port "$1" \
    --cluster-name "$2" > "$work/node.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 240); do curl -sf "$SLUICE_URL/healthz" >/dev/null 2>&1 && break; sleep 0.25; done
}
