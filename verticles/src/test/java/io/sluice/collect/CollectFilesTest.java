package io.sluice.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.collect.CollectedRecords.Payload;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer's files in Azure's layout and fields, read back newest first; drops counted; retention. */
class CollectFilesTest {
  @TempDir
  Path tmp;
  final Map<String, AtomicLong> written = new ConcurrentHashMap<>();
  final Map<String, AtomicLong> dropped = new ConcurrentHashMap<>();
  final CollectWriter.Counts counts = new CollectWriter.Counts() {
    @Override
    public void written(String c, long n) {
      written.computeIfAbsent(c, k -> new AtomicLong()).addAndGet(n);
    }

    @Override
    public void dropped(String c, long n) {
      dropped.computeIfAbsent(c, k -> new AtomicLong()).addAndGet(n);
    }
  };

  private static DataCollection payloads() {
    return DataCollection.parse(new JsonObject("{\"collections\": {\"request\": {\"enabled\": \"True\"}, "
        + "\"response\": {\"enabled\": \"True\"}}}"));
  }

  private CollectWriter writer(Path req, Path resp, long maxQueued) {
    return new CollectWriter("ep", "blue", "blue-1", payloads(), Map.of("request", req, "response", resp),
        List.of(req, resp), counts, maxQueued);
  }

  private static Payload request(String id, long at, String body) {
    return new Payload("request", at, id, body.getBytes(StandardCharsets.UTF_8), "application/json", 0, Map.of());
  }

  @Test
  void recordsLandInAzuresLayoutAndReadBackNewestFirst() throws Exception {
    Path req = tmp.resolve("c/ep/blue/request");
    Path resp = tmp.resolve("c/ep/blue/response");
    long t0 = Instant.parse("2026-12-03T16:59:59Z").toEpochMilli();
    try (CollectWriter w = writer(req, resp, CollectWriter.QUEUED_BYTES)) {
      w.offer(request("r1", t0, "{\"data\": [[1, 2]]}"));
      w.offer(new Payload("response", t0 + 5, "r1", "[11.5]".getBytes(StandardCharsets.UTF_8), "application/json", 200,
          null));
      w.offer(request("r2", t0 + 2000, "not json"));
      w.offer(request("r3", t0 + 3000, "")); // nothing in the body
      w.offer(new Payload("request", t0 + 4000, "r4", new byte[] {(byte) 0xff, 0, 1}, "application/octet-stream", 0,
          Map.of()));
    }
    Path first = req.resolve("2026/12/03/16/blue-1.jsonl");
    assertThat(first).exists();
    JsonObject r1 = new JsonObject(Files.readAllLines(first).get(0));
    assertThat(r1.getString("specversion")).isEqualTo("1.0");
    assertThat(r1.getString("type")).isEqualTo("azureml.inference.request");
    assertThat(r1.getString("time")).isEqualTo("2026-12-03T16:59:59.000Z");
    assertThat(r1.getJsonObject("data").getJsonArray("data").getJsonArray(0).getInteger(1)).isEqualTo(2);
    assertThat(r1.getString("correlationid")).isEqualTo("r1").isEqualTo(r1.getString("xrequestid"));
    assertThat(r1.getString("contentrange")).isEqualTo("bytes 0-17/18");
    assertThat(r1.getString("source")).isEqualTo("/endpoints/ep/deployments/blue");
    JsonObject answer = new JsonObject(Files.readAllLines(resp.resolve("2026/12/03/16/blue-1.jsonl")).get(0));
    assertThat(answer.getInteger("statuscode")).isEqualTo(200);
    assertThat(CollectedRecords.body(answer)).asString().isEqualTo("[11.5]");

    List<JsonObject> back = CollectedReader.newest(req, DataCollection.RollingRate.Hour,
        Instant.parse("2026-12-03T16:00:00Z"), 10);
    assertThat(back).extracting(r -> r.getString("xrequestid")).containsExactly("r4", "r3", "r2", "r1");
    assertThat(back.get(0).getString("dataencoding")).isEqualTo("base64");
    assertThat(CollectedRecords.body(back.get(0))).containsExactly((byte) 0xff, 0, 1);
    assertThat(back.get(2).getString("data")).isEqualTo("not json");
    assertThat(CollectedReader.newest(req, DataCollection.RollingRate.Hour, Instant.parse("2026-12-03T17:00:02Z"),
        10)).extracting(r -> r.getString("xrequestid")).containsExactly("r4", "r3");
    assertThat(CollectedReader.newest(req, DataCollection.RollingRate.Hour, Instant.EPOCH, 2)).hasSize(2);
    assertThat(written.get("request").get()).isEqualTo(4);
  }

  @Test
  void aPayloadOverFourMegabytesIsWrittenBesideItsLine() throws Exception {
    Path req = tmp.resolve("big/request");
    byte[] big = new byte[CollectedRecords.INLINE_BYTES + 1];
    java.util.Arrays.fill(big, (byte) 'a');
    try (CollectWriter w = writer(req, tmp.resolve("big/response"), CollectWriter.QUEUED_BYTES)) {
      w.offer(new Payload("request", System.currentTimeMillis(), "big-1", big, "text/plain", 0, Map.of()));
    }
    JsonObject r = CollectedReader.newest(req, DataCollection.RollingRate.Hour, Instant.EPOCH, 1).get(0);
    assertThat(r.containsKey("data")).isFalse();
    assertThat(Files.size(req.resolve(r.getString("dataref")))).isEqualTo(big.length);
    assertThat(r.getString("contentrange")).isEqualTo("bytes 0-" + (big.length - 1) + "/" + big.length);
  }

  @Test
  void aFolderThatCannotBeWrittenOrAFullQueueDropsRecordsAndCountsThem() throws Exception {
    Path file = Files.writeString(tmp.resolve("not-a-folder"), "x"); // a folder cannot be made under a file
    try (CollectWriter w = writer(file.resolve("request"), file.resolve("response"), CollectWriter.QUEUED_BYTES)) {
      for (int i = 0; i < 5; i++) {
        w.offer(request("d" + i, System.currentTimeMillis(), "{}"));
      }
    }
    assertThat(dropped.get("request").get()).isEqualTo(5);
    dropped.clear();
    try (CollectWriter w = writer(tmp.resolve("q/request"), tmp.resolve("q/response"), 600)) {
      w.offer(request("fits", System.currentTimeMillis(), "{}")); // 514 bytes of the 600 while queued
      for (int i = 0; i < 1000; i++) {
        w.offer(request("x" + i, System.currentTimeMillis(), "{\"much\": \"" + "y".repeat(200) + "\"}"));
      }
    }
    assertThat(dropped.get("request").get()).as("the queue holds 600 bytes: most were dropped").isPositive();
    assertThat(written.get("request").get() + dropped.get("request").get()).isEqualTo(1001);
  }

  @Test
  void filesPastTheRetentionAreSweptWithTheirFolders() throws Exception {
    Path folder = tmp.resolve("r/request");
    Path old = Files.createDirectories(folder.resolve("2026/11/01/10")).resolve("blue-1.jsonl");
    Files.writeString(old, "{}\n");
    Path fresh = Files.createDirectories(folder.resolve("2026/12/03/10")).resolve("blue-1.jsonl");
    Files.writeString(fresh, "{}\n");
    Instant now = Instant.parse("2026-12-03T10:30:00Z");
    Files.setLastModifiedTime(old, FileTime.from(now.minus(java.time.Duration.ofDays(8))));
    Files.setLastModifiedTime(fresh, FileTime.from(now.minusSeconds(60)));
    for (Path p : List.of(folder.resolve("2026/11/01/10"), folder.resolve("2026/11/01"), folder.resolve("2026/11"))) {
      Files.setLastModifiedTime(p, FileTime.from(now.minus(java.time.Duration.ofDays(8))));
    }
    Retention.sweep(List.of(folder), java.time.Duration.ofDays(7), now);
    assertThat(old).doesNotExist();
    assertThat(fresh).exists();
    assertThat(folder.resolve("2026/11")).as("the folders it emptied").doesNotExist();
    assertThat(folder.resolve("2026/12/03/10")).exists();
  }

  @Test
  void pastTheNodesCapTheOldestFilesGoButNotOneBeingWritten() throws Exception {
    Path root = tmp.resolve("collected");
    long now = Instant.parse("2026-12-03T10:30:00Z").toEpochMilli();
    Path[] f = new Path[4];
    for (int i = 0; i < 4; i++) {
      f[i] = Files.createDirectories(root.resolve("ep/d" + i + "/request/2026/12/03/0" + i)).resolve("x.jsonl");
      Files.write(f[i], new byte[1000]);
      Files.setLastModifiedTime(f[i], FileTime.fromMillis(now - (4 - i) * 3_600_000L)); // f[0] the oldest
    }
    Files.setLastModifiedTime(f[3], FileTime.fromMillis(now - 10_000)); // being written
    assertThat(CollectedCap.sweep(root, 2500, now)).isEqualTo(2000);
    assertThat(f[0]).doesNotExist();
    assertThat(f[1]).doesNotExist();
    assertThat(f[2]).exists();
    assertThat(CollectedCap.sweep(root, 500, now)).as("the one being written stays, over the cap or not")
        .isEqualTo(1000);
    assertThat(f[3]).exists();
  }
}
