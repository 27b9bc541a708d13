package io.sluice.router;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Smooth weighted round robin (nginx's): over any 100 consecutive picks with weights summing to 100, each
 * deployment is picked exactly its weight times, evenly interleaved. Not thread-safe: one per router context.
 */
public final class TrafficSplitter {
  private final String[] names;
  private final int[] weights;
  private final int[] current;
  private final int total;

  public TrafficSplitter(Map<String, Integer> weights) {
    Map<String, Integer> positive = new LinkedHashMap<>();
    weights.entrySet().stream().filter(e -> e.getValue() > 0).sorted(Map.Entry.comparingByKey())
        .forEach(e -> positive.put(e.getKey(), e.getValue()));
    this.names = positive.keySet().toArray(String[]::new);
    this.weights = positive.values().stream().mapToInt(Integer::intValue).toArray();
    this.current = new int[names.length];
    this.total = this.weights.length == 0 ? 0 : java.util.Arrays.stream(this.weights).sum();
  }

  /** The next deployment, or null when no deployment has a positive weight. */
  public String next() {
    if (names.length == 0) {
      return null;
    }
    int best = 0;
    for (int i = 0; i < names.length; i++) {
      current[i] += weights[i];
      if (current[i] > current[best]) {
        best = i;
      }
    }
    current[best] -= total;
    return names[best];
  }

  public boolean sameWeights(Map<String, Integer> other) {
    TrafficSplitter o = new TrafficSplitter(other);
    return java.util.Arrays.equals(names, o.names) && java.util.Arrays.equals(weights, o.weights);
  }
}
