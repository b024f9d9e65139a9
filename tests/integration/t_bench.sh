#!/bin/bash
# hotline-bench against hotlined, so the tool cannot rot: each mode for about
# a second with small counts (rr, connect, idle, broadcast through the
# example module's shout handler, scenario); its JSON line must parse, count
# something and show no errors. The full benchmark is bench/run.sh.
. "$(dirname "$0")/lib.sh"

# A load generator's smoke under ASan measures the sanitizer: its fixed
# handshake and open timeouts are not meant for a build several times
# slower. The -Werror build runs it.
if grep -q '^#define HL_ASAN 1' "$top_builddir/autoconf.h" 2>/dev/null; then
	ok "# SKIP hotline-bench smoke in an ASan build"
	exit 0
fi

BENCH=$top_builddir/bench/client/hotline-bench
so=$top_builddir/contrib/modules/.libs/example.so
check "hotline-bench was built" test -x "$BENCH"
check "the example module was built (broadcast publisher)" test -f "$so"
start_hotlined bench -w 1 -o "module=$so" -o profiling_enabled=no || exit 1

# bench NAME EXPR MODE ARGS...: run it (bounded by timeout) and check the
# last line, a JSON object j, with the Python expression EXPR.
bench() {
	local name=$1 expr=$2; shift 2
	timeout 20 "$BENCH" "$@" --url "ws://$HL_WS/web" >"$T/$name.out" 2>"$T/$name.log"
	local rc=$?
	if [ "$rc" -ne 0 ]; then
		not_ok "$name: hotline-bench exited $rc"; sed 's/^/#   /' "$T/$name.log" | tail -5
		return
	fi
	check "$name: $expr" "$PY" -c '
import json, sys
j = json.loads(open(sys.argv[1]).read().splitlines()[-1])
sys.exit(0 if eval(sys.argv[2], {"j": j}) else 1)' "$T/$name.out" "$expr"
}

clean='j["errors"] == 0 and j["handshake_failures"] == 0 and not j["interrupted"]'
bench rr "$clean and j['messages'] > 0" rr -c 10 -p 2 -d 1
# A fixed offered load: 2000/s for 2 s is about 4000 responses, not as many
# as the connections could carry (a slow machine may lag, never exceed).
bench rr-rate "$clean and 2000 <= j['messages'] <= 4200" rr -c 4 --rate 2000 -d 2
bench connect "$clean and j['messages'] > 0" connect -c 4 -d 1
bench idle "$clean and j['held'] == 200" idle -c 200 -d 1
bench broadcast "$clean and j['published'] > 0 and j['incomplete'] == 0 and j['messages'] >= j['published'] * 20" \
    broadcast -c 20 --rate 20 -w 0.3 -d 1 \
    --publish '{"pkg_id":103,"req_id":"p","data":{"topic":"all","data":{"message":"%T"}}}'
bench scenario "$clean and j['connections_done'] == 50 and j['messages'] == 1000" scenario -c 50 -m 20
stop_hotlined "$HL_PID" TERM
