package io.sluice.scorer.python;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CgroupLayoutTest {
  static final List<String> V1_MOUNTS = List.of(
      "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
      "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct",
      "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw");
  static final List<String> V2_MOUNTS = List.of(
      "29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate");

  @Test
  void aV1CpuHierarchyIsUsedWhenV2OffersNoCpu() {
    CgroupLayout l = CgroupLayout.of(V1_MOUNTS, List.of("4:memory:/a", "2:cpu,cpuacct:/system.slice/sluice.service",
        "0::/system.slice/sluice.service"), f -> "hugetlb\n");
    assertThat(l.version()).isEqualTo(1);
    assertThat(l.dir()).isEqualTo(Path.of("/sys/fs/cgroup/cpu,cpuacct/system.slice/sluice.service"));
  }

  @Test
  void v2WithTheCpuControllerWinsAndItsOwnCgroupIsTheParent() {
    Map<Path, String> files = Map.of(Path.of("/sys/fs/cgroup/system.slice/sluice.service/cgroup.controllers"),
        "cpuset cpu io memory pids\n");
    CgroupLayout l = CgroupLayout.of(V2_MOUNTS, List.of("0::/system.slice/sluice.service"), files::get);
    assertThat(l.version()).isEqualTo(2);
    assertThat(l.dir()).isEqualTo(Path.of("/sys/fs/cgroup/system.slice/sluice.service"));
  }

  @Test
  void aContainerSeesItsOwnCgroupAsTheMountRoot() {
    List<String> mounts = List.of("50 40 0:26 /docker/abc /sys/fs/cgroup ro,relatime - cgroup2 cgroup2 rw");
    CgroupLayout l = CgroupLayout.of(mounts, List.of("0::/docker/abc"), f -> "cpu memory");
    assertThat(l.dir()).isEqualTo(Path.of("/sys/fs/cgroup"));
  }

  @Test
  void withoutACpuControllerTheReasonIsGiven() {
    CgroupLayout l = CgroupLayout.of(V2_MOUNTS, List.of("0::/user.slice"), f -> "memory pids");
    assertThat(l.version()).isZero();
    assertThat(l.why()).contains("no cpu controller");
    assertThat(CgroupLayout.of(List.of(), List.of(), f -> null).why()).contains("no cgroup hierarchy");
  }
}
