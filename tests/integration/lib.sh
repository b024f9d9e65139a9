# Shared by the integration tests: TAP output, starting and stopping the real
# daemon on free loopback ports, and small queries. Every daemon a test
# starts is stopped by the EXIT trap; logs are printed only on failure.
# shellcheck shell=bash
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
HOTLINED=$top_builddir/src/hotlined
PY=/usr/bin/python3
HL_PY="$PY $top_srcdir/tests/integration/hl.py"
T=$(mktemp -d /tmp/hl-test.XXXXXX)
# Daemons started on defaults write reports under the working directory:
# keep them in the test's own directory, not the build tree.
cd "$T" || exit 1
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
# No stray configuration from the environment.
for v in $(env | sed -n 's/^\(HOTLINE_[A-Z_]*\)=.*/\1/p;s/^\(PROFILING_[A-Z_]*\)=.*/\1/p'); do
	unset "$v"
done

# Daemons started without profiling_output_dir keep their reports in the
# test's directory, not configure's $localstatedir (the -o of
# start_hotlined and of the tests still wins).
export PROFILING_OUTPUT_DIR=$T/profiling_reports

tap_n=0
tap_failed=0
HL_PIDS=""

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
# check DESCRIPTION COMMAND...: one test point from a command's status.
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
note() { echo "# $*"; }
# todo DESCRIPTION REASON: a failing test point for a known defect.
todo() { tap_n=$((tap_n + 1)); echo "not ok $tap_n - $1 # TODO $2"; }

# wait_until SECONDS COMMAND...: poll every 0.1 s until COMMAND succeeds.
wait_until() {
	local limit=$1 i=0; shift
	while [ "$i" -lt $((limit * 10)) ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_eq SECONDS WANT COMMAND...: poll until COMMAND prints WANT (the
# command runs again each time; "wait_until N test "$(cmd)" = x" would not).
wait_eq() { local limit=$1 want=$2; shift 2; wait_until "$limit" _prints "$want" "$@"; }
_prints() { local want=$1; shift; test "$("$@")" = "$want"; }

# start_hotlined NAME [ARGS...]: run hotlined -f on free ports; sets HL_PID,
# HL_WS and HL_ADMIN (host:port) and HL_LOG (its stderr). With log_file set,
# name that file in HL_READY_LOG. Returns 1 if it did not start.
start_hotlined() {
	local name=$1; shift
	HL_LOG=$T/$name.log
	"$HOTLINED" -f -o listen=127.0.0.1:0 -o admin_listen=127.0.0.1:0 \
	    -o workloads=full -o "profiling_output_dir=$T/reports-$name" "$@" >"$HL_LOG" 2>&1 &
	HL_PID=$!
	HL_PIDS="$HL_PIDS $HL_PID"
	local watch=${HL_READY_LOG:-$HL_LOG}
	if ! wait_until 15 grep -q ' ready: ' "$watch"; then
		note "hotlined $name did not start:"; sed 's/^/#   /' "$watch"
		return 1
	fi
	HL_WS=$(sed -n 's|.* ws://\([^/]*\)/web.*|\1|p' "$watch" | head -1)
	HL_ADMIN=$(sed -n 's|.* admin http://\([^/]*\)/.*|\1|p' "$watch" | head -1)
	wait_until 10 health_ok
}

# stop_hotlined PID [SIGNAL]: signal it and wait up to 15 s; prints status.
stop_hotlined() {
	local pid=$1 sig=${2:-TERM} i=0
	kill -"$sig" "$pid" 2>/dev/null || return 0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
	if kill -0 "$pid" 2>/dev/null; then
		pkill -KILL -P "$pid"; kill -KILL "$pid"
	fi
	wait "$pid" 2>/dev/null
}

# alive PID: running, not a zombie waiting for a reaper we do not control.
alive() { kill -0 "$1" 2>/dev/null && ! ps -o stat= -p "$1" | grep -q '^Z'; }
admin() { curl -s -m 5 "$@"; }
# admin_get PATH: GET from the admin port, with $HL_TOKEN when set.
admin_get() {
	if [ -n "${HL_TOKEN:-}" ]; then
		curl -s -m 5 -H "Authorization: Bearer $HL_TOKEN" "http://$HL_ADMIN$1"
	else
		curl -s -m 5 "http://$HL_ADMIN$1"
	fi
}
health_ok() { admin_get /health | grep -q '"status":"ok"'; }
# jq EXPR: evaluate a Python expression on the JSON from stdin (as j).
jq() { $HL_PY json "$1"; }
workers_json() { admin_get /api/workers; }
# running_pids: pids of running workers, one per line, sorted by index.
running_pids() {
	workers_json | jq "'\n'.join(str(w['pid']) for w in sorted(j['workers'], key=lambda w: w['index']) if w['state'] == 'running')"
}

# run_cases NAME COMMAND...: a test point per line a python scenario prints
# ("ok DESC", "not ok DESC: SEEN", "todo DESC: SEEN | WHY"); its last line,
# "cases N", must count them, so a crash half-way is a failure too.
run_cases() {
	local name=$1 out=$T/cases.$tap_n line d n=0 want=none
	shift
	"$@" >"$out" 2>&1
	while IFS= read -r line; do
		line=${line//#/no.}
		case $line in
		"ok "*) ok "${line#ok }"; n=$((n + 1)) ;;
		"not ok "*) not_ok "${line#not ok }"; n=$((n + 1)) ;;
		"todo "*) d=${line#todo }; todo "${d%% | *}" "${line##* | }"
			n=$((n + 1)) ;;
		"cases "*) want=${line#cases } ;;
		*) note "$line" ;;
		esac
	done <"$out"
	check "$name: all $n cases ran to the end" test "$want" = "$n"
}

sanitizer_clean() {
	! grep -lE 'AddressSanitizer|LeakSanitizer|runtime error:' "$T"/*.log >/dev/null 2>&1
}

# stacks_of_live_daemons: when a check failed, the threads' stacks of every
# daemon process still running (a hung worker says where it hangs), with
# gdb if present, bounded in time.
stacks_of_live_daemons() {
	local pid kid
	command -v gdb >/dev/null || return 0
	for pid in $HL_PIDS; do
		alive "$pid" || continue
		for kid in $pid $(pgrep -P "$pid"); do
			echo "# --- stacks of $kid ($(tr '\0' ' ' </proc/$kid/cmdline 2>/dev/null | cut -c1-80))"
			timeout 20 gdb -q -batch -p "$kid" -ex 'thread apply all bt 30' 2>&1 |
			    grep -E '^(#|Thread)' | sed 's/^/#   /' | head -80
		done
	done
}

# A private redis-server on $REDIS_PORT (loopback, no persistence), for the
# tests that need Redis; cleanup stops it. With $REDIS_PASS it requires that
# password, and redis_cli passes it.
REDIS_PID=
REDIS_PASS=${REDIS_PASS:-}
redis_cli() { redis-cli -p "$REDIS_PORT" ${REDIS_PASS:+--no-auth-warning -a "$REDIS_PASS"} "$@"; }
start_redis() {
	redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
	    --appendonly no --daemonize no ${REDIS_PASS:+--requirepass "$REDIS_PASS"} \
	    >>"$T/redis.log" 2>&1 &
	REDIS_PID=$!
	wait_until 10 sh -c "redis-cli -p $REDIS_PORT ${REDIS_PASS:+--no-auth-warning -a $REDIS_PASS} ping 2>/dev/null | grep -q PONG"
}
stop_redis() {
	[ -n "$REDIS_PID" ] || return 0
	kill -KILL "$REDIS_PID" 2>/dev/null
	wait "$REDIS_PID" 2>/dev/null
	REDIS_PID=
}

cleanup() {
	local pid
	stop_redis
	[ "$tap_failed" -gt 0 ] && stacks_of_live_daemons
	for pid in $HL_PIDS; do stop_hotlined "$pid" TERM; done
	if ! sanitizer_clean; then
		not_ok "no sanitizer reports in the daemon logs"
	fi
	echo "1..$tap_n"
	if [ "$tap_failed" -gt 0 ]; then
		for f in "$T"/*.log; do
			[ -f "$f" ] || continue
			echo "# --- $f"; tail -40 "$f" | sed 's/^/# /'
		done
	fi
	[ -n "${HL_KEEP:-}" ] && echo "# kept $T" || rm -rf "$T"
}
trap cleanup EXIT
