package io.sluice.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What one load hub heard from the routers since its last digest, merged per second and deployment: published on
 * {@link Addresses#LOAD} about once a second. Each {@link LoadReport} in it covers one second and carries the hub's
 * node id as its {@code router}: the sum of every router that reported that second to this hub (in flight summed
 * too, latency histograms merged, at most a few mismatch samples). A second whose reports straddle two digests comes
 * in two parts, which add up.
 */
public record LoadDigest(String hub, List<LoadReport> seconds) {

  public static LoadDigest fromJson(JsonObject j) {
    List<LoadReport> out = new ArrayList<>();
    j.getJsonArray("seconds", new JsonArray()).forEach(o -> out.add(LoadReport.fromJson((JsonObject) o)));
    return new LoadDigest(j.getString("hub"), out);
  }

  public JsonObject toJson() {
    JsonArray out = new JsonArray();
    seconds.forEach(r -> out.add(r.toJson()));
    return new JsonObject().put("hub", hub).put("seconds", out);
  }
}
