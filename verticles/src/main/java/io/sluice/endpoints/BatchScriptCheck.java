package io.sluice.endpoints;

import io.sluice.protocol.ValidationException;
import io.sluice.scorer.Scorers;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * request_settings.max_batch_size > 1 needs a score.py with run_batch(raw_data_list): refused at create and update
 * when the uploaded script never names it, so the mistake shows at once instead of as instances that fail to start.
 * A textual check (any mention of the name outside a comment: a def, an import, an assignment); the runner checks
 * again at init() that it is callable. Pure: the caller reads the uploaded folder from the store.
 */
public final class BatchScriptCheck {
  private static final Pattern NAMED = Pattern.compile("(?m)^[^#\\n]*\\brun_batch\\b");
  /** A script larger than this is not read for the check (the runner's check at init() still applies). */
  private static final long MAX_SCRIPT_BYTES = 4L << 20;

  private BatchScriptCheck() {
  }

  /** Whether a deployment with these settings needs the check at all. */
  public static boolean applies(int maxBatchSize) {
    return maxBatchSize > 1;
  }

  /**
   * Fails naming max_batch_size and run_batch when {@code script} (a path in the uploaded {@code zip}) is not a
   * Python script or never names run_batch.
   */
  public static void require(int maxBatchSize, String script, byte[] zip) {
    if (!Scorers.isPython(script)) {
      throw new ValidationException("request_settings.max_batch_size: " + maxBatchSize + " needs a Python scoring "
          + "script that defines run_batch(raw_data_list); '" + script + "' is a Java scorer, which takes one "
          + "request at a time (set max_batch_size to 1)");
    }
    String text = read(zip, script);
    if (text != null && !NAMED.matcher(text).find()) {
      throw new ValidationException("request_settings.max_batch_size: " + maxBatchSize + " needs the scoring script "
          + "to define run_batch(raw_data_list), which gets a list of inputs and returns a list of results of the "
          + "same length; " + script + " has no run_batch (define it, or set max_batch_size to 1)");
    }
  }

  /** The script's text, or null when the folder does not hold it readably (start-up reports that case). */
  private static String read(byte[] zip, String script) {
    String wanted = Path.of(script).normalize().toString();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (!e.isDirectory() && Path.of(e.getName()).normalize().toString().equals(wanted)) {
          byte[] bytes = in.readNBytes((int) MAX_SCRIPT_BYTES + 1);
          return bytes.length > MAX_SCRIPT_BYTES ? null : new String(bytes, StandardCharsets.UTF_8);
        }
      }
    } catch (IOException | java.nio.file.InvalidPathException e) {
      return null;
    }
    return null;
  }
}
