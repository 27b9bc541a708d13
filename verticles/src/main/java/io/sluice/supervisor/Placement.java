package io.sluice.supervisor;

import io.sluice.protocol.InstanceState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The placement function: desired instance counts + nodes + observed instances -> spawn and stop orders.
 * Pure and deterministic. Rules:
 * <ul>
 *   <li>spread a deployment's instances evenly over the nodes that offer its instance type, within capacity;</li>
 *   <li>never move what runs: only missing instances are spawned, only surplus ones stopped;</li>
 *   <li>a new spec version rolls out with Azure's surge (at most max(1, 20%) extra instances); an old instance
 *       stops only when a new one is Ready to take its place;</li>
 *   <li>a Failed instance of the current version keeps its slot (no crash loop); the deployment reports it.</li>
 * </ul>
 */
public final class Placement {
  private Placement() {
  }

  /**
   * A node that can host instances. {@code instanceTypes} containing "*" offers every type. A {@code leaving} node
   * (stopping with SIGTERM) takes no new instances, and its instances are replaced elsewhere before they stop.
   */
  public record Node(String id, Set<String> instanceTypes, int capacity, boolean leaving, Set<String> computes,
                     Resources declared) {
    public Node(String id, Set<String> instanceTypes, int capacity) {
      this(id, instanceTypes, capacity, false);
    }

    public Node(String id, Set<String> instanceTypes, int capacity, boolean leaving) {
      this(id, instanceTypes, capacity, leaving, Set.of("*"), Resources.UNLIMITED);
    }

    /** Offers the deployment's instance type and, for a Kubernetes-style endpoint, its compute. */
    boolean offers(Desired d) {
      return offersAny(instanceTypes, d.instanceType()) && (d.compute() == null || offersAny(computes, d.compute()));
    }

    private static boolean offersAny(Set<String> offered, String wanted) {
      return offered.contains("*") || offered.stream().anyMatch(t -> t.equalsIgnoreCase(wanted));
    }
  }

  public record Instance(String id, String deployment, int version, String node, InstanceState state) {
  }

  /** Cpu (thousandths of a core) and memory (bytes): what a node declares, or what an instance requests. */
  public record Resources(long cpuMillis, long memoryBytes) {
    public static final Resources NONE = new Resources(0, 0);
    public static final Resources UNLIMITED = new Resources(Long.MAX_VALUE, Long.MAX_VALUE);
  }

  /**
   * {@code compute}: the compute name of a Kubernetes-style endpoint, null for a managed one (any node);
   * {@code requests}: what each instance needs of a node's declared cpu and memory (resources.requests).
   */
  public record Desired(String deployment, int version, int count, String instanceType, String compute,
                        Resources requests) {
    public Desired(String deployment, int version, int count, String instanceType) {
      this(deployment, version, count, instanceType, null, Resources.NONE);
    }

    String where() {
      return compute == null ? "instance_type " + instanceType : "compute " + compute + " with instance_type "
          + instanceType;
    }
  }

  public record Spawn(String deployment, int version, String node) {
  }

  /** {@code unplaceable}: deployment -> why some of its instances could not be placed. */
  public record Plan(List<Spawn> spawns, List<String> stops, Map<String, String> unplaceable) {
  }

  public static int surge(int count) {
    return Math.max(1, (int) Math.ceil(count * 0.2));
  }

  public static Plan plan(List<Desired> desired, List<Node> nodes, List<Instance> instances) {
    List<Spawn> spawns = new ArrayList<>();
    List<String> stops = new ArrayList<>();
    Map<String, String> unplaceable = new TreeMap<>();
    Map<String, Integer> load = new HashMap<>();
    nodes.forEach(n -> load.put(n.id(), 0));
    instances.forEach(i -> load.computeIfPresent(i.node(), (k, v) -> v + 1));

    Map<String, Desired> wanted = new LinkedHashMap<>();
    desired.stream().sorted(Comparator.comparing(Desired::deployment)).forEach(d -> wanted.put(d.deployment(), d));
    // cpu and memory requested on each node by what runs there now
    Map<String, long[]> used = new HashMap<>();
    nodes.forEach(n -> used.put(n.id(), new long[2]));
    for (Instance i : instances) {
      Desired d = wanted.get(i.deployment());
      long[] u = used.get(i.node());
      if (d != null && u != null) {
        u[0] += d.requests().cpuMillis();
        u[1] += d.requests().memoryBytes();
      }
    }
    Map<String, List<Instance>> byDeployment = instances.stream()
        .collect(Collectors.groupingBy(Instance::deployment, TreeMap::new, Collectors.toList()));

    // instances of deployments nobody wants any more
    byDeployment.forEach((dep, list) -> {
      if (!wanted.containsKey(dep)) {
        list.forEach(i -> stops.add(i.id()));
      }
    });

    Set<String> leaving = nodes.stream().filter(Node::leaving).map(Node::id).collect(Collectors.toSet());
    for (Desired d : wanted.values()) {
      List<Instance> mine = byDeployment.getOrDefault(d.deployment(), List.of());
      // instances to replace: an older spec version, or on a leaving node
      List<Instance> cur = new ArrayList<>();
      List<Instance> old = new ArrayList<>();
      for (Instance i : mine) {
        (i.version() == d.version() && !leaving.contains(i.node()) ? cur : old).add(i);
      }
      // moving off a leaving node is not an upgrade: no surge limit for those
      long moving = old.stream().filter(i -> i.version() == d.version()).count();
      boolean curFailed = cur.stream().anyMatch(i -> i.state() == InstanceState.Failed);
      long curReady = cur.stream().filter(i -> i.state() == InstanceState.Ready).count();

      int toSpawn = d.count() - cur.size();
      if (!old.isEmpty()) {
        toSpawn = curFailed ? 0 : (int) Math.min(toSpawn,
            d.count() + surge(d.count()) + moving - (cur.size() + old.size()));
        int keepOld = (int) Math.max(0, d.count() - curReady);
        old.stream().sorted(stopOrder(load)).limit(Math.max(0, old.size() - keepOld)).forEach(i -> stops.add(i.id()));
      }
      Map<String, Integer> perNode = new HashMap<>();
      mine.forEach(i -> perNode.merge(i.node(), 1, Integer::sum));
      // surplus goes one at a time from wherever this deployment is densest now, so what stays is spread
      List<Instance> candidates = new ArrayList<>(cur);
      for (int k = cur.size() - d.count(); k > 0; k--) {
        Instance out = candidates.stream().min(Comparator.<Instance>comparingInt(Placement::stateRank)
            .thenComparingInt(i -> -perNode.getOrDefault(i.node(), 0))
            .thenComparingInt(i -> -load.getOrDefault(i.node(), 0))
            .thenComparing(Instance::id)).orElseThrow();
        candidates.remove(out);
        stops.add(out.id());
        perNode.merge(out.node(), -1, Integer::sum);
        load.computeIfPresent(out.node(), (key, v) -> v - 1);
      }
      for (int k = 0; k < toSpawn; k++) {
        Node target = nodes.stream()
            .filter(n -> !n.leaving() && n.offers(d) && load.getOrDefault(n.id(), 0) < n.capacity()
                && fits(n, used.get(n.id()), d.requests()) == null)
            .min(Comparator.<Node>comparingInt(n -> perNode.getOrDefault(n.id(), 0))
                .thenComparingInt(n -> load.getOrDefault(n.id(), 0))
                .thenComparing(Node::id))
            .orElse(null);
        if (target == null) {
          unplaceable.put(d.deployment(), why(nodes, d, load, used, toSpawn - k));
          break;
        }
        spawns.add(new Spawn(d.deployment(), d.version(), target.id()));
        used.get(target.id())[0] += d.requests().cpuMillis();
        used.get(target.id())[1] += d.requests().memoryBytes();
        perNode.merge(target.id(), 1, Integer::sum);
        load.merge(target.id(), 1, Integer::sum);
      }
    }
    return new Plan(spawns, stops, unplaceable);
  }

  /**
   * The Provisioning instances to order again: written down by an earlier leader (none of {@code ordered}, this
   * leader's orders, is behind them), still wanted at their version, and not being stopped. An earlier leader that
   * died between writing an instance and ordering it would otherwise leave an entry that never starts.
   */
  public static List<String> orphans(List<Desired> desired, List<Instance> instances, Plan plan,
                                     Set<String> ordered) {
    Set<String> wanted = new HashSet<>();
    desired.forEach(d -> wanted.add(d.deployment() + "@" + d.version()));
    Set<String> stopping = new HashSet<>(plan.stops());
    return instances.stream().filter(i -> i.state() == InstanceState.Provisioning && !ordered.contains(i.id())
        && !stopping.contains(i.id()) && wanted.contains(i.deployment() + "@" + i.version()))
        .map(Instance::id).toList();
  }

  /** The resource a node lacks for one more instance ("cpu", "memory"), or null if it fits. */
  private static String fits(Node n, long[] used, Resources want) {
    if (want.cpuMillis() > 0 && used[0] + want.cpuMillis() > n.declared().cpuMillis()) {
      return "cpu";
    }
    if (want.memoryBytes() > 0 && used[1] + want.memoryBytes() > n.declared().memoryBytes()) {
      return "memory";
    }
    return null;
  }

  /** Why {@code missing} instances of {@code d} found no node: naming the instance type, compute or resource. */
  private static String why(List<Node> nodes, Desired d, Map<String, Integer> load, Map<String, long[]> used,
                            int missing) {
    List<Node> offering = nodes.stream().filter(n -> !n.leaving() && n.capacity() > 0 && n.offers(d)).toList();
    if (offering.isEmpty()) {
      return "no node offers " + d.where();
    }
    List<Node> withRoom = offering.stream().filter(n -> load.getOrDefault(n.id(), 0) < n.capacity()).toList();
    if (withRoom.isEmpty()) {
      return "no node offering " + d.where() + " has free capacity for " + missing + " more instance(s)";
    }
    String lacking = fits(withRoom.get(0), used.get(withRoom.get(0).id()), d.requests());
    String asked = "cpu".equals(lacking) ? d.requests().cpuMillis() + "m cpu"
        : (d.requests().memoryBytes() >> 20) + " MiB memory";
    return "resources.requests." + lacking + ": no node offering " + d.where() + " has " + asked + " free for "
        + missing + " more instance(s) (nodes declare --cpu and --memory)";
  }

  /** Which instance to stop first: Failed, then not yet Ready, then from the busiest node, then by id. */
  private static Comparator<Instance> stopOrder(Map<String, Integer> load) {
    return Comparator.<Instance>comparingInt(Placement::stateRank)
        .thenComparing(i -> -load.getOrDefault(i.node(), 0))
        .thenComparing(Instance::id);
  }

  private static int stateRank(Instance i) {
    return i.state() == InstanceState.Failed ? 0 : i.state() == InstanceState.Ready ? 2 : 1;
  }
}
