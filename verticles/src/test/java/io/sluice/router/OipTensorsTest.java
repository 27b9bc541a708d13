package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.sluice.oip.grpc.InferParameter;
import io.sluice.oip.grpc.InferTensorContents;
import io.sluice.oip.grpc.ModelInferRequest;
import io.sluice.oip.grpc.ModelInferResponse;
import io.sluice.protocol.ValidationException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** gRPC messages and the protocol's JSON form, both ways, for every datatype: typed contents and raw bytes. */
class OipTensorsTest {
  static ModelInferRequest.InferInputTensor.Builder input(String name, String datatype, long... shape) {
    ModelInferRequest.InferInputTensor.Builder t = ModelInferRequest.InferInputTensor.newBuilder().setName(name)
        .setDatatype(datatype);
    for (long d : shape) {
      t.addShape(d);
    }
    return t;
  }

  static ByteString le(int width, long... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * width).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      switch (width) {
        case 1 -> b.put((byte) v);
        case 2 -> b.putShort((short) v);
        case 4 -> b.putInt((int) v);
        default -> b.putLong(v);
      }
    }
    return ByteString.copyFrom(b.array());
  }

  private static JsonObject json(ModelInferRequest r) {
    return new JsonObject(OipRequestJson.write(r));
  }

  @Test
  void typedContentsBecomeTheJsonForm() {
    ModelInferRequest r = ModelInferRequest.newBuilder().setId("7").putParameters("p", InferParameter.newBuilder()
            .setInt64Param(3).build())
        .addInputs(input("f", "FP32", 2).setContents(InferTensorContents.newBuilder().addFp32Contents(1.5f)
            .addFp32Contents(-2f)))
        .addInputs(input("u", "UINT32", 1).setContents(InferTensorContents.newBuilder().addUintContents(-1)))
        .addInputs(input("s", "BYTES", 2).setContents(InferTensorContents.newBuilder()
            .addBytesContents(ByteString.copyFromUtf8("a")).addBytesContents(ByteString.copyFromUtf8("bé"))))
        .addInputs(input("b", "BOOL", 1, 1).setContents(InferTensorContents.newBuilder().addBoolContents(true)))
        .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("y")).build();
    assertThat(OipRequestJson.write(r).toString()).isEqualTo("{\"id\":\"7\",\"parameters\":{\"p\":3},\"inputs\":["
        + "{\"name\":\"f\",\"datatype\":\"FP32\",\"shape\":[2],\"data\":[1.5,-2.0]},"
        + "{\"name\":\"u\",\"datatype\":\"UINT32\",\"shape\":[1],\"data\":[4294967295]},"
        + "{\"name\":\"s\",\"datatype\":\"BYTES\",\"shape\":[2],\"data\":[\"a\",\"bé\"]},"
        + "{\"name\":\"b\",\"datatype\":\"BOOL\",\"shape\":[1,1],\"data\":[true]}],\"outputs\":[{\"name\":\"y\"}]}");
  }

  @Test
  void rawContentsAreLittleEndianRowMajor() {
    ByteBuffer strings = ByteBuffer.allocate(4 + 2 + 4).order(ByteOrder.LITTLE_ENDIAN);
    strings.putInt(2).put("hi".getBytes()).putInt(0);
    ModelInferRequest r = ModelInferRequest.newBuilder()
        .addInputs(input("i8", "INT8", 2)).addRawInputContents(le(1, -1, 7))
        .addInputs(input("u16", "UINT16", 1)).addRawInputContents(le(2, 65535))
        .addInputs(input("i64", "INT64", 1)).addRawInputContents(le(8, -5))
        .addInputs(input("u64", "UINT64", 1)).addRawInputContents(le(8, -1))
        .addInputs(input("h", "FP16", 2)).addRawInputContents(le(2, 0x3c00, 0xc000)) // 1.0, -2.0
        .addInputs(input("bf", "BF16", 1)).addRawInputContents(le(2, 0x3fc0)) // 1.5
        .addInputs(input("s", "BYTES", 2)).addRawInputContents(ByteString.copyFrom(strings.array())).build();
    assertThat(json(r).getJsonArray("inputs").stream().map(o -> ((JsonObject) o).getValue("data")
        .toString()).toList()).containsExactly("[-1,7]", "[65535]", "[-5]", "[\"18446744073709551615\"]",
        "[1.0,-2.0]", "[1.5]", "[\"hi\",\"\"]");
  }

  @Test
  void badTensorsNameTheTensorAndTheRule() {
    assertThatThrownBy(() -> OipRequestJson.write(ModelInferRequest.newBuilder().addInputs(input("x", "FP32", 3)
        .setContents(InferTensorContents.newBuilder().addFp32Contents(1))).build()))
        .isInstanceOf(ValidationException.class).hasMessage("input 'x': shape [3] holds 3 elements; got 1");
    assertThatThrownBy(() -> OipRequestJson.write(ModelInferRequest.newBuilder().addInputs(input("x", "FP32", 2))
        .addRawInputContents(le(4, 1)).build())).hasMessage("input 'x': raw contents of 4 bytes; shape and FP32 need 8");
    assertThatThrownBy(() -> OipRequestJson.write(ModelInferRequest.newBuilder().addInputs(input("x", "FP33", 1))
        .build())).hasMessageContaining("input 'x': datatype must be one of BOOL");
    assertThatThrownBy(() -> OipRequestJson.write(ModelInferRequest.newBuilder().addInputs(input("x", "FP16", 1))
        .build())).hasMessageContaining("FP16 comes as raw_input_contents");
    assertThatThrownBy(() -> OipRequestJson.write(ModelInferRequest.newBuilder().addInputs(input("x", "BYTES", 1))
        .addRawInputContents(le(4, 9)).build())).hasMessageContaining("runs past its contents");
    assertThatThrownBy(() -> OipRequestJson.write(ModelInferRequest.newBuilder().addInputs(input("x", "INT8", 1))
        .addInputs(input("y", "INT8", 1)).addRawInputContents(le(1, 1)).build()))
        .hasMessage("raw_input_contents: one per input (2); got 1");
  }

  @Test
  void theScriptsAnswerBecomesAResponseRawWhenHalfPrecisionIsIn() {
    ModelInferResponse typed = OipAnswerJson.read(Buffer.buffer("""
        {"model_name": "ep", "model_version": "blue", "id": "7", "outputs": [
         {"name": "y", "datatype": "FP64", "shape": [2, 1], "data": [[1.25], [2.5]]},
         {"name": "n", "datatype": "INT64", "shape": [1], "data": [-3]}]}"""));
    assertThat(typed.getModelVersion()).isEqualTo("blue");
    assertThat(typed.getOutputs(0).getContents().getFp64ContentsList()).containsExactly(1.25, 2.5);
    assertThat(typed.getOutputs(0).getShapeList()).containsExactly(2L, 1L);
    assertThat(typed.getOutputs(1).getContents().getInt64ContentsList()).containsExactly(-3L);
    assertThat(typed.getRawOutputContentsCount()).isZero();
    ModelInferResponse raw = OipAnswerJson.read(Buffer.buffer("""
        {"outputs": [{"name": "h", "datatype": "FP16", "shape": [2], "data": [1.0, -2.0]},
         {"name": "i", "datatype": "INT32", "shape": [1], "data": [5]}]}"""));
    assertThat(raw.getRawOutputContents(0)).isEqualTo(le(2, 0x3c00, 0xc000));
    assertThat(raw.getRawOutputContents(1)).isEqualTo(le(4, 5));
    assertThat(raw.getOutputs(0).hasContents()).isFalse();
    assertThatThrownBy(() -> OipAnswerJson.read(Buffer.buffer("{\"predictions\": [1]}")))
        .hasMessageContaining("no 'outputs'");
    assertThatThrownBy(() -> OipAnswerJson.read(Buffer.buffer("""
        {"outputs": [{"name": "y", "datatype": "FP32", "shape": [1], "data": ["x"]}]}""")))
        .hasMessageContaining("output 'y': data does not fit datatype FP32");
  }

  @Test
  void theAnswerIsReadInAnyFieldOrderWithItsParametersAndLargeIntegers() {
    ModelInferResponse r = OipAnswerJson.read(Buffer.buffer("""
        {"extra": {"deep": [1, {"x": 2}]}, "id": 9, "parameters": {"b": true, "n": 2.0, "f": 1.5, "s": "x",
         "o": {"k": [1, 2]}},
         "outputs": [{"data": [18446744073709551615, "18446744073709551614"], "shape": [2], "datatype": "UINT64",
          "name": "u", "parameters": {"ignored": 1}},
          {"name": "s", "datatype": "BYTES", "shape": [3], "data": [["a"], [1, 2.5]]}]}"""));
    assertThat(r.getId()).isEqualTo("9");
    assertThat(r.getParametersMap().get("b").getBoolParam()).isTrue();
    assertThat(r.getParametersMap().get("n").getInt64Param()).isEqualTo(2L);
    assertThat(r.getParametersMap().get("f").getStringParam()).isEqualTo("1.5");
    assertThat(r.getParametersMap().get("o").getStringParam()).isEqualTo("{\"k\": [1, 2]}");
    assertThat(r.getOutputs(0).getContents().getUint64ContentsList()).containsExactly(-1L, -2L);
    assertThat(r.getOutputs(1).getContents().getBytesContentsList()).extracting(ByteString::toStringUtf8)
        .containsExactly("a", "1", "2.5");
  }

  @Test
  void anAnswerThatIsNotAResponseNamesTheRule() {
    assertThatThrownBy(() -> OipAnswerJson.read(Buffer.buffer("{\"outputs\": [")))
        .isInstanceOf(ValidationException.class).hasMessageStartingWith("the answer is not JSON: ");
    assertThatThrownBy(() -> OipAnswerJson.read(Buffer.buffer("[1]"))).hasMessage("the answer is not a JSON object");
    assertThatThrownBy(() -> OipAnswerJson.read(Buffer.buffer("{\"outputs\": {}}"))).hasMessageContaining(
        "no 'outputs'");
    assertThatThrownBy(() -> OipAnswerJson.read(Buffer.buffer("""
        {"outputs": [{"name": "y", "datatype": "FP32", "shape": [1], "data": [1]}, {"name": "z", "shape": [1]}]}""")))
        .hasMessage("outputs[1]: each output is a tensor with name and datatype (strings) and shape (a list of numbers)");
    // a value of the wrong kind is skipped whole: its fields are not read as the enclosing object's
    assertThatThrownBy(() -> OipAnswerJson.read(Buffer.buffer("""
        {"outputs": {"outputs": [{"name": "y", "datatype": "FP32", "shape": [1], "data": [1]}]}}""")))
        .hasMessageContaining("no 'outputs'");
    assertThatThrownBy(() -> OipAnswerJson.read(Buffer.buffer("""
        {"outputs": [{"name": {"name": "y"}, "datatype": "FP32", "shape": [1], "data": [1]}]}""")))
        .hasMessageStartingWith("outputs[0]: each output is a tensor");
    assertThatThrownBy(() -> OipAnswerJson.read(Buffer.buffer("""
        {"outputs": [{"name": "y", "datatype": "BOOL", "shape": [2], "data": [true, 1]}]}""")))
        .hasMessage("output 'y': data does not fit datatype BOOL: element 1 is 1");
    assertThatThrownBy(() -> OipAnswerJson.read(Buffer.buffer("""
        {"outputs": [{"name": "y", "datatype": "INT8", "shape": [1], "data": [{"a": 1}]}]}""")))
        .hasMessage("output 'y': data does not fit datatype INT8: element 0 is an object");
    assertThatThrownBy(() -> OipAnswerJson.read(Buffer.buffer("""
        {"outputs": [{"name": "y", "datatype": "UINT64", "shape": [1], "data": [-1]}]}""")))
        .hasMessage("output 'y': data does not fit datatype UINT64: element 0 is -1");
  }

  @Test
  void aLargeTensorIsWrittenElementByElementAsTheTreeWouldHaveBeen() {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    io.vertx.core.json.JsonArray expected = new io.vertx.core.json.JsonArray();
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 100_000; i++) {
      float f = random.nextFloat() * 1000 - 500;
      c.addFp32Contents(f);
      expected.add(f);
    }
    ModelInferRequest r = ModelInferRequest.newBuilder().addInputs(input("x", "FP32", 1000, 100).setContents(c))
        .build();
    assertThat(json(r).getJsonArray("inputs").getJsonObject(0).getJsonArray("data").encode())
        .isEqualTo(expected.encode());
  }

  @Test
  void halfPrecisionRoundTrips() {
    for (float f : new float[] {0f, 1f, -2f, 0.5f, 65504f, 6.1035156e-5f, 5.9604645e-8f, Float.POSITIVE_INFINITY}) {
      assertThat(OipTensors.halfToFloat(OipTensors.floatToHalf(f))).as("%s", f).isEqualTo(f);
    }
    assertThat(Float.isNaN(OipTensors.halfToFloat(OipTensors.floatToHalf(Float.NaN)))).isTrue();
    assertThat(OipTensors.halfToFloat(OipTensors.floatToHalf(1e6f))).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(OipTensors.halfToFloat(OipTensors.floatToHalf(1.0009766f))).isEqualTo(1.0009766f); // 1 + 2^-10
    assertThat(List.of(OipTensors.halfToFloat((short) 0x8000))).containsExactly(-0.0f);
  }
}
