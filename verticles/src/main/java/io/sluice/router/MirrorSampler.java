package io.sluice.router;

/**
 * Decides which requests are mirrored: exactly {@code percent} of every 100 consecutive requests, spread evenly
 * (an accumulator, not a coin flip). Not thread-safe: one per router context.
 */
public final class MirrorSampler {
  private final int percent;
  private int acc;

  public MirrorSampler(int percent) {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("percent must be 0..100");
    }
    this.percent = percent;
  }

  public int percent() {
    return percent;
  }

  public boolean next() {
    acc += percent;
    if (acc >= 100) {
      acc -= 100;
      return true;
    }
    return false;
  }
}
