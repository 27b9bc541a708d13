package io.sluice.scoring;

import io.sluice.protocol.Answer;
import io.sluice.protocol.HttpParts;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scorer instances a node hosts, by instance id. A router that picked a local instance calls it directly
 * instead of through the event bus (the same admission, drain and accounting as {@code sluice.scorer.<id>}, without
 * the message copy and the two thread hand-offs), and the node's scoring channel serves other nodes' routers from
 * it. One per node, made by the node and handed to its scorers, routers and channel: two nodes in one JVM (tests)
 * never see each other's instances.
 */
public final class LocalInstances {

  /** One local instance's door. */
  public interface Instance {
    /**
     * Scores; never fails: a request the instance does not take (draining, no ready worker) completes at once as
     * {@link Answer.NeverRan}, so the caller may try another. {@code redirectable}: the caller has another instance,
     * so refuse rather than queue while no worker is ready. Any thread may call it.
     */
    CompletionStage<Answer> score(String requestId, byte[] body, HttpParts http, boolean redirectable);
  }

  private final Map<String, Instance> instances = new ConcurrentHashMap<>();
  /** When a member last joined the cluster (ms, 0: none since this node started); the node's listener sets it. */
  private volatile long memberJoinedAt;

  public void register(String id, Instance instance) {
    instances.put(id, instance);
  }

  public void unregister(String id) {
    instances.remove(id);
  }

  public Instance get(String id) {
    return instances.get(id);
  }

  /** A member joined (a split may be healing): the instances say again that they exist ({@link Reassertion}). */
  public void memberJoined() {
    memberJoinedAt = System.currentTimeMillis();
  }

  public long memberJoinedAt() {
    return memberJoinedAt;
  }
}
