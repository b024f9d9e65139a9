#!/bin/bash
# hotline-report fetch --seconds N takes a fresh on-demand profile while
# hotline-bench drives the work handler (issue 18 item 5): json and folded
# now; html and pprof pass through and are skipped while the daemon answers
# 400 for them (they come with the pprof work). text shows the per-handler
# table and the overhead; the token comes from --token or
# HOTLINE_ADMIN_TOKEN; --version on every tool. About 6 s.
. "$(dirname "$0")/lib.sh"

REPORT=$top_builddir/tools/hotline-report
BENCH=$top_builddir/bench/client/hotline-bench
TOKEN_TOOL=$top_builddir/tools/hotline-token
tok=fetch-test-token-0123456789
HL_TOKEN=$tok	# admin_get's, and so health_ok's
start_hotlined fetch -w 1 -o profiling_enabled=yes -o "admin_token=$tok" ||
	exit 1

for tool in "$REPORT" "$BENCH" "$TOKEN_TOOL" "$HOTLINED"; do
	name=$(basename "$tool")
	flag=--version
	[ "$name" = hotlined ] && flag=-V
	check "$name $flag prints '$name VERSION'" \
	    eval "\"$tool\" $flag | grep -qx '$name [0-9][0-9.]*.*'"
done

# Load for the whole profile: 4 connections of work requests, at most 20 s
# (it is stopped once the fetches are done).
timeout 20 "$BENCH" rr -c 4 -d 15 --url "ws://$HL_WS/web" \
    --message '{"pkg_id":3,"data":{"iterations":20000,"syscalls":0}}' \
    >"$T/bench.out" 2>&1 &
bench_pid=$!
work_counted() {
	admin_get /metrics |
	    grep -q '^ws_message_processing_duration_seconds_count{pkg_id="3"} [1-9]'
}
wait_until 5 work_counted

cd "$T" || exit 1
HOTLINE_ADMIN_TOKEN=$tok "$REPORT" fetch --admin "http://$HL_ADMIN" \
    --seconds 2 -o p.json 2>fetch-json.err
check "fetch --seconds 2 (token from HOTLINE_ADMIN_TOKEN) writes a report" \
    "$PY" -c 'import json,sys; d=json.load(open("p.json")); sys.exit(0 if d["window"]["seconds"] > 0 else 1)'
"$REPORT" text p.json >p.txt 2>&1
check "text shows the per-handler table with work's calls" \
    grep -qE '^3 +work +[1-9][0-9]* ' p.txt
# 1.3 reports: the headline's "overhead P%: sampler ..."; older ones
# "profiler overhead P% of the workers' CPU: ..."
check "text shows the profiler's overhead" \
    grep -qE "^(profiler )?overhead [0-9.]+%" p.txt

"$REPORT" fetch --admin "http://$HL_ADMIN" --token "$tok" --seconds 1 \
    --format folded 2>fetch-folded.err
check "fetch --format folded (--token) saves profile_STAMP.folded" \
    sh -c 'f=$(ls profile_*.folded) && grep -qE "^[^ ]+ [0-9]+\$" "$f"'

"$REPORT" fetch --admin "http://$HL_ADMIN" --seconds 1 -o none.json \
    2>noauth.err
rc=$?
check "without a token: exit 2 ($rc), HTTP 401 and how to give one" \
    sh -c "test $rc -eq 2 && grep -q 'HTTP 401.*--token or HOTLINE_ADMIN_TOKEN' noauth.err && test ! -e none.json"

# passthrough FORMAT MAGIC: fetched as is, or SKIP while the daemon
# refuses the format with a 400 (its reason shown).
passthrough() {
	local fmt=$1 magic=$2
	HOTLINE_ADMIN_TOKEN=$tok "$REPORT" fetch --admin "http://$HL_ADMIN" \
	    --seconds 1 --format "$fmt" -o "p.$fmt" 2>"$fmt.err"
	if grep -q 'HTTP 400' "$fmt.err"; then
		ok "# SKIP format=$fmt: the daemon says $(tail -1 "$fmt.err")"
		return
	fi
	check "fetch --format $fmt saves what the daemon sends" \
	    sh -c "head -c 16 'p.$fmt' | od -An -c | tr -d ' \n' | grep -q '$magic'"
}
passthrough html '<!DOCTYPE'
passthrough pprof '037213'	# gzip: 1f 8b
"$REPORT" fetch --format pprof 2>pprof-periodic.err
check "--format pprof without --seconds is refused clearly" \
    grep -q 'only an on-demand profile (--seconds N)' pprof-periodic.err
"$REPORT" fetch --seconds 301 2>s301.err
check "--seconds 301 is refused before asking" \
    grep -q 'not a whole number from 1 to 300' s301.err

kill "$bench_pid" 2>/dev/null
wait "$bench_pid" 2>/dev/null
stop_hotlined "$HL_PID" TERM
