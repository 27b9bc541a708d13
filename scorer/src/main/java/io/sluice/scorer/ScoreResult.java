package io.sluice.scorer;

import java.nio.charset.StandardCharsets;

/**
 * What the scoring script answered. {@code status} is the script's own status (200 on success, 500 when
 * run() raised, 400 when the body could not be decoded); the router maps non-200 to Azure's 424.
 */
public record ScoreResult(int status, byte[] body, String contentType, double runMillis) {

  public static ScoreResult json(int status, String json, double runMillis) {
    return new ScoreResult(status, json.getBytes(StandardCharsets.UTF_8), "application/json", runMillis);
  }

  public boolean ok() {
    return status == 200;
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
