#!/usr/bin/python3
"""WebSocket clients for t_ws.sh (loopback only, every wait bounded).

Scenario commands print one line per check, as conformance.py does:
"ok DESC", "not ok DESC: WHAT WAS SEEN" or "todo DESC: SEEN | WHY", then
"cases N". The others print a short result for the shell to compare.

  wsclient.py envelope ADDR     /web: round trip and every error status
  wsclient.py builtins ADDR     /web: time, work, json, hash, alloc, delay
  wsclient.py many ADDR N       N connections open at once, one round trip
                                each; prints "GOOD BAD"
  wsclient.py request ADDR METHOD PATH [HEADER|-NAME]...
                                a raw upgrade request (Host, Upgrade,
                                Connection, Sec-WebSocket-Key and -Version
                                unless "-Name" drops one or "Name: v"
                                replaces it); prints the response head and
                                body
  wsclient.py stall ADDR        half a request, then wait: "CODE SECONDS"
  wsclient.py trickle ADDR      a request one byte every 0.3 s for at most
                                4 s: "CODE SECONDS" or "none SECONDS"
  wsclient.py echo ADDR         /echo: text, binary, 1 MiB, fragmented
  wsclient.py slow ADDR         a reader that never reads, next to a normal
                                client (run with ws_send_queue_bytes=64k)
  wsclient.py idle ADDR         idle timeout 2 s, ping interval 1 s
  wsclient.py maxmsg ADDR       ws_max_message_bytes=1024: close 1009
  wsclient.py isolation ADDR    garbage on other connections while one
                                client keeps talking
"""
import asyncio
import hashlib
import json
import os
import random
import socket
import struct
import sys
import threading
import time

import websockets

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conformance as C  # noqa: E402

results = []


def report(ok, desc, why="", todo=None):
    if ok:
        line = "ok " + desc
    elif todo:
        line = "todo %s: %s | %s" % (desc, why, todo)
    else:
        line = "not ok %s: %s" % (desc, why)
    results.append(line)
    print(line, flush=True)


def check(desc, cond, why=""):
    report(bool(cond), desc, why)
    return bool(cond)


def finish():
    print("cases %d" % len(results), flush=True)


def url(addr, path="/web"):
    return "ws://%s%s" % (addr, path)


async def call(ws, pkg_id, req_id, data=None, timeout=5):
    msg = {"pkg_id": pkg_id, "req_id": req_id}
    if data is not None:
        msg["data"] = data
    await ws.send(json.dumps(msg))
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def raw_call(ws, text, timeout=5):
    await ws.send(text)
    reply = await asyncio.wait_for(ws.recv(), timeout)
    return reply, json.loads(reply)


# --- envelope -------------------------------------------------------------

async def still_open(ws, tag):
    r = await call(ws, 1, tag, {"after": tag})
    return r == {"pkg_id": 1, "req_id": tag, "status_code": 0,
                 "data": {"after": tag}}


async def envelope(addr):
    async with websockets.connect(url(addr), ping_interval=None,
                                  max_size=None) as ws:
        data = '{"message":"héllo \\"q\\" \\u00e9\\n\\ud83d\\ude00 ☃","n":' \
               '[1,2.5e3,-0,true,null],"nested":{"a":{}}}'
        text = '{"pkg_id":1,"req_id":"r1","data":%s}' % data
        reply, r = await raw_call(ws, text)
        check("echo returns data verbatim, escapes and unicode included",
              reply == '{"pkg_id":1,"req_id":"r1","status_code":0,"data":%s}'
              % data, reply)
        reply, r = await raw_call(
            ws, '{"req_id":"a\\"b\\\\c\\u00e9 ü","pkg_id":1,"data":{}}')
        check("req_id is echoed exactly as sent (escapes kept)",
              '"req_id":"a\\"b\\\\c\\u00e9 ü"' in reply and
              r["req_id"] == 'a"b\\cé ü', reply)
        r = await call(ws, 1, "")
        check("an empty req_id and no data: status 0",
              r["req_id"] == "" and r["status_code"] == 0, r)

        cases = [
            ('{"pkg_id":1,"req_id":', "invalid JSON (truncated)", 2,
             "invalid JSON at byte 21: unexpected end of input"),
            ("not json", "invalid JSON (a bare word)", 2,
             "invalid JSON at byte 0"),
            ('{"pkg_id":1,"req_id":"x",}', "invalid JSON (trailing comma)",
             2, "invalid JSON at byte 25"),
            ("[1,2]", "a JSON array, not an object", 2,
             "the message must be a JSON object, got array"),
            ('{"req_id":"x"}', "missing pkg_id", 2, "missing pkg_id"),
            ('{"pkg_id":1}', "missing req_id", 2, "missing req_id"),
            ('{"pkg_id":"1","req_id":"x"}', "pkg_id a string", 2,
             "pkg_id must be an integer, got string"),
            ('{"pkg_id":1.5,"req_id":"x"}', "pkg_id with a fraction", 2,
             "pkg_id must be an integer"),
            ('{"pkg_id":99999999999,"req_id":"x"}', "pkg_id out of range",
             2, "pkg_id is out of range"),
            ('{"pkg_id":1,"req_id":7}', "req_id a number", 2,
             "req_id must be a string, got number"),
            ('{"pkg_id":1,"req_id":null}', "req_id null", 2,
             "req_id must be a string, got null"),
            ('{"pkg_id":1,"req_id":"x","data":[1]}', "data an array", 2,
             "data must be an object"),
            ('{"pkg_id":4242,"req_id":"u"}', "unknown pkg_id", 1,
             "No handler found for pkg_id 4242"),
            ('{"pkg_id":3,"req_id":"s","data":{"a":"x"}}',
             "schema violation (work, a is a string)", 2, "data.a"),
            ('{"pkg_id":3,"req_id":"s","data":{"zzz":1}}',
             "schema violation (work, an unknown property)", 2, "zzz"),
        ]
        for i, (text, what, status, msg) in enumerate(cases):
            reply, r = await raw_call(ws, text)
            m = r.get("data", {}).get("message", "")
            check("%s: status %d, message says %r" % (what, status, msg),
                  r["status_code"] == status and msg in m and
                  set(r) == {"pkg_id", "req_id", "status_code", "data"},
                  reply)
            check("%s: the connection stays open" % what,
                  await still_open(ws, "e%d" % i))
        reply, r = await raw_call(ws, '{"pkg_id":4242,"req_id":"u"}')
        check("unknown pkg_id: message exact, pkg_id and req_id echoed",
              r == {"pkg_id": 4242, "req_id": "u", "status_code": 1,
                    "data": {"message": "No handler found for pkg_id 4242"}},
              reply)
        reply, r = await raw_call(ws, '{"pkg_id":3,"req_id":"s",'
                                      '"data":{"a":"x"}}')
        check("schema violation: the message names the path data.a",
              r["data"]["message"].startswith("data.a"), reply)
        await ws.send(b'{"pkg_id":1,"req_id":"bin","data":{}}')
        r = json.loads(await asyncio.wait_for(ws.recv(), 5))
        check("a binary message on /web: status 2 with a message",
              r["status_code"] == 2 and "text" in r["data"]["message"], r)
        check("binary message: the connection stays open",
              await still_open(ws, "bin"))
        for rid, pkg in (("a" * 256, 1), ("\\u00e9" * 42 + "abcd", 1),
                         ('\\"' * 128, 7)):
            reply, r = await raw_call(ws, '{"pkg_id":%d,"req_id":"%s",'
                                      '"data":{"ms":1}}' % (pkg, rid))
            check("a req_id of 256 bytes as sent (%s) comes back exactly%s"
                  % (rid[:6], " through a deferred reply" if pkg == 7
                     else ""),
                  r["status_code"] == 0 and '"req_id":"%s"' % rid in reply,
                  reply[:80])
        reply, r = await raw_call(ws, '{"pkg_id":1,"req_id":"%s"}' %
                                  ("a" * 257))
        check("a req_id of 257 bytes: status 2, message says so",
              r["status_code"] == 2 and r["data"]["message"] ==
              "req_id is longer than 256 bytes", reply)
        big = {"p": "x" * 1000000}
        await ws.send(json.dumps({"pkg_id": 1, "req_id": "big",
                                  "data": big}))
        r = json.loads(await asyncio.wait_for(ws.recv(), 10))
        check("echo of 1 MB of data on /web comes back whole",
              r["status_code"] == 0 and r["data"] == big,
              "status %s" % r["status_code"])
        # Many requests in flight: replies in order, each req_id its own.
        for i in range(50):
            await ws.send(json.dumps({"pkg_id": 1, "req_id": "p%d" % i,
                                      "data": {"i": i}}))
        got = [json.loads(await asyncio.wait_for(ws.recv(), 5))
               for _ in range(50)]
        check("50 pipelined requests: 50 replies, req_ids and data match",
              [(g["req_id"], g["data"]["i"]) for g in got] ==
              [("p%d" % i, i) for i in range(50)])
    finish()


# --- built-in handlers ----------------------------------------------------

def lcg(n, x):
    for _ in range(n):
        x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
    return x


async def builtins(addr):
    async with websockets.connect(url(addr), ping_interval=None) as ws:
        before = time.time()
        r = await call(ws, 2, "t")
        d = r["data"]
        check("time: status 0, time close to ours, iso in UTC",
              r["status_code"] == 0 and abs(d["time"] - before) < 5 and
              d["iso"] == time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                        time.gmtime(int(d["time"]))), r)
        r = await call(ws, 2, "t2", None)
        check("time: data may be absent", r["status_code"] == 0, r)

        r = await call(ws, 3, "w", {"a": 3000, "b": 1000})
        check("work: a and b echoed, result is the LCG after a+b steps",
              r["status_code"] == 0 and r["data"] == {
                  "a": 3000, "b": 1000, "syscalls": 0,
                  "result": lcg(4000, 1) >> 1}, r)
        r = await call(ws, 3, "w", {"iterations": 10})
        check("work: iterations is a",
              r["data"] == {"a": 10, "b": 0, "syscalls": 0,
                            "result": lcg(10, 1) >> 1}, r)
        r = await call(ws, 3, "w", {"a": -1})
        check("work: a below its minimum is status 2 naming data.a",
              r["status_code"] == 2 and "data.a" in r["data"]["message"], r)

        r = await call(ws, 4, "j", {"items": 7})
        want = len(json.dumps([{"id": i, "name": "item", "score": i * 0.5,
                                "ok": bool(i & 1)} for i in range(7)],
                              separators=(",", ":")))
        check("json: items echoed, bytes is the serialized size (%d)" % want,
              r["status_code"] == 0 and r["data"] == {"items": 7,
                                                      "bytes": want}, r)
        r = await call(ws, 4, "j", {"items": "many"})
        check("json: a string for items is status 2",
              r["status_code"] == 2 and "data.items" in r["data"]["message"],
              r)

        for n, rounds in ((1, 1), (4096, 1), (100000, 3)):
            r = await call(ws, 5, "h", {"bytes": n, "rounds": rounds})
            check("hash: sha256 of %d bytes of 'h' matches hashlib" % n,
                  r["status_code"] == 0 and r["data"] == {
                      "sha256": hashlib.sha256(b"h" * n).hexdigest(),
                      "rounds": rounds}, r)
        r = await call(ws, 5, "h", {"bytes": 0})
        check("hash: 0 bytes is below the minimum: status 2",
              r["status_code"] == 2, r)

        r = await call(ws, 6, "a", {"bytes": 1000, "count": 3})
        check("alloc: allocated = bytes * count, nothing kept",
              r["data"] == {"allocated": 3000, "kept_bytes": 0,
                            "kept_cost": 0}, r)
        r = await call(ws, 6, "a", {"bytes": 500, "count": 2, "keep": True})
        d = r["data"]
        check("alloc: keep counts the kept bytes, and what they cost the "
              "allocator (each block's 16-byte link and chunk header too)",
              d["allocated"] == 1000 and d["kept_bytes"] == 1000 and
              1000 + 2 * (16 + 8) <= d["kept_cost"] <= 1000 + 2 * 64, r)
        r = await call(ws, 6, "a", {"bytes": 1, "release": True})
        check("alloc: release frees what was kept",
              r["data"] == {"allocated": 1, "kept_bytes": 0,
                            "kept_cost": 0}, r)
        r = await call(ws, 6, "a", {"bytes": 1, "keep": "yes"})
        check("alloc: keep must be a boolean: status 2",
              r["status_code"] == 2, r)

        t0 = time.monotonic()
        await ws.send(json.dumps({"pkg_id": 7, "req_id": "slow",
                                  "data": {"ms": 500}}))
        await ws.send(json.dumps({"pkg_id": 1, "req_id": "fast",
                                  "data": {"x": 1}}))
        first = json.loads(await asyncio.wait_for(ws.recv(), 5))
        t_first = time.monotonic() - t0
        second = json.loads(await asyncio.wait_for(ws.recv(), 5))
        t_second = time.monotonic() - t0
        check("delay: the echo sent after a 500 ms delay comes first "
              "(%.3f s)" % t_first,
              first["req_id"] == "fast" and t_first < 0.4, first)
        # libevent times with CLOCK_MONOTONIC_COARSE (a tick of up to
        # 4 ms), so the timer may fire a few ms before 500 by our clock.
        check("delay: its reply comes after 500 ms (%.3f s)" % t_second,
              second == {"pkg_id": 7, "req_id": "slow", "status_code": 0,
                         "data": {"delayed_ms": 500}} and
              0.49 <= t_second < 2, second)
        t0 = time.monotonic()
        for i, ms in enumerate((300, 100, 200)):
            await ws.send(json.dumps({"pkg_id": 7, "req_id": "d%d" % i,
                                      "data": {"ms": ms}}))
        order = [json.loads(await asyncio.wait_for(ws.recv(), 5))["req_id"]
                 for _ in range(3)]
        check("delay: three delays answer in the order they expire",
              order == ["d1", "d2", "d0"] and time.monotonic() - t0 < 1,
              order)
        r = await call(ws, 7, "big", {"ms": 60001})
        check("delay: ms above 60000 is status 2", r["status_code"] == 2, r)

    # A delayed reply whose connection has gone is dropped; the worker
    # lives on.
    ws = await websockets.connect(url(addr), ping_interval=None)
    await ws.send(json.dumps({"pkg_id": 7, "req_id": "orphan",
                              "data": {"ms": 300}}))
    await ws.close()
    await asyncio.sleep(0.5)
    async with websockets.connect(url(addr), ping_interval=None) as ws:
        r = await call(ws, 1, "later", {})
        check("a delay whose client left is dropped; the server still "
              "answers", r["status_code"] == 0, r)
    finish()


# --- many connections -----------------------------------------------------

async def many(addr, n):
    ready = asyncio.Event()
    opened = [0]
    good = [0]

    async def one(i):
        try:
            ws = await asyncio.wait_for(
                websockets.connect(url(addr), ping_interval=None), 10)
        except Exception:
            opened[0] += 1
            if opened[0] == n:
                ready.set()
            return
        try:
            opened[0] += 1
            if opened[0] == n:
                ready.set()
            await asyncio.wait_for(ready.wait(), 15)
            r = await call(ws, 1, "c%d" % i, {"i": i}, 10)
            if r == {"pkg_id": 1, "req_id": "c%d" % i, "status_code": 0,
                     "data": {"i": i}}:
                good[0] += 1
        except Exception:
            pass
        finally:
            await ws.close()

    await asyncio.gather(*(one(i) for i in range(n)))
    print(good[0], n - good[0])


# --- raw HTTP requests ----------------------------------------------------

def request(addr, method, path, extra):
    host, port = addr.rsplit(":", 1)
    headers = [("Host", addr), ("Upgrade", "websocket"),
               ("Connection", "Upgrade"),
               ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
               ("Sec-WebSocket-Version", "13")]
    for e in extra:
        if e.startswith("-"):
            headers = [h for h in headers if h[0].lower() != e[1:].lower()]
            continue
        name, value = e.split(":", 1)
        headers = [h for h in headers if h[0].lower() != name.lower()]
        headers.append((name, value.strip()))
    req = "%s %s HTTP/1.1\r\n" % (method, path)
    req += "".join("%s: %s\r\n" % h for h in headers) + "\r\n"
    s = socket.create_connection((host, int(port)), 5)
    s.settimeout(5)
    s.sendall(req.encode())
    data = b""
    try:
        while b"\r\n\r\n" not in data or not data.startswith(b"HTTP/1.1 101"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    sys.stdout.write(data.decode("latin-1").replace("\r\n", "\n"))


def stall(addr):
    host, port = addr.rsplit(":", 1)
    s = socket.create_connection((host, int(port)), 5)
    s.sendall(b"GET /web HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n")
    t0 = time.monotonic()
    s.settimeout(5)
    try:
        data = s.recv(4096)
    except socket.timeout:
        data = b""
    code = data.split(b" ")[1].decode() if data.startswith(b"HTTP/") \
        else "none"
    print(code, "%.1f" % (time.monotonic() - t0))


def trickle(addr):
    host, port = addr.rsplit(":", 1)
    s = socket.create_connection((host, int(port)), 5)
    s.settimeout(0.3)
    req = (b"GET /web HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
           b"X-Slow: " + b"s" * 200)
    t0 = time.monotonic()
    code = "none"
    for b in req:
        if time.monotonic() - t0 > 4:
            break
        try:
            s.send(bytes([b]))
            data = s.recv(4096)
        except socket.timeout:
            continue
        except OSError:
            code = "closed"
            break
        code = data.split(b" ")[1].decode() if data.startswith(b"HTTP/") \
            else "closed"
        break
    print(code, "%.1f" % (time.monotonic() - t0))
    s.close()


# --- /echo ----------------------------------------------------------------

async def echo(addr):
    async with websockets.connect(url(addr, "/echo"), ping_interval=None,
                                  max_size=None) as ws:
        for msg, what in [("hello", "text"), ("", "empty text"),
                          ("κόσμε \U0001F600 \\u0000 \x00", "unicode text"),
                          (b"\x00\x01\xfe\xff" * 10, "binary"),
                          (b"", "empty binary")]:
            await ws.send(msg)
            got = await asyncio.wait_for(ws.recv(), 5)
            check("/echo: %s comes back verbatim" % what,
                  got == msg and type(got) == type(msg), repr(got)[:60])
        big = os.urandom(1 << 20)
        await ws.send(big)
        got = await asyncio.wait_for(ws.recv(), 10)
        check("/echo: a 1 MiB binary message comes back verbatim",
              got == big, "%d bytes" % len(got))
        bigtext = "λ" * (1 << 19)		# 1 MiB of 2-byte characters
        await ws.send(bigtext)
        got = await asyncio.wait_for(ws.recv(), 10)
        check("/echo: a 1 MiB text message comes back verbatim",
              got == bigtext, "%d chars" % len(got))
        parts = ["frag", "mented ", "κό", "σμε", ""]
        await ws.send(iter(parts))
        got = await asyncio.wait_for(ws.recv(), 5)
        check("/echo: a fragmented text message comes back whole",
              got == "".join(parts), got)
        bparts = [os.urandom(100000) for _ in range(10)]
        await ws.send(iter(bparts))
        got = await asyncio.wait_for(ws.recv(), 10)
        check("/echo: a fragmented 1 MB binary message comes back whole",
              got == b"".join(bparts), "%d bytes" % len(got))
        await ws.send(os.urandom((1 << 20) + 1))
        try:
            await asyncio.wait_for(ws.recv(), 5)
            check("/echo: 1 MiB + 1 byte (the default limit) gets 1009",
                  False, "it was echoed")
        except websockets.ConnectionClosed as e:
            check("/echo: 1 MiB + 1 byte (the default limit) gets 1009",
                  e.rcvd is not None and e.rcvd.code == 1009, e)
    async with websockets.connect(url(addr, "/echo"),
                                  ping_interval=None) as ws:
        msgs = ["m%d" % i for i in range(200)]
        for m in msgs:
            await ws.send(m)
        got = [await asyncio.wait_for(ws.recv(), 5) for _ in msgs]
        check("/echo: 200 pipelined messages come back in order",
              got == msgs)
        r = await ws.ping(b"app ping")
        await asyncio.wait_for(r, 5)
        check("/echo: a client ping is answered", True)
    finish()


# --- slow reader ----------------------------------------------------------

def slow(addr):
    lat = []
    errors = []
    stop = threading.Event()

    def normal():
        c = C.Raw(addr, "/web")
        i = 0
        while not stop.is_set():
            t0 = time.monotonic()
            c.send_frame(C.TEXT, json.dumps({"pkg_id": 1, "req_id": "n%d" % i,
                                             "data": {"i": i}}))
            try:
                op, reply = c.recv_message(5)
                r = json.loads(reply)
                if r["req_id"] != "n%d" % i or r["status_code"] != 0:
                    errors.append(reply)
            except Exception as e:
                errors.append(repr(e))
                break
            lat.append(time.monotonic() - t0)
            i += 1
            time.sleep(0.01)
        c.close()

    t = threading.Thread(target=normal)
    t.start()
    time.sleep(0.2)
    c = C.Raw(addr, "/web", rcvbuf=4096)
    req = C.frame(C.TEXT, json.dumps({"pkg_id": 1, "req_id": "slow",
                                      "data": {"pad": "p" * 100000}}))
    sent = 0
    t0 = time.monotonic()
    closed = False
    c.s.settimeout(5)
    try:
        for _ in range(1000):		# 100 MB at most; never read
            c.send(req)
            sent += 1
    except OSError:
        closed = True
    took = time.monotonic() - t0
    if not closed:
        closed = c.eof_within(5) is not None
    check("a client that never reads is disconnected (after %d requests "
          "of 100 kB, %.1f s)" % (sent, took), closed and sent < 1000)
    check("its connection is closed for good (reads reach the end)",
          c.eof_within(5) is not None)
    c.close()
    time.sleep(0.3)
    stop.set()
    t.join(10)
    check("meanwhile a normal client on the same worker got every reply "
          "(%d round trips)" % len(lat), not errors and len(lat) > 10,
          errors[:2])
    check("... promptly: slowest round trip %.3f s < 1 s" % max(lat or [9]),
          lat and max(lat) < 1)
    finish()


# --- idle timeout ---------------------------------------------------------

async def idle_websockets(addr):
    """A library client answers pings on its own: pongs are traffic."""
    async with websockets.connect(url(addr), ping_interval=None) as ws:
        await asyncio.sleep(3.5)
        r = await call(ws, 1, "alive", {})
        return r["status_code"] == 0


def idle(addr):
    c = C.Raw(addr, "/web")
    t0 = time.monotonic()
    try:
        fin, op, payload = c.recv_frame(3)
        t_ping = time.monotonic() - t0
        check("a silent client gets a ping after ~1 s (%.1f s)" % t_ping,
              op == C.PING and 0.9 <= t_ping <= 1.8, C.describe(op, payload))
        fin, op, payload = c.recv_frame(4)
        t_close = time.monotonic() - t0
        code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 \
            else None
        check("... then close 1001 after ~2 s of silence (%.1f s)" % t_close,
              op == C.CLOSE and code == 1001 and 1.9 <= t_close <= 3.5,
              C.describe(op, payload))
    except (socket.timeout, C.Closed, C.Failed) as e:
        check("a silent client gets a ping, then close 1001", False, repr(e))
        finish()
        return
    # Answer the close: both sides have sent one, so the server closes TCP
    # now (RFC 6455 5.5.1), not when its closing timer runs out.
    c.send_frame(C.CLOSE, C.close_payload(1001))
    t = c.eof_within(3)
    report(t is not None and t < 0.5,
           "after our close reply the server closes TCP at once (%s)" %
           ("%.2f s" % t if t is not None else "not within 3 s"),
           "it waited for its 2 s closing timeout")
    c.close()

    # A peer that ignores the server's close but keeps sending frames must
    # still be disconnected once the closing time (2 s) is over.
    c = C.Raw(addr, "/web")
    try:
        while True:
            fin, op, payload = c.recv_frame(4)
            if op == C.CLOSE:
                break
        t0 = time.monotonic()
        closed = None
        while time.monotonic() - t0 < 5:
            try:
                c.send_frame(C.PING, b"still here")
            except OSError:
                closed = time.monotonic() - t0
                break
            if c.eof_within(0.3) is not None:
                closed = time.monotonic() - t0
                break
        report(closed is not None and closed < 3.5,
               "a peer that never answers the close but keeps sending is "
               "dropped within ~2 s (%s)" %
               ("%.1f s" % closed if closed is not None else "open after 5 s"),
               "every frame it sends restarts the closing timer")
    except (socket.timeout, C.Closed, C.Failed) as e:
        check("a peer that keeps sending after the close is dropped", False,
              repr(e))
    c.close()

    ok = asyncio.run(idle_websockets(addr))
    check("a client that answers pings survives 3.5 s of no requests", ok)
    finish()


# --- max message ----------------------------------------------------------

def inputbound(addr):
    """ws_worker_input_bytes 64k, ws_max_message_bytes 48k: one client's
    partial 40 KB message fits; a second one's pushes the worker past its
    bound and gets 1013; the first finishes its message and is answered,
    and a newcomer's small message is answered too."""
    head = b'{"pkg_id":1,"req_id":"in","data":{"p":"'
    a = C.Raw(addr, "/web")
    a.send(C.frame(C.TEXT, head, fin=False) +
           b"".join(C.frame(C.CONT, b"a" * 10000, fin=False) for _ in range(4)))
    time.sleep(0.3)
    b = C.Raw(addr, "/web")
    b.send(C.frame(C.TEXT, head, fin=False) +
           b"".join(C.frame(C.CONT, b"b" * 10000, fin=False) for _ in range(4)))
    try:
        C.expect_close(b, 1013)
        check("a second partial 40 KB message past the worker's 64 KiB "
              "gets close 1013", True)
    except C.Failed as e:
        check("a second partial 40 KB message past the worker's 64 KiB "
              "gets close 1013", False, e)
    a.send(C.frame(C.CONT, b'"}}', fin=True))
    try:
        op, payload = a.recv_message()
        r = json.loads(payload)
        check("the first client's message, finished, is answered",
              r.get("status_code") == 0 and r.get("req_id") == "in", r)
    except (C.Failed, C.Closed, ValueError) as e:
        check("the first client's message, finished, is answered", False, e)
    c = C.Raw(addr, "/web")
    c.send(C.frame(C.TEXT, b'{"pkg_id":1,"req_id":"new","data":{}}'))
    try:
        op, payload = c.recv_message()
        check("a newcomer is served once the bound has room",
              json.loads(payload).get("req_id") == "new", payload)
    except (C.Failed, C.Closed, ValueError) as e:
        check("a newcomer is served once the bound has room", False, e)
    for x in (a, c):
        x.close()
    finish()



async def maxmsg(addr):
    async with websockets.connect(url(addr), ping_interval=None) as ws:
        r = await call(ws, 1, "fits", {"p": "x" * 900})
        check("a message under ws_max_message_bytes (1024) is answered",
              r["status_code"] == 0, r)
        await ws.send(json.dumps({"pkg_id": 1, "req_id": "big",
                                  "data": {"p": "x" * 2048}}))
        try:
            await asyncio.wait_for(ws.recv(), 5)
            check("a 2 KiB message gets close 1009", False, "a reply came")
        except websockets.ConnectionClosed as e:
            check("a 2 KiB message gets close 1009",
                  e.rcvd is not None and e.rcvd.code == 1009, e)
    c = C.Raw(addr, "/web")
    head = b'{"pkg_id":1,"req_id":"f","data":{"p":"'
    c.send(C.frame(C.TEXT, head, fin=False) +
           C.frame(C.CONT, b"y" * 600, fin=False) +
           C.frame(C.CONT, b"y" * 600, fin=False))
    try:
        C.expect_close(c, 1009)
        check("fragments adding up past 1024 bytes get close 1009", True)
    except C.Failed as e:
        check("fragments adding up past 1024 bytes get close 1009", False, e)
    c = C.Raw(addr, "/web")
    c.send(struct.pack("!BBQ", 0x81, 0x80 | 127, 1 << 40) + os.urandom(4))
    try:
        C.expect_close(c, 1009)
        check("a header announcing 1 TiB gets 1009 before any payload", True)
    except C.Failed as e:
        check("a header announcing 1 TiB gets 1009 before any payload",
              False, e)
    finish()


# --- isolation ------------------------------------------------------------

def garbage(addr, kind, rnd):
    """One bad connection; returns True once the server has closed it."""
    host, port = addr.rsplit(":", 1)
    try:
        if kind == "no handshake":
            s = socket.create_connection((host, int(port)), 5)
            s.sendall(bytes(rnd.getrandbits(8) for _ in range(2000)))
            c = None
        else:
            c = C.Raw(addr, "/web")
            s = c.s
        if kind == "random bytes":
            s.sendall(bytes(rnd.getrandbits(8) for _ in range(4000)))
        elif kind == "invalid UTF-8":
            c.send_frame(C.TEXT, b'{"pkg_id":1,"req_id":"\xed\xa0\x80"}')
        elif kind == "unmasked":
            c.send_frame(C.TEXT, b'{"pkg_id":1,"req_id":"u"}', mask=False)
        elif kind == "reserved opcode":
            c.send_frame(rnd.choice([3, 4, 5, 6, 7, 11, 12, 13, 14, 15]),
                         b"x")
        elif kind == "bad JSON":
            for _ in range(20):
                c.send_frame(C.TEXT, bytes(rnd.randrange(32, 127)
                                           for _ in range(50)))
            c.send_frame(C.CLOSE, C.close_payload(1000))
        elif kind == "half frame, then gone":
            c.send(C.frame(C.TEXT, b"x" * 5000)[:100])
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
            s.close()
            return True
        elif kind == "huge length":
            c.send(struct.pack("!BBQ", 0x82, 0xFF, (1 << 62)) + b"abcd")
        s.settimeout(3)
        end = time.monotonic() + 3
        while time.monotonic() < end:
            if not s.recv(65536):
                break
        s.close()
        return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except Exception:
        return False


async def isolation_client(addr, seconds, errors):
    n = 0
    async with websockets.connect(url(addr), ping_interval=None) as ws:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            t0 = time.monotonic()
            r = await call(ws, 1, "l%d" % n, {"n": n, "s": "κόσμε"})
            if r != {"pkg_id": 1, "req_id": "l%d" % n, "status_code": 0,
                     "data": {"n": n, "s": "κόσμε"}}:
                errors.append(r)
            if time.monotonic() - t0 > 1:
                errors.append("slow reply %.2f s" % (time.monotonic() - t0))
            n += 1
            await asyncio.sleep(0.01)
    return n


def isolation(addr):
    rnd = random.Random(6455)
    kinds = ["no handshake", "random bytes", "invalid UTF-8", "unmasked",
             "reserved opcode", "bad JSON", "half frame, then gone",
             "huge length"]
    done = {k: 0 for k in kinds}
    bad = []

    def attack():
        for round_ in range(5):
            for k in kinds:
                if garbage(addr, k, rnd):
                    done[k] += 1
                else:
                    bad.append(k)

    errors = []
    t = threading.Thread(target=attack)
    t.start()
    try:
        n = asyncio.run(isolation_client(addr, 3, errors))
    except Exception as e:
        n = 0
        errors.append(repr(e))
    t.join(60)
    check("40 garbage connections (%s) were each closed by the server"
          % ", ".join(kinds), not bad and sum(done.values()) == 40,
          "not closed: %s" % bad)
    check("meanwhile the long-lived client made %d round trips, none "
          "failed or slow" % n, n > 20 and not errors, errors[:3])
    finish()


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "envelope":
        asyncio.run(envelope(args[0]))
    elif cmd == "builtins":
        asyncio.run(builtins(args[0]))
    elif cmd == "many":
        asyncio.run(many(args[0], int(args[1])))
    elif cmd == "request":
        request(args[0], args[1], args[2], args[3:])
    elif cmd == "stall":
        stall(args[0])
    elif cmd == "trickle":
        trickle(args[0])
    elif cmd == "echo":
        asyncio.run(echo(args[0]))
    elif cmd == "slow":
        slow(args[0])
    elif cmd == "idle":
        idle(args[0])
    elif cmd == "maxmsg":
        asyncio.run(maxmsg(args[0]))
    elif cmd == "inputbound":
        inputbound(args[0])
    elif cmd == "isolation":
        isolation(args[0])
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
