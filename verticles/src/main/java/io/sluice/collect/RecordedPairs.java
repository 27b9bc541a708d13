package io.sluice.collect;

import io.sluice.protocol.DeploymentDoc;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a replay sends and compares: the newest collected requests of the live deployments, each with the response
 * collected for it (the same correlation id). A request whose response was not collected (not sampled, dropped, or
 * the instance never answered) is left out: there is nothing to compare its answer with.
 */
public final class RecordedPairs {
  private RecordedPairs() {
  }

  /** The newest {@code n} pairs {request, response}, newest first. */
  public static List<JsonObject> pair(List<JsonObject> requests, List<JsonObject> responses, int n) {
    Map<String, JsonObject> answers = new HashMap<>();
    responses.forEach(r -> answers.putIfAbsent(r.getString("correlationid", ""), r));
    List<JsonObject> out = new ArrayList<>();
    requests.stream().sorted(Comparator.comparing((JsonObject r) -> r.getString("time", "")).reversed())
        .forEach(req -> {
          JsonObject resp = answers.get(req.getString("correlationid", ""));
          if (resp != null && out.size() < n) {
            out.add(new JsonObject().put("request", req).put("response", resp));
          }
        });
    return out;
  }

  /** The newest {@code n} pairs over the deployments, from every node's files. */
  public static Future<JsonArray> fetch(Vertx vertx, List<DeploymentDoc> live, int n) {
    List<Future<JsonObject>> asked = new ArrayList<>();
    for (DeploymentDoc d : live) {
      asked.add(CollectedQuery.ask(vertx, d, DataCollection.REQUEST, 0, n));
      asked.add(CollectedQuery.ask(vertx, d, DataCollection.RESPONSE, 0, Math.min(10_000, n * 2)));
    }
    return Future.all(asked).map(all -> {
      List<JsonObject> requests = new ArrayList<>();
      List<JsonObject> responses = new ArrayList<>();
      for (int i = 0; i < asked.size(); i++) {
        List<JsonObject> into = i % 2 == 0 ? requests : responses;
        asked.get(i).result().getJsonArray("value").forEach(o -> into.add((JsonObject) o));
      }
      return new JsonArray(new ArrayList<>(pair(requests, responses, n)));
    });
  }
}
