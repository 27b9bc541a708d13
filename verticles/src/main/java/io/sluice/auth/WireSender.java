package io.sluice.auth;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.impl.clustered.ClusteredMessage;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;

/**
 * Who sent a message that came over the cluster's wire: the node id Vert.x will send the reply to. Vert.x keeps it
 * package-private ({@code ClusteredMessage.getSender}, vertx-core 5.0.7), so it is read once by reflection; the
 * proof binds it, so that a relayed request, whose reply would go to the relay, is refused.
 */
final class WireSender {
  private static final MethodHandle GET_SENDER;

  static {
    try {
      Method m = ClusteredMessage.class.getDeclaredMethod("getSender");
      m.setAccessible(true);
      GET_SENDER = MethodHandles.lookup().unreflect(m);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private WireSender() {
  }

  /** Whether the message came from another Vert.x (over TCP), not from this one. */
  static boolean fromWire(Message<?> m) {
    return m instanceof ClusteredMessage<?, ?> c && c.isFromWire();
  }

  /** The node id the wire says sent it; null for a message from this Vert.x. */
  static String of(Message<?> m) {
    if (!fromWire(m)) {
      return null;
    }
    try {
      return (String) GET_SENDER.invoke((ClusteredMessage<?, ?>) m);
    } catch (Throwable e) {
      throw new IllegalStateException("cannot read a message's sender", e);
    }
  }
}
