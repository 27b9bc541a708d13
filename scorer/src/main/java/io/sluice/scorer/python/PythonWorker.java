package io.sluice.scorer.python;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.scorer.ScoreRequest;
import io.sluice.scorer.ScoreResult;
import io.sluice.scorer.ScorerSpec;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** One Python process running sluice_runner.py, and the thread that feeds it one request at a time. */
final class PythonWorker {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Pending(ScoreRequest request, CompletableFuture<ScoreResult> result) {
  }

  private final int index;
  private final ScorerSpec spec;
  private final Path runner;
  private final Path script;
  private final BlockingQueue<Pending> queue;
  private final Consumer<PythonWorker> onDeath;
  private Process process;
  private volatile boolean closing;
  private long seq;

  PythonWorker(int index, ScorerSpec spec, Path runner, Path script, BlockingQueue<Pending> queue,
               Consumer<PythonWorker> onDeath) {
    this.index = index;
    this.spec = spec;
    this.runner = runner;
    this.script = script;
    this.queue = queue;
    this.onDeath = onDeath;
  }

  CompletableFuture<Void> start() throws IOException {
    ProcessBuilder pb = new ProcessBuilder(spec.python(), "-u", runner.toString(), script.toString());
    pb.directory(spec.codeDir().toFile());
    Map<String, String> env = pb.environment();
    env.putAll(spec.environment());
    if (spec.modelDir() != null) {
      env.put("AZUREML_MODEL_DIR", spec.modelDir().toString());
    }
    env.put("AZUREML_ENTRY_SCRIPT", spec.scoringScript());
    env.put("AML_APP_ROOT", spec.codeDir().toString());
    env.put("WORKER_COUNT", String.valueOf(spec.workers()));
    env.put("PYTHONUNBUFFERED", "1");
    process = pb.start();
    spec.logSink().line("sluice: worker " + index + " started, pid " + process.pid());

    Thread logs = new Thread(this::pumpLogs, "python-log-" + process.pid());
    logs.setDaemon(true);
    logs.start();

    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread loop = new Thread(() -> serve(ready), "python-worker-" + process.pid());
    loop.setDaemon(true);
    loop.start();
    return ready;
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  private void pumpLogs() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        spec.logSink().line(line);
      }
    } catch (IOException ignored) {
      // the process is gone; serve() reports it
    }
  }

  private void serve(CompletableFuture<Void> ready) {
    DataInputStream in = new DataInputStream(process.getInputStream());
    DataOutputStream out = new DataOutputStream(process.getOutputStream());
    Pending current = null;
    try {
      JsonNode hello = JSON.readTree(readFrame(in));
      readFrame(in); // empty body
      if (!"ready".equals(hello.path("event").asText())) {
        ready.completeExceptionally(new IllegalStateException("init() failed: " + hello.path("error").asText()));
        return;
      }
      ready.complete(null);
      while (!closing) {
        current = queue.poll(200, TimeUnit.MILLISECONDS);
        if (current == null) {
          if (!process.isAlive()) {
            break;
          }
          continue;
        }
        ObjectNode header = JSON.createObjectNode().put("seq", ++seq).put("id", current.request().requestId());
        header.set("headers", JSON.valueToTree(current.request().headers()));
        writeFrame(out, JSON.writeValueAsBytes(header));
        writeFrame(out, current.request().body());
        out.flush();
        JsonNode reply = JSON.readTree(readFrame(in));
        byte[] body = readFrame(in);
        current.result().complete(new ScoreResult(reply.path("status").asInt(500), body, "application/json",
            reply.path("ms").asDouble()));
        current = null;
      }
    } catch (EOFException e) {
      fail(ready, current, "the Python process exited (code " + exitCode() + ")");
    } catch (IOException e) {
      fail(ready, current, "the Python process failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(ready, current, "interrupted");
    } finally {
      if (!closing) {
        spec.logSink().line("sluice: worker " + index + " exited (code " + exitCode() + ")");
      }
      onDeath.accept(this);
    }
  }

  private void fail(CompletableFuture<Void> ready, Pending current, String why) {
    if (!ready.isDone()) {
      ready.completeExceptionally(new IllegalStateException("init() did not complete: " + why));
    }
    if (current != null) {
      current.result().completeExceptionally(new IllegalStateException(why));
    }
  }

  private String exitCode() {
    try {
      return process.waitFor(2, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "still running";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static byte[] readFrame(DataInputStream in) throws IOException {
    int n = in.readInt();
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  private static void writeFrame(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  void close() {
    closing = true;
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(3, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
