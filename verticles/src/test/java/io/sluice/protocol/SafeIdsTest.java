package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SafeIdsTest {
  @Test
  void instanceIdsAreTheShapeTheLeaderMakes() {
    assertThat(SafeIds.instanceId("blue-1a2b3c4d")).isTrue();
    assertThat(SafeIds.instanceId("my_model.v2-00ff00ff")).isTrue();
    for (String bad : new String[] {null, "", "../../etc/passwd", "..", "a/b", "a\\b", ".hidden", "-x", "a..b",
        "a\nb", "a b", "x".repeat(201)}) {
      assertThat(SafeIds.instanceId(bad)).as(String.valueOf(bad)).isFalse();
    }
  }

  @Test
  void fileIdsAreSha256Names() {
    assertThat(SafeIds.fileId("sha256:" + "0123456789abcdef".repeat(4))).isTrue();
    assertThat(SafeIds.fileId("sha256:../../x")).isFalse();
    assertThat(SafeIds.fileId("sha256:" + "0123456789ABCDEF".repeat(4))).isFalse();
    assertThat(SafeIds.fileId("/etc/passwd")).isFalse();
    assertThat(SafeIds.fileId(null)).isFalse();
  }
}
