#!/bin/bash
# Operating like nginx and Redis: process titles, logrotate's USR1, idle
# windows that write no report, and the systemd unit's capabilities
# (emulated with setpriv: PID 1 here may not be systemd).
. "$(dirname "$0")/lib.sh"

# Workers run as nobody when the tests run as root: they reopen the log
# through $T.
chmod 755 "$T"
var=$T/var
mkdir -p "$var/log/hotline" "$var/run"
log=$var/log/hotline/hotlined.log
HL_READY_LOG=$log start_hotlined ops -w 2 -o profiling_interval_seconds=1 \
    -o "log_file=$log" -p "$var/run/hotlined.pid" || exit 1
unset HL_READY_LOG
dir=$T/reports-ops

# title PID: the first string of its command line.
title() { tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | head -1; }
titles() { for p in $(pgrep -P "$HL_PID" | sort -n); do title "$p"; done | sort | tr '\n' '|'; }
check "the master's title is 'hotlined: master'" test "$(title "$HL_PID")" = "hotlined: master"
check "ps shows it" sh -c "ps -o args= -p $HL_PID | grep -q '^hotlined: master *$'"
check "the workers' titles name index and generation ($(titles))" \
    test "$(titles)" = "hotlined: worker 0 gen 1|hotlined: worker 1 gen 1|"
check "the process name stays hotlined (ps -C, pidof)" \
    test "$(ps -o comm= -p "$HL_PID")" = hotlined

# Idle windows: counted in the status, not written.
status() { admin_get /api/profiling/status; }
check "an idle daemon counts its empty windows" \
    wait_until 15 sh -c "test \"\$($HL_PY json \"j['reports']['empty_windows']\" <<EOF2
\$(curl -s -m 5 http://$HL_ADMIN/api/profiling/status)
EOF2
)\" -ge 3"
st=$(status)
empty=$(echo "$st" | jq "j['reports']['empty_windows']")
note "empty windows after the idle start: $empty; status: $(echo "$st" | jq "j['reports']")"
check "... and writes no report set for them" test "$(echo "$st" | jq "j['reports']['written']")" = 0
check "... so the directory holds none" test "$(ls "$dir"/profile_*.json 2>/dev/null | wc -l)" = 0
check "... and says when the last one ended" test "$(echo "$st" | jq "j['reports']['last_empty_window_at'] > 1700000000")" = True

$PY "$top_srcdir/tests/integration/load.py" "ws://$HL_WS/web" 2 \
    '{"pkg_id":3,"req_id":"w","data":{"a":300000}}' >/dev/null
check "a busy window is written" wait_until 15 sh -c "ls '$dir'/profile_*.json >/dev/null 2>&1"
first=$(ls "$dir"/profile_*.json | sort | head -1)
skipped=$(jq "j['skipped_empty_windows']" <"$first")
check "its header counts the empty windows before it ($skipped >= $empty)" \
    test "$skipped" -ge "$empty"
check "... in schema 1.5" test "$(jq "j['schema_version']" <"$first")" = 1.5

# logrotate with the shipped rules: rename, USR1, a new file.
if command -v logrotate >/dev/null; then
	sed "s|@localstatedir@|$var|g; s|@sysconfdir@|$T|g" \
	    "$top_srcdir/contrib/hotlined.logrotate.in" >"$T/logrotate.conf"
	logrotate -f -s "$T/logrotate.state" "$T/logrotate.conf" >"$T/logrotate.log" 2>&1
	check "logrotate rotates the log" test -s "$log.1"
	check "... USR1 makes the master write a new one" \
	    wait_until 10 grep -q "log reopened (USR1)" "$log"
	reopened() {
		local p
		for p in $(pgrep -P "$HL_PID"); do
			ls -l "/proc/$p/fd" | grep -q "$log\$" || return 1
		done
	}
	check "... and every worker reopens it" wait_until 10 reopened
else
	ok "# SKIP logrotate is not installed (scripts/deps.sh test)"
fi

kill -HUP "$HL_PID"
check "after a reload the workers are generation 2" wait_eq 15 \
    "hotlined: worker 0 gen 2|hotlined: worker 1 gen 2|" titles

# The unit's credentials, emulated: an unprivileged account with only
# CAP_NET_BIND_SERVICE and CAP_PERFMON, ambient, under no_new_privs; under
# strace when there is one, to hold its system calls to the unit's filter.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 &&
    setpriv --help 2>&1 | grep -q -- --ambient-caps &&
    [ "$(cat /proc/sys/kernel/cap_last_cap)" -ge 38 ]; then
	port=
	for p in $(seq 700 20 1000); do
		ss -ltnH "sport = :$p" | grep -q . || { port=$p; break; }
	done
	mkdir "$T/nobody" && chown nobody "$T/nobody"
	# LeakSanitizer cannot run under ptrace (ASan builds); the first
	# daemon's run checks leaks.
	trace=
	command -v strace >/dev/null &&
	    trace="env ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 strace -f -qq -o $T/unit.trace"
	caps=-all,+net_bind_service,+perfmon
	$trace setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	    --inh-caps=$caps --ambient-caps=$caps --bounding-set=$caps \
	    --no-new-privs "$HOTLINED" -f -w 1 -o "listen=127.0.0.1:$port" \
	    -o admin_listen=127.0.0.1:0 -o "profiling_output_dir=$T/nobody/r" \
	    -o profiling_interval_seconds=1 -o workloads=full \
	    -o "log_file=$T/nobody/unit.log" >"$T/unit.log" 2>&1 &
	launcher=$!
	check "as nobody with the unit's capabilities it binds port $port" \
	    wait_until 15 grep -q " ready: WebSocket ws://127.0.0.1:$port/" \
	    "$T/nobody/unit.log"
	upid=$launcher
	[ -n "$trace" ] && upid=$(pgrep -P "$launcher")	# env and strace exec
	HL_PIDS="$HL_PIDS $upid"
	capeff() { sed -n 's/^CapEff:[[:space:]]*//p' "/proc/$1/status"; }
	check "the master keeps CAP_NET_BIND_SERVICE and CAP_PERFMON only" \
	    test "$(capeff "$upid")" = 0000004000000400
	wpid=$(pgrep -P "$upid" | head -1)
	check "its worker holds no capability" test "$(capeff "$wpid")" = 0000000000000000
	uadmin=$(sed -n 's|.* admin http://\([^/]*\)/.*|\1|p' "$T/nobody/unit.log")
	timer=$(curl -s -m 5 "http://$uadmin/api/profiling/status" | jq "j['timer']")
	note "perf_event_paranoid $(cat /proc/sys/kernel/perf_event_paranoid): timer $timer"
	check "the sampler still gets its fastest timer (perf, kernel too)" \
	    test "$timer" = perf
	if [ -n "$trace" ]; then
		$PY "$top_srcdir/tests/integration/load.py" "ws://127.0.0.1:$port/web" 1 \
		    '{"pkg_id":3,"req_id":"w","data":{"a":300000}}' >/dev/null
		wait_until 15 sh -c "ls '$T/nobody/r'/profile_*.json >/dev/null 2>&1"
		kill -USR1 "$upid"
		kill -HUP "$upid"
		wait_until 15 grep -q "reloaded" "$T/nobody/unit.log"
		kill -QUIT "$upid"
		wait "$launcher"
		refused=$($PY "$top_srcdir/tests/integration/syscalls.py" \
		    "$top_srcdir/contrib/hotlined.service.in" "$T/unit.trace" | tr '\n' ' ')
		check "a run with load, a report, USR1, HUP and QUIT makes no call the unit's SystemCallFilter refuses (${refused:-none})" \
		    test -z "$refused"
	else
		ok "# SKIP strace is not installed: system calls not checked"
	fi
else
	ok "# SKIP the credentials check needs root, nobody, setpriv --ambient-caps and CAP_PERFMON"
fi
