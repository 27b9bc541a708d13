package io.sluice.router;

import com.google.protobuf.ByteString;
import io.sluice.oip.grpc.InferParameter;
import io.sluice.oip.grpc.InferTensorContents;
import io.sluice.oip.grpc.ModelInferRequest;
import io.sluice.oip.grpc.ModelInferResponse;
import io.sluice.protocol.ValidationException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Open Inference Protocol's gRPC messages and its JSON form, both ways: a {@code ModelInferRequest} becomes the
 * JSON a REST client would have sent (so score.py sees one form whichever door a request took), tensors from their
 * typed contents or from {@code raw_input_contents} (little-endian, row-major, BYTES as 4-byte lengths and bytes);
 * the script's JSON answer becomes a {@code ModelInferResponse}, FP16 and BF16 as raw output contents as the
 * protocol requires (then every output is raw). Bad input is a {@link ValidationException} naming the tensor. Pure.
 */
final class OipTensors {
  private OipTensors() {
  }

  /** The request's JSON form. */
  static JsonObject toJson(ModelInferRequest r) {
    JsonObject out = new JsonObject();
    if (!r.getId().isEmpty()) {
      out.put("id", r.getId());
    }
    if (r.getParametersCount() > 0) {
      out.put("parameters", parameters(r.getParametersMap()));
    }
    if (r.getRawInputContentsCount() > 0 && r.getRawInputContentsCount() != r.getInputsCount()) {
      throw new ValidationException("raw_input_contents: one per input (" + r.getInputsCount() + "); got "
          + r.getRawInputContentsCount());
    }
    JsonArray inputs = new JsonArray();
    for (int i = 0; i < r.getInputsCount(); i++) {
      ModelInferRequest.InferInputTensor t = r.getInputs(i);
      String what = "input '" + t.getName() + "'";
      long count = count(what, t.getShapeList());
      List<Object> data = r.getRawInputContentsCount() > 0 ? fromRaw(what, t.getDatatype(), count,
          r.getRawInputContents(i)) : fromContents(what, t.getDatatype(), t.getContents());
      if (data.size() != count) {
        throw new ValidationException(what + ": shape " + t.getShapeList() + " holds " + count + " elements; got "
            + data.size());
      }
      JsonObject tensor = new JsonObject().put("name", t.getName()).put("datatype", t.getDatatype())
          .put("shape", new JsonArray(new ArrayList<>(t.getShapeList()))).put("data", new JsonArray(data));
      if (t.getParametersCount() > 0) {
        tensor.put("parameters", parameters(t.getParametersMap()));
      }
      inputs.add(tensor);
    }
    out.put("inputs", inputs);
    if (r.getOutputsCount() > 0) {
      JsonArray outputs = new JsonArray();
      r.getOutputsList().forEach(o -> outputs.add(new JsonObject().put("name", o.getName())));
      out.put("outputs", outputs);
    }
    return out;
  }

  private static long count(String what, List<Long> shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0 || (d > 0 && n > Integer.MAX_VALUE / d)) {
        throw new ValidationException(what + ": shape " + shape + " is not a size");
      }
      n *= d;
    }
    return n;
  }

  private static JsonObject parameters(Map<String, InferParameter> p) {
    JsonObject out = new JsonObject();
    p.forEach((k, v) -> out.put(k, switch (v.getParameterChoiceCase()) {
      case BOOL_PARAM -> v.getBoolParam();
      case INT64_PARAM -> v.getInt64Param();
      case STRING_PARAM -> v.getStringParam();
      default -> null;
    }));
    return out;
  }

  private static List<Object> fromContents(String what, String datatype, InferTensorContents c) {
    List<Object> out = new ArrayList<>();
    switch (datatype) {
      case "BOOL" -> out.addAll(c.getBoolContentsList());
      case "INT8", "INT16", "INT32" -> out.addAll(c.getIntContentsList());
      case "INT64" -> out.addAll(c.getInt64ContentsList());
      case "UINT8", "UINT16", "UINT32" -> c.getUintContentsList().forEach(v -> out.add(Integer.toUnsignedLong(v)));
      case "UINT64" -> c.getUint64ContentsList().forEach(v -> out.add(unsigned(v)));
      case "FP32" -> out.addAll(c.getFp32ContentsList());
      case "FP64" -> out.addAll(c.getFp64ContentsList());
      case "BYTES" -> c.getBytesContentsList().forEach(b -> out.add(b.toStringUtf8()));
      case "FP16", "BF16" -> throw new ValidationException(what + ": " + datatype
          + " comes as raw_input_contents (the protocol has no typed contents for it)");
      default -> throw unknownType(what, datatype);
    }
    return out;
  }

  private static ValidationException unknownType(String what, String datatype) {
    return new ValidationException(what + ": datatype must be one of "
        + String.join(", ", io.sluice.protocol.InferenceProtocol.DATATYPES) + "; got '" + datatype + "'");
  }

  /** Element width in bytes of a fixed-size type, 0 for BYTES. */
  private static int width(String what, String datatype) {
    return switch (datatype) {
      case "BOOL", "INT8", "UINT8" -> 1;
      case "INT16", "UINT16", "FP16", "BF16" -> 2;
      case "INT32", "UINT32", "FP32" -> 4;
      case "INT64", "UINT64", "FP64" -> 8;
      case "BYTES" -> 0;
      default -> throw unknownType(what, datatype);
    };
  }

  private static List<Object> fromRaw(String what, String datatype, long count, ByteString raw) {
    ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    int w = width(what, datatype);
    List<Object> out = new ArrayList<>();
    if (w == 0) {
      while (b.remaining() >= 4) {
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
          throw new ValidationException(what + ": raw BYTES element of " + len + " bytes runs past its contents");
        }
        byte[] s = new byte[len];
        b.get(s);
        out.add(new String(s, StandardCharsets.UTF_8));
      }
      if (b.hasRemaining()) {
        throw new ValidationException(what + ": raw BYTES contents end inside an element's length");
      }
      return out;
    }
    if ((long) raw.size() != count * w) {
      throw new ValidationException(what + ": raw contents of " + raw.size() + " bytes; shape and " + datatype
          + " need " + count * w);
    }
    while (b.hasRemaining()) {
      out.add(switch (datatype) {
        case "BOOL" -> b.get() != 0;
        case "INT8" -> (int) b.get();
        case "UINT8" -> b.get() & 0xff;
        case "INT16" -> (int) b.getShort();
        case "UINT16" -> b.getShort() & 0xffff;
        case "FP16" -> halfToFloat(b.getShort());
        case "BF16" -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
        case "INT32" -> b.getInt();
        case "UINT32" -> Integer.toUnsignedLong(b.getInt());
        case "FP32" -> b.getFloat();
        case "INT64" -> b.getLong();
        case "UINT64" -> unsigned(b.getLong());
        default -> b.getDouble(); // FP64
      });
    }
    return out;
  }

  /** A UINT64 as a JSON number while it fits a long, as its decimal text beyond (numpy reads both). */
  private static Object unsigned(long v) {
    return v >= 0 ? (Object) v : Long.toUnsignedString(v);
  }

  /** IEEE 754 half precision to float (Java 17 has no Float.float16ToFloat). */
  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13)); // infinity, NaN
    }
    if (exp == 0) {
      float v = mant / 1024f / 16384f; // subnormal: mant x 2^-24
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** float to IEEE 754 half precision, rounding to nearest (values too large become infinity). */
  static short floatToHalf(float f) {
    int bits = Float.floatToIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = ((bits >>> 23) & 0xff) - 127 + 15;
    int mant = bits & 0x7fffff;
    if (((bits >>> 23) & 0xff) == 0xff) {
      return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
    }
    if (exp >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (exp <= 0) {
      if (exp < -10) {
        return (short) sign;
      }
      mant |= 0x800000;
      return (short) (sign | ((mant >> (14 - exp)) + ((mant >> (13 - exp)) & 1)));
    }
    return (short) ((sign | (exp << 10) | (mant >> 13)) + ((mant >> 12) & 1));
  }

  /** The script's JSON answer as the protocol's response; a body that is not one is a ValidationException. */
  static ModelInferResponse fromJson(JsonObject j) {
    ModelInferResponse.Builder out = ModelInferResponse.newBuilder()
        .setModelName(text(j.getValue("model_name"))).setModelVersion(text(j.getValue("model_version")))
        .setId(text(j.getValue("id")));
    if (j.getValue("parameters") instanceof JsonObject p) {
      p.forEach(e -> out.putParameters(e.getKey(), parameter(e.getValue())));
    }
    if (!(j.getValue("outputs") instanceof JsonArray outputs)) {
      throw new ValidationException("the answer has no 'outputs': a list of tensors");
    }
    boolean raw = outputs.stream().anyMatch(o -> o instanceof JsonObject t
        && ("FP16".equals(t.getValue("datatype")) || "BF16".equals(t.getValue("datatype"))));
    for (Object o : outputs) {
      if (!(o instanceof JsonObject t) || !(t.getValue("name") instanceof String name)
          || !(t.getValue("datatype") instanceof String datatype) || !(t.getValue("shape") instanceof JsonArray shape)) {
        throw new ValidationException("each output is a tensor with name, datatype and shape; got " + o);
      }
      String what = "output '" + name + "'";
      List<Object> data = new ArrayList<>();
      flatten(t.getValue("data"), data);
      ModelInferResponse.InferOutputTensor.Builder tensor = ModelInferResponse.InferOutputTensor.newBuilder()
          .setName(name).setDatatype(datatype);
      shape.forEach(d -> tensor.addShape(((Number) d).longValue()));
      if (raw) {
        out.addRawOutputContents(toRaw(what, datatype, data));
      } else {
        tensor.setContents(contents(what, datatype, data));
      }
      out.addOutputs(tensor);
    }
    return out.build();
  }

  private static String text(Object v) {
    return v == null ? "" : String.valueOf(v);
  }

  private static InferParameter parameter(Object v) {
    if (v instanceof Boolean b) {
      return InferParameter.newBuilder().setBoolParam(b).build();
    }
    if (v instanceof Number n && n.doubleValue() == n.longValue()) {
      return InferParameter.newBuilder().setInt64Param(n.longValue()).build();
    }
    return InferParameter.newBuilder().setStringParam(String.valueOf(v)).build();
  }

  private static void flatten(Object v, List<Object> out) {
    if (v instanceof JsonArray a) {
      a.forEach(x -> flatten(x, out));
    } else if (v != null) {
      out.add(v);
    }
  }

  private static InferTensorContents contents(String what, String datatype, List<Object> data) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    try {
      for (Object v : data) {
        switch (datatype) {
          case "BOOL" -> c.addBoolContents((Boolean) v);
          case "INT8", "INT16", "INT32" -> c.addIntContents(((Number) v).intValue());
          case "INT64" -> c.addInt64Contents(((Number) v).longValue());
          case "UINT8", "UINT16", "UINT32" -> c.addUintContents((int) ((Number) v).longValue());
          case "UINT64" -> c.addUint64Contents(Long.parseUnsignedLong(String.valueOf(v)));
          case "FP32" -> c.addFp32Contents(((Number) v).floatValue());
          case "FP64" -> c.addFp64Contents(((Number) v).doubleValue());
          case "BYTES" -> c.addBytesContents(ByteString.copyFromUtf8(String.valueOf(v)));
          default -> throw unknownType(what, datatype);
        }
      }
    } catch (ClassCastException | NumberFormatException e) {
      throw new ValidationException(what + ": data does not fit datatype " + datatype + ": " + e.getMessage());
    }
    return c.build();
  }

  private static ByteString toRaw(String what, String datatype, List<Object> data) {
    int w = width(what, datatype);
    if (w == 0) {
      ByteString.Output out = ByteString.newOutput();
      for (Object v : data) {
        byte[] s = String.valueOf(v).getBytes(StandardCharsets.UTF_8);
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(s.length).array(), 0, 4);
        out.write(s, 0, s.length);
      }
      return out.toByteString();
    }
    ByteBuffer b = ByteBuffer.allocate(data.size() * w).order(ByteOrder.LITTLE_ENDIAN);
    try {
      for (Object v : data) {
        switch (datatype) {
          case "BOOL" -> b.put((byte) (((Boolean) v) ? 1 : 0));
          case "INT8", "UINT8" -> b.put((byte) ((Number) v).intValue());
          case "INT16", "UINT16" -> b.putShort((short) ((Number) v).intValue());
          case "FP16" -> b.putShort(floatToHalf(((Number) v).floatValue()));
          case "BF16" -> b.putShort((short) (Float.floatToIntBits(((Number) v).floatValue()) >>> 16));
          case "INT32", "UINT32" -> b.putInt((int) ((Number) v).longValue());
          case "FP32" -> b.putFloat(((Number) v).floatValue());
          case "INT64" -> b.putLong(((Number) v).longValue());
          case "UINT64" -> b.putLong(Long.parseUnsignedLong(String.valueOf(v)));
          default -> b.putDouble(((Number) v).doubleValue()); // FP64
        }
      }
    } catch (ClassCastException | NumberFormatException e) {
      throw new ValidationException(what + ": data does not fit datatype " + datatype + ": " + e.getMessage());
    }
    return ByteString.copyFrom(b.array());
  }
}
