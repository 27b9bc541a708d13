package io.sluice.router;

import io.sluice.load.LoadRecorder;
import io.sluice.mirror.AnswerComparison;
import io.sluice.mirror.AnswerComparison.Result;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * One mirrored request's two answers, compared when the second arrives: the live answer waits here (never the
 * client: it has already been answered) for at most the mirror's deadline, and only while the shadow's admission
 * limit lets the copy fly, so pairs are bounded in number and time. Answers over {@link #MAX_COMPARED_BYTES}, and
 * mirrors that never answered, count as not compared; bodies are dropped after the comparison. Router event loop only.
 */
final class MirrorPair {
  static final int MAX_COMPARED_BYTES = 64 * 1024;
  static final int SAMPLE_BYTES = 4096;

  private final AnswerComparison.Tolerance tolerance;
  private final String endpoint;
  private final String deployment;
  private final String requestId;
  private final LoadRecorder load;
  private final RouterMetrics metrics;
  private Outcome live;
  private Outcome mirror;
  private boolean done;

  MirrorPair(String endpoint, String deployment, String requestId, AnswerComparison.Tolerance tolerance,
             LoadRecorder load, RouterMetrics metrics) {
    this.tolerance = tolerance;
    this.endpoint = endpoint;
    this.deployment = deployment;
    this.requestId = requestId;
    this.load = load;
    this.metrics = metrics;
  }

  void live(Outcome o) {
    if (o.body().length() > MAX_COMPARED_BYTES) {
      finish(AnswerComparison.Kind.NOT_COMPARED, null);
      return;
    }
    live = o;
    if (mirror != null) {
      compare();
    }
  }

  void mirror(Outcome o) {
    if (o.body().length() > MAX_COMPARED_BYTES) {
      finish(AnswerComparison.Kind.NOT_COMPARED, null);
      return;
    }
    mirror = o;
    if (live != null) {
      compare();
    }
  }

  /** The mirror gave no answer in time (or could not be asked): nothing to compare with. */
  void mirrorMissing() {
    finish(AnswerComparison.Kind.NOT_COMPARED, null);
  }

  private void compare() {
    if (live.status() == mirror.status() && live.body().equals(mirror.body())) {
      finish(AnswerComparison.Kind.AGREED, null); // byte for byte the same: agreed, without copying or parsing either body
      return;
    }
    Result r = AnswerComparison.compare(live.status(), live.body().getBytes(), mirror.status(), mirror.body().getBytes(),
        tolerance);
    JsonObject sample = r.agreed() ? null : new JsonObject().put("request_id", requestId)
        .put("kind", r.kind().label()).put("paths", new JsonArray(r.paths()))
        .put("live_status", live.status()).put("mirror_status", mirror.status())
        .put("live_body", cut(live.body())).put("mirror_body", cut(mirror.body()))
        .put("at", System.currentTimeMillis() / 1000);
    finish(r.kind(), sample);
  }

  private void finish(AnswerComparison.Kind outcome, JsonObject sample) {
    if (done) {
      return;
    }
    done = true;
    live = null;
    mirror = null;
    load.compared(endpoint, deployment, outcome, sample);
    metrics.compared(endpoint, deployment, outcome);
  }

  private static String cut(Buffer b) {
    return b.length() <= SAMPLE_BYTES ? b.toString(StandardCharsets.UTF_8)
        : b.getBuffer(0, SAMPLE_BYTES).toString(StandardCharsets.UTF_8) + "…";
  }
}
