package io.sluice.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A cluster map whose entries a node can trust: what this node puts is sealed ({@link EntryProof}), and what it
 * reads is opened, an entry that no node wrote being left out (counted and logged as {@link Unproved.Kind#entry}),
 * as if it were not there. The actors use it for every map that steers placement, routing or files. Entries are
 * written in the protocol version this node writes now, and one in a version it does not read is left out too (the
 * node map's reader reports the node that wrote it: {@link ProvedNodes}).
 */
public final class SignedMap implements AsyncMap<String, JsonObject> {
  private final String name;
  private final AsyncMap<String, JsonObject> raw;
  private final EntryProof proof;
  private final Unproved unproved;
  private final Versions versions;
  private volatile java.util.function.BiConsumer<String, EntryProof.Opened> unreadable = (k, o) -> { };

  SignedMap(String name, AsyncMap<String, JsonObject> raw, EntryProof proof, Unproved unproved, Versions versions) {
    this.name = name;
    this.raw = raw;
    this.proof = proof;
    this.unproved = unproved;
    this.versions = versions;
  }

  /** The cluster map {@code name} of this node's Vert.x, signed with its {@link ClusterTrust}. */
  public static Future<SignedMap> of(Vertx vertx, String name) {
    ClusterTrust trust = ClusterTrust.of(vertx);
    return vertx.sharedData().<String, JsonObject>getClusterWideMap(name)
        .map(m -> new SignedMap(name, m, trust.entries(), trust.unproved(), trust.versions()));
  }

  private JsonObject open(String key, JsonObject entry) {
    if (entry == null) {
      return null;
    }
    EntryProof.Opened o = proof.opened(name, key, entry);
    if (o == null) {
      unproved.refused(Unproved.Kind.entry, "entry " + key + " of " + name);
      return null;
    }
    if (versions.reads(o.protocol())) {
      return o.fact();
    }
    unreadable.accept(key, o);
    return null;
  }

  /** Told of each proved entry written in a protocol version this node does not read ({@link ProvedNodes}). */
  void onUnreadable(java.util.function.BiConsumer<String, EntryProof.Opened> listener) {
    unreadable = listener;
  }

  /** Every key of the raw map, proved or not: to remove what no reader can use (entries of departed members). */
  public Future<Set<String>> rawKeys() {
    return raw.keys();
  }

  private JsonObject seal(String key, JsonObject fact) {
    return proof.seal(name, key, fact, versions.writing());
  }

  @Override
  public Future<JsonObject> get(String k) {
    return raw.get(k).map(e -> open(k, e));
  }

  @Override
  public Future<Void> put(String k, JsonObject v) {
    return raw.put(k, seal(k, v));
  }

  @Override
  public Future<Void> put(String k, JsonObject v, long ttl) {
    return raw.put(k, seal(k, v), ttl);
  }

  /** Null when this put took place; else the proved entry that was there (an unproved one is replaced). */
  @Override
  public Future<JsonObject> putIfAbsent(String k, JsonObject v) {
    JsonObject sealed = seal(k, v);
    return raw.putIfAbsent(k, sealed).compose(prev -> {
      if (prev == null) {
        return Future.succeededFuture();
      }
      JsonObject fact = open(k, prev);
      return fact != null ? Future.succeededFuture(fact)
          : raw.replaceIfPresent(k, prev, sealed).map(replaced -> replaced ? null : fact);
    });
  }

  @Override
  public Future<JsonObject> putIfAbsent(String k, JsonObject v, long ttl) {
    return raw.putIfAbsent(k, seal(k, v), ttl).map(prev -> open(k, prev));
  }

  @Override
  public Future<JsonObject> remove(String k) {
    return raw.remove(k).map(prev -> prev == null ? null : proof.open(name, k, prev));
  }

  @Override
  public Future<Boolean> removeIfPresent(String k, JsonObject v) {
    return raw.removeIfPresent(k, seal(k, v));
  }

  @Override
  public Future<JsonObject> replace(String k, JsonObject v) {
    return raw.replace(k, seal(k, v)).map(prev -> prev == null ? null : proof.open(name, k, prev));
  }

  @Override
  public Future<Boolean> replaceIfPresent(String k, JsonObject oldValue, JsonObject newValue) {
    return raw.replaceIfPresent(k, seal(k, oldValue), seal(k, newValue));
  }

  @Override
  public Future<Void> clear() {
    return raw.clear();
  }

  /** How many entries the raw map holds, proved or not. */
  @Override
  public Future<Integer> size() {
    return raw.size();
  }

  @Override
  public Future<Set<String>> keys() {
    return entries().map(Map::keySet);
  }

  @Override
  public Future<List<JsonObject>> values() {
    return entries().map(m -> new ArrayList<>(m.values()));
  }

  @Override
  public Future<Map<String, JsonObject>> entries() {
    return raw.entries().map(all -> {
      Map<String, JsonObject> out = new HashMap<>();
      all.forEach((k, e) -> {
        JsonObject fact = open(k, e);
        if (fact != null) {
          out.put(k, fact);
        }
      });
      return out;
    });
  }
}
