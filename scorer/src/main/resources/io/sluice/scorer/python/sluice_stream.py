"""Streamed answers for sluice_runner.py: a run() that returns a generator (or any iterator, or an iterable JSON
cannot write as a value) streams its items, each as it is made.

The reply comes once the first item is there: {"seq": n, "status": 200, "stream": true, "ms": time to it,
"headers": {...}} with the first item as its body; each further item {"seq": n, "chunk": true} and its bytes; last
{"seq": n, "end": true, "ms": run time} (with "error": "..." when run() raised after the first item) and an empty
body. An item is sent as it is when bytes, UTF-8 when str, else as one JSON line. Between items the runner looks
for {"cancel": n} (the client went away): the generator is closed and the end says "cancelled": true. The writes
block while Java does not read them: that is how a slow client slows the script.
"""
import collections.abc
import json
import time
import traceback

_DONE = object()  # a stream's end (an item may be None)


class Stream:
    """What a run() that streams returned: its items, still to be taken."""

    def __init__(self, items):
        self.items = iter(items)


def streams(result):
    """Whether run() returned something to stream: an iterator, or an iterable JSON would not write as a value."""
    if isinstance(result, collections.abc.Iterator):
        return True
    return (isinstance(result, collections.abc.Iterable)
            and not isinstance(result, (list, tuple, dict, str, bytes, bytearray))
            and not hasattr(result, "tolist"))


def encode(item):
    """One streamed item's bytes: bytes as they are, str as UTF-8, anything else as one JSON line."""
    if isinstance(item, (bytes, bytearray, memoryview)):
        return bytes(item)
    if isinstance(item, str):
        return item.encode("utf-8")
    return json.dumps(item).encode("utf-8") + b"\n"


def content_type(item):
    """The Content-Type of a stream whose first item is this one."""
    if isinstance(item, (bytes, bytearray, memoryview)):
        return "application/octet-stream"
    if isinstance(item, str):
        return "text/plain; charset=utf-8"
    return "application/x-ndjson"


def serve(seq, started, items, write_frame, cancelled, log, failed):
    """Streams run()'s items for request seq. An exception before the first item is an error answer as any other
    (failed() writes it); after it, the end frame carries it (the client's answer has begun). cancelled(seq) says,
    without waiting, whether the client went away."""
    try:
        first = next(items, _DONE)
    except Exception:
        log.error("Encountered Exception: %s", traceback.format_exc())
        failed()
        return
    elapsed = (time.perf_counter() - started) * 1000.0
    kind = content_type(first) if first is not _DONE else "application/octet-stream"
    write_frame({"seq": seq, "status": 200, "stream": True, "ms": round(elapsed, 3),
                 "headers": {"Content-Type": kind}, "raw": False}, encode(first) if first is not _DONE else b"")
    end = {"seq": seq, "end": True}
    while first is not _DONE:
        if cancelled(seq):
            end["cancelled"] = True
            close = getattr(items, "close", None)
            if close is not None:
                close()
            break
        try:
            following = next(items, _DONE)
        except Exception:
            err = traceback.format_exc()
            log.error("Encountered Exception: %s", err)
            end["error"] = "run() raised after the stream began: " + err.strip().splitlines()[-1]
            break
        if following is _DONE:
            break
        write_frame({"seq": seq, "chunk": True}, encode(following))
    end["ms"] = round((time.perf_counter() - started) * 1000.0, 3)
    write_frame(end)
