#!/usr/bin/python3
"""Clients for the fault tests (loopback only, every wait bounded).

  faults.py busy ADDR PKG_ID DATA N SECONDS
        N connections to /web, each sends one request {pkg_id, data} and
        waits up to SECONDS for its answer; prints "sent N answered M"
  faults.py stream ADDR CONNS SECONDS MARKER
        CONNS connections to /web, each sending echo requests one at a time
        (the next after the answer) until closed or SECONDS pass; prints
        "sent S answered A unanswered U crossed X closes C1,... after_close R"
        where X counts requests in flight when the close frame came (the
        server did not read them), U the other requests left unanswered,
        and R requests answered after the MARKER file existed
  faults.py trickle HOST:PORT INTERVAL SECONDS
        an HTTP request to the admin port, one byte every INTERVAL seconds
        for at most SECONDS: prints "cut AFTER STATUS" when the server
        answered or closed (STATUS "-" for no answer), or "open SECONDS"
  faults.py keepalive HOST:PORT N GAP
        N GET /health on one kept-alive connection, GAP seconds apart:
        prints "answered M"
"""
import asyncio
import json
import os
import socket
import sys
import time

import websockets


async def busy_one(url, pkg, data, seconds, counts):
    try:
        async with websockets.connect(url, open_timeout=10,
                                      close_timeout=1) as ws:
            await ws.send(json.dumps({"pkg_id": pkg, "req_id": "b",
                                      "data": data}))
            counts["sent"] += 1
            await asyncio.wait_for(ws.recv(), seconds)
            counts["answered"] += 1
    except Exception:
        pass


async def cmd_busy(addr, pkg, data, n, seconds):
    counts = {"sent": 0, "answered": 0}
    url = "ws://%s/web" % addr
    await asyncio.gather(*(busy_one(url, int(pkg), json.loads(data),
                                    float(seconds), counts)
                           for _ in range(int(n))))
    print("sent", counts["sent"], "answered", counts["answered"])


async def stream_one(url, deadline, st):
    seq = 0
    inflight = 0
    try:
        async with websockets.connect(url, open_timeout=10,
                                      close_timeout=2) as ws:
            while time.time() < deadline:
                seq += 1
                await ws.send(json.dumps({"pkg_id": 1, "req_id": str(seq),
                                          "data": {"n": seq}}))
                st["sent"] += 1
                inflight = 1
                reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
                inflight = 0
                if reply.get("req_id") != str(seq):
                    continue
                st["answered"] += 1
                if os.path.exists(st["marker"]):
                    st["after"] += 1
        st["closes"].append("none")
    except websockets.ConnectionClosed as e:
        # A request the close frame crossed was not read by the server
        # (it answers what it read before closing): not accepted.
        st["crossed"] += inflight
        st["closes"].append(str(e.rcvd.code if e.rcvd else 0))
    except Exception as e:
        st["closes"].append("error:" + type(e).__name__)


async def cmd_stream(addr, conns, seconds, marker):
    st = {"sent": 0, "answered": 0, "crossed": 0, "after": 0,
          "closes": [], "marker": marker}
    url = "ws://%s/web" % addr
    deadline = time.time() + float(seconds)
    await asyncio.gather(*(stream_one(url, deadline, st)
                           for _ in range(int(conns))))
    print("sent", st["sent"], "answered", st["answered"], "unanswered",
          st["sent"] - st["answered"] - st["crossed"], "crossed",
          st["crossed"], "closes", ",".join(sorted(st["closes"])),
          "after_close", st["after"])


def cmd_trickle(addr, interval, seconds):
    host, port = addr.rsplit(":", 1)
    s = socket.create_connection((host, int(port)), 5)
    s.settimeout(float(interval))
    req = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 400
    start = time.time()
    for b in req:
        if time.time() - start > float(seconds):
            break
        try:
            s.send(bytes([b]))
            got = s.recv(4096)
        except socket.timeout:
            continue
        except OSError:
            got = b""
        status = got.split(b" ")[1].decode() if got.count(b" ") else "-"
        print("cut %.1f %s" % (time.time() - start, status))
        return
    print("open %.1f" % (time.time() - start))


def cmd_keepalive(addr, n, gap):
    import http.client
    host, port = addr.rsplit(":", 1)
    c = http.client.HTTPConnection(host, int(port), timeout=5)
    answered = 0
    try:
        for i in range(int(n)):
            if i:
                time.sleep(float(gap))
            c.request("GET", "/health")
            r = c.getresponse()
            r.read()
            answered += r.status in (200, 503)
    except (OSError, http.client.HTTPException):
        pass
    print("answered", answered)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "busy":
        asyncio.run(cmd_busy(*args))
    elif cmd == "stream":
        asyncio.run(cmd_stream(*args))
    elif cmd == "keepalive":
        cmd_keepalive(*args)
    elif cmd == "trickle":
        cmd_trickle(*args)
    else:
        sys.exit("faults.py: unknown command " + cmd)


if __name__ == "__main__":
    main()
