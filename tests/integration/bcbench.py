#!/usr/bin/python3
"""bcbench.py WS ADMIN N ROUNDS: N raw subscribers (all in the topic "all");
per round POST a ~100-byte broadcast to ADMIN and time until every socket
has the frame. Not a test: a probe for the benchmark issue."""
import json, select, socket, sys, time, urllib.request, resource
ws, admin, n, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],)*2)
host, port = ws.rsplit(":", 1)
req = (b"GET /web HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
       b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
socks = []
for i in range(n):
    s = socket.create_connection((host, int(port)))
    s.sendall(req)
    socks.append(s)
for s in socks:
    h = b""
    while not h.endswith(b"\r\n\r\n"):
        h += s.recv(1)
    s.setblocking(False)
ep = select.epoll()
fd2s = {}
for s in socks:
    ep.register(s.fileno(), select.EPOLLIN)
    fd2s[s.fileno()] = s
body = json.dumps({"topic": "all", "data": {"m": "x" * 40}}).encode()
times = []
for r in range(rounds):
    got = set()
    t0 = time.monotonic()
    urllib.request.urlopen(urllib.request.Request("http://%s/api/broadcast" % admin, data=body, method="POST")).read()
    while len(got) < n:
        for fd, ev in ep.poll(1):
            try:
                if fd2s[fd].recv(65536):
                    got.add(fd)
            except BlockingIOError:
                pass
    times.append(time.monotonic() - t0)
    time.sleep(0.2)
print("n=%d rounds=%d client-observed ms: min %.1f median %.1f max %.1f" % (
    n, rounds, min(times) * 1e3, sorted(times)[len(times) // 2] * 1e3, max(times) * 1e3))
