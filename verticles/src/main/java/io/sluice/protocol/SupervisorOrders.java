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
    /**
     * The instance the order is about (an id the supervisor checks before it names a log file with it); null for an
     * order about no instance.
     */
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
   * The newest {@code limit} records of collection {@code collection} of a deployment written on this node since
   * {@code since} (epoch seconds); {@code dataCollector} is the deployment's settings, where the folder and the
   * rolling rate come from. Answered with {@link Records}.
   */
  public record Collected(String endpoint, String deployment, String collection, JsonObject dataCollector, long since,
                          int limit) implements Order {
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public Collected {
      for (String n : new String[] {endpoint, deployment, collection}) {
        if (n == null || !NAME.matcher(n).matches()) {
          throw new ValidationException("collected: '" + n + "' is not a name");
        }
      }
      if (limit < 1 || limit > 10_000) {
        throw new ValidationException("limit: from 1 to 10000; got " + limit);
      }
    }

    @Override
    public String instanceId() {
      return null;
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put(Ops.OP, Ops.COLLECTED).put("endpoint", endpoint).put("deployment", deployment)
          .put("collection", collection).put("data_collector", dataCollector).put("since", since).put("limit", limit);
    }
  }

  /** The answer to a {@link Collected}: this node's records, newest first. */
  public record Records(io.vertx.core.json.JsonArray records) {
    public JsonObject toJson() {
      return new JsonObject().put("records", records);
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
        case Ops.COLLECTED -> new Collected(j.getString("endpoint"), j.getString("deployment"),
            j.getString("collection"), j.getJsonObject("data_collector"), j.getLong("since"), j.getInteger("limit"));
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
