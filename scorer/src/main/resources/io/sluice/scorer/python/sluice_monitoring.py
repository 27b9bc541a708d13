"""Azure's azureml.ai.monitoring (the Model Data Collector's custom logging) for score.py, without Azure's package.

A script written for Azure does
    from azureml.ai.monitoring import Collector
    inputs_collector = Collector(name='model_inputs')
    context = inputs_collector.collect(input_df)            # a pandas DataFrame
    outputs_collector.collect(output_df, context)           # correlated with the inputs
sluice_runner.py registers this module under that name when it cannot be imported otherwise. The instance's
settings come in SLUICE_COLLECT (the folder of each enabled collection, the rolling folders, the sampling rate); a
record is one JSON line in Azure's fields, appended to <folder>/<period>/<instance>.jsonl by a background thread
(one write() per line, O_APPEND: the instance's workers share the file), forced to disk about once a second. A full
queue or a failing disk drops records (said once a minute in the log, and counted: the runner hands take_dropped()
to Sluice on its next reply, for sluice_collected_dropped_total); the answer never waits for them.
"""
import datetime
import json
import os
import queue
import sys
import threading
import time
import uuid
import zlib

_settings = json.loads(os.environ.get("SLUICE_COLLECT") or "null") or {}
_QUEUED = 10000


def _no_request():
    return None


# the runner sets this to a function giving the current request's id
current_request_id = _no_request


def sampled(request_id, rate):
    """The same decision Sluice's router-side collection makes for the request and response: by the request id."""
    if rate >= 1:
        return True
    if rate <= 0:
        return False
    return zlib.crc32((request_id or "").encode("utf-8")) % 10000 < rate * 10000


class BasicCorrelationContext:
    """Ties a model output to its input: collect() returns one, and takes one."""

    def __init__(self, id=None, timestamp=None, headers=None):
        self._id = id or str(uuid.uuid4())
        self._timestamp = timestamp or int(time.time())
        self._headers = headers or {}

    def get_id(self):
        return self._id

    def get_timestamp(self):
        return self._timestamp

    def get_headers(self):
        return self._headers


# records dropped per collection since the runner last reported them (any thread adds, the runner takes)
_unreported = {}
_unreported_lock = threading.Lock()


def _count_drop(name):
    with _unreported_lock:
        _unreported[name] = _unreported.get(name, 0) + 1


def take_dropped():
    """The records dropped per collection since the last call (None when none): the runner reports them."""
    global _unreported
    if not _unreported:
        return None
    with _unreported_lock:
        taken, _unreported = _unreported, {}
    return taken


class _Writer:
    def __init__(self):
        self._queue = queue.Queue(maxsize=_QUEUED)
        self._dropped = 0
        self._said = 0.0
        self._files = {}
        self._pattern = (_settings.get("rolling") or "yyyy/MM/dd/HH").replace("yyyy", "%Y").replace("MM", "%m") \
            .replace("dd", "%d").replace("HH", "%H").replace("mm", "%M")
        threading.Thread(target=self._run, name="sluice-collect", daemon=True).start()

    def put(self, name, folder, record):
        try:
            self._queue.put_nowait((name, folder, record))
        except queue.Full:
            self._dropped += 1
            _count_drop(name)

    def _file(self, folder, when):
        path = os.path.join(folder, when.strftime(self._pattern), _settings.get("instance", "instance") + ".jsonl")
        fd = self._files.get(folder)
        if fd is None or fd[0] != path:
            if fd is not None:
                os.fsync(fd[1])
                os.close(fd[1])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd = (path, os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640))
            self._files[folder] = fd
        return fd[1]

    def _run(self):
        last_sync = time.monotonic()
        while True:
            try:
                name, folder, record = self._queue.get(timeout=0.25)
            except queue.Empty:
                name = None
            try:
                if name is not None:
                    line = (json.dumps(record, separators=(",", ":")) + "\n").encode("utf-8")
                    os.write(self._file(folder, datetime.datetime.now(datetime.timezone.utc)), line)
            except Exception as e:  # a full disk or a read-only folder: the record is lost, the script goes on
                self._dropped += 1
                _count_drop(name)
                self._say("sluice: a collected record could not be written: %s" % e)
            if time.monotonic() - last_sync >= 1:
                for _, fd in self._files.values():
                    try:
                        os.fsync(fd)
                    except OSError:
                        pass
                last_sync = time.monotonic()
                if self._dropped:
                    self._say("sluice: %d collected records dropped" % self._dropped)
                    self._dropped = 0

    def _say(self, text):
        if time.monotonic() - self._said >= 60:
            self._said = time.monotonic()
            print(text, file=sys.stderr)


_writer = None


class Collector:
    """One collection of the deployment's data_collector, collecting pandas DataFrames."""

    def __init__(self, *, name, on_error=None, **kwargs):
        self.name = name
        self._on_error = on_error
        self._folder = (_settings.get("collections") or {}).get(name)
        if self._folder is None:
            print("sluice: collection '%s' is not enabled in the deployment's data_collector: nothing is collected"
                  % name, file=sys.stderr)

    def collect(self, data, correlation_context=None):
        global _writer
        request_id = current_request_id()
        context = correlation_context or BasicCorrelationContext(id=request_id)
        try:
            import pandas
            if not isinstance(data, pandas.DataFrame):
                raise TypeError("Collector.collect: data must be a pandas DataFrame, not %s" % type(data).__name__)
            if self._folder is None or not sampled(request_id, float(_settings.get("sampling_rate", 1))):
                return context
            body = data.to_json(orient="records")
            record = {
                "specversion": "1.0", "id": str(uuid.uuid4()),
                "source": "/endpoints/%s/deployments/%s" % (_settings.get("endpoint"), _settings.get("deployment")),
                "type": "azureml.inference.%s" % self.name,
                "time": datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z"),
                "datacontenttype": "application/json", "data": json.loads(body),
                "correlationid": context.get_id(), "xrequestid": request_id,
                "contentrange": "bytes 0-%d/%d" % (max(0, len(body) - 1), len(body)),
                "collectdatatype": "pandas.core.frame.DataFrame", "agent": "sluice-monitoring",
            }
            if _writer is None:
                _writer = _Writer()
            _writer.put(self.name, self._folder, record)
        except Exception as e:
            if self._on_error is None:
                raise
            self._on_error(e)
        return context
