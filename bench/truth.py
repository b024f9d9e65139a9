#!/usr/bin/env python3
"""The profiler against a known split (issue 16), as figures.

    bench/truth.py BUILD_DIR [SECONDS]

Runs tests/modules/truth.so (pkg_id 200: arithmetic, one memcpy of a MiB
and 1000 malloc/free pairs, one line each, each part timed with the
thread's CPU clock) under hotlined with 1 and 2 workers, the perf and the
POSIX timer, alone and beside a CPU burner (one busy process per core),
and prints the true and the reported share of each part with the
reported share's 95 % interval. SECONDS (8) is the CPU each connection
asks for; a worker per connection. Everything listens on 127.0.0.1 and
stops by itself.
"""
import asyncio
import glob
import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

import websockets

PARTS = (("arith", "ARITH"), ("copy", "COPY"), ("alloc", "ALLOC"))


def line_of(src, mark):
    with open(src) as f:
        for n, text in enumerate(f, 1):
            if "/* %s */" % mark in text:
                return n
    raise SystemExit("no %s line in %s" % (mark, src))


def start(build, workers, timer, out):
    so = os.path.join(build, "tests/modules/.libs/truth.so")
    log = open(os.path.join(out, "hotlined.log"), "w+")
    p = subprocess.Popen([os.path.join(build, "src/hotlined"), "-f",
                          "-w", str(workers),
                          "-o", "listen=127.0.0.1:0",
                          "-o", "admin_listen=127.0.0.1:0",
                          "-o", "module=" + so,
                          "-o", "profiling_cpu_only=yes",
                          "-o", "profiling_sample_interval_ms=1",
                          "-o", "profiling_interval_seconds=3600",
                          "-o", "profiling_timer=" + timer,
                          "-o", "profiling_output_dir=" + out],
                         stderr=log, stdout=subprocess.DEVNULL,
                         start_new_session=True)
    for _ in range(100):
        log.seek(0)
        m = re.search(r"WebSocket ws://(\S+?)/web", log.read())
        if m:
            return p, m.group(1)
        time.sleep(0.1)
    p.kill()
    raise SystemExit("hotlined did not start: see " + log.name)


async def drive(url, seconds):
    async with websockets.connect(url, open_timeout=10) as ws:
        last = None
        for i in range(seconds):
            await ws.send(json.dumps({"pkg_id": 200, "req_id": str(i),
                                      "data": {"ms": 1000}}))
            last = json.loads(await asyncio.wait_for(ws.recv(), 120))
        return last["data"]


async def drive_all(url, conns, seconds):
    return await asyncio.gather(*(drive(url, seconds)
                                  for _ in range(conns)))


def final_report(out):
    for f in sorted(glob.glob(out + "/profile_*.json")):
        d = json.load(open(f))
        if d["kind"] == "final":
            return d
    raise SystemExit("no final report in " + out)


def shares(report, lines):
    rows = [ln for f in report["files"]
            if f["file"].endswith("tests/modules/truth.c")
            for ln in f["lines"]]
    n = sum(r["samples"] for r in rows)
    got = {}
    for name, _ in PARTS:
        if name == "arith":
            k = sum(r["samples"] for r in rows if r["function"] == "arith")
        else:
            k = sum(r["samples"] for r in rows if r["line"] == lines[name])
        got[name] = k / n if n else 0
    return got, n


def burner():
    return [subprocess.Popen([sys.executable, "-c", "while 1: pass"])
            for _ in range(os.cpu_count() or 1)]


def one(build, lines, workers, timer, contended, seconds):
    out = tempfile.mkdtemp(prefix="hotline-truth.")
    burn = burner() if contended else []
    p, ws = start(build, workers, timer, out)
    try:
        truths = asyncio.run(drive_all("ws://%s/web" % ws, workers, seconds))
    finally:
        os.killpg(p.pid, signal.SIGQUIT)
        p.wait(60)
        for b in burn:
            b.kill()
            b.wait()
    all_ns = sum(t["all_ns"] for t in truths)
    true = {name: sum(t[name + "_ns"] for t in truths) / all_ns
            for name, _ in PARTS}
    got, n = shares(final_report(out), lines)
    return true, got, n


def main(argv):
    if not argv:
        raise SystemExit(__doc__)
    build = os.path.abspath(argv[0])
    seconds = int(argv[1]) if len(argv) > 1 else 8
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                       "tests/modules/truth.c")
    lines = {name: line_of(src, mark) for name, mark in PARTS}
    print("| workers | timer | contention | samples | part | true % | "
          "reported % | 95 % interval | error pp |")
    print("|---|---|---|---|---|---|---|---|---|")
    for workers in (1, 2):
        for timer in ("perf", "posix"):
            for contended in (False, True):
                true, got, n = one(build, lines, workers, timer, contended,
                                   seconds)
                for name, _ in PARTS:
                    p = got[name]
                    hw = 1.96 * math.sqrt(p * (1 - p) / n) if n else 0
                    print("| %d | %s | %s | %d | %s | %.2f | %.2f | "
                          "±%.2f | %+.2f |" % (
                              workers, timer,
                              "burner" if contended else "none", n, name,
                              100 * true[name], 100 * p, 100 * hw,
                              100 * (p - true[name])), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
