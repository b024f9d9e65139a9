#!/usr/bin/python3
"""Clients for t_prometheus.sh (loopback only, every wait bounded).

  promq.py port                       a free loopback TCP port
  promq.py send URL N CONNS JSON      N envelopes over CONNS connections,
                                      one in flight each; prints the
                                      replies with status_code 0
  promq.py query ADDR EXPR            an instant query of the Prometheus
                                      HTTP API at ADDR: one line per
                                      series, "LABELS VALUE" (labels as
                                      k=v,k=v sorted; "-" for none)
  promq.py after ADDR EXPR SECONDS T  wait up to SECONDS until EXPR (a
                                      timestamp() query) is past T;
                                      exit 1 if it never is
"""
import asyncio
import json
import socket
import sys
import time
import urllib.parse
import urllib.request

import websockets


def cmd_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])


async def one(url, n, message, counts):
    async with websockets.connect(url, open_timeout=5) as ws:
        for _ in range(n):
            await ws.send(message)
            reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if reply.get("status_code") == 0:
                counts[0] += 1


async def send(url, n, conns, message):
    counts = [0]
    share = [n // conns + (i < n % conns) for i in range(conns)]
    await asyncio.gather(*(one(url, k, message, counts) for k in share))
    print(counts[0])


def query(addr, expr):
    q = urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen("http://%s/api/v1/query?%s" % (addr, q),
                                timeout=5) as r:
        doc = json.load(r)
    if doc.get("status") != "success":
        raise SystemExit("query failed: %r" % doc)
    data = doc["data"]
    if data["resultType"] == "scalar":
        return [("-", data["result"][1])]
    return [(",".join("%s=%s" % kv for kv in sorted(s["metric"].items()))
             or "-", s["value"][1]) for s in data["result"]]


def cmd_query(addr, expr):
    for labels, value in query(addr, expr):
        print(labels, value)


def cmd_after(addr, expr, seconds, t):
    deadline = time.monotonic() + float(seconds)
    while time.monotonic() < deadline:
        rows = query(addr, expr)
        if rows and float(rows[0][1]) > float(t):
            return 0
        time.sleep(0.2)
    return 1


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "port":
        cmd_port()
    elif cmd == "send":
        asyncio.run(send(args[0], int(args[1]), int(args[2]), args[3]))
    elif cmd == "query":
        cmd_query(args[0], args[1])
    elif cmd == "after":
        return cmd_after(*args)
    else:
        raise SystemExit("unknown command " + cmd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
