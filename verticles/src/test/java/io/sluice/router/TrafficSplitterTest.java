package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TrafficSplitterTest {

  @Property
  void everyHundredPicksMatchTheWeightsExactly(@ForAll @IntRange(min = 0, max = 100) int a,
                                               @ForAll @IntRange(min = 0, max = 100) int b) {
    int x = Math.min(a, 100);
    int y = Math.min(b, 100 - x);
    Map<String, Integer> w = new LinkedHashMap<>(Map.of("blue", x, "green", y, "red", 100 - x - y));
    TrafficSplitter s = new TrafficSplitter(w);
    for (int round = 0; round < 3; round++) {
      Map<String, Integer> got = new HashMap<>();
      for (int i = 0; i < 100; i++) {
        got.merge(s.next(), 1, Integer::sum);
      }
      w.forEach((k, v) -> assertThat(got.getOrDefault(k, 0)).isEqualTo(v));
    }
  }

  @Test
  void ninetyTenIsInterleavedNotBunched() {
    TrafficSplitter s = new TrafficSplitter(Map.of("blue", 90, "green", 10));
    for (int block = 0; block < 10; block++) {
      int green = 0;
      for (int i = 0; i < 10; i++) {
        green += "green".equals(s.next()) ? 1 : 0;
      }
      assertThat(green).as("green picks in block %d of 10", block).isEqualTo(1);
    }
  }

  @Test
  void zeroWeightsGiveNothing() {
    assertThat(new TrafficSplitter(Map.of("blue", 0)).next()).isNull();
    assertThat(new TrafficSplitter(Map.of()).next()).isNull();
    assertThat(new TrafficSplitter(Map.of("blue", 100, "green", 0)).sameWeights(Map.of("blue", 100))).isTrue();
  }

  @Test
  void mirrorSamplerTakesExactlyItsShare() {
    for (int pct : List.of(0, 1, 10, 33, 50)) {
      MirrorSampler m = new MirrorSampler(pct);
      int n = 0;
      for (int i = 0; i < 1000; i++) {
        n += m.next() ? 1 : 0;
      }
      assertThat(n).isEqualTo(pct * 10);
    }
  }
}
