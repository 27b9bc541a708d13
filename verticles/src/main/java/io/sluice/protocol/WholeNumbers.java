package io.sluice.protocol;

import io.vertx.core.json.JsonObject;

/** Whole-number fields of Azure's YAML, as the validators read them: a number or its digits, within bounds. */
public final class WholeNumbers {
  private WholeNumbers() {
  }

  /**
   * Field {@code f} of {@code o}: {@code dflt} when absent (required when {@code dflt} is null), else a whole number
   * from {@code min} to {@code max}; the error names {@code prefix + f} and the rule.
   */
  public static int field(JsonObject o, String f, Integer dflt, int min, int max, String prefix) {
    Object v = o.getValue(f);
    if (v == null) {
      if (dflt == null) {
        throw new ValidationException(prefix + f + ": required (a whole number from " + min + " to " + max + ")");
      }
      return dflt;
    }
    long n;
    if (v instanceof Integer || v instanceof Long || v instanceof Short) {
      n = ((Number) v).longValue();
    } else if (v instanceof String s && s.matches("-?\\d{1,10}")) {
      n = Long.parseLong(s);
    } else {
      throw new ValidationException(prefix + f + ": must be a whole number; got " + v);
    }
    if (n < min || n > max) {
      throw new ValidationException(prefix + f + ": must be from " + min + " to " + max + "; got " + n);
    }
    return (int) n;
  }
}
