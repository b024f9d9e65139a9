#!/bin/bash
# kill -9 of the master while its worker is inside a 10 s handler: the
# kernel kills the worker at once (PR_SET_PDEATHSIG SIGKILL), so the port is
# free and a new hotlined binds and serves within 1 s.
. "$(dirname "$0")/lib.sh"

start_hotlined first -w 1 || exit 1
port=${HL_WS##*:}
worker=$(running_pids)
# A handler of about 10 s: SHA-256 over 16 MiB, 1000 times (1.4 GB/s).
$PY "$top_srcdir/tests/integration/faults.py" busy "$HL_WS" 5 \
    '{"bytes": 16777216, "rounds": 1000}' 1 30 >"$T/busy.out" 2>&1 &
busy=$!
inside() { workers_json | jq "[x.get('busy_pkg_id') for x in j['workers']]" | grep -q 5; }
check "the worker is inside the hash handler" wait_until 10 inside
kill -9 "$HL_PID"
died=$(date +%s%N)
gone() { ! alive "$worker"; }
check "the worker dies with the master" wait_until 2 gone
free() {
	$PY -c "import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $port))"
}
wait_until 3 free
freed=$((($(date +%s%N) - died) / 1000000))
check "the port is free within 1 s of the master's death (${freed} ms)" \
    test "$freed" -lt 1000
start_hotlined second -w 1 -o "listen=127.0.0.1:$port" || exit 1
served=$((($(date +%s%N) - died) / 1000000))
# This includes a whole new daemon's start: an ASan build on a loaded
# machine took 1,019 ms of which the old workers' part (above) is the
# bound that matters, so sanitizer builds get 3 s here.
serve_ms=1000
grep -q '^#define HL_ASAN 1' "$top_builddir/autoconf.h" 2>/dev/null && serve_ms=3000
check "a new hotlined serves /health within $((serve_ms / 1000)) s of the master's death (${served} ms)" \
    test "$served" -lt "$serve_ms"
read -r good bad <<<"$($HL_PY http "127.0.0.1:$port" 20)"
check "the new hotlined serves the same port (20/20, $bad failed)" test "$good" = 20
wait "$busy"
check "the old client saw its connection end (not answered)" \
    grep -q "sent 1 answered 0" "$T/busy.out"
