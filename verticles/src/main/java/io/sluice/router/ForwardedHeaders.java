package io.sluice.router;

import io.vertx.core.MultiMap;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The client's headers a scoring script may read: all but those that describe the connection or carry the caller's
 * key. A read-only view of the request's own headers, so the request path copies nothing; only a runtime that
 * hands them on (a Python worker, the event bus) walks them, once.
 */
final class ForwardedHeaders extends AbstractMap<String, String> {
  private static final String[] NOT_FORWARDED = {"authorization", "connection", "keep-alive", "transfer-encoding",
      "expect", "content-length", "upgrade", "te", "trailer", "proxy-authorization", "host"};

  private final MultiMap all;
  private Map<String, String> walked;

  ForwardedHeaders(MultiMap all) {
    this.all = all;
  }

  static boolean forwarded(String name) {
    for (String n : NOT_FORWARDED) {
      if (n.equalsIgnoreCase(name)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String get(Object key) {
    return key instanceof String k && forwarded(k) ? all.get(k) : null;
  }

  @Override
  public boolean containsKey(Object key) {
    return get(key) != null;
  }

  /** Repeated names are joined with ", " (as HTTP allows for most headers). */
  @Override
  public Set<Entry<String, String>> entrySet() {
    if (walked == null) {
      Map<String, String> m = new LinkedHashMap<>();
      for (Entry<String, String> h : all) {
        if (forwarded(h.getKey())) {
          m.merge(h.getKey(), h.getValue(), (a, b) -> a + ", " + b);
        }
      }
      walked = m;
    }
    return walked.entrySet();
  }
}
