package io.sluice.scoring;

import io.sluice.protocol.HttpParts;
import io.sluice.scorer.ScoreResult;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scorer instances hosted by this JVM, by instance id. A router that picked a local instance calls it directly
 * instead of through the event bus: the same admission, drain and accounting as {@code sluice.scorer.<id>}, without
 * the message copy and the two thread hand-offs (the profile's largest cost on the same-node path). Remote
 * instances are always reached over the event bus.
 */
public final class LocalInstances {
  private LocalInstances() {
  }

  /** One local instance's door. */
  public interface Instance {
    /**
     * Scores, or fails with {@link Refused} (the instance is not serving: the request never ran, try another).
     * {@code redirectable}: the caller has another instance, so refuse rather than queue while no worker is ready.
     */
    CompletionStage<ScoreResult> score(String requestId, byte[] body, HttpParts http, boolean redirectable);
  }

  /** The instance did not take the request (Azure-wise a 503 from it; the router may retry elsewhere). */
  public static final class Refused extends RuntimeException {
    public Refused(String message) {
      super(message, null, false, false);
    }
  }

  private static final Map<String, Instance> INSTANCES = new ConcurrentHashMap<>();

  /** For ScorerVerticle (and tests that stand in for an instance). */
  public static void register(String id, Instance instance) {
    INSTANCES.put(id, instance);
  }

  public static void unregister(String id) {
    INSTANCES.remove(id);
  }

  public static Instance get(String id) {
    return INSTANCES.get(id);
  }
}
