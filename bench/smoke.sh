#!/bin/sh
# Smoke test of every hotline-bench mode against a real server (TAP output).
#
#   bench/smoke.sh                 start the Python websockets echo peer on a
#                                  free loopback port and run against it
#   URL=ws://127.0.0.1:8000/web bench/smoke.sh
#                                  run against a server that is already up
#                                  (it must speak the echo envelope and, for
#                                  broadcast, pkg_id 2 subscribe / 3 publish,
#                                  or set SUBSCRIBE and PUBLISH)
#
# BENCH names the binary (default: the build tree's, then $PATH). Each mode
# runs ~2 s with small counts; its JSON line must parse, count something and
# show no errors. Logs are kept only when a check fails.
set -u

here=$(cd "$(dirname "$0")" && pwd)
PY=${PY:-/usr/bin/python3}
if [ -z "${BENCH:-}" ]; then
	for b in "$here/../_b/bench/client/hotline-bench" \
	    "$here/../bench/client/hotline-bench" "$(command -v hotline-bench)"; do
		[ -x "$b" ] && BENCH=$b && break
	done
fi
[ -x "${BENCH:-}" ] || { echo "Bail out! no hotline-bench (set BENCH)"; exit 1; }
SUBSCRIBE=${SUBSCRIBE:-'{"pkg_id":2,"req_id":"sub","data":{}}'}
PUBLISH=${PUBLISH:-'{"pkg_id":3,"req_id":"pub","data":{"message":"%T"}}'}

logs=$(mktemp -d "${TMPDIR:-/tmp}/hotline-bench-smoke.XXXXXX")
server_pid=
failed=0
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	if [ "$failed" -eq 0 ]; then rm -rf "$logs"; else echo "# logs kept in $logs"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free loopback port (the kernel picks it; a race is possible but rare).
free_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Wait until something accepts on 127.0.0.1:$1.
wait_port() {
	i=0
	while [ $i -lt 100 ]; do
		"$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2)" \
		    2>/dev/null && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

if [ -z "${URL:-}" ]; then
	port=$(free_port)
	"$PY" "$here/peers/python_websockets_echo.py" "$port" >"$logs/server.log" 2>&1 &
	server_pid=$!
	wait_port "$port" || { failed=1; echo "Bail out! the peer did not start"; exit 1; }
	URL=ws://127.0.0.1:$port/web
fi
echo "# target $URL, bench $BENCH"

# check NAME EXPR: EXPR (Python, j = the JSON line) must hold.
check() {
	"$PY" - "$logs/$1.out" "$2" <<'PYEOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
j = json.loads(lines[-1])
ok = eval(sys.argv[2], {"j": j})
print("# %-10s %10d msgs %10.1f /s  p50 %8.1f us  p99 %8.1f us  errors %d"
      % (j["mode"], j["messages"], j["throughput_msg_s"], j["p50_us"],
         j["p99_us"], j["errors"]))
sys.exit(0 if ok else 1)
PYEOF
}

n=0
run() {
	name=$1; expr=$2; shift 2
	n=$((n + 1))
	if "$BENCH" "$@" --url "$URL" >"$logs/$name.out" 2>"$logs/$name.err" &&
	    check "$name" "$expr"; then
		echo "ok $n - $name"
	else
		failed=1
		echo "not ok $n - $name: $*"
		sed 's/^/#   /' "$logs/$name.err" "$logs/$name.out" | tail -n 20
	fi
}

clean='j["errors"] == 0 and j["handshake_failures"] == 0 and not j["interrupted"]'
echo "1..7"
run rr "$clean and j['messages'] > 0" rr -c 10 -p 2 -d 2
run rr-2threads "$clean and j['messages'] > 0 and j['threads'] == 2" rr -c 10 -t 2 -s 200 -d 2
run rr-count "$clean and j['messages'] == 2000" rr -c 8 -p 4 -n 2000
run connect "$clean and j['messages'] > 0" connect -c 4 -d 2
run idle "$clean and j['held'] == 200" idle -c 200 -d 2
run broadcast "$clean and j['published'] > 0 and j['incomplete'] == 0 and j['messages'] == j['published'] * 20" \
    broadcast -c 20 --rate 50 --warmup 0.5 -d 1.5 --subscribe "$SUBSCRIBE" --publish "$PUBLISH"
run scenario "$clean and j['connections_done'] == 100 and j['messages'] == 2000" scenario -c 100 -m 20
exit $failed
