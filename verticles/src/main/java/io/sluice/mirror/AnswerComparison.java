package io.sluice.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares a mirror's answer with the live answer to the same request: the status first; then, when both bodies are
 * JSON, their structure and values (numbers within {@code |mirror - live| <= atol + rtol * |live|}, like numpy's
 * {@code allclose}); otherwise the bytes. Paths in {@code ignore} (e.g. {@code $.timestamp}, {@code $.items[*].id})
 * are expected to differ. Pure; the router runs it on the answers it already holds.
 */
public final class AnswerComparison {
  /** Trailing bytes after a JSON value make a body non-JSON (compared by bytes), not the same value. */
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  /** At most this many differing paths are listed; the count of differences is still exact in kind. */
  static final int MAX_PATHS = 20;

  /**
   * How a pair of answers compares; NOT_COMPARED: there was no pair to compare (an answer too large, a mirror that
   * never ran or did not answer in time), never a result of {@link #compare}.
   */
  public enum Kind {
    AGREED, STATUS, STRUCTURE, VALUE, NOT_COMPARED;

    /** The metric label and the load report's field: {@code agreed} … {@code not_compared}. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The outcome and, for a mismatch, the JSON paths that differ (at most {@link #MAX_PATHS}). */
  private static final Result AGREED = new Result(Kind.AGREED, List.of());

  public record Result(Kind kind, List<String> paths) {
    public boolean agreed() {
      return kind == Kind.AGREED;
    }
  }

  public record Tolerance(double rtol, double atol, Set<String> ignore) {
    public static final Tolerance DEFAULT = new Tolerance(1e-5, 1e-8, Set.of());
  }

  private AnswerComparison() {
  }

  public static Result compare(int liveStatus, byte[] live, int mirrorStatus, byte[] mirror, Tolerance t) {
    if (liveStatus != mirrorStatus) {
      return new Result(Kind.STATUS, List.of("status " + liveStatus + " != " + mirrorStatus));
    }
    if (Arrays.equals(live, mirror)) {
      return AGREED; // the common case for a good model: no parsing at all
    }
    JsonNode a = parse(live);
    JsonNode b = parse(mirror);
    if (a == null || b == null) {
      return Arrays.equals(live, mirror) ? new Result(Kind.AGREED, List.of())
          : new Result(a == null && b == null ? Kind.VALUE : Kind.STRUCTURE, List.of("$"));
    }
    Diff d = new Diff(t);
    d.walk("$", a, b);
    if (d.structure) {
      return new Result(Kind.STRUCTURE, d.paths);
    }
    return d.paths.isEmpty() ? new Result(Kind.AGREED, List.of()) : new Result(Kind.VALUE, d.paths);
  }

  private static JsonNode parse(byte[] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) { // JsonProcessingException too: not JSON
      return null;
    }
  }

  private static final class Diff {
    final Tolerance t;
    final List<String> paths = new ArrayList<>();
    boolean structure;

    Diff(Tolerance t) {
      this.t = t;
    }

    void differs(String path, boolean structural) {
      structure |= structural;
      if (paths.size() < MAX_PATHS) {
        paths.add(path);
      }
    }

    boolean ignored(String path) {
      return t.ignore().contains(path) || t.ignore().contains(path.replaceAll("\\[\\d+]", "[*]"));
    }

    void walk(String path, JsonNode live, JsonNode mirror) {
      if (ignored(path)) {
        return;
      }
      if (live.isNumber() && mirror.isNumber()) {
        double a = live.doubleValue();
        double b = mirror.doubleValue();
        if (!(Math.abs(b - a) <= t.atol() + t.rtol() * Math.abs(a)) && !(Double.isNaN(a) && Double.isNaN(b))) {
          differs(path, false);
        }
      } else if (live.getNodeType() != mirror.getNodeType()) {
        differs(path, true);
      } else if (live.isObject()) {
        Set<String> names = new TreeSet<>();
        live.fieldNames().forEachRemaining(names::add);
        mirror.fieldNames().forEachRemaining(names::add);
        for (String n : names) {
          String p = path + "." + n;
          JsonNode x = live.get(n);
          JsonNode y = mirror.get(n);
          if (x == null || y == null) {
            if (!ignored(p)) {
              differs(p, true);
            }
          } else {
            walk(p, x, y);
          }
        }
      } else if (live.isArray()) {
        if (live.size() != mirror.size()) {
          differs(path, true);
          return;
        }
        Iterator<JsonNode> x = live.elements();
        Iterator<JsonNode> y = mirror.elements();
        for (int i = 0; x.hasNext(); i++) {
          walk(path + "[" + i + "]", x.next(), y.next());
        }
      } else if (!live.equals(mirror)) {
        differs(path, false);
      }
    }
  }
}
