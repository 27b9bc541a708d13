package io.sluice.node;

import com.hazelcast.config.ClasspathYamlConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.FileSystemYamlConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import java.nio.file.Path;
import java.util.List;

/** Builds the Hazelcast config: the chosen file, the cluster name, extra members, and the maps Vert.x needs. */
public final class ClusterSetup {
  private ClusterSetup() {
  }

  public static final String DEFAULT_CONFIG = "cluster-config/hazelcast-loopback.yaml";

  public static Config hazelcast(String file, String clusterName, List<String> join) throws Exception {
    return hazelcast(file, clusterName, join, null);
  }

  /**
   * {@code host}: the address this node binds and advertises; on a non-loopback host it replaces the loopback
   * interface of the default file, so the same file serves machines and network namespaces.
   */
  public static Config hazelcast(String file, String clusterName, List<String> join, String host) throws Exception {
    System.setProperty("hazelcast.logging.type", "slf4j"); // before Hazelcast logs anything, even config loading
    Config c;
    if (file == null || file.isEmpty()) {
      c = embedded();
    } else if (file.endsWith(".xml")) {
      c = new FileSystemXmlConfig(Path.of(file).toFile());
    } else {
      c = new FileSystemYamlConfig(Path.of(file).toFile());
    }
    if (clusterName != null && !clusterName.isEmpty()) {
      c.setClusterName(clusterName);
    }
    c.setProperty("hazelcast.logging.type", "slf4j");
    c.setProperty("hazelcast.shutdownhook.enabled", "false");
    // listen on the chosen interface only (Hazelcast binds 0.0.0.0 otherwise, even with interfaces set)
    c.setProperty("hazelcast.socket.bind.any", "false");
    if (host != null && !host.isEmpty() && !host.startsWith("127.")) {
      c.getNetworkConfig().getInterfaces().setEnabled(true).clear().addInterface(host);
      c.setProperty("hazelcast.local.localAddress", host);
    }
    for (String member : join) {
      c.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).addMember(member);
    }
    c.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    c.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    c.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
    return c;
  }

  /**
   * The embedded default, read without Hazelcast's JSON-schema check: the check costs ~0.7 s of every node start,
   * and this file is ours, checked once by a test (ClusterConfigTest). Files an operator gives are still checked.
   */
  private static Config embedded() {
    String key = "hazelcast.config.schema.validation.enabled";
    String was = System.getProperty(key);
    System.setProperty(key, "false");
    try {
      return new ClasspathYamlConfig(DEFAULT_CONFIG);
    } finally {
      if (was == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, was);
      }
    }
  }
}
