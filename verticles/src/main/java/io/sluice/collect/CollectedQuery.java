package io.sluice.collect;

import io.sluice.auth.ClusterTrust;
import io.sluice.protocol.ClusterCalls;
import io.sluice.protocol.Addresses;
import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.NodeFacts;
import io.sluice.protocol.SupervisorOrders;
import io.sluice.protocol.ValidationException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * get-collected-data: every node's supervisor reads the records it holds ({@link #readHere}, files written by the
 * instances it hosted), the control plane asks them all and keeps the newest {@code limit}, with the nodes that did
 * not answer named. Orders travel as every supervisor order does (proved, to proved nodes only).
 */
public final class CollectedQuery {
  private CollectedQuery() {
  }

  /** This node's records of the order's collection. */
  public static SupervisorOrders.Records readHere(Path home, SupervisorOrders.Collected c) throws Exception {
    DataCollection dc = DataCollection.parse(c.dataCollector());
    DataCollection.Collection col = dc.collections().get(c.collection());
    Path folder = CollectionFolders.folder(home, c.endpoint(), c.deployment(), c.collection(), col);
    return new SupervisorOrders.Records(new JsonArray(new ArrayList<>(CollectedReader.newest(folder, dc.rollingRate(),
        Instant.ofEpochSecond(c.since()), c.limit()))));
  }

  /** The deployment's settings, and the collection checked against them (a 400 naming what there is). */
  public static JsonObject settings(DeploymentDoc d, String collection) {
    Object spec = d.spec().getValue("data_collector");
    if (spec == null) {
      throw new ValidationException("collection: deployment '" + d.name() + "' has no data_collector");
    }
    DataCollection dc = DataCollection.parse(spec);
    if (!dc.collections().containsKey(collection)) {
      throw new ValidationException("collection: '" + collection + "' is not a collection of deployment '" + d.name()
          + "' (collections: " + new TreeSet<>(dc.collections().keySet()) + ")");
    }
    return dc.toJson();
  }

  /** Asks every proved node; the newest {@code limit} records of them all. */
  public static Future<JsonObject> ask(Vertx vertx, DeploymentDoc d, String collection, long since, int limit) {
    SupervisorOrders.Collected order = new SupervisorOrders.Collected(d.endpoint(), d.name(), collection,
        settings(d, collection), since, limit);
    return ClusterCalls.bounded(ClusterTrust.of(vertx).nodes().refresh(), "the node list").compose(nodes -> {
      List<Future<Message<JsonObject>>> asked = new ArrayList<>();
      for (NodeFacts n : nodes) {
        asked.add(vertx.eventBus().request(Addresses.supervisor(n.nodeId()), order.toJson(),
            new DeliveryOptions().setSendTimeout(15_000)));
      }
      return Future.join(asked).transform(done -> {
        List<JsonObject> all = new ArrayList<>();
        JsonArray unanswered = new JsonArray();
        for (int i = 0; i < asked.size(); i++) {
          Future<Message<JsonObject>> f = asked.get(i);
          if (f.succeeded()) {
            f.result().body().getJsonArray("records", new JsonArray()).forEach(r -> all.add((JsonObject) r));
          } else {
            unanswered.add(nodes.get(i).name() + ": " + f.cause().getMessage());
          }
        }
        all.sort(Comparator.comparing((JsonObject r) -> r.getString("time", "")).reversed());
        JsonArray value = new JsonArray(new ArrayList<>(all.subList(0, Math.min(limit, all.size()))));
        return Future.succeededFuture(new JsonObject().put("value", value).put("nodes_asked", nodes.size())
            .put("unanswered", unanswered));
      });
    });
  }
}
