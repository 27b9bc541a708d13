"""A Python client of the Open Inference Protocol's gRPC service, as a KServe or Triton user would write one, with
Debian's python3-grpcio. Its messages come from the protocol's compiled descriptors (the build writes them), so no
generated code is needed. Sends KServe's iris request; prints the answer (or the status) as one JSON line.

  python3 oip_grpc_client.py PORT DESCRIPTORS KEY MODEL [VERSION]
"""
import json
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory


def messages(path):
    files = descriptor_pb2.FileDescriptorSet.FromString(open(path, "rb").read())
    pool = descriptor_pool.DescriptorPool()
    for f in files.file:
        pool.Add(f)
    get = lambda name: message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName(name))
    return get("inference.ModelInferRequest"), get("inference.ModelInferResponse")


def main():
    port, descriptors, key, model = sys.argv[1:5]
    version = sys.argv[5] if len(sys.argv) > 5 else ""
    request_type, response_type = messages(descriptors)
    request = request_type(model_name=model, model_version=version, id="iris-python")
    tensor = request.inputs.add(name="input-0", datatype="FP32", shape=[2, 4])
    tensor.contents.fp32_contents.extend([6.8, 2.8, 4.8, 1.4, 6.0, 3.4, 4.5, 1.6])
    with grpc.insecure_channel("127.0.0.1:%s" % port) as channel:
        infer = channel.unary_unary("/inference.GRPCInferenceService/ModelInfer",
                                    request_serializer=request_type.SerializeToString,
                                    response_deserializer=response_type.FromString)
        try:
            response = infer(request, metadata=[("authorization", "Bearer " + key)], timeout=30)
        except grpc.RpcError as e:
            print(json.dumps({"status": e.code().name, "message": e.details()}))
            return
    print(json.dumps({"status": "OK", "model_version": response.model_version, "id": response.id,
                      "output": list(response.outputs[0].contents.fp32_contents)}))


if __name__ == "__main__":
    main()
