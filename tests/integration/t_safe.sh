#!/bin/bash
# Safe defaults (issue 17): nothing dangerous is on unless asked for.
. "$(dirname "$0")/lib.sh"
SAFE="$PY $top_srcdir/tests/integration/safeclient.py"

# lib.sh turns the workloads on for the other tests; the last -o wins.
start_hotlined off -w 1 -o workloads=off || exit 1
run_cases "workloads off" $SAFE workloads "$HL_WS" off
stop_hotlined "$HL_PID" TERM
"$HOTLINED" -T 2>/dev/null | grep '^workloads ' >"$T/wl.out"
check "workloads is off by default" grep -q '^workloads off' "$T/wl.out"

start_hotlined demo -w 1 -o workloads=demo || exit 1
run_cases "workloads demo" $SAFE workloads "$HL_WS" demo
check "the worker survived the demo limits" health_ok
stop_hotlined "$HL_PID" TERM
