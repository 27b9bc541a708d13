package io.sluice.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The harness's own arithmetic: where a router switched, percentiles, growth exponents, how nodes spread. */
class ScalePureTest {
  private static RouterWatch.Seen seen(long ms, String dep) {
    return new RouterWatch.Seen(ms, dep);
  }

  @Test
  void aRouterSwitchedAfterTheLastOldAnswerAndAtTheFirstNewOneThatLasted() {
    RouterWatch.Switched s = RouterWatch.Switch.at(List.of(seen(1, "a"), seen(4, "b"), seen(7, "a"), seen(10, "b"),
        seen(13, "b")), "b");
    assertThat(s).isEqualTo(new RouterWatch.Switched(7, 10));
    assertThat(RouterWatch.Switch.at(List.of(seen(1, "a"), seen(4, null)), "b").done()).isFalse();
    assertThat(RouterWatch.Switch.at(List.of(seen(1, "b")), "b")).isEqualTo(new RouterWatch.Switched(-1, 1));
  }

  @Test
  void percentilesByNearestRank() {
    List<Long> v = new java.util.ArrayList<>();
    for (long i = 1; i <= 200; i++) {
      v.add(i);
    }
    assertThat(Percentiles.of(v).getLong("p50")).isEqualTo(100);
    assertThat(Percentiles.of(v).getLong("p99")).isEqualTo(198);
    assertThat(Percentiles.of(v).getLong("max")).isEqualTo(200);
    assertThat(Percentiles.of(List.of()).getValue("p99")).isNull();
  }

  @Test
  void theExponentOfLinearAndQuadraticGrowth() {
    assertThat(ScaleReport.slope(List.of(new double[] {3, 6}, new double[] {10, 20}, new double[] {30, 60})))
        .isCloseTo(1.0, within(1e-9));
    assertThat(ScaleReport.slope(List.of(new double[] {3, 9}, new double[] {10, 100}, new double[] {30, 900})))
        .isCloseTo(2.0, within(1e-9));
    assertThat(ScaleReport.slope(List.of(new double[] {3, 9}))).isNull();
  }

  @Test
  void nodesSpreadEvenlyOverTheJvms() {
    assertThat(ScaleSettings.spread(28, 3)).containsExactly(10, 9, 9);
    assertThat(ScaleSettings.spread(1, 3)).containsExactly(1);
  }

  @Test
  void trafficRatesAreDeltasPerSecondInTotalAndPerNode() {
    io.vertx.core.json.JsonObject a = new io.vertx.core.json.JsonObject().put("events", 10)
        .put("maps", new io.vertx.core.json.JsonObject().put("m", new io.vertx.core.json.JsonObject().put("writes", 5)));
    io.vertx.core.json.JsonObject b = a.copy().put("events", 30);
    io.vertx.core.json.JsonObject before = Traffic.sum(List.of(a, a));
    io.vertx.core.json.JsonObject after = Traffic.sum(List.of(b, a.copy().put("maps",
        new io.vertx.core.json.JsonObject().put("m", new io.vertx.core.json.JsonObject().put("writes", 45)))));
    io.vertx.core.json.JsonObject r = Traffic.rates(before, after, 10, 4);
    assertThat(r.getJsonObject("total_per_s").getDouble("events")).isEqualTo(2.0);
    assertThat(r.getJsonObject("per_node_per_s").getDouble("events")).isEqualTo(0.5);
    assertThat(ScaleReport.mapOps(r.getJsonObject("total_per_s"))).isEqualTo(4.0);
  }
}
