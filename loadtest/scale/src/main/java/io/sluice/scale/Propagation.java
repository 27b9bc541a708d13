package io.sluice.scale;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * How fast a traffic change reaches every router: ep-0's traffic flips between dep0 and dep1, {@code trials} times,
 * while {@link RouterWatch} scores against every router. Per router and trial: from the PATCH being sent to the
 * first request from which on that router answered only from the new deployment; and from its 200 to the last
 * request the old split still routed (0 when none was sent after the 200, as it should be: the 200 waits for every
 * router's acknowledgement).
 */
final class Propagation {
  /** A router that has not switched this long after the change counts as this late (and as stuck). */
  static final long GIVE_UP_MS = 10_000;
  private final Api api;
  private final List<String> routers;
  private final int trials;

  Propagation(Api api, List<String> routers, int trials) {
    this.api = api;
    this.routers = routers;
    this.trials = trials;
  }

  JsonObject measure() throws Exception {
    String key = api.cli("online-endpoint", "get-credentials", "-n", "ep-0", "-o", "tsv", "--query", "primaryKey");
    List<Long> fromRequest = new ArrayList<>();
    List<Long> from200 = new ArrayList<>();
    List<Long> answered = new ArrayList<>();
    int stuck = 0;
    try (RouterWatch watch = new RouterWatch(routers, "ep-0", key)) {
      String now = "dep0";
      awaitAll(watch, now, 0);
      for (int t = 0; t < trials; t++) {
        String next = now.equals("dep0") ? "dep1" : "dep0";
        long t0 = System.currentTimeMillis();
        api.traffic("ep-0", java.util.Map.of(next, 100, now, 0));
        long t200 = System.currentTimeMillis();
        answered.add(t200 - t0);
        for (RouterWatch.Switched a : awaitAll(watch, next, t0)) {
          stuck += a.done() ? 0 : 1;
          fromRequest.add((a.done() ? a.firstNew() : t0 + GIVE_UP_MS) - t0);
          // a request sent after the 200 that the old split still routed: the change had not reached this router
          long stale = a.done() ? a.lastOld() : t0 + GIVE_UP_MS;
          from200.add(Math.max(0, stale - t200));
        }
        watch.forgetBefore(System.currentTimeMillis());
        now = next;
      }
    }
    return new JsonObject().put("routers", routers.size()).put("trials", trials).put("stuck", stuck)
        .put("update_answered_ms", Percentiles.of(answered))
        .put("from_request_ms", Percentiles.of(fromRequest))
        .put("from_200_ms", Percentiles.of(from200));
  }

  /** Waits until every router answers from {@code deployment} for a while (or gives up); their switch times. */
  private List<RouterWatch.Switched> awaitAll(RouterWatch watch, String deployment, long fromMs) throws InterruptedException {
    long end = System.currentTimeMillis() + GIVE_UP_MS;
    while (true) {
      long now = System.currentTimeMillis();
      // a switch counts once the router has answered from the new deployment for 100 ms since
      List<RouterWatch.Switched> at = watch.switchedAt(deployment, fromMs, now);
      if (at.stream().allMatch(a -> a.done() && a.firstNew() < now - 100) || now > end) {
        return at;
      }
      Thread.sleep(20); // polling what the watchers saw; the condition is checked above
    }
  }
}
