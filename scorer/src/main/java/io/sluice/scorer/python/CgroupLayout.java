package io.sluice.scorer.python;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Where this process's cpu controller lives, read from /proc/self/mountinfo and /proc/self/cgroup: a cgroup v2
 * directory (quota in {@code cpu.max}) or a cgroup v1 cpu hierarchy (quota in {@code cpu.cfs_quota_us}). Pure: the
 * two files' lines in, a directory out, so every layout is tested without the machine having it.
 *
 * @param version 2 or 1; 0 when there is no cpu controller to use ({@code why} says what is missing)
 * @param dir     this process's own cgroup directory in that hierarchy
 */
record CgroupLayout(int version, Path dir, String why) {

  static CgroupLayout none(String why) {
    return new CgroupLayout(0, null, why);
  }

  /**
   * {@code read} gives a file's content (null when unreadable): it is asked for the own v2 cgroup's
   * cgroup.controllers. v2 wins when it offers the cpu controller; otherwise a v1 hierarchy mounted with the cpu
   * option.
   */
  static CgroupLayout of(List<String> mountinfo, List<String> procCgroup, Function<Path, String> read) {
    String v2Path = null;
    String v1Path = null;
    for (String line : procCgroup) {
      String[] f = line.split(":", 3);
      if (f.length < 3) {
        continue;
      }
      if (f[0].equals("0") && f[1].isEmpty()) {
        v2Path = f[2];
      } else if (List.of(f[1].split(",")).contains("cpu")) {
        v1Path = f[2];
      }
    }
    Mount v2 = null;
    Mount v1 = null;
    for (String line : mountinfo) {
      Mount m = Mount.parse(line);
      if (m == null) {
        continue;
      }
      if (m.type.equals("cgroup2") && v2 == null) {
        v2 = m;
      } else if (m.type.equals("cgroup") && List.of(m.superOptions.split(",")).contains("cpu") && v1 == null) {
        v1 = m;
      }
    }
    if (v2 != null && v2Path != null) {
      Path own = v2.dirOf(v2Path);
      String controllers = read.apply(own.resolve("cgroup.controllers"));
      if (controllers != null && List.of(controllers.trim().split("\\s+")).contains("cpu")) {
        return new CgroupLayout(2, own, null);
      }
    }
    if (v1 != null && v1Path != null) {
      return new CgroupLayout(1, v1.dirOf(v1Path), null);
    }
    return none(v2 != null ? "the cgroup v2 hierarchy offers no cpu controller and no cgroup v1 cpu hierarchy is "
        + "mounted" : "no cgroup hierarchy with a cpu controller is mounted");
  }

  /** A cgroup mount: where it is, which part of its hierarchy it shows, and its options. */
  private record Mount(String root, Path point, String type, String superOptions) {
    /** A mountinfo line: "id parent major:minor root point options [optional...] - type source superOptions". */
    static Mount parse(String line) {
      String[] f = line.split(" ");
      int dash = List.of(f).indexOf("-");
      if (dash < 5 || dash + 1 >= f.length) {
        return null;
      }
      String type = f[dash + 1];
      String opts = dash + 3 < f.length ? f[dash + 3] : "";
      return new Mount(f[3], Path.of(f[4]), type, opts);
    }

    /** The directory of cgroup {@code path} (as /proc/self/cgroup names it) under this mount. */
    Path dirOf(String path) {
      String rel = path.startsWith(root) && !root.equals("/") ? path.substring(root.length()) : path;
      rel = rel.startsWith("/") ? rel.substring(1) : rel;
      return rel.isEmpty() ? point : point.resolve(rel);
    }
  }
}
