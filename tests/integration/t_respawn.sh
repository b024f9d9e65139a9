#!/bin/bash
# Supervision: a killed worker comes back in its slot with a new generation,
# the others are untouched, totals never go backwards, and a crash loop
# backs off instead of fork-storming.
. "$(dirname "$0")/lib.sh"

start_hotlined respawn -w 2 || exit 1
set -- $(running_pids)
w0=$1 w1=$2
$HL_PY http "$HL_WS" 50 >/dev/null
before=$(admin_get /metrics | $HL_PY metrics | sed -n 's/^hotline_connections_accepted_total{} //p')

kill -9 "$w0"
new0() { p=$(running_pids | head -1); [ -n "$p" ] && [ "$p" != "$w0" ]; }
check "a SIGKILLed worker is replaced within 2 s" wait_until 2 new0
check "the other worker keeps its pid" test "$(running_pids | tail -1)" = "$w1"
w=$(workers_json)
check "the new worker reuses slot 0 with generation 2" \
    test "$(echo "$w" | jq "[(x['slot'], x['generation']) for x in j['workers'] if x['index'] == 0]")" = "[(0, 2)]"
check "restarts counts it" test "$(echo "$w" | jq "j['restarts']")" = 1
read -r good bad <<<"$($HL_PY http "$HL_WS" 100)"
check "the daemon keeps serving (100/100, $bad failed)" test "$good" = 100
after=$(admin_get /metrics | $HL_PY metrics | sed -n 's/^hotline_connections_accepted_total{} //p')
check "summed counters survive the death ($before -> $after)" \
    $PY -c "import sys; sys.exit(not float('$after') >= float('$before') + 100)"
check "the death is logged with its signal" grep -q "worker 0 (pid $w0) killed by signal 9" "$HL_LOG"

# Crash loop: kill index 1 as soon as a new one appears, 6 times. (The
# one just killed may still read "running" until the master reaps it.)
kills=0
last=none
index1() {
	workers_json | jq "' '.join(str(x['pid']) for x in j['workers'] if x['index'] == 1 and x['state'] == 'running' and str(x['pid']) != '$last')"
}
for _ in 1 2 3 4 5 6; do
	p=""
	for _try in $(seq 1 100); do
		p=$(index1)
		[ -n "$p" ] && break
		sleep 0.1
	done
	if [ -n "$p" ] && kill -9 $p; then
		kills=$((kills + 1))
		last=$p
	fi
done
check "six fast deaths in a row were caused ($kills)" test "$kills" = 6
# The master logs when it reaps the last one, which on a loaded machine
# can come after this script has moved on: wait for it.
check "the crash loop is logged loudly" \
    wait_until 10 grep -q "worker 1 is crash-looping" "$HL_LOG"
starts=$(grep -c "worker 1 started" "$HL_LOG")
check "no fork storm: one start per death ($starts starts for $kills kills)" \
    test "$starts" -le $((kills + 1))
check "backoff grows: the log shows a delay of at least 2000 ms" \
    wait_until 10 grep -qE "next start in ([2-9][0-9]{3}|[0-9]{5}) ms" "$HL_LOG"
two() { test "$(running_pids | wc -l)" = 2; }
check "after the backoff the worker is back" wait_until 20 two
check "health is ok again" health_ok
