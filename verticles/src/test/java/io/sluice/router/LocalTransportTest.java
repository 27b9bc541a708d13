package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.scorer.ScoreResult;
import io.sluice.scoring.LocalInstances;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Same-JVM calls keep the router's deadline: a scorer that never answers costs a TIMEOUT, not a stuck request. */
class LocalTransportTest {
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    LocalInstances.unregister("hung-1");
    LocalInstances.unregister("quick-1");
    LocalInstances.unregister("refusing-1");
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  AsyncResult<Reply> call(String instance, long deadlineMs) throws Exception {
    CompletableFuture<AsyncResult<Reply>> got = new CompletableFuture<>();
    Context ctx = vertx.getOrCreateContext();
    ctx.runOnContext(v -> new LocalTransport(vertx, ctx).call(new ScorerTransport.Call(instance, "node-x", "rid",
        io.sluice.protocol.HttpParts.POST, Buffer.buffer("x"), deadlineMs, false, false), got::complete));
    return got.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aScorerThatNeverAnswersTimesOutAtTheDeadline() throws Exception {
    LocalInstances.register("hung-1", (rid, body, http, redirectable) -> new CompletableFuture<>());
    AsyncResult<Reply> r = call("hung-1", 200);
    assertThat(r.failed()).isTrue();
    assertThat(r.cause()).isInstanceOfSatisfying(ReplyException.class,
        e -> assertThat(e.failureType()).isEqualTo(ReplyFailure.TIMEOUT));
  }

  @Test
  void anAnswerBeforeTheDeadlineWinsAndARefusalNeverRan() throws Exception {
    LocalInstances.register("quick-1", (rid, body, http, redirectable) -> CompletableFuture.supplyAsync(
        () -> ScoreResult.json(200, "\"ok\"", 1.0)));
    AsyncResult<Reply> r = call("quick-1", 5000);
    assertThat(r.succeeded()).isTrue();
    assertThat(r.result().body().toString()).isEqualTo("\"ok\"");
    LocalInstances.register("refusing-1", (rid, body, http, redirectable) -> {
      throw new LocalInstances.Refused("draining");
    });
    assertThat(Answers.neverRan(call("refusing-1", 5000).cause())).isTrue();
    assertThat(Answers.neverRan(call("nobody-1", 5000).cause())).isTrue();
  }
}
