package io.sluice.protocol;

/**
 * The life of one scorer instance, as written to {@link Addresses#INSTANCES_MAP}. {@code Ready} instances receive
 * requests; {@code Restarting} ones (a worker died or hung and is being replaced) receive them only when their
 * deployment has no Ready instance, queued until a worker is back; {@code Draining} ones finish what they hold and
 * then stop. {@code Gone} is never stored: it is the last state an instance publishes, when its entry is removed.
 */
public enum InstanceState {
  Provisioning, Starting, Ready, Restarting, Draining, Failed, Gone;

  public boolean live() {
    return this != Failed && this != Gone;
  }

  /** Whether no later state but Gone can follow: a view that shows this must not go back to an older one. */
  public boolean ending() {
    return this == Draining || this == Failed || this == Gone;
  }
}
