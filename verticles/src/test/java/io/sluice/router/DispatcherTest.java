package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.load.LoadRecorder;
import io.sluice.protocol.Answer;
import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.HttpParts;
import io.sluice.protocol.LoadReport;
import io.sluice.protocol.EndpointDoc;
import io.sluice.protocol.Headers;
import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.InstanceState;
import io.sluice.protocol.Snapshot;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The dispatcher alone, over a routing table built from documents and a fake transport that records each call. */
class DispatcherTest {

  /** Answers each call with what {@code answer} says for its instance, at once or when released. */
  static final class FakeTransport implements ScorerTransport {
    final List<Call> calls = new ArrayList<>();
    final List<Handler<Answer>> held = new ArrayList<>();
    Function<String, Answer> answer = id -> ok(id);
    boolean hold;
    /** Thrown by call() instead of answering (a transport's own bug, e.g. a node's channel address it cannot parse). */
    RuntimeException throwing;

    @Override
    public boolean reaches(Call call) {
      return true;
    }

    @Override
    public void call(Call call, Handler<Answer> done) {
      calls.add(call);
      if (throwing != null) {
        throw throwing;
      }
      if (hold) {
        held.add(done);
      } else {
        done.handle(answer.apply(call.instance()));
      }
    }
  }

  static Answer ok(String instance) {
    return json(200, false, "\"" + instance + "\"");
  }

  static Answer json(int status, boolean runtime, String body) {
    return new Answer.Answered(status, runtime, false, 1.0, 0, null, Map.of(), Buffer.buffer(body));
  }

  final FakeTransport transport = new FakeTransport();
  final ScorerTransport unreachable = new ScorerTransport() {
    @Override
    public boolean reaches(Call call) {
      return false;
    }

    @Override
    public void call(Call call, Handler<Answer> done) {
      throw new AssertionError("never reaches anything");
    }
  };
  final LoadRecorder load = new LoadRecorder("test-router");
  final Dispatcher dispatcher = new Dispatcher(new RouterMetrics(null), load, unreachable, transport);

  static RoutingTable table(Map<String, Integer> traffic, Map<String, Integer> mirror, int maxConcurrent,
                            String... instances) {
    EndpointDoc ep = EndpointDoc.fromJson(new JsonObject().put("name", "ep").put("auth_mode", "key")
        .put("keys", new JsonObject().put("primary", "k1").put("secondary", "k2"))
        .put("traffic", new JsonObject(new HashMap<>(traffic))).put("mirror_traffic", new JsonObject(new HashMap<>(mirror))));
    List<DeploymentDoc> deps = new ArrayList<>();
    for (String d : List.of("blue", "green")) {
      deps.add(DeploymentDoc.fromJson(new JsonObject().put("name", d).put("endpoint_name", "ep").put("instance_count", 1)
          .put("request_settings", new JsonObject().put("max_concurrent_requests_per_instance", maxConcurrent))));
    }
    List<InstanceInfo> observed = new ArrayList<>();
    for (String id : instances) {
      observed.add(new InstanceInfo(id, "ep", id.substring(0, id.indexOf('-')), 1, "n1", "node-1",
          InstanceState.Ready, null, null));
    }
    return RoutingTable.build(new Snapshot("s", List.of(ep), deps), observed, RoutingTable.EMPTY);
  }

  /** Decides and sends as a door does; the answer, or null while the call is held. */
  Outcome dispatch(RoutingTable t, String pinned) {
    return dispatch(t, pinned, "rid");
  }

  Outcome dispatch(RoutingTable t, String pinned, String requestId) {
    Dispatcher.Decision d = dispatcher.decide(t.endpoints.get("ep"), pinned);
    if (d instanceof Dispatcher.Refused r) {
      return r.outcome();
    }
    Outcome[] got = new Outcome[1];
    dispatcher.send((Dispatcher.Admitted) d, requestId, HttpParts.POST, Buffer.buffer("x"), o -> got[0] = o);
    return got[0];
  }

  @Test
  void splitsByWeightAndNamesTheDeploymentThatAnswered() {
    RoutingTable t = table(Map.of("blue", 90, "green", 10), Map.of(), 1, "blue-1", "green-1");
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < 100; i++) {
      Outcome o = dispatch(t, null);
      assertThat(o.status()).isEqualTo(200);
      seen.merge(o.headers().get(Headers.MODEL_DEPLOYMENT), 1, Integer::sum);
    }
    assertThat(seen).isEqualTo(Map.of("blue", 90, "green", 10));
  }

  @Test
  void aPinReachesAZeroWeightDeploymentAndAnUnknownPinIs404() {
    RoutingTable t = table(Map.of("blue", 100), Map.of(), 1, "blue-1", "green-1");
    assertThat(dispatch(t, "green").headers().get(Headers.MODEL_DEPLOYMENT)).isEqualTo("green");
    assertThat(dispatch(t, "red").status()).isEqualTo(404);
    assertThat(dispatch(table(Map.of(), Map.of(), 1, "blue-1"), null).body().toString())
        .contains("No valid deployments to route to");
  }

  @Test
  void admissionRefusesBeyondTwiceMaxConcurrentTimesInstances() {
    RoutingTable t = table(Map.of("blue", 100), Map.of(), 2, "blue-1");
    transport.hold = true;
    for (int i = 0; i < 4; i++) {
      assertThat(dispatch(t, null, "r" + i)).as("held").isNull();
    }
    Outcome refused = dispatch(t, null);
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.body().toString()).contains("limit 4");
    transport.held.get(0).handle(ok("blue-1"));
    transport.hold = false;
    assertThat(dispatch(t, null).status()).isEqualTo(200);
    LoadReport.DeploymentLoad counted = load.flush(1, dispatcher::inFlight).deployments().get(0);
    assertThat(counted.ok()).as("answered").isEqualTo(2);
    assertThat(counted.throttled()).as("refused by admission").isEqualTo(1);
    assertThat(counted.inFlight()).as("three still held").isEqualTo(3);
  }

  @Test
  void aCallThatNeverRanIsRetriedOnceOnAnotherInstance() {
    RoutingTable t = table(Map.of("blue", 100), Map.of(), 1, "blue-1", "blue-2");
    transport.answer = id -> id.equals("blue-1")
        ? new Answer.NeverRan("gone") : ok(id);
    for (int i = 0; i < 4; i++) {
      assertThat(dispatch(t, null).body().toString()).isEqualTo("\"blue-2\"");
    }
    assertThat(transport.calls.stream().filter(c -> c.instance().equals("blue-1")).allMatch(c -> c.redirectable()))
        .isTrue();
  }

  @Test
  void azureStatusesForScriptErrorsTimeoutsAndRuntimeAnswers() {
    RoutingTable t = table(Map.of("blue", 100), Map.of(), 1, "blue-1");
    transport.answer = id -> json(400, false, "bad");
    Outcome scriptError = dispatch(t, null);
    assertThat(scriptError.status()).isEqualTo(424);
    assertThat(scriptError.headers()).containsEntry(Headers.MODEL_ERROR_STATUS, "400");
    assertThat(scriptError.headers()).containsEntry(Headers.RUN_FUNCTION_FAILED, "True");
    transport.answer = id -> json(408, true, "late");
    assertThat(dispatch(t, null).status()).isEqualTo(408);
    // an answer the script made itself (an AMLResponse) passes as it is: status, headers, content type, bytes
    transport.answer = id -> new Answer.Answered(422, false, true, 1.0, 0, "image/jpeg", Map.of("X-Size", "2"),
        Buffer.buffer(new byte[] {0, (byte) 255}));
    Outcome made = dispatch(t, null);
    assertThat(made.status()).isEqualTo(422);
    assertThat(made.headers()).containsEntry("content-type", "image/jpeg").containsEntry("x-size", "2")
        .containsEntry(Headers.RUN_FUNCTION_FAILED, "False");
    assertThat(made.body().getBytes()).containsExactly(0, 255);
    transport.answer = id -> new Answer.Failed(true, "no answer");
    assertThat(dispatch(t, null).status()).isEqualTo(408);
    transport.answer = id -> new Answer.Failed(false, "boom");
    assertThat(dispatch(t, null).status()).isEqualTo(500);
  }

  @Test
  void everyCallCarriesTheDeploymentsRouterDeadline() {
    dispatch(table(Map.of("blue", 100), Map.of(), 1, "blue-1"), null);
    assertThat(transport.calls.get(0).deadlineMs()).isEqualTo(5000 + 500 + 1000);
  }

  @Test
  void theMirrorGetsItsShareAndItsAnswerNeverReachesTheClient() {
    RoutingTable t = table(Map.of("blue", 100), Map.of("green", 20), 1, "blue-1", "green-1");
    transport.answer = id -> id.startsWith("green") ? new Answer.Failed(false, "shadow broke") : ok(id);
    for (int i = 0; i < 100; i++) {
      Outcome o = dispatch(t, null);
      assertThat(o.status()).isEqualTo(200);
      assertThat(o.headers().get(Headers.MODEL_DEPLOYMENT)).isEqualTo("blue");
    }
    assertThat(transport.calls.stream().filter(ScorerTransport.Call::mirror).count()).isEqualTo(20);
    assertThat(dispatch(t, "blue").status()).isEqualTo(200);
    assertThat(transport.calls.stream().filter(ScorerTransport.Call::mirror).count()).as("a pin turns mirroring off")
        .isEqualTo(20);
  }

  /** Issue 22: an exception in the transport leaked both admission slots and left the client unanswered. */
  @Test
  void aTransportThatThrowsIsAnsweredAndGivesItsSlotsBack() {
    RoutingTable t = table(Map.of("blue", 100), Map.of(), 1, "blue-1");
    transport.throwing = new IllegalArgumentException("bad channel address");
    for (int i = 0; i < 5; i++) { // beyond the admission limit (2): refused with 429 if the slots leaked
      Outcome o = dispatch(t, null);
      assertThat(o).as("answered").isNotNull();
      assertThat(o.status()).isEqualTo(500);
    }
    assertThat(dispatcher.inFlight("ep", "blue")).isZero();
    transport.throwing = null;
    assertThat(dispatch(t, null).status()).isEqualTo(200);
  }

  /** Issue 22: a request that provably never ran on any instance is 503, as when no instance could be picked. */
  @Test
  void aRequestThatNeverRanOnEitherTryIs503() {
    RoutingTable t = table(Map.of("blue", 100), Map.of(), 1, "blue-1", "blue-2");
    transport.answer = id -> new Answer.NeverRan("instance " + id + " has drained");
    Outcome o = dispatch(t, null);
    assertThat(transport.calls).hasSize(2);
    assertThat(o.status()).isEqualTo(503);
    transport.answer = id -> new Answer.NeverRan("gone");
    assertThat(dispatch(t, null).status()).isEqualTo(503);
  }

  /** Issue 22: a mirror copy that never ran was compared as a 500 against the live 200 (a status mismatch). */
  @Test
  void aMirrorCopyThatNeverRanIsNotCompared() {
    RoutingTable t = table(Map.of("blue", 100), Map.of("green", 50), 1, "blue-1", "green-1");
    transport.answer = id -> id.startsWith("green") ? new Answer.NeverRan("draining") : ok(id);
    for (int i = 0; i < 10; i++) {
      assertThat(dispatch(t, null).status()).isEqualTo(200);
    }
    LoadReport.Comparison c = load.flush(1, dispatcher::inFlight).deployments().stream()
        .filter(l -> l.comparison() != null).findFirst().orElseThrow().comparison();
    assertThat(c.status()).as("status mismatches").isZero();
    assertThat(c.notCompared()).isEqualTo(5);
  }

  /** Issue 22: every failed request logged a WARN from the event loop; now one line per deployment per reason. */
  @Test
  void aFailingDeploymentUnderLoadLogsOneLineNotOnePerRequest() {
    ch.qos.logback.classic.Logger router = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
        .getLogger("io.sluice.router");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    router.addAppender(lines);
    try {
      RoutingTable t = table(Map.of("blue", 100), Map.of(), 1, "blue-1");
      transport.answer = id -> new Answer.Failed(false, "the scorer failed: worker died");
      for (int i = 0; i < 200; i++) {
        assertThat(dispatch(t, null).status()).isEqualTo(500);
      }
      assertThat(lines.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN).count())
          .as("WARN lines for 200 failed requests").isEqualTo(1);
    } finally {
      router.detachAppender(lines);
    }
  }

  /** A streamed answer: its first chunk and the rest, already in hand; {@code failure} breaks it at its end. */
  static Answer streamed(String failure, String... chunks) {
    List<Buffer> rest = new ArrayList<>();
    for (int i = 1; i < chunks.length; i++) {
      rest.add(Buffer.buffer(chunks[i]));
    }
    return new Answer.Answered(200, false, false, 1.0, 0, "text/plain", Map.of(), Buffer.buffer(chunks[0]),
        io.sluice.protocol.Streams.replay(rest, failure));
  }

  static String drain(Outcome o) throws Exception {
    return io.sluice.protocol.Streams.gather(o.body(), o.rest(), 1 << 20).toCompletableFuture().get().toString();
  }

  LoadReport.DeploymentLoad live(LoadReport r, String deployment) {
    return r.deployments().stream().filter(l -> !l.mirror() && l.deployment().equals(deployment)).findFirst()
        .orElseThrow();
  }

  @Test
  void aStreamHoldsItsSlotUntilItEndsAndCountsOnceAsAServerFaultWhenItBreaks() throws Exception {
    RoutingTable t = table(Map.of("blue", 100), Map.of(), 1, "blue-1");
    transport.answer = id -> streamed(null, "a", "b", "c");
    Outcome o = dispatch(t, null);
    assertThat(o.rest()).isNotNull();
    assertThat(o.body().toString()).isEqualTo("a");
    assertThat(dispatcher.inFlight("ep", "blue")).as("held while it streams").isEqualTo(1);
    assertThat(load.flush(1, dispatcher::inFlight).deployments()).as("not counted before it ends").isEmpty();
    assertThat(drain(o)).isEqualTo("abc");
    assertThat(dispatcher.inFlight("ep", "blue")).isZero();
    assertThat(live(load.flush(2, dispatcher::inFlight), "blue").ok()).isEqualTo(1);

    transport.answer = id -> streamed("run() raised after the stream began", "a", "b");
    Outcome broken = dispatch(t, null);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> drain(broken))
        .hasMessageContaining("run() raised after the stream began");
    LoadReport.DeploymentLoad l = live(load.flush(3, dispatcher::inFlight), "blue");
    assertThat(l.serverErrors()).isEqualTo(1);
    assertThat(l.ok()).isZero();

    transport.answer = id -> streamed(null, "a", "b");
    Outcome cancelled = dispatch(t, null);
    cancelled.rest().cancel();
    assertThat(dispatcher.inFlight("ep", "blue")).as("a client that left gives its slot back").isZero();
    assertThat(live(load.flush(4, dispatcher::inFlight), "blue").ok()).isEqualTo(1);
  }

  @Test
  void aStreamedAnswerIsComparedWithItsMirrorWhole() throws Exception {
    RoutingTable t = table(Map.of("blue", 100), Map.of("green", 100), 1, "blue-1", "green-1");
    // the same bytes cut into other chunks agree; other bytes do not
    transport.answer = id -> id.startsWith("green") ? streamed(null, "{\"a\": ", "1}") : streamed(null, "{\"a\"", ": 1}");
    assertThat(drain(dispatch(t, null))).isEqualTo("{\"a\": 1}");
    transport.answer = id -> id.startsWith("green") ? streamed(null, "{\"a\": 2}") : streamed(null, "{\"a\": 1}");
    assertThat(drain(dispatch(t, null))).isEqualTo("{\"a\": 1}");
    LoadReport.Comparison c = load.flush(1, dispatcher::inFlight).deployments().stream()
        .filter(l -> l.comparison() != null).findFirst().orElseThrow().comparison();
    assertThat(c.agreed()).isEqualTo(1);
    assertThat(c.value()).isEqualTo(1);
  }
}
