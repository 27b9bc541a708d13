"""Turns bench.sh's figures (lines "name rps p50_ms p99_ms" or "name value" on stdin) into
loadtest/results/latest.json and the table in docs/benchmarks.md (between the BENCH markers)."""
import datetime
import json
import os
import platform
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
raw = {}
for line in sys.stdin:
    parts = line.split()
    if parts:
        raw[parts[0]] = [float(x) for x in parts[1:]]


def rps(k):
    return raw[k][0]


def col(k, i):
    return raw[k][i]


def cpu():
    try:
        for l in open("/proc/cpuinfo"):
            if l.startswith("model name"):
                return l.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


mem_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
machine = "%d cores (%s), %.1f GiB, %s, %s" % (os.cpu_count(), cpu(), mem_gib, java, platform.platform())

fig = {
    "same_node_ratio": rps("same") / rps("base"),
    "same_node_vs_2loops": rps("same") / rps("base2"),
    "added_p50_ms": col("same", 1) - col("base", 1),
    "vs_nginx_ratio": rps("split") / rps("nginx"),
    "vs_nginx_p99_ratio": col("split", 2) / col("nginx", 2),
    "cross_node_ratio": rps("cross") / rps("same"),
    "spread_ratio": rps("spread") / rps("spreadlocal"),
    # against the loop with the same log lines the script writes through Sluice (issue 23)
    "python_ratio": rps("py") / raw["pyloop_logged"][0],
    "python_ratio_logging_off": rps("py") / raw["pyloop"][0],
    # medians of the per-pair ratios of alternated runs (loadtest/python-bench.sh)
    "python_vs_gunicorn": raw["pyvg"][0],
    "python_vs_gunicorn_p99": raw["pyvg"][1],
    "python_vs_gunicorn_2w": raw["pyvg2"][0],
    "python_vs_gunicorn_p99_2w": raw["pyvg2"][1],
    # answers (2xx) per second, max_batch_size 32 against 1, 1 worker, 32 connections; and their p99s
    "batch_speedup": raw["batch_speedup"][0],
    "batch_p99_ratio": raw["batch_speedup"][1],
    # the echo path collecting its requests and responses (sampling 1) over not collecting (loadtest/collect-bench.sh)
    "collect_ratio": raw["collect_vs"][0],
    "collect_p99_ratio": raw["collect_vs"][1],
    "collect_ratio_q1": raw["collect_ratio_quartiles"][0],
    "collect_ratio_q3": raw["collect_ratio_quartiles"][1],
    # the same echo deployment through /v2/models/<e>/infer over /endpoints/<e>/score (loadtest/oip-bench.sh)
    "oip_rest_ratio": raw["oip_rest_vs"][0],
    "oip_rest_p99_ratio": raw["oip_rest_vs"][1],
    # ModelInfer over gRPC (h2load) over the same request at Azure's route as oip_rest_ratio's baseline calls it
    # (HTTP/1.1, wrk -c64), and over Azure's route over HTTP/2 (h2load) (loadtest/grpc-bench.sh)
    "oip_grpc_ratio": raw["oip_grpc_vs"][0],
    "oip_grpc_mean_ratio": raw["oip_grpc_vs"][1],
    "oip_grpc_h2_ratio": raw["oip_grpc_h2_vs"][0],
    # a streamed answer's first byte at the client less the script's own time to its first item (stream-bench.sh)
    "stream_ttfb_overhead_ms": raw["stream_ttfb_overhead_ms"][0],
    "stream_ttfb_overhead_p99_ms": raw["stream_ttfb_overhead_ms"][2],
    "whole_overhead_ms": raw["whole_overhead_ms"][0],
    # what Sluice adds to each Python request: its p50 less run()'s own time (from the in-process loop)
    "python_overhead_ms": col("py", 1) - 1000.0 / raw["pyloop"][0],
    "scale_out_s": raw["scale"][0],
    "failover_s": raw["failover"][0],
    "mirror_p99_ratio": raw["mir_on"][0] / raw["mir_off"][0],
    "loadtest_vs_wrk_ratio": rps("ours") / rps("nap"),
    "loadtest_vs_wrk_p50_ratio": col("ours", 1) / col("nap", 1),
}
# the goals of issues 16 and 23 where they set them (same node, added p50, cross node, spread, Python, gunicorn,
# batching)
targets = {
    "same_node_ratio": (">=", 0.85), "same_node_vs_2loops": (">=", 0.85), "added_p50_ms": ("<=", 0.25),
    "vs_nginx_ratio": (">=", 1.2), "vs_nginx_p99_ratio": ("<=", 1.0), "cross_node_ratio": (">=", 0.7),
    "spread_ratio": (">=", 0.9), "python_ratio": (">=", 0.3), "python_ratio_logging_off": ("info", None),
    "python_vs_gunicorn": (">=", 2.0), "python_vs_gunicorn_p99": ("<=", 1.0), "python_vs_gunicorn_2w": (">=", 2.0),
    "python_vs_gunicorn_p99_2w": ("<=", 1.0), "batch_speedup": (">=", 2.5), "batch_p99_ratio": ("<=", 1.0),
    "collect_ratio": (">=", 0.9), "collect_p99_ratio": ("info", None),
    "collect_ratio_q1": ("info", None), "collect_ratio_q3": ("info", None),
    "oip_rest_ratio": (">=", 0.9), "oip_rest_p99_ratio": ("info", None),
    "oip_grpc_ratio": (">=", 1.0), "oip_grpc_mean_ratio": ("info", None), "oip_grpc_h2_ratio": ("info", None),
    "stream_ttfb_overhead_ms": ("<=", 1.0), "stream_ttfb_overhead_p99_ms": ("info", None),
    "whole_overhead_ms": ("info", None),
    "python_overhead_ms": ("info", None),
    "scale_out_s": ("<=", 1.0), "failover_s": ("<=", 5.0), "mirror_p99_ratio": ("<=", 1.1),
    "loadtest_vs_wrk_ratio": ("within", 0.1), "loadtest_vs_wrk_p50_ratio": ("within", 0.1),
}


def met(k):
    op, t = targets[k]
    v = fig[k]
    if op == "info":
        return None
    return v >= t if op == ">=" else v <= t if op == "<=" else abs(v - 1) <= t


out = {
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "machine": machine,
    "command": os.environ.get("BENCH_CMD", "loadtest/bench.sh"),
    **{k: round(v, 4) for k, v in fig.items()},
    "targets_met": {k: met(k) for k in fig},
    "raw": {k: v for k, v in raw.items()},
}
os.makedirs(os.path.join(HERE, "loadtest", "results"), exist_ok=True)
with open(os.path.join(HERE, "loadtest", "results", "latest.json"), "w") as f:
    json.dump(out, f, indent=2)
    f.write("\n")

rows = [
    ("(1) baseline: plain Vert.x echo server (1 event loop, like the router)", "base"),
    ("(1b) the same server on 2 event loops", "base2"),
    ("load generator (closed loop) on the baseline: client-bound", "ours_base"),
    ("(2) Sluice, router + Java echo scorer, one node", "same"),
    ("(3) Sluice, router and scorer on two nodes (scoring channel)", "cross"),
    ("(3b) a deployment spread over 3 nodes, 32 connections", "spread"),
    ("(3b) the same deployment all on the router's node, 32 connections", "spreadlocal"),
    ("(4) nginx split_clients 90/10 + 10% mirror", "nginx"),
    ("(4) Sluice 90/10 split + 10% mirror", "split"),
    ("(5) Sluice, sklearn model through Python (1 worker, 2 connections)", "py"),
    ("(5) the same score.py in Flask behind gunicorn (1 worker, 2 connections)", "gunicorn"),
    ("(5) Sluice, 2 workers, 4 connections", "py2"),
    ("(5) gunicorn, 2 workers, 4 connections", "gunicorn2"),
    ("(5) examples/batching, max_batch_size 32, 1 worker, 32 connections (answers/s)", "batch32"),
    ("(5) the same, max_batch_size 1 (answers/s; the rest refused: 2 x 1 x 1 admitted)", "batch1"),
    ("a 5 ms Python run(), 8 workers: wrk", "nap"),
    ("a 5 ms Python run(), 8 workers: the load generator", "ours"),
]
table = ["| scenario | req/s | p50 ms | p99 ms |", "|---|---:|---:|---:|"]
for name, k in rows:
    table.append("| %s | %.0f | %.3f | %.3f |" % (name, rps(k), col(k, 1), col(k, 2)))
table.append("| (5) the same run() in a loop in one Python process, logging off | %.0f | | |" % raw["pyloop"][0])
if "pyloop_logged" in raw:
    table.append("| (5) the same loop with the script's two log lines per call formatted (to /dev/null) | %.0f | | |"
                 % raw["pyloop_logged"][0])
ratios = ["| figure | value | target | met |", "|---|---:|---|---|"]
for k, v in fig.items():
    op, t = targets[k]
    if op == "info":
        ratios.append("| `%s` | %.3f | | |" % (k, v))
        continue
    ratios.append("| `%s` | %.3f | %s %s | %s |" % (k, v, "1 ±" if op == "within" else op, t, "yes" if met(k) else "**no**"))
ratios.append("| (7) client p99, mirror off / 50%% on (ms) | %.3f / %.3f | | |" % (raw["mir_off"][0], raw["mir_on"][0]))
block = "\n".join(["<!-- BENCH:BEGIN -->", "Run %s on %s." % (out["date"], machine), "",
                   "Command: `%s`" % out["command"], "", *table, "", *ratios, "<!-- BENCH:END -->"])
doc = os.path.join(HERE, "docs", "benchmarks.md")
text = open(doc).read() if os.path.exists(doc) else "# Benchmarks\n\n<!-- BENCH:BEGIN -->\n<!-- BENCH:END -->\n"
text = re.sub(r"<!-- BENCH:BEGIN -->.*<!-- BENCH:END -->", lambda m: block, text, flags=re.S)
open(doc, "w").write(text)
print(json.dumps(out, indent=2))
