package io.sluice.auth;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * The proof a cluster-map entry carries: the fact is stored as its JSON text beside an HMAC-SHA256 of the map's
 * name, the entry's key and that text, under a key derived from the cluster's root secret. Any member can write
 * the maps (Hazelcast's open-source edition authenticates nobody); only a node can write an entry that a node will
 * read. An entry cannot be moved to another key or map; what a member can still do is delete entries, or put back
 * an earlier entry of the same key that it read before (an earlier fact about the same node or instance). Pure.
 */
public final class EntryProof {
  static final String FACT = "fact";
  static final String PROOF = "proof";
  private static final byte[] SEP = {'\n'};

  private final Hmac hmac;

  public EntryProof(String rootSecret) {
    this.hmac = Hmac.derived(rootSecret, "sluice map entry proof v1");
  }

  /** The entry to store for {@code fact} under {@code key} of {@code map}. */
  public JsonObject seal(String map, String key, JsonObject fact) {
    String text = fact.encode();
    return new JsonObject().put(FACT, text).put(PROOF, mac(map, key, text));
  }

  /** The fact of a stored entry, or null when no node wrote it there. */
  public JsonObject open(String map, String key, JsonObject entry) {
    if (entry == null || key == null) {
      return null;
    }
    Object text = entry.getValue(FACT);
    Object proof = entry.getValue(PROOF);
    if (!(text instanceof String t) || !(proof instanceof String p) || !Hmac.same(mac(map, key, t), p)) {
      return null;
    }
    try {
      return new JsonObject(t);
    } catch (DecodeException e) {
      return null;
    }
  }

  private String mac(String map, String key, String text) {
    return hmac.macBase64(map.getBytes(StandardCharsets.UTF_8), SEP, key.getBytes(StandardCharsets.UTF_8), SEP,
        text.getBytes(StandardCharsets.UTF_8));
  }
}
