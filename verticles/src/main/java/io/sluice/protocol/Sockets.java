package io.sluice.protocol;

import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;

/** What Vert.x's socket API does not say plainly. */
public final class Sockets {
  private Sockets() {
  }

  /**
   * Closes now. {@code NetSocket.close()} closes only after the pending writes went out, which a peer that reads
   * nothing never lets happen: a connection closed for not reading, or for holding a frame too long, would stay.
   */
  public static void abort(NetSocket socket) {
    if (socket instanceof NetSocketInternal internal) {
      internal.channelHandlerContext().close();
    } else {
      socket.close();
    }
  }
}
