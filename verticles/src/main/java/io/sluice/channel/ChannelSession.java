package io.sluice.channel;

import io.sluice.protocol.Answer;
import io.sluice.protocol.Hop;
import io.sluice.scoring.LocalInstances;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.sluice.auth.Unproved;
import io.sluice.protocol.FrameBudget;
import io.sluice.protocol.Sockets;
import io.sluice.protocol.LengthPrefixed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One router's connection to this node's scoring channel. Until the router has proved it is a node, only the
 * handshake's small frames are read (the router speaks first: HELLO, READY, PROOF) (a stranger can make it hold 128 bytes, for at most the handshake timeout);
 * then each CALL goes to its instance and its answer is written back whenever it comes, in any order.
 */
final class ChannelSession {
  private static final Logger LOG = LoggerFactory.getLogger(ChannelSession.class);
  /** The largest frame before the handshake: a PROOF is 65 bytes. */
  static final int HANDSHAKE_FRAME_BYTES = 128;

  private final Vertx vertx;
  private final io.vertx.core.Context context;
  private final NetSocket socket;
  private final ChannelHandshake handshake;
  private final ChannelVerticle.Settings settings;
  private final byte[] serverNonce = ChannelHandshake.nonce();
  private byte[] clientNonce;
  private boolean proved;

  /** "node id@host:port" of this node's channel, bound into both proofs. */
  private final String identity;
  private final FrameBudget budget;
  private LengthPrefixed frames;
  private final Runnable closed;
  private final Unproved unproved;
  private final LocalInstances locals;

  ChannelSession(Vertx vertx, NetSocket socket, ChannelHandshake handshake, ChannelVerticle.Settings settings,
                 String identity, FrameBudget budget, Runnable closed, Unproved unproved, LocalInstances locals) {
    this.locals = locals;
    this.unproved = unproved;
    this.closed = closed;
    this.identity = identity;
    this.budget = budget;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.socket = socket;
    this.handshake = handshake;
    this.settings = settings;
  }

  void start() {
    frames = new LengthPrefixed(socket, 1, () -> proved ? settings.maxFrameBytes() : HANDSHAKE_FRAME_BYTES,
        this::record, length -> {
          stranger("a frame of " + length + " bytes from " + socket.remoteAddress() + "; closed");
          socket.close();
        }).exceptionHandler(err -> socket.close()).bounded(vertx, budget, settings.frameTimeoutMs(), () -> {
          stranger(socket.remoteAddress() + " did not finish a frame within " + settings.frameTimeoutMs()
              + " ms; closed");
          Sockets.abort(socket);
        });
    socket.closeHandler(v -> {
      frames.end();
      closed.run();
    });
    // a router that does not read its answers: read none of its calls until it does
    socket.drainHandler(v -> frames.hold(LengthPrefixed.WRITES, false));
    vertx.setTimer(settings.handshakeTimeoutMs(), t -> {
      if (!proved) {
        stranger(socket.remoteAddress() + " did not prove itself a node within " + settings.handshakeTimeoutMs()
            + " ms; closed");
        socket.close();
      }
    });
  }

  private void record(Buffer b) {
    byte type = b.getByte(0);
    Buffer payload = b.slice(1, b.length());
    if (!proved) {
      prove(type, payload);
    } else if (type == ChannelFrames.CALL) {
      ChannelFrames.Call c;
      try {
        c = ChannelFrames.call(payload);
      } catch (RuntimeException e) {
        LOG.warn("scoring channel: a malformed call from {}; closed", socket.remoteAddress());
        socket.close();
        return;
      }
      serve(c);
    } else {
      socket.close();
    }
  }

  /** HELLO (the client's nonce), answered with this side's nonce and proof; then the client's PROOF. */
  private void prove(byte type, Buffer p) {
    int n = ChannelHandshake.NONCE_BYTES;
    if (clientNonce == null && type == ChannelFrames.HELLO && p.length() == n) {
      clientNonce = p.getBytes();
      socket.write(ChannelFrames.ready(serverNonce, handshake.serverProof(serverNonce, clientNonce, identity)));
      return;
    }
    if (clientNonce == null || type != ChannelFrames.PROOF || p.length() != n) {
      socket.close();
      return;
    }
    if (!ChannelHandshake.same(handshake.clientProof(serverNonce, clientNonce, identity), p.getBytes())) {
      stranger(socket.remoteAddress() + " failed the handshake (not a node of this cluster); closed");
      socket.close();
      return;
    }
    proved = true;
  }

  /** Before the peer proved itself, what it does is counted and logged at most once per 10 s; after, logged. */
  private void stranger(String what) {
    if (proved) {
      LOG.warn("scoring channel: {}", what);
    } else {
      unproved.refused(Unproved.Kind.channel, what);
    }
  }

  /**
   * Answers that complete on this event loop (built-in scorers answer inline) are written at once, others (Python,
   * Java workers) are handed to it: the socket is only ever written from its own loop.
   */
  private void serve(ChannelFrames.Call c) {
    LocalInstances.Instance instance = locals.get(c.instance());
    if (instance == null) {
      write(ChannelFrames.answer(c.id(), new Answer.NeverRan("instance " + c.instance() + " is not on this node")));
      return;
    }
    instance.score(c.requestId(), c.body().getBytes(), c.http(), c.redirectable()).whenComplete((a, err) ->
        Hop.to(context, () -> write(ChannelFrames.answer(c.id(), a != null ? a : Answer.failure(err)))));
  }

  private void write(Buffer frame) {
    socket.write(frame);
    if (socket.writeQueueFull()) {
      frames.hold(LengthPrefixed.WRITES, true);
    }
  }
}
