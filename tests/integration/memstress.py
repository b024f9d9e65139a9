#!/usr/bin/python3
"""Allocation-heavy load with a known answer for every reply (t_memstress.sh).

  memstress.py ADDR SECONDS CLIENTS

CLIENTS connections each send, one at a time until SECONDS pass, a random
mix of alloc (pkg 6: count x bytes, sometimes kept, sometimes released),
json (pkg 4), hash (pkg 5) and echo (pkg 1) requests, and check each reply
against what it must be. Every wait is bounded (10 s), so a deadlocked
worker shows up as a timeout, not a hang. Prints run_cases lines
("ok DESC" / "not ok DESC: SEEN"), then "cases N".
"""
import asyncio
import hashlib
import json
import random
import sys
import time

import websockets

TIMEOUT = 10
results = []


def check(desc, cond, why=""):
    line = "ok " + desc if cond else "not ok %s: %s" % (desc, why)
    results.append(line)
    print(line, flush=True)


def json_bytes(n):
    return len(json.dumps([{"id": i, "name": "item", "score": i * 0.5,
                            "ok": bool(i & 1)} for i in range(n)],
                          separators=(",", ":")))


def request(rng, seq):
    """One request and the check of its reply's data (None: any data)."""
    kind = rng.choice(("alloc", "alloc", "alloc", "json", "hash", "echo"))
    if kind == "alloc":
        count = rng.randint(1, 100)
        size = rng.choice((rng.randint(1, 256), rng.randint(1, 256),
                           rng.randint(256, 4096), rng.randint(4096, 65536)))
        data = {"count": count, "bytes": size}
        if rng.random() < 0.05:
            data["release"] = True
            # A release leaves nothing kept: no bytes and no allocator cost.
            want = lambda d, a=count * size: (  # noqa: E731
                d.get("allocated") == a and d.get("kept_bytes") == 0 and
                d.get("kept_cost") == 0)
        elif rng.random() < 0.1 and count * size < 65536:
            data["keep"] = True
            # Other clients on the same worker keep and release too.
            want = lambda d, a=count * size: (  # noqa: E731
                d.get("allocated") == a and d.get("kept_bytes", -1) >= a)
        else:
            want = lambda d, a=count * size: (  # noqa: E731
                d.get("allocated") == a and d.get("kept_bytes", -1) >= 0)
        return kind, 6, data, want
    if kind == "json":
        n = rng.randint(0, 3000)
        return kind, 4, {"items": n}, {"items": n, "bytes": json_bytes(n)}
    if kind == "hash":
        n, rounds = rng.randint(1, 200000), rng.randint(1, 3)
        return kind, 5, {"bytes": n, "rounds": rounds}, {
            "sha256": hashlib.sha256(b"h" * n).hexdigest(), "rounds": rounds}
    blob = "x" * rng.randint(0, 100000)
    return kind, 1, {"blob": blob, "seq": seq}, {"blob": blob, "seq": seq}


async def client(addr, deadline, k, stats):
    rng = random.Random(k * 7919 + int(time.time()))
    seq = 0
    async with websockets.connect("ws://%s/web" % addr, open_timeout=TIMEOUT,
                                  max_size=None, ping_interval=None) as ws:
        while time.monotonic() < deadline:
            seq += 1
            kind, pkg, data, want = request(rng, seq)
            req_id = "c%d-%d" % (k, seq)
            await ws.send(json.dumps({"pkg_id": pkg, "req_id": req_id,
                                      "data": data}))
            try:
                raw = await asyncio.wait_for(ws.recv(), TIMEOUT)
            except asyncio.TimeoutError:
                stats["timeouts"] += 1
                return
            r = json.loads(raw)
            good = (r.get("req_id") == req_id and r.get("pkg_id") == pkg and
                    r.get("status_code") == 0 and
                    (want(r.get("data", {})) if callable(want)
                     else r.get("data") == want))
            stats[kind] += 1
            if not good:
                stats["bad"] += 1
                if stats["bad"] <= 3:
                    print("bad reply to %s %s: %s" % (
                        kind, json.dumps(data)[:200], raw[:300]), flush=True)


async def main(addr, seconds, clients):
    stats = {"alloc": 0, "json": 0, "hash": 0, "echo": 0, "bad": 0,
             "timeouts": 0}
    deadline = time.monotonic() + seconds
    outcome = await asyncio.gather(
        *(client(addr, deadline, k, stats) for k in range(clients)),
        return_exceptions=True)
    errors = [repr(e) for e in outcome if isinstance(e, BaseException)]
    total = sum(stats[k] for k in ("alloc", "json", "hash", "echo"))
    print("replies: %s" % json.dumps(stats), flush=True)
    check("every client ran to the end", not errors, "; ".join(errors)[:300])
    check("no request waited over %d s (no deadlock)" % TIMEOUT,
          stats["timeouts"] == 0, stats["timeouts"])
    check("all %d replies correct" % total, stats["bad"] == 0 and total > 0,
          "%d bad" % stats["bad"])
    check("every kind of request ran",
          all(stats[k] > 0 for k in ("alloc", "json", "hash", "echo")), stats)
    print("cases %d" % len(results), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3])))
