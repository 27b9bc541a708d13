#!/usr/bin/env python3
"""Score a Sluice endpoint through a node's event-bus bridge, from any language: this is the whole protocol.

The bridge speaks the framing of Vert.x's TCP event-bus bridge: every frame is a 4-byte big-endian length, then
that many bytes of UTF-8 JSON. Send {"type": "send", "address": "sluice.invoke", "replyAddress": <yours>,
"body": {...}}; the answer comes back as {"type": "message", "address": <yours>, "body": {...}}, a failure as
{"type": "err", "address": <yours>, "failureCode": <the HTTP status Sluice would answer>, "message": ...}.

usage: score_over_bridge.py HOST BRIDGE_PORT ENDPOINT KEY REQUEST_JSON [DEPLOYMENT]
  prints "<deployment> answered <body>" (exit 0) or "HTTP <status>: <message>" (exit 1)
"""
import json
import socket
import struct
import sys
import uuid


class BridgeError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def write_frame(sock, payload):
    data = json.dumps(payload).encode("utf-8")
    sock.sendall(struct.pack(">I", len(data)) + data)


def read_exactly(sock, n):
    chunks = []
    while n > 0:
        chunk = sock.recv(n)
        if not chunk:
            raise BridgeError(500, "the bridge closed the connection")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(sock):
    (length,) = struct.unpack(">I", read_exactly(sock, 4))
    return json.loads(read_exactly(sock, length).decode("utf-8"))


def invoke(sock, endpoint, key, body, deployment=None, timeout_ms=60000):
    """Scores `body` (the JSON text score.py receives); returns (deployment, answer text)."""
    reply_address = "reply." + str(uuid.uuid4())
    request = {"endpoint": endpoint, "authorization": "Bearer " + key, "body": body}
    if deployment:
        request["deployment"] = deployment
    write_frame(sock, {"type": "send", "address": "sluice.invoke", "replyAddress": reply_address,
                       "headers": {"timeout": timeout_ms}, "body": request})
    while True:
        frame = read_frame(sock)
        if frame.get("type") == "err" and frame.get("address") in (None, reply_address):
            raise BridgeError(frame.get("failureCode", 500), frame.get("message"))
        if frame.get("type") == "message" and frame.get("address") == reply_address:
            return frame["body"]["deployment"], frame["body"]["body"]


def main(argv):
    if len(argv) < 6:
        print(__doc__, file=sys.stderr)
        return 2
    host, port, endpoint, key, body = argv[1], int(argv[2]), argv[3], argv[4], argv[5]
    with socket.create_connection((host, port), timeout=90) as sock:
        try:
            deployment, answer = invoke(sock, endpoint, key, body, argv[6] if len(argv) > 6 else None)
        except BridgeError as e:
            print("HTTP %s: %s" % (e.status, e))
            return 1
    print("%s answered %s" % (deployment, answer))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
