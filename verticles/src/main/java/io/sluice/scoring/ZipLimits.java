package io.sluice.scoring;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * What an uploaded folder may unpack to: {@code limits.max_unpacked_bytes} (default 8 GiB) and
 * {@code limits.max_upload_entries} (default 100,000). Counted while inflating, never trusted from the zip's
 * headers, so a zip bomb stops at the limit instead of filling every hosting node's disk. The upload door checks it
 * before storing; every node checks it again while unpacking.
 */
public record ZipLimits(long maxBytes, int maxEntries) {
  public static final ZipLimits DEFAULT = new ZipLimits(8L << 30, 100_000);

  /** Over a limit: the control plane answers 413 with this message. */
  public static final class Exceeded extends IOException {
    public Exceeded(String message) {
      super(message);
    }
  }

  /** Inflates the whole archive without writing it; fails with {@link Exceeded} over a limit. */
  public void check(byte[] zip) throws IOException {
    unzip(zip, null);
  }

  /** Unpacks into {@code into} (null: only counts); entries that would land outside it are refused. */
  void unzip(byte[] zip, Path into) throws IOException {
    Path base = into == null ? null : into.toAbsolutePath().normalize();
    long total = 0;
    int entries = 0;
    byte[] buf = new byte[64 * 1024];
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (++entries > maxEntries) {
          throw new Exceeded("file: the folder has more than limits.max_upload_entries=" + maxEntries + " entries");
        }
        Path root = base == null ? Path.of("/folder") : base; // without a target, judged against a stand-in
        if (e.getName().startsWith("/") || !root.resolve(e.getName()).normalize().startsWith(root)) {
          throw new IOException("refusing zip entry outside the folder: " + e.getName());
        }
        Path out = base == null ? null : base.resolve(e.getName()).normalize();
        if (e.isDirectory()) {
          if (out != null) {
            Files.createDirectories(out);
          }
          continue;
        }
        if (out != null) {
          Files.createDirectories(out.getParent());
        }
        try (OutputStream os = out == null ? OutputStream.nullOutputStream() : Files.newOutputStream(out)) {
          total = copy(in, os, buf, total);
        }
      }
    }
  }

  private long copy(InputStream in, OutputStream out, byte[] buf, long total) throws IOException {
    int n;
    while ((n = in.read(buf)) > 0) {
      total += n;
      if (total > maxBytes) {
        throw new Exceeded("file: the folder unpacks to more than limits.max_unpacked_bytes=" + maxBytes + " bytes");
      }
      out.write(buf, 0, n);
    }
    return total;
  }
}
