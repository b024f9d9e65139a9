#!/usr/bin/python3
"""bcburst.py WS ADMIN N BURST [ROUNDS]: a broadcast burst against requests
on the same worker (run the daemon with -w 1).

N raw subscribers (every connection is in the topic "all") and one more
connection on /web that sends echo requests (pkg_id 1) back to back from
its own process, each waiting for its answer. Per round: BURST broadcasts
are POSTed to ADMIN as fast as one keep-alive connection goes; then
  * last delivery: from the first POST until every subscriber holds all
    BURST frames (and each subscriber's frames are checked: all there, in
    order, none twice);
  * echo round trips during the burst: p50, p99 and max (the stall a
    request sees while the worker fans out).
Prints one JSON line per round and a summary. Not a test: a probe for
docs/broadcast.md. Loopback only; every socket is closed at the end."""
import http.client, json, multiprocessing, os, resource, select, socket, struct, sys, time

KEY = b"dGhlIHNhbXBsZSBub25jZQ=="


def upgrade(host, port, path="/web"):
    s = socket.create_connection((host, port))
    s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
              b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
              b"Sec-WebSocket-Key: " + KEY + b"\r\n\r\n")
    h = b""
    while not h.endswith(b"\r\n\r\n"):
        c = s.recv(1)
        if not c:
            raise SystemExit("upgrade refused")
        h += c
    return s


def masked(payload):
    n = len(payload)
    head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack("!H", n))
    return head + b"\0\0\0\0" + payload     # a zero mask: the bytes are the payload


def frames(buf):
    """Payloads of the complete text frames in buf (pings and the like are
    skipped), and the rest."""
    out, i = [], 0
    while len(buf) - i >= 2:
        n = buf[i + 1] & 0x7f
        h = 2
        if n == 126:
            if len(buf) - i < 4:
                break
            n, h = struct.unpack("!H", buf[i + 2:i + 4])[0], 4
        elif n == 127:
            if len(buf) - i < 10:
                break
            n, h = struct.unpack("!Q", buf[i + 2:i + 10])[0], 10
        if len(buf) - i < h + n:
            break
        if buf[i] & 0x0f == 1:
            out.append(buf[i + h:i + h + n])
        i += h + n
    return out, buf[i:]


def prober(host, port, stop, conn):
    """Echo requests back to back until stop; their round trips in ms."""
    s = upgrade(host, port)
    s.settimeout(30)
    rtts, buf, k = [], b"", 0
    while not stop.is_set():
        k += 1
        t0 = time.monotonic()
        s.sendall(masked(json.dumps({"pkg_id": 1, "req_id": "e%d" % k, "data": {"k": k}}).encode()))
        while True:
            got, buf = frames(buf)
            if any(b'"req_id":"e%d"' % k in g for g in got):
                break
            buf += s.recv(65536)
        rtts.append((time.monotonic() - t0) * 1e3)
        time.sleep(0.002)
    s.close()
    conn.send(rtts)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))] if xs else 0


def one_round(host, port, admin, socks, burst, rnd):
    ep = select.epoll()
    fd2 = {}
    for s in socks:
        ep.register(s.fileno(), select.EPOLLIN)
        fd2[s.fileno()] = [s, b"", []]
    stop = multiprocessing.Event()
    rx, tx = multiprocessing.Pipe(False)
    p = multiprocessing.Process(target=prober, args=(host, port, stop, tx))
    p.start()
    time.sleep(0.3)                         # the prober is connected and warm
    hc = http.client.HTTPConnection(*admin.rsplit(":", 1), timeout=10)
    t0 = time.monotonic()
    for i in range(burst):
        hc.request("POST", "/api/broadcast", json.dumps(
            {"topic": "all", "data": {"r": rnd, "i": i, "pad": "x" * 40}}))
        hc.getresponse().read()
    posted = time.monotonic() - t0
    done, last = 0, 0.0
    deadline = t0 + 120
    while done < len(socks) and time.monotonic() < deadline:
        for fd, _ in ep.poll(1):
            st = fd2[fd]
            data = st[0].recv(1 << 20)
            got, st[1] = frames(st[1] + data)
            st[2] += [json.loads(g)["data"]["i"] for g in got]
            if len(st[2]) == burst:
                done += 1
                last = time.monotonic() - t0
    stop.set()
    rtts = rx.recv()
    p.join()
    hc.close()
    ep.close()
    ok = all(st[2] == list(range(burst)) for st in fd2.values())
    return {"round": rnd, "subscribers": len(socks), "burst": burst,
            "all_in_order": ok, "complete": done, "post_ms": round(posted * 1e3, 1),
            "last_delivery_ms": round(last * 1e3, 1), "echo_n": len(rtts),
            "echo_p50_ms": round(pct(rtts, 50), 2), "echo_p99_ms": round(pct(rtts, 99), 2),
            "echo_max_ms": round(max(rtts) if rtts else 0, 2)}


def main():
    ws, admin, n, burst = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    lim = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (lim, lim))
    host, port = ws.rsplit(":", 1)
    port = int(port)
    socks = [upgrade(host, port) for _ in range(n)]
    for s in socks:
        s.setblocking(False)
    res = []
    for r in range(rounds):
        res.append(one_round(host, port, admin, socks, burst, r))
        print(json.dumps(res[-1]), flush=True)
        time.sleep(0.5)
    for s in socks:
        s.close()
    med = lambda k: sorted(x[k] for x in res)[len(res) // 2]
    print(json.dumps({"summary": True, "subscribers": n, "burst": burst, "rounds": rounds,
                      "all_in_order": all(x["all_in_order"] and x["complete"] == n for x in res),
                      "last_delivery_ms_median": med("last_delivery_ms"),
                      "echo_p50_ms_median": med("echo_p50_ms"),
                      "echo_p99_ms_median": med("echo_p99_ms"),
                      "echo_max_ms_median": med("echo_max_ms")}))


if __name__ == "__main__":
    main()
