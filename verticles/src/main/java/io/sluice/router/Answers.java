package io.sluice.router;

import io.sluice.protocol.Headers;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Azure's status mapping: what the client gets for a scorer's reply or for a failure to get one. */
final class Answers {
  private static final Logger LOG = LoggerFactory.getLogger(Answers.class);

  private Answers() {
  }

  /**
   * 200 and the runtime's own 408/429/500 pass as they are; a script's error status becomes 424 with Azure's
   * model-error headers; no answer by the deadline is 408; anything else is our fault (500).
   */
  static Outcome of(Reply reply, Throwable err, String deployment, int timeoutMs) {
    if (reply == null && !(err instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT)) {
      LOG.warn("scoring request to {} failed: {}", deployment, err == null ? "?" : err.toString());
    }
    return quiet(reply, err, deployment, timeoutMs);
  }

  /** The same mapping without logging a failure: for mirror copies, whose failures are counted, not logged. */
  static Outcome quiet(Reply reply, Throwable err, String deployment, int timeoutMs) {
    if (reply != null) {
      int status = reply.status();
      Map<String, String> h = new LinkedHashMap<>();
      if (reply.made()) { // the script's own answer: its status, headers and bytes
        reply.headers().forEach((k, v) -> h.put(k.toLowerCase(java.util.Locale.ROOT), v));
      }
      h.put("content-type", reply.contentType());
      h.put(Headers.RUN_FN_EXEC_MS, reply.runMs());
      if (status == 200 || reply.runtime() || reply.made()) {
        if (!reply.runtime()) {
          h.put(Headers.RUN_FUNCTION_FAILED, "False");
        }
        return new Outcome(status, h, reply.body());
      }
      h.put(Headers.RUN_FUNCTION_FAILED, "True");
      h.put(Headers.MODEL_ERROR_STATUS, String.valueOf(status));
      h.put(Headers.MODEL_ERROR_REASON, "model_error");
      return new Outcome(424, h, reply.body());
    }
    if (err instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
      return Outcome.error(408, "upstream request timeout: deployment '" + deployment + "' did not answer within "
          + "request_timeout_ms=" + timeoutMs + " (plus its queue wait)");
    }
    if (neverRan(err)) { // as decide() answers when no instance can take it: the request did not run, retry
      return Outcome.error(503, "deployment '" + deployment + "' has no instance that could take the request: "
          + err.getMessage());
    }
    return Outcome.error(500, "the request could not be scored: " + (err == null ? "unknown error" : err.getMessage()));
  }

  /** Whether a failed call provably never ran: its node is gone (NO_HANDLERS) or the instance refused it (503). */
  static boolean neverRan(Throwable err) {
    return err instanceof ReplyException re && (re.failureType() == ReplyFailure.NO_HANDLERS
        || re.failureType() == ReplyFailure.RECIPIENT_FAILURE && re.failureCode() == 503);
  }
}
