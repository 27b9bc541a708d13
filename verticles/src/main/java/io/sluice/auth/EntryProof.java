package io.sluice.auth;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * The proof a cluster-map entry carries: the fact is stored as its JSON text beside an HMAC-SHA256 of the map's
 * name, the entry's key and that text, under a key derived from the cluster's root secret. Any member can write
 * the maps (Hazelcast's open-source edition authenticates nobody); only a node can write an entry that a node will
 * read. An entry cannot be moved to another key or map; what a member can still do is delete entries, or put back
 * an earlier entry of the same key that it read before (an earlier fact about the same node or instance). The
 * entry also says which protocol version it is written in (covered by the proof). Pure.
 */
public final class EntryProof {
  static final String FACT = "fact";
  static final String PROOF = "proof";
  static final String PROTOCOL = "protocol";
  private static final byte[] SEP = {'\n'};

  private final Hmac hmac;

  public EntryProof(String rootSecret) {
    this.hmac = Hmac.derived(rootSecret, "sluice map entry proof v2");
  }

  /** A proved entry: its fact and the protocol version it is written in. */
  public record Opened(JsonObject fact, int protocol) {
  }

  /** The entry to store for {@code fact} under {@code key} of {@code map}, written in protocol {@code protocol}. */
  public JsonObject seal(String map, String key, JsonObject fact, int protocol) {
    String text = fact.encode();
    return new JsonObject().put(FACT, text).put(PROTOCOL, protocol).put(PROOF, mac(map, key, protocol, text));
  }

  /** The fact of a stored entry, or null when no node wrote it there (whatever its version). */
  public JsonObject open(String map, String key, JsonObject entry) {
    Opened o = opened(map, key, entry);
    return o == null ? null : o.fact();
  }

  /** The fact and version of a stored entry, or null when no node wrote it there. */
  public Opened opened(String map, String key, JsonObject entry) {
    if (entry == null || key == null) {
      return null;
    }
    Object text = entry.getValue(FACT);
    Object proof = entry.getValue(PROOF);
    Object protocol = entry.getValue(PROTOCOL);
    if (!(text instanceof String t) || !(proof instanceof String p) || !(protocol instanceof Integer v)
        || !Hmac.same(mac(map, key, v, t), p)) {
      return null;
    }
    try {
      return new Opened(new JsonObject(t), v);
    } catch (DecodeException e) {
      return null;
    }
  }

  private String mac(String map, String key, int protocol, String text) {
    return hmac.macBase64(map.getBytes(StandardCharsets.UTF_8), SEP, key.getBytes(StandardCharsets.UTF_8), SEP,
        Integer.toString(protocol).getBytes(StandardCharsets.UTF_8), SEP, text.getBytes(StandardCharsets.UTF_8));
  }
}
