# The JVM flags a benchmark's node runs with (what bin/sluice gives it: Hazelcast's and Vert.x's module access, IPv4).
# Sourced by the loadtest scripts: "${JFLAGS[@]}".
JFLAGS=(--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED -Djava.net.preferIPv4Stack=true)
