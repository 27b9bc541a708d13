package io.sluice.router;

import io.sluice.channel.ChannelFrames;
import io.sluice.channel.ChannelHandshake;
import io.sluice.protocol.Answer;
import io.sluice.scorer.ChunkStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.sluice.protocol.LengthPrefixed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This router's connection to one node's scoring channel ({@link io.sluice.channel.ChannelVerticle}). Made on the
 * router's event loop, so its reads, its calls and their deadlines all run there: nothing is handed across threads.
 * Usable once both sides proved they are nodes; each call has an id, a deadline timer, and answers come back in
 * any order. A call on a connection that is not ready was never sent (the dispatcher may try another instance);
 * calls sent when the connection drops get a 500 at once (they may have run).
 */
final class ChannelConnection {
  private static final Logger LOG = LoggerFactory.getLogger(ChannelConnection.class);

  private enum State { CONNECTING, READY, CLOSED }


  private final Vertx vertx;
  final String node;
  final String address;
  private final ChannelHandshake handshake;
  private final long handshakeMs;
  private final Map<Long, Pending> pending = new HashMap<>();
  private final byte[] clientNonce = ChannelHandshake.nonce();
  private State state = State.CONNECTING;
  private NetSocket socket;
  private long nextId;
  private Handler<ChannelConnection> onChange = c -> { };

  ChannelConnection(Vertx vertx, String node, String address, ChannelHandshake handshake, long handshakeMs) {
    this.handshakeMs = handshakeMs;
    this.vertx = vertx;
    this.node = node;
    this.address = address;
    this.handshake = handshake;
  }

  /**
   * Connects and shakes hands; {@code changed} is told when the connection is ready, and once when it ends. A
   * listener that has not proved itself within {@code handshakeMs} is left (and tried again later).
   */
  void open(NetClient client, Handler<ChannelConnection> changed) {
    onChange = changed;
    vertx.setTimer(handshakeMs, t -> {
      if (state == State.CONNECTING) {
        LOG.warn("scoring channel to node {} at {}: no handshake within {} ms; closed", node, address, handshakeMs);
        close();
      }
    });
    int colon = address.lastIndexOf(':');
    client.connect(Integer.parseInt(address.substring(colon + 1)), address.substring(0, colon)).onComplete(ar -> {
      if (ar.failed()) {
        LOG.debug("scoring channel to node {} at {}: {}", node, address, ar.cause().toString());
        lost();
        return;
      }
      socket = ar.result();
      if (state == State.CLOSED) {
        socket.close();
        return;
      }
      new LengthPrefixed(socket, 1, () -> state == State.READY ? Integer.MAX_VALUE : 128, this::record,
          length -> socket.close()).exceptionHandler(err -> socket.close());
      socket.closeHandler(v -> lost());
      socket.write(ChannelFrames.hello(clientNonce)); // with the handlers in place: the answer cannot be missed
    });
  }

  boolean ready() {
    return state == State.READY;
  }

  boolean closed() {
    return state == State.CLOSED;
  }

  void call(ScorerTransport.Call c, Handler<Answer> done) {
    if (state != State.READY) {
      done.handle(new Answer.NeverRan("no channel to node " + node));
      return;
    }
    long id = ++nextId;
    Pending p = new Pending(done, c.deadlineMs());
    pending.put(id, p);
    p.timer = vertx.setTimer(c.deadlineMs(), t -> {
      if (pending.remove(id) != null) {
        done.handle(new Answer.Failed(true, "no answer from instance " + c.instance() + " within " + c.deadlineMs()
            + " ms"));
      }
    });
    if (outgoing == null) {
      outgoing = Buffer.buffer(4096);
      vertx.getOrCreateContext().runOnContext(v -> flush());
    }
    ChannelFrames.call(new ChannelFrames.Call(id, c.instance(), c.requestId(), c.http(), c.redirectable(),
        c.mirror(), c.body()), outgoing);
  }

  /**
   * Calls made in one turn of the event loop (the requests of every HTTP connection that was readable) leave in one
   * write, after the turn: one system call for many requests instead of one each.
   */
  private void flush() {
    Buffer out = outgoing;
    outgoing = null;
    if (state == State.READY) {
      sentUpTo = nextId;
      socket.write(out);
    }
  }

  private Buffer outgoing;
  /** Calls with a greater id were never written: lost with the connection, they provably never ran. */
  private long sentUpTo;

  void close() {
    if (socket != null) {
      socket.close();
    }
    lost();
  }

  private void record(Buffer b) {
    try {
      frame(b.getByte(0), b.slice(1, b.length()));
    } catch (RuntimeException e) {
      LOG.warn("scoring channel to node {}: a malformed frame ({}); closed", node, e.toString());
      socket.close();
    }
  }

  private void frame(byte type, Buffer p) {
    if (type == ChannelFrames.READY) {
      ready(p);
    } else if (type == ChannelFrames.ANSWER || type == ChannelFrames.FAILED || type == ChannelFrames.STREAM) {
      ChannelFrames.Reply r = ChannelFrames.reply(type, p);
      Pending w = take(r.id());
      if (w == null && r.streamed()) {
        socket.write(ChannelFrames.cancel(r.id())); // its caller gave up (the deadline): nobody reads it
      } else if (w != null && r.streamed()) {
        RemoteStream rest = new RemoteStream(this, r.id(), w.deadlineMs);
        streams.put(r.id(), rest);
        socket.write(ChannelFrames.more(r.id(), RemoteStream.WINDOW));
        Answer.Answered a = (Answer.Answered) r.answer();
        deliver(w, a.withRest(rest, a.body()));
      } else if (w != null) {
        deliver(w, r.answer());
      }
    } else if (type == ChannelFrames.CHUNK || type == ChannelFrames.END) {
      ChannelFrames.Piece piece = ChannelFrames.piece(type, p);
      RemoteStream rest = streams.get(piece.id());
      if (rest != null) {
        rest.piece(piece);
      }
    } else {
      socket.close();
    }
  }

  /**
   * Hands an answer to the caller. What the caller's handler throws is our own bug, not a malformed frame: it is
   * logged, and the connection and the other calls on it go on.
   */
  private void deliver(Pending w, Answer r) {
    try {
      w.done.handle(r);
    } catch (RuntimeException e) {
      LOG.error("scoring channel to node {}: a caller's answer handler failed", node, e);
    }
  }

  /** The server's nonce and proof: checked, then this side's proof, after which calls may follow at once. */
  private void ready(Buffer p) {
    int n = ChannelHandshake.NONCE_BYTES;
    if (state != State.CONNECTING || p.length() != 2 * n
        || !ChannelHandshake.same(handshake.serverProof(p.getBytes(0, n), clientNonce, identity()), p.getBytes(n, 2 * n))) {
      LOG.warn("scoring channel to node {} at {}: the listener did not prove itself a node; closed", node, address);
      socket.close();
      return;
    }
    socket.write(ChannelFrames.proof(handshake.clientProof(p.getBytes(0, n), clientNonce, identity())));
    state = State.READY;
    onChange.handle(this);
  }

  private String identity() {
    return ChannelHandshake.identity(node, address);
  }

  private Pending take(long id) {
    Pending w = pending.remove(id);
    if (w != null) {
      vertx.cancelTimer(w.timer);
    }
    return w;
  }

  private void lost() {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    List<RemoteStream> broken = List.copyOf(streams.values());
    streams.clear();
    broken.forEach(s -> s.settle("lost the scoring channel to node " + node + " mid-stream"));
    List<Map.Entry<Long, Pending>> lost = new ArrayList<>(pending.entrySet());
    pending.clear();
    for (Map.Entry<Long, Pending> w : lost) {
      vertx.cancelTimer(w.getValue().timer);
      w.getValue().done.handle(w.getKey() > sentUpTo
          ? new Answer.NeverRan("the scoring channel to node " + node + " closed")
          : new Answer.Failed(false, "lost the scoring channel to node " + node + " while the request was out"));
    }
    onChange.handle(this);
  }

  private static final class Pending {
    final Handler<Answer> done;
    final long deadlineMs;
    long timer;

    Pending(Handler<Answer> done, long deadlineMs) {
      this.done = done;
      this.deadlineMs = deadlineMs;
    }
  }

  /** Streams coming over this connection, by call id. */
  private final Map<Long, RemoteStream> streams = new HashMap<>();

  /** For a stream of this connection: its frame to the node, unless the connection is gone. */
  void send(Buffer frame) {
    if (state == State.READY) {
      socket.write(frame);
    }
  }

  /** A stream of this connection is over: pieces for its id are dropped from now on. Whether it was still here. */
  boolean forget(long id, RemoteStream s) {
    return streams.remove(id, s);
  }

  Vertx vertx() {
    return vertx;
  }
}
