package io.sluice.mirror;

import io.sluice.protocol.ValidationException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * An endpoint's {@code mirror_comparison} (a Sluice extension of Azure's endpoint YAML): how its mirrored answers
 * are compared with live answers. {@code ignore_paths}: JSON paths expected to differ ({@code $.timestamp},
 * {@code $.items[*].id}); {@code rtol}, {@code atol}: numpy's allclose tolerances (1e-5, 1e-8). Pure.
 */
public final class ComparisonSettings {
  private static final Set<String> FIELDS = Set.of("ignore_paths", "rtol", "atol");
  static final int MAX_PATHS = 50;

  private ComparisonSettings() {
  }

  /** Checks the field; answers it with every default filled in. */
  public static JsonObject validate(Object value) {
    if (!(value instanceof JsonObject o)) {
      throw new ValidationException("mirror_comparison: a map with ignore_paths, rtol, atol");
    }
    for (String f : o.fieldNames()) {
      if (!FIELDS.contains(f)) {
        throw new ValidationException("mirror_comparison." + f + ": unknown field (fields: ignore_paths, rtol, atol)");
      }
    }
    JsonArray paths = new JsonArray();
    Object p = o.getValue("ignore_paths");
    if (p != null) {
      if (!(p instanceof JsonArray a) || a.size() > MAX_PATHS) {
        throw new ValidationException("mirror_comparison.ignore_paths: a list of at most " + MAX_PATHS
            + " JSON paths such as $.timestamp or $.items[*].id");
      }
      for (Object x : a) {
        if (!(x instanceof String s) || !s.matches("\\$(\\.[^.\\[\\]]+|\\[(\\d+|\\*)])*") || s.length() > 200) {
          throw new ValidationException("mirror_comparison.ignore_paths: '" + x + "' is not a JSON path such as "
              + "$.timestamp or $.items[*].id");
        }
        paths.add(x);
      }
    }
    return new JsonObject().put("ignore_paths", paths)
        .put("rtol", number(o, "rtol", AnswerComparison.Tolerance.DEFAULT.rtol()))
        .put("atol", number(o, "atol", AnswerComparison.Tolerance.DEFAULT.atol()));
  }

  private static double number(JsonObject o, String f, double dflt) {
    Object v = o.getValue(f);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Number n) || n.doubleValue() < 0 || n.doubleValue() > 1e6 || Double.isNaN(n.doubleValue())) {
      throw new ValidationException("mirror_comparison." + f + ": a number from 0 to 1e6; got '" + v + "'");
    }
    return n.doubleValue();
  }

  /** The tolerance an endpoint's (validated) field asks for; Azure's defaults when it has none. */
  public static AnswerComparison.Tolerance tolerance(JsonObject settings) {
    if (settings == null) {
      return AnswerComparison.Tolerance.DEFAULT;
    }
    Set<String> ignore = new LinkedHashSet<>();
    settings.getJsonArray("ignore_paths", new JsonArray()).forEach(x -> ignore.add(String.valueOf(x)));
    AnswerComparison.Tolerance d = AnswerComparison.Tolerance.DEFAULT;
    return new AnswerComparison.Tolerance(settings.getDouble("rtol", d.rtol()), settings.getDouble("atol", d.atol()),
        Set.copyOf(ignore));
  }
}
