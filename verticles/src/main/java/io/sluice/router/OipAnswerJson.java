package io.sluice.router;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.sluice.oip.grpc.InferParameter;
import io.sluice.oip.grpc.ModelInferResponse;
import io.sluice.protocol.ValidationException;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The script's JSON answer as the protocol's {@code ModelInferResponse}: read with Jackson's streaming parser, each
 * tensor's {@code data} (flat or nested, row-major) into primitive arrays ({@link Scalars}), so no tree and no boxed
 * number is made. FP16 and BF16 go as raw output contents, as the protocol requires, and then every output does.
 * A body that is not such an answer is a {@link ValidationException} naming the field and the rule. Pure.
 */
final class OipAnswerJson {
  private static final JsonFactory JSON = new JsonFactory();

  private OipAnswerJson() {
  }

  /** One output as read, before the response is built (raw or typed depends on every output's datatype). */
  private record Output(String name, String datatype, long[] shape, Scalars data) {
  }

  /** The answer's response. */
  static ModelInferResponse read(Buffer body) {
    byte[] bytes = body.getBytes();
    try (JsonParser p = JSON.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new ValidationException("the answer is not a JSON object");
      }
      ModelInferResponse.Builder out = ModelInferResponse.newBuilder();
      List<Output> outputs = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "model_name" -> out.setModelName(text(p, bytes));
          case "model_version" -> out.setModelVersion(text(p, bytes));
          case "id" -> out.setId(text(p, bytes));
          case "parameters" -> parameters(p, bytes, out);
          case "outputs" -> outputs = value == JsonToken.START_ARRAY ? outputs(p) : skipped(p);
          default -> p.skipChildren();
        }
      }
      if (outputs == null) {
        throw new ValidationException("the answer has no 'outputs': a list of tensors");
      }
      boolean raw = outputs.stream().anyMatch(o -> o.datatype.equals("FP16") || o.datatype.equals("BF16"));
      for (Output o : outputs) {
        ModelInferResponse.InferOutputTensor.Builder tensor = ModelInferResponse.InferOutputTensor.newBuilder()
            .setName(o.name).setDatatype(o.datatype);
        for (long d : o.shape) {
          tensor.addShape(d);
        }
        String what = "output '" + o.name + "'";
        if (raw) {
          out.addRawOutputContents(o.data.raw(what, o.datatype));
        } else {
          tensor.setContents(o.data.contents(what, o.datatype));
        }
        out.addOutputs(tensor);
      }
      return out.build();
    } catch (IOException e) { // not JSON
      throw new ValidationException("the answer is not JSON: "
          + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
  }

  /** A value of the wrong kind, skipped whole (an object's fields are not the enclosing one's): read as missing. */
  private static <T> T skipped(JsonParser p) throws IOException {
    p.skipChildren();
    return null;
  }

  /** A scalar as text; an object or a list as its JSON text. */
  private static String text(JsonParser p, byte[] bytes) throws IOException {
    return switch (p.currentToken()) {
      case VALUE_NULL -> "";
      case START_OBJECT, START_ARRAY -> enclosed(p, bytes);
      default -> p.getText();
    };
  }

  /** The JSON text of the object or list the parser is at the start of, skipping it. */
  private static String enclosed(JsonParser p, byte[] bytes) throws IOException {
    int from = (int) p.currentTokenLocation().getByteOffset();
    p.skipChildren();
    int to = (int) p.currentLocation().getByteOffset();
    return new String(bytes, from, to - from, StandardCharsets.UTF_8);
  }

  private static void parameters(JsonParser p, byte[] bytes, ModelInferResponse.Builder out) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      p.skipChildren();
      return;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      InferParameter.Builder v = InferParameter.newBuilder();
      switch (p.nextToken()) {
        case VALUE_TRUE, VALUE_FALSE -> v.setBoolParam(p.getBooleanValue());
        case VALUE_NUMBER_INT -> v.setInt64Param(p.getNumberValue().longValue());
        case VALUE_NUMBER_FLOAT -> {
          double d = p.getDoubleValue();
          if (d == (long) d) {
            v.setInt64Param((long) d);
          } else {
            v.setStringParam(String.valueOf(d));
          }
        }
        case VALUE_NULL -> v.setStringParam("null");
        default -> v.setStringParam(text(p, bytes));
      }
      out.putParameters(key, v.build());
    }
  }

  private static List<Output> outputs(JsonParser p) throws IOException {
    List<Output> outputs = new ArrayList<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.START_OBJECT) {
        throw malformed(outputs.size());
      }
      String name = null;
      String datatype = null;
      long[] shape = null;
      Scalars data = new Scalars();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "name" -> name = value == JsonToken.VALUE_STRING ? p.getText() : skipped(p);
          case "datatype" -> datatype = value == JsonToken.VALUE_STRING ? p.getText() : skipped(p);
          case "shape" -> shape = value == JsonToken.START_ARRAY ? shape(p, outputs.size()) : skipped(p);
          case "data" -> data.add(p);
          default -> p.skipChildren();
        }
      }
      if (name == null || datatype == null || shape == null) {
        throw malformed(outputs.size());
      }
      outputs.add(new Output(name, datatype, shape, data));
    }
    return outputs;
  }

  private static long[] shape(JsonParser p, int index) throws IOException {
    long[] shape = new long[4];
    int n = 0;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (!t.isNumeric()) {
        throw malformed(index);
      }
      if (n == shape.length) {
        shape = java.util.Arrays.copyOf(shape, n * 2);
      }
      shape[n++] = p.getNumberValue().longValue();
    }
    return java.util.Arrays.copyOf(shape, n);
  }

  private static ValidationException malformed(int index) {
    return new ValidationException("outputs[" + index + "]: each output is a tensor with name and datatype (strings)"
        + " and shape (a list of numbers)");
  }
}
