#!/bin/bash
# The profiler against a module that times its own parts (issue 16): a
# handler spending known shares in arithmetic, memcpy and malloc/free, one
# line each, gets those shares on those lines, the library time charged as
# native libc.so.6 time through the daemon's interposers; and no frame of
# hotline's own hooks (memhook.c, memprof.c) appears in any output, with
# the memory and copy profilers on as well. Tolerances come from the
# sample count: 4 standard errors, and the test samples until that is
# 2 percentage points or less.
. "$(dirname "$0")/lib.sh"

so=$top_builddir/tests/modules/.libs/truth.so
src=$top_srcdir/tests/modules/truth.c
check "the truth module was built" test -f "$so" || exit 1
line_of() { grep -n "/\* $1 \*/" "$src" | head -1 | cut -d: -f1; }
COPY=$(line_of COPY)
ALLOC=$(line_of ALLOC)

# split N MS: N requests of MS ms each on one connection; prints the last
# reply's data (the module's cumulative truth).
split() {
	$PY - "ws://$HL_WS/web" "$1" "$2" <<'PY'
import asyncio, json, sys, websockets
async def main(url, n, ms):
    async with websockets.connect(url, open_timeout=5) as ws:
        for i in range(n):
            await ws.send(json.dumps({"pkg_id": 200, "req_id": str(i), "data": {"ms": ms}}))
            r = json.loads(await asyncio.wait_for(ws.recv(), 60))
            if r.get("status_code") != 0:
                print("bad reply", r); sys.exit(1)
        print(json.dumps(r["data"]))
asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
PY
}
# Stops are graceful (QUIT): the final report gets 30 s, not a fast
# stop's 2 s, which an ASan build needs for ~40,000 samples.
final_report() {
	for f in $(ls -t "$1"/profile_*.json 2>/dev/null); do
		if [ "$(jq "j['kind']" <"$f")" = final ]; then echo "$f"; return; fi
	done
}
# no_frames RE FILE...: no file matches RE (printed when one does).
no_frames() {
	local re=$1; shift
	if grep -qE "$re" "$@"; then
		grep -oE ".{0,60}($re).{0,60}" "$@" | head -3 | sed 's/^/# /'
		return 1
	fi
}
# The hooks' frames: memhook.c's, and memprof.c's sampled path (not its
# setup and statistics, which the worker's tick calls as ordinary code).
HOOKS='memhook|memprof_(alloc|free|copy)_slow|memprof_(unwind|write|reserve|table|draw|weight|filter|between|now)'
# no_hooks FILE...: no hook frame in reports and folded stacks, nor in HTML
# (whose embedded source of conn.c calls memprof_count_copy: not a frame).
no_hooks() {
	local f
	for f in "$@"; do
		case $f in
		*.html)	no_frames "$HOOKS" "$f" || return 1 ;;
		*)	no_frames "$HOOKS|memprof_count_copy" "$f" || return 1 ;;
		esac
	done
}

# --- shares: CPU sampling at 1 ms, a known split --------------------------
start_hotlined cpu -w 1 -o "module=$so" -o profiling_cpu_only=yes \
    -o profiling_sample_interval_ms=1 -o profiling_interval_seconds=3600 || exit 1
# Under ASan the interposers are compiled out and libasan's own serve
# malloc and memcpy: the libraries named are then libasan's.
hooks=$(admin_get /api/profiling/status | jq "j['memory']['hooks']")
LIBC=libc.so
if [ "$hooks" != True ]; then
	note "memory hooks compiled out (ASan): the native library is libasan"
	LIBC=libasan.so
fi
# Sample until 4 standard errors of the largest share checked are <= 2 pp
# (p = 0.5 needs 10,000 samples: 10 s of CPU at 1 ms), 40 s at most.
truth=
for round in 1 2 3 4 5 6 7 8 9 10; do
	truth=$(split 4 1000) || break
	need=$(echo "$truth" | jq "int(16 * 0.25 / 0.02 ** 2 * 1.1e6 > j['all_ns'])")
	[ "$need" = 0 ] && break
done
check "the module answered with its truth" test -n "$truth"
stop_hotlined "$HL_PID" QUIT
r=$(final_report "$T/reports-cpu")
check "a final report was written" test -n "$r" || exit 1
$PY - "$r" "$truth" "$COPY" "$ALLOC" "$LIBC" >"$T/shares.out" <<'PY'
import json, math, sys
rep = json.load(open(sys.argv[1])); truth = json.loads(sys.argv[2])
copy_line, alloc_line = int(sys.argv[3]), int(sys.argv[4])
lines = [l for f in rep["files"] if f["file"].endswith("tests/modules/truth.c") for l in f["lines"]]
n = sum(l["samples"] for l in lines)
def share(pred): return sum(l["samples"] for l in lines if pred(l)) / n if n else 0
parts = [("copy", share(lambda l: l["line"] == copy_line), truth["copy_ns"] / truth["all_ns"]),
         ("alloc", share(lambda l: l["line"] == alloc_line), truth["alloc_ns"] / truth["all_ns"]),
         ("arith", share(lambda l: l["function"] == "arith"), truth["arith_ns"] / truth["all_ns"])]
ok = n > 0
for name, got, true in parts:
    tol = max(0.02, 4 * math.sqrt(true * (1 - true) / max(n, 1)))
    good = abs(got - true) <= tol
    ok = ok and good
    print("# %-5s true %.2f %% reported %.2f %% (tolerance %.2f pp, %d samples)%s"
          % (name, 100 * true, 100 * got, 100 * tol, n, "" if good else " FAIL"))
libs = {l["line"]: l.get("native_libraries", []) for l in lines}
for ln in (copy_line, alloc_line):
    if not any(x.startswith(sys.argv[5]) for x in libs.get(ln, [])):
        print("# line %d names no libc: %s" % (ln, libs.get(ln))); ok = False
print("OK" if ok else "FAIL")
PY
cat "$T/shares.out" | grep '^#'
check "each part's share is on its line within 4 standard errors (<= 2 pp)" \
    grep -qx OK "$T/shares.out"
check "no hook frame in the report, its folded stacks or its HTML" \
    no_hooks "$r" "${r%.json}.folded" "${r%.json}.html"
check "the report counts the hooks' own samples as overhead" \
    test "$(jq "'hook_samples' in j['overhead'] and 'hook_sampled_seconds' in j['overhead']" <"$r")" = True

# --- memory and copy profilers on: still no hook frame anywhere ----------
start_hotlined mem -w 1 -o "module=$so" -o profiling_copy=yes \
    -o profiling_memory_sample_bytes=4k -o profiling_sample_interval_ms=1 \
    -o profiling_interval_seconds=2 || exit 1
split 3 1000 >/dev/null
check "the module answered" test $? = 0
# On-demand profiles (JSON and folded) while the module runs.
curl -s -m 10 "http://$HL_ADMIN/api/profiling/profile?seconds=2" \
    >"$T/ondemand.json" & getter=$!
split 2 1000 >/dev/null
wait "$getter"
curl -s -m 10 "http://$HL_ADMIN/api/profiling/profile?seconds=1&format=folded" \
    >"$T/ondemand.folded" & getter=$!
split 1 1000 >/dev/null
wait "$getter"
stop_hotlined "$HL_PID" QUIT
r=$(final_report "$T/reports-mem")
check "a final report was written" test -n "$r" || exit 1
check "the on-demand profile sampled" test "$(jq "j['totals']['samples'] > 0" <"$T/ondemand.json")" = True
if [ "$hooks" = True ]; then
	check "the hooks ran and their samples were counted apart" \
	    test "$(jq "j['overhead']['hook_samples'] > 0 and j['memory']['enabled']" <"$r")" = True
fi
check "no hook frame in any report, folded stacks or HTML" \
    no_hooks "$T"/reports-mem/profile_* "$T/ondemand.json" "$T/ondemand.folded"
check "the copy line is charged native time in $LIBC" \
    test "$(jq "any(l['line'] == $COPY and any(x.startswith('$LIBC') for x in l.get('native_libraries', [])) for f in j['files'] if f['file'].endswith('truth.c') for l in f['lines'])" <"$r")" = True

# --- a module without line tables: named object!function -----------------
nolines=$T/truth-nolines.so
if ! objcopy --strip-debug "$so" "$nolines" 2>/dev/null; then
	note "objcopy unavailable: the module-without-lines checks are skipped"
	exit 0
fi
"$HOTLINED" -t -o "module=$nolines" -o "module=$so" >"$T/t.out" 2>&1
check "hotlined -t warns of the module without lines, only of it" \
    test "$(grep -c 'has no line table' "$T/t.out")-$(grep -c "$nolines has no line table.*-g -O2 -fno-omit-frame-pointer" "$T/t.out")" = 1-1
start_hotlined nolines -w 1 -o "module=$nolines" -o profiling_cpu_only=yes \
    -o profiling_sample_interval_ms=1 -o profiling_interval_seconds=3600 || exit 1
check "the load warns that it has no line table" \
    grep -q "warn: module $nolines has no line table" "$HL_LOG"
check "the status lists it among the objects without lines" \
    test "$(admin_get /api/profiling/status | jq "'$nolines' in j['objects_without_lines']")" = True
split 2 1000 >/dev/null
check "the module without lines answered" test $? = 0
stop_hotlined "$HL_PID" QUIT
r=$(final_report "$T/reports-nolines")
check "a final report was written" test -n "$r" || exit 1
$PY - "$r" "$nolines" >"$T/nolines.out" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1])); so = sys.argv[2]
lines = [(f["file"], l) for f in rep["files"] for l in f["lines"]]
total = sum(l["samples"] for _, l in lines)
mine = sum(l["samples"] for f, l in lines if f == so)
arith = sum(l["samples"] for f, l in lines if l["function"] == "truth-nolines.so!arith")
named = all(l["function"].startswith("truth-nolines.so!") for f, l in lines if f == so)
router = max([l["samples"] for f, l in lines if f.endswith("router.c")] or [0])
print("# module %d of %d samples, arith %d, hottest router.c line %d"
      % (mine, total, arith, router))
ok = (total > 500 and mine > 0.8 * total and arith > 0.05 * total and named and
      router < 0.05 * total and so in rep.get("objects_without_lines", []))
print("OK" if ok else "FAIL")
PY
grep '^#' "$T/nolines.out"
check "a module without -g is charged as truth-nolines.so!function, not to router.c" \
    grep -qx OK "$T/nolines.out"
