#!/bin/bash
# hotline-bench drives any handler (issue 18 item 4): --message moves the
# per-pkg_id counters of the pkg_id it names (the admin port's
# ws_message_processing_duration_seconds_count), --mix splits by weight
# within 5 standard errors of a binomial, a module's handler answers, the
# seed's named scenario expands to 1000 x 100 at 100/s and runs scaled
# down, and bad templates and mix files are refused naming FILE:LINE.
# Small counts: a few seconds in all.
. "$(dirname "$0")/lib.sh"

if grep -q '^#define HL_ASAN 1' "$top_builddir/autoconf.h" 2>/dev/null; then
	# as t_bench.sh: the generator's fixed timeouts are not for ASan's pace
	BENCH_TIMEOUT=60
fi
BENCH=$top_builddir/bench/client/hotline-bench
so=$top_builddir/contrib/modules/.libs/example.so
check "hotline-bench was built" test -x "$BENCH"
check "the example module was built" test -f "$so"
start_hotlined bench_msg -w 1 -o "module=$so" -o profiling_enabled=no ||
	exit 1

# bench NAME ARGS...: run it against the daemon; its JSON line in $T/NAME.json.
bench() {
	local name=$1; shift
	timeout "${BENCH_TIMEOUT:-20}" "$BENCH" "$@" --url "ws://$HL_WS/web" \
	    >"$T/$name.out" 2>"$T/$name.log"
	local rc=$?
	tail -1 "$T/$name.out" >"$T/$name.json"
	[ "$rc" -eq 0 ] || { note "$name exited $rc:"; sed 's/^/#   /' "$T/$name.log" | tail -5; }
	return $rc
}
# expect NAME EXPR: EXPR (Python, j = NAME's JSON, pk = its pkg_ids by id).
expect() {
	check "$1: $2" "$PY" -c '
import json, sys
j = json.loads(open(sys.argv[1]).read())
pk = {p["pkg_id"]: p for p in j.get("pkg_ids", [])}
sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/$1.json" "$2"
}
# handled PKG_ID: the daemon's count of replies to that pkg_id.
handled() {
	admin_get /metrics | sed -n \
	    's/^ws_message_processing_duration_seconds_count{pkg_id="'"$1"'"} //p'
}

clean='j["errors"] == 0 and j["handshake_failures"] == 0'
w0=$(handled 3)
bench work scenario -c 20 -m 50 \
    --message '{"pkg_id":3,"data":{"iterations":{rand:1000},"syscalls":0}}'
expect work "$clean and j['messages'] == 1000 and pk[3]['count'] == 1000 and pk[3]['errors'] == 0 and pk[3]['p99_us'] > 0"
check "--message moved pkg_id 3's counter by 1000 (was ${w0:-0})" \
    wait_eq 5 "$(( ${w0:-0} + 1000 ))" handled 3

# A mix of json (weight 3) and hash (weight 1): 2000 messages.
cat >"$T/mix.txt" <<'EOF'
# weight, then the envelope
3 {"pkg_id":4,"data":{"items":{rand:20}}}

1	{"pkg_id":5,"data":{"bytes":64,"rounds":1}}
EOF
j0=$(handled 4) h0=$(handled 5)
bench mix scenario -c 20 -m 100 --mix "$T/mix.txt"
expect mix "$clean and pk[4]['count'] + pk[5]['count'] == 2000"
# 5 standard errors of Binomial(2000, 0.75) = 5 * 19.4 = 97
expect mix "abs(pk[4]['count'] - 1500) <= 97"
check "--mix: the daemon counted the same split" "$PY" -c '
import json, sys
j = json.loads(open(sys.argv[1]).read())
pk = {p["pkg_id"]: p["count"] for p in j["pkg_ids"]}
sys.exit(0 if pk[4] == int(sys.argv[2]) and pk[5] == int(sys.argv[3]) else 1)' \
    "$T/mix.json" "$(( $(handled 4) - ${j0:-0} ))" "$(( $(handled 5) - ${h0:-0} ))"

# rr with a module's handler ({conn} and {seq} in a string), and a
# template with its own req_id (answers matched in order).
bench greet rr -c 4 -n 400 \
    --message '{"pkg_id":100,"data":{"name":"c{conn}-m{seq}"}}'
expect greet "$clean and pk[100]['count'] == 400"
bench ownid scenario -c 5 -m 20 \
    --message '{"pkg_id":1,"req_id":"mine-{seq}","data":{"x":1}}'
expect ownid "$clean and pk[1]['count'] == 100"

# The seed's scenario: the plan at its full size, a run scaled down.
"$BENCH" --scenario seed --print-plan >"$T/plan.out" 2>&1
tail -1 "$T/plan.out" >"$T/plan.json"
expect plan "j['connections'] == 1000 and j['messages_per_connection'] == 100 and j['total_messages'] == 100000 and j['ramp_per_s'] == 100 and j['messages'][0]['pkg_id'] == 1"
bench seed --scenario seed -c 20 -m 10
# 20 connections opened at 100/s: the last one no sooner than 0.19 s
expect seed "$clean and j['connections_done'] == 20 and j['messages'] == 200 and j['total_time_s'] >= 0.15"

# refused NAME WANT ARGS...: exit 2 with WANT (a fixed string) on stderr.
refused() {
	local name=$1 want=$2; shift 2
	"$BENCH" "$@" --url "ws://$HL_WS/web" >/dev/null 2>"$T/$name.err"
	local rc=$?
	check "$name: exit 2 ($rc) saying '$want'" \
	    eval "[ $rc -eq 2 ] && grep -qF -- '$want' '$T/$name.err'"
}
printf '2 {"pkg_id":4,"data":{}}\n# fine so far\n1 {"pkg_id":4,"data":\n' >"$T/bad1.txt"
printf '0 {"pkg_id":4}\n' >"$T/bad2.txt"
printf '# nothing\n\n' >"$T/bad3.txt"
refused bad-json "not JSON" rr --message '{"pkg_id":3,'
refused bad-array "not a JSON object" rr --message '[1,2]'
refused bad-pkg "needs \"pkg_id\"" rr --message '{"pkg_id":"{seq}","data":{}}'
refused bad-rand "{rand:N} needs an integer N" rr --message '{"pkg_id":3,"data":{"a":{rand:x}}}'
refused bad-mix-json "$T/bad1.txt:3: not JSON" rr --mix "$T/bad1.txt"
refused bad-mix-weight "$T/bad2.txt:1: a line is WEIGHT JSON" rr --mix "$T/bad2.txt"
refused bad-mix-empty "no messages" rr --mix "$T/bad3.txt"
refused bad-mode "are for the rr and scenario modes" idle --message '{"pkg_id":1}'
refused bad-scenario "unknown scenario" --scenario nope
check "hotline-bench --version prints its name and version" \
    eval "\"$BENCH\" --version | grep -qx 'hotline-bench [0-9][0-9.]*.*'"
stop_hotlined "$HL_PID" TERM
