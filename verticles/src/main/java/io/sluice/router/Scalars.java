package io.sluice.router;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.sluice.oip.grpc.InferTensorContents;
import io.sluice.protocol.ValidationException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A tensor's {@code data} as the script's answer gave it, flattened row-major, kept as primitives until the
 * tensor's datatype says what they are (in JSON, "data" may come before "datatype"): a kind per element, its bits
 * (a long, or a double's bits) and, for text, the string. Then written as the protocol's typed contents or raw bytes,
 * an element that does not fit the datatype being a {@link ValidationException} naming the tensor.
 */
final class Scalars {
  private static final byte INT = 0;
  private static final byte FLOAT = 1;
  private static final byte TRUE = 2;
  private static final byte FALSE = 3;
  private static final byte TEXT = 4;
  private static final byte BIG = 5; // an integer too large for a long, as its digits
  private static final byte OTHER = 6; // an object: fits no datatype

  private byte[] kinds = new byte[16];
  private long[] bits = new long[16];
  private final List<String> texts = new ArrayList<>();
  private int size;

  /** Adds the value the parser is at (a scalar, or a list of them at any depth; nulls are skipped). */
  void add(JsonParser p) throws IOException {
    switch (p.currentToken()) {
      case START_ARRAY -> {
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          add(p);
        }
      }
      case VALUE_NUMBER_INT -> { // not getNumberType(): on a BigInteger it leaves Jackson 2.18.2 reading the
        Number n = p.getNumberValue(); // next float as that BigInteger's value
        if (n instanceof BigInteger) {
          put(BIG, texts.size());
          texts.add(p.getText());
        } else {
          put(INT, n.longValue());
        }
      }
      case VALUE_NUMBER_FLOAT -> put(FLOAT, Double.doubleToRawLongBits(p.getDoubleValue()));
      case VALUE_TRUE -> put(TRUE, 1);
      case VALUE_FALSE -> put(FALSE, 0);
      case VALUE_STRING -> {
        put(TEXT, texts.size());
        texts.add(p.getText());
      }
      case VALUE_NULL -> { }
      default -> {
        p.skipChildren();
        put(OTHER, 0);
      }
    }
  }

  private void put(byte kind, long value) {
    if (size == kinds.length) {
      kinds = Arrays.copyOf(kinds, size * 2);
      bits = Arrays.copyOf(bits, size * 2);
    }
    kinds[size] = kind;
    bits[size++] = value;
  }

  /** The elements as the protocol's typed contents of {@code datatype}. */
  InferTensorContents contents(String what, String datatype) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (int i = 0; i < size; i++) {
      switch (datatype) {
        case "BOOL" -> c.addBoolContents(bool(what, datatype, i));
        case "INT8", "INT16", "INT32" -> c.addIntContents((int) integer(what, datatype, i));
        case "INT64" -> c.addInt64Contents(integer(what, datatype, i));
        case "UINT8", "UINT16", "UINT32" -> c.addUintContents((int) integer(what, datatype, i));
        case "UINT64" -> c.addUint64Contents(unsigned(what, datatype, i));
        case "FP32" -> c.addFp32Contents((float) real(what, datatype, i));
        case "FP64" -> c.addFp64Contents(real(what, datatype, i));
        case "BYTES" -> c.addBytesContents(ByteString.copyFromUtf8(text(i)));
        default -> throw OipTensors.unknownType(what, datatype);
      }
    }
    return c.build();
  }

  /** The elements as the protocol's raw contents of {@code datatype}: little-endian, BYTES length-prefixed. */
  ByteString raw(String what, String datatype) {
    int w = OipTensors.width(what, datatype);
    if (w == 0) {
      ByteString.Output out = ByteString.newOutput();
      byte[] length = new byte[4];
      for (int i = 0; i < size; i++) {
        byte[] s = text(i).getBytes(StandardCharsets.UTF_8);
        ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).putInt(0, s.length);
        out.write(length, 0, 4);
        out.write(s, 0, s.length);
      }
      return out.toByteString();
    }
    ByteBuffer b = ByteBuffer.allocate(size * w).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < size; i++) {
      switch (datatype) {
        case "BOOL" -> b.put((byte) (bool(what, datatype, i) ? 1 : 0));
        case "INT8", "UINT8" -> b.put((byte) integer(what, datatype, i));
        case "INT16", "UINT16" -> b.putShort((short) integer(what, datatype, i));
        case "FP16" -> b.putShort(OipTensors.floatToHalf((float) real(what, datatype, i)));
        case "BF16" -> b.putShort((short) (Float.floatToIntBits((float) real(what, datatype, i)) >>> 16));
        case "INT32", "UINT32" -> b.putInt((int) integer(what, datatype, i));
        case "FP32" -> b.putFloat((float) real(what, datatype, i));
        case "INT64" -> b.putLong(integer(what, datatype, i));
        case "UINT64" -> b.putLong(unsigned(what, datatype, i));
        default -> b.putDouble(real(what, datatype, i)); // FP64
      }
    }
    return UnsafeByteOperations.unsafeWrap(b.array()); // the array is this call's own: no copy
  }

  private boolean bool(String what, String datatype, int i) {
    if (kinds[i] != TRUE && kinds[i] != FALSE) {
      throw unfit(what, datatype, i);
    }
    return kinds[i] == TRUE;
  }

  /** An integer type's element: a number, a float's integer part (as a cast would). */
  private long integer(String what, String datatype, int i) {
    return switch (kinds[i]) {
      case INT -> bits[i];
      case FLOAT -> (long) Double.longBitsToDouble(bits[i]);
      case BIG -> new BigInteger(texts.get((int) bits[i])).longValue();
      default -> throw unfit(what, datatype, i);
    };
  }

  private long unsigned(String what, String datatype, int i) {
    try {
      return Long.parseUnsignedLong(switch (kinds[i]) {
        case INT -> Long.toString(bits[i]);
        case TEXT, BIG -> texts.get((int) bits[i]); // UINT64 beyond a long comes as its digits, or as text
        default -> throw unfit(what, datatype, i);
      });
    } catch (NumberFormatException e) {
      throw unfit(what, datatype, i);
    }
  }

  private double real(String what, String datatype, int i) {
    return switch (kinds[i]) {
      case INT -> bits[i];
      case FLOAT -> Double.longBitsToDouble(bits[i]);
      case BIG -> new BigInteger(texts.get((int) bits[i])).doubleValue();
      default -> throw unfit(what, datatype, i);
    };
  }

  /** An element as BYTES: a string as it is, anything else as its JSON text. */
  private String text(int i) {
    return switch (kinds[i]) {
      case INT -> Long.toString(bits[i]);
      case FLOAT -> Double.toString(Double.longBitsToDouble(bits[i]));
      case TRUE -> "true";
      case FALSE -> "false";
      case TEXT, BIG -> texts.get((int) bits[i]);
      default -> "{}";
    };
  }

  private ValidationException unfit(String what, String datatype, int i) {
    String got = switch (kinds[i]) {
      case TEXT -> '"' + texts.get((int) bits[i]) + '"';
      case OTHER -> "an object";
      default -> text(i);
    };
    return new ValidationException(what + ": data does not fit datatype " + datatype + ": element " + i + " is "
        + got);
  }
}
