package io.sluice.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.ClasspathYamlConfig;
import com.hazelcast.config.Config;
import com.hazelcast.internal.config.SchemaViolationConfigurationException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shipped Hazelcast files load, and the node config layers override each other in order. */
class ClusterConfigTest {
  static Path file(String name) {
    return Path.of(System.getProperty("sluice.repo", "..")).resolve("cluster-config").resolve(name);
  }

  @Test
  void shippedHazelcastFilesLoad() throws Exception {
    Config loopback = ClusterSetup.hazelcast(null, "c1", List.of("127.0.0.1:5799"));
    assertThat(loopback.getClusterName()).isEqualTo("c1");
    assertThat(loopback.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
    assertThat(loopback.getNetworkConfig().getJoin().getTcpIpConfig().getMembers()).contains("127.0.0.1:5701",
        "127.0.0.1:5799");
    assertThat(loopback.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("5");
    Config members = ClusterSetup.hazelcast(file("hazelcast-members.yaml").toString(), "c2", List.of(), "10.0.0.11");
    assertThat(members.getNetworkConfig().getJoin().getTcpIpConfig().getMembers()).hasSize(3);
    assertThat(members.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("10.0.0.11");
    Config multicast = ClusterSetup.hazelcast(file("hazelcast-multicast.yaml").toString(), "c3", List.of());
    assertThat(multicast.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isTrue();
    Config k8s = ClusterSetup.hazelcast(file("hazelcast-kubernetes.yaml").toString(), "c4", List.of());
    assertThat(k8s.getNetworkConfig().getJoin().getKubernetesConfig().isEnabled()).isTrue();
    assertThat(k8s.getNetworkConfig().getJoin().getKubernetesConfig().getProperty("service-name"))
        .isEqualTo("sluice-hazelcast");
  }

  /** The node reads its embedded file unchecked (to start faster): here it is checked against Hazelcast's schema. */
  @Test
  void theEmbeddedFilePassesHazelcastsSchemaAndAnOperatorsFileIsStillChecked() throws Exception {
    assertThat(System.getProperty("hazelcast.config.schema.validation.enabled")).isNull();
    assertThat(new ClasspathYamlConfig(ClusterSetup.DEFAULT_CONFIG).getNetworkConfig().getJoin().getTcpIpConfig()
        .isEnabled()).isTrue();
    Path bad = java.nio.file.Files.createTempFile("hazelcast", ".yaml");
    java.nio.file.Files.writeString(bad, "hazelcast:\n  network:\n    jion: {}\n");
    assertThatThrownBy(() -> ClusterSetup.hazelcast(bad.toString(), "c5", List.of()))
        .isInstanceOf(SchemaViolationConfigurationException.class).hasMessageContaining("jion");
    ClusterSetup.hazelcast(null, "c6", List.of());
    assertThat(System.getProperty("hazelcast.config.schema.validation.enabled")).as("restored").isNull();
  }

  @Test
  void flagsBeatVariablesBeatTheFileBeatDefaults() throws Exception {
    Path f = java.nio.file.Files.createTempFile("node", ".yaml");
    java.nio.file.Files.writeString(f, "http:\n  port: 9000\nnode:\n  capacity: 3\n  roles: [router]\n");
    JsonObject c = NodeConfig.load(f, Map.of("SLUICE_HTTP_PORT", "9100", "SLUICE_NODE_NAME", "from-env"),
        Map.of("node.name", "from-flag"));
    assertThat(NodeConfig.integer(c, "http.port", 0)).isEqualTo(9100);
    assertThat(NodeConfig.str(c, "node.name", null)).isEqualTo("from-flag");
    assertThat(NodeConfig.integer(c, "node.capacity", 0)).isEqualTo(3);
    assertThat(NodeConfig.list(c, "node.roles", List.of())).containsExactly("router");
    assertThat(NodeConfig.str(c, "python.default", null)).isEqualTo("/usr/bin/python3");
  }
}
