package io.sluice.scale;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** p50, p99 and max of a small sample (nearest rank; with under 100 values p99 is the maximum). Pure. */
final class Percentiles {
  private Percentiles() {
  }

  static JsonObject of(List<Long> values) {
    List<Long> v = new ArrayList<>(values);
    Collections.sort(v);
    return new JsonObject().put("n", v.size()).put("p50", rank(v, 0.50)).put("p99", rank(v, 0.99))
        .put("max", v.isEmpty() ? null : v.get(v.size() - 1));
  }

  static Long rank(List<Long> sorted, double q) {
    if (sorted.isEmpty()) {
      return null;
    }
    int i = (int) Math.ceil(q * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }
}
