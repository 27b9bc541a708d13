package io.sluice.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The "type" values of messages published on {@link Addresses#EVENTS}, and the messages themselves. */
public final class Events {
  private Events() {
  }

  public static final String TYPE = "type";
  /**
   * An endpoint, its keys, traffic or one of its deployments changed; field "endpoint". Sent to routers with the
   * new documents ({@link DesiredChange}); published for the supervisors without them.
   */
  public static final String DESIRED_CHANGED = "desired";
  /**
   * The id of one desired-state change, in what routers are sent and in the notice published afterwards: a router
   * that was sent the change does not read the whole state again on the notice.
   */
  public static final String CHANGE = "change";
  /** A node joined, left or is leaving; the leader re-plans. */
  public static final String NODE = "node";
  /** One instance changed state; the {@link InstanceInfo} is in field "instance". */
  public static final String INSTANCE = "instance";
  static final String READY_SIBLINGS = "ready_siblings";

  public static JsonObject instance(InstanceInfo i) {
    return new JsonObject().put(TYPE, INSTANCE).put("instance", i.toJson());
  }

  /**
   * An instance about to drain, told to every router with the Ready instances of its deployment as its node read
   * them: a router knows the replacements without reading the whole instance map (one read per drain, not one per
   * router per drain).
   */
  public static JsonObject draining(InstanceInfo i, List<InstanceInfo> readySiblings) {
    JsonArray ready = new JsonArray();
    readySiblings.forEach(r -> ready.add(r.toJson()));
    return instance(i).put(READY_SIBLINGS, ready);
  }

  /** The Ready instances a {@link #draining} event carries; null if it carries none (its node could not read them). */
  public static List<InstanceInfo> readySiblings(JsonObject event) {
    JsonArray ready = event.getJsonArray(READY_SIBLINGS);
    return ready == null ? null : ready.stream().map(o -> InstanceInfo.fromJson((JsonObject) o)).toList();
  }

  /** The instance of an {@link #INSTANCE} event. */
  public static InstanceInfo instanceOf(JsonObject event) {
    return InstanceInfo.fromJson(event.getJsonObject("instance"));
  }

  /** The notice that an endpoint's desired state changed (the documents go to routers only). */
  public static JsonObject desired(String endpoint) {
    return new JsonObject().put(TYPE, DESIRED_CHANGED).put("endpoint", endpoint);
  }

  /** Nodes were drained or undrained: routers read the whole snapshot again, the leader re-plans. */
  public static JsonObject drains() {
    return new JsonObject().put(TYPE, DESIRED_CHANGED);
  }

  public static JsonObject node(JsonObject facts) {
    return new JsonObject().put(TYPE, NODE).put("node", facts);
  }
}
