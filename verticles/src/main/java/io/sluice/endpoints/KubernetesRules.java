package io.sluice.endpoints;

import io.sluice.protocol.Quantities;
import io.sluice.protocol.ValidationException;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Azure's Kubernetes online endpoints, as Sluice reads them: an endpoint's {@code compute: azureml:<name>} picks the
 * nodes that offer that compute (node flag {@code --computes}); its deployments are {@code type: kubernetes}, may
 * omit {@code instance_type} (Azure's {@code defaultinstancetype}), may run up to 300 s per request, and carry
 * {@code resources.requests/limits} (cpu, memory). Endpoint and deployment names together are 6 to 62 characters.
 * Pure: each failure names the field and the rule.
 */
public final class KubernetesRules {
  public static final String DEFAULT_INSTANCE_TYPE = "defaultinstancetype";
  public static final int MAX_TIMEOUT_MS = 300_000;
  private static final Pattern COMPUTE = Pattern.compile("azureml:([A-Za-z0-9][-A-Za-z0-9_]{1,31})");

  private KubernetesRules() {
  }

  /** {@code compute}: null (managed), or {@code azureml:<name>}; returns it as given. */
  public static String compute(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s) || !COMPUTE.matcher(s).matches()) {
      throw new ValidationException("compute: must be 'azureml:<compute name>' (2 to 32 letters, digits, '-' or '_'); "
          + "got " + value);
    }
    return s;
  }

  /** {@code type}: managed (default) or kubernetes; true for kubernetes. */
  public static boolean type(Object value) {
    if (value == null || "managed".equals(value)) {
      return false;
    }
    if ("kubernetes".equals(value)) {
      return true;
    }
    throw new ValidationException("type: must be 'managed' or 'kubernetes'; got " + value);
  }

  /** Endpoint and deployment names of a Kubernetes deployment: 6 to 62 characters together. */
  public static void names(String endpoint, String deployment) {
    int n = endpoint.length() + deployment.length();
    if (n < 6 || n > 62) {
      throw new ValidationException("name: on a Kubernetes endpoint, the endpoint and deployment names together must "
          + "be 6 to 62 characters long; '" + endpoint + "' and '" + deployment + "' are " + n);
    }
  }

  /** The deployment's type must match its endpoint's: kubernetes exactly when the endpoint has a compute. */
  public static void matches(boolean kubernetesDeployment, String endpoint, String endpointCompute) {
    if (endpointCompute != null && !kubernetesDeployment) {
      throw new ValidationException("type: endpoint '" + endpoint + "' runs on compute " + endpointCompute
          + " (Kubernetes); its deployments need 'type: kubernetes'");
    }
    if (endpointCompute == null && kubernetesDeployment) {
      throw new ValidationException("type: kubernetes deployments need an endpoint with a 'compute' (endpoint '"
          + endpoint + "' is managed)");
    }
  }

  /** {@code resources}: requests and limits of cpu and memory, Kubernetes quantities, kept as written. */
  public static JsonObject resources(Object value) {
    if (value == null) {
      return new JsonObject();
    }
    if (!(value instanceof JsonObject r)) {
      throw new ValidationException("resources: must be a map with 'requests' and/or 'limits'");
    }
    SpecValidator.unknownFields("resources.", r, Set.of("requests", "limits"));
    JsonObject out = new JsonObject();
    for (String part : new String[] {"requests", "limits"}) {
      Object v = r.getValue(part);
      if (v == null) {
        continue;
      }
      if (!(v instanceof JsonObject q)) {
        throw new ValidationException("resources." + part + ": must be a map of cpu and memory");
      }
      SpecValidator.unknownFields("resources." + part + ".", q, Set.of("cpu", "memory", "nvidia.com/gpu"));
      JsonObject kept = new JsonObject();
      if (q.getValue("cpu") != null) {
        cpuMillis("resources." + part + ".cpu", q.getValue("cpu"));
        kept.put("cpu", String.valueOf(q.getValue("cpu")));
      }
      if (q.getValue("memory") != null) {
        memoryBytes("resources." + part + ".memory", q.getValue("memory"));
        kept.put("memory", String.valueOf(q.getValue("memory")));
      }
      if (q.getValue("nvidia.com/gpu") != null) {
        throw new ValidationException("resources." + part + ".nvidia.com/gpu: Sluice does not place GPUs");
      }
      out.put(part, kept);
    }
    return out;
  }

  public static long cpuMillis(String field, Object value) {
    return Quantities.cpuMillis(field, value);
  }

  public static long memoryBytes(String field, Object value) {
    return Quantities.memoryBytes(field, value);
  }
}
