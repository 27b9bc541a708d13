package io.sluice.protocol;

import io.vertx.core.json.JsonObject;

/**
 * What a node's supervisor ({@code sluice.supervisor.<node id>}) is told and answers: the leader orders an instance
 * spawned or stopped; the control plane asks for an instance's log. Typed both ways; the JSON is only the wire.
 */
public final class SupervisorOrders {
  private SupervisorOrders() {
  }

  /** One order. */
  public sealed interface Order {
    /** The instance the order is about (an id the supervisor checks before it names a log file with it). */
    String instanceId();

    JsonObject toJson();
  }

  /** Run {@code instance} of {@code deployment} on this node. Answered with a {@link Spawned}. */
  public record Spawn(InstanceInfo instance, DeploymentDoc deployment) implements Order {
    @Override
    public String instanceId() {
      return instance.id();
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put(Ops.OP, Ops.SPAWN).put("instance", instance.toJson())
          .put("deployment", deployment.toJson());
    }
  }

  /** Stop (drain) instance {@code instanceId}. Answered with a {@link Stopped}. */
  public record Stop(String instanceId) implements Order {
    @Override
    public JsonObject toJson() {
      return new JsonObject().put(Ops.OP, Ops.STOP).put("instance", instanceId);
    }
  }

  /** The last {@code lines} lines of instance {@code instanceId}'s log. Answered with a {@link Log}. */
  public record Logs(String instanceId, int lines) implements Order {
    @Override
    public JsonObject toJson() {
      return new JsonObject().put(Ops.OP, Ops.LOGS).put("instance", instanceId).put("lines", lines);
    }
  }

  /**
   * The order in {@code j}; a ValidationException (naming the field) for one that is not an order or lacks its
   * fields.
   */
  public static Order fromJson(JsonObject j) {
    String op = j.getValue(Ops.OP) instanceof String s ? s : "";
    try {
      return switch (op) {
        case Ops.SPAWN -> new Spawn(InstanceInfo.fromJson(j.getJsonObject("instance")),
            DeploymentDoc.fromJson(j.getJsonObject("deployment")));
        case Ops.STOP -> new Stop(j.getString("instance"));
        case Ops.LOGS -> new Logs(j.getString("instance"), j.getInteger("lines", 5000));
        default -> throw new ValidationException("op: unknown order '" + op + "'");
      };
    } catch (ValidationException e) {
      throw e;
    } catch (RuntimeException e) { // a missing or mistyped field
      throw new ValidationException(op + ": a malformed order (" + e.getMessage() + ")");
    }
  }

  /** The answer to a {@link Spawn}: false when the instance was stopped here before (it must not come back). */
  public record Spawned(boolean accepted) {
    public JsonObject toJson() {
      return new JsonObject().put("accepted", accepted);
    }

    public static Spawned fromJson(JsonObject j) {
      return new Spawned(Boolean.TRUE.equals(j.getBoolean("accepted")));
    }
  }

  /** The answer to a {@link Stop}: false when this node hosts no such instance (its map entry is stale). */
  public record Stopped(boolean known) {
    public JsonObject toJson() {
      return new JsonObject().put("known", known);
    }

    public static Stopped fromJson(JsonObject j) {
      return new Stopped(Boolean.TRUE.equals(j.getBoolean("known")));
    }
  }

  /** The answer to a {@link Logs}: the lines, as one text. */
  public record Log(String content) {
    public JsonObject toJson() {
      return new JsonObject().put("content", content);
    }
  }
}
