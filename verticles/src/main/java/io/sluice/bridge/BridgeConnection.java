package io.sluice.bridge;

import io.sluice.protocol.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.sluice.protocol.LengthPrefixed;

/**
 * One application's connection to the bridge. Only {@code send} to {@code sluice.invoke} with a reply address goes
 * through (the answer or the failure comes back on that reply address); {@code ping} gets {@code pong}; every other
 * frame is refused. Memory stays bounded: a frame longer than the limit closes the connection before its bytes are
 * read, and at most {@code maxInFlight} requests are open per connection (the socket stops being read beyond that).
 */
final class BridgeConnection {
  private final Vertx vertx;
  private final NetSocket socket;
  private final BridgeSettings settings;
  private int inFlight;
  private boolean closing;

  BridgeConnection(Vertx vertx, NetSocket socket, BridgeSettings settings) {
    this.vertx = vertx;
    this.socket = socket;
    this.settings = settings;
    new LengthPrefixed(socket, 2, settings::maxFrameBytes, this::record, length -> refuseAndClose("frame of "
        + length + " bytes; the limit is " + settings.maxFrameBytes()));
    socket.exceptionHandler(err -> socket.close());
    socket.shutdownHandler(v -> { // the node is stopping: read nothing new, answer what is open, then close
      closing = true;
      socket.pause();
      closeIfDone();
    });
  }

  private void closeIfDone() {
    if (closing && inFlight == 0) {
      socket.close();
    }
  }

  private void record(Buffer b) {
    JsonObject frame;
    try {
      frame = new JsonObject(b);
    } catch (DecodeException | ClassCastException e) {
      refuseAndClose("invalid_json");
      return;
    }
    handle(frame);
  }

  private void handle(JsonObject frame) {
    String type = String.valueOf(frame.getValue("type"));
    switch (type) {
      case "ping" -> write(new JsonObject().put("type", "pong"));
      case "send" -> send(frame);
      case "publish", "register", "unregister" -> write(BridgeFrames.error("access_denied"));
      default -> write(BridgeFrames.error("unknown_type"));
    }
  }

  private void send(JsonObject frame) {
    String address = frame.getValue("address") instanceof String s ? s : null;
    if (!Addresses.INVOKE.equals(address)) {
      write(BridgeFrames.error(address == null ? "missing_address" : "access_denied"));
      return;
    }
    String replyAddress = frame.getValue("replyAddress") instanceof String s ? s : null;
    if (replyAddress == null || !(frame.getValue("body") instanceof JsonObject body)) {
      write(BridgeFrames.error("sluice.invoke needs a replyAddress and a JSON object body"));
      return;
    }
    // client headers are not passed on: nothing a client writes can look like a node's message
    DeliveryOptions options = new DeliveryOptions().setLocalOnly(true).setSendTimeout(timeout(frame));
    if (++inFlight >= settings.maxInFlight()) {
      socket.pause();
    }
    vertx.eventBus().<JsonObject>request(Addresses.INVOKE, body, options).onComplete(ar -> {
      if (inFlight-- >= settings.maxInFlight() && !closing) {
        socket.resume();
      }
      if (ar.succeeded()) {
        write(BridgeFrames.message(replyAddress, ar.result().body()));
      } else if (ar.cause() instanceof ReplyException re) {
        write(BridgeFrames.failure(replyAddress, address, re.failureCode(), re.failureType().name(), re.getMessage()));
      } else {
        write(BridgeFrames.failure(replyAddress, address, 500, "RECIPIENT_FAILURE", ar.cause().toString()));
      }
      closeIfDone();
    });
  }

  /** The client's {@code headers.timeout} (ms), within the node's limit. */
  private long timeout(JsonObject frame) {
    Object t = frame.getValue("headers") instanceof JsonObject h ? h.getValue("timeout") : null;
    long asked = t instanceof Number n ? n.longValue() : settings.maxTimeoutMs();
    return Math.max(1, Math.min(asked, settings.maxTimeoutMs()));
  }

  private void write(JsonObject payload) {
    socket.write(BridgeFrames.frame(payload));
  }

  private void refuseAndClose(String why) {
    socket.handler(null);
    socket.write(BridgeFrames.frame(BridgeFrames.error(why))).onComplete(ar -> socket.close());
  }
}
