package io.sluice.endpoints;

import io.sluice.protocol.ValidationException;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The query of {@code GET …/deployments/{d}/collected}: {@code collection} (required), {@code since} (a duration back
 * from now such as 90s, 30m, 1h, 7d, or an ISO instant; default 24h) and {@code limit} (1 to 10000, default 100).
 * Pure apart from the clock.
 */
final class CollectedParams {
  private static final Pattern AGO = Pattern.compile("(\\d{1,7})(s|m|h|d)");

  private CollectedParams() {
  }

  static JsonObject of(MultiMap q) {
    String collection = q.get("collection");
    if (collection == null || collection.isBlank()) {
      throw new ValidationException("collection: required (request, response, or a collection of the deployment)");
    }
    return new JsonObject().put("collection", collection).put("since", since(q.get("since"),
        System.currentTimeMillis() / 1000)).put("limit", limit(q.get("limit")));
  }

  static long since(String v, long now) {
    if (v == null) {
      return now - 86_400;
    }
    Matcher m = AGO.matcher(v.trim());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return now - n * switch (m.group(2)) {
        case "s" -> 1;
        case "m" -> 60;
        case "h" -> 3600;
        default -> 86_400;
      };
    }
    try {
      return Instant.parse(v.trim()).getEpochSecond();
    } catch (DateTimeParseException e) {
      throw new ValidationException("since: a duration back from now (90s, 30m, 1h, 7d) or an ISO time such as "
          + "2026-12-03T10:00:00Z; got '" + v + "'");
    }
  }

  static int limit(String v) {
    if (v == null) {
      return 100;
    }
    if (!v.matches("\\d{1,5}") || Integer.parseInt(v) < 1 || Integer.parseInt(v) > 10_000) {
      throw new ValidationException("limit: a whole number from 1 to 10000; got '" + v + "'");
    }
    return Integer.parseInt(v);
  }
}
