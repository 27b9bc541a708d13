package io.sluice.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An instance log rolls at its size limit and keeps a bounded number of files; its tail is read from the end. */
class InstanceLogTest {
  @TempDir
  Path tmp;

  @Test
  void aChattyScriptUsesBoundedDiskAndTheTailSpansTheRoll() throws Exception {
    Path file = tmp.resolve("logs/instance.log");
    try (InstanceLog log = new InstanceLog(file, 1000)) {
      for (int i = 0; i < 1000; i++) {
        log.line(String.format("line %04d", i)); // 10 bytes each: a roll every 100 lines
      }
    }
    try (var files = Files.list(file.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("instance.log", "instance.log.1", "instance.log.2");
    }
    assertThat(Files.size(file)).isLessThanOrEqualTo(1000);
    assertThat(LogTail.last(file, 3, 1 << 20)).isEqualTo("line 0997\nline 0998\nline 0999");
    String spanning = LogTail.last(file, 150, 1 << 20); // the current file holds 100: the rest from ".1"
    assertThat(spanning.lines().count()).isEqualTo(150);
    assertThat(spanning).startsWith("line 0850\n").endsWith("line 0999");
    // the byte budget bounds what is read: whole lines only
    assertThat(LogTail.last(file, 100, 25)).isEqualTo("line 0998\nline 0999");
    assertThat(LogTail.last(tmp.resolve("none.log"), 5, 100)).isEmpty();
  }
}
