#!/bin/bash
# The worker watchdog: a worker inside a long handler stops its heartbeat;
# past watchdog_timeout /health is no longer "ok" (503 when no worker
# serves) and the log names the handler; past watchdog_kill_timeout the
# worker is killed and replaced, counted in /metrics.
. "$(dirname "$0")/lib.sh"

FAULTS="$PY $top_srcdir/tests/integration/faults.py"
# SHA-256 over 16 MiB, rounds times: about 3.5 ms a round at 1.4 GB/s.
hash_req() { echo "{\"bytes\": 16777216, \"rounds\": $1}"; }
health_code() { curl -s -o /dev/null -w '%{http_code}' -m 5 "http://$HL_ADMIN/health"; }

start_hotlined stuck -w 1 -o watchdog_timeout=2 || exit 1
$FAULTS busy "$HL_WS" 5 "$(hash_req 1000)" 1 30 >"$T/busy1.out" 2>&1 &
busy=$!
start=$(date +%s%N)
unavailable() { test "$(health_code)" = 503; }
check "with its one worker stuck, /health answers 503 within 5 s" \
    wait_until 5 unavailable
stuck_ms=$((($(date +%s%N) - start) / 1000000))
note "/health left ok ${stuck_ms} ms after the request was sent (bound 2 s + 0.5 s heartbeat)"
h=$(admin_get /health)
check "... saying unavailable" test "$(echo "$h" | jq "j['status']")" = unavailable
check "... listing the stuck worker inside handler hash (pkg_id 5)" \
    test "$(echo "$h" | jq "[(x['handler'], x['pkg_id']) for x in j['stuck']]")" = "[('hash', 5)]"
check "the log names the handler" \
    grep -q 'worker 0 (pid [0-9]*) is stuck: no heartbeat for [0-9]* ms, inside handler "hash" (pkg_id 5)' "$HL_LOG"
check "/metrics shows the stuck gauge" \
    sh -c "curl -s http://$HL_ADMIN/metrics | grep -q '^hotline_workers_stuck 1$'"
check "without watchdog_kill_timeout the worker is left alone" \
    test "$(admin_get /metrics | sed -n 's/^hotline_watchdog_kills_total //p')" = 0
kill "$busy" 2>/dev/null
wait "$busy" 2>/dev/null
check "when the handler returns, /health is ok again" wait_until 60 health_ok
check "... and the recovery is logged (at the master's next tick)" wait_until 2 grep -q "worker 0 (pid [0-9]*) is serving again" "$HL_LOG"
stop_hotlined "$HL_PID"

start_hotlined kill -w 2 -o watchdog_timeout=1 -o watchdog_kill_timeout=3 || exit 1
before=$(running_pids | tr '\n' ' ')
$FAULTS busy "$HL_WS" 5 "$(hash_req 1000)" 6 30 >"$T/busy2.out" 2>&1 &
busy=$!
killed() { test "$(admin_get /metrics | sed -n 's/^hotline_watchdog_kills_total //p')" -ge 1; }
check "a worker without a heartbeat for 3 s is killed (within 10 s)" wait_until 10 killed
check "... and the kill is logged" grep -q "past watchdog_kill_timeout 3 s; killing it" "$HL_LOG"
wait "$busy" 2>/dev/null
check "the stuck workers' clients got no answer: $(cat "$T/busy2.out")" \
    grep -q "answered 0" "$T/busy2.out"
two() { test "$(running_pids | wc -l)" = 2 && health_ok; }
check "replacements run and /health is ok again" wait_until 15 two
after=$(running_pids | tr '\n' ' ')
check "with new pids ($before -> $after)" test "$before" != "$after"
read -r good bad <<<"$($HL_PY http "$HL_WS" 20)"
check "the daemon serves again (20/20, $bad failed)" test "$good" = 20
