package io.sluice.rollout;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The traffic map of a rollout step: the target gets its step's percent and the other deployments share the rest
 * in the proportions they had before the rollout, in whole percents that sum to exactly 100 (largest remainder;
 * ties to the larger previous weight, then to the name). Pure.
 */
public final class Weights {
  private Weights() {
  }

  /** {@code before}: the traffic map when the rollout started; it must give some weight to a deployment other than
   * {@code target} unless {@code percent} is 100. */
  public static Map<String, Integer> at(Map<String, Integer> before, String target, int percent) {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("percent must be 0..100");
    }
    Map<String, Integer> others = new LinkedHashMap<>();
    before.forEach((d, w) -> {
      if (!d.equals(target) && w > 0) {
        others.put(d, w);
      }
    });
    int rest = 100 - percent;
    long total = others.values().stream().mapToLong(Integer::longValue).sum();
    Map<String, Integer> out = new LinkedHashMap<>();
    out.put(target, percent);
    if (rest == 0) {
      others.keySet().forEach(d -> out.put(d, 0));
      return out;
    }
    if (total == 0) {
      throw new IllegalArgumentException("no live deployment besides '" + target + "' to share " + rest + "%");
    }
    List<String> names = new ArrayList<>(others.keySet());
    int given = 0;
    for (String d : names) {
      int share = (int) (rest * (long) others.get(d) / total);
      out.put(d, share);
      given += share;
    }
    names.sort(Comparator.<String>comparingLong(d -> -((rest * (long) others.get(d)) % total))
        .thenComparing(d -> -others.get(d)).thenComparing(d -> d));
    for (int i = 0; given < rest; i++, given++) {
      out.merge(names.get(i % names.size()), 1, Integer::sum);
    }
    return out;
  }
}
