#!/bin/bash
# Side-by-side benchmark: hotline (1 and 2 workers, profiling off and on)
# against Node ws, Python websockets, FastAPI/uvicorn and a raw epoll
# ceiling, every mode of hotline-bench, interleaved and repeated.
#
#   bench/run.sh [BUILD_DIR]
#
# BUILD_DIR: a configured and built tree (default: build one in bench/.build
# with a plain -O2 configure). Knobs (environment): REPS (5), OVERHEAD_REPS
# (10), DUR (3 s per rr/connect/broadcast run), IDLE_N (10000), BCAST_N
# (10000), BCAST_RATE (5/s), SCEN_C/SCEN_M (1000/100), OVERHEAD_C (4),
# OVERHEAD_RATE (20000 requests/s offered in the profiler pairs; 0 closed loop),
# AUTH_REPS (5 rounds of connects without auth, with a JWT, with a JWT and a
# Redis session; needs redis-server for the last),
# SERVERS, MODES (comma lists), PIN=0 (no taskset), SERVER_CPU (0) and
# GEN_CPU (1), OUT (bench/results/latest.json).
# Everything listens on 127.0.0.1 only; every server started is stopped on
# exit (bench.py runs each in its own session and kills the group).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
PY=/usr/bin/python3

build=${1:-}
if [ -z "$build" ]; then
	build=$here/.build
	if [ ! -x "$build/src/hotlined" ]; then
		echo "building hotline in $build" >&2
		[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi)
		mkdir -p "$build"
		(cd "$build" && "$top/configure" CFLAGS=-O2 >/dev/null && make -j"$(nproc)" >/dev/null)
	fi
fi
build=$(cd "$build" && pwd)
for f in src/hotlined bench/client/hotline-bench; do
	[ -x "$build/$f" ] || { echo "no $build/$f (build it first)" >&2; exit 1; }
done

# Peers: Debian's packages only when missing, ws from npm into bench/.peers.
need=
"$PY" -c 'import websockets' 2>/dev/null || need="$need python3-websockets"
"$PY" -c 'import fastapi, uvicorn' 2>/dev/null || need="$need python3-fastapi python3-uvicorn"
command -v node >/dev/null || need="$need nodejs"
command -v npm >/dev/null || need="$need npm"
if [ -n "$need" ]; then
	echo "installing$need" >&2
	sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
	# shellcheck disable=SC2086 # $need is a list of package names
	$sudo apt-get install -y $need >&2
fi
if [ ! -d "$here/.peers/node_modules/ws" ]; then
	timeout 300 npm install --prefix "$here/.peers" ws@8 >&2
fi
mkdir -p "$here/.peers"
raw=$here/.peers/raw_epoll_echo
if [ ! -x "$raw" ] || [ "$here/peers/raw_epoll_echo.c" -nt "$raw" ]; then
	cc -O2 -o "$raw" "$here/peers/raw_epoll_echo.c" -lcrypto
fi

# The example module's shout handler (pkg_id 103) is hotline's publisher for
# the broadcast mode; it is a check_ target, so build it here.
so=$build/contrib/modules/.libs/example.so
[ -f "$so" ] || make -C "$build" contrib/modules/example.la >/dev/null 2>&1 || true
[ -f "$so" ] || { echo "no $so: hotline's broadcast runs will fail" >&2; so=; }
export TOKEN_TOOL=$build/tools/hotline-token
export BENCH=$build/bench/client/hotline-bench HOTLINED=$build/src/hotlined \
    EXAMPLE_SO=$so RAW=$raw
echo "# $(date -u +%FT%TZ) nproc $(nproc), $(lscpu | sed -n 's/^Model name: *//p'), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exec "$PY" "$here/bench.py"
