#!/usr/bin/python3
"""Broadcast clients for t_broadcast.sh (loopback only, every wait bounded).

Scenario commands print "ok DESC" / "not ok DESC: SEEN" lines and then
"cases N", as wsclient.py does.

  bcclient.py fanout WS ADMIN N      N connections over the workers: topics,
                                     limits, exactly-once in-order delivery
                                     from the admin port and from handlers
  bcclient.py collect WS N TOPIC SECONDS
                                     N subscribers of TOPIC; "ready" once
                                     subscribed, then collect until a
                                     message {"stop": true} (or SECONDS);
                                     prints {"got": [[n, ...] per conn]}
  bcclient.py publish ADMIN TOPIC FROM TO [BYTES]
                                     POST {"n": FROM..TO} to /api/broadcast
  bcclient.py slow WS ADMIN POLICY   a raw socket that never reads, next to
                                     10 normal subscribers of "all"
"""
import asyncio
import json
import socket
import sys
import time
import urllib.error
import urllib.request

import websockets

results = []


def check(desc, cond, why=""):
    line = "ok " + desc if cond else "not ok %s: %s" % (desc, why)
    results.append(line)
    print(line, flush=True)
    return bool(cond)


def finish():
    print("cases %d" % len(results), flush=True)


def post(admin, body, token=None):
    req = urllib.request.Request("http://%s/api/broadcast" % admin,
                                 data=json.dumps(body).encode(),
                                 method="POST")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())


def get_json(admin, path):
    with urllib.request.urlopen("http://%s%s" % (admin, path),
                                timeout=5) as r:
        return json.loads(r.read())


# Broadcasts that arrived while a call waited for its reply, by connection.
stash = {}


async def call(ws, pkg_id, data, req_id="r"):
    await ws.send(json.dumps({"pkg_id": pkg_id, "req_id": req_id,
                              "data": data}))
    while True:
        r = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if r.get("req_id") == req_id and "status_code" in r:
            return r
        stash.setdefault(id(ws), []).append(r)


async def connect(addr, n):
    conns = []
    for _ in range(n):
        conns.append(await websockets.connect(
            "ws://%s/web" % addr, ping_interval=None, max_size=None,
            max_queue=None))
    return conns


async def drain(ws, inbox, until, quiet=0.3):
    """Collect broadcasts into inbox until until() or quiet seconds pass."""
    while not until():
        try:
            msg = json.loads(await asyncio.wait_for(ws.recv(), quiet))
        except (asyncio.TimeoutError, websockets.ConnectionClosed):
            return
        if "status_code" not in msg:
            inbox.append(msg)


# --- fanout -----------------------------------------------------------------

async def limits(ws):
    r = await call(ws, 8, {"topic": "x" * 129})
    check("a 129-byte topic is refused with status 2",
          r["status_code"] == 2 and "too long" in r["data"]["message"], r)
    r = await call(ws, 8, {"topic": "a\u0001b"})
    check("a topic with a control character is refused with status 2",
          r["status_code"] == 2, r)
    r = await call(ws, 8, {"topic": ""})
    check("an empty topic is refused with status 2", r["status_code"] == 2, r)
    r = await call(ws, 8, {"nope": 1})
    check("a missing topic is status 2 naming data.topic",
          r["status_code"] == 2 and "topic" in r["data"]["message"], r)
    r = await call(ws, 8, {"topic": "user:42"})
    check("user: topics cannot be subscribed to (status 3)",
          r["status_code"] == 3, r)
    r = await call(ws, 9, {"topic": "all"})
    check("the all topic cannot be left (status 2)", r["status_code"] == 2, r)
    r = await call(ws, 8, {"topic": "all"})
    check("subscribing to all is a no-op", r["status_code"] == 0 and
          r["data"]["changed"] is False, r)
    for i in range(32):
        r = await call(ws, 8, {"topic": "t%d" % i})
    check("32 topics are allowed", r["status_code"] == 0 and
          r["data"]["topics"] == 32, r)
    r = await call(ws, 8, {"topic": "t32"})
    check("the 33rd is refused with status 2 and says the limit",
          r["status_code"] == 2 and "at most 32" in r["data"]["message"], r)
    r = await call(ws, 8, {"topic": "t0"})
    check("subscribing twice is not an error", r["status_code"] == 0 and
          r["data"]["changed"] is False, r)
    r = await call(ws, 9, {"topic": "t0"})
    check("unsubscribe answers changed: true", r["status_code"] == 0 and
          r["data"]["changed"] is True and r["data"]["topics"] == 31, r)
    r = await call(ws, 9, {"topic": "never"})
    check("unsubscribing an unknown topic answers changed: false",
          r["status_code"] == 0 and r["data"]["changed"] is False, r)
    for i in range(1, 32):
        await call(ws, 9, {"topic": "t%d" % i})


def in_order(seq):
    return all(a < b for a, b in zip(seq, seq[1:]))


async def fanout(addr, admin, n, msgs=20):
    conns = await connect(addr, n)
    workers = get_json(admin, "/api/workers")["workers"]
    per = [w["ws_active"] for w in workers if w["state"] == "running"]
    check("every worker holds some of the %d connections (%s)" % (n, per),
          len(per) == 4 and all(p > 0 for p in per) and sum(per) == n, per)
    await limits(conns[0])
    news = set(range(0, n, 2))          # even: subscribed to news
    left = set(range(1, n, 4))          # some odd ones: joined, then left
    for i in news:
        r = await call(conns[i], 8, {"topic": "news"}, "s%d" % i)
        assert r["status_code"] == 0, r
    for i in left:
        await call(conns[i], 8, {"topic": "news"}, "s%d" % i)
        r = await call(conns[i], 9, {"topic": "news"}, "u%d" % i)
        assert r["data"]["changed"] is True, r
    ids, handed = set(), []
    for k in range(msgs):
        for t in ("news", "all"):
            handed.append(post(admin, {"topic": t, "data": {
                "n": k, "src": "a", "t": t}}))
    ids = {h["message_id"] for h in handed}
    check("the admin endpoint hands each message to all 4 workers",
          all(h["workers"] == 4 for h in handed), handed[0])
    check("message ids are unique", len(ids) == len(handed), len(ids))
    # Handlers broadcast too (the example module's shout), from two
    # connections that are probably on different workers.
    for k in range(msgs):
        for src in (1, 3):
            r = await call(conns[src], 103, {"topic": "news", "data": {
                "n": k, "src": "h%d" % src, "t": "news"}},
                "h%d-%d" % (src, k))
            assert r["status_code"] == 0, r
    inboxes = [stash.pop(id(ws), []) for ws in conns]
    want = {i: (4 * msgs if i in news else msgs) for i in range(n)}
    await asyncio.gather(*(drain(conns[i], inboxes[i],
                                 lambda i=i: len(inboxes[i]) >= want[i])
                           for i in range(n)))
    await asyncio.gather(*(drain(conns[i], inboxes[i], lambda: False,
                                 quiet=0.3) for i in range(0, n, 37)))
    bad_count = [i for i in range(n) if len(inboxes[i]) != want[i]]
    check("every connection got exactly its messages (news subscribers "
          "%d, the others %d)" % (4 * msgs, msgs), not bad_count,
          [(i, len(inboxes[i]), want[i]) for i in bad_count[:5]])
    dup = [i for i in range(n)
           if len({m["req_id"] for m in inboxes[i]}) != len(inboxes[i])]
    check("nobody got a message twice", not dup, dup[:5])
    order_bad = []
    for i in range(n):
        for src, t in (("a", "news"), ("a", "all"), ("h1", "news"),
                       ("h3", "news")):
            seq = [m["data"]["n"] for m in inboxes[i]
                   if m["data"]["src"] == src and m["data"]["t"] == t]
            if not in_order(seq):
                order_bad.append((i, src, t, seq[:10]))
    check("in publish order per publisher", not order_bad, order_bad[:3])
    leak = [i for i in range(n) if i not in news and
            any(m["data"]["t"] == "news" for m in inboxes[i])]
    check("connections not subscribed to news (never, or after leaving) got "
          "none of it", not leak, leak[:5])
    env = inboxes[0][0]
    check("the envelope is {pkg_id, req_id, data} with pkg_id 0 and a "
          "b-<instance>-<n> id", sorted(env) == ["data", "pkg_id", "req_id"]
          and env["pkg_id"] == 0 and env["req_id"].startswith("b-"), env)
    for ws in conns:
        await ws.close()
    finish()


# --- collect / publish --------------------------------------------------------

async def collect(addr, n, topic, seconds):
    conns = await connect(addr, n)
    for i, ws in enumerate(conns):
        r = await call(ws, 8, {"topic": topic}, "s%d" % i)
        assert r["status_code"] == 0, r
    print("ready", flush=True)
    got = [[] for _ in range(n)]
    deadline = time.monotonic() + seconds
    stopped = [False] * n

    async def one(i):
        while time.monotonic() < deadline:
            try:
                m = json.loads(await asyncio.wait_for(conns[i].recv(), 0.5))
            except asyncio.TimeoutError:
                continue
            if m.get("data", {}).get("stop"):
                stopped[i] = True
                return
            if "status_code" not in m:
                got[i].append(m["data"]["n"])
    await asyncio.gather(*(one(i) for i in range(n)))
    print(json.dumps({"got": got, "stopped": all(stopped)}), flush=True)


def publish(admin, topic, first, last, size=0):
    for k in range(first, last + 1):
        body = {"n": k}
        if size:
            body["pad"] = "p" * size
        post(admin, {"topic": topic, "data": body})


# --- slow reader --------------------------------------------------------------

def raw_subscriber(addr):
    host, port = addr.rsplit(":", 1)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((host, int(port)))
    s.sendall(b"GET /web HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
              b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
              b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    return s


def closed_by_server(s, seconds=10):
    s.settimeout(seconds)
    try:
        while True:
            if not s.recv(65536):
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


async def slow(addr, admin, policy, msgs=150, size=40000):
    raw = raw_subscriber(addr)
    conns = await connect(addr, 10)
    inboxes = [[] for _ in conns]
    t0 = time.monotonic()
    await asyncio.get_running_loop().run_in_executor(
        None, publish, admin, "all", 1, msgs, size)
    t_pub = time.monotonic() - t0
    await asyncio.gather(*(drain(ws, box, lambda box=box: len(box) >= msgs,
                                 quiet=5)
                           for ws, box in zip(conns, inboxes)))
    t_all = time.monotonic() - t0
    check("the 10 normal subscribers got all %d messages of %d bytes "
          "(%.2f s publishing, %.2f s until the last)" %
          (msgs, size, t_pub, t_all),
          all([m["data"]["n"] for m in box] == list(range(1, msgs + 1))
              for box in inboxes), [len(b) for b in inboxes])
    check("the slow reader did not hold them up (last one within 3 s of "
          "the last publish)", t_all - t_pub < 3.0, t_all - t_pub)
    if policy == "close":
        check("policy close: the slow reader was disconnected",
              closed_by_server(raw), "still open")
    else:
        raw.setblocking(False)
        try:
            alive = raw.recv(1) != b""
        except BlockingIOError:
            alive = True
        check("policy drop: the slow reader is still connected", alive, "")
    raw.close()
    for ws in conns:
        await ws.close()
    finish()


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "fanout":
        asyncio.run(fanout(args[0], args[1], int(args[2])))
    elif cmd == "collect":
        asyncio.run(collect(args[0], int(args[1]), args[2], float(args[3])))
    elif cmd == "publish":
        publish(args[0], args[1], int(args[2]), int(args[3]),
                int(args[4]) if len(args) > 4 else 0)
    elif cmd == "slow":
        asyncio.run(slow(args[0], args[1], args[2]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
