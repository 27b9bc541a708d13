package io.sluice.collect;

import io.sluice.protocol.ValidationException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deployment's {@code data_collector}, checked, in Azure's fields: {@code collections.<name>.enabled} ('True' or
 * 'False' as Azure writes them, or booleans), {@code collections.<name>.data.{name, path, version}},
 * {@code sampling_rate} (0 to 1, default 1), {@code rolling_rate} (Minute, Hour, Day, Month, Year; any case; default
 * Hour), {@code request_logging.capture_headers}; and Sluice's {@code retention} (how long files are kept, default
 * 7d). A path is the collection's own folder, as Azure's default {@code …/<endpoint>/<deployment>/<collection>} is:
 * an absolute folder on the node, a {@code file://} URI, or Azure's {@code azureml://datastores/<store>/paths/<p>},
 * kept under the node's {@code collected/datastores/<store>/<p>}. Every refusal names the field and the rule. Pure.
 */
public record DataCollection(Map<String, Collection> collections, double samplingRate, RollingRate rollingRate,
                             List<String> captureHeaders, Duration retention) {

  /** One collection: whether it is on, and its folder ({@code null}: the node's default). */
  public record Collection(boolean enabled, String path, String dataName, int version) {
  }

  public enum RollingRate {
    Minute("yyyy/MM/dd/HH/mm"), Hour("yyyy/MM/dd/HH"), Day("yyyy/MM/dd"), Month("yyyy/MM"), Year("yyyy");

    /** The folders a file sits in under its collection, as a {@link java.time.format.DateTimeFormatter} pattern. */
    public final String folders;

    RollingRate(String folders) {
      this.folders = folders;
    }
  }

  /** Azure's reserved collections: the raw HTTP payloads, collected without any change to score.py. */
  public static final String REQUEST = "request";
  public static final String RESPONSE = "response";
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
  private static final Set<String> FIELDS = Set.of("collections", "sampling_rate", "rolling_rate", "request_logging",
      "retention");
  private static final Set<String> COLLECTION_FIELDS = Set.of("enabled", "data", "client_id");
  private static final Set<String> DATA_FIELDS = Set.of("name", "path", "version");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern HEADER = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}");
  /** Azure's datastore path: its store and the path in it. */
  static final Pattern DATASTORE = Pattern.compile("azureml://datastores/([A-Za-z0-9_-]{1,64})/paths/(.+)");
  private static final Pattern DURATION = Pattern.compile("(\\d{1,6})(m|h|d)");
  private static final String P = "data_collector.";

  /** Whether collection {@code name} is on. */
  public boolean enabled(String name) {
    Collection c = collections.get(name);
    return c != null && c.enabled();
  }

  /** Whether the raw payloads are collected (request or response on). */
  public boolean payloads() {
    return enabled(REQUEST) || enabled(RESPONSE);
  }

  public static DataCollection parse(Object value) {
    if (!(value instanceof JsonObject o)) {
      throw new ValidationException("data_collector: must be a map with 'collections'");
    }
    unknown(P, o, FIELDS);
    if (!(o.getValue("collections") instanceof JsonObject cs) || cs.isEmpty()) {
      throw new ValidationException(P + "collections: required, a map of collection names (request, response, or "
          + "your Collector's names) to {enabled: 'True'}");
    }
    Map<String, Collection> collections = new LinkedHashMap<>();
    for (String name : cs.fieldNames()) {
      String f = P + "collections." + name;
      if (!NAME.matcher(name).matches()) {
        throw new ValidationException(f + ": a collection name is 1 to 64 letters, digits, '_' or '-'");
      }
      collections.put(name, collection(f, cs.getValue(name)));
    }
    return new DataCollection(collections, samplingRate(o.getValue("sampling_rate")),
        rollingRate(o.getValue("rolling_rate")), headers(o.getValue("request_logging")),
        retention(o.getValue("retention")));
  }

  private static Collection collection(String f, Object v) {
    if (!(v instanceof JsonObject c)) {
      throw new ValidationException(f + ": must be a map such as {enabled: 'True'}");
    }
    unknown(f + ".", c, COLLECTION_FIELDS);
    boolean enabled = bool(f + ".enabled", c.getValue("enabled", false));
    Object d = c.getValue("data");
    if (d == null) {
      return new Collection(enabled, null, null, 1);
    }
    if (!(d instanceof JsonObject data)) {
      throw new ValidationException(f + ".data: must be a map with name, path, version");
    }
    unknown(f + ".data.", data, DATA_FIELDS);
    Object name = data.getValue("name");
    if (name != null && !(name instanceof String)) {
      throw new ValidationException(f + ".data.name: must be a string");
    }
    Object version = data.getValue("version", 1);
    if (!(version instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.intValue() < 1) {
      throw new ValidationException(f + ".data.version: a whole number from 1; got '" + version + "'");
    }
    return new Collection(enabled, path(f + ".data.path", data.getValue("path")), (String) name, n.intValue());
  }

  /** Azure writes 'True' and 'False' (strings); booleans are taken too. */
  static boolean bool(String f, Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(s.toLowerCase(Locale.ROOT));
    }
    throw new ValidationException(f + ": 'True' or 'False'; got '" + v + "'");
  }

  private static String path(String f, Object v) {
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s) || s.isBlank()) {
      throw new ValidationException(f + ": a folder path, a file:// URI or azureml://datastores/<store>/paths/<path>");
    }
    String p = s.trim();
    if (p.startsWith("azureml://")) {
      if (!DATASTORE.matcher(p).matches()) {
        throw new ValidationException(f + ": an azureml:// path must be azureml://datastores/<store>/paths/<path>; "
            + "got '" + p + "'");
      }
    } else {
      String local = p.startsWith("file://") ? p.substring("file://".length()) : p;
      if (!local.startsWith("/")) {
        throw new ValidationException(f + ": an absolute folder on the node (or file:///folder); got '" + p + "'");
      }
    }
    if (p.contains("/../") || p.endsWith("/..") || p.indexOf('\0') >= 0) {
      throw new ValidationException(f + ": '..' is not allowed in a path; got '" + p + "'");
    }
    return p;
  }

  private static double samplingRate(Object v) {
    if (v == null) {
      return 1.0;
    }
    double d;
    try {
      d = v instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(v));
    } catch (NumberFormatException e) {
      d = Double.NaN;
    }
    if (!(d >= 0 && d <= 1)) {
      throw new ValidationException(P + "sampling_rate: a number from 0 to 1 (the fraction of requests collected); "
          + "got '" + v + "'");
    }
    return d;
  }

  private static RollingRate rollingRate(Object v) {
    if (v == null) {
      return RollingRate.Hour;
    }
    for (RollingRate r : RollingRate.values()) {
      if (r.name().equalsIgnoreCase(String.valueOf(v).trim())) {
        return r;
      }
    }
    throw new ValidationException(P + "rolling_rate: Minute, Hour, Day, Month or Year; got '" + v + "'");
  }

  private static List<String> headers(Object v) {
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof JsonObject rl)) {
      throw new ValidationException(P + "request_logging: must be a map with capture_headers");
    }
    unknown(P + "request_logging.", rl, Set.of("capture_headers"));
    Object ch = rl.getValue("capture_headers", new JsonArray());
    if (!(ch instanceof JsonArray names) || names.size() > 32) {
      throw new ValidationException(P + "request_logging.capture_headers: a list of at most 32 header names");
    }
    List<String> out = new ArrayList<>();
    for (Object n : names) {
      if (!(n instanceof String s) || !HEADER.matcher(s).matches()) {
        throw new ValidationException(P + "request_logging.capture_headers: '" + n + "' is not a header name");
      }
      out.add(s.toLowerCase(Locale.ROOT));
    }
    return out;
  }

  private static Duration retention(Object v) {
    if (v == null) {
      return DEFAULT_RETENTION;
    }
    Matcher m = DURATION.matcher(String.valueOf(v).trim());
    Duration d = !m.matches() ? null : Duration.ofMinutes(Long.parseLong(m.group(1))
        * ("m".equals(m.group(2)) ? 1 : "h".equals(m.group(2)) ? 60 : 1440));
    if (d == null || d.toMinutes() < 1 || d.toDays() > 3650) {
      throw new ValidationException(P + "retention: how long collected files are kept, such as 90m, 24h or 7d "
          + "(1m to 3650d); got '" + v + "'");
    }
    return d;
  }

  /** "7d", "36h", "90m": the largest whole unit. */
  static String duration(Duration d) {
    long m = d.toMinutes();
    return m % 1440 == 0 ? m / 1440 + "d" : m % 60 == 0 ? m / 60 + "h" : m + "m";
  }

  private static void unknown(String prefix, JsonObject o, Set<String> known) {
    for (String k : o.fieldNames()) {
      if (!known.contains(k)) {
        throw new ValidationException(prefix + k + ": unknown field (known: " + String.join(", ", new TreeSet<>(known))
            + ")");
      }
    }
  }

  /** As stored: Azure's fields with their defaults filled in. */
  public JsonObject toJson() {
    JsonObject cs = new JsonObject();
    collections.forEach((name, c) -> {
      JsonObject j = new JsonObject().put("enabled", c.enabled() ? "True" : "False");
      if (c.path() != null || c.dataName() != null) {
        JsonObject data = new JsonObject().put("version", c.version());
        if (c.path() != null) {
          data.put("path", c.path());
        }
        if (c.dataName() != null) {
          data.put("name", c.dataName());
        }
        j.put("data", data);
      }
      cs.put(name, j);
    });
    JsonObject out = new JsonObject().put("collections", cs).put("sampling_rate", samplingRate)
        .put("rolling_rate", rollingRate.name()).put("retention", duration(retention));
    if (!captureHeaders.isEmpty()) {
      out.put("request_logging", new JsonObject().put("capture_headers", new JsonArray(new ArrayList<>(captureHeaders))));
    }
    return out;
  }
}
