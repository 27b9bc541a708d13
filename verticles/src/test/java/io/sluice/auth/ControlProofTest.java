package io.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class ControlProofTest {
  final ControlProof nodes = new ControlProof("the cluster's admin token");
  final JsonObject body = new JsonObject().put("op", "snapshot").put("n", 1.5);
  final long now = 1_800_000_000_000L;

  @Test
  void aProofHoldsForItsAddressTimeAndBodyOnly() {
    String p = nodes.sign("sluice.endpoints", now, body);
    assertThat(nodes.refusal("sluice.endpoints", p, Long.toString(now), body.copy(), now + 1000)).isNull();
    // the receiver decodes its own copy of the body: the same JSON text
    assertThat(nodes.refusal("sluice.endpoints", p, Long.toString(now), new JsonObject(body.encode()), now)).isNull();
    assertThat(nodes.refusal("sluice.endpoints.internal", p, Long.toString(now), body, now)).isEqualTo("wrong proof");
    assertThat(nodes.refusal("sluice.endpoints", p, Long.toString(now), body.copy().put("op", "endpoint.delete"),
        now)).isEqualTo("wrong proof");
    assertThat(nodes.refusal("sluice.endpoints", p, Long.toString(now + 1), body, now)).isEqualTo("wrong proof");
    assertThat(nodes.refusal("sluice.endpoints", p, Long.toString(now), body, now + ControlProof.WINDOW_MS + 1))
        .startsWith("stale proof");
    assertThat(nodes.refusal("sluice.endpoints", null, null, body, now)).isEqualTo("no proof");
    assertThat(nodes.refusal("sluice.endpoints", p, "yesterday", body, now)).isEqualTo("malformed proof time");
  }

  @Test
  void onlyTheRootSecretMakesAProof() {
    String forged = new ControlProof("a guess").sign("sluice.load", now, body);
    assertThat(nodes.refusal("sluice.load", forged, Long.toString(now), body, now)).isEqualTo("wrong proof");
    Buffer bytes = Buffer.buffer("raw");
    assertThat(nodes.refusal("sluice.x", nodes.sign("sluice.x", now, bytes), Long.toString(now), bytes.copy(), now))
        .isNull();
    assertThat(nodes.refusal("sluice.x", nodes.sign("sluice.x", now, null), Long.toString(now), null, now)).isNull();
  }
}
