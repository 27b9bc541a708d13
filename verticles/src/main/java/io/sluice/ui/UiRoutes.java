package io.sluice.ui;

import io.sluice.auth.SignedMap;
import io.sluice.auth.ClusterTrust;
import io.sluice.endpoints.ControlPlaneRoutes;
import io.sluice.protocol.Addresses;
import io.sluice.protocol.ClusterCalls;
import io.sluice.protocol.Errors;
import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.NodeFacts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.Comparator;
import java.util.List;

/**
 * The dashboard's doors. {@code /ui/}: static files from the jar (the page and uPlot, no CDN); they hold no data and
 * need no token, so anyone who reaches the port may load them, and everything the page shows comes from
 * {@code /api/} with the admin token the user signs in with. {@code GET /api/cluster}: the nodes (roles, instance
 * types, capacity, declared cpu and memory) and the instances on each, under {@code /api/} and so for the admin
 * token only. The page polls the REST API (docs/dashboard.md says why not server-sent events).
 */
public final class UiRoutes {
  /** The content security policy of every page file: nothing from elsewhere, no inline script, no framing. */
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  private final Vertx vertx;

  public UiRoutes(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The page (router role); {@link #mountApi} adds its data door where the control plane is. */
  public void mountPage(Router router) {
    router.get("/ui").handler(ctx -> { // (vert.x matches "/ui/" here too: only the bare path is sent on)
      if (ctx.request().path().equals("/ui")) {
        ctx.redirect("/ui/");
      } else {
        ctx.next();
      }
    });
    router.route("/ui/*").handler(ctx -> {
      ctx.response().putHeader("Content-Security-Policy", CSP).putHeader("X-Content-Type-Options", "nosniff")
          .putHeader("Referrer-Policy", "no-referrer").putHeader("X-Frame-Options", "DENY");
      ctx.next();
    });
    router.route("/ui/lib/uplot/*").handler(StaticHandler.create("META-INF/resources/webjars/uplot")
        .setCachingEnabled(true).setMaxAgeSeconds(86_400));
    router.route("/ui/*").handler(StaticHandler.create("webroot/ui").setCachingEnabled(false)
        .setIndexPage("index.html"));
  }

  /** After the control plane's routes: its {@code /api/*} admin-token check runs first. */
  public void mountApi(Router router) {
    router.get("/api/cluster").handler(this::cluster);
  }

  private void cluster(RoutingContext ctx) {
    Future<List<JsonObject>> nodes = ClusterCalls.bounded(
        ClusterTrust.of(vertx).nodes().refresh().map(l -> l.stream().map(NodeFacts::toJson).toList()),
        "the node list");
    Future<List<JsonObject>> instances = ClusterCalls.bounded(
        SignedMap.of(vertx, Addresses.INSTANCES_MAP).compose(m -> m.values()), "the instances");
    Future.all(nodes, instances).onFailure(err -> ControlPlaneRoutes.error(ctx, Errors.httpStatus(err),
        err.getMessage())).onSuccess(x -> {
          JsonArray out = new JsonArray();
          nodes.result().stream().map(NodeFacts::fromJson).sorted(Comparator.comparing(NodeFacts::name))
              .forEach(n -> out.add(node(n, instances.result())));
          ctx.response().putHeader("content-type", "application/json")
              .end(new JsonObject().put("nodes", out).encodePrettily());
        });
  }

  private static JsonObject node(NodeFacts n, List<JsonObject> instances) {
    JsonObject j = n.toJson();
    j.put("cpu_millis", n.cpuMillis() == Long.MAX_VALUE ? null : n.cpuMillis());
    j.put("memory_bytes", n.memoryBytes() == Long.MAX_VALUE ? null : n.memoryBytes());
    JsonArray mine = new JsonArray();
    instances.stream().map(InstanceInfo::fromJson).filter(i -> n.nodeId().equals(i.nodeId()))
        .sorted(Comparator.comparing(InstanceInfo::id)).forEach(i -> mine.add(i.toJson()));
    return j.put("instances", mine);
  }
}
