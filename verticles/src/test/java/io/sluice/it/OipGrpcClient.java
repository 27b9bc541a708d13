package io.sluice.it;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import com.google.protobuf.MessageOrBuilder;
import io.sluice.oip.grpc.InferTensorContents;
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
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A client of the Open Inference Protocol's gRPC service, from the protocol's generated messages: as any client. */
final class OipGrpcClient implements AutoCloseable {
  private static final ServiceName SERVICE = ServiceName.create("inference", "GRPCInferenceService");
  private final Vertx vertx = Vertx.vertx();
  private final GrpcClient client = GrpcClient.client(vertx);
  private final SocketAddress server;

  /** A call's outcome: its status and message, and the answer when OK. */
  record Result<T>(GrpcStatus status, String message, T result) {
  }

  OipGrpcClient(int port) {
    this.server = SocketAddress.inetSocketAddress(port, "127.0.0.1");
  }

  <Q extends MessageLite, R> Result<R> call(String method, Q request, MessageOrBuilder answer, String key)
      throws Exception {
    ServiceMethod<R, Q> m = ServiceMethod.client(SERVICE, method, GrpcMessageEncoder.encoder(),
        GrpcMessageDecoder.decoder(answer));
    return client.request(server, m).compose(req -> {
      if (key != null) {
        req.headers().set("authorization", "Bearer " + key);
      }
      req.end(request);
      return req.response().compose(resp -> resp.last().transform(ar -> Future.succeededFuture(
          new Result<>(resp.status(), resp.statusMessage(), ar.succeeded() ? ar.result() : null))));
    }).await(60, TimeUnit.SECONDS);
  }

  boolean serverLive() throws Exception {
    return this.<ServerLiveRequest, ServerLiveResponse>call("ServerLive", ServerLiveRequest.getDefaultInstance(),
        ServerLiveResponse.newBuilder(), null).result().getLive();
  }

  ServerMetadataResponse serverMetadata() throws Exception {
    return this.<ServerMetadataRequest, ServerMetadataResponse>call("ServerMetadata",
        ServerMetadataRequest.getDefaultInstance(), ServerMetadataResponse.newBuilder(), null).result();
  }

  Result<ModelMetadataResponse> metadata(String key, String model, String version) throws Exception {
    return call("ModelMetadata", ModelMetadataRequest.newBuilder().setName(model).setVersion(version).build(),
        ModelMetadataResponse.newBuilder(), key);
  }

  Result<ModelReadyResponse> ready(String key, String model, String version) throws Exception {
    return call("ModelReady", ModelReadyRequest.newBuilder().setName(model).setVersion(version).build(),
        ModelReadyResponse.newBuilder(), key);
  }

  Result<ModelInferResponse> infer(String key, ModelInferRequest request) throws Exception {
    return call("ModelInfer", request, ModelInferResponse.newBuilder(), key);
  }

  static final float[] IRIS = {6.8f, 2.8f, 4.8f, 1.4f, 6.0f, 3.4f, 4.5f, 1.6f};

  /** KServe's iris request, tensors typed (fp32_contents). */
  static ModelInferRequest iris(String model, String version) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (float f : IRIS) {
      c.addFp32Contents(f);
    }
    return ModelInferRequest.newBuilder().setModelName(model).setModelVersion(version).setId("iris-grpc")
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("input-0").setDatatype("FP32")
            .addAllShape(List.of(2L, 4L)).setContents(c)).build();
  }

  /** The same with raw_input_contents (little-endian floats, row-major), as tritonclient sends it. */
  static ModelInferRequest irisRaw(String model, String version) {
    ByteBuffer b = ByteBuffer.allocate(IRIS.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : IRIS) {
      b.putFloat(f);
    }
    return iris(model, version).toBuilder().setInputs(0, iris(model, version).getInputs(0).toBuilder().clearContents())
        .addRawInputContents(ByteString.copyFrom(b.array())).build();
  }

  @Override
  public void close() throws Exception {
    client.close().await(20, TimeUnit.SECONDS);
    vertx.close().await(20, TimeUnit.SECONDS);
  }
}
