#!/usr/bin/python3
"""Hostile clients for t_hostile.sh: each tries to make one worker hold more
memory than its bound while a well-behaved client keeps talking to the same
worker (run the daemon with one worker). Loopback only, every wait bounded.

Each scenario prints "ok DESC" / "not ok DESC: SEEN" lines, "# figure"
notes and "cases N", as wsclient.py does.

  hostile.py alloc ADDR ADMIN BOUND     alloc keep of one-byte blocks
                                        until refused (alloc_keep_bytes)
  hostile.py deferred ADDR ADMIN MAX    20,000 pipelined delay requests on
                                        one connection (ws_max_deferred),
                                        then it closes
  hostile.py output ADDR ADMIN BOUND N  N readers that never read ask for
                                        more replies than the worker may
                                        queue (ws_worker_output_bytes)
  hostile.py broadcast ADDR ADMIN BOUND N
                                        N subscribers that never read, and
                                        broadcasts of 100 kB published
                                        until the worker's queues are full
                                        (broadcast_slow_policy close)

The RSS ceilings are the bound plus a stated slack, times SLACK_FACTOR
(environment; the ASan build passes 3: its redzones and chunk headers are
memory the allocator's own figures do not show).
"""
import json
import os
import socket
import struct
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conformance as C  # noqa: E402

MIB = 1 << 20
FACTOR = float(os.environ.get("SLACK_FACTOR", "1"))
results = []


def check(desc, cond, why=""):
    line = ("ok " + desc) if cond else ("not ok %s: %s" % (desc, why))
    results.append(line)
    print(line, flush=True)


def note(text):
    print("# " + text, flush=True)


def finish():
    print("cases %d" % len(results), flush=True)


def worker(admin):
    """The one worker's /api/workers entry."""
    with urllib.request.urlopen("http://%s/api/workers" % admin,
                                timeout=5) as r:
        return json.load(r)["workers"][0]


def rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def wait_for(pred, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return pred()


class Bystander:
    """A normal client on the same worker: an echo round trip every 20 ms
    (and a short delay now and then), each answered correctly."""

    def __init__(self, addr):
        self.addr, self.lat, self.errors = addr, [], []
        self.stop = threading.Event()
        self.t = threading.Thread(target=self.run)
        self.t.start()
        time.sleep(0.2)

    def run(self):
        try:
            c = C.Raw(self.addr, "/web")
        except Exception as e:
            self.errors.append("connect: %r" % e)
            return
        i = 0
        while not self.stop.is_set():
            pkg, data = (7, {"ms": 1}) if i % 10 == 9 else (1, {"i": i})
            t0 = time.monotonic()
            c.send_frame(C.TEXT, json.dumps({"pkg_id": pkg,
                                             "req_id": "b%d" % i,
                                             "data": data}))
            try:
                r = json.loads(c.recv_message(10)[1])
                while r["req_id"].startswith("b-"):	# a broadcast
                    r = json.loads(c.recv_message(10)[1])
                if r["req_id"] != "b%d" % i or r["status_code"] != 0:
                    self.errors.append(r)
            except Exception as e:
                self.errors.append(repr(e))
                break
            self.lat.append(time.monotonic() - t0)
            i += 1
            time.sleep(0.02)
        c.close()

    def done(self):
        self.stop.set()
        self.t.join(15)
        slowest = max(self.lat or [99])
        check("meanwhile a normal client on the same worker got every reply "
              "(%d round trips)" % len(self.lat),
              not self.errors and len(self.lat) >= 10, self.errors[:2])
        check("... within 2 s each (slowest %.3f s)" % slowest, slowest < 2)


# --- alloc keep -------------------------------------------------------------

def alloc(addr, admin, bound):
    w = worker(admin)
    pid, rss0 = w["pid"], rss(w["pid"])
    by = Bystander(addr)
    c = C.Raw(addr, "/web")
    req = {"bytes": 1, "count": 10000, "keep": True}
    last, n, cost = None, 0, 0
    for n in range(1, 2 * bound // 250000 + 50):
        c.send_frame(C.TEXT, json.dumps({"pkg_id": 6, "req_id": str(n),
                                         "data": req}))
        last = json.loads(c.recv_message(10)[1])
        if last["status_code"] != 0:
            break
        cost = last["data"]["kept_cost"]
    grown = rss(pid) - rss0
    msg = last.get("data", {}).get("message", "")
    note("alloc keep: refused at request %d, %.1f MiB counted, RSS %.1f -> "
         "%.1f MiB" % (n, worker(admin)["alloc_kept_bytes"] / MIB,
                       rss0 / MIB, (rss0 + grown) / MIB))
    check("a keep past alloc_keep_bytes is refused with status 1",
          last["status_code"] == 1, last)
    check("... saying why", "keep limit reached" in msg, msg)
    each = cost / max(n - 1, 1) / 10000
    check("... after what the blocks really cost: %.1f bytes a one-byte "
          "block (its 16-byte link and the chunk header too)" % each,
          each >= 25 and bound - 10000 * 64 < cost <= bound, (n, cost))
    if FACTOR == 1:	# glibc: a 32-byte chunk each
        check("... so about %d requests of 10,000 one-byte blocks (refused "
              "at %d)" % (bound // 320000, n),
              abs(n - bound // 320000) <= 2, n)
    ceiling = (bound + 16 * MIB) * FACTOR
    check("the worker's RSS grew %.1f MiB, under the bound + 16 MiB (%.0f "
          "MiB)" % (grown / MIB, ceiling / MIB), grown < ceiling, grown)
    c.send_frame(C.TEXT, json.dumps({"pkg_id": 6, "req_id": "again",
                                     "data": req}))
    r = json.loads(c.recv_message(10)[1])
    check("the next keep is refused too", r["status_code"] == 1, r)
    check("the refusals are counted (alloc_keep_refused %d)" %
          worker(admin)["alloc_keep_refused"],
          worker(admin)["alloc_keep_refused"] >= 2)
    c.close()
    by.done()
    finish()


# --- deferred replies ---------------------------------------------------------

def deferred(addr, admin, most):
    total = 20000
    w = worker(admin)
    pid, rss0 = w["pid"], rss(w["pid"])
    by = Bystander(addr)
    c = C.Raw(addr, "/web")
    replies = []

    def reader():
        try:
            while len(replies) < total - most:
                replies.append(json.loads(c.recv_message(15)[1]))
        except Exception as e:
            replies.append({"error": repr(e)})

    t = threading.Thread(target=reader)
    t.start()
    burst = b"".join(C.frame(C.TEXT, json.dumps(
        {"pkg_id": 7, "req_id": "d%d" % i, "data": {"ms": 60000}}))
        for i in range(total))
    c.send(burst)
    t.join(30)
    refused = [r for r in replies if r.get("status_code") == 1 and
               "too many deferred" in r.get("data", {}).get("message", "")]
    check("%d delay requests in one write: all but ws_max_deferred (%d) "
          "are answered at once with status 1 (%d)" % (total, most,
                                                       len(refused)),
          len(refused) == total - most, replies[-1:])
    # The gauge is the worker's: the bystander's 1 ms delay may be in
    # flight beside the hostile client's ws_max_deferred.
    pending = worker(admin)["deferred_pending"]
    check("%d replies are pending, no more than ws_max_deferred (%d) and "
          "the bystander's one" % (pending, most),
          most <= pending <= most + 1)
    grown = rss(pid) - rss0
    ceiling = 16 * MIB * FACTOR
    note("deferred: %d pending, RSS %.1f -> %.1f MiB" % (
        pending, rss0 / MIB, (rss0 + grown) / MIB))
    check("the worker's RSS grew %.1f MiB, under %.0f MiB" % (
        grown / MIB, ceiling / MIB), grown < ceiling, grown)
    c.close()
    check("once the client is gone its pending replies are cancelled",
          wait_for(lambda: worker(admin)["deferred_pending"] == 0, 5),
          worker(admin)["deferred_pending"])
    w = worker(admin)
    check("... and counted (deferred_cancelled %d, refused %d)" % (
        w["deferred_cancelled"], w["deferred_refused"]),
        w["deferred_cancelled"] == most and
        w["deferred_refused"] == total - most)
    by.done()
    finish()


# --- output queues --------------------------------------------------------------

def slow_reader(addr, requests, size):
    """A client that asks for requests echo replies of size bytes and does
    not read them (a small receive buffer)."""
    c = C.Raw(addr, "/web", rcvbuf=4096)
    pad = "p" * size
    try:		# a reader closed for the bound is not read any more
        c.send(b"".join(C.frame(C.TEXT, json.dumps(
            {"pkg_id": 1, "req_id": "s%d" % i, "data": {"pad": pad}}))
            for i in range(requests)))
    except OSError:
        pass
    return c


def drain(c, out):
    """Read everything a slow reader was sent: (replies, close code, reason)
    appended to out; a reader that got everything waits 3 s for more."""
    n = 0
    out.append((n, None, ""))
    try:
        while True:
            fin, op, payload = c.recv_frame(3)
            if op == C.CLOSE:
                code = struct.unpack("!H", payload[:2])[0]
                out[-1] = (n, code, payload[2:].decode("utf-8", "replace"))
                return
            n += 1
            out[-1] = (n, None, "")
    except (C.Closed, socket.timeout, OSError):
        pass
    except C.Failed as e:
        out[-1] = (n, "garbled", str(e))


def output(addr, admin, bound, readers):
    # 6 MB of replies each: more than the kernel's send buffer takes
    # (about 3 MB on loopback) plus what ws_send_queue_bytes lets one
    # queue hold, so the worker's sum is what stops them.
    size, per = 100000, 60
    w = worker(admin)
    pid, rss0 = w["pid"], rss(w["pid"])
    by = Bystander(addr)
    clients = [slow_reader(addr, per, size) for _ in range(readers)]
    wait_for(lambda: worker(admin)["output_bound_closes"] > 0, 10)
    time.sleep(0.5)
    w = worker(admin)
    held, grown = w["output_queued_bytes"], rss(pid) - rss0
    note("output: %d readers asked for %.1f MiB; queues hold %.1f MiB, "
         "RSS %.1f -> %.1f MiB, %d closed for the bound" % (
             readers, readers * per * size / MIB, held / MIB, rss0 / MIB,
             (rss0 + grown) / MIB, w["output_bound_closes"]))
    check("readers that never read, past ws_worker_output_bytes, are closed "
          "(%d)" % w["output_bound_closes"], w["output_bound_closes"] > 0)
    check("the queues hold %.1f MiB, within ws_worker_output_bytes and its "
          "reserve for closes (%.1f MiB)" % (held / MIB, bound * 17 / 16 / MIB),
          held <= bound * 17 / 16, held)
    ceiling = (bound + 16 * MIB) * FACTOR
    check("the worker's RSS grew %.1f MiB, under the bound + 16 MiB (%.0f "
          "MiB)" % (grown / MIB, ceiling / MIB), grown < ceiling, grown)
    # All read at once: a connection closed for the bound keeps its queue
    # for the closing timeout (2 s) only.
    got = [[] for _ in clients]
    ts = [threading.Thread(target=drain, args=(c, g))
          for c, g in zip(clients, got)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    outcomes = [g[-1] for g in got]
    for c in clients:
        c.close()
    full = sum(1 for n, code, _ in outcomes if n == per)
    told = [o for o in outcomes if o[1] == 1013]
    cut = [o for o in outcomes if o[1] is None and o[0] < per]
    note("output: %d readers got all %d replies, %d a close 1013 (after %s "
         "replies), %d a TCP close once the reserve was used (after %s)" % (
             full, per, len(told), sorted(o[0] for o in told), len(cut),
             sorted(o[0] for o in cut)))
    check("some got every reply (%d of %d)" % (full, readers), full > 0)
    check("the ones closed for the bound read close 1013 with the reason "
          "(%d), or a TCP close when they could not drain their queue "
          "within the 2 s closing timeout (%d)" % (len(told), len(cut)),
          (told or cut) and all("output memory bound" in o[2]
                                for o in told), outcomes)
    check("no reader saw a broken frame: whole replies, then the close",
          not any(o[1] == "garbled" for o in outcomes), outcomes)
    check("the queues are empty again",
          wait_for(lambda: worker(admin)["output_queued_bytes"] == 0, 5),
          worker(admin)["output_queued_bytes"])
    by.done()
    finish()


def publish(admin, n, size):
    body = json.dumps({"topic": "all", "data": {"n": n, "pad": "p" * size}})
    req = urllib.request.Request("http://%s/api/broadcast" % admin,
                                 data=body.encode(), method="POST")
    with urllib.request.urlopen(req, timeout=5) as r:
        return r.status


def broadcast(addr, admin, bound, subscribers):
    size, msgs = 100000, 80		# 8 MB to each subscriber
    w = worker(admin)
    pid, rss0 = w["pid"], rss(w["pid"])
    by = Bystander(addr)
    subs = [C.Raw(addr, "/web", rcvbuf=4096) for _ in range(subscribers)]
    bad = [publish(admin, n, size) for n in range(msgs)]
    bad = [s for s in bad if s != 200]
    wait_for(lambda: worker(admin)["output_bound_closes"] > 0, 5)
    w = worker(admin)
    held, grown = w["output_queued_bytes"], rss(pid) - rss0
    note("broadcast: %d subscribers that never read, %d broadcasts of %d "
         "bytes; queues hold %.1f MiB, RSS %.1f -> %.1f MiB, %d closed for "
         "the bound" % (subscribers, msgs, size, held / MIB, rss0 / MIB,
                        (rss0 + grown) / MIB, w["output_bound_closes"]))
    check("every broadcast was accepted", not bad, bad)
    check("subscribers that never read, past ws_worker_output_bytes, are "
          "closed (%d)" % w["output_bound_closes"],
          w["output_bound_closes"] > 0)
    check("the queues hold %.1f MiB, within the bound and its reserve "
          "(%.1f MiB), a shared frame charged once per queue" % (
              held / MIB, bound * 17 / 16 / MIB), held <= bound * 17 / 16,
          held)
    ceiling = (bound + 16 * MIB) * FACTOR
    check("the worker's RSS grew %.1f MiB, under the bound + 16 MiB (%.0f "
          "MiB)" % (grown / MIB, ceiling / MIB), grown < ceiling, grown)
    got = [[] for _ in subs]
    ts = [threading.Thread(target=drain, args=(c, g))
          for c, g in zip(subs, got)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    outcomes = [g[-1] for g in got]
    for c in subs:
        c.close()
    told = [o for o in outcomes if o[1] == 1013]
    note("broadcast: the subscribers read %s broadcasts, then %s" % (
        [o[0] for o in outcomes], [o[1] for o in outcomes]))
    # A subscriber closed for the bound keeps its queue for the closing
    # timeout (2 s): one too slow to drain it in time (a loaded machine)
    # sees a TCP close instead of the close frame.
    cut = [o for o in outcomes if o[1] is None]
    check("closed subscribers read their broadcasts, then close 1013 (%d) "
          "or, too slow to drain in 2 s, a TCP close (%d)" % (len(told),
                                                             len(cut)),
          (told or cut) and all("output memory bound" in o[2]
                                for o in told), outcomes)
    check("no subscriber saw a broken frame",
          not any(o[1] == "garbled" for o in outcomes), outcomes)
    check("the queues are empty again",
          wait_for(lambda: worker(admin)["output_queued_bytes"] == 0, 5),
          worker(admin)["output_queued_bytes"])
    by.done()
    finish()


def main():
    cmd, addr, admin, bound = sys.argv[1], sys.argv[2], sys.argv[3], \
        int(sys.argv[4])
    if cmd == "alloc":
        alloc(addr, admin, bound)
    elif cmd == "deferred":
        deferred(addr, admin, bound)
    elif cmd == "output":
        output(addr, admin, bound, int(sys.argv[5]))
    elif cmd == "broadcast":
        broadcast(addr, admin, bound, int(sys.argv[5]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
