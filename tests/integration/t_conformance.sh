#!/bin/bash
# RFC 6455 conformance of /echo, Autobahn-style: framing, pings and pongs,
# reserved bits, opcodes, fragmentation, UTF-8 and the close handshake, with
# a raw client that builds every frame by hand (conformance.py). One test
# point per case; failure cases check the exact close code and that the
# server then closes TCP.
. "$(dirname "$0")/lib.sh"

CONFORMANCE="$PY $top_srcdir/tests/integration/conformance.py"
# Messages that start with an empty fragment once killed the worker in the
# sanitizer build (fixed in 72a94db); they run against their own daemon so a
# regression shows as a restart, not as failures of unrelated cases.

start_hotlined conformance -w 1 -o ws_echo=yes || exit 1
pid=$(running_pids)
start=$(date +%s)
run_cases "conformance" $CONFORMANCE "$HL_WS" -5.8 -5.9
took=$(($(date +%s) - start))
check "the suite took ${took} s, well under 60" test "$took" -lt 40
check "one worker served it all without dying" test "$(running_pids)" = "$pid"
check "no worker restarts" test "$(workers_json | jq "j['restarts']")" = 0
stop_hotlined "$HL_PID" TERM

start_hotlined empty-fragments -w 1 -o ws_echo=yes || exit 1
pid=$(running_pids)
run_cases "empty fragments" $CONFORMANCE "$HL_WS" 5.8 5.9
sleep 0.3
check "the worker survives messages that start with an empty fragment (same pid, no restarts)" \
    test "$(running_pids) $(workers_json | jq "j['restarts']")" = "$pid 0"
stop_hotlined "$HL_PID" TERM
