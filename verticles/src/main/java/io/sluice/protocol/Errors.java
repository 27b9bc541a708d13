package io.sluice.protocol;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * Control-plane failures travel as {@code ReplyException}s whose failure code is the HTTP status to answer
 * (400 bad input, 404 missing, 409 conflict) and whose message is the user-facing text.
 */
public final class Errors {
  private Errors() {
  }

  public static ReplyException badRequest(String message) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 400, message);
  }

  public static ReplyException notFound(String message) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 404, message);
  }

  public static ReplyException conflict(String message) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 409, message);
  }

  /** An If-Match that no longer holds: someone else changed the resource since it was read (HTTP 412). */
  public static ReplyException preconditionFailed(String message) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 412, message);
  }

  /** The HTTP status for a failure that came back over the event bus. */
  public static int httpStatus(Throwable t) {
    if (t instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE
        && re.failureCode() >= 400 && re.failureCode() < 600) {
      return re.failureCode();
    }
    if (t instanceof ValidationException) {
      return 400;
    }
    return 500;
  }

  public static String azureCode(int status) {
    return switch (status) {
      case 400 -> "BadRequest";
      case 401 -> "Unauthorized";
      case 404 -> "NotFound";
      case 409 -> "Conflict";
      case 412 -> "PreconditionFailed";
      case 413 -> "RequestEntityTooLarge";
      case 503 -> "ServiceUnavailable";
      default -> "InternalServerError";
    };
  }
}
