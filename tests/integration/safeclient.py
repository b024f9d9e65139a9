#!/usr/bin/python3
"""WebSocket clients for t_safe.sh (loopback only, every wait bounded).

  safeclient.py workloads ADDR off    echo answers; pkg_ids 3-7 get status 1
  safeclient.py workloads ADDR demo   each workload at its demo limit gets
                                      status 0, one past it status 2

Prints "ok DESC" or "not ok DESC: SEEN" per check, then "cases N".
"""
import asyncio
import json
import sys

import websockets

WORKLOADS = {3: "work", 4: "json", 5: "hash", 6: "alloc", 7: "delay"}

# (pkg_id, data at the demo limit, data one past it)
DEMO = [
    (3, {"a": 5000000, "b": 5000000, "syscalls": 20000}, {"a": 5000001}),
    (3, {"iterations": 5000000}, {"syscalls": 20001}),
    (4, {"items": 10000}, {"items": 10001}),
    (5, {"bytes": 1048576, "rounds": 4}, {"bytes": 1048577}),
    (5, {"bytes": 1, "rounds": 4}, {"rounds": 5}),
    (6, {"bytes": 65536, "count": 64}, {"bytes": 65537}),
    (6, {"bytes": 1, "count": 64}, {"count": 65}),
    (7, {"ms": 1}, {"ms": 10001}),
]

cases = 0


def check(desc, good, seen=""):
    global cases
    cases += 1
    print(("ok %s" % desc) if good else ("not ok %s: %s" % (desc, seen)))


async def call(ws, pkg_id, data):
    await ws.send(json.dumps({"pkg_id": pkg_id, "req_id": "r", "data": data}))
    return json.loads(await asyncio.wait_for(ws.recv(), 20))


async def workloads_off(ws):
    r = await call(ws, 1, {"message": "hi"})
    check("echo answers with workloads off", r["status_code"] == 0 and
          r["data"] == {"message": "hi"}, r)
    for pkg_id, name in WORKLOADS.items():
        r = await call(ws, pkg_id, {})
        check("%s (pkg_id %d) is refused with status 1" % (name, pkg_id),
              r["status_code"] == 1 and "No handler found" in
              r["data"].get("message", ""), r)


async def workloads_demo(ws):
    for pkg_id, at, past in DEMO:
        name = WORKLOADS[pkg_id]
        r = await call(ws, pkg_id, at)
        check("%s %s is served" % (name, json.dumps(at)),
              r["status_code"] == 0, r)
        r = await call(ws, pkg_id, past)
        check("%s %s is refused with status 2" % (name, json.dumps(past)),
              r["status_code"] == 2 and "maximum" in
              r["data"].get("message", ""), r)


async def main():
    cmd, addr, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    run = {"off": workloads_off, "demo": workloads_demo}[mode]
    async with websockets.connect("ws://%s/web" % addr, max_size=None,
                                  open_timeout=10) as ws:
        await asyncio.wait_for(run(ws), 120)
    print("cases %d" % cases)


if __name__ == "__main__":
    asyncio.run(main())
