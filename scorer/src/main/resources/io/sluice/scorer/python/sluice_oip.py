"""The Open Inference Protocol (KServe v2) for score.py: tensors in, numpy arrays out, and back.

A request to POST /v2/models/<endpoint>[/versions/<deployment>]/infer reaches run() as Azure's requests do: its JSON
body is raw_data. What run() returns is the response body. So a script that speaks the protocol does

    import sluice_oip

    def run(raw_data):
        x = sluice_oip.inputs(raw_data)["input-0"]          # a numpy array, shaped as the request said
        return sluice_oip.response({"output-0": model.predict(x)}, request=raw_data)

inputs() raises ValueError for a request that is not the protocol's (a 400 if the script lets it through as
AMLResponse(str(e), 400), or a 500). The model name and version default to the endpoint and deployment the instance
serves (SLUICE_ENDPOINT_NAME, SLUICE_DEPLOYMENT_NAME). numpy is imported on first use.
"""
import json
import os

# the protocol's data types and numpy's
DATATYPES = {
    "BOOL": "bool", "UINT8": "uint8", "UINT16": "uint16", "UINT32": "uint32", "UINT64": "uint64",
    "INT8": "int8", "INT16": "int16", "INT32": "int32", "INT64": "int64",
    "FP16": "float16", "FP32": "float32", "FP64": "float64", "BYTES": "object",
}
_FROM_NUMPY = {v: k for k, v in DATATYPES.items() if k != "BYTES"}


def parse(raw_data):
    """The inference request as a dict (raw_data as run() got it: str, bytes or already a dict)."""
    req = raw_data
    if isinstance(req, (bytes, bytearray)):
        req = req.decode("utf-8")
    if isinstance(req, str):
        try:
            req = json.loads(req)
        except ValueError as e:
            raise ValueError("the inference request is not JSON: %s" % e)
    if not isinstance(req, dict) or not isinstance(req.get("inputs"), list):
        raise ValueError("an inference request has 'inputs': a list of tensors")
    return req


def to_numpy(t):
    """One request tensor ({name, datatype, shape, data}) as a numpy array of its shape."""
    import numpy as np
    name = t.get("name")
    dt = t.get("datatype")
    if dt not in DATATYPES:
        raise ValueError("input '%s': datatype must be one of %s; got %r" % (name, ", ".join(DATATYPES), dt))
    shape = t.get("shape")
    if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise ValueError("input '%s': shape must be a list of sizes; got %r" % (name, shape))
    data = t.get("data")
    if data is None:
        raise ValueError("input '%s': data is required (binary tensor data is not supported)" % name)
    try:
        return np.array(data, dtype=DATATYPES[dt]).reshape(shape)
    except (ValueError, TypeError) as e:
        raise ValueError("input '%s': data does not fit shape %r and datatype %s: %s" % (name, shape, dt, e))


def inputs(raw_data):
    """Every input tensor of the request, by name, as numpy arrays (in the request's order)."""
    return {t.get("name"): to_numpy(t) for t in parse(raw_data)["inputs"]}


def tensor(name, value, datatype=None):
    """A numpy array (or anything numpy takes) as a response tensor; datatype from the array unless given."""
    import numpy as np
    a = np.asarray(value)
    if datatype is None:
        datatype = "BYTES" if a.dtype.kind in "OSU" else _FROM_NUMPY.get(a.dtype.name)
        if datatype is None:
            raise ValueError("output '%s': numpy type %s has no protocol datatype" % (name, a.dtype.name))
    flat = a.reshape(-1).tolist()
    if datatype == "BYTES":
        flat = [x.decode("utf-8") if isinstance(x, bytes) else str(x) for x in flat]
    return {"name": name, "datatype": datatype, "shape": list(a.shape), "data": flat}


def response(outputs, request=None, model_name=None, model_version=None, parameters=None):
    """The inference response: outputs a dict of name -> array (or a list of tensor dicts); the request's id echoed."""
    if isinstance(outputs, dict):
        outputs = [tensor(k, v) for k, v in outputs.items()]
    out = {
        "model_name": model_name or os.environ.get("SLUICE_ENDPOINT_NAME", ""),
        "model_version": model_version or os.environ.get("SLUICE_DEPLOYMENT_NAME", ""),
        "outputs": list(outputs),
    }
    if request is not None:
        req = request if isinstance(request, dict) else parse(request)
        if "id" in req:
            out["id"] = req["id"]
    if parameters:
        out["parameters"] = parameters
    return out
