package io.sluice.scale;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * One cluster of {@code members} nodes, measured and thrown away. Its JVMs: the "rest" (all roles, the leader is
 * its first node), a router-only "probe" node alone in its JVM (its heap is what routing the cluster costs), and a
 * "victim" alone in its JVM (killed -9 for the failover figure). Instances run the built-in Java echo scorer.
 */
final class ScaleRun implements AutoCloseable {
  static final long SETTLE_MS = 20_000;
  private final ScaleSettings s;
  private final int members;
  private final Path dir;
  private final Path home;
  private final List<MemberJvm> rest = new ArrayList<>();
  private MemberJvm probe;
  private MemberJvm victim;
  private Api api;
  private int total;

  ScaleRun(ScaleSettings s, int members, Path dir) {
    this.s = s;
    this.members = members;
    this.dir = dir;
    this.home = dir.resolve("home");
  }

  JsonObject run() throws Exception {
    JsonObject out = new JsonObject().put("members", members);
    long t = System.currentTimeMillis();
    startCluster();
    out.put("start_s", (System.currentTimeMillis() - t) / 1000.0);
    JsonObject probeEmpty = probe.stats();
    t = System.currentTimeMillis();
    populate();
    out.put("instances", total).put("populate_s", (System.currentTimeMillis() - t) / 1000.0);
    out.put("at_rest", atRest(probeEmpty));
    JsonObject before = traffic();
    long at = System.currentTimeMillis();
    out.put("propagation", new Propagation(api, allUrls(), s.trials()).measure());
    // while the propagation runs, every router serves requests: load reports flow
    out.put("traffic_under_requests", Traffic.rates(before, traffic(), (System.currentTimeMillis() - at) / 1000.0,
        members));
    out.put("scale_up_100_s", scaleUp());
    out.put("failover", failover());
    return out;
  }

  private void startCluster() throws Exception {
    Files.createDirectories(home);
    Path hz = ScaleSettings.writeHazelcast(dir, s.hzPort(), members, s.partitions());
    int scorers = members - 1; // the probe hosts none
    total = s.endpoints() * s.deployments() * s.instances();
    int capacity = (int) Math.ceil((total + 100.0) / Math.max(1, scorers - 1)) + 2; // room after the failover
    String cluster = "scale-" + members + "-" + System.currentTimeMillis();
    int port = s.httpPort();
    List<Integer> spread = ScaleSettings.spread(members - 2, Math.max(1, s.jvms() - 2));
    for (int n : spread) { // the first starts alone: its first node is the leader, the others join it
      rest.add(new MemberJvm(cluster, home, hz, port, n, capacity, "control-plane,router,scorer-host",
          s.heapMb(), dir.resolve("members-" + rest.size() + ".log")));
      port += n;
      if (rest.size() == 1) {
        rest.get(0).awaitUp(600_000);
      }
    }
    for (MemberJvm j : rest.subList(1, rest.size())) {
      j.awaitUp(600_000);
    }
    probe = new MemberJvm(cluster, home, hz, port++, 1, 0, "router", 1024, dir.resolve("probe.log"))
        .awaitUp(300_000);
    // the victim hosts a full node's share (1,100 instances at 10,000): with 1 GB it paused in full collections
    // long enough for Hazelcast to drop it, and the cluster re-placed its instances in the middle of a measurement
    victim = new MemberJvm(cluster, home, hz, port, 1, capacity, "control-plane,router,scorer-host", 2048,
        dir.resolve("victim.log")).awaitUp(300_000);
    api = new Api(home, rest.get(0).urls.get(0));
  }

  /** E endpoints of D deployments of I instances each, created with the CLI four at a time; waits until all Ready. */
  private void populate() throws Exception {
    Path yaml = Path.of("examples/java-echo/echo-deployment.yml").toAbsolutePath();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> made = new ArrayList<>();
      for (int e = 0; e < s.endpoints(); e++) {
        String ep = "ep-" + e;
        made.add(pool.submit(() -> api.create("online-endpoint", "create", "-n", ep, "-o", "none")));
      }
      for (Future<?> f : made) {
        f.get();
      }
      made.clear();
      for (int e = 0; e < s.endpoints(); e++) {
        for (int d = 0; d < s.deployments(); d++) {
          String ep = "ep-" + e;
          String dep = "dep" + d;
          made.add(pool.submit(() -> api.create("online-deployment", "create", "-f", yaml.toString(), "-e", ep, "-n",
              dep, "--set", "instance_count=" + s.instances(), "--no-wait", "-o", "none")));
        }
      }
      for (Future<?> f : made) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    awaitReady(total, i -> true, 1_800_000);
    api.cli("online-endpoint", "update", "-n", "ep-0", "--traffic", "dep0=100", "-o", "none");
  }

  /** Heap after GC, and CPU over a while with nothing happening; the probe's heap growth is the routing state's. */
  private JsonObject atRest(JsonObject probeEmpty) throws Exception {
    // the first seconds after a populate are the JIT compiling and the last states settling: not "at rest"
    Thread.sleep(SETTLE_MS);
    List<MemberJvm> all = all();
    List<JsonObject> before = new ArrayList<>();
    for (MemberJvm j : all) {
      before.add(j.stats());
    }
    Thread.sleep(s.restSeconds() * 1000L); // the measured interval itself, not a wait for a condition
    JsonArray jvms = new JsonArray();
    List<JsonObject> afters = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      JsonObject after = all.get(i).cpu();
      afters.add(after);
      JsonObject b = before.get(i);
      double cores = (after.getLong("cpu_ns") - b.getLong("cpu_ns")) / 1e6 / (after.getLong("at_ms")
          - b.getLong("at_ms"));
      jvms.add(new JsonObject().put("role", i < rest.size() ? "rest" : i == rest.size() ? "probe" : "victim")
          .put("nodes", all.get(i).nodes).put("heap_mb", b.getLong("heap_bytes") / 1048576.0)
          .put("threads", b.getLong("threads")).put("cpu_cores", cores));
    }
    JsonObject rates = Traffic.rates(Traffic.sum(before.stream().map(b -> b.getJsonObject("traffic")).toList()),
        Traffic.sum(afters.stream().map(a -> a.getJsonObject("traffic")).toList()), s.restSeconds(), members);
    double probeMb = (before.get(rest.size()).getLong("heap_bytes") - probeEmpty.getLong("heap_bytes")) / 1048576.0;
    return new JsonObject().put("jvms", jvms).put("traffic", rates).put("probe_heap_growth_mb", probeMb)
        .put("router_heap_mb_per_1000_instances", probeMb / (total / 1000.0));
  }

  /** +100 instances on one deployment: seconds from the command to all Ready. */
  private double scaleUp() throws Exception {
    long t = System.currentTimeMillis();
    api.cli("online-deployment", "update", "-e", "ep-" + (s.endpoints() - 1), "-n", "dep0", "--set",
        "instance_count=" + (s.instances() + 100), "--no-wait", "-o", "none");
    total += 100;
    awaitReady(total, i -> true, 600_000);
    return (System.currentTimeMillis() - t) / 1000.0;
  }

  /**
   * kill -9 of the victim's JVM: seconds until as many instances are Ready again, none on the dead node (Hazelcast
   * declares it dead after 5 s without a heartbeat; that is part of the figure).
   */
  private JsonObject failover() throws Exception {
    String dead = victim.urls.get(0);
    String name = "node-" + dead.substring(dead.lastIndexOf(':') + 1);
    long hosted = api.instances().stream().filter(i -> name.equals(((JsonObject) i).getString("node"))).count();
    long t = System.currentTimeMillis();
    victim.kill();
    awaitReady(total, i -> !name.equals(i.getString("node")), 600_000);
    return new JsonObject().put("s", (System.currentTimeMillis() - t) / 1000.0).put("instances_moved", hosted);
  }

  private void awaitReady(int count, Predicate<JsonObject> where, long timeoutMs) throws Exception {
    long end = System.currentTimeMillis() + timeoutMs;
    while (true) {
      JsonArray all;
      try {
        all = api.instances();
      } catch (IllegalStateException busy) { // a 503 from a saturated cluster: ask again until the deadline
        if (System.currentTimeMillis() > end) {
          throw busy;
        }
        continue;
      }
      long ready = all.stream().map(o -> (JsonObject) o).filter(i -> "Ready".equals(i.getString("state")))
          .filter(where).count();
      boolean elsewhere = all.stream().map(o -> (JsonObject) o).allMatch(where);
      if (ready == count && elsewhere) {
        return;
      }
      if (System.currentTimeMillis() > end) {
        throw new IllegalStateException(ready + " of " + count + " instances Ready after " + timeoutMs + " ms");
      }
      Thread.sleep(250); // polling the cluster's own view; the condition is checked above
    }
  }

  /** Every JVM's traffic counters, summed. */
  private JsonObject traffic() throws Exception {
    List<JsonObject> each = new ArrayList<>();
    for (MemberJvm j : all()) {
      each.add(j.cpu().getJsonObject("traffic"));
    }
    return Traffic.sum(each);
  }

  private List<MemberJvm> all() {
    List<MemberJvm> all = new ArrayList<>(rest);
    all.add(probe);
    if (victim != null) {
      all.add(victim);
    }
    return all;
  }

  private List<String> allUrls() {
    List<String> urls = new ArrayList<>();
    all().forEach(j -> urls.addAll(j.urls));
    return urls;
  }

  @Override
  public void close() throws Exception {
    for (MemberJvm j : all()) {
      if (j != null) {
        j.kill();
      }
    }
  }
}
