package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.protocol.Answer;
import io.sluice.scoring.LocalInstances;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Same-node calls keep the router's deadline: a scorer that never answers costs a timeout, not a stuck request. */
class LocalTransportTest {
  final Vertx vertx = Vertx.vertx();
  final LocalInstances locals = new LocalInstances();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  Answer call(String instance, long deadlineMs) throws Exception {
    CompletableFuture<Answer> got = new CompletableFuture<>();
    Context ctx = vertx.getOrCreateContext();
    ctx.runOnContext(v -> new LocalTransport(vertx, ctx, locals).call(new ScorerTransport.Call(instance, "node-x",
        "rid", io.sluice.protocol.HttpParts.POST, Buffer.buffer("x"), deadlineMs, false, false), got::complete));
    return got.get(10, TimeUnit.SECONDS);
  }

  static Answer.Answered ok(String body) {
    return new Answer.Answered(200, false, false, 1.0, 0, null, Map.of(), Buffer.buffer(body));
  }

  @Test
  void aScorerThatNeverAnswersTimesOutAtTheDeadline() throws Exception {
    locals.register("hung-1", (rid, body, http, redirectable) -> new CompletableFuture<>());
    assertThat(call("hung-1", 200)).isInstanceOfSatisfying(Answer.Failed.class, f -> assertThat(f.timedOut()).isTrue());
  }

  @Test
  void anAnswerBeforeTheDeadlineWinsAndARefusalNeverRan() throws Exception {
    locals.register("quick-1", (rid, body, http, redirectable) -> CompletableFuture.supplyAsync(() -> ok("\"ok\"")));
    assertThat(call("quick-1", 5000)).isInstanceOfSatisfying(Answer.Answered.class,
        a -> assertThat(a.body().toString()).isEqualTo("\"ok\""));
    locals.register("refusing-1", (rid, body, http, redirectable) -> CompletableFuture.completedFuture(
        new Answer.NeverRan("draining")));
    assertThat(call("refusing-1", 5000)).isInstanceOf(Answer.NeverRan.class);
    assertThat(call("nobody-1", 5000)).isInstanceOf(Answer.NeverRan.class);
  }

  @Test
  void anotherNodesInstancesAreNotThisOnes() throws Exception {
    LocalInstances other = new LocalInstances();
    other.register("theirs-1", (rid, body, http, redirectable) -> CompletableFuture.completedFuture(ok("1")));
    assertThat(call("theirs-1", 5000)).isInstanceOf(Answer.NeverRan.class);
  }
}
