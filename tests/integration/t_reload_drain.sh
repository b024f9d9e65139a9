#!/bin/bash
# What a reload does to long-lived WebSocket clients: the old workers keep
# serving them for reload_drain_timeout (default 0: until they leave), then
# close them with 1001; every message sent before the close is answered;
# a second reload closes an older generation still draining at once.
. "$(dirname "$0")/lib.sh"

FAULTS="$PY $top_srcdir/tests/integration/faults.py"
old_alive() { for p in $1; do alive "$p" && return 0; done; return 1; }
old_gone() { ! old_alive "$1"; }
field() { sed -n "s/.* $1 \([^ ]*\).*/\1/p" "$2"; }

# A bounded drain: 2 s, then 1001.
start_hotlined bounded -w 1 -o reload_drain_timeout=2 || exit 1
old=$(running_pids)
# The stream ends once every client is closed; 25 s leaves room for a
# reload that a loaded machine delays (one run at load 12 saw no close in
# the 9 s a 10 s stream left).
$FAULTS stream "$HL_WS" 4 25 "$T/hup1" >"$T/stream1.out" 2>&1 &
client=$!
sleep 1
touch "$T/hup1"
hup=$(date +%s%N)
kill -HUP "$HL_PID"
wait "$client"
closed_ms=$((($(date +%s%N) - hup) / 1000000))
note "$(cat "$T/stream1.out") (${closed_ms} ms after HUP)"
check "the 4 clients are closed with 1001" \
    test "$(field closes "$T/stream1.out")" = "1001,1001,1001,1001"
check "no earlier than reload_drain_timeout (${closed_ms} ms >= 1900)" \
    test "$closed_ms" -ge 1900
check "the old worker kept answering after the HUP ($(field after_close "$T/stream1.out"))" \
    test "$(field after_close "$T/stream1.out")" -gt 0
check "every message sent before the close was answered" \
    test "$(field unanswered "$T/stream1.out")" = 0
check "the old worker is gone" wait_until 5 old_gone "$old"
check "the log says the drain deadline passed" grep -q "drain timeout passed" "$HL_LOG"
stop_hotlined "$HL_PID"

# The default: the old generation serves its clients until they leave.
start_hotlined unbounded -w 1 || exit 1
old=$(running_pids)
$FAULTS stream "$HL_WS" 4 4 "$T/hup2" >"$T/stream2.out" 2>&1 &
client=$!
sleep 1
touch "$T/hup2"
kill -HUP "$HL_PID"
newgen() { test "$(workers_json | jq "len([x for x in j['workers'] if x['state'] == 'running' and x['epoch'] == 2])")" = 1; }
check "a new generation serves after the HUP" wait_until 5 newgen
check "the old worker still runs while its clients stay" old_alive "$old"
wait "$client"
note "$(cat "$T/stream2.out")"
check "no client was closed by the reload" \
    test "$(field closes "$T/stream2.out")" = "none,none,none,none"
check "every message was answered" test "$(field unanswered "$T/stream2.out")" = 0
check "the old worker kept answering after the HUP" \
    test "$(field after_close "$T/stream2.out")" -gt 0
check "the old worker exits when its last client leaves" wait_until 5 old_gone "$old"

# A second reload while the first generation drains closes it at once.
old=$(running_pids)
$FAULTS stream "$HL_WS" 2 15 "$T/hup3" >"$T/stream3.out" 2>&1 &
client=$!
sleep 1
kill -HUP "$HL_PID"
sleep 1
touch "$T/hup3"
hup=$(date +%s%N)
kill -HUP "$HL_PID"
wait "$client"
closed_ms=$((($(date +%s%N) - hup) / 1000000))
note "$(cat "$T/stream3.out") (${closed_ms} ms after the second HUP)"
check "the older generation's clients get 1001 at the second reload" \
    test "$(field closes "$T/stream3.out")" = "1001,1001"
check "... within 3 s (${closed_ms} ms)" test "$closed_ms" -lt 3000
check "... with every message they sent answered" \
    test "$(field unanswered "$T/stream3.out")" = 0
check "the older generation is gone" wait_until 5 old_gone "$old"
check "health is ok" health_ok
stop_hotlined "$HL_PID"

# A graceful stop during an unbounded reload drain brings its deadline
# forward to shutdown_timeout.
start_hotlined stop-during-drain -w 1 -o shutdown_timeout=1 || exit 1
$FAULTS stream "$HL_WS" 2 15 "$T/quit4" >"$T/stream4.out" 2>&1 &
client=$!
sleep 1
kill -HUP "$HL_PID"
sleep 1
touch "$T/quit4"
quit=$(date +%s%N)
kill -QUIT "$HL_PID"
wait "$client"
closed_ms=$((($(date +%s%N) - quit) / 1000000))
note "$(cat "$T/stream4.out") (${closed_ms} ms after QUIT)"
check "QUIT during the drain closes the old generation's clients with 1001" \
    test "$(field closes "$T/stream4.out")" = "1001,1001"
check "... after shutdown_timeout 1 s, not never (${closed_ms} ms)" \
    test "$closed_ms" -ge 900 -a "$closed_ms" -lt 4000
check "... with every message they sent answered" \
    test "$(field unanswered "$T/stream4.out")" = 0
wait "$HL_PID"
check "and the daemon exits 0" test $? = 0
