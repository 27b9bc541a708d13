package io.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class EntryProofTest {
  final EntryProof nodes = new EntryProof("the cluster's admin token");
  final JsonObject fact = new JsonObject().put("node_id", "a").put("capacity", 4).put("channel", "10.0.0.1:7000");

  @Test
  void anEntryOpensOnlyUnderItsOwnMapAndKey() {
    JsonObject sealed = nodes.seal("sluice.nodes", "a", fact, 1);
    assertThat(nodes.open("sluice.nodes", "a", sealed)).isEqualTo(fact);
    assertThat(nodes.open("sluice.nodes", "a", new JsonObject(sealed.encode()))).isEqualTo(fact);
    assertThat(nodes.open("sluice.nodes", "b", sealed)).as("moved to another key").isNull();
    assertThat(nodes.open("sluice.instances", "a", sealed)).as("moved to another map").isNull();
  }

  @Test
  void aRewrittenForgedOrPlainEntryDoesNotOpen() {
    JsonObject sealed = nodes.seal("sluice.nodes", "a", fact, 1);
    JsonObject rewritten = sealed.copy().put(EntryProof.FACT, fact.copy().put("channel", "10.6.6.6:7000").encode());
    assertThat(nodes.open("sluice.nodes", "a", rewritten)).isNull();
    assertThat(nodes.open("sluice.nodes", "a", new EntryProof("a guess").seal("sluice.nodes", "a", fact, 1))).isNull();
    assertThat(nodes.open("sluice.nodes", "a", fact)).as("an unsealed fact, as written before").isNull();
    assertThat(nodes.open("sluice.nodes", "a", new JsonObject().put(EntryProof.FACT, 3).put(EntryProof.PROOF, 4)))
        .isNull();
    assertThat(nodes.open("sluice.nodes", "a", null)).isNull();
  }

  @Test
  void theVersionAnEntryIsWrittenInIsProvedToo() {
    JsonObject sealed = nodes.seal("sluice.nodes", "a", fact, 2);
    assertThat(nodes.opened("sluice.nodes", "a", sealed)).isEqualTo(new EntryProof.Opened(fact, 2));
    assertThat(nodes.open("sluice.nodes", "a", sealed.copy().put(EntryProof.PROTOCOL, 1))).as("version rewritten")
        .isNull();
    assertThat(nodes.open("sluice.nodes", "a", sealed.copy().put(EntryProof.PROTOCOL, "2"))).isNull();
  }
}
