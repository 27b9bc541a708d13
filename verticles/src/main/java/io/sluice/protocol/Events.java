package io.sluice.protocol;

/** The "type" values of messages published on {@link Addresses#EVENTS}. */
public final class Events {
  private Events() {
  }

  public static final String TYPE = "type";
  /** An endpoint, its keys, traffic or one of its deployments changed; field "endpoint". */
  public static final String DESIRED_CHANGED = "desired";
  /** A node joined, left or is leaving; the leader re-plans. */
  public static final String NODE = "node";
  /** One instance changed state; the instance JSON is in field "instance". */
  public static final String INSTANCE = "instance";
}
