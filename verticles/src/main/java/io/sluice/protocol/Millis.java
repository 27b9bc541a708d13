package io.sluice.protocol;

/** Milliseconds as Azure's {@code x-ms-run-fn-exec-ms} writes them. */
public final class Millis {
  private Millis() {
  }

  /** Three decimals at most, without String.format (which is slow on the request path). */
  public static String text(double ms) {
    return Double.toString(Math.round(ms * 1000) / 1000.0);
  }
}
