package io.sluice.router;

import io.sluice.protocol.Headers;
import io.sluice.scorer.ScoreResult;
import io.sluice.scoring.ScorerVerticle;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;

/**
 * A scorer's answer, whichever transport brought it. {@code runtime}: Sluice's runtime answered (408, 429, 500),
 * not the scoring script, so the status passes to the client as it is.
 */
record Reply(int status, boolean runtime, String runMs, String queueMs, Buffer body) {

  static Reply of(Message<Buffer> m) {
    return new Reply(Integer.parseInt(m.headers().get(Headers.SCRIPT_STATUS)),
        "runtime".equals(m.headers().get(Headers.STATUS_ORIGIN)), m.headers().get(Headers.RUN_FN_EXEC_MS),
        m.headers().get(Headers.QUEUE_MS), m.body());
  }

  static Reply of(ScoreResult r) {
    return new Reply(r.status(), r.fromRuntime(), ScorerVerticle.millis(r.runMillis()),
        ScorerVerticle.millis(r.queueMillis()), Buffer.buffer(r.body()));
  }
}
