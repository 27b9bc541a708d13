package io.sluice.protocol;

/** Azure's provisioning states of endpoints and deployments, as stored and shown. */
public enum ProvisioningState {
  Creating, Updating, Succeeded, Failed, Deleting;

  /** Whether the supervisor leader may still settle it (a create or update not yet Succeeded). */
  public boolean settling() {
    return this == Creating || this == Updating || this == Failed;
  }

  /** The state of a stored document; absent means Succeeded (documents written before states existed). */
  public static ProvisioningState of(String s) {
    return s == null ? Succeeded : valueOf(s);
  }
}
