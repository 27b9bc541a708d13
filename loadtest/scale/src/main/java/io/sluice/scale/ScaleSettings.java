package io.sluice.scale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What one harness run is asked for: E endpoints of D deployments of I instances each, the member JVMs, the ports.
 * {@code partitions}: Hazelcast's partition count (0: its default, 271); {@code restSeconds}: how long CPU at rest is
 * measured.
 */
record ScaleSettings(int endpoints, int deployments, int instances, int trials, int jvms, int heapMb, int hzPort,
                     int httpPort, int partitions, int restSeconds) {

  /** {@code n} nodes over {@code jvms} JVMs, as evenly as they go (the first JVMs take the remainder). */
  static List<Integer> spread(int n, int jvms) {
    int k = Math.max(1, Math.min(jvms, n));
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      out.add(n / k + (i < n % k ? 1 : 0));
    }
    return out;
  }

  /**
   * The Hazelcast file for one run: Sluice's loopback settings (1 s heartbeat, 5 s to declare a member dead, no
   * join wait) on a port range of its own, so a run never meets another cluster of this machine. Joining needs one
   * live address: the first three members' are listed.
   */
  static Path writeHazelcast(Path dir, int port, int members, int partitions) throws IOException {
    StringBuilder y = new StringBuilder("""
        hazelcast:
          cluster-name: scale
          properties:
            hazelcast.logging.type: slf4j
            hazelcast.phone.home.enabled: false
            hazelcast.wait.seconds.before.join: 0
            hazelcast.heartbeat.interval.seconds: 1
            hazelcast.max.no.heartbeat.seconds: 5
        """);
    if (partitions > 0) {
      y.append("    hazelcast.partition.count: ").append(partitions).append('\n');
    }
    y.append("""
          network:
            port:
              auto-increment: true
              port-count: %d
              port: %d
            interfaces:
              enabled: true
              interfaces:
                - 127.0.0.1
            join:
              auto-detection:
                enabled: false
              multicast:
                enabled: false
              tcp-ip:
                enabled: true
                member-list:
        """.formatted(members + 20, port));
    for (int i = 0; i < Math.min(3, members); i++) {
      y.append("          - 127.0.0.1:").append(port + i).append('\n');
    }
    return Files.writeString(dir.resolve("hazelcast.yaml"), y.toString());
  }
}
