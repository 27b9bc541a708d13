package io.sluice.router;

import io.sluice.protocol.Answer;
import io.sluice.protocol.Headers;
import io.sluice.protocol.Millis;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Azure's status mapping, the one place it is written: what the client gets for an {@link Answer}. 200 and the
 * runtime's own 408/429/500 pass as they are, so does an answer the script made itself; a script's error status
 * becomes 424 with Azure's model-error headers; never ran is 503 (as when no instance could take it); no answer by
 * the deadline is 408; failed once it may have run is 500; a refusal is its own status.
 */
final class Answers {
  private Answers() {
  }

  /**
   * The response for {@code answer} to a request for {@code deployment} (null: none was chosen), whose
   * {@code timeoutMs} the 408 names; it names the deployment in {@code azureml-model-deployment}.
   */
  static Outcome outcome(Answer answer, String deployment, int timeoutMs) {
    return http(answer, deployment, timeoutMs).with(Headers.MODEL_DEPLOYMENT, deployment);
  }

  private static Outcome http(Answer answer, String deployment, int timeoutMs) {
    if (answer instanceof Answer.Answered a) {
      return answered(a);
    }
    if (answer instanceof Answer.NeverRan n) {
      return Outcome.error(503, "deployment '" + deployment + "' has no instance that could take the request: "
          + n.reason());
    }
    if (answer instanceof Answer.Failed f) {
      return f.timedOut() ? Outcome.error(408, "upstream request timeout: deployment '" + deployment + "' did not "
          + "answer within request_timeout_ms=" + timeoutMs + " (plus its queue wait)")
          : Outcome.error(500, "the request could not be scored: " + f.reason());
    }
    Answer.Refused r = (Answer.Refused) answer;
    return Outcome.error(r.status(), r.reason());
  }

  private static Outcome answered(Answer.Answered a) {
    Map<String, String> h = new LinkedHashMap<>();
    if (a.made()) { // the script's own answer: its status, headers and bytes
      a.headers().forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), v));
    }
    h.put("content-type", a.contentType());
    h.put(Headers.RUN_FN_EXEC_MS, Millis.text(a.runMs()));
    if (a.passesAsItIs()) {
      if (!a.runtime()) {
        h.put(Headers.RUN_FUNCTION_FAILED, "False");
      }
      return new Outcome(a.status(), h, a.body(), a.rest());
    }
    h.put(Headers.RUN_FUNCTION_FAILED, "True");
    h.put(Headers.MODEL_ERROR_STATUS, String.valueOf(a.status()));
    h.put(Headers.MODEL_ERROR_REASON, "model_error");
    return new Outcome(424, h, a.body(), a.rest());
  }

  /** Whether there is nothing to compare a mirror's answer with: it never ran or did not answer in time. */
  static boolean missing(Answer answer) {
    return answer instanceof Answer.NeverRan || answer instanceof Answer.Failed f && f.timedOut();
  }
}
