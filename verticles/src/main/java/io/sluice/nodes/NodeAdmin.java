package io.sluice.nodes;

import io.sluice.auth.ClusterTrust;
import io.sluice.auth.SignedMap;
import io.sluice.auth.Versions;
import io.sluice.protocol.Addresses;
import io.sluice.protocol.ClusterCalls;
import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.DrainedNode;
import io.sluice.protocol.EndpointDoc;
import io.sluice.protocol.Errors;
import io.sluice.protocol.Events;
import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.NodeFacts;
import io.sluice.store.Store;
import io.sluice.supervisor.PlacementInputs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The control plane's view of the nodes ({@code sluice node list|drain|undrain}, {@code /api/nodes}): which nodes
 * there are, what they run, and which an operator drained. A drain is kept in the store by node name, so it
 * outlives the node's restarts; the leader reads it with the snapshot and places the node's instances elsewhere
 * (replacements Ready before the old ones drain). Runs on the endpoint-manager; drains and undrains one at a time
 * under a cluster lock, each judged against the others.
 */
public final class NodeAdmin {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  private final Vertx vertx;
  private final Store store;
  /** Runs work under the cluster-wide nodes lock. */
  private final Function<Supplier<Future<JsonObject>>, Future<JsonObject>> locked;

  public NodeAdmin(Vertx vertx, Store store, Function<Supplier<Future<JsonObject>>, Future<JsonObject>> locked) {
    this.vertx = vertx;
    this.store = store;
    this.locked = locked;
  }

  /** What the cluster looks like now, read once per call. */
  private record View(List<NodeFacts> nodes, List<InstanceInfo> instances, List<DrainedNode> drained,
                      List<Versions.Met> incompatible) {
    NodeFacts named(String name) {
      return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElse(null);
    }

    DrainedNode drainedNode(String name) {
      return drained.stream().filter(d -> d.name().equals(name)).findFirst().orElse(null);
    }
  }

  public Future<JsonObject> list() {
    return view().map(v -> NodeRows.list(v.nodes(), v.instances(), v.drained(), v.incompatible()));
  }

  public Future<JsonObject> get(String name) {
    checkName(name);
    return view().compose(v -> row(v, name));
  }

  /**
   * Drains {@code name}: refused (409, nothing changed) when its instances would find no room elsewhere; a node
   * drained already keeps its drain ({@code routers} as now asked).
   */
  public Future<JsonObject> drain(String name, boolean routers) {
    checkName(name);
    return locked.apply(() -> view().compose(v -> {
      NodeFacts node = v.named(name);
      if (node == null && v.drainedNode(name) == null) {
        return Future.failedFuture(Errors.notFound("node '" + name + "' is not a member of the cluster (see "
            + "sluice node list)"));
      }
      return (node == null || v.drainedNode(name) != null ? Future.<Void>succeededFuture() : roomElsewhere(v, node))
          .compose(ok -> vertx.executeBlocking(() -> {
            DrainedNode was = v.drainedNode(name);
            DrainedNode now = new DrainedNode(name, routers, was != null ? was.sinceSeconds()
                : System.currentTimeMillis() / 1000);
            store.put(Store.NODE, name, now.toJson());
            return now;
          }, false))
          .compose(d -> announced(name));
    }));
  }

  /** Undrains {@code name}: it takes instances again (the leader spreads new ones; running ones are not moved). */
  public Future<JsonObject> undrain(String name) {
    checkName(name);
    return locked.apply(() -> view().compose(v -> {
      if (v.named(name) == null && v.drainedNode(name) == null) {
        return Future.failedFuture(Errors.notFound("node '" + name + "' is not a member of the cluster and not "
            + "drained (see sluice node list)"));
      }
      return vertx.executeBlocking(() -> {
        store.write(List.of(Store.Write.delete(Store.NODE, name)));
        return null;
      }, false).compose(x -> announced(name));
    }));
  }

  /**
   * The routers and the leader learn at once (they would within 2 s anyway); the answer is the node's row now (a
   * node undrained while it is not running has none left: it is Stopped and not drained).
   */
  private Future<JsonObject> announced(String name) {
    vertx.eventBus().publish(Addresses.EVENTS, Events.drains());
    return view().compose(v -> row(v, name)).recover(err -> Future.succeededFuture(new JsonObject().put("name", name)
        .put("state", "Stopped").put("drained", false).put("routers_drained", false).put("instances", 0)));
  }

  private Future<JsonObject> row(View v, String name) {
    JsonObject row = NodeRows.list(v.nodes(), v.instances(), v.drained(), v.incompatible()).getJsonArray("value")
        .stream().map(o -> (JsonObject) o).filter(r -> name.equals(r.getString("name"))).findFirst().orElse(null);
    return row != null ? Future.succeededFuture(row)
        : Future.failedFuture(Errors.notFound("node '" + name + "' not found (see sluice node list)"));
  }

  private Future<Void> roomElsewhere(View v, NodeFacts node) {
    return vertx.executeBlocking(() -> {
      List<DeploymentDoc> deployments = store.list(Store.DEPLOYMENT, "").stream().map(DeploymentDoc::fromJson)
          .map(d -> d.scaleSettings().autoscaled() ? d.withInstanceCount(Math.max(1, (int) v.instances().stream()
              .filter(i -> i.deploymentKey().equals(d.key())).count())) : d).toList();
      Map<String, String> computes = new HashMap<>();
      store.list(Store.ENDPOINT, "").forEach(e -> {
        EndpointDoc ep = EndpointDoc.fromJson(e);
        computes.put(ep.name(), ep.computeName());
      });
      PlacementInputs in = PlacementInputs.of(deployments, computes,
          new HashSet<>(((VertxInternal) vertx).clusterManager().getNodes()), v.nodes(), v.instances(), v.drained());
      String why = DrainCheck.refusal(in, node.nodeId(), node.name());
      if (why != null) {
        throw Errors.conflict(why);
      }
      return null;
    }, false);
  }

  private Future<View> view() {
    ClusterTrust trust = ClusterTrust.of(vertx);
    return Future.all(ClusterCalls.bounded(trust.nodes().refresh(), "the node list"),
            ClusterCalls.bounded(SignedMap.of(vertx, Addresses.INSTANCES_MAP).compose(SignedMap::values),
                "the instance list"),
            vertx.executeBlocking(() -> store.list(Store.NODE, "").stream().map(DrainedNode::fromJson).toList(), false))
        .map(all -> new View(all.resultAt(0), all.<List<JsonObject>>resultAt(1).stream().map(InstanceInfo::fromJson)
            .toList(), all.resultAt(2), trust.versions().incompatible()));
  }

  private static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw Errors.badRequest("name: a node name is 1-100 letters, digits, '.', '_' or '-', starting with a letter "
          + "or digit; got '" + name + "'");
    }
  }
}
