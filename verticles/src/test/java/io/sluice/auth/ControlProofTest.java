package io.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class ControlProofTest {
  final ControlProof nodes = new ControlProof("the cluster's admin token");
  final JsonObject body = new JsonObject().put("op", "snapshot").put("n", 1.5);
  final long now = 1_800_000_000_000L;
  final ControlProof.Claim claim = new ControlProof.Claim("sluice.endpoints", now, "n-1", "node-a",
      "__vertx.reply.r1", 1);

  String refusal(ControlProof.Claim c, String proof, Object b, long at) {
    return nodes.refusal(c.address(), proof, Long.toString(c.atMs()), c.nonce(), c.from(), c.bound(),
        Integer.toString(c.protocol()), b, at);
  }

  @Test
  void aProofHoldsForItsAddressTimeNonceSenderBindingAndBodyOnly() {
    String p = nodes.sign(claim, body);
    assertThat(refusal(claim, p, body.copy(), now + 1000)).isNull();
    // the receiver decodes its own copy of the body: the same JSON text
    assertThat(refusal(claim, p, new JsonObject(body.encode()), now)).isNull();
    assertThat(refusal(new ControlProof.Claim("sluice.endpoints.internal", now, "n-1", "node-a", "__vertx.reply.r1", 1),
        p, body, now)).isEqualTo("wrong proof");
    assertThat(refusal(claim, p, body.copy().put("op", "endpoint.delete"), now)).isEqualTo("wrong proof");
    assertThat(refusal(new ControlProof.Claim("sluice.endpoints", now + 1, "n-1", "node-a", "__vertx.reply.r1", 1), p,
        body, now)).isEqualTo("wrong proof");
    assertThat(refusal(new ControlProof.Claim("sluice.endpoints", now, "n-2", "node-a", "__vertx.reply.r1", 1), p,
        body, now)).as("another nonce").isEqualTo("wrong proof");
    assertThat(refusal(new ControlProof.Claim("sluice.endpoints", now, "n-1", "rogue", "__vertx.reply.r1", 1), p,
        body, now)).as("another sender").isEqualTo("wrong proof");
    assertThat(refusal(new ControlProof.Claim("sluice.endpoints", now, "n-1", "node-a", "__vertx.reply.rogue", 1), p,
        body, now)).as("another reply address").isEqualTo("wrong proof");
    assertThat(refusal(claim, p, body, now + ControlProof.WINDOW_MS + 1)).startsWith("stale proof");
    assertThat(nodes.refusal("sluice.endpoints", null, null, null, null, "", "1", body, now)).isEqualTo("no proof");
    assertThat(nodes.refusal("sluice.endpoints", p, "yesterday", "n-1", "node-a", "__vertx.reply.r1", "1", body, now))
        .isEqualTo("malformed proof time or protocol version");
    assertThat(nodes.refusal("sluice.endpoints", p, Long.toString(now), "n-1", "node-a", "__vertx.reply.r1", null,
        body, now)).as("no protocol version").isEqualTo("no proof");
    assertThat(refusal(new ControlProof.Claim("sluice.endpoints", now, "n-1", "node-a", "__vertx.reply.r1", 2), p,
        body, now)).as("another protocol version").isEqualTo("wrong proof");
  }

  @Test
  void aReplyIsBoundToTheNonceOfTheRequestItAnswers() {
    ControlProof.Claim reply = new ControlProof.Claim("__vertx.reply.r1", now, "n-9", "node-b", "n-1", 1);
    ReplyException failure = new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 404, "no such endpoint");
    String p = nodes.sign(reply, failure);
    assertThat(refusal(reply, p, new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 404, "no such endpoint"), now))
        .isNull();
    assertThat(refusal(new ControlProof.Claim("__vertx.reply.r1", now, "n-9", "node-b", "n-2", 1), p, failure, now))
        .as("moved to another request").isEqualTo("wrong proof");
    assertThat(refusal(reply, p, new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 200, "no such endpoint"), now))
        .isEqualTo("wrong proof");
  }

  @Test
  void onlyTheRootSecretMakesAProof() {
    String forged = new ControlProof("a guess").sign(claim, body);
    assertThat(refusal(claim, forged, body, now)).isEqualTo("wrong proof");
    Buffer bytes = Buffer.buffer("raw");
    assertThat(refusal(claim, nodes.sign(claim, bytes), bytes.copy(), now)).isNull();
    assertThat(refusal(claim, nodes.sign(claim, null), null, now)).isNull();
  }
}
