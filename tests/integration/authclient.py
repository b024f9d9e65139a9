#!/usr/bin/python3
"""WebSocket clients for t_auth.sh (loopback only, every wait bounded).
Each command prints one short line for the shell to compare.

  authclient.py upgrade ADDR QUERY_TOKEN|- HEADER_VALUE|-
        a raw upgrade of /web: "STATUS BODY" (the body's first line)
  authclient.py call ADDR TOKEN PKG_ID
        ?token=TOKEN, one envelope: its status_code
  authclient.py first ADDR MODE [TOKEN]
        first-message auth; MODE ok (auth, then an echo: "auth_ok 0"),
        send (the message only: close code or reply type), garbage
        (a non-auth first message: close code), wait (nothing: close
        code and seconds)
  authclient.py hold ADDR TOKEN N [first]
        N connections of one user held open at once: each one's outcome
        (101, an HTTP status, or a close code with first-message auth),
        then held for $HOLD_LINGER seconds
  authclient.py isolation ADDR TOKEN
        one authenticated client, then bad tokens, broken and huge auth
        messages and non-auth first messages on other connections, then
        the first client's request: its status_code
  authclient.py userbcast ADDR ADMIN TOKEN_A TOKEN_B USER_A
        both connected, a broadcast to user:USER_A from the admin port:
        "A_DATA B_DATA" (none when nothing came within a second)
  authclient.py rate ADDR TOKEN N
        N envelopes on one connection, replies read as they come:
        "REPLIES ERRORS CLOSE_CODE"
  authclient.py expire ADDR TOKEN [first]
        a request, then wait ($EXPIRE_WAIT, 10 s) for the server to close:
        "STATUS CLOSE_CODE REASON" (REASON with _ for spaces)
  authclient.py kids ADDR TOKEN...
        one request per token, each on its own connection: the status
        codes, or the HTTP status of a refused upgrade, space separated
  authclient.py spread ADDR TOKEN N INTERVAL
        N envelopes on one connection, one every INTERVAL seconds,
        replies read as they come: "REPLIES ERRORS CLOSE_CODE"
"""
import asyncio
import json
import os
import socket
import sys
import time
import urllib.parse

import websockets


def upgrade(addr, query, header):
    host, port = addr.rsplit(":", 1)
    path = "/web"
    if query != "-":
        path += "?token=" + urllib.parse.quote(query, safe="")
    req = ("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: "
           "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
           % (path, addr))
    if header != "-":
        req += "Authorization: %s\r\n" % header
    s = socket.create_connection((host, int(port)), timeout=5)
    s.sendall((req + "\r\n").encode())
    data = b""
    try:
        while b"\r\n\r\n" not in data or (b" 101 " not in data[:16] and
                                           not data.endswith(b"\n")):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b" ")[1].decode() if b" " in head else "none"
    print(status, body.decode(errors="replace").split("\n")[0])


def url(addr, token=None):
    u = "ws://%s/web" % addr
    if token:
        u += "?token=" + urllib.parse.quote(token, safe="")
    return u


def close_code(ws, e=None):
    if e is not None and getattr(e, "rcvd", None) is not None:
        return e.rcvd.code
    return ws.close_code if ws is not None else None


async def call(addr, token, pkg_id):
    async with websockets.connect(url(addr, token), ping_interval=None) as ws:
        await ws.send(json.dumps({"pkg_id": int(pkg_id), "req_id": "r1",
                                  "data": {"x": 1}}))
        print(json.loads(await asyncio.wait_for(ws.recv(), 5))
              ["status_code"])


async def first(addr, mode, token=None):
    ws = await websockets.connect(url(addr), ping_interval=None)
    t0 = time.monotonic()
    try:
        if mode in ("ok", "send"):
            await ws.send(json.dumps({"type": "auth",
                                      "token": "Bearer " + token}))
        elif mode == "garbage":
            await ws.send(json.dumps({"pkg_id": 1, "req_id": "x"}))
        reply = await asyncio.wait_for(ws.recv(), 10)
        kind = json.loads(reply).get("type")
        if mode != "ok":
            print(kind)
            return
        await ws.send(json.dumps({"pkg_id": 1, "req_id": "e",
                                  "data": {"x": 1}}))
        r = json.loads(await asyncio.wait_for(ws.recv(), 5))
        print(kind, r["status_code"])
    except websockets.ConnectionClosed as e:
        code = close_code(ws, e)
        if mode == "wait":
            print(code, round(time.monotonic() - t0))
        else:
            print(code)
    finally:
        await ws.close()


async def hold(addr, token, n, inband):
    conns, out = [], []
    for _ in range(n):
        try:
            if not inband:
                ws = await websockets.connect(url(addr, token),
                                              ping_interval=None)
                out.append("101")
                conns.append(ws)
                continue
            ws = await websockets.connect(url(addr), ping_interval=None)
            conns.append(ws)
            await ws.send(json.dumps({"type": "auth",
                                      "token": "Bearer " + token}))
            try:
                out.append(json.loads(await asyncio.wait_for(
                    ws.recv(), 5))["type"])
            except websockets.ConnectionClosed as e:
                out.append(str(close_code(ws, e)))
        except websockets.InvalidStatusCode as e:
            out.append(str(e.status_code))
    print(" ".join(out), flush=True)
    await asyncio.sleep(float(os.environ.get("HOLD_LINGER", "0")))
    for ws in conns:
        await ws.close()


async def bad_one(addr, i, token):
    try:
        async with websockets.connect(url(addr), ping_interval=None,
                                      max_size=None) as ws:
            kind = i % 5
            if kind == 0:
                await ws.send(json.dumps({"type": "auth",
                                          "token": "Bearer " + token[:-3]}))
            elif kind == 1:
                await ws.send("{\"type\":\"auth\",\"token\":")
            elif kind == 2:
                await ws.send(json.dumps({"type": "auth",
                                          "token": "Bearer " + "A" * 20000}))
            elif kind == 3:
                await ws.send(b"\xff\x00 binary first message")
            else:
                await ws.send(json.dumps({"type": "auth", "token": 42}))
            await asyncio.wait_for(ws.recv(), 3)
    except (websockets.ConnectionClosed, asyncio.TimeoutError,
            websockets.InvalidStatusCode):
        pass


async def isolation(addr, token):
    async with websockets.connect(url(addr, token), ping_interval=None) as ws:
        await asyncio.gather(*(bad_one(addr, i, token) for i in range(25)))
        await ws.send(json.dumps({"pkg_id": 1, "req_id": "i",
                                  "data": {"still": "here"}}))
        r = json.loads(await asyncio.wait_for(ws.recv(), 5))
        print(r["status_code"], r["data"])


async def next_data(ws, wait):
    try:
        return json.loads(await asyncio.wait_for(ws.recv(), wait))["data"]
    except asyncio.TimeoutError:
        return "none"


async def userbcast(addr, admin, ta, tb, user):
    import urllib.request
    async with websockets.connect(url(addr, ta), ping_interval=None) as a, \
            websockets.connect(url(addr, tb), ping_interval=None) as b:
        body = json.dumps({"topic": "user:" + user, "data": {"to": user}})
        req = urllib.request.Request("http://%s/api/broadcast" % admin,
                                     data=body.encode(), method="POST")
        urllib.request.urlopen(req, timeout=5).read()
        got_a = await next_data(a, 3)
        got_b = await next_data(b, 1)
        print(json.dumps(got_a, sort_keys=True), got_b)


async def rate(addr, token, n):
    replies = errors = 0
    code = None
    async with websockets.connect(url(addr, token), ping_interval=None) as ws:
        for i in range(n):
            try:
                await ws.send(json.dumps({"pkg_id": 1, "req_id": str(i),
                                          "data": {}}))
            except websockets.ConnectionClosed:
                break
        try:
            while True:
                r = json.loads(await asyncio.wait_for(ws.recv(), 2))
                replies += 1
                if r["status_code"] != 0:
                    errors += 1
        except websockets.ConnectionClosed as e:
            code = close_code(ws, e)
        except asyncio.TimeoutError:
            pass
    print(replies, errors, code)


async def expire(addr, token, inband):
    ws = await websockets.connect(url(addr, None if inband else token),
                                  ping_interval=None)
    status = code = reason = None
    try:
        if inband:
            await ws.send(json.dumps({"type": "auth",
                                      "token": "Bearer " + token}))
            await asyncio.wait_for(ws.recv(), 5)
        await ws.send(json.dumps({"pkg_id": 1, "req_id": "r1",
                                  "data": {}}))
        status = json.loads(await asyncio.wait_for(ws.recv(), 5))[
            "status_code"]
        await asyncio.wait_for(ws.recv(),
                               float(os.environ.get("EXPIRE_WAIT", "10")))
    except websockets.ConnectionClosed as e:
        code = close_code(ws, e)
        rcvd = getattr(e, "rcvd", None)
        reason = rcvd.reason if rcvd is not None else None
    except asyncio.TimeoutError:
        pass
    finally:
        await ws.close()
    print(status, code, (reason or "none").replace(" ", "_"))


async def kid_one(addr, token):
    try:
        async with websockets.connect(url(addr, token),
                                      ping_interval=None) as ws:
            await ws.send(json.dumps({"pkg_id": 1, "req_id": "k",
                                      "data": {}}))
            return str(json.loads(await asyncio.wait_for(ws.recv(), 5))
                       ["status_code"])
    except websockets.InvalidStatusCode as e:
        return str(e.status_code)
    except (OSError, asyncio.TimeoutError, websockets.WebSocketException):
        return "error"


async def kids(addr, tokens):
    print(" ".join([await kid_one(addr, t) for t in tokens]))


async def spread(addr, token, n, interval):
    replies = errors = 0
    code = None
    async with websockets.connect(url(addr, token), ping_interval=None) as ws:
        try:
            for i in range(n):
                await ws.send(json.dumps({"pkg_id": 1, "req_id": str(i),
                                          "data": {}}))
                r = json.loads(await asyncio.wait_for(ws.recv(), 5))
                replies += 1
                if r["status_code"] != 0:
                    errors += 1
                await asyncio.sleep(interval)
        except websockets.ConnectionClosed as e:
            code = close_code(ws, e)
        except asyncio.TimeoutError:
            pass
    print(replies, errors, code)


def main():
    cmd, addr, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    if cmd == "upgrade":
        upgrade(addr, rest[0], rest[1])
    elif cmd == "call":
        asyncio.run(call(addr, rest[0], rest[1]))
    elif cmd == "first":
        asyncio.run(first(addr, rest[0], rest[1] if len(rest) > 1 else None))
    elif cmd == "hold":
        asyncio.run(hold(addr, rest[0], int(rest[1]),
                         len(rest) > 2 and rest[2] == "first"))
    elif cmd == "userbcast":
        asyncio.run(userbcast(addr, rest[0], rest[1], rest[2], rest[3]))
    elif cmd == "isolation":
        asyncio.run(isolation(addr, rest[0]))
    elif cmd == "rate":
        asyncio.run(rate(addr, rest[0], int(rest[1])))
    elif cmd == "expire":
        asyncio.run(expire(addr, rest[0], len(rest) > 1 and
                           rest[1] == "first"))
    elif cmd == "kids":
        asyncio.run(kids(addr, rest))
    elif cmd == "spread":
        asyncio.run(spread(addr, rest[0], int(rest[1]), float(rest[2])))


main()
