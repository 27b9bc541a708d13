package io.sluice.protocol;

/** Bad input: the message names the field and the rule. Nothing was changed. */
public final class ValidationException extends RuntimeException {
  public ValidationException(String message) {
    super(message, null, false, false);
  }
}
