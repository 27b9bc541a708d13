package io.sluice.protocol;

import io.sluice.scorer.ChunkStream;
import io.sluice.scorer.ScoreResult;
import io.vertx.core.buffer.Buffer;
import java.util.Map;

/**
 * What became of one scoring request: the one type every hop passes on, from the instance that took it (or did not)
 * to the router's HTTP response. The runtime's own result ({@link ScoreResult}, or an exception) becomes an Answer
 * once, at the instance's door ({@link #of}); each wire encodes it once ({@link BusAnswers} for the event bus,
 * {@code ChannelFrames} for the scoring channel); the router maps it to a status once ({@code router.Answers}).
 */
public sealed interface Answer {

  /**
   * The instance answered. {@code runtime}: Sluice's runtime answered (408 run timeout, 429 queue wait, 500 the
   * worker died), not the script, so the status passes as it is; {@code made}: the script made the whole answer
   * (status, {@code headers}, bytes), which passes as it is too; otherwise a status other than 200 is the script's
   * error (Azure's 424). {@code rest} non-null: a streamed answer, {@code body} its first chunk (see {@link Streams});
   * a hop that cannot stream gathers it whole first.
   */
  record Answered(int status, boolean runtime, boolean made, double runMs, double queueMs, String contentType,
                  Map<String, String> headers, Buffer body, ChunkStream rest) implements Answer {
    public Answered {
      contentType = contentType == null ? "application/json" : contentType;
      headers = headers == null ? Map.of() : headers;
    }

    public Answered(int status, boolean runtime, boolean made, double runMs, double queueMs, String contentType,
                    Map<String, String> headers, Buffer body) {
      this(status, runtime, made, runMs, queueMs, contentType, headers, body, null);
    }

    /** The same answer with another rest (a hop that hands the stream on its own way), or whole (null). */
    public Answered withRest(ChunkStream rest, Buffer body) {
      return new Answered(status, runtime, made, runMs, queueMs, contentType, headers, body, rest);
    }

    /** 200, the runtime's own status and an answer the script made pass to the client as they are. */
    public boolean passesAsItIs() {
      return status == 200 || runtime || made;
    }

    /** The status the client gets: its own, or Azure's 424 for a script's error. */
    public int clientStatus() {
      return passesAsItIs() ? status : 424;
    }
  }

  /**
   * Provably never ran: no such instance, the instance refused it (draining, no ready worker) or gave it back unrun,
   * or it was never written to the wire. The router may send it to another instance; the client gets 503.
   */
  record NeverRan(String reason) implements Answer {
  }

  /**
   * Failed once it may have run: no answer within the deadline ({@code timedOut}: 408) or lost on the way (500).
   * Never sent again: the script may have seen it.
   */
  record Failed(boolean timedOut, String reason) implements Answer {
  }

  /** Refused by the router before anything was sent: {@code status} is the answer (401, 404, 413, 429, 431, 503). */
  record Refused(int status, String reason) implements Answer {
  }

  /** The runtime's result as an answer. */
  static Answered of(ScoreResult r) {
    return new Answered(r.status(), r.fromRuntime(), r.made(), r.runMillis(), r.queueMillis(), r.contentType(),
        r.headers(), Buffer.buffer(r.body()), r.rest());
  }

  /** A runtime's failure as an answer: a request it gave back unrun never ran; anything else may have run. */
  static Answer failure(Throwable err) {
    return io.sluice.scorer.NeverRan.is(err) ? new NeverRan("the scorer gave it back unrun: " + cause(err).getMessage())
        : new Failed(false, "the scorer failed: " + cause(err).getMessage());
  }

  private static Throwable cause(Throwable err) {
    return err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
  }
}
