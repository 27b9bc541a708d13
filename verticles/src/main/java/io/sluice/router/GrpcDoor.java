package io.sluice.router;

import io.sluice.oip.grpc.ModelInferRequest;
import io.sluice.oip.grpc.ModelInferResponse;
import io.sluice.oip.grpc.ModelMetadataRequest;
import io.sluice.oip.grpc.ModelMetadataResponse;
import io.sluice.oip.grpc.ModelReadyRequest;
import io.sluice.oip.grpc.ModelReadyResponse;
import io.sluice.oip.grpc.ServerLiveRequest;
import io.sluice.oip.grpc.ServerLiveResponse;
import io.sluice.oip.grpc.ServerMetadataRequest;
import io.sluice.oip.grpc.ServerMetadataResponse;
import io.sluice.oip.grpc.ServerReadyRequest;
import io.sluice.oip.grpc.ServerReadyResponse;
import io.sluice.protocol.Headers;
import io.sluice.protocol.ValidationException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcProtocol;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerResponse;

/**
 * The Open Inference Protocol's gRPC door ({@code inference.GRPCInferenceService}, on {@code grpc.port}): the same
 * calls as {@link OipDoor}'s REST routes, the same answers. {@code ModelInfer} becomes the request's JSON form
 * ({@link OipTensors}) and takes Azure's path from the gate on ({@link ScoringHandler#whole}: the key from the
 * {@code authorization} metadata, {@code model_version} as the pin, the split, the mirror, admission, metrics);
 * the script's JSON answer goes back as a {@code ModelInferResponse}. Refusals are gRPC statuses with the reason as
 * the status message. Only gRPC over HTTP/2 (no gRPC-Web, no transcoding); messages up to the node's body limit.
 */
final class GrpcDoor {
  private static final ServiceName SERVICE = ServiceName.create("inference", "GRPCInferenceService");

  private final OipDoor oip;
  private final ScoringHandler scoring;

  GrpcDoor(OipDoor oip, ScoringHandler scoring) {
    this.oip = oip;
    this.scoring = scoring;
  }

  private static <Q, R extends com.google.protobuf.MessageLite> ServiceMethod<Q, R> method(String name,
      com.google.protobuf.MessageOrBuilder prototype) {
    return ServiceMethod.server(SERVICE, name, GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(prototype));
  }

  /** The server, to be an HTTP server's request handler. */
  GrpcServer server(Vertx vertx, long maxMessageBytes) {
    GrpcServerOptions options = new GrpcServerOptions().setMaxMessageSize(maxMessageBytes);
    for (GrpcProtocol p : GrpcProtocol.values()) {
      if (p != GrpcProtocol.HTTP_2) {
        options.removeEnabledProtocol(p);
      }
    }
    GrpcServer server = GrpcServer.server(vertx, options);
    server.callHandler(GrpcDoor.<ServerLiveRequest, ServerLiveResponse>method("ServerLive",
        ServerLiveRequest.newBuilder()), call -> call.handler(q -> call.response().end(
            ServerLiveResponse.newBuilder().setLive(true).build())));
    server.callHandler(GrpcDoor.<ServerReadyRequest, ServerReadyResponse>method("ServerReady",
        ServerReadyRequest.newBuilder()), call -> call.handler(q -> call.response().end(
            ServerReadyResponse.newBuilder().setReady(true).build())));
    server.callHandler(GrpcDoor.<ServerMetadataRequest, ServerMetadataResponse>method("ServerMetadata",
        ServerMetadataRequest.newBuilder()), call -> call.handler(q -> {
          JsonObject m = oip.serverMetadata();
          call.response().end(ServerMetadataResponse.newBuilder().setName(m.getString("name"))
              .setVersion(m.getString("version")).build());
        }));
    server.callHandler(GrpcDoor.<ModelReadyRequest, ModelReadyResponse>method("ModelReady",
        ModelReadyRequest.newBuilder()), call -> call.handler(q -> oip.modelAnswer(new OipDoor.Call(
            OipDoor.Kind.MODEL_READY, q.getName(), version(q.getVersion())), authorization(call.headers()))
        .onSuccess(a -> {
          if (a.status() == 400) { // not ready: an answer, not an error
            call.response().end(ModelReadyResponse.newBuilder().setReady(false).build());
          } else if (a.status() != 200) {
            fail(call.response(), a.status(), a.body().getString("error"));
          } else {
            call.response().end(ModelReadyResponse.newBuilder().setReady(true).build());
          }
        })));
    server.callHandler(GrpcDoor.<ModelMetadataRequest, ModelMetadataResponse>method("ModelMetadata",
        ModelMetadataRequest.newBuilder()), call -> call.handler(q -> oip.modelAnswer(new OipDoor.Call(
            OipDoor.Kind.MODEL, q.getName(), version(q.getVersion())), authorization(call.headers()))
        .onSuccess(a -> {
          if (a.status() != 200) {
            fail(call.response(), a.status(), a.body().getString("error"));
          } else {
            call.response().end(metadata(a.body()));
          }
        })));
    server.callHandler(GrpcDoor.<ModelInferRequest, ModelInferResponse>method("ModelInfer",
        ModelInferRequest.newBuilder()), call -> call.handler(q -> infer(q, call.headers(), call.response())));
    return server;
  }

  private static String version(String v) {
    return v == null || v.isEmpty() ? null : v;
  }

  /** The key as the {@code authorization} metadata carries it ("Bearer key", or the bare key). */
  private static String authorization(io.vertx.core.MultiMap headers) {
    String a = headers.get("authorization");
    return a == null || a.startsWith("Bearer ") ? a : "Bearer " + a;
  }

  private void infer(ModelInferRequest q, io.vertx.core.MultiMap headers,
                     GrpcServerResponse<ModelInferRequest, ModelInferResponse> response) {
    Buffer body;
    try {
      body = OipRequestJson.write(q);
    } catch (ValidationException e) {
      fail(response, 400, e.getMessage());
      return;
    }
    String requestId = headers.get(Headers.REQUEST_ID);
    String rid = requestId == null || requestId.isEmpty() ? ScoringHandler.newRequestId() : requestId;
    scoring.whole(q.getModelName(), version(q.getModelVersion()), authorization(headers), requestId, rid, body, o -> {
      Outcome shaped = OipDoor.shaped(o);
      if (shaped.status() != 200) {
        String text = shaped.body().toString();
        String message;
        try {
          message = new JsonObject(text).getString("error", text);
        } catch (RuntimeException notJson) {
          message = text;
        }
        fail(response, shaped.status(), message);
        return;
      }
      try {
        response.end(OipAnswerJson.read(shaped.body()));
      } catch (RuntimeException e) { // not JSON, or not the protocol's response
        fail(response, 500, "the script's answer is not an inference response: " + e.getMessage());
      }
    });
  }

  private static ModelMetadataResponse metadata(JsonObject m) {
    ModelMetadataResponse.Builder b = ModelMetadataResponse.newBuilder().setName(m.getString("name"))
        .setPlatform(m.getString("platform"));
    m.getJsonArray("versions").forEach(v -> b.addVersions(String.valueOf(v)));
    for (String side : new String[] {"inputs", "outputs"}) {
      for (Object o : m.getJsonArray(side, new JsonArray())) {
        JsonObject t = (JsonObject) o;
        ModelMetadataResponse.TensorMetadata.Builder tm = ModelMetadataResponse.TensorMetadata.newBuilder()
            .setName(t.getString("name")).setDatatype(t.getString("datatype"));
        t.getJsonArray("shape").forEach(d -> tm.addShape(((Number) d).longValue()));
        if (side.equals("inputs")) {
          b.addInputs(tm);
        } else {
          b.addOutputs(tm);
        }
      }
    }
    return b.build();
  }

  /** An HTTP status as the gRPC status clients expect for it, with the reason. */
  static GrpcStatus status(int http) {
    return switch (http) {
      case 400 -> GrpcStatus.INVALID_ARGUMENT;
      case 401 -> GrpcStatus.UNAUTHENTICATED;
      case 403 -> GrpcStatus.PERMISSION_DENIED;
      case 404 -> GrpcStatus.NOT_FOUND;
      case 408 -> GrpcStatus.DEADLINE_EXCEEDED;
      case 413, 429, 431 -> GrpcStatus.RESOURCE_EXHAUSTED;
      case 503 -> GrpcStatus.UNAVAILABLE;
      default -> GrpcStatus.INTERNAL;
    };
  }

  private static void fail(GrpcServerResponse<?, ?> response, int http, String message) {
    response.status(status(http)).statusMessage(message == null ? "status " + http : message).end();
  }
}
