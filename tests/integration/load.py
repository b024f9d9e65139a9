#!/usr/bin/python3
"""Send one envelope over and over for a while; print how many came back.

  load.py URL SECONDS JSON [CONNECTIONS]

Loopback only, bounded by SECONDS; each connection keeps one request in
flight. Exits 1 if any reply had a non-zero status_code. In JSON, @K@ and
@3K@ become a random K in [300000, 1300000) and 3K, new for each request:
work of varying length keeps its proportions without repeating at a fixed
period (which could alias with the profiler's tick-quantized samples).
"""
import asyncio
import json
import random
import sys
import time

import websockets


async def one(url, deadline, message, counts):
    async with websockets.connect(url, open_timeout=5, max_size=None) as ws:
        while time.monotonic() < deadline:
            k = random.randrange(300000, 1300000)
            await ws.send(message.replace("@3K@", str(3 * k))
                          .replace("@K@", str(k)))
            reply = json.loads(await asyncio.wait_for(ws.recv(), 30))
            counts["ok" if reply.get("status_code") == 0 else "bad"] += 1


async def main(url, seconds, message, conns):
    counts = {"ok": 0, "bad": 0}
    deadline = time.monotonic() + seconds
    await asyncio.gather(*(one(url, deadline, message, counts)
                           for _ in range(conns)))
    print(counts["ok"], counts["bad"])
    return counts["bad"] == 0


if __name__ == "__main__":
    conns = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    ok = asyncio.run(main(sys.argv[1], float(sys.argv[2]), sys.argv[3], conns))
    sys.exit(0 if ok else 1)
