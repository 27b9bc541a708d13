package io.sluice.endpoints;

import io.sluice.protocol.Errors;
import io.sluice.store.Store;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Retry-safe control-plane writes: the answer to a change that carried {@code x-ms-client-request-id} is kept in the
 * store for {@link #WINDOW_SECONDS}, so a client that repeats the request (its first answer was lost to a timeout or
 * a dropped connection) gets that answer again instead of a 409 for a change that already happened. The same id with
 * a different request is a client error (400). Old answers are removed by the leader's janitor.
 */
public final class ClientRequests {
  /** The op field that carries the header's value from the REST door to the endpoint-manager. */
  public static final String FIELD = "client_request_id";
  public static final String HEADER = "x-ms-client-request-id";
  public static final long WINDOW_SECONDS = 600;
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

  private ClientRequests() {
  }

  /** The header's value, checked: at most 100 letters, digits and {@code . _ : -} (it becomes part of a key). */
  public static String checked(String header) {
    if (header == null || header.isEmpty()) {
      return null;
    }
    if (!VALID.matcher(header).matches()) {
      throw new io.sluice.protocol.ValidationException(HEADER + ": must be 1 to 100 letters, digits, '.', '_', ':' "
          + "or '-'");
    }
    return header;
  }

  /** The first answer to this request, if it was answered within the window; 400 if the id served another one. */
  public static Optional<JsonObject> replay(Store store, JsonObject op, long nowSeconds) throws SQLException {
    String id = op.getString(FIELD);
    if (id == null) {
      return Optional.empty();
    }
    Optional<JsonObject> rec = store.get(Store.CLIENT_REQUEST, id);
    if (rec.isEmpty() || nowSeconds - rec.get().getLong("at", 0L) > WINDOW_SECONDS) {
      return Optional.empty();
    }
    if (!fingerprint(op).equals(rec.get().getString("fingerprint"))) {
      throw Errors.badRequest(HEADER + ": '" + id + "' was sent with a different request less than "
          + WINDOW_SECONDS / 60 + " minutes ago; use a new id for a new request");
    }
    return Optional.of(rec.get().getJsonObject("answer"));
  }

  /** Keeps the answer to a request that carried an id. */
  public static void record(Store store, JsonObject op, JsonObject answer, long nowSeconds) throws SQLException {
    String id = op.getString(FIELD);
    if (id != null) {
      store.put(Store.CLIENT_REQUEST, id, new JsonObject().put("id", id).put("at", nowSeconds).put("fingerprint", fingerprint(op))
          .put("answer", answer));
    }
  }

  /** The request without its id: what a repeat must match. */
  static String fingerprint(JsonObject op) {
    JsonObject copy = op.copy();
    copy.remove(FIELD);
    return Uploads.id(copy.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** The ids whose window has passed (the janitor deletes them). */
  public static boolean expired(JsonObject record, long nowSeconds) {
    return nowSeconds - record.getLong("at", 0L) > WINDOW_SECONDS;
  }
}
