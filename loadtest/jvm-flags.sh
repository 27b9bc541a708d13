# The JVM flags a benchmark's node runs with (what bin/sluice gives it: Hazelcast's and Vert.x's module access, IPv4).
# Sourced by the loadtest scripts: "${JFLAGS[@]}".
JFLAGS=(--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED -Djava.net.preferIPv4Stack=true)

# bench_node PORT CLUSTER [node args...]: one node on loopback with its home under $work (the caller's temporary
# folder), its log $work/node.log; waits for /healthz, adds its pid to the caller's "pids" array and sets SLUICE_HOME
# and SLUICE_URL for bin/sluice.
bench_node() {
  local port=$1 cluster=$2
  shift 2
  export SLUICE_HOME="$work/home" SLUICE_URL="http://127.0.0.1:$port"
  java "${JFLAGS[@]}" -Xmx1g -jar "$here/verticles/target/sluice.jar" node --http-port "$port" \
    --cluster-name "$cluster" "$@" > "$work/node.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 240); do curl -sf "$SLUICE_URL/healthz" >/dev/null 2>&1 && break; sleep 0.25; done
}
