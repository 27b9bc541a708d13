package io.sluice.router;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.sluice.oip.grpc.InferParameter;
import io.sluice.oip.grpc.InferTensorContents;
import io.sluice.oip.grpc.ModelInferRequest;
import io.sluice.protocol.ValidationException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/**
 * A {@code ModelInferRequest} as the JSON a REST client would have sent (so score.py sees one form whichever door a
 * request took): tensors from their typed contents or from {@code raw_input_contents} (little-endian, row-major,
 * BYTES as 4-byte lengths and bytes), {@code data} flat. Written straight from the message with Jackson's streaming
 * generator, element by element: no tree and no boxed numbers, so a large tensor costs its bytes and no more. Bad
 * input is a {@link ValidationException} naming the tensor and the rule. Pure.
 */
final class OipRequestJson {
  private static final JsonFactory JSON = new JsonFactory();

  private OipRequestJson() {
  }

  /** The request's JSON form. */
  static Buffer write(ModelInferRequest r) {
    if (r.getRawInputContentsCount() > 0 && r.getRawInputContentsCount() != r.getInputsCount()) {
      throw new ValidationException("raw_input_contents: one per input (" + r.getInputsCount() + "); got "
          + r.getRawInputContentsCount());
    }
    ByteBuf bytes = Unpooled.buffer(128 + 4 * r.getSerializedSize());
    try (JsonGenerator g = JSON.createGenerator((java.io.OutputStream) new ByteBufOutputStream(bytes))) {
      g.writeStartObject();
      if (!r.getId().isEmpty()) {
        g.writeStringField("id", r.getId());
      }
      if (r.getParametersCount() > 0) {
        g.writeFieldName("parameters");
        parameters(g, r.getParametersMap());
      }
      g.writeArrayFieldStart("inputs");
      for (int i = 0; i < r.getInputsCount(); i++) {
        input(g, r.getInputs(i), r.getRawInputContentsCount() > 0 ? r.getRawInputContents(i) : null);
      }
      g.writeEndArray();
      if (r.getOutputsCount() > 0) {
        g.writeArrayFieldStart("outputs");
        for (ModelInferRequest.InferRequestedOutputTensor o : r.getOutputsList()) {
          g.writeStartObject();
          g.writeStringField("name", o.getName());
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    } catch (IOException e) { // a ByteBuf grows: only a bug gets here
      throw new UncheckedIOException(e);
    }
    return BufferInternal.buffer(bytes);
  }

  private static void input(JsonGenerator g, ModelInferRequest.InferInputTensor t, ByteString raw)
      throws IOException {
    String what = "input '" + t.getName() + "'";
    long count = count(what, t.getShapeList());
    g.writeStartObject();
    g.writeStringField("name", t.getName());
    g.writeStringField("datatype", t.getDatatype());
    g.writeArrayFieldStart("shape");
    for (int d = 0; d < t.getShapeCount(); d++) {
      g.writeNumber(t.getShape(d));
    }
    g.writeEndArray();
    g.writeArrayFieldStart("data");
    long written = raw != null ? fromRaw(g, what, t.getDatatype(), count, raw)
        : fromContents(g, what, t.getDatatype(), t.getContents());
    if (written != count) {
      throw new ValidationException(what + ": shape " + t.getShapeList() + " holds " + count + " elements; got "
          + written);
    }
    g.writeEndArray();
    if (t.getParametersCount() > 0) {
      g.writeFieldName("parameters");
      parameters(g, t.getParametersMap());
    }
    g.writeEndObject();
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

  private static void parameters(JsonGenerator g, Map<String, InferParameter> p) throws IOException {
    g.writeStartObject();
    for (Map.Entry<String, InferParameter> e : p.entrySet()) {
      g.writeFieldName(e.getKey());
      InferParameter v = e.getValue();
      switch (v.getParameterChoiceCase()) {
        case BOOL_PARAM -> g.writeBoolean(v.getBoolParam());
        case INT64_PARAM -> g.writeNumber(v.getInt64Param());
        case STRING_PARAM -> g.writeString(v.getStringParam());
        default -> g.writeNull();
      }
    }
    g.writeEndObject();
  }

  /** Writes the typed contents' elements; returns how many. */
  private static long fromContents(JsonGenerator g, String what, String datatype, InferTensorContents c)
      throws IOException {
    switch (datatype) {
      case "BOOL" -> {
        for (int i = 0; i < c.getBoolContentsCount(); i++) {
          g.writeBoolean(c.getBoolContents(i));
        }
        return c.getBoolContentsCount();
      }
      case "INT8", "INT16", "INT32" -> {
        for (int i = 0; i < c.getIntContentsCount(); i++) {
          g.writeNumber(c.getIntContents(i));
        }
        return c.getIntContentsCount();
      }
      case "INT64" -> {
        for (int i = 0; i < c.getInt64ContentsCount(); i++) {
          g.writeNumber(c.getInt64Contents(i));
        }
        return c.getInt64ContentsCount();
      }
      case "UINT8", "UINT16", "UINT32" -> {
        for (int i = 0; i < c.getUintContentsCount(); i++) {
          g.writeNumber(Integer.toUnsignedLong(c.getUintContents(i)));
        }
        return c.getUintContentsCount();
      }
      case "UINT64" -> {
        for (int i = 0; i < c.getUint64ContentsCount(); i++) {
          unsigned(g, c.getUint64Contents(i));
        }
        return c.getUint64ContentsCount();
      }
      case "FP32" -> {
        for (int i = 0; i < c.getFp32ContentsCount(); i++) {
          g.writeNumber(c.getFp32Contents(i));
        }
        return c.getFp32ContentsCount();
      }
      case "FP64" -> {
        for (int i = 0; i < c.getFp64ContentsCount(); i++) {
          g.writeNumber(c.getFp64Contents(i));
        }
        return c.getFp64ContentsCount();
      }
      case "BYTES" -> {
        for (int i = 0; i < c.getBytesContentsCount(); i++) {
          g.writeString(c.getBytesContents(i).toStringUtf8());
        }
        return c.getBytesContentsCount();
      }
      case "FP16", "BF16" -> throw new ValidationException(what + ": " + datatype
          + " comes as raw_input_contents (the protocol has no typed contents for it)");
      default -> throw OipTensors.unknownType(what, datatype);
    }
  }

  /** Writes the raw contents' elements; returns how many. */
  private static long fromRaw(JsonGenerator g, String what, String datatype, long count, ByteString raw)
      throws IOException {
    ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    int w = OipTensors.width(what, datatype);
    if (w == 0) {
      return rawStrings(g, what, b);
    }
    if ((long) raw.size() != count * w) {
      throw new ValidationException(what + ": raw contents of " + raw.size() + " bytes; shape and " + datatype
          + " need " + count * w);
    }
    while (b.hasRemaining()) {
      switch (datatype) {
        case "BOOL" -> g.writeBoolean(b.get() != 0);
        case "INT8" -> g.writeNumber(b.get());
        case "UINT8" -> g.writeNumber(b.get() & 0xff);
        case "INT16" -> g.writeNumber(b.getShort());
        case "UINT16" -> g.writeNumber(b.getShort() & 0xffff);
        case "FP16" -> g.writeNumber(OipTensors.halfToFloat(b.getShort()));
        case "BF16" -> g.writeNumber(Float.intBitsToFloat((b.getShort() & 0xffff) << 16));
        case "INT32" -> g.writeNumber(b.getInt());
        case "UINT32" -> g.writeNumber(Integer.toUnsignedLong(b.getInt()));
        case "FP32" -> g.writeNumber(b.getFloat());
        case "INT64" -> g.writeNumber(b.getLong());
        case "UINT64" -> unsigned(g, b.getLong());
        default -> g.writeNumber(b.getDouble()); // FP64
      }
    }
    return count;
  }

  private static long rawStrings(JsonGenerator g, String what, ByteBuffer b) throws IOException {
    long n = 0;
    while (b.remaining() >= 4) {
      int len = b.getInt();
      if (len < 0 || len > b.remaining()) {
        throw new ValidationException(what + ": raw BYTES element of " + len + " bytes runs past its contents");
      }
      byte[] s = new byte[len];
      b.get(s);
      g.writeString(new String(s, java.nio.charset.StandardCharsets.UTF_8));
      n++;
    }
    if (b.hasRemaining()) {
      throw new ValidationException(what + ": raw BYTES contents end inside an element's length");
    }
    return n;
  }

  /** A UINT64 as a JSON number while it fits a long, as its decimal text beyond (numpy reads both). */
  private static void unsigned(JsonGenerator g, long v) throws IOException {
    if (v >= 0) {
      g.writeNumber(v);
    } else {
      g.writeString(Long.toUnsignedString(v));
    }
  }
}
