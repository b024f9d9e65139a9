#!/bin/bash
# Pushing each window's pprof to Grafana Pyroscope (issue 18 item 2),
# against a loopback receiver that checks each request as Pyroscope's
# ingest API documents it (pyroscope_rx.py) and profiles that go tool
# pprof reads; a receiver answering 500, hanging or gone costs one log line
# per outage, never a report: the windows keep being written on time.
# A push URL that is not http(s) is a file:line configuration error.
. "$(dirname "$0")/lib.sh"

GO=$(command -v go || true)
export HOME=$T GOCACHE=$T/gocache GOFLAGS=-mod=mod GOTOOLCHAIN=local

# --- configuration errors name file:line and the key ----------------------
printf 'profiling_enabled yes\nprofiling_push_url ftp://127.0.0.1/x\n' >"$T/bad-url.conf"
printf 'profiling_push_labels team=a,,b\n' >"$T/bad-labels.conf"
"$HOTLINED" -t -c "$T/bad-url.conf" >"$T/t1.out" 2>&1
check "a push URL that is not http(s) is an error at file:line" \
    grep -q "bad-url.conf:2: profiling_push_url: \"ftp://127.0.0.1/x\" is not an http:// or https:// URL" "$T/t1.out"
"$HOTLINED" -t -c "$T/bad-labels.conf" >"$T/t2.out" 2>&1
check "labels that are not k=v,k=v are an error at file:line" \
    grep -q "bad-labels.conf:1: profiling_push_labels: " "$T/t2.out"

# --- the receiver and the daemon ------------------------------------------
rx=$T/rx
mkdir -p "$rx"
echo ok >"$rx/mode"
$PY "$top_srcdir/tests/integration/pyroscope_rx.py" "$rx" "team=core,env=ci" &
rx_pid=$!
wait_until 10 test -s "$rx/port" || { not_ok "the receiver started"; exit 1; }
dir=$T/reports
start_hotlined push -w 1 -o profiling_interval_seconds=1 \
    -o profiling_sample_interval_ms=2 -o "profiling_output_dir=$dir" \
    -o profiling_max_reports=100 \
    -o "profiling_push_url=http://127.0.0.1:$(cat "$rx/port")" \
    -o profiling_push_labels=team=core,env=ci || exit 1
$PY "$top_srcdir/tests/integration/load.py" "ws://$HL_WS/web" 40 \
    '{"pkg_id":3,"req_id":"w","data":{"a":@3K@,"b":@K@}}' 1 >/dev/null &
loader=$!
metric() { admin_get /metrics | awk -v m="$1" '$1 == m { print $2 }'; }
sets() { ls "$dir"/profile_*.json 2>/dev/null | wc -l; }
# grows SECONDS: at least SECONDS - 1 new report sets in SECONDS seconds.
grows() {
	local before after
	before=$(sets); sleep "$1"; after=$(sets)
	note "report sets: $before -> $after in $1 s"
	test "$after" -ge $((before + $1 - 1))
}

# --- ok: requests as Pyroscope's API has them, profiles pprof reads --------
wait_until 15 grep -q '^ok 2$' "$rx/requests.log"
check "windows are pushed, each request as the ingest API documents it" \
    test "$(grep -c '^ok' "$rx/requests.log")" -ge 2 -a \
    "$(grep -c '^bad' "$rx/requests.log")" = 0
grep '^bad' "$rx/requests.log" | head -3 | sed 's/^/# /'
if [ -n "$GO" ]; then
	types=$(for f in "$rx"/*.pb.gz; do "$GO" tool pprof -raw "$f" 2>/dev/null | sed -n 's/^\(samples\|alloc_objects\)\/count .*/&/p'; done | sort -u | tr '\n' ' ')
	check "go tool pprof reads them: CPU and allocation profiles ($types)" \
	    test "$types" = "alloc_objects/count alloc_space/bytes[dflt] samples/count cpu/nanoseconds[dflt] "
fi
check "pushes are counted ($(metric hotline_profiler_pushes_total))" \
    test "$(metric hotline_profiler_pushes_total)" -ge 2

# --- 500: one log line for the outage, reports on time --------------------
echo 500 >"$rx/mode"
check "while the receiver answers 500, windows are written on time" grows 4
check "the outage is logged once" \
    test "$(grep -c 'profiling push to .* failed: HTTP 500' "$HL_LOG")" = 1
echo ok >"$rx/mode"
check "its end is logged once" wait_until 10 grep -q 'profiling push to .* works again' "$HL_LOG"

# --- hanging: the timeout frees it; reports on time -----------------------
echo hang >"$rx/mode"
check "while the receiver hangs, windows are written on time" grows 4
echo ok >"$rx/mode"

# --- gone: reports on time, the daemon stops promptly ---------------------
kill "$rx_pid" 2>/dev/null
wait "$rx_pid" 2>/dev/null
check "with the receiver gone, windows are written on time" grows 3
check "reports and the admin port still answer" health_ok
kill "$loader" 2>/dev/null
wait "$loader" 2>/dev/null
t0=$(date +%s)
stop_hotlined "$HL_PID" TERM
check "a stop does not wait for pushes ($(( $(date +%s) - t0 )) s)" \
    test $(( $(date +%s) - t0 )) -le 5
