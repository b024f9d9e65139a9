#!/bin/bash
# pprof as Go's net/http/pprof serves it (issue 18 item 1), read by the real
# client, Debian's `go tool pprof`: /debug/pprof/profile of the work
# workload has work_a's loop on top; a report set's .pb.gz and its .json,
# built from the same window's samples, agree line by line within 1 pp;
# heap and allocs of the alloc workload put handle_alloc's xmalloc line on
# top; memory off is a 409 naming the key; bad and unknown query
# parameters are 400s naming them.
. "$(dirname "$0")/lib.sh"

GO=$(command -v go || true)
if [ -z "$GO" ]; then
	tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP go is not installed (apt-get install golang-go)"
	exit 0
fi
# go wants a writable home and build cache; pprof reads local files only.
export HOME=$T GOCACHE=$T/gocache GOFLAGS=-mod=mod GOTOOLCHAIN=local
pprof() { "$GO" tool pprof "$@" 2>"$T/pprof.err"; }
src=$top_srcdir/src/app/handlers.c
# line_of FUNCTION TEXT: the line of TEXT inside FUNCTION in handlers.c.
line_of() {
	awk -v f="$1" -v t="$2" '$0 ~ "^"f"\\(" { in_f = 1 }
	    in_f && index($0, t) { print NR; exit }' "$src"
}
# top_line FILE [ARGS]: "function file:line" of the hottest flat entry.
top_line() {
	local f=$1; shift
	pprof -top -lines "$@" "$f" | awk '/flat%/ { go = 1; next }
	    go { print $6, $7; exit }'
}
url() { echo "http://$HL_ADMIN$1"; }
fetch() { curl -s -m "${3:-10}" -o "$2" -w '%{http_code} %{content_type}' "$(url "$1")"; }

dir=$T/reports
start_hotlined pprof -w 1 -o profiling_interval_seconds=2 \
    -o profiling_sample_interval_ms=2 -o profiling_pprof=yes \
    -o "profiling_output_dir=$dir" -o profiling_max_reports=50 \
    -o profiling_memory_sample_bytes=64k || exit 1
load() { $PY "$top_srcdir/tests/integration/load.py" "ws://$HL_WS/web" "$@"; }

# --- CPU: /debug/pprof/profile under the work workload -------------------
load 6 '{"pkg_id":3,"req_id":"w","data":{"a":@3K@,"b":@K@}}' 2 >/dev/null &
loader=$!
samples_over() { admin_get /api/profiling/status | jq "j['samples'] > $1"; }
wait_eq 10 True samples_over 20
r=$(fetch "/debug/pprof/profile?seconds=3" "$T/cpu.pb.gz" 15)
check "GET /debug/pprof/profile?seconds=3 is gzip'ed profile.proto ($r)" \
    test "$r" = "200 application/octet-stream"
pprof -raw "$T/cpu.pb.gz" >"$T/cpu.raw"
check "go tool pprof -raw parses it ($(head -c 80 "$T/pprof.err"))" test $? = 0
top=$(top_line "$T/cpu.pb.gz")
note "hottest: $top"
check "its hottest line is work_a's loop in handlers.c ($top)" \
    test "${top%% *}" = work_a -a "$(echo "$top" | grep -c 'src/app/handlers.c:')" = 1
check "samples carry the worker, pkg_id, handler and kind labels" \
    grep -q 'handler:\[work\] kind:\[own\] worker:\[0\]' "$T/cpu.raw"
check "the sample types are samples/count and cpu/nanoseconds" \
    grep -q '^samples/count cpu/nanoseconds' "$T/cpu.raw"
check "the daemon's mapping comes first, with its build id and line numbers" \
    grep -qE '^1: .*/hotlined [0-9a-f]{40} \[FN\]\[FL\]\[LN\]\[IN\]' "$T/cpu.raw"
check "no frame of the profiler's hooks" \
    test "$(grep -cE 'memhook|memprof_(alloc|free|copy)_slow' "$T/cpu.raw")" = 0
r=$(fetch "/api/profiling/profile?seconds=1&format=pprof" "$T/od.pb.gz")
check "format=pprof on the on-demand profile ($r)" \
    test "$r" = "200 application/octet-stream"
pprof -top "$T/od.pb.gz" >/dev/null
check "go tool pprof -top reads it" test $? = 0
wait "$loader"

# --- the same window's samples: .pb.gz against .json within 1 pp ---------
# shares FILE.json FILE.pb.gz: "file:line json_pct charged_pct flat_pct"
# for the JSON's top three lines. pprof's samples are charged as the JSON
# charges them (the innermost frame in hotline's own sources, xmalloc and
# the like skipped) and, apart, by their leaf (pprof's flat): the same
# samples, so the shares must agree.
shares() {
	pprof -raw "$2" >"$T/set.raw" || return 1
	$PY - "$1" "$T/set.raw" "$top_srcdir" <<'PY'
import json, os, re, sys
d = json.load(open(sys.argv[1]))
src = os.path.realpath(sys.argv[3]) + "/"
rows = [(f["file"], l["line"], l["samples"]) for f in d["files"]
        for l in f["lines"]]
total = d["totals"]["samples"]
raw = open(sys.argv[2]).read()
# Locations: "id: 0xaddr M=n function file:line s=0", inline callers below.
locs, cur = {}, None
for ln in raw.split("\nLocations", 1)[1].split("\nMappings", 1)[0].splitlines():
    m = re.match(r"\s+(\d+): 0x[0-9a-f]+ M=\d+ (.*)", ln)
    rest = m.group(2) if m else ln.strip()
    if m:
        cur = locs.setdefault(int(m.group(1)), [])
    f = re.match(r"(\S+) (\S+):(\d+)", rest)
    if cur is not None and f:
        cur.append((f.group(1), f.group(2), int(f.group(3))))
def charge(ids):
    for i in ids:
        for fn, file, line in locs.get(i, []):
            if os.path.realpath(file).startswith(src) and \
               fn not in ("xmalloc", "xcalloc", "xrealloc", "xstrdup"):
                return (os.path.realpath(file), line)
    return None
charged, flat, n = {}, {}, 0
body = raw.split("\nSamples:", 1)[1].split("\nLocations", 1)[0]
for ln in body.splitlines():
    m = re.match(r"\s+(\d+)\s+\d+: ([\d ]+)$", ln)
    if not m:
        continue
    c, ids = int(m.group(1)), [int(x) for x in m.group(2).split()]
    k = charge(ids)
    charged[k] = charged.get(k, 0) + c
    leaf = locs.get(ids[0], [(None, None, 0)])[0]
    leaf = (os.path.realpath(leaf[1]) if leaf[1] else None, leaf[2])
    flat[leaf] = flat.get(leaf, 0) + c
    n += c
for f, line, s in sorted(rows, key=lambda r: -r[2])[:3]:
    k = (os.path.realpath(f), line)
    print("%s:%d %.2f %.2f %.2f" % (f.rsplit("/", 1)[-1], line,
          100.0 * s / total, 100.0 * charged.get(k, 0) / max(n, 1),
          100.0 * flat.get(k, 0) / max(n, 1)))
print("samples %d %d" % (total, n))
PY
}
# The set with a .pb.gz and the most samples (windows are 2 s; on a busy
# machine the worker may get little CPU in one).
best_set() {
	$PY - "$dir" <<'PY'
import glob, json, os, sys
best = (49, "")
for f in glob.glob(sys.argv[1] + "/profile_*.json"):
    if os.path.exists(f[:-5] + ".pb.gz"):
        best = max(best, (json.load(open(f))["totals"]["samples"], f))
print(best[1])
PY
}
set_json=$(best_set)
check "report sets get a .pb.gz beside the .json (profiling_pprof yes)" \
    test -n "$set_json"
if [ -n "$set_json" ]; then
	out=$(shares "$set_json" "${set_json%.json}.pb.gz")
	echo "$out" | sed 's/^/# json vs pprof: /'
	# rows: file:line json charged flat, then "samples JSON PPROF".
	agree() {
		$PY -c "import sys
rows = [l.split() for l in sys.stdin.read().splitlines()]
lines, (_, a, b) = rows[:-1], rows[-1]
sys.exit(not lines or a != b or any(abs(float(r[1]) - float(r[$1])) > 1.0
    for r in lines[:$2]))" <<<"$out"
	}
	check "the .pb.gz holds the .json's samples, charged alike within 1 pp" \
	    agree 2 3
	check "go tool pprof's flat share of the top line is the JSON's within 1 pp" \
	    agree 3 1
fi

# --- memory: heap and allocs under the alloc workload ---------------------
hooks=$(admin_get /api/profiling/status | jq "j['memory']['hooks']")
load 1 '{"pkg_id":6,"req_id":"k","data":{"bytes":1000,"count":10,"keep":true}}' 1 >/dev/null
r=$(fetch /debug/pprof/heap "$T/heap.pb.gz")
check "GET /debug/pprof/heap answers ($r)" test "$r" = "200 application/octet-stream"
r=$(fetch /debug/pprof/allocs "$T/allocs.pb.gz")
check "GET /debug/pprof/allocs answers ($r)" test "$r" = "200 application/octet-stream"
pprof -raw "$T/heap.pb.gz" >"$T/heap.raw"
check "heap has inuse_objects/count and inuse_space/bytes" \
    grep -q '^inuse_objects/count inuse_space/bytes' "$T/heap.raw"
check "its period is the memory profiler's mean, in space/bytes" \
    test "$(grep -E '^Period(Type)?:' "$T/heap.raw" | tr '\n' ' ')" = "PeriodType: space bytes Period: 65536 "
if [ "$hooks" = True ]; then
	want=src/app/handlers.c:$(line_of handle_alloc 'b = xmalloc(')
	for k in heap allocs; do
		top=$(top_line "$T/$k.pb.gz")
		check "$k: the alloc workload's xmalloc line is on top ($top)" \
		    test "${top%% *}" = handle_alloc -a "${top#*/src/}" = "${want#src/}"
	done
else
	note "malloc hooks are compiled out (ASan): heap and allocs are empty"
fi

# --- bad input: 400s that name what was wrong -----------------------------
# Each line: PATH, a tab, the body and status it must get.
while IFS='	' read -r path want; do
	got=$(curl -s -m 5 -w ' %{http_code}' "$(url "$path")")
	check "$path: $want" test "$got" = "$want"
done <<'EOF'
/api/profiling/profile?second=10	{"error":"unknown query parameter: second"} 400
/debug/pprof/profile?seconds=0	{"error":"seconds must be an integer from 1 to 300"} 400
/debug/pprof/profile?seconds=301	{"error":"seconds must be an integer from 1 to 300"} 400
/debug/pprof/profile?seconds=ten	{"error":"seconds must be an integer from 1 to 300"} 400
/debug/pprof/profile?seconds=2&format=json	{"error":"unknown query parameter: format"} 400
/debug/pprof/heap?gc=1&debug=1	{"error":"unknown query parameters: gc, debug"} 400
/api/profiling/status?verbose=1	{"error":"unknown query parameter: verbose"} 400
/api/profiling/profile?seconds=1&format=xml	{"error":"format must be json, folded, pprof or html"} 400
EOF
refused=$(admin_get /metrics | awk '/^hotline_profiler_requests_refused_total/ { print $2 }')
check "the refusals are counted in /metrics ($refused)" test "${refused:-0}" -ge 8

# --- format=html of the on-demand window ----------------------------------
r=$(fetch "/api/profiling/profile?seconds=1&format=html" "$T/od.html")
check "format=html answers the HTML report ($r)" \
    test "$r" = "200 text/html; charset=utf-8" -a "$(head -c 15 "$T/od.html")" = "<!DOCTYPE html>"

# --- ?name=: the on-demand window kept as a named report set -------------
r=$(fetch "/api/profiling/profile?seconds=1&name=broadcast" "$T/named.json")
check "?name=broadcast answers the profile ($r)" test "$r" = "200 application/json"
named() { admin_get /api/profiling/reports | jq "sorted(r['filename'].split('_2')[0] + '.' + r['filename'].split('.', 1)[1] for r in j['reports'] if r['filename'].startswith('broadcast_'))"; }
check "the list API lists broadcast_profile_<stamp>.{json,html}" \
    test "$(named)" = "['broadcast_profile.html', 'broadcast_profile.json']"
f=$(admin_get /api/profiling/reports | jq "[r['filename'] for r in j['reports'] if r['filename'].startswith('broadcast_') and r['filename'].endswith('.html')][0]")
r=$(curl -s -m 5 -o "$T/named.html" -w '%{http_code}' "$(url "/api/profiling/reports/$f")")
check "and serves the named HTML ($f: $r)" \
    test "$r" = 200 -a "$(head -c 15 "$T/named.html")" = "<!DOCTYPE html>"
for n in 'bad%20name' 'a.b' "$(printf 'x%.0s' $(seq 65))"; do
	r=$(curl -s -m 5 -w ' %{http_code}' "$(url "/api/profiling/profile?seconds=1&name=$n")")
	check "name=${n:0:12}... is a 400 ($r)" \
	    test "$r" = '{"error":"name must be 1 to 64 of A-Z, a-z, 0-9, _ and -"} 400'
done
r=$(curl -s -m 5 -w ' %{http_code}' "$(url "/api/profiling/reports?limit=1")")
check "the reports list refuses unknown parameters too ($r)" \
    test "$r" = '{"error":"unknown query parameter: limit"} 400'

# --- memory profiler off: 409 naming the key; the token rules -------------
HL_TOKEN=pprof-test-token
start_hotlined cpuonly -w 1 -o profiling_cpu_only=yes \
    -o "admin_token=$HL_TOKEN" || exit 1
r=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$(url /debug/pprof/heap)")
check "without the admin token pprof is refused ($r)" test "$r" = 401
r=$(admin_get /debug/pprof/allocs)
check "memory off: allocs is a 409 naming profiling_cpu_only ($r)" \
    test "${r#*profiling_cpu_only}" != "$r"
r=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $HL_TOKEN" "$(url /debug/pprof/heap)")
check "and heap's status is 409 ($r)" test "$r" = 409
unset HL_TOKEN
