package io.sluice.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The durable desired state: a small pool of JDBC connections (HikariCP), plain SQL that H2 and PostgreSQL both
 * speak. Documents are stored as JSON text under (kind, name); uploaded files as blobs keyed by their SHA-256. Every
 * statement has a time limit ({@link Settings}) and so has waiting for a connection, so a wedged database
 * answers errors instead of holding callers. Every method blocks: call it from a worker thread (executeBlocking),
 * never from an event loop.
 */
public final class Store implements AutoCloseable {
  public static final String ENDPOINT = "endpoint";
  public static final String DEPLOYMENT = "deployment";
  /** A drained node (by name): {@code protocol.DrainedNode}. */
  public static final String NODE = "node";
  public static final String MODEL = "model";
  public static final String ENVIRONMENT = "environment";
  public static final String SETTING = "setting";
  /** A rollout per endpoint (its current or last one), by endpoint name. */
  public static final String ROLLOUT = "rollout";
  /** The answer to a change that carried x-ms-client-request-id, by that id (kept for a retry window). */
  public static final String CLIENT_REQUEST = "client-request";
  /** How many connections, and the limit of one statement (set once per connection: per statement costs a trip). */
  public record Settings(int poolSize, int queryTimeoutMs) {
    public static final Settings DEFAULT = new Settings(4, 30_000);
  }

  private final String url;
  private final HikariDataSource pool;

  private Store(String url, HikariDataSource pool) {
    this.url = url;
    this.pool = pool;
  }

  /**
   * The embedded default: an H2 file in {@code home/store}, shared by every node process on this machine (the first
   * process serves it to the others; when that process dies another takes over and the others reconnect).
   * WRITE_DELAY=0: a commit reaches the file before the caller is answered (H2's default waits up to 500 ms, and a
   * kill -9 of the serving process in that window lost acknowledged changes: found by LeaderFailoverTest).
   */
  public static String defaultUrl(Path home) {
    return "jdbc:h2:file:" + home.resolve("store").resolve("sluice").toAbsolutePath()
        + ";AUTO_SERVER=TRUE;AUTO_RECONNECT=TRUE;WRITE_DELAY=0";
  }

  public static Store open(String url, String user, String password) throws SQLException {
    return open(url, user, password, Settings.DEFAULT);
  }

  public static Store open(String url, String user, String password, Settings settings) throws SQLException {
    if (url.startsWith("jdbc:h2:file:")) {
      try {
        Files.createDirectories(Path.of(url.substring("jdbc:h2:file:".length()).split(";")[0]).getParent());
      } catch (java.io.IOException e) {
        throw new SQLException("cannot create the store folder: " + e.getMessage(), e);
      }
    }
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(url);
    // credentials in the URL (PostgreSQL's ?user=…&password=…) win over the separate settings
    if (!url.contains("user=")) {
      hc.setUsername(user);
      hc.setPassword(password);
    }
    hc.setPoolName("sluice-store");
    hc.setMaximumPoolSize(Math.max(1, settings.poolSize()));
    hc.setMinimumIdle(1);
    hc.setConnectionTimeout(15_000);
    hc.setValidationTimeout(2_000);
    if (url.startsWith("jdbc:postgresql:")) {
      // statement_timeout is enforced by the server: a server that stops answering is cut by the socket timeout
      hc.addDataSourceProperty("socketTimeout", String.valueOf(settings.queryTimeoutMs() / 1000 + 10));
    }
    hc.setConnectionInitSql(url.startsWith("jdbc:postgresql:") ? "SET statement_timeout = " + settings.queryTimeoutMs()
        : "SET QUERY_TIMEOUT " + settings.queryTimeoutMs());
    // the first connection may wait for another process to let go of the H2 file: fail later, not at once
    hc.setInitializationFailTimeout(30_000);
    HikariDataSource ds;
    try {
      ds = new HikariDataSource(hc);
    } catch (RuntimeException e) {
      throw e.getCause() instanceof SQLException sql ? sql : new SQLException(e.getMessage(), e);
    }
    Store s = new Store(url, ds);
    try {
      s.migrate();
    } catch (SQLException e) {
      ds.close();
      throw e;
    }
    return s;
  }

  /** Work on one connection. */
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} on a pooled connection. A connection found broken (a restarted database server, the H2 file
   * taken over by another process) is evicted and the work retried once on a fresh one.
   */
  private <T> T retrying(Work<T> work) throws SQLException {
    try (Connection c = pool.getConnection()) {
      try {
        return work.run(c);
      } catch (SQLException e) {
        if (valid(c)) {
          throw e;
        }
        pool.evictConnection(c);
      }
    }
    try (Connection c = pool.getConnection()) {
      return work.run(c);
    }
  }

  private static boolean valid(Connection c) {
    try {
      return !c.isClosed() && c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  private void migrate() throws SQLException {
    boolean pg = url.startsWith("jdbc:postgresql:");
    String clob = pg ? "TEXT" : "CLOB";
    String blob = pg ? "BYTEA" : "BLOB";
    try (Connection conn = pool.getConnection(); Statement st = conn.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS resources (kind VARCHAR(32) NOT NULL, name VARCHAR(300) NOT NULL, "
          + "body " + clob + " NOT NULL, PRIMARY KEY (kind, name))");
      st.execute("CREATE TABLE IF NOT EXISTS files (id VARCHAR(80) PRIMARY KEY, size BIGINT NOT NULL, data "
          + blob + " NOT NULL)");
      // when each upload was stored (epoch seconds), for removing the ones nothing refers to; older stores lack it
      st.execute("ALTER TABLE files ADD COLUMN IF NOT EXISTS created BIGINT");
    }
  }

  public Optional<JsonObject> get(String kind, String name) throws SQLException {
    return retrying(c -> getOnce(c, kind, name));
  }

  private static Optional<JsonObject> getOnce(Connection conn, String kind, String name) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT body FROM resources WHERE kind = ? AND name = ?")) {
      ps.setString(1, kind);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(new JsonObject(rs.getString(1))) : Optional.empty();
      }
    }
  }

  /** All documents of a kind whose name starts with {@code prefix}, ordered by name. */
  public List<JsonObject> list(String kind, String prefix) throws SQLException {
    return retrying(c -> listOnce(c, kind, prefix));
  }

  private static List<JsonObject> listOnce(Connection conn, String kind, String prefix) throws SQLException {
    List<JsonObject> out = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(
        "SELECT body FROM resources WHERE kind = ? AND name LIKE ? ESCAPE '!' ORDER BY name")) {
      ps.setString(1, kind);
      ps.setString(2, prefix.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new JsonObject(rs.getString(1)));
        }
      }
    }
    return out;
  }

  /** Writes several documents in one transaction: all of them or none. A null body deletes. */
  public void write(List<Write> writes) throws SQLException {
    retrying(c -> {
      writeOnce(c, writes);
      return null;
    });
  }

  private static void writeOnce(Connection conn, List<Write> writes) throws SQLException {
    conn.setAutoCommit(false);
    try {
      for (Write w : writes) {
        try (PreparedStatement del = conn.prepareStatement("DELETE FROM resources WHERE kind = ? AND name = ?")) {
          del.setString(1, w.kind());
          del.setString(2, w.name());
          del.executeUpdate();
        }
        if (w.body() != null) {
          try (PreparedStatement ins = conn.prepareStatement(
              "INSERT INTO resources (kind, name, body) VALUES (?, ?, ?)")) {
            ins.setString(1, w.kind());
            ins.setString(2, w.name());
            ins.setString(3, w.body().encode());
            ins.executeUpdate();
          }
        }
      }
      conn.commit();
    } catch (SQLException | RuntimeException e) {
      conn.rollback();
      throw e;
    } finally {
      conn.setAutoCommit(true);
    }
  }

  public void put(String kind, String name, JsonObject body) throws SQLException {
    write(List.of(new Write(kind, name, body)));
  }

  /**
   * Writes {@code body} unless a document of that name exists, and returns the one stored: of two processes racing
   * on an empty store, both get the winner's (the primary key decides, in any database).
   */
  public JsonObject putIfAbsent(String kind, String name, JsonObject body) throws SQLException {
    Optional<JsonObject> existing = get(kind, name);
    if (existing.isPresent()) {
      return existing.get();
    }
    try {
      retrying(conn -> {
        try (PreparedStatement ins = conn.prepareStatement(
            "INSERT INTO resources (kind, name, body) VALUES (?, ?, ?)")) {
          ins.setString(1, kind);
          ins.setString(2, name);
          ins.setString(3, body.encode());
          return ins.executeUpdate();
        }
      });
    } catch (SQLException e) {
      if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) { // 23xxx: another process inserted first
        throw e;
      }
    }
    return get(kind, name).orElseThrow(() -> new SQLException(kind + " '" + name + "' vanished after its insert"));
  }

  public record Write(String kind, String name, JsonObject body) {
    public static Write delete(String kind, String name) {
      return new Write(kind, name, null);
    }
  }

  public boolean hasFile(String id) throws SQLException {
    return retrying(c -> hasFileOnce(c, id));
  }

  private static boolean hasFileOnce(Connection conn, String id) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT 1 FROM files WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Stores an uploaded file under its content id; storing the same content twice is a no-op. */
  public void putFile(String id, byte[] data) throws SQLException {
    retrying(c -> {
      putFileOnce(c, id, data);
      return null;
    });
  }

  private static void putFileOnce(Connection conn, String id, byte[] data) throws SQLException {
    if (hasFileOnce(conn, id)) {
      // uploaded again: it ages from now, so it is not removed between this upload and the change that uses it
      try (PreparedStatement ps = conn.prepareStatement("UPDATE files SET created = ? WHERE id = ?")) {
        ps.setLong(1, System.currentTimeMillis() / 1000);
        ps.setString(2, id);
        ps.executeUpdate();
      }
      return;
    }
    try (PreparedStatement ps = conn.prepareStatement(
        "INSERT INTO files (id, size, data, created) VALUES (?, ?, ?, ?)")) {
      ps.setString(1, id);
      ps.setLong(2, data.length);
      ps.setBytes(3, data);
      ps.setLong(4, System.currentTimeMillis() / 1000);
      ps.executeUpdate();
    }
  }

  /** An upload's id, size and when it was stored (epoch seconds; 0 if stored before the store recorded it). */
  public record FileInfo(String id, long size, long created) {
  }

  public List<FileInfo> files() throws SQLException {
    return retrying(c -> {
      List<FileInfo> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id, size, created FROM files");
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new FileInfo(rs.getString(1), rs.getLong(2), rs.getLong(3)));
        }
      }
      return out;
    });
  }

  /** Dates the uploads stored before the store recorded dates: from now on they age like new ones. */
  public void dateUndatedFiles(long nowSeconds) throws SQLException {
    retrying(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE files SET created = ? WHERE created IS NULL")) {
        ps.setLong(1, nowSeconds);
        return ps.executeUpdate();
      }
    });
  }

  public void deleteFile(String id) throws SQLException {
    retrying(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM files WHERE id = ?")) {
        ps.setString(1, id);
        return ps.executeUpdate();
      }
    });
  }

  /** Sees every document: (kind, name, JSON text). */
  public interface DocumentVisitor {
    void visit(String kind, String name, String body);
  }

  public void scanDocuments(DocumentVisitor visitor) throws SQLException {
    retrying(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT kind, name, body FROM resources");
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          visitor.visit(rs.getString(1), rs.getString(2), rs.getString(3));
        }
      }
      return null;
    });
  }

  public Optional<byte[]> getFile(String id) throws SQLException {
    return retrying(c -> getFileOnce(c, id));
  }

  private static Optional<byte[]> getFileOnce(Connection conn, String id) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT data FROM files WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        try (InputStream in = rs.getBinaryStream(1)) {
          return Optional.of(in.readAllBytes());
        } catch (java.io.IOException e) {
          throw new SQLException("cannot read file " + id, e);
        }
      }
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
