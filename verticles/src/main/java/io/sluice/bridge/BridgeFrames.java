package io.sluice.bridge;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The wire format of Vert.x's TCP event-bus bridge ({@code vertx-tcp-eventbus-bridge}): each frame is a 4-byte
 * big-endian length and that many bytes of UTF-8 JSON. Clients written for that bridge (its Node.js and Python
 * clients, {@code examples/bridge-client}) speak to Sluice unchanged.
 */
public final class BridgeFrames {
  private BridgeFrames() {
  }

  public static Buffer frame(JsonObject payload) {
    Buffer json = payload.toBuffer();
    return Buffer.buffer(json.length() + 4).appendInt(json.length()).appendBuffer(json);
  }

  /** The answer to a request: {@code address} is the client's reply address. */
  public static JsonObject message(String address, Object body) {
    return new JsonObject().put("type", "message").put("address", address).put("headers", new JsonObject())
        .put("body", body).put("send", true);
  }

  /** A failed request: {@code failureCode} is the HTTP status Sluice would have answered. */
  public static JsonObject failure(String replyAddress, String sourceAddress, int failureCode, String failureType,
                                   String message) {
    return new JsonObject().put("type", "err").put("address", replyAddress).put("sourceAddress", sourceAddress)
        .put("failureCode", failureCode).put("failureType", failureType).put("message", message);
  }

  /** A frame the bridge refuses ({@code access_denied}, {@code unknown_type}, ...), as the Vert.x bridge words it. */
  public static JsonObject error(String message) {
    return new JsonObject().put("type", "err").put("message", message);
  }
}
