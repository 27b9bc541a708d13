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
        ArtifactCache cache = new ArtifactCache(store, shared); // as if 8 nodes shared one folder
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
    assertThatThrownBy(() -> ArtifactCache.unzip(zip("../evil.txt", "no"), into)).hasMessageContaining("outside");
    assertThat(tmp.resolve("evil.txt")).doesNotExist();
  }
}
