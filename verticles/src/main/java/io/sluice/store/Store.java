package io.sluice.store;

import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The durable desired state: one JDBC connection, plain SQL that H2 and PostgreSQL both speak. Documents are
 * stored as JSON text under (kind, name); uploaded files as blobs keyed by their SHA-256. Every method blocks:
 * call it from a worker thread (executeBlocking), never from an event loop.
 */
public final class Store implements AutoCloseable {
  public static final String ENDPOINT = "endpoint";
  public static final String DEPLOYMENT = "deployment";
  public static final String MODEL = "model";
  public static final String ENVIRONMENT = "environment";
  public static final String SETTING = "setting";
  /** A rollout per endpoint (its current or last one), by endpoint name. */
  public static final String ROLLOUT = "rollout";

  private final String url;
  private String user;
  private String password;
  private Connection conn;

  private Store(String url) {
    this.url = url;
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
    Store s = new Store(url);
    if (url.startsWith("jdbc:h2:file:")) {
      try {
        Files.createDirectories(Path.of(url.substring("jdbc:h2:file:".length()).split(";")[0]).getParent());
      } catch (java.io.IOException e) {
        throw new SQLException("cannot create the store folder: " + e.getMessage(), e);
      }
    }
    s.user = user;
    s.password = password;
    s.conn = connect(url, user, password);
    s.migrate();
    return s;
  }

  /** A lost connection (a restarted database server, a healed network) is reopened once and the call retried. */
  private interface Work<T> {
    T run() throws SQLException;
  }

  private synchronized <T> T retrying(Work<T> work) throws SQLException {
    try {
      return work.run();
    } catch (SQLException e) {
      boolean lost;
      try {
        lost = conn.isClosed() || !conn.isValid(2);
      } catch (SQLException ignored) {
        lost = true;
      }
      if (!lost) {
        throw e;
      }
      try {
        conn.close();
      } catch (SQLException ignored) {
        // it is gone anyway
      }
      conn = connect(url, user, password);
      return work.run();
    }
  }

  private static Connection connect(String url, String user, String password) throws SQLException {
    // credentials in the URL (PostgreSQL's ?user=…&password=…) win over the separate settings
    Connection c = url.contains("user=") ? DriverManager.getConnection(url) : DriverManager.getConnection(url, user,
        password);
    c.setAutoCommit(true);
    return c;
  }

  private void migrate() throws SQLException {
    boolean pg = url.startsWith("jdbc:postgresql:");
    String clob = pg ? "TEXT" : "CLOB";
    String blob = pg ? "BYTEA" : "BLOB";
    try (Statement st = conn.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS resources (kind VARCHAR(32) NOT NULL, name VARCHAR(300) NOT NULL, "
          + "body " + clob + " NOT NULL, PRIMARY KEY (kind, name))");
      st.execute("CREATE TABLE IF NOT EXISTS files (id VARCHAR(80) PRIMARY KEY, size BIGINT NOT NULL, data "
          + blob + " NOT NULL)");
    }
  }

  public Optional<JsonObject> get(String kind, String name) throws SQLException {
    return retrying(() -> getOnce(kind, name));
  }

  private Optional<JsonObject> getOnce(String kind, String name) throws SQLException {
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
    return retrying(() -> listOnce(kind, prefix));
  }

  private List<JsonObject> listOnce(String kind, String prefix) throws SQLException {
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
    retrying(() -> {
      writeOnce(writes);
      return null;
    });
  }

  private void writeOnce(List<Write> writes) throws SQLException {
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
      retrying(() -> {
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
    return retrying(() -> hasFileOnce(id));
  }

  private boolean hasFileOnce(String id) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT 1 FROM files WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Stores an uploaded file under its content id; storing the same content twice is a no-op. */
  public void putFile(String id, byte[] data) throws SQLException {
    retrying(() -> {
      putFileOnce(id, data);
      return null;
    });
  }

  private void putFileOnce(String id, byte[] data) throws SQLException {
    if (hasFileOnce(id)) {
      return;
    }
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO files (id, size, data) VALUES (?, ?, ?)")) {
      ps.setString(1, id);
      ps.setLong(2, data.length);
      ps.setBytes(3, data);
      ps.executeUpdate();
    }
  }

  public Optional<byte[]> getFile(String id) throws SQLException {
    return retrying(() -> getFileOnce(id));
  }

  private Optional<byte[]> getFileOnce(String id) throws SQLException {
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
  public synchronized void close() throws SQLException {
    if (conn != null) {
      conn.close();
    }
  }
}
