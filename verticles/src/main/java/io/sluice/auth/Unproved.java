package io.sluice.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node ignored because no node proved it: counted as {@code sluice_unproved_total{kind}} and logged at most
 * once per 10 s per kind, so a member that floods the cluster with forgeries cannot fill the log or the metrics
 * (the kinds are a fixed set: {@link Kind}).
 */
public final class Unproved {
  private static final Logger LOG = LoggerFactory.getLogger(Unproved.class);
  private static final long LOG_EVERY_MS = 10_000;

  /** Where the unproved thing came from. */
  public enum Kind {
    /** a message to a Sluice address */
    message,
    /** a reply to a request of this node */
    reply,
    /** a cluster-map entry */
    entry,
    /** an id read from the cluster that cannot name a file, process or cgroup */
    id,
    /** a scoring-channel peer */
    channel
  }

  private final Map<Kind, Counter> counters = new ConcurrentHashMap<>();
  private final Map<Kind, AtomicLong> counts = new ConcurrentHashMap<>();
  private final Map<Kind, AtomicLong> lastLogged = new ConcurrentHashMap<>();

  /** {@code registry}: the node's metrics; null counts without publishing (tests of pure parts). */
  public Unproved(MeterRegistry registry) {
    for (Kind k : Kind.values()) {
      counts.put(k, new AtomicLong());
      lastLogged.put(k, new AtomicLong());
      if (registry != null) {
        counters.put(k, Counter.builder("sluice_unproved").tag("kind", k.name())
            .description("messages, replies, map entries, ids and channel peers ignored for want of a node's proof")
            .register(registry));
      }
    }
  }

  /** Counts one and logs it unless a line of this kind was logged in the last 10 s. */
  public void refused(Kind kind, String what) {
    long n = counts.get(kind).incrementAndGet();
    Counter c = counters.get(kind);
    if (c != null) {
      c.increment();
    }
    AtomicLong last = lastLogged.get(kind);
    long now = System.currentTimeMillis();
    long was = last.get();
    if (now - was >= LOG_EVERY_MS && last.compareAndSet(was, now)) {
      LOG.warn("ignored an unproved {}: {} ({} of this kind since start)", kind, what, n);
    }
  }

  public long count(Kind kind) {
    return counts.get(kind).get();
  }
}
