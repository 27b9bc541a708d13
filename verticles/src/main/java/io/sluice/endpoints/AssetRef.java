package io.sluice.endpoints;

import io.sluice.protocol.ValidationException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Azure's asset references: {@code azureml:<name>:<version>} for registered models and environments (and
 * {@code azureml:<name>@latest} for a model: {@code version} null), and
 * {@code azureml://registries/<registry>/environments/<name>/(labels|versions)/<x>} for curated environments.
 */
public record AssetRef(String name, String version, boolean registry) {
  private static final Pattern REGISTERED = Pattern.compile("^azureml:([A-Za-z0-9][-A-Za-z0-9_.]*):([-A-Za-z0-9_.]+)$");
  /** {@code azureml:<name>@latest}: the newest registered version, resolved when the deployment is made. */
  private static final Pattern LATEST = Pattern.compile("^azureml:([A-Za-z0-9][-A-Za-z0-9_.]*)@latest$");
  private static final Pattern REGISTRY_ENV = Pattern.compile(
      "^azureml://registries/([^/]+)/environments/([^/]+)/(labels|versions)/([^/]+)$");

  public static AssetRef model(String ref) {
    Matcher m = REGISTERED.matcher(ref);
    if (m.matches()) {
      return new AssetRef(m.group(1), m.group(2), false);
    }
    m = LATEST.matcher(ref);
    if (m.matches()) {
      return new AssetRef(m.group(1), null, false);
    }
    throw new ValidationException("model: '" + ref + "' is not a model reference; use 'azureml:<name>:<version>' or "
        + "'azureml:<name>@latest' after 'model create', or an inline model with 'path'");
  }

  public static AssetRef environment(String ref) {
    Matcher m = REGISTERED.matcher(ref);
    if (m.matches()) {
      return new AssetRef(m.group(1), m.group(2), false);
    }
    m = REGISTRY_ENV.matcher(ref);
    if (m.matches()) {
      return new AssetRef(m.group(2), m.group(4), true);
    }
    throw new ValidationException("environment: '" + ref + "' is not an environment reference; use "
        + "'azureml:<name>:<version>', 'azureml://registries/<registry>/environments/<name>/labels/<label>', or an "
        + "inline environment");
  }

  public String key() {
    return name + ":" + version;
  }
}
