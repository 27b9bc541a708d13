package io.sluice.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class WeightsTest {
  @Test
  void theWalkthroughsSteps() {
    Map<String, Integer> before = Map.of("blue", 100);
    assertThat(Weights.at(before, "green", 10)).isEqualTo(Map.of("green", 10, "blue", 90));
    assertThat(Weights.at(before, "green", 100)).isEqualTo(Map.of("green", 100, "blue", 0));
  }

  @Test
  void othersKeepTheirProportionsInWholePercents() {
    Map<String, Integer> before = new LinkedHashMap<>(Map.of("blue", 60, "red", 30, "green", 10));
    assertThat(Weights.at(before, "green", 25)).isEqualTo(Map.of("green", 25, "blue", 50, "red", 25));
    Map<String, Integer> thirds = new LinkedHashMap<>(Map.of("a", 34, "b", 33, "c", 33));
    assertThat(Weights.at(thirds, "new", 50)).isEqualTo(Map.of("new", 50, "a", 17, "b", 17, "c", 16));
  }

  @Test
  void aTargetWithNoOneToShareWithIsRefused() {
    assertThatThrownBy(() -> Weights.at(Map.of("green", 100), "green", 50))
        .hasMessage("no live deployment besides 'green' to share 50%");
  }

  @Property
  void alwaysSumsToAHundredAndGivesTheTargetItsPercent(@ForAll @IntRange(min = 1, max = 100) int a,
                                                       @ForAll @IntRange(min = 0, max = 100) int b,
                                                       @ForAll @IntRange(min = 0, max = 100) int step) {
    Map<String, Integer> before = new LinkedHashMap<>();
    before.put("a", a);
    before.put("b", b);
    Map<String, Integer> w = Weights.at(before, "t", step);
    assertThat(w.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(100);
    assertThat(w.get("t")).isEqualTo(step);
    assertThat(w.values()).allMatch(v -> v >= 0);
    if (step < 100 && b == 0) {
      assertThat(w.get("a")).isEqualTo(100 - step);
    }
  }
}
