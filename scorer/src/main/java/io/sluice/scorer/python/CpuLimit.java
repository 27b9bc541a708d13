package io.sluice.scorer.python;

import io.sluice.scorer.ScorerSpec;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * {@code resources.limits.cpu} for one instance: a cgroup of its own that every worker process (spares too) joins,
 * with a CFS quota of the limit per 100 ms period, as Kubernetes gives a pod. Needs a writable cpu controller (cgroup
 * v2 with cpu delegated to this process's cgroup, or a cgroup v1 cpu hierarchy: root, or a systemd unit with
 * {@code Delegate=yes}); without one the limit is not enforced and the instance log says why (docs/operations.md).
 * The cgroups live under {@code sluice-<node pid>} in the node's own cgroup; those of nodes that are gone are removed.
 */
final class CpuLimit implements AutoCloseable {
  static final long PERIOD_US = 100_000;
  private static final Object SWEEP = new Object();
  private static boolean swept;

  private final Path dir;
  private final ScorerSpec.LogSink log;
  private boolean joinFailed;

  private CpuLimit(Path dir, ScorerSpec.LogSink log) {
    this.dir = dir;
    this.log = log;
  }

  /** No limit, or none that can be enforced: joining does nothing. */
  static final CpuLimit NONE = new CpuLimit(null, l -> { });

  /** The cgroup for a limit of {@code cpuMillis} thousandths of a core (0: no limit), or {@link #NONE}. */
  static CpuLimit open(long cpuMillis, ScorerSpec.LogSink log) {
    if (cpuMillis <= 0) {
      return NONE;
    }
    String limit = "resources.limits.cpu " + cpuMillis + "m";
    CgroupLayout layout = CgroupLayout.of(lines("/proc/self/mountinfo"), lines("/proc/self/cgroup"), CpuLimit::read);
    if (layout.version() == 0) {
      log.line("sluice: cpu limit: " + limit + " is not enforced: " + layout.why());
      return NONE;
    }
    long quota = Math.max(1000, cpuMillis * PERIOD_US / 1000);
    try {
      sweep(layout.dir());
      Path node = layout.dir().resolve("sluice-" + ProcessHandle.current().pid());
      Path dir = node.resolve("i-" + UUID.randomUUID().toString().substring(0, 8));
      if (layout.version() == 2) {
        enableCpu(layout.dir());
        Files.createDirectories(node);
        enableCpu(node);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cpu.max"), quota + " " + PERIOD_US);
      } else {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cpu.cfs_period_us"), String.valueOf(PERIOD_US));
        Files.writeString(dir.resolve("cpu.cfs_quota_us"), String.valueOf(quota));
      }
      log.line("sluice: cpu limit: " + limit + " enforced by a cgroup v" + layout.version() + " quota of " + quota
          + " us per " + PERIOD_US + " us (" + dir + ")");
      return new CpuLimit(dir, log);
    } catch (IOException | RuntimeException e) {
      log.line("sluice: cpu limit: " + limit + " is not enforced: cannot set up a cgroup in " + layout.dir() + ": "
          + e);
      return NONE;
    }
  }

  /** Puts a worker process (and the processes it starts later) under the quota. */
  void join(long pid) {
    if (dir == null) {
      return;
    }
    try {
      Files.writeString(dir.resolve("cgroup.procs"), String.valueOf(pid));
    } catch (IOException e) {
      if (!joinFailed) {
        joinFailed = true;
        log.line("sluice: cpu limit: worker process " + pid + " could not join " + dir + ": " + e);
      }
    }
  }

  /**
   * Removes the cgroup once its processes are gone (the kernel refuses to remove one with processes: killed ones may
   * take a moment to exit, so it tries for up to a second; past that the sweep of a later node start removes it).
   */
  @Override
  public void close() {
    for (int i = 0; dir != null && i < 20; i++) {
      try {
        Files.deleteIfExists(dir);
        return;
      } catch (IOException e) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException stop) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** v2: the cpu controller must be enabled for the children of a cgroup before they have a cpu.max. */
  private static void enableCpu(Path cgroup) throws IOException {
    String enabled = read(cgroup.resolve("cgroup.subtree_control"));
    if (enabled == null || !List.of(enabled.trim().split("\\s+")).contains("cpu")) {
      Files.writeString(cgroup.resolve("cgroup.subtree_control"), "+cpu");
    }
  }

  /** Once per JVM: removes the cgroups of nodes whose process is gone (empty ones only; the kernel refuses others). */
  private static void sweep(Path parent) {
    synchronized (SWEEP) {
      if (swept) {
        return;
      }
      swept = true;
    }
    try (DirectoryStream<Path> nodes = Files.newDirectoryStream(parent, "sluice-*")) {
      for (Path node : nodes) {
        long pid = Long.parseLong(node.getFileName().toString().substring("sluice-".length()));
        if (ProcessHandle.of(pid).isEmpty()) {
          try (DirectoryStream<Path> instances = Files.newDirectoryStream(node, "i-*")) {
            for (Path i : instances) {
              Files.deleteIfExists(i);
            }
          }
          Files.deleteIfExists(node);
        }
      }
    } catch (IOException | RuntimeException e) {
      // best effort: a stale empty cgroup costs nothing
    }
  }

  private static List<String> lines(String file) {
    try {
      return Files.readAllLines(Path.of(file));
    } catch (IOException e) {
      return List.of();
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return null;
    }
  }
}
