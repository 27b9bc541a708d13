package io.sluice.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/**
 * A deployment's {@code inference_protocol} (a Sluice extension): the tensors its model takes and gives, as the Open
 * Inference Protocol's model metadata lists them ({@code GET /v2/models/{m}}). Optional; without it the metadata's
 * lists are empty. <pre>
 * inference_protocol:
 *   inputs:  [{name: input-0, datatype: FP32, shape: [-1, 10]}]
 *   outputs: [{name: output-0, datatype: FP32, shape: [-1]}]
 * </pre>
 */
public final class InferenceProtocol {
  private InferenceProtocol() {
  }

  /** The protocol's tensor data types. */
  public static final List<String> DATATYPES = List.of("BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16",
      "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES", "BF16");
  private static final Set<String> FIELDS = Set.of("inputs", "outputs");
  private static final Set<String> TENSOR_FIELDS = Set.of("name", "datatype", "shape");
  /** Enough for any model's signature; a document is held by every router. */
  static final int MAX_TENSORS = 256;
  static final int MAX_DIMENSIONS = 32;
  static final int MAX_NAME = 256;

  /** Checks {@code value} (the YAML's section, as JSON); the normalised section, or a ValidationException naming the field. */
  public static JsonObject validate(Object value) {
    if (!(value instanceof JsonObject o)) {
      throw new ValidationException("inference_protocol: must be a mapping with inputs and outputs");
    }
    for (String k : o.fieldNames()) {
      if (!FIELDS.contains(k)) {
        throw new ValidationException("inference_protocol." + k + ": unknown field (known: inputs, outputs)");
      }
    }
    return new JsonObject().put("inputs", tensors("inference_protocol.inputs", o.getValue("inputs")))
        .put("outputs", tensors("inference_protocol.outputs", o.getValue("outputs")));
  }

  private static JsonArray tensors(String field, Object value) {
    if (value == null) {
      return new JsonArray();
    }
    if (!(value instanceof JsonArray list) || list.size() > MAX_TENSORS) {
      throw new ValidationException(field + ": must be a list of at most " + MAX_TENSORS + " tensors");
    }
    JsonArray out = new JsonArray();
    for (int i = 0; i < list.size(); i++) {
      out.add(tensor(field + "[" + i + "]", list.getValue(i)));
    }
    return out;
  }

  private static JsonObject tensor(String field, Object value) {
    if (!(value instanceof JsonObject t)) {
      throw new ValidationException(field + ": must be a mapping with name, datatype and shape");
    }
    for (String k : t.fieldNames()) {
      if (!TENSOR_FIELDS.contains(k)) {
        throw new ValidationException(field + "." + k + ": unknown field (known: datatype, name, shape)");
      }
    }
    if (!(t.getValue("name") instanceof String name) || name.isEmpty() || name.length() > MAX_NAME) {
      throw new ValidationException(field + ".name: a name of 1 to " + MAX_NAME + " characters is required");
    }
    if (!(t.getValue("datatype") instanceof String type) || !DATATYPES.contains(type)) {
      throw new ValidationException(field + ".datatype: one of " + String.join(", ", DATATYPES) + "; got "
          + t.getValue("datatype"));
    }
    if (!(t.getValue("shape") instanceof JsonArray shape) || shape.size() > MAX_DIMENSIONS) {
      throw new ValidationException(field + ".shape: a list of at most " + MAX_DIMENSIONS
          + " dimensions is required (-1: any size)");
    }
    JsonArray dims = new JsonArray();
    for (Object d : shape) {
      if (!(d instanceof Number n) || n.doubleValue() != n.longValue() || n.longValue() < -1) {
        throw new ValidationException(field + ".shape: each dimension is a whole number, -1 for any size; got " + d);
      }
      dims.add(n.longValue());
    }
    return new JsonObject().put("name", name).put("datatype", type).put("shape", dims);
  }
}
