#!/usr/bin/python3
"""Small clients for the integration tests (loopback only, bounded).

  hl.py json EXPR              print EXPR evaluated on the JSON on stdin (as j)
  hl.py metrics                parse Prometheus text on stdin; print
                               "name{labels} value" per sample
  hl.py http ADDR N            N concurrent plain HTTP GETs to ADDR; print how
                               many got a 426 and how many failed
  hl.py hold ADDR N SECONDS    open N idle connections, hold them, then close
  hl.py notify PATH SECONDS    listen on a unix datagram socket and print each
                               message received, until SECONDS pass
"""
import asyncio
import json
import os
import socket
import sys
import time


def cmd_json(expr):
    j = json.load(sys.stdin)
    print(eval(expr, {"j": j, "len": len, "sorted": sorted, "set": set}))


def cmd_metrics():
    from prometheus_client.parser import text_string_to_metric_families
    for fam in text_string_to_metric_families(sys.stdin.read()):
        for s in fam.samples:
            labels = ",".join('%s="%s"' % kv for kv in sorted(s.labels.items()))
            print("%s{%s} %s" % (s.name, labels, s.value))


async def one_get(host, port, counts):
    try:
        r, w = await asyncio.wait_for(asyncio.open_connection(host, port), 5)
        w.write(b"GET /web HTTP/1.1\r\nHost: x\r\n\r\n")
        await w.drain()
        line = await asyncio.wait_for(r.readline(), 5)
        counts["426" if b" 426 " in line else "other"] += 1
        w.close()
    except Exception:
        counts["failed"] += 1


async def cmd_http(addr, n):
    host, port = addr.rsplit(":", 1)
    counts = {"426": 0, "other": 0, "failed": 0}
    await asyncio.gather(*(one_get(host, int(port), counts) for _ in range(n)))
    print(counts["426"], counts["other"] + counts["failed"])


def cmd_hold(addr, n, seconds):
    host, port = addr.rsplit(":", 1)
    socks = [socket.create_connection((host, int(port)), 5) for _ in range(n)]
    print("held", len(socks), flush=True)
    time.sleep(seconds)
    for s in socks:
        s.close()


def cmd_notify(path, seconds):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(0.2)
    end = time.time() + seconds
    while time.time() < end:
        try:
            print(s.recv(4096).decode().replace("\n", " "), flush=True)
        except socket.timeout:
            pass
    os.unlink(path)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "json":
        cmd_json(args[0])
    elif cmd == "metrics":
        cmd_metrics()
    elif cmd == "http":
        asyncio.run(cmd_http(args[0], int(args[1])))
    elif cmd == "hold":
        cmd_hold(args[0], int(args[1]), float(args[2]))
    elif cmd == "notify":
        cmd_notify(args[0], float(args[1]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
