package io.sluice.protocol;

/**
 * The life of one scorer instance, as written to {@link Addresses#INSTANCES_MAP}. Only {@code Ready} instances
 * receive requests; {@code Draining} ones finish what they hold and then stop.
 */
public enum InstanceState {
  Provisioning, Starting, Ready, Draining, Failed;

  public boolean live() {
    return this != Failed;
  }
}
