package io.sluice.protocol;

/** One deployment of one endpoint, as a key: two names, never a string joined with a '/' and split again. */
public record DeploymentKey(String endpoint, String deployment) {
  @Override
  public String toString() {
    return endpoint + "/" + deployment;
  }
}
