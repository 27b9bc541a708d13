package io.sluice.node;

import io.sluice.auth.Keys;
import io.sluice.auth.Tokens;
import io.sluice.store.Store;
import io.vertx.core.json.JsonObject;

/**
 * The cluster's secrets, kept in the store: the admin token (also the root from which the control-message proof
 * and the key-hash keys are derived) and the aml_token signing key pair. The first node creates each with one
 * insert that only one process can win ({@link Store#putIfAbsent}); every other node, and every restart, reads the
 * winner's back, so nodes started together on an empty store agree.
 */
record ClusterSecrets(String adminToken, Tokens.KeyPair tokenKeys) {

  static ClusterSecrets load(Store store) throws Exception {
    String admin = store.putIfAbsent(Store.SETTING, "admin-token", new JsonObject().put("value", Keys.generate(48)))
        .getString("value");
    JsonObject keys = store.get(Store.SETTING, "token-signing-key").orElse(null);
    if (keys == null) { // the first start: make a pair; of two first starts, one pair wins
      Tokens.KeyPair fresh = Tokens.KeyPair.generate();
      keys = store.putIfAbsent(Store.SETTING, "token-signing-key", new JsonObject()
          .put("private", fresh.privatePem()).put("public", fresh.publicPem()));
    }
    return new ClusterSecrets(admin, new Tokens.KeyPair(keys.getString("private"), keys.getString("public")));
  }
}
