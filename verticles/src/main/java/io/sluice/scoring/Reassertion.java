package io.sluice.scoring;

/**
 * When an instance writes its map entry again (a put-if-absent). After a network split heals, the leader may have
 * forgotten an instance of the other side: saying again that it exists lets the leader see it and stop what is
 * surplus. Saying it every 2 s from every instance cost the cluster one signed map write per instance per 2 s (5,000
 * writes a second at 10,000 instances, docs/capacity.md). A heal shows as a member joining, so an instance says it
 * at the first tick after a member joined and once more {@link #AGAIN_MS} later (once the merged maps settled), every
 * {@link #QUIET_MS} otherwise (an entry deleted by a member that is not a node comes back within that), and at every
 * tick while its last state write failed.
 */
public final class Reassertion {
  public static final long TICK_MS = 2000;
  static final long AGAIN_MS = 10_000;
  static final long QUIET_MS = 30_000;

  private Reassertion() {
  }

  /**
   * {@code lastMs}: this instance's last re-assert (spread over {@link #QUIET_MS} at its start, so the instances of
   * one node do not all write in the same tick); {@code joinedMs}: when a member last joined (0: none yet).
   */
  public static boolean due(long nowMs, long lastMs, long joinedMs, boolean stateWritten) {
    return !stateWritten
        || lastMs < joinedMs
        || (lastMs < joinedMs + AGAIN_MS && nowMs >= joinedMs + AGAIN_MS)
        || nowMs - lastMs >= QUIET_MS;
  }

  /** An instance's first "last re-assert": somewhere in the last quiet period, so its first falls due within 30 s. */
  public static long spreadStart(long nowMs, java.util.random.RandomGenerator random) {
    return nowMs - random.nextLong(QUIET_MS);
  }
}
