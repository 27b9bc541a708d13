package io.sluice.scorer.python;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The log pump reads in bulk but hands on whole lines, in order, whatever the reads' boundaries. */
class LogPumpTest {

  static List<String> pump(String... chunks) {
    List<InputStream> parts = new ArrayList<>();
    for (String c : chunks) {
      parts.add(new ByteArrayInputStream(c.getBytes(StandardCharsets.UTF_8)));
    }
    List<String> lines = new ArrayList<>();
    new LogPump(new SequenceInputStream(Collections.enumeration(parts)), lines::add).run();
    return lines;
  }

  @Test
  void linesSplitAcrossReadsComeOutWholeAndInOrder() {
    assertThat(pump("rid-1,first li", "ne\r\nTraceback (most", " recent call last):\n  Fi", "le \"x\"\n", "no end"))
        .containsExactly("rid-1,first line", "Traceback (most recent call last):", "  File \"x\"", "no end");
    assertThat(pump("héllo\nwörld\n")).containsExactly("héllo", "wörld");
  }

  @Test
  void aLineWithoutAnEndIsLoggedInPiecesNotHeldWithoutBound() {
    List<String> lines = pump("x".repeat(200_000));
    assertThat(lines).hasSizeGreaterThan(1);
    assertThat(String.join("", lines)).hasSize(200_000);
  }
}
