#!/bin/bash
# The memory profiler end to end, with workloads whose true answer is
# known: the alloc handler allocates and frees a known volume at one line
# (reported within 15 %); kept blocks ("keep": true) grow at a known rate
# and are named as a leak at that line; echo traffic beside them is not.
# Small sample sizes (a few KiB) give enough samples in seconds (see
# docs/profiler.md for the error at the 512 KiB default).
. "$(dirname "$0")/lib.sh"

url() { echo "ws://$HL_WS/web"; }
load() { $PY "$top_srcdir/tests/integration/load.py" "$(url)" "$@"; }
# send N JSON: N requests one after another on one connection, 100 a
# second (a known, moderate allocation rate: at a 4 KiB mean, 10 MB/s is
# 2,500 samples a second, far below what the event ring carries).
send() {
	$PY - "$(url)" "$1" "$2" <<'PY'
import asyncio, json, sys, time, websockets
async def main(url, n, msg):
    async with websockets.connect(url, open_timeout=5) as ws:
        t0 = time.monotonic()
        for i in range(n):
            await ws.send(msg)
            r = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if r.get("status_code") != 0:
                print("bad reply", r); sys.exit(1)
            await asyncio.sleep(max(0, t0 + (i + 1) / 100 - time.monotonic()))
asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
PY
}
# final_report DIR: the final report's path.
final_report() {
	for f in $(ls -t "$1"/profile_*.json 2>/dev/null); do
		if [ "$(jq "j['kind']" <"$f")" = final ]; then echo "$f"; return; fi
	done
}
# alloc_line REPORT: "alloc_mb net_mb leak_likelihood" of the line in
# handle_alloc that allocated the most.
alloc_line() {
	jq "' '.join(str(x) for x in max(([l['alloc_mb'], l['net_mb'], l['leak_likelihood']] for f in j['files'] for l in f['lines'] if l['function'] == 'handle_alloc'), default=[0, 0, 0]))"
}

# --- volume: a known number of bytes allocated and freed at one line ------
start_hotlined vol -w 1 -o profiling_interval_seconds=2 \
    -o profiling_memory_sample_bytes=4k || exit 1
hooks=$(admin_get /api/profiling/status | jq "j['memory']['hooks']")
check "status shows the memory profiler on" test "$(admin_get /api/profiling/status | jq "(j['memory']['enabled'], j['memory']['sample_bytes'])")" = "(True, 4096)"
if [ "$hooks" != True ]; then
	note "malloc hooks are compiled out in this build (ASan): the volume and leak checks are skipped"
fi
# 400 requests x 100 blocks x (1000 + 16 header) bytes: 40.64 MB, in blocks
# small enough (p = 22 % at a 4 KiB mean) that sampling decides.
n=400
send $n '{"pkg_id":6,"req_id":"v","data":{"bytes":1000,"count":100}}'
check "the alloc requests were answered" test $? = 0
load 2 '{"pkg_id":1,"req_id":"e","data":{"text":"hello"}}' 2 >/dev/null
stop_hotlined "$HL_PID" TERM
r=$(final_report "$T/reports-vol")
check "a final report was written" test -n "$r"
check "the report is schema 1.5 with the memory object" test "$(jq "(j['schema_version'], j['memory']['enabled'], j['memory']['sample_bytes'])" <"$r")" = "('1.5', True, 4096)"
check "the report has a bounded timeline with the worker's RSS" test "$(jq "0 < len(j['timeline']['points']) <= 100 and max(w['rss_mb'] for p in j['timeline']['points'] for w in p['workers']) > 1" <"$r")" = True
dropped=$($PY -c "import glob, json; print(sum(json.load(open(f))['memory']['dropped'] for f in glob.glob('$T/reports-vol/*.json')))")
check "no memory record was lost to a full ring ($dropped)" test "$dropped" = 0
if [ "$hooks" = True ]; then
	set -- $(alloc_line <"$r")
	want=$($PY -c "print($n * 100 * 1016 / 1e6)")
	note "alloc line: $1 MB allocated (true $want MB), net $2 MB"
	check "the alloc line's volume is within 15% of the true $want MB ($1)" \
	    $PY -c "import sys; sys.exit(not abs($1 - $want) <= 0.15 * $want)"
	check "its blocks were all freed: net within 15% of 0 ($2 MB)" \
	    $PY -c "import sys; sys.exit(not abs($2) <= 0.15 * $want)"
	check "freed memory is not a leak (likelihood $3)" \
	    $PY -c "import sys; sys.exit(not $3 < 0.5)"
	check "no leak is flagged after alloc-and-free and echo traffic" \
	    test "$(jq "len(j['leaks'])" <"$r")" = 0
	check "the handler table has alloc bytes per call" test "$(jq "[h['alloc_bytes_per_call'] > 50000 for h in j['handlers'] if h['pkg_id'] == 6]" <"$r")" = "[True]"
	check "the totals have sampled events" test "$(jq "j['totals']['mallocs'] > 1000 and j['totals']['frees'] > 1000" <"$r")" = True
fi

# --- a leak: kept blocks at a steady rate, with echo beside them ---------
start_hotlined leak -w 1 -o profiling_interval_seconds=1 \
    -o profiling_memory_sample_bytes=2k -o profiling_copy=yes || exit 1
load 6 '{"pkg_id":1,"req_id":"e","data":{"text":"hello"}}' 2 >/dev/null &
echo_pid=$!
# 20 KB kept per request, paced: about 0.5 MB/s for 6 s (3 MB of the
# handler's 256 MB bound).
$PY - "$(url)" <<'PY'
import asyncio, json, sys, time, websockets
async def main(url):
    async with websockets.connect(url, open_timeout=5) as ws:
        end = time.monotonic() + 6
        while time.monotonic() < end:
            await ws.send('{"pkg_id":6,"req_id":"k","data":{"bytes":2000,"count":10,"keep":true}}')
            json.loads(await asyncio.wait_for(ws.recv(), 10))
            await asyncio.sleep(0.04)
asyncio.run(main(sys.argv[1]))
PY
wait $echo_pid
sleep 1.5
ri=$(ls -t "$T/reports-leak"/profile_*.json | head -1)
if [ "$hooks" = True ]; then
	leaks=$(jq "[(l['function'], l['likelihood'] >= 0.95, l['growth_mb_s'] > 0.1) for l in j['leaks']]" <"$ri")
	note "leaks in the last interval report: $leaks"
	check "the kept blocks are named as a leak at handle_alloc" \
	    test "$(jq "any(l['function'] == 'handle_alloc' and l['file'].endswith('src/app/handlers.c') and l['likelihood'] >= 0.95 for l in j['leaks'])" <"$ri")" = True
	check "nothing else is flagged (echo ran beside it)" \
	    test "$(jq "all(l['function'] == 'handle_alloc' for l in j['leaks'])" <"$ri")" = True
	check "the leaking line carries a memory timeline" \
	    test "$(jq "any(len(l.get('timeline', [])) > 0 and l['function'] == 'handle_alloc' for f in j['files'] for l in f['lines'])" <"$ri")" = True
	check "the worker's sampled heap and allocation volume show in /metrics" \
	    $PY -c "import re,sys; t=sys.stdin.read(); m=re.search(r'hotline_worker_memprof_heap_sampled_bytes\{[^}]*\} (\d+)', t); a=re.search(r'hotline_worker_allocated_sampled_bytes_total\{[^}]*\} (\d+)', t); sys.exit(not (m and int(m.group(1)) > 1000000 and a and int(a.group(1)) >= int(m.group(1))))" < <(admin_get /metrics)
fi
if [ "$hooks" = True ]; then
	check "copy sampling reports copy MB (library calls and socket I/O)" \
	    test "$(jq "j['memory']['copy'] and j['totals']['copy_mb'] > 0" <"$ri")" = True
fi
# POST stop turns the memory hooks off too; start turns them back on.
allocs() { admin_get /api/workers | jq "sum(w.get('memprof_allocs', 0) for w in j['workers'])"; }
check "POST /api/profiling/stop: memory sampling says off" test "$(curl -s -X POST "http://$HL_ADMIN/api/profiling/stop" >/dev/null; admin_get /api/profiling/status | jq "(j['enabled'], j['memory']['enabled'])")" = "(False, False)"
sleep 0.7	# workers follow the switch at their 500 ms tick
before=$(allocs)
send 50 '{"pkg_id":6,"req_id":"s","data":{"bytes":1000,"count":100}}'
check "... and no allocation is sampled while stopped ($before)" test "$(allocs)" = "$before"
curl -s -X POST "http://$HL_ADMIN/api/profiling/start" >/dev/null
sleep 0.7
send 50 '{"pkg_id":6,"req_id":"s","data":{"bytes":1000,"count":100}}'
if [ "$hooks" = True ]; then
	check "POST /api/profiling/start: sampling resumes" test "$(allocs)" -gt "$before"
fi
stop_hotlined "$HL_PID" TERM

# --- cpu_only: no memory keys --------------------------------------------
start_hotlined cpu -w 1 -o profiling_interval_seconds=1 \
    -o profiling_cpu_only=yes || exit 1
load 2 '{"pkg_id":3,"req_id":"w","data":{"a":300000,"b":100000}}' 2 >/dev/null
stop_hotlined "$HL_PID" TERM
r=$(final_report "$T/reports-cpu")
check "profiling_cpu_only: the report says memory is off and has no leaks" \
    test "$(jq "(j['memory']['enabled'], 'leaks' in j, 'alloc_mb' in j['totals'])" <"$r")" = "(False, False, False)"
