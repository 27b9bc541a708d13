package io.sluice.bridge;

import io.sluice.protocol.Addresses;
import io.sluice.protocol.FrameBudget;
import io.sluice.protocol.Sockets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * Large frames being read share the server's {@link FrameBudget} and must be whole within {@code frameTimeoutMs};
 * answers to a client that does not read them stop the reading of its requests (its write queue is full), and a
 * client that stays so for {@code writeStallMs} is closed.
 */
final class BridgeConnection {
  private static final Logger LOG = LoggerFactory.getLogger(BridgeConnection.class);
  private final Vertx vertx;
  private final NetSocket socket;
  private final BridgeSettings settings;
  private final LengthPrefixed frames;
  private int inFlight;
  private boolean closing;
  /** The timer that closes a client whose write queue stays full; -1 when it is not full. */
  private long stalled = -1;

  BridgeConnection(Vertx vertx, NetSocket socket, BridgeSettings settings, FrameBudget budget, Runnable closed) {
    this.vertx = vertx;
    this.socket = socket;
    this.settings = settings;
    frames = new LengthPrefixed(socket, 2, settings::maxFrameBytes, this::record, length -> refuseAndClose("frame of "
        + length + " bytes; the limit is " + settings.maxFrameBytes()))
        .bounded(vertx, budget, settings.frameTimeoutMs(), () -> {
          LOG.debug("bridge: {} did not finish a frame within {} ms; closed", socket.remoteAddress(),
              settings.frameTimeoutMs());
          Sockets.abort(socket);
        });
    socket.closeHandler(v -> {
      frames.end();
      if (stalled >= 0) {
        vertx.cancelTimer(stalled);
      }
      closed.run();
    });
    socket.exceptionHandler(err -> socket.close());
    socket.drainHandler(v -> unstalled());
    socket.shutdownHandler(v -> { // the node is stopping: read nothing new, answer what is open, then close
      closing = true;
      frames.hold(LengthPrefixed.IN_FLIGHT, true);
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
      frames.hold(LengthPrefixed.IN_FLIGHT, true);
    }
    vertx.eventBus().<JsonObject>request(Addresses.INVOKE, body, options).onComplete(ar -> {
      if (inFlight-- >= settings.maxInFlight() && !closing) {
        frames.hold(LengthPrefixed.IN_FLIGHT, false);
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
    if (socket.writeQueueFull() && stalled < 0) { // the client does not read: read no more of its requests
      frames.hold(LengthPrefixed.WRITES, true);
      stalled = vertx.setTimer(settings.writeStallMs(), t -> {
        LOG.debug("bridge: {} read no answer for {} ms; closed", socket.remoteAddress(), settings.writeStallMs());
        Sockets.abort(socket); // its unread answers would hold a plain close forever
      });
    }
  }

  private void unstalled() {
    if (stalled >= 0) {
      vertx.cancelTimer(stalled);
      stalled = -1;
      frames.hold(LengthPrefixed.WRITES, false);
    }
  }

  private void refuseAndClose(String why) {
    socket.handler(null);
    socket.write(BridgeFrames.frame(BridgeFrames.error(why))).onComplete(ar -> socket.close());
  }
}
