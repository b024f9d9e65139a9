#!/usr/bin/python3
"""Side-by-side benchmark driver (run through bench/run.sh, which builds and
installs what this needs and passes the paths in the environment).

For each repetition, for each server (interleaved: rep 1 of every server,
then rep 2, ...): start the server fresh on a free loopback port, run every
mode against it with hotline-bench, stop it. Per run it records the
hotline-bench JSON line, the server's CPU time (utime+stime of every process
of the server, from /proc/<pid>/stat, children included), CPU steal over the
run (/proc/stat), and for idle the server's RSS (summed over its processes)
before and while the connections are held. Then the profiler-overhead pairs:
hotline 1 worker with profiling off / CPU / CPU+memory at a fixed, lighter
load, interleaved, repeated. Prints a table with ratios to hotline and
writes everything to a JSON file.
"""
import json
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ENV = os.environ
BENCH = ENV["BENCH"]
HOTLINED = ENV["HOTLINED"]
EXAMPLE_SO = ENV.get("EXAMPLE_SO", "")
TOKEN_TOOL = ENV.get("TOKEN_TOOL", "")
# Authenticated connects: AUTH_REPS interleaved rounds of hotline without
# auth, with JWT auth, and with JWT auth plus a Redis session lookup
# (a private redis-server on a free loopback port); 0 skips the phase.
AUTH_REPS = int(ENV.get("AUTH_REPS", "5"))
JWT_SECRET = "bench-secret-0123456789abcdef0123"
RAW = ENV["RAW"]
HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"
NODE = ENV.get("NODE", "node")
REPS = int(ENV.get("REPS", "5"))
OVERHEAD_REPS = int(ENV.get("OVERHEAD_REPS", "10"))
# The overhead pairs' fixed offered load (requests/s over OVERHEAD_C
# connections; 0: closed loop, as fast as the pipeline allows).
OVERHEAD_RATE = float(ENV.get("OVERHEAD_RATE", "20000"))
DUR = float(ENV.get("DUR", "3"))
IDLE_N = int(ENV.get("IDLE_N", "10000"))
BCAST_N = int(ENV.get("BCAST_N", "10000"))
BCAST_RATE = float(ENV.get("BCAST_RATE", "5"))
SCEN_C = int(ENV.get("SCEN_C", "1000"))
SCEN_M = int(ENV.get("SCEN_M", "100"))
OVERHEAD_C = int(ENV.get("OVERHEAD_C", "4"))
PIN = ENV.get("PIN", "1") == "1"
SERVER_CPU = ENV.get("SERVER_CPU", "0")
GEN_CPU = ENV.get("GEN_CPU", "1")
NCPU = os.cpu_count() or 1
SERVERS = ENV.get("SERVERS", "hotline-1w,hotline-1w-prof,hotline-1w-profmem,hotline-2w,hotline-2w-prof,"
                  "raw-epoll,node-ws,python-websockets,fastapi").split(",")
MODES = ENV.get("MODES", "rr,connect,idle,scenario,broadcast").split(",")
OUT = ENV.get("OUT", os.path.join(HERE, "results", "latest.json"))
TMP = tempfile.mkdtemp(prefix="hotline-benchside.")
SUB = '{"pkg_id":2,"req_id":"sub","data":{}}'
PUB = '{"pkg_id":3,"req_id":"pub","data":{"message":"%T"}}'
# hotline: every connection is in topic "all"; the example module's shout
# handler (pkg_id 103) publishes with hl_broadcast.
HL_PUB = '{"pkg_id":103,"req_id":"pub","data":{"topic":"all","data":{"message":"%T"}}}'
CLK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
LIVE = []


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port, limit=20.0):
    end = time.time() + limit
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def tree(pid):
    """pid and all its descendants (from /proc/*/stat ppid)."""
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    s = f.read()
                ppid = int(s[s.rindex(")") + 2:].split()[1])
                kids.setdefault(ppid, []).append(int(d))
            except (OSError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def thread_cpu_ns(p):
    """CPU time of every thread of process p in ns, from schedstat (the
    scheduler's own clock; /proc/<pid>/stat counts 10 ms ticks, too coarse
    for a few-percent difference over seconds). None when unavailable."""
    t = 0
    try:
        for tid in os.listdir("/proc/%d/task" % p):
            with open("/proc/%d/task/%s/schedstat" % (p, tid)) as f:
                t += int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return t


def cpu_seconds(pid, workers_only=False):
    """CPU of the server's processes (with workers_only, its descendants
    only: hotline's workers without the master): live threads from
    schedstat, plus reaped children's utime+stime from /proc/<pid>/stat."""
    t = 0.0
    for p in tree(pid):
        if workers_only and p == pid:
            continue
        try:
            with open("/proc/%d/stat" % p) as f:
                s = f.read()
            f = s[s.rindex(")") + 2:].split()
            ns = thread_cpu_ns(p)
            own = ns / 1e9 if ns is not None else (int(f[11]) + int(f[12])) / CLK
            t += own + (int(f[13]) + int(f[14])) / CLK
        except (OSError, ValueError, IndexError):
            pass
    return t


def rss_bytes(pid):
    t = 0
    for p in tree(pid):
        try:
            with open("/proc/%d/statm" % p) as f:
                t += int(f.read().split()[1]) * PAGE
        except (OSError, ValueError):
            pass
    return t


def cpustat():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v), v[7] if len(v) > 7 else 0


def steal_pct(a, b):
    tot = b[0] - a[0]
    return 100.0 * (b[1] - a[1]) / tot if tot > 0 else 0.0


class Server:
    def __init__(self, name):
        self.name, self.port, self.proc, self.admin = name, free_port(), None, None
        self.redis_port = None
        self.hotline = name.startswith("hotline")

    def argv(self):
        p = str(self.port)
        if self.hotline:
            self.admin = free_port()
            w = "2" if "-2w" in self.name else "1"
            a = [HOTLINED, "-f", "-w", w, "-o", "listen=127.0.0.1:" + p,
                 "-o", "admin_listen=127.0.0.1:%d" % self.admin,
                 "-o", "ws_idle_timeout=0",
                 "-o", "profiling_output_dir=" + os.path.join(TMP, "reports"),
                 "-o", "log_level=warn"]
            if EXAMPLE_SO:
                a += ["-o", "module=" + EXAMPLE_SO]
            if "-auth" in self.name:
                # one user connects from every slot: lift the per-user
                # limit (5) so no handshake is refused with 429
                a += ["-o", "auth=jwt", "-o", "jwt_alg=HS256",
                      "-o", "jwt_secret=" + JWT_SECRET,
                      "-o", "auth_max_connections_per_user=0"]
            if self.name.endswith("-authsess"):
                a += ["-o", "redis_url=redis://127.0.0.1:%d" % self.redis_port,
                      "-o", "auth_sessions=yes"]
            if self.name.endswith("-profcopy"):
                a += ["-o", "profiling_enabled=yes", "-o", "profiling_cpu_only=no",
                      "-o", "profiling_copy=yes"]
            elif self.name.endswith("-profmem"):
                a += ["-o", "profiling_enabled=yes", "-o", "profiling_cpu_only=no"]
            elif self.name.endswith("-prof"):
                a += ["-o", "profiling_enabled=yes", "-o", "profiling_cpu_only=yes"]
            else:
                a += ["-o", "profiling_enabled=no"]
            return a
        return {"raw-epoll": [RAW, p],
                "node-ws": [NODE, os.path.join(HERE, "peers", "node_ws_echo.js"), p],
                "python-websockets": [PY, os.path.join(HERE, "peers", "python_websockets_echo.py"), p],
                "fastapi": [PY, os.path.join(HERE, "peers", "fastapi_echo.py"), p]}[self.name]

    def start(self):
        argv = self.argv()
        # hotline with as many workers as cores gets every core: pinning its
        # workers to one would measure the pin, not the server.
        if PIN and not (self.hotline and "-2w" in self.name):
            argv = ["taskset", "-c", SERVER_CPU] + argv
        self.log = open(os.path.join(TMP, self.name + ".log"), "ab")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=self.log,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        LIVE.append(self)
        if not wait_port(self.port):
            self.stop()
            raise RuntimeError("%s did not start (log %s)" % (self.name, self.log.name))
        time.sleep(0.3 if not self.hotline else 0.5)

    def stop(self):
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        if self in LIVE:
            LIVE.remove(self)
        self.proc = None
        self.log.close()


def bench_argv(server, mode, extra):
    a = [BENCH, mode, "--url", "ws://127.0.0.1:%d/web" % server.port] + extra
    if PIN:
        a = ["taskset", "-c", GEN_CPU] + a
    return a


def mode_args(server, mode):
    if mode == "rr":
        return ["-c", "100", "-p", "1", "-d", str(DUR), "-w", "1"], DUR + 30
    if mode == "connect":
        return ["-c", "8", "-d", str(DUR)], DUR + 30
    if mode == "idle":
        return ["-c", str(IDLE_N), "-d", "2", "--timeout", "20", "--open-burst", "128"], 90
    if mode == "scenario":
        return ["-c", str(SCEN_C), "-m", str(SCEN_M), "--timeout", "20"], 120
    if mode == "broadcast":
        pub = HL_PUB if server.hotline else PUB
        a = ["-c", str(BCAST_N), "--rate", str(BCAST_RATE), "-w", "1", "-d", str(DUR),
             "--timeout", "20", "--open-burst", "128", "--publish", pub]
        if not server.hotline:
            a += ["--subscribe", SUB]
        return a, 150
    raise ValueError(mode)


def run_one(server, mode, extra=None, limit=None):
    if extra is None:
        extra, limit = mode_args(server, mode)
    argv = bench_argv(server, mode, extra)
    pid = server.proc.pid
    rss0 = rss_bytes(pid)
    c0, s0, t0 = cpu_seconds(pid), cpustat(), time.time()
    w0 = cpu_seconds(pid, True)
    rss_held = None
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, start_new_session=True)
    lines = []
    # The server's CPU counts from the start of the measurement window: in
    # the persistent modes that is the "all N connections open" line plus
    # the warm-up, so opening and warming up are not charged to the counted
    # messages. connect and scenario count from the start (no warm-up;
    # scenario's CPU includes its handshakes, as its total time does).
    warm = float(extra[extra.index("-w") + 1]) if "-w" in extra else 0.0
    try:
        end = time.time() + limit
        for line in p.stdout:
            lines.append(line)
            if "connections open" in line and mode in ("rr", "broadcast"):
                time.sleep(max(0.0, warm - 0.005))
                c0, s0 = cpu_seconds(pid), cpustat()
                w0 = cpu_seconds(pid, True)
            if mode == "idle" and "connections open" in line and rss_held is None:
                time.sleep(1.0)  # let the server settle, then read it
                rss_held = rss_bytes(pid)
            if time.time() > end:
                break
        p.wait(max(1, end - time.time()))
    except subprocess.TimeoutExpired:
        pass
    if p.poll() is None:
        os.killpg(p.pid, signal.SIGINT)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    err = p.stderr.read()
    c1, s1, t1 = cpu_seconds(pid), cpustat(), time.time()
    w1 = cpu_seconds(pid, True)
    r = {"server": server.name, "mode": mode, "argv": argv[argv.index(BENCH):],
         "wall_s": t1 - t0, "server_cpu_s": c1 - c0, "worker_cpu_s": w1 - w0,
         "steal_pct": steal_pct(s0, s1),
         "loadavg": open("/proc/loadavg").read().split()[0]}
    try:
        j = json.loads(lines[-1])
    except (IndexError, ValueError):
        r["failed"] = (err or "no output")[-300:]
        return r
    r["bench"] = j
    msgs = j.get("messages", 0)
    if mode == "broadcast":
        msgs = j.get("messages", 0)  # deliveries
    if msgs:
        r["cpu_us_per_msg"] = 1e6 * r["server_cpu_s"] / msgs
        r["worker_cpu_us_per_msg"] = 1e6 * r["worker_cpu_s"] / msgs
    if mode == "idle":
        r["rss_before"] = rss0
        r["rss_held"] = rss_held
        if rss_held and j.get("held"):
            r["bytes_per_conn"] = (rss_held - rss0) / j["held"]
    return r


def metric(r):
    """The headline figures of a run."""
    j = r.get("bench", {})
    m = r["mode"]
    out = {}
    if m in ("rr", "connect", "scenario"):
        out["throughput"] = j.get("throughput_msg_s")
        out["p99_us"] = j.get("p99_us")
        out["cpu_us"] = r.get("cpu_us_per_msg")
    if m == "scenario":
        out["total_s"] = j.get("total_time_s")
    if m == "idle":
        out["bytes_per_conn"] = r.get("bytes_per_conn")
        out["held"] = j.get("held")
    if m == "broadcast":
        out["last_p50_us"] = j.get("last_p50_us")
        out["last_p99_us"] = j.get("last_p99_us")
        out["last_max_us"] = j.get("last_max_us")
        out["cpu_us"] = r.get("cpu_us_per_msg")
        out["incomplete"] = j.get("incomplete")
    out["errors"] = (j.get("errors") or 0) + (j.get("handshake_failures") or 0)
    out["steal_pct"] = r["steal_pct"]
    return out


def mmm(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return {"min": min(xs), "median": statistics.median(xs), "max": max(xs), "n": len(xs)}


def fmt(v, unit=""):
    if v is None:
        return "-"
    if abs(v) >= 10000:
        return "%.0fk%s" % (v / 1000, unit)
    if abs(v) >= 100:
        return "%.0f%s" % (v, unit)
    return "%.1f%s" % (v, unit)


def start_redis():
    """A private redis-server on a free loopback port, or None."""
    if shutil.which("redis-server") is None:
        log("auth: redis-server not installed, the session lookup is skipped")
        return None, None
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    if not wait_port(port):
        proc.kill()
        return None, None
    subprocess.run(["redis-cli", "-p", str(port), "SET", "session:bench", "1"],
                   stdout=subprocess.DEVNULL, check=False)
    return proc, port


def auth_phase(results):
    """Handshakes per second and their latency without auth, with a JWT
    (HS256, verified once per connection) and with a JWT plus a session
    lookup in Redis, interleaved AUTH_REPS times."""
    if not TOKEN_TOOL:
        log("auth: no hotline-token (TOKEN_TOOL), skipped")
        return {}
    token = subprocess.run([TOKEN_TOOL, "--secret", JWT_SECRET, "--sub", "bench",
                            "--exp", "3600"], capture_output=True, text=True,
                           check=True).stdout.strip()
    redis, rport = start_redis()
    names = ["hotline-1w", "hotline-1w-auth"] + (["hotline-1w-authsess"] if redis else [])
    runs = {n: [] for n in names}
    try:
        for i in range(AUTH_REPS):
            for n in (names if i % 2 == 0 else list(reversed(names))):
                s = Server(n)
                s.redis_port = rport
                s.start()
                try:
                    extra = ["-c", "8", "-d", str(DUR)]
                    if n != "hotline-1w":
                        extra += ["--token", token]
                    r = run_one(s, "connect", extra, DUR + 30)
                finally:
                    s.stop()
                r["auth_rep"] = i
                results.append(r)
                runs[n].append(r)
                b = r.get("bench", {})
                log("  auth %-22s rep %d  %s hs/s  p50 %s us  p99 %s us  %s us cpu/hs" % (
                    n, i, fmt(b.get("throughput_msg_s")), fmt(b.get("p50_us")),
                    fmt(b.get("p99_us")), fmt(r.get("cpu_us_per_msg"))))
    finally:
        if redis is not None:
            redis.terminate()
            redis.wait(10)
    out = {}
    for n in names:
        out[n] = {k: mmm([r.get("bench", {}).get(k) for r in runs[n]])
                  for k in ("throughput_msg_s", "p50_us", "p99_us")}
        out[n]["cpu_us_per_hs"] = mmm([r.get("cpu_us_per_msg") for r in runs[n]])
    return out


def overhead(results):
    """Profiler overhead: CPU per message at a fixed offered load
    (OVERHEAD_RATE), runs interleaved off / cpu / cpu+mem / cpu+mem+copy,
    OVERHEAD_REPS times; each setting against off, and copy sampling
    against cpu+mem (its own cost)."""
    names = ["hotline-1w", "hotline-1w-prof", "hotline-1w-profmem", "hotline-1w-profcopy"]
    rate = ["--rate", str(OVERHEAD_RATE)] if OVERHEAD_RATE > 0 else []
    # A fresh server per run: one instance's luck (layout, placement) would
    # otherwise bias every run of its setting the same way.
    runs = {n: [] for n in names}
    for i in range(OVERHEAD_REPS):
        order = names if i % 2 == 0 else list(reversed(names))
        for n in order:
            s = Server(n)
            s.start()
            try:
                r = run_one(s, "rr", ["-c", str(OVERHEAD_C), "-p", "1", "-d",
                                      str(DUR), "-w", "0.5"] + rate, DUR + 30)
            finally:
                s.stop()
            r["overhead_rep"] = i
            results.append(r)
            runs[n].append(r)
            log("  overhead %-20s rep %d  %s msg/s  %s us cpu/msg  steal %.1f%%" % (
                n, i, fmt(r.get("bench", {}).get("throughput_msg_s")),
                fmt(r.get("worker_cpu_us_per_msg")), r["steal_pct"]))
    out = {}
    pairs = [(n, "hotline-1w") for n in names[1:]]
    pairs.append(("hotline-1w-profcopy", "hotline-1w-profmem"))
    # The issue's figure is the workers' CPU per message; the whole
    # server's (master draining rings and building reports included) is
    # reported beside it.
    for n, base_name in pairs:
        for key, label in (("worker_cpu_us_per_msg", ""), ("cpu_us_per_msg", " (server)")):
            base = [r.get(key) for r in runs[base_name]]
            on = [r.get(key) for r in runs[n]]
            d = [100.0 * (b - a) / a for a, b in zip(base, on) if a and b]
            if len(d) < 2:
                continue
            mean, sd = statistics.mean(d), statistics.stdev(d)
            # two-sided 95 % t quantiles for small n
            tq = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36,
                  8: 2.31, 9: 2.26, 10: 2.23, 11: 2.20, 12: 2.18, 13: 2.16,
                  14: 2.14, 15: 2.13, 16: 2.12, 17: 2.11, 18: 2.10,
                  19: 2.09}.get(len(d) - 1, 2.0)
            hw = tq * sd / math.sqrt(len(d))
            out[n + " vs " + base_name + label] = {
                      "overhead_pct_mean": mean, "ci95": [mean - hw, mean + hw],
                      "overhead_pct_median": statistics.median(d),
                      "pairs": len(d), "off_cpu_us": mmm(base), "on_cpu_us": mmm(on),
                      "throughput_off": mmm([r.get("bench", {}).get("throughput_msg_s")
                                             for r in runs[base_name]]),
                      "throughput_on": mmm([r.get("bench", {}).get("throughput_msg_s")
                                            for r in runs[n]])}
    return out


def auth_table(auth):
    if not auth:
        return ""
    base = auth.get("hotline-1w", {})
    lines = ["", "authenticated connects (1 worker, 8 connecting slots, %d interleaved "
             "rounds; median (min-max), x = ratio to no auth):" % AUTH_REPS]
    for n, a in auth.items():
        def cell(k):
            if not a.get(k):
                return "-"
            m = a[k]["median"]
            b = (base.get(k) or {}).get("median")
            r = " x%.2f" % (m / b) if m and b and n != "hotline-1w" else ""
            return "%s (%s-%s)%s" % (fmt(m), fmt(a[k]["min"]), fmt(a[k]["max"]), r)
        lines.append("  %-22s %s hs/s, p50 %s us, p99 %s us, CPU %s us/hs" % (
            n, cell("throughput_msg_s"), cell("p50_us"), cell("p99_us"),
            cell("cpu_us_per_hs")))
    return "\n".join(lines)


def table(results, over):
    rows = {}
    for r in results:
        if "overhead_rep" in r or "failed" in r:
            continue
        for k, v in metric(r).items():
            rows.setdefault((r["server"], r["mode"], k), []).append(v)
    summary = {}
    for (s, m, k), xs in rows.items():
        summary.setdefault(s, {}).setdefault(m, {})[k] = mmm(xs)
    cols = [("rr", "throughput", "rr msg/s", ""), ("rr", "cpu_us", "rr CPU us/msg", ""),
            ("rr", "p99_us", "rr p99 us", ""),
            ("connect", "throughput", "handshakes/s", ""),
            ("connect", "cpu_us", "CPU us/hs", ""),
            ("idle", "bytes_per_conn", "idle B/conn", ""),
            ("broadcast", "last_p99_us", "bcast last p99 us", ""),
            ("broadcast", "cpu_us", "CPU us/delivery", ""),
            ("scenario", "total_s", "scenario s", "")]
    ref = summary.get("hotline-1w-prof") or summary.get("hotline-1w") or {}
    lines = ["| server | " + " | ".join(c[2] for c in cols) + " |",
             "|---|" + "---|" * len(cols)]
    for s in SERVERS:
        if s not in summary:
            continue
        cells = []
        for m, k, _, _ in cols:
            v = summary[s].get(m, {}).get(k)
            if v is None:
                cells.append("-")
                continue
            c = "%s (%s–%s)" % (fmt(v["median"]), fmt(v["min"]), fmt(v["max"]))
            rv = ref.get(m, {}).get(k)
            if rv and rv["median"] and not s.startswith("hotline-1w-prof"):
                c += " ×%.2f" % (v["median"] / rv["median"])
            cells.append(c)
        lines.append("| %s | %s |" % (s, " | ".join(cells)))
    st = [r["steal_pct"] for r in results]
    lines.append("")
    lines.append("median (min–max) of %d runs; ×R = ratio of the median to hotline-1w-prof "
                 "(1 worker, CPU profiling on). CPU steal per run: min %.2f %%, median %.2f %%, "
                 "max %.2f %%." % (REPS, min(st), statistics.median(st), max(st)))
    errs = [(r["server"], r["mode"], metric(r)["errors"]) for r in results
            if "bench" in r and metric(r)["errors"]]
    fails = [(r["server"], r["mode"], r["failed"][-120:]) for r in results if "failed" in r]
    if errs:
        lines.append("runs with errors: %s" % ", ".join("%s/%s: %d" % e for e in errs[:20]))
    if fails:
        lines.append("failed runs: %s" % "; ".join("%s/%s: %s" % f for f in fails[:10]))
    for n, o in over.items():
        lines.append("profiler overhead %s (1 worker, -c %d pipeline 1, offered %s msg/s, %d "
                     "interleaved pairs): CPU/msg %+.2f %% (95 %% CI %+.2f … %+.2f %%; median of pairs "
                     "%+.2f %%), base %s us, "
                     "on %s us; throughput base %s, on %s msg/s" % (
                         n, OVERHEAD_C, fmt(OVERHEAD_RATE) if OVERHEAD_RATE > 0 else "closed-loop",
                         o["pairs"], o["overhead_pct_mean"], o["ci95"][0],
                         o["ci95"][1], o["overhead_pct_median"], fmt(o["off_cpu_us"]["median"]),
                         fmt(o["on_cpu_us"]["median"]), fmt(o["throughput_off"]["median"]),
                         fmt(o["throughput_on"]["median"])))
    return summary, "\n".join(lines)


def main():
    results = []
    t_start = time.time()
    meta = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "nproc": NCPU, "kernel": os.uname().release,
            "loadavg_start": open("/proc/loadavg").read().strip(),
            "pin": PIN, "server_cpu": SERVER_CPU, "gen_cpu": GEN_CPU, "reps": REPS,
            "servers": SERVERS, "modes": MODES, "duration_s": DUR, "idle_n": IDLE_N,
            "broadcast_n": BCAST_N, "broadcast_rate": BCAST_RATE,
            "scenario": [SCEN_C, SCEN_M], "overhead_c": OVERHEAD_C,
            "overhead_rate": OVERHEAD_RATE}
    try:
        meta["cpu_model"] = [l.split(":", 1)[1].strip() for l in
                             subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
                             if l.startswith("Model name")][0]
    except (IndexError, OSError):
        pass
    over, auth = {}, {}
    try:
        for rep in range(REPS):
            for name in SERVERS:
                s = Server(name)
                try:
                    s.start()
                except RuntimeError as e:
                    log(str(e))
                    continue
                try:
                    for mode in MODES:
                        r = run_one(s, mode)
                        r["rep"] = rep
                        results.append(r)
                        mm = metric(r) if "bench" in r else {"failed": r.get("failed")}
                        log("rep %d %-20s %-9s %s" % (rep, name, mode, json.dumps(
                            {k: (round(v, 2) if isinstance(v, float) else v)
                             for k, v in mm.items()})))
                finally:
                    s.stop()
        if OVERHEAD_REPS > 0:
            over = overhead(results)
        if AUTH_REPS > 0:
            auth = auth_phase(results)
    finally:
        for s in list(LIVE):
            s.stop()
        if ENV.get("KEEP") != "1":
            shutil.rmtree(TMP, ignore_errors=True)
        else:
            log("logs and reports kept in " + TMP)
    meta["elapsed_s"] = time.time() - t_start
    meta["loadavg_end"] = open("/proc/loadavg").read().strip()
    summary, text = table(results, over)
    text += auth_table(auth)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"meta": meta, "summary": summary, "overhead": over, "auth": auth,
                   "runs": results},
                  f, indent=1)
    print(text)
    print("\nJSON: %s (%.0f s, load %s -> %s)" % (OUT, meta["elapsed_s"],
                                                 meta["loadavg_start"], meta["loadavg_end"]))


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    main()
