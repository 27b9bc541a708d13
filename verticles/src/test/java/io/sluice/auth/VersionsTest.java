package io.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.protocol.NodeFacts;
import io.sluice.protocol.ProtocolVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

class VersionsTest {
  static NodeFacts at(String id, int protocol) {
    return new NodeFacts(id, "node-" + id, "http://x", List.of(), List.of("*"), 1, false, List.of("*"), 1, 1, "", "",
        "", protocol);
  }

  @Test
  void aNodeReadsItsVersionAndThePreviousOne() {
    assertThat(ProtocolVersion.reads(2, 2)).isTrue();
    assertThat(ProtocolVersion.reads(2, 1)).isTrue();
    assertThat(ProtocolVersion.reads(2, 3)).as("the next release's words").isFalse();
    assertThat(ProtocolVersion.reads(2, 0)).isFalse();
    assertThat(ProtocolVersion.compatible(1, 2)).isTrue();
    assertThat(ProtocolVersion.compatible(1, 3)).isFalse();
  }

  @Test
  void aNodeWritesTheLowestVersionOfTheNodesItCanTalkTo() {
    assertThat(ProtocolVersion.writes(2, List.of(1, 2, 2))).as("mid-upgrade").isEqualTo(1);
    assertThat(ProtocolVersion.writes(2, List.of(2, 2))).as("all upgraded").isEqualTo(2);
    assertThat(ProtocolVersion.writes(1, List.of(2))).as("the old node keeps its own").isEqualTo(1);
    assertThat(ProtocolVersion.writes(3, List.of(1))).as("never below the previous version").isEqualTo(3);
    Versions v = new Versions(2);
    v.peers(List.of(at("a", 1), at("b", 2)));
    assertThat(v.writing()).isEqualTo(1);
    v.peers(List.of(at("b", 2)));
    assertThat(v.writing()).isEqualTo(2);
  }

  @Test
  void whatANodeCannotReadIsRecordedBoundedAndNamed() {
    Versions v = new Versions(1);
    assertThat(v.accept("id-1", null, 1)).isTrue();
    assertThat(v.incompatible()).isEmpty();
    assertThat(v.accept("id-3", null, 3)).isFalse();
    assertThat(v.accept("id-3", "node-3", 3)).isFalse();
    assertThat(v.accept("id-3", null, 3)).isFalse();
    assertThat(v.incompatible()).singleElement().satisfies(m -> {
      assertThat(m.name()).as("the name, once an entry said it, is kept").isEqualTo("node-3");
      assertThat(m.protocol()).isEqualTo(3);
    });
    for (int i = 0; i < 500; i++) {
      v.accept("flood-" + i, null, 9);
    }
    assertThat(v.incompatible()).hasSize(64);
    assertThat(v.describe().getString("reads")).isEqualTo("0-1");
  }
}
