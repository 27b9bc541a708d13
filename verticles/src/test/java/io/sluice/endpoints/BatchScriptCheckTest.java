package io.sluice.endpoints;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.protocol.ValidationException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

class BatchScriptCheckTest {
  static byte[] zip(String path, String text) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      z.putNextEntry(new ZipEntry(path));
      z.write(text.getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
    }
    return bytes.toByteArray();
  }

  @Test
  void aScriptThatDefinesOrImportsRunBatchPasses() throws Exception {
    assertThatCode(() -> BatchScriptCheck.require(8, "score.py",
        zip("score.py", "def init():\n  pass\ndef run_batch(items):\n  return items\n"))).doesNotThrowAnyException();
    assertThatCode(() -> BatchScriptCheck.require(8, "src/score.py",
        zip("src/score.py", "from helpers import run_batch\n"))).doesNotThrowAnyException();
  }

  @Test
  void aScriptWithoutRunBatchIsRefusedNamingIt() throws Exception {
    assertThatThrownBy(() -> BatchScriptCheck.require(8, "score.py",
        zip("score.py", "def run(d):\n  return d\n# run_batch is for later\n")))
        .isInstanceOf(ValidationException.class)
        .hasMessageStartingWith("request_settings.max_batch_size: 8 needs the scoring script to define "
            + "run_batch(raw_data_list)");
  }

  @Test
  void aJavaScorerCannotBatch() {
    assertThatThrownBy(() -> BatchScriptCheck.require(4, "demo.Echo", new byte[0]))
        .isInstanceOf(ValidationException.class).hasMessageContaining("Java scorer");
  }
}
