package io.sluice.channel;

import io.sluice.protocol.Answer;
import io.sluice.protocol.Hop;
import io.sluice.protocol.Streams;
import io.sluice.scorer.ChunkStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
      gone = true;
      frames.end();
      List.copyOf(streams.values()).forEach(o -> o.rest.cancel()); // their router is gone: so are their clients
      streams.clear();
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
    } else if (type == ChannelFrames.MORE || type == ChannelFrames.CANCEL) {
      steer(type, payload);
    } else {
      socket.close();
    }
  }

  /** A router's credit for a stream, or its cancel; one for a stream that is over already is dropped. */
  private void steer(byte type, Buffer payload) {
    Outgoing o;
    int credit;
    try {
      o = streams.get(ChannelFrames.streamId(payload));
      credit = type == ChannelFrames.MORE ? ChannelFrames.credit(payload) : 0;
    } catch (RuntimeException e) {
      LOG.warn("scoring channel: a malformed stream frame from {}; closed", socket.remoteAddress());
      socket.close();
      return;
    }
    if (o == null) {
      return;
    }
    if (type == ChannelFrames.CANCEL) {
      streams.remove(o.id);
      o.rest.cancel();
    } else {
      o.credit = Math.min(64, o.credit + credit);
      o.pump();
    }
  }

  /** The socket closed: streams that begin now are cancelled at once. */
  private boolean gone;
  /** Streamed answers this session is sending, by call id. */
  private final Map<Long, Outgoing> streams = new HashMap<>();

  /** One streamed answer going to the router: a chunk is pulled from the instance per credit the router gave. */
  private final class Outgoing {
    final long id;
    final ChunkStream rest;
    int credit;
    boolean pulling;

    Outgoing(long id, ChunkStream rest) {
      this.id = id;
      this.rest = rest;
    }

    void pump() {
      if (pulling || credit == 0) {
        return;
      }
      pulling = true;
      credit--;
      rest.next().whenComplete((b, err) -> Hop.to(context, () -> {
        pulling = false;
        if (streams.get(id) != this) {
          return; // cancelled, or the socket closed
        }
        if (err != null || b == null) {
          streams.remove(id);
          write(ChannelFrames.end(id, err == null ? null : Streams.message(err)));
        } else {
          write(ChannelFrames.chunk(id, b));
          pump();
        }
      }));
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
        Hop.to(context, () -> answer(c.id(), a != null ? a : Answer.failure(err))));
  }

  /** An answer back to the router; a streamed one's chunks follow as the router gives credit. */
  private void answer(long id, Answer a) {
    if (a instanceof Answer.Answered s && s.rest() != null) {
      if (gone) {
        s.rest().cancel();
        return;
      }
      streams.put(id, new Outgoing(id, s.rest()));
    }
    write(ChannelFrames.answer(id, a));
  }

  private void write(Buffer frame) {
    socket.write(frame);
    if (socket.writeQueueFull()) {
      frames.hold(LengthPrefixed.WRITES, true);
    }
  }
}
