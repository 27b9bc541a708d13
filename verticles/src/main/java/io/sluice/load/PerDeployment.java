package io.sluice.load;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * Values per (endpoint, deployment), looked up with the two names as they are: no key string is built per request
 * (two hash look-ups on strings whose hashes are cached). Not thread-safe: each user keeps one on its event loop.
 */
public final class PerDeployment<T> {
  private final Map<String, Map<String, T>> byEndpoint = new HashMap<>();

  public T get(String endpoint, String deployment) {
    Map<String, T> m = byEndpoint.get(endpoint);
    return m == null ? null : m.get(deployment);
  }

  public T computeIfAbsent(String endpoint, String deployment, BiFunction<String, String, T> make) {
    Map<String, T> m = byEndpoint.get(endpoint);
    if (m == null) {
      m = new HashMap<>();
      byEndpoint.put(endpoint, m);
    }
    T v = m.get(deployment);
    if (v == null) {
      v = make.apply(endpoint, deployment);
      m.put(deployment, v);
    }
    return v;
  }

  public void put(String endpoint, String deployment, T value) {
    byEndpoint.computeIfAbsent(endpoint, k -> new HashMap<>()).put(deployment, value);
  }

  /** Removes the entries whose names match {@code gone}. */
  public void removeIf(BiPredicate<String, String> gone) {
    for (Iterator<Map.Entry<String, Map<String, T>>> it = byEndpoint.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Map<String, T>> e = it.next();
      e.getValue().keySet().removeIf(d -> gone.test(e.getKey(), d));
      if (e.getValue().isEmpty()) {
        it.remove();
      }
    }
  }

  /** Removes the entries whose values match {@code gone}; also the way to visit every value. */
  public void removeValues(Predicate<T> gone) {
    for (Iterator<Map<String, T>> it = byEndpoint.values().iterator(); it.hasNext(); ) {
      Map<String, T> m = it.next();
      m.values().removeIf(gone);
      if (m.isEmpty()) {
        it.remove();
      }
    }
  }
}
