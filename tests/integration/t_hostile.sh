#!/bin/bash
# Hostile clients against the memory a client controls (issue 14): kept
# demo allocations, deferred replies and send queues (replies and
# broadcasts). For each, a client
# tries to exceed the worker's bound; the refusal arrives with its status or
# close code and is counted, the worker's RSS stays under a stated ceiling,
# and a normal client on the same worker keeps being served. One worker,
# small bounds, loopback only; about 25 s (70 s under ASan).
. "$(dirname "$0")/lib.sh"

HOSTILE="$PY $top_srcdir/tests/integration/hostile.py"
# ASan's redzones and chunk headers are memory the allocator's own figures
# (malloc_usable_size) do not show: its RSS ceilings are three times wider,
# and its quarantine of freed blocks is kept small, or RSS would follow the
# traffic (57 MiB of replies) rather than what is held.
if grep -q '^#define HL_ASAN 1' "$top_builddir/autoconf.h" 2>/dev/null; then
	export SLACK_FACTOR=3
	export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=4"
fi
metric() { admin_get /metrics | sed -n "s/^$1 //p"; }

# 1. alloc keep: 10,000 one-byte blocks a request count 320,000 bytes.
start_hotlined alloc -w 1 -o alloc_keep_bytes=32m || exit 1
run_cases "alloc keep" $HOSTILE alloc "$HL_WS" "$HL_ADMIN" $((32 << 20))
check "/metrics counts the refusals" test "$(metric hotline_alloc_keep_refused_total)" -ge 2
check "... and shows what is kept (at most 32 MiB)" \
    test "$(metric hotline_alloc_kept_bytes)" -le $((32 << 20))
check "the refusal is logged" grep -q 'alloc: keep limit reached' "$HL_LOG"
stop_hotlined "$HL_PID" TERM

# 2. deferred replies: a per-connection cap, cancelled on close.
start_hotlined deferred -w 1 -o ws_max_deferred=256 || exit 1
began=$(date +%s)
run_cases "deferred replies" $HOSTILE deferred "$HL_WS" "$HL_ADMIN" 256
took=$(($(date +%s) - began + 1))
check "/metrics counts the refused ones (19744)" \
    test "$(metric hotline_deferred_refused_total)" = 19744
check "... and the cancelled ones (256)" \
    test "$(metric hotline_deferred_cancelled_total)" = 256
check "... and none is pending" test "$(metric hotline_deferred_pending)" = 0
lines=$(grep -c 'too many deferred replies' "$HL_LOG")
check "the refusal is logged, once a second at most ($lines lines in ${took} s)" \
    test "$lines" -ge 1 -a "$lines" -le "$took"
stop_hotlined "$HL_PID" TERM

# 3. send queues: readers that never read, more of them than the worker's
# sum allows (each stays under ws_send_queue_bytes, 4m).
start_hotlined output -w 1 -o ws_worker_output_bytes=8m || exit 1
run_cases "send queues" $HOSTILE output "$HL_WS" "$HL_ADMIN" $((8 << 20)) 10
check "/metrics counts the closes" \
    test "$(metric hotline_output_bound_closes_total)" -ge 1
check "none of them was a per-connection slow-reader close" \
    test "$(metric hotline_slow_reader_closes_total)" = 0
check "the close is logged" grep -q 'connection closed (1013)' "$HL_LOG"
check "the worker lived through all of it (no restarts)" \
    test "$(workers_json | jq "j['restarts']")" = 0
stop_hotlined "$HL_PID" TERM

# 4. the same sum with broadcasts: frames shared by every subscriber, each
# queue charged for its reference.
start_hotlined bcast -w 1 -o ws_worker_output_bytes=8m \
    -o broadcast_slow_policy=close -o broadcast_max_bytes=128k || exit 1
run_cases "broadcast queues" $HOSTILE broadcast "$HL_WS" "$HL_ADMIN" $((8 << 20)) 6
check "/metrics counts the closes" \
    test "$(metric hotline_output_bound_closes_total)" -ge 1
check "... as broadcast errors too" \
    test "$(metric 'ws_broadcast_errors_total{reason="slow_close"}')" -ge 1
stop_hotlined "$HL_PID" TERM
