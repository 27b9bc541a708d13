package io.sluice.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.autoscale.Autoscaler.Decision;
import io.sluice.autoscale.Autoscaler.Second;
import io.sluice.protocol.ScaleSettings;
import io.sluice.protocol.ValidationException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class AutoscalerTest {
  static final ScaleSettings S = new ScaleSettings(ScaleSettings.TARGET_UTILIZATION, 1, 8, 1, 70, 60);

  static List<Second> load(long from, long to, double inFlight) {
    List<Second> out = new ArrayList<>();
    for (long t = from; t <= to; t++) {
      out.add(new Second(t, inFlight));
    }
    return out;
  }

  @Test
  void aSteadyLoadGetsTheCountThatKeepsItAtTheTarget() {
    // 3 in flight, one request per instance at 70 %: ceil(3 / 0.7) = 5
    Decision d = Autoscaler.decide(S, 1, 1, load(0, 100, 3), 100, 0);
    assertThat(d.desired()).isEqualTo(5);
    assertThat(d.reason()).startsWith("scale up");
    assertThat(d.utilizationPercent()).isEqualTo(300.0);
    // at 5 it stays
    assertThat(Autoscaler.decide(S, 5, 1, load(0, 100, 3), 100, 0).desired()).isEqualTo(5);
    // more concurrency per instance needs fewer
    assertThat(Autoscaler.decide(S, 1, 4, load(0, 100, 3), 100, 0).desired()).isEqualTo(2);
  }

  @Test
  void aBurstScalesUpAtOnceAndMaxInstancesHolds() {
    List<Second> seconds = load(0, 94, 0.2);
    seconds.addAll(load(95, 100, 20)); // the last 6 s
    Decision d = Autoscaler.decide(S, 1, 1, seconds, 100, 0);
    assertThat(d.desired()).isEqualTo(8);
    assertThat(d.reason()).contains("held at max_instances 8");
  }

  @Test
  void downOnlyAfterAWholeQuietWindowAndOneAtATime() {
    List<Second> seconds = load(0, 50, 3);
    seconds.addAll(load(51, 100, 0.5)); // quiet for 50 s only: the window (60 s) still saw the load
    assertThat(Autoscaler.decide(S, 5, 1, seconds, 100, 0).desired()).isEqualTo(5);
    List<Second> quiet = load(0, 100, 0.5); // quiet for the whole window: one step down
    Decision d = Autoscaler.decide(S, 5, 1, quiet, 100, 0);
    assertThat(d.desired()).isEqualTo(4);
    assertThat(d.reason()).startsWith("scale down by one");
    // a window not watched in full (a new leader, or a scale-up 30 s ago) does not scale down
    assertThat(Autoscaler.decide(S, 5, 1, quiet, 100, 70).desired()).isEqualTo(5);
    // no load at all: down to min_instances, never below
    assertThat(Autoscaler.decide(S, 1, 1, List.of(), 100, 0).desired()).isEqualTo(1);
    ScaleSettings twoAtLeast = new ScaleSettings(ScaleSettings.TARGET_UTILIZATION, 2, 8, 1, 70, 60);
    assertThat(Autoscaler.decide(twoAtLeast, 1, 1, List.of(), 100, 0).desired()).isEqualTo(2);
  }

  @Test
  void settingsFollowAzuresDefaultsAndRules() {
    ScaleSettings d = ScaleSettings.validate(new JsonObject().put("type", "target_utilization"), 1000);
    assertThat(d).isEqualTo(new ScaleSettings("target_utilization", 1, 1, 1, 70, 60));
    assertThat(ScaleSettings.validate(new JsonObject().put("type", "default").put("min_instances", 9), 1000))
        .isEqualTo(ScaleSettings.FIXED);
    assertThat(ScaleSettings.validate(null, 1000).toJson()).isEqualTo(new JsonObject().put("type", "default"));
    for (String[] bad : new String[][] {
        {"{\"type\": \"target_utilization\", \"min_instances\": 3, \"max_instances\": 2}", "scale_settings.min_instances: must not be more than max_instances (2)"},
        {"{\"type\": \"target_utilization\", \"min_instances\": 0}", "scale_settings.min_instances: must be from 1 to 1000"},
        {"{\"type\": \"target_utilization\", \"max_instances\": 1001}", "scale_settings.max_instances: must be from 1 to 1000"},
        {"{\"type\": \"target_utilization\", \"target_utilization_percentage\": 0}", "scale_settings.target_utilization_percentage: must be from 1 to 100"},
        {"{\"type\": \"target_utilization\", \"target_utilization_percentage\": 101}", "scale_settings.target_utilization_percentage: must be from 1 to 100"},
        {"{\"type\": \"target_utilization\", \"polling_interval\": \"x\"}", "scale_settings.polling_interval: must be a whole number"},
        {"{\"type\": \"target_utilization\", \"speed\": 1}", "scale_settings.speed: unknown field"},
        {"{\"type\": \"manual\"}", "scale_settings.type: must be 'default' or 'target_utilization'"}}) {
      Assertions.assertThatThrownBy(() -> ScaleSettings.validate(new JsonObject(bad[0]), 1000))
          .isInstanceOf(ValidationException.class).hasMessageContaining(bad[1]);
    }
  }
}
