"""Sluice's host for one Azure-style score.py (one worker process of one instance).

Contract (Azure ML's): the script defines init() and run(raw_data); init() runs once, AZUREML_MODEL_DIR
points at the folder that contains the model folder; run() gets the request body decoded as UTF-8 text
and its return value is serialised with json.dumps. An optional run() parameter named request_headers
gets the request headers as a dict.

A script may collect its own data as on Azure (from azureml.ai.monitoring import Collector): sluice_monitoring.py
provides it, writing to the folders the deployment's data_collector gives in SLUICE_COLLECT.

A run() decorated with @rawhttp (azureml.contrib.services.aml_request; sluice_aml.py provides it when Azure's
package is absent) gets the whole request as an AMLRequest and may answer with an AMLResponse (status, headers,
bytes), which reaches the client as it is. An undecorated run() gets a GET's query arguments as a JSON object.

Frames on the protocol pipe (the process's original stdout; print() goes to stderr, i.e. the logs):
  u32 header length, JSON header, u32 body length, body bytes   (both directions)
Requests carry {"seq": n, "id": request-id, "headers": {...}, "method": "POST", "path": "/score", "query": "a=1"};
replies {"seq": n, "status": code, "ms": run time, "headers": {...}, "raw": true when the script made the answer}.
Liveness pings {"ping": n} are answered {"pong": n}. A request may wait in the pipe behind the running one; if it
carries "not_after" (epoch seconds: its max_queue_wait_ms) and that has passed, it is answered {"seq": n, "late": true}
without running.
The first frame this process writes is {"event": "ready", "headers": whether the script reads request headers} after
init(), or {"event": "init_failed"}; requests to a script that does not read them come without "headers".

Batching (request_settings.max_batch_size > 1, given as SLUICE_MAX_BATCH_SIZE): the script must define
run_batch(raw_data_list). A batch comes as {"seq": n, "batch": [{"id", "headers", "method", "query"}, ...]} followed
by one body frame per request; it is answered {"seq": n, "ms": run time, "batch": [{"status", "headers", "raw"}, ...]}
followed by one body frame per request, or, when run_batch returned the wrong number of results,
{"seq": n, "error": "..."} and one empty body frame.
Streaming: a run() that returns a generator streams its items (sluice_stream.py says how); between items the runner
reads what came in meanwhile without waiting: {"cancel": n} stops stream n, a request is kept to run next.
Lines the script prints start with the current request id, as Azure's inference server does.
"""
import collections
import collections.abc
import importlib.util
import inspect
import json
import logging
import os
import select
import struct
import sys
import time
import traceback
import types
from urllib.parse import parse_qsl

import sluice_stream  # beside this file (Python puts a script's own folder first on the path)

# Keep the real stdout for frames; everything the script prints goes to stderr (the instance log).
_proto_out = os.fdopen(os.dup(1), "wb", buffering=0)
os.dup2(2, 1)


class _Input:
    """The protocol pipe in, buffered here (not by io) so that whether a frame is waiting can be known without blocking."""

    def __init__(self, fd):
        self._fd = fd
        self._buf = bytearray()

    def read(self, n):
        """n bytes, fewer only at the end of the input."""
        while len(self._buf) < n:
            chunk = os.read(self._fd, max(65536, n - len(self._buf)))
            if not chunk:
                break
            self._buf += chunk
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def waiting(self):
        return bool(self._buf) or bool(select.select([self._fd], [], [], 0)[0])


_proto_in = _Input(os.dup(0))
_read_ahead = collections.deque()  # frames read while a stream ran (a request that waited behind it), in order

_NO_REQUEST = "00000000-0000-0000-0000-000000000000"
_current_request = _NO_REQUEST


class _PrefixedPrints:
    """sys.stdout for the script: each printed line starts with '<request id>,' (Azure's print hook)."""

    def __init__(self, out):
        self._out = out
        self._line_start = True

    def write(self, text):
        for part in text.splitlines(keepends=True):
            if self._line_start:
                self._out.write(_current_request + ",")
            self._out.write(part)
            self._line_start = part.endswith("\n")
        return len(text)

    def flush(self):
        self._out.flush()

    def __getattr__(self, name):
        return getattr(self._out, name)


sys.stdout = _PrefixedPrints(sys.stderr)


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = _current_request
        return True


_handler = logging.StreamHandler(sys.stderr)
_handler.addFilter(_RequestIdFilter())
_handler.setFormatter(logging.Formatter(
    "%(asctime)s %(levelname).1s [%(process)d] %(name)s - %(request_id)s - %(message)s"))
logging.basicConfig(level=os.environ.get("AZUREML_LOG_LEVEL", "INFO"), handlers=[_handler], force=True)
log = logging.getLogger("sluice.runner")


def _read_exact(n):
    buf = _proto_in.read(n)
    return buf if len(buf) == n else None


def _read_frame():
    """(header, bodies): one body, or one per request of a batch; frames read ahead during a stream come first."""
    if _read_ahead:
        return _read_ahead.popleft()
    return _read_pipe()


def _read_pipe():
    raw = _read_exact(4)
    if raw is None:
        return None, None
    header = json.loads(_read_exact(struct.unpack(">I", raw)[0]).decode("utf-8"))
    n = len(header["batch"]) if "batch" in header else 1
    return header, [_read_exact(struct.unpack(">I", _read_exact(4))[0]) for _ in range(n)]


def _write_frame(header, body=b"", more=()):
    dropped = _monitoring.take_dropped() if _monitoring is not None else None
    if dropped:
        header["dropped"] = dropped  # the script's collected records lost since the last reply (Sluice counts them)
    h = json.dumps(header).encode("utf-8")
    parts = [struct.pack(">I", len(h)), h]
    for b in (body,) + tuple(more):
        parts += [struct.pack(">I", len(b)), b]
    _proto_out.write(b"".join(parts))


_monitoring = None  # sluice_monitoring once the shim is provided: its dropped records ride on the next reply

_SHIM_NAMES = ("azureml.contrib.services.aml_request", "azureml.contrib.services.aml_response",
               "azureml_inference_server_http.api.aml_request", "azureml_inference_server_http.api.aml_response")


def _register(name, shim):
    """Puts {@code shim} in sys.modules as {@code name} (and empty parent packages) unless name imports itself."""
    try:
        importlib.import_module(name)
        return
    except ImportError:
        pass
    parent = None
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        full = ".".join(parts[:i])
        mod = sys.modules.get(full)
        if mod is None:
            mod = shim if i == len(parts) else types.ModuleType(full)
            if i < len(parts):
                mod.__path__ = []
            sys.modules[full] = mod
        if parent is not None:
            setattr(parent, parts[i - 1], mod)
        parent = mod


def _provide_azureml_shim():
    """Registers sluice_aml and sluice_monitoring under Azure's module names this interpreter cannot import itself."""
    global _monitoring
    import sluice_monitoring
    _monitoring = sluice_monitoring
    sluice_monitoring.current_request_id = lambda: None if _current_request == _NO_REQUEST else _current_request
    _register("azureml.ai.monitoring", sluice_monitoring)
    try:
        import werkzeug  # noqa: F401  (without it a script importing these fails with Python's own message)
    except ImportError:
        return
    import sluice_aml
    for name in _SHIM_NAMES:
        _register(name, sluice_aml)


def _raw_requested(run):
    if getattr(run, "__sluice_rawhttp__", False):
        return True
    for name in ("azureml.contrib.services.aml_request", "azureml_inference_server_http.api.aml_request"):
        if getattr(sys.modules.get(name), "_rawHttpRequested", False):
            return True
    return False


def _answer(result):
    """(status, headers, bytes, raw) of what run() returned: its own response as it is, anything else as JSON."""
    if hasattr(result, "status_code") and hasattr(result, "get_data") and hasattr(result, "headers"):
        headers = {k: v for k, v in result.headers.items() if k.lower() != "content-length"}
        return result.status_code, headers, result.get_data(), True
    if sluice_stream.streams(result):
        return 200, None, sluice_stream.Stream(result), False
    return 200, {"Content-Type": "application/json"}, json.dumps(result).encode("utf-8"), False


def _request(header, body):
    from werkzeug.test import EnvironBuilder
    import sluice_aml
    cls = getattr(sys.modules.get("azureml.contrib.services.aml_request"), "AMLRequest", sluice_aml.AMLRequest)
    env = EnvironBuilder(method=header.get("method", "POST"), path=header.get("path", "/score"),
                         query_string=header.get("query", ""), headers=list(header.get("headers", {}).items()),
                         data=body).get_environ()
    return cls(env)


def _load(script):
    spec = importlib.util.spec_from_file_location("score", script)
    module = importlib.util.module_from_spec(spec)
    sys.modules["score"] = module
    spec.loader.exec_module(module)
    for fn in ("init", "run"):
        if not callable(getattr(module, fn, None)):
            raise RuntimeError("User script at %s does not have a %s() function defined." % (script, fn))
    return module


_FAILED = (500, {"Content-Type": "application/json"}, json.dumps(
    {"message": "An unexpected error occurred in scoring script. Check the logs for more info."}).encode(), False)


def _arg(header, body, raw):
    """(what run() gets for this request, None) or (None, the 400 answer of a body that is not UTF-8)."""
    if raw:
        return _request(header, body), None
    if header.get("method", "POST") == "GET":
        return json.dumps(dict(parse_qsl(header.get("query", ""), keep_blank_values=True))), None
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError as e:
        return None, (400, {"Content-Type": "application/json"}, json.dumps(
            {"message": "Input cannot be decoded as UTF-8: %s" % e}).encode(), False)


def _score(module, header, body, raw, wants_headers):
    """One request through run(): (status, headers, body bytes, whether the script made the answer itself)."""
    try:
        arg, refused = _arg(header, body, raw)
        if refused:
            return refused
        result = module.run(arg, request_headers=header.get("headers", {})) if wants_headers else module.run(arg)
        return _answer(result)
    except Exception:
        log.error("Encountered Exception: %s", traceback.format_exc())
        return _FAILED


def _score_batch(module, items, bodies, raw):
    """A batch through one run_batch() call: a list of answers as _score gives, or an error text (wrong length)."""
    answers = [None] * len(items)
    args = []
    for i, (item, body) in enumerate(zip(items, bodies)):
        try:
            arg, refused = _arg(item, body, raw)
        except Exception:
            log.error("Encountered Exception: %s", traceback.format_exc())
            arg, refused = None, _FAILED
        if refused:
            answers[i] = refused
        else:
            args.append((i, arg))
    if not args:
        return answers
    try:
        results = module.run_batch([a for _, a in args])
    except Exception:
        log.error("Encountered Exception in run_batch (a batch of %d requests: %s): %s", len(args),
                  ", ".join(items[i].get("id", "") for i, _ in args), traceback.format_exc())
        for i, _ in args:
            answers[i] = _FAILED
        return answers
    if not isinstance(results, (list, tuple)) or len(results) != len(args):
        got = "%d results" % len(results) if isinstance(results, (list, tuple)) else "a %s" % type(results).__name__
        error = ("run_batch() returned %s for a batch of %d requests: it must return a list with one result per "
                 "request, in order" % (got, len(args)))
        log.error("%s", error)
        return error
    for (i, _), result in zip(args, results):
        try:
            answers[i] = _answer(result)
            if isinstance(answers[i][2], sluice_stream.Stream):
                log.error("run_batch() returned a generator for request %s: a batch's results cannot stream",
                          items[i].get("id", ""))
                answers[i] = _FAILED
        except Exception:
            log.error("Encountered Exception: %s", traceback.format_exc())
            answers[i] = _FAILED
    return answers


def _run_batch_missing(module):
    """Why a script cannot take batches (None when it can): request_settings.max_batch_size > 1 needs run_batch."""
    size = int(os.environ.get("SLUICE_MAX_BATCH_SIZE", "1"))
    if size > 1 and not callable(getattr(module, "run_batch", None)):
        return ("request_settings.max_batch_size is %d, but the scoring script defines no run_batch(raw_data_list) "
                "function: define one (it gets a list of inputs and returns a list of results of the same length), "
                "or set max_batch_size to 1" % size)
    return None


def main():
    global _current_request
    script = sys.argv[1]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    sys.path.append(os.path.dirname(os.path.abspath(__file__)))  # sluice_aml, after the script's own modules
    _provide_azureml_shim()
    try:
        module = _load(script)
        missing = _run_batch_missing(module)
        if missing:
            raise RuntimeError(missing)
        log.info("Invoking user's init function")
        module.init()
        log.info("Users's init has completed successfully")
    except BaseException as e:
        err = traceback.format_exc()
        log.error("User's init function failed\n%s", err)
        reason = err.strip().splitlines()[-1]
        if isinstance(e, ModuleNotFoundError) and (e.name or "").split(".")[0] == "inference_schema":
            reason = ("the script needs the inference-schema package (module %s), which this node's Python does not "
                      "have and Sluice does not provide: install it for that interpreter, or score without its "
                      "decorators" % e.name)
        _write_frame({"event": "init_failed", "error": reason})
        sys.exit(3)
    params = inspect.signature(module.run).parameters
    wants_headers = "request_headers" in params
    raw = _raw_requested(module.run)
    _write_frame({"event": "ready", "headers": wants_headers or raw})
    while True:
        header, bodies = _read_frame()
        if header is None:
            return
        if "ping" in header:
            _write_frame({"pong": header["ping"]})
            continue
        if "cancel" in header:
            continue  # its stream ended before the cancel came
        if "not_after" in header and time.time() > header["not_after"]:
            # it waited in the pipe behind another request past max_queue_wait_ms: refused without running
            _write_frame({"seq": header["seq"], "late": True})
            continue
        if "batch" in header:
            _batch(module, header, bodies, raw)
            continue
        _current_request = header.get("id") or _current_request
        started = time.perf_counter()
        status, headers, out, made = _score(module, header, bodies[0], raw, wants_headers)
        if isinstance(out, sluice_stream.Stream):
            seq = header["seq"]
            sluice_stream.serve(seq, started, out.items, _write_frame, _cancel_requested, log,
                                lambda: _write_reply(seq, _FAILED[0], (time.perf_counter() - started) * 1000.0,
                                                     _FAILED[1], _FAILED[3], _FAILED[2]))
        else:
            elapsed = (time.perf_counter() - started) * 1000.0
            _write_reply(header["seq"], status, elapsed, headers, made, out)
        _current_request = _NO_REQUEST


_JSON_HEADERS = {"Content-Type": "application/json"}


def _write_reply(seq, status, elapsed, headers, made, out):
    """A reply's frames; the common one (a JSON answer of run()) without a trip through json.dumps."""
    if not made and headers == _JSON_HEADERS and (_monitoring is None or not _monitoring._unreported):
        h = b'{"seq": %d, "status": %d, "ms": %.3f, "headers": {"Content-Type": "application/json"}, "raw": false}' % (
            seq, status, elapsed)
        _proto_out.write(b"".join((struct.pack(">I", len(h)), h, struct.pack(">I", len(out)), out)))
    else:
        _write_frame({"seq": seq, "status": status, "ms": round(elapsed, 3), "headers": headers, "raw": made}, out)


def _cancel_requested(seq):
    """Reads what came in meanwhile without waiting: whether this stream is cancelled; requests are kept for later,
    a late cancel of a stream already over is dropped."""
    cancelled = False
    while _proto_in.waiting():
        header, bodies = _read_pipe()
        if header is None:
            raise SystemExit(0)  # Java closed the pipe: the instance is stopping
        if "cancel" in header:
            cancelled = cancelled or header["cancel"] == seq
        else:
            _read_ahead.append((header, bodies))
    return cancelled


def _batch(module, header, bodies, raw):
    """Runs a batch and answers it; prints during run_batch() carry the id of the batch's first request."""
    global _current_request
    items = header["batch"]
    _current_request = items[0].get("id") or _current_request
    started = time.perf_counter()
    answers = _score_batch(module, items, bodies, raw)
    elapsed = (time.perf_counter() - started) * 1000.0
    _current_request = _NO_REQUEST
    if isinstance(answers, str):
        _write_frame({"seq": header["seq"], "error": answers})
        return
    _write_frame({"seq": header["seq"], "ms": round(elapsed, 3), "batch": [
        {"status": status, "headers": headers, "raw": made} for status, headers, _, made in answers]},
        answers[0][2], [out for _, _, out, _ in answers[1:]])


if __name__ == "__main__":
    main()
