package io.sluice.collect;

/**
 * Whether bytes are exactly one JSON value (RFC 8259) on one line, in valid UTF-8: then a collected record may carry
 * them as they came. A check, not a parser: it allocates nothing and reads each byte once (a busy instance's writer
 * checks every payload). Nesting deeper than {@link #MAX_DEPTH} is answered "no" (the payload is then kept as text).
 * Pure.
 */
final class JsonCheck {
  static final int MAX_DEPTH = 256;
  private final byte[] b;
  private int i;

  private JsonCheck(byte[] b) {
    this.b = b;
  }

  static boolean oneLineValue(byte[] b) {
    JsonCheck c = new JsonCheck(b);
    c.space();
    if (!c.value(0)) {
      return false;
    }
    c.space();
    return c.i == b.length;
  }

  private void space() {
    while (i < b.length && (b[i] == ' ' || b[i] == '\t')) {
      i++;
    }
  }

  private boolean value(int depth) {
    if (i >= b.length || depth > MAX_DEPTH) {
      return false;
    }
    return switch (b[i]) {
      case '{' -> container(depth, '}', true);
      case '[' -> container(depth, ']', false);
      case '"' -> string();
      case 't' -> word("true");
      case 'f' -> word("false");
      case 'n' -> word("null");
      default -> number();
    };
  }

  private boolean container(int depth, char close, boolean object) {
    i++;
    space();
    if (i < b.length && b[i] == close) {
      i++;
      return true;
    }
    while (true) {
      if (object) {
        if (i >= b.length || b[i] != '"' || !string()) {
          return false;
        }
        space();
        if (i >= b.length || b[i++] != ':') {
          return false;
        }
        space();
      }
      if (!value(depth + 1)) {
        return false;
      }
      space();
      if (i >= b.length) {
        return false;
      }
      byte c = b[i++];
      if (c == close) {
        return true;
      }
      if (c != ',') {
        return false;
      }
      space();
    }
  }

  private boolean string() {
    i++; // the opening quote
    while (i < b.length) {
      int c = b[i] & 0xff;
      if (c == '"') {
        i++;
        return true;
      }
      if (c < 0x20) {
        return false; // a control character (a line break among them) must be escaped
      }
      if (c == '\\') {
        if (++i >= b.length) {
          return false;
        }
        byte e = b[i];
        if (e == 'u') {
          for (int k = 1; k <= 4; k++) {
            if (i + k >= b.length || Character.digit(b[i + k], 16) < 0) {
              return false;
            }
          }
          i += 5;
        } else if ("\"\\/bfnrt".indexOf(e) >= 0) {
          i++;
        } else {
          return false;
        }
      } else if (c < 0x80) {
        i++;
      } else if (!utf8(c)) {
        return false;
      }
    }
    return false;
  }

  /** One multi-byte UTF-8 sequence starting at i (lead byte {@code c}): well formed, shortest form. */
  private boolean utf8(int c) {
    int n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0 || i + n >= b.length) {
      return false;
    }
    for (int k = 1; k <= n; k++) {
      if ((b[i + k] & 0xc0) != 0x80) {
        return false;
      }
    }
    int second = b[i + 1] & 0xff;
    if (c == 0xe0 && second < 0xa0 || c == 0xed && second > 0x9f || c == 0xf0 && second < 0x90
        || c == 0xf4 && second > 0x8f) {
      return false; // overlong, a surrogate, or past U+10FFFF
    }
    i += n + 1;
    return true;
  }

  private boolean word(String w) {
    if (i + w.length() > b.length) {
      return false;
    }
    for (int k = 0; k < w.length(); k++) {
      if (b[i + k] != w.charAt(k)) {
        return false;
      }
    }
    i += w.length();
    return true;
  }

  private boolean number() {
    int start = i;
    if (b[i] == '-') {
      i++;
    }
    if (i < b.length && b[i] == '0') {
      i++;
    } else if (!digits()) {
      return false;
    }
    if (i < b.length && b[i] == '.') {
      i++;
      if (!digits()) {
        return false;
      }
    }
    if (i < b.length && (b[i] == 'e' || b[i] == 'E')) {
      i++;
      if (i < b.length && (b[i] == '+' || b[i] == '-')) {
        i++;
      }
      if (!digits()) {
        return false;
      }
    }
    return i > start;
  }

  private boolean digits() {
    int start = i;
    while (i < b.length && b[i] >= '0' && b[i] <= '9') {
      i++;
    }
    return i > start;
  }
}
