package io.sluice.router;

import io.sluice.protocol.ValidationException;

/**
 * What the Open Inference Protocol's datatypes are, for both conversions between its gRPC messages and its JSON form
 * ({@link OipRequestJson} for requests, {@link OipAnswerJson} for answers): the names, the element widths of raw
 * contents, and half precision (FP16) both ways. Pure.
 */
final class OipTensors {
  private OipTensors() {
  }

  static ValidationException unknownType(String what, String datatype) {
    return new ValidationException(what + ": datatype must be one of "
        + String.join(", ", io.sluice.protocol.InferenceProtocol.DATATYPES) + "; got '" + datatype + "'");
  }

  /** Element width in bytes of a fixed-size type, 0 for BYTES. */
  static int width(String what, String datatype) {
    return switch (datatype) {
      case "BOOL", "INT8", "UINT8" -> 1;
      case "INT16", "UINT16", "FP16", "BF16" -> 2;
      case "INT32", "UINT32", "FP32" -> 4;
      case "INT64", "UINT64", "FP64" -> 8;
      case "BYTES" -> 0;
      default -> throw unknownType(what, datatype);
    };
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
}
