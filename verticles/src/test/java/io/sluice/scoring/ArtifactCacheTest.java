package io.sluice.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.endpoints.Uploads;
import io.sluice.store.Store;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploaded folders come out of a real H2 store file and are unpacked once, safely. */
class ArtifactCacheTest {
  @TempDir
  Path tmp;

  static byte[] zip(String... nameThenContent) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(b)) {
      for (int i = 0; i < nameThenContent.length; i += 2) {
        z.putNextEntry(new ZipEntry(nameThenContent[i]));
        z.write(nameThenContent[i + 1].getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
      }
    }
    return b.toByteArray();
  }

  @Test
  void aFileIdThatIsAPathIsRefusedBeforeTheDiskIsTouched() throws Exception {
    try (Store store = Store.open(Store.defaultUrl(tmp), "sa", "")) {
      byte[] data = zip("model/weights.txt", "42");
      store.putFile("sha256:../../escaped", data); // as if a forged deployment document named it
      ArtifactCache cache = new ArtifactCache(store, tmp.resolve("cache").resolve("files"), ZipLimits.DEFAULT);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> cache.materialize("sha256:../../escaped"))
          .hasMessageContaining("not an uploaded file id");
      assertThat(java.nio.file.Files.exists(tmp.resolve("escaped"))).isFalse();
      assertThat(java.nio.file.Files.exists(tmp.resolve("cache"))).isFalse();
    }
  }

  @Test
  void concurrentUnpackersOfTheSameContentAllGetTheFolder() throws Exception {
    try (Store store = Store.open(Store.defaultUrl(tmp), "sa", "")) {
      byte[] data = zip("model/weights.txt", "42", "model/sub/more.txt", "x");
      String id = Uploads.id(data);
      store.putFile(id, data);
      store.putFile(id, data); // idempotent
      Path shared = tmp.resolve("files");
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        ArtifactCache cache = new ArtifactCache(store, shared, ZipLimits.DEFAULT); // as if 8 nodes shared one folder
        results.add(pool.submit(() -> cache.materialize(id)));
      }
      for (Future<Path> f : results) {
        Path p = f.get();
        assertThat(Files.readString(p.resolve("model/weights.txt"))).isEqualTo("42");
      }
      pool.shutdown();
      try (var s = Files.list(shared)) {
        assertThat(s.map(p -> p.getFileName().toString())).containsExactly(id.substring(7));
      }
    }
  }

  @Test
  void entriesThatLeaveTheFolderAreRefused() throws Exception {
    Path into = Files.createDirectories(tmp.resolve("x"));
    assertThatThrownBy(() -> ZipLimits.DEFAULT.unzip(zip("../evil.txt", "no"), into)).hasMessageContaining("outside");
    assertThat(tmp.resolve("evil.txt")).doesNotExist();
  }

  @Test
  void aZipBombStopsAtTheLimitsWhateverItsHeadersSay() throws Exception {
    byte[] zeros = new byte[1 << 20];
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(bytes)) {
      for (int i = 0; i < 5; i++) {
        z.putNextEntry(new java.util.zip.ZipEntry("part" + i + ".bin"));
        z.write(zeros);
        z.closeEntry();
      }
    }
    byte[] bomb = bytes.toByteArray(); // 5 MiB of zeros in a few KiB
    assertThat(bomb.length).isLessThan(64 * 1024);
    new ZipLimits(5L << 20, 5).check(bomb);
    assertThatThrownBy(() -> new ZipLimits(4L << 20, 100).check(bomb)).isInstanceOf(ZipLimits.Exceeded.class)
        .hasMessageContaining("limits.max_unpacked_bytes=4194304");
    assertThatThrownBy(() -> new ZipLimits(1L << 30, 4).check(bomb)).isInstanceOf(ZipLimits.Exceeded.class)
        .hasMessageContaining("limits.max_upload_entries=4");
    Path into = tmp.resolve("bomb");
    assertThatThrownBy(() -> new ZipLimits(2L << 20, 100).unzip(bomb, into)).isInstanceOf(ZipLimits.Exceeded.class);
  }
}
