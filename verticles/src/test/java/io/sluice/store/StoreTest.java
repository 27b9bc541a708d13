package io.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same store code on the embedded H2 file and on a real PostgreSQL server (scripts/postgres.sh installs and
 * starts it; scripts/test.sh passes its URL in SLUICE_TEST_PG_URL).
 */
public class StoreTest {
  @TempDir
  static Path tmp;

  /** A fresh PostgreSQL schema's URL, or a skip (a failure under CI) when no server was provided. */
  public static String postgres() throws Exception {
    return url("postgresql");
  }

  static Stream<String> databases() {
    return Stream.of("h2", "postgresql");
  }

  /** A fresh, empty database for each run: an H2 file, or a new PostgreSQL schema. */
  public static String url(String kind) throws Exception {
    if (kind.equals("h2")) {
      return Store.defaultUrl(tmp.resolve(UUID.randomUUID().toString()));
    }
    String pg = System.getenv("SLUICE_TEST_PG_URL");
    if ("true".equals(System.getenv("CI"))) {
      assertThat(pg).as("CI runs scripts/test.sh, which must provide SLUICE_TEST_PG_URL").isNotBlank();
    }
    assumeTrue(pg != null && !pg.isEmpty(), "SLUICE_TEST_PG_URL is not set (scripts/test.sh sets it after "
        + "scripts/postgres.sh starts PostgreSQL)");
    String schema = "t" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = DriverManager.getConnection(pg); Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
    }
    return pg + "&currentSchema=" + schema;
  }

  /** Processes racing to create a cluster secret on an empty store all end with the one that was written first. */
  @ParameterizedTest
  @MethodSource("databases")
  void putIfAbsentHasOneWinnerAcrossConnections(String kind) throws Exception {
    String url = url(kind);
    try (Store a = Store.open(url, "sa", ""); Store b = Store.open(url, "sa", "")) {
      List<java.util.concurrent.CompletableFuture<String>> racers = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Store s = i % 2 == 0 ? a : b;
        String mine = "value-" + i;
        racers.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try {
            return s.putIfAbsent(Store.SETTING, "secret", new JsonObject().put("value", mine)).getString("value");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }));
      }
      java.util.concurrent.CompletableFuture.allOf(racers.toArray(new java.util.concurrent.CompletableFuture[0]))
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
      String stored = a.get(Store.SETTING, "secret").orElseThrow().getString("value");
      for (var r : racers) {
        assertThat(r.get()).isEqualTo(stored);
      }
      assertThat(b.putIfAbsent(Store.SETTING, "secret", new JsonObject().put("value", "late")).getString("value"))
          .isEqualTo(stored);
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void documentsFilesAndAtomicWrites(String kind) throws Exception {
    String url = url(kind);
    try (Store s = Store.open(url, "sa", "")) {
      s.put(Store.ENDPOINT, "ep_1", new JsonObject().put("name", "ep_1"));
      s.put(Store.ENDPOINT, "ep%2", new JsonObject().put("name", "ep%2"));
      s.put(Store.DEPLOYMENT, "ep_1/blue", new JsonObject().put("n", 1));
      s.put(Store.DEPLOYMENT, "ep_10/blue", new JsonObject().put("n", 2));
      s.put(Store.DEPLOYMENT, "ep_1/blue", new JsonObject().put("n", 3)); // replaces
      assertThat(s.get(Store.ENDPOINT, "ep_1")).hasValueSatisfying(j -> assertThat(j.getString("name")).isEqualTo("ep_1"));
      assertThat(s.get(Store.ENDPOINT, "nope")).isEmpty();
      // prefixes are literal: "_" and "%" are not wildcards
      assertThat(s.list(Store.DEPLOYMENT, "ep_1/")).extracting(j -> j.getInteger("n")).containsExactly(3);
      assertThat(s.list(Store.ENDPOINT, "ep%")).hasSize(1);
      assertThat(s.list(Store.ENDPOINT, "")).hasSize(2);

      // all or nothing
      assertThatThrownBy(() -> s.write(List.of(Store.Write.delete(Store.ENDPOINT, "ep_1"),
          new Store.Write(Store.ENDPOINT, "x".repeat(400), new JsonObject())))).isInstanceOf(Exception.class);
      assertThat(s.get(Store.ENDPOINT, "ep_1")).isPresent();

      byte[] blob = new byte[300_000];
      new java.util.Random(7).nextBytes(blob);
      s.putFile("sha256:abc", blob);
      s.putFile("sha256:abc", blob);
      assertThat(s.hasFile("sha256:abc")).isTrue();
      assertThat(s.getFile("sha256:abc")).hasValue(blob);
      assertThat(s.getFile("sha256:zzz")).isEmpty();
    }
    // durable: a new connection sees everything
    try (Store again = Store.open(url, "sa", "")) {
      assertThat(again.list(Store.ENDPOINT, "")).hasSize(2);
      assertThat(again.getFile("sha256:abc")).isPresent();
    }
  }

  /** A write stuck behind another session's lock is cut at the query timeout; the pool serves reads meanwhile. */
  @ParameterizedTest
  @MethodSource("databases")
  void aStuckStatementEndsAtTheQueryTimeoutAndOthersGoOn(String kind) throws Exception {
    String url = url(kind);
    try (Store store = Store.open(url, "sa", "", new Store.Settings(3, 1000))) {
      store.put(Store.SETTING, "locked", new JsonObject().put("v", 1));
      store.put(Store.SETTING, "free", new JsonObject().put("v", 2));
      try (Connection holder = url.contains("user=") ? DriverManager.getConnection(url)
          : DriverManager.getConnection(url, "sa", "")) {
        holder.setAutoCommit(false);
        try (Statement st = holder.createStatement()) {
          st.executeUpdate("UPDATE resources SET body = '{\"v\":3}' WHERE kind = 'setting' AND name = 'locked'");
        }
        var stuck = java.util.concurrent.CompletableFuture.runAsync(() -> {
          try {
            store.put(Store.SETTING, "locked", new JsonObject().put("v", 4));
          } catch (java.sql.SQLException e) {
            throw new java.util.concurrent.CompletionException(e);
          }
        });
        // another connection of the pool answers while that write waits
        assertThat(store.get(Store.SETTING, "free").orElseThrow().getInteger("v")).isEqualTo(2);
        assertThatThrownBy(() -> stuck.get(8, java.util.concurrent.TimeUnit.SECONDS))
            .hasCauseInstanceOf(java.sql.SQLException.class);
        holder.rollback();
      }
      // nothing half-done: the stuck write changed nothing, and the store still works
      assertThat(store.get(Store.SETTING, "locked").orElseThrow().getInteger("v")).isEqualTo(1);
      store.put(Store.SETTING, "locked", new JsonObject().put("v", 5));
      assertThat(store.get(Store.SETTING, "locked").orElseThrow().getInteger("v")).isEqualTo(5);
    }
  }
}
