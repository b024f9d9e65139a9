#!/bin/bash
# The whole run's report and windows that span a worker's death (issue
# 16): two workers run CPU work and keep blocks at a steady rate (a planted
# leak); one is killed with SIGKILL mid-window; the daemon stops. The
# interval report that spans the kill still lists the dead worker, with
# its exit cause, and reconciles its samples with the CPU the kernel gave
# it; the final report has every worker of the run, the run's overhead and
# reconciliation, its sampled heap and the leak.
. "$(dirname "$0")/lib.sh"

dir=$T/reports-final
start_hotlined final -w 2 -o profiling_interval_seconds=2 \
    -o profiling_memory_sample_bytes=2k || exit 1
url="ws://$HL_WS/web"
hooks=$(admin_get /api/profiling/status | jq "j['memory']['hooks']")
[ "$hooks" = True ] || note "malloc hooks are compiled out in this build (ASan): the heap and leak checks are skipped"

# drive SECONDS: two connections of CPU work and one keeping 20 KB per
# request (about 0.5 MB/s), paced, reconnecting when a worker dies under
# them; bounded by SECONDS.
drive() {
	$PY - "$url" "$1" <<'PY'
import asyncio, sys, time, websockets
WORK = '{"pkg_id":3,"req_id":"w","data":{"a":20000000}}'
KEEP = ('{"pkg_id":6,"req_id":"k","data":{"bytes":2000,"count":10,'
        '"keep":true}}')
async def conn(url, end, msg, pause):
    while time.monotonic() < end:
        try:
            async with websockets.connect(url, open_timeout=5) as ws:
                while time.monotonic() < end:
                    await ws.send(msg)
                    await asyncio.wait_for(ws.recv(), 10)
                    await asyncio.sleep(pause)
        except Exception:
            await asyncio.sleep(0.1)
async def main(url, secs):
    end = time.monotonic() + secs
    await asyncio.gather(conn(url, end, WORK, 0), conn(url, end, WORK, 0),
                         conn(url, end, KEEP, 0.04))
asyncio.run(main(sys.argv[1], float(sys.argv[2])))
PY
}
samples() { admin_get /api/profiling/status | jq "j['samples']"; }
flowing() { test "$(samples)" -gt 30; }
replaced() {
	local p
	p=$(running_pids)
	test "$(echo "$p" | grep -c .)" = 2 && ! echo "$p" | grep -qx "$victim"
}
# kill_report: the interval report whose window holds the kill (it lists
# the killed worker as exited).
kill_report() {
	$PY - "$dir" "$victim" <<'PY'
import glob, json, sys
for f in sorted(glob.glob(sys.argv[1] + "/profile_*.json")):
    d = json.load(open(f))
    if d["kind"] == "interval" and any(w["pid"] == int(sys.argv[2]) and
            w["state"] == "exited" for w in d["workers"]):
        print(f)
        sys.exit(0)
sys.exit(1)
PY
}
t0=$(date +%s.%N)
pids=$(running_pids | tr '\n' ' ')
drive 20 &
driver=$!
# Kill once samples flow: somewhere inside a 2 s window.
check "samples flow" wait_until 10 flowing
# An on-demand profile whose 3 s span the kill.
curl -s -m 15 "http://$HL_ADMIN/api/profiling/profile?seconds=3" \
    >"$T/on_demand.json" &
capture=$!
victim=$(running_pids | sed -n 1p)
# The request is logged as the capture starts.
wait_until 5 grep -q 'api/profiling/profile' "$HL_LOG"
kill -9 "$victim"
note "killed worker $victim at $($PY -c "import time; print(round(time.time() - $t0, 1))") s"
check "the supervisor replaces the killed worker" wait_until 10 replaced
pids="$pids $(running_pids | tr '\n' ' ')"
kill_seen() { kill_report >/dev/null; }
check "an interval report lists the killed worker" wait_until 10 kill_seen
r=$(kill_report)
if [ -n "$r" ]; then
	w=$(jq "[(w['exit'].get('signal_name'), w['cpu_source'], w['samples'] > 0) for w in j['workers'] if w['pid'] == $victim]" <"$r")
	check "... killed by SIGKILL, its CPU from wait4, with its samples ($w)" \
	    test "$w" = "[('SIGKILL', 'rusage', True)]"
	g=$(jq "(j['reconciliation']['gap_pct'], j['totals']['samples'])" <"$r")
	note "window with the kill: gap_pct, samples = $g"
	check "... and its samples reconcile with the kernel's CPU (gap within 25%: $g)" \
	    test "$(jq "abs(j['reconciliation']['gap_pct']) <= 25" <"$r")" = True
fi

wait "$capture"
w=$(jq "[(w['exit'].get('signal_name'), w['cpu_source']) for w in j['workers'] if w['pid'] == $victim]" <"$T/on_demand.json")
check "the on-demand profile that spans the kill lists the killed worker ($w)" \
    test "$w" = "[('SIGKILL', 'rusage')]"
g=$(jq "(j['reconciliation']['gap_pct'], j['totals']['samples'])" <"$T/on_demand.json")
check "... and reconciles within 25% ($g)" \
    test "$(jq "abs(j['reconciliation']['gap_pct']) <= 25" <"$T/on_demand.json")" = True

# Stop while the load still runs: the leak is still growing at the end.
stop_hotlined "$HL_PID" TERM
kill "$driver" 2>/dev/null
wait "$driver" 2>/dev/null
f=""
for x in $(ls -t "$dir"/profile_*.json 2>/dev/null); do
	if [ "$(jq "j['kind']" <"$x")" = final ]; then f=$x; break; fi
done
check "a final report was written" test -n "$f"
[ -n "$f" ] || exit 1
want=$($PY -c "print(sorted(set(int(p) for p in '$pids'.split())))")
check "the final report has every worker of the run ($want)" \
    test "$(jq "sorted(w['pid'] for w in j['workers'])" <"$f")" = "$want"
check "... all exited, the killed one by SIGKILL" test "$(jq "(all(w['state'] == 'exited' for w in j['workers']), [w['exit'].get('signal_name') for w in j['workers'] if w['pid'] == $victim])" <"$f")" = "(True, ['SIGKILL'])"
survivor=$(echo "$pids" | tr ' ' '\n' | grep -v "^$victim\$" | sed -n 1p)
check "... each with its CPU, the two that ran the load with samples" \
    test "$(jq "all(w['utime_seconds'] + w['stime_seconds'] > 0 for w in j['workers']) and all(w['samples'] > 0 for w in j['workers'] if w['pid'] in ($victim, $survivor))" <"$f")" = True
o=$(jq "(j['overhead']['overhead_pct'], j['overhead']['sampler_seconds'])" <"$f")
check "the run's overhead is measured ($o)" \
    test "$(jq "j['overhead']['overhead_pct'] > 0 and j['overhead']['sampler_seconds'] > 0" <"$f")" = True
g=$(jq "(j['reconciliation']['sampled_cpu_seconds'], j['reconciliation']['proc_cpu_seconds'], j['reconciliation']['gap_pct'])" <"$f")
note "final: sampled, kernel CPU seconds, gap_pct = $g"
check "the run reconciles with the kernel's CPU of every worker (gap within 25%: $g)" \
    test "$(jq "j['reconciliation']['proc_cpu_seconds'] >= sum(w['utime_seconds'] + w['stime_seconds'] for w in j['workers']) - 0.01 and abs(j['reconciliation']['gap_pct']) <= 25" <"$f")" = True
check "hotline-report text names the killed worker" sh -c \
    "'$top_builddir/tools/hotline-report' text '$f' | grep -q 'pid $victim) killed by SIGKILL'"
if [ "$hooks" = True ]; then
	h=$(jq "(j['totals']['heap_mb'], j['totals']['heap_exited_mb'])" <"$f")
	check "the run's sampled heap is not 0 ($h)" \
	    test "$(jq "j['totals']['heap_mb'] > 0" <"$f")" = True
	l=$(jq "[(l['function'], l['likelihood'], l['net_mb']) for l in j['leaks']]" <"$f")
	note "final leaks: $l"
	check "the planted leak is flagged at handle_alloc" \
	    test "$(jq "any(l['function'] == 'handle_alloc' and l['file'].endswith('src/app/handlers.c') for l in j['leaks'])" <"$f")" = True
fi
