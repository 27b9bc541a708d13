package io.sluice.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/** Parses az's traffic strings: {@code "blue=90 green=10"} (spaces or commas between pairs). */
final class TrafficArg {
  private TrafficArg() {
  }

  static Map<String, Integer> parse(String flag, String value) {
    Map<String, Integer> out = new LinkedHashMap<>();
    if (value == null || value.isBlank()) {
      throw new CliException(flag + ": expected name=percent pairs such as \"blue=90 green=10\"");
    }
    for (String pair : value.trim().split("[\\s,]+")) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || eq == pair.length() - 1) {
        throw new CliException(flag + ": '" + pair + "' is not name=percent (example: \"blue=90 green=10\")");
      }
      String name = pair.substring(0, eq).trim();
      String pct = pair.substring(eq + 1).trim();
      if (!pct.matches("\\d{1,3}")) {
        throw new CliException(flag + ": '" + pair + "': the percent must be a whole number from 0 to 100");
      }
      if (out.put(name, Integer.parseInt(pct)) != null) {
        throw new CliException(flag + ": deployment '" + name + "' is named twice");
      }
    }
    return out;
  }
}
