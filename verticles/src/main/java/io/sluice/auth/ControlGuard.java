package io.sluice.auth;

import io.sluice.protocol.Addresses;
import io.sluice.protocol.ProtocolVersion;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.MultiMap;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closes the event bus to members that are not nodes. Every message this Vert.x sends to a Sluice address
 * ({@link Addresses#needsProof}), and every reply it sends to a proved request, gets a {@link ControlProof}; every
 * such message or reply that arrives over the wire without a valid one is refused and never reaches its handler (a
 * request gets failure 403; a reply is dropped, so the asker times out). A sent message's nonce is accepted once
 * (except on scorer addresses, where the reply is the only effect and goes back to the proved sender; a publish
 * reaches each local consumer through this check, so its repeats are left to the revisions events carry). Messages of
 * this Vert.x itself are not checked. Every proved message also says its protocol version ({@link Versions}): one
 * in a version this node does not read is refused like an unproved one, after its proof held, and its sender is
 * reported. Installed on each node before any actor starts; a trusted Vert.x service that holds the admin token
 * installs it the same way to send control ops.
 */
public final class ControlGuard {
  private static final String REPLY_PREFIX = "__vertx.reply.";
  /** How long a request may wait for its reply before its bookkeeping is dropped (longer than any send timeout). */
  private static final long PENDING_MS = 15 * 60_000;
  private static final String PROCESS = HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private final ControlProof proof;
  private final String self;
  private final Unproved unproved;
  private final Versions versions;
  /** Requests this Vert.x sent, by reply address: the nonce their reply must be bound to. */
  private final Map<String, Pending> awaiting = new ConcurrentHashMap<>();
  /** Requests this Vert.x received over the wire, by reply address: the nonce to bind the reply to. */
  private final Map<String, Pending> answering = new ConcurrentHashMap<>();
  /** Nonces of proved messages seen within the proof window: a repeat is a replay. */
  private final Map<String, Long> seen = new ConcurrentHashMap<>();

  private record Pending(String nonce, long atMs) {
  }

  private ControlGuard(ControlProof proof, String self, Unproved unproved, Versions versions) {
    this.proof = proof;
    this.self = self;
    this.unproved = unproved;
    this.versions = versions;
  }

  /**
   * Signs what {@code vertx} sends and checks what it receives. {@code self}: this Vert.x's cluster node id (the
   * sender the wire will name).
   */
  public static ControlGuard install(Vertx vertx, String rootSecret, String self, Unproved unproved,
                                     Versions versions) {
    ControlGuard g = new ControlGuard(new ControlProof(rootSecret), self, unproved, versions);
    EventBus bus = vertx.eventBus();
    bus.addOutboundInterceptor(g::sign);
    bus.addInboundInterceptor(g::check);
    vertx.setPeriodic(30_000, t -> g.sweep(System.currentTimeMillis()));
    return g;
  }

  /** For a trusted Vert.x service that holds the admin token (not a node): proves what it sends like a node. */
  public static ControlGuard install(Vertx vertx, String rootSecret) {
    return install(vertx, rootSecret, ((io.vertx.core.internal.VertxInternal) vertx).clusterManager().getNodeId(),
        new Unproved(null), new Versions(io.sluice.protocol.ProtocolVersion.CURRENT));
  }

  /** Messages and replies refused since start. */
  public long refused() {
    return unproved.count(Unproved.Kind.message) + unproved.count(Unproved.Kind.reply);
  }

  private static String nonce() {
    return PROCESS + "-" + SEQUENCE.incrementAndGet();
  }

  private <T> void sign(DeliveryContext<T> ctx) {
    Message<T> m = ctx.message();
    String address = m.address();
    long now = System.currentTimeMillis();
    if (address.startsWith(REPLY_PREFIX)) {
      Pending asked = answering.remove(address);
      if (asked != null) {
        put(m.headers(), new ControlProof.Claim(address, now, nonce(), self, asked.nonce(), versions.writing()),
            ctx.body());
      }
    } else if (Addresses.needsProof(address)) {
      String replyTo = m.replyAddress();
      ControlProof.Claim c = new ControlProof.Claim(address, now, nonce(), self, replyTo == null ? "" : replyTo,
          versions.writing());
      if (replyTo != null) {
        awaiting.put(replyTo, new Pending(c.nonce(), now));
      }
      put(m.headers(), c, ctx.body());
    }
    ctx.next();
  }

  private void put(MultiMap headers, ControlProof.Claim c, Object body) {
    headers.set(ControlProof.TIME_HEADER, Long.toString(c.atMs())).set(ControlProof.NONCE_HEADER, c.nonce())
        .set(ControlProof.FROM_HEADER, c.from()).set(ProtocolVersion.HEADER, Integer.toString(c.protocol()))
        .set(ControlProof.HEADER, proof.sign(c, body));
  }

  /** The body as the handler will see it ({@code ctx.body()} is not yet decoded for a message from another node). */
  private <T> void check(DeliveryContext<T> ctx) {
    Message<T> m = ctx.message();
    String address = m.address();
    if (address.startsWith(REPLY_PREFIX)) {
      Pending asked = awaiting.remove(address); // a local reply ends the wait too
      if (!WireSender.fromWire(m)) {
        ctx.next();
      } else if (asked == null) {
        unproved.refused(Unproved.Kind.reply, "a reply to no request of this node");
      } else {
        String why = why(m, address, asked.nonce());
        if (why == null) {
          ctx.next();
        } else {
          unproved.refused(Unproved.Kind.reply, "a reply to " + address + " (" + why + ")");
        }
      }
      return;
    }
    if (!Addresses.needsProof(address) || !WireSender.fromWire(m)) {
      ctx.next();
      return;
    }
    String replyTo = m.replyAddress();
    String nonce = m.headers().get(ControlProof.NONCE_HEADER);
    if (replyTo != null) { // so that even a refusal goes back proved (a node's stale request learns why)
      answering.put(replyTo, new Pending(nonce == null ? "" : nonce, System.currentTimeMillis()));
    }
    String why = why(m, address, replyTo == null ? "" : replyTo);
    if (why == null && m.isSend() && !address.startsWith(Addresses.scorer("")) && seen.putIfAbsent(nonce,
        System.currentTimeMillis() + 2 * ControlProof.WINDOW_MS) != null) {
      why = "a replay (nonce seen before)";
    }
    if (why == null) {
      ctx.next();
      return;
    }
    unproved.refused(Unproved.Kind.message, "to " + address + " (" + why + ")");
    if (replyTo != null) {
      m.fail(403, "refused: messages to " + address + " need a node's or the admin's proof (" + why + ")");
    }
  }

  /** Null when the message's proof holds, its sender is the one it names and this node reads its version. */
  private String why(Message<?> m, String address, String bound) {
    MultiMap h = m.headers();
    String from = h.get(ControlProof.FROM_HEADER);
    String protocol = h.get(ProtocolVersion.HEADER);
    String why = proof.refusal(address, h.get(ControlProof.HEADER), h.get(ControlProof.TIME_HEADER),
        h.get(ControlProof.NONCE_HEADER), from, bound, protocol, m.body(), System.currentTimeMillis());
    if (why == null && !from.equals(WireSender.of(m))) {
      return "relayed: sent by " + WireSender.of(m) + ", proved for " + from;
    }
    if (why == null && !versions.accept(from, null, Integer.parseInt(protocol))) {
      return "protocol version " + protocol + "; this node reads " + ProtocolVersion.range(versions.own());
    }
    return why;
  }

  /** Drops what outlived its use: nonces past the window, requests whose answer never came. */
  void sweep(long now) {
    seen.values().removeIf(expiry -> expiry < now);
    awaiting.values().removeIf(p -> now - p.atMs() > PENDING_MS);
    answering.values().removeIf(p -> now - p.atMs() > PENDING_MS);
  }
}
