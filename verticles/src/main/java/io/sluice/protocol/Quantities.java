package io.sluice.protocol;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kubernetes resource quantities, as Azure's Kubernetes deployments write them (cpu "0.5"/"500m", memory "200Mi"). */
public final class Quantities {
  private static final Pattern CPU = Pattern.compile("(\\d+(?:\\.\\d+)?)(m?)");
  private static final Pattern MEMORY = Pattern.compile("(\\d+(?:\\.\\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T|k)?");

  private Quantities() {
  }

  /** A cpu quantity ("0.5", "2", "500m") in thousandths of a core. */
  public static long cpuMillis(String field, Object value) {
    Matcher m = CPU.matcher(String.valueOf(value).trim());
    if (!m.matches()) {
      throw new ValidationException(field + ": must be a number of cores ('0.5', '2') or millicores ('500m'); got "
          + value);
    }
    double n = Double.parseDouble(m.group(1));
    long millis = Math.round(m.group(2).isEmpty() ? n * 1000 : n);
    if (millis < 1 || millis > 1_000_000) {
      throw new ValidationException(field + ": must be from 1m to 1000 cores; got " + value);
    }
    return millis;
  }

  /** A memory quantity ("200Mi", "0.1Gi", "1G", "1048576") in bytes. */
  public static long memoryBytes(String field, Object value) {
    Matcher m = MEMORY.matcher(String.valueOf(value).trim());
    if (!m.matches()) {
      throw new ValidationException(field + ": must be bytes or a quantity such as '200Mi', '0.5Gi', '1G'; got "
          + value);
    }
    double n = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2);
    double factor = switch (unit) {
      case "Ki" -> 1024.0;
      case "Mi" -> 1024.0 * 1024;
      case "Gi" -> 1024.0 * 1024 * 1024;
      case "Ti" -> 1024.0 * 1024 * 1024 * 1024;
      case "K", "k" -> 1e3;
      case "M" -> 1e6;
      case "G" -> 1e9;
      case "T" -> 1e12;
      default -> 1;
    };
    long bytes = Math.round(n * factor);
    if (bytes < 1024 * 1024 || bytes > (1L << 50)) {
      throw new ValidationException(field + ": must be from 1Mi to 1Pi; got " + value);
    }
    return bytes;
  }
}
