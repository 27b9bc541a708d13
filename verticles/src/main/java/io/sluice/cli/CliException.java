package io.sluice.cli;

/** A failure the CLI reports as {@code ERROR: <message>} with exit code 1 (no stack trace). */
public final class CliException extends RuntimeException {
  private final int status;

  public CliException(String message) {
    this(0, message);
  }

  public CliException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  /** The HTTP status behind the failure, or 0. */
  public int status() {
    return status;
  }
}
