package io.sluice.router;

import io.sluice.protocol.Headers;
import io.sluice.scorer.ScoreResult;
import io.sluice.scoring.ScorerVerticle;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A scorer's answer, whichever transport brought it. {@code runtime}: Sluice's runtime answered (408, 429, 500),
 * not the scoring script, so the status passes to the client as it is. {@code made}: the script made the whole
 * answer (status, {@code headers}, bytes), which passes as it is too.
 */
record Reply(int status, boolean runtime, String runMs, String queueMs, Buffer body, String contentType,
             boolean made, Map<String, String> headers) {

  /** A JSON answer (the script's return value, or the runtime's message). */
  Reply(int status, boolean runtime, String runMs, String queueMs, Buffer body) {
    this(status, runtime, runMs, queueMs, body, "application/json", false, Map.of());
  }

  static Reply of(Message<Buffer> m) {
    boolean made = m.headers().contains(Headers.MADE);
    Map<String, String> headers = Map.of();
    if (made) {
      headers = new LinkedHashMap<>();
      for (Map.Entry<String, String> h : m.headers()) {
        if (h.getKey().startsWith(Headers.ANSWER_PREFIX)) {
          headers.put(h.getKey().substring(Headers.ANSWER_PREFIX.length()), h.getValue());
        }
      }
    }
    String type = m.headers().get(Headers.CONTENT_TYPE);
    return new Reply(Integer.parseInt(m.headers().get(Headers.SCRIPT_STATUS)),
        "runtime".equals(m.headers().get(Headers.STATUS_ORIGIN)), m.headers().get(Headers.RUN_FN_EXEC_MS),
        m.headers().get(Headers.QUEUE_MS), m.body(), type == null ? "application/json" : type, made, headers);
  }

  static Reply of(ScoreResult r) {
    return new Reply(r.status(), r.fromRuntime(), ScorerVerticle.millis(r.runMillis()),
        ScorerVerticle.millis(r.queueMillis()), Buffer.buffer(r.body()), r.contentType(), r.made(), r.headers());
  }
}
