package io.sluice.collect;

/**
 * Whether bytes are exactly one JSON value (RFC 8259) on one line, in valid UTF-8: then a collected record may carry
 * them as they came. A check, not a parser: one loop over the bytes with the open containers as bits of a long, no
 * recursion and no allocation (a busy instance's writer checks every payload, and this was a third of its time).
 * Nesting deeper than {@link #MAX_DEPTH} is answered "no" (the payload is then kept as text). Pure.
 */
final class JsonCheck {
  static final int MAX_DEPTH = 64;
  private static final int FAIL = -1;

  private JsonCheck() {
  }

  static boolean oneLineValue(byte[] b) {
    int n = b.length;
    int i = space(b, 0);
    long objects = 0; // bit d: the container at depth d+1 is an object
    int depth = 0;
    boolean wantValue = true;
    while (true) {
      if (wantValue) {
        if (i >= n) {
          return false;
        }
        byte c = b[i];
        if (c == '{' || c == '[') {
          if (depth == MAX_DEPTH) {
            return false;
          }
          boolean object = c == '{';
          objects = object ? objects | 1L << depth : objects & ~(1L << depth);
          depth++;
          i = space(b, i + 1);
          if (i < n && b[i] == (object ? '}' : ']')) {
            depth--;
            i++;
            wantValue = false;
          } else if (object) {
            i = key(b, i);
          }
        } else {
          i = c == '"' ? string(b, i) : c == 't' ? word(b, i, "true") : c == 'f' ? word(b, i, "false")
              : c == 'n' ? word(b, i, "null") : number(b, i);
          wantValue = false;
        }
        if (i == FAIL) {
          return false;
        }
        continue;
      }
      i = space(b, i);
      if (depth == 0) {
        return i == n;
      }
      if (i >= n) {
        return false;
      }
      boolean object = (objects >>> (depth - 1) & 1) != 0;
      byte c = b[i++];
      if (c == (object ? '}' : ']')) {
        depth--;
      } else if (c == ',') {
        i = space(b, i);
        if (object && (i = key(b, i)) == FAIL) {
          return false;
        }
        wantValue = true;
      } else {
        return false;
      }
    }
  }

  private static int space(byte[] b, int i) {
    while (i < b.length && (b[i] == ' ' || b[i] == '\t')) {
      i++;
    }
    return i;
  }

  /** A member's name and its colon, at i; returns where its value may start. */
  private static int key(byte[] b, int i) {
    if (i >= b.length || b[i] != '"' || (i = string(b, i)) == FAIL) {
      return FAIL;
    }
    i = space(b, i);
    return i < b.length && b[i] == ':' ? space(b, i + 1) : FAIL;
  }

  private static int string(byte[] b, int i) {
    int n = b.length;
    i++; // the opening quote
    while (i < n) {
      int c = b[i] & 0xff;
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        i++;
      } else if (c == '"') {
        return i + 1;
      } else if (c == '\\') {
        i = escape(b, i + 1);
        if (i == FAIL) {
          return FAIL;
        }
      } else if (c < 0x20) {
        return FAIL; // a control character (a line break among them) must be escaped
      } else if ((i = utf8(b, i, c)) == FAIL) {
        return FAIL;
      }
    }
    return FAIL;
  }

  /** What follows a backslash, at i. */
  private static int escape(byte[] b, int i) {
    if (i >= b.length) {
      return FAIL;
    }
    byte e = b[i];
    if (e == 'u') {
      for (int k = 1; k <= 4; k++) {
        if (i + k >= b.length || Character.digit(b[i + k], 16) < 0) {
          return FAIL;
        }
      }
      return i + 5;
    }
    return "\"\\/bfnrt".indexOf(e) >= 0 ? i + 1 : FAIL;
  }

  /** One multi-byte UTF-8 sequence starting at i (lead byte {@code c}): well formed, shortest form. */
  private static int utf8(byte[] b, int i, int c) {
    int n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0 || i + n >= b.length) {
      return FAIL;
    }
    for (int k = 1; k <= n; k++) {
      if ((b[i + k] & 0xc0) != 0x80) {
        return FAIL;
      }
    }
    int second = b[i + 1] & 0xff;
    if (c == 0xe0 && second < 0xa0 || c == 0xed && second > 0x9f || c == 0xf0 && second < 0x90
        || c == 0xf4 && second > 0x8f) {
      return FAIL; // overlong, a surrogate, or past U+10FFFF
    }
    return i + n + 1;
  }

  private static int word(byte[] b, int i, String w) {
    if (i + w.length() > b.length) {
      return FAIL;
    }
    for (int k = 0; k < w.length(); k++) {
      if (b[i + k] != w.charAt(k)) {
        return FAIL;
      }
    }
    return i + w.length();
  }

  private static int number(byte[] b, int i) {
    int n = b.length;
    if (b[i] == '-') {
      i++;
    }
    if (i < n && b[i] == '0') {
      i++;
    } else if ((i = digits(b, i)) == FAIL) {
      return FAIL;
    }
    if (i < n && b[i] == '.' && (i = digits(b, i + 1)) == FAIL) {
      return FAIL;
    }
    if (i < n && (b[i] == 'e' || b[i] == 'E')) {
      i++;
      if (i < n && (b[i] == '+' || b[i] == '-')) {
        i++;
      }
      return digits(b, i);
    }
    return i;
  }

  /** One digit or more at i; returns the index after them. */
  private static int digits(byte[] b, int i) {
    int start = i;
    while (i < b.length && b[i] >= '0' && b[i] <= '9') {
      i++;
    }
    return i > start ? i : FAIL;
  }
}
