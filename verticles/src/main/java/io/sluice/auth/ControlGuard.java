package io.sluice.auth;

import io.sluice.protocol.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.EventBus;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the cluster's control addresses ({@link Addresses#needsProof}) to members that are not nodes: every
 * message this Vert.x sends there gets a {@link ControlProof}; every message delivered here from there without a
 * valid one is refused (a request gets failure 403) and never reaches its handler. Installed on each node before
 * any actor starts; a trusted Vert.x service that holds the admin token installs it the same way to send control
 * ops. Refusals are counted and logged at most once per 10 s, so a flood cannot fill the log.
 */
public final class ControlGuard {
  private static final Logger LOG = LoggerFactory.getLogger(ControlGuard.class);
  private static final long LOG_EVERY_MS = 10_000;

  private final ControlProof proof;
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong lastLogged = new AtomicLong();

  private ControlGuard(ControlProof proof) {
    this.proof = proof;
  }

  /** Signs what {@code vertx} sends to control addresses and checks what it receives there. */
  public static ControlGuard install(Vertx vertx, String rootSecret) {
    ControlGuard g = new ControlGuard(new ControlProof(rootSecret));
    EventBus bus = vertx.eventBus();
    bus.addOutboundInterceptor(g::sign);
    bus.addInboundInterceptor(g::check);
    return g;
  }

  /** Messages refused since start. */
  public long refused() {
    return refused.get();
  }

  private <T> void sign(DeliveryContext<T> ctx) {
    String address = ctx.message().address();
    if (Addresses.needsProof(address)) {
      long now = System.currentTimeMillis();
      ctx.message().headers().set(ControlProof.TIME_HEADER, Long.toString(now))
          .set(ControlProof.HEADER, proof.sign(address, now, ctx.body()));
    }
    ctx.next();
  }

  /** The body as the handler will see it ({@code ctx.body()} is not yet decoded for a message from another node). */
  private <T> void check(DeliveryContext<T> ctx) {
    String address = ctx.message().address();
    if (!Addresses.needsProof(address)) {
      ctx.next();
      return;
    }
    String why = proof.refusal(address, ctx.message().headers().get(ControlProof.HEADER),
        ctx.message().headers().get(ControlProof.TIME_HEADER), ctx.message().body(), System.currentTimeMillis());
    if (why == null) {
      ctx.next();
      return;
    }
    long n = refused.incrementAndGet();
    long now = System.currentTimeMillis();
    long last = lastLogged.get();
    if (now - last >= LOG_EVERY_MS && lastLogged.compareAndSet(last, now)) {
      LOG.warn("refused a message to {} ({}); {} refused since start", address, why, n);
    }
    if (ctx.message().replyAddress() != null) {
      ctx.message().fail(403, "refused: messages to " + address + " need a node's or the admin's proof (" + why
          + ")");
    }
  }
}
