#!/bin/bash
# Running as a daemon: detaching, the pidfile, refusing a second copy,
# startup errors reaching the terminal, and systemd's notify protocol.
. "$(dirname "$0")/lib.sh"

pidfile=$T/hotlined.pid
logfile=$T/daemon.log
"$HOTLINED" -p "$pidfile" -o listen=127.0.0.1:0 -o admin_listen=127.0.0.1:0 \
    -o "log_file=$logfile" -w 1 >"$T/start.out" 2>&1
rc=$?
check "hotlined without -f returns 0 once the daemon is ready" test "$rc" = 0
check "the log file has the ready line" grep -q ' ready: ' "$logfile"
pid=$(cat "$pidfile" 2>/dev/null)
HL_PIDS="$HL_PIDS $pid"
check "the pidfile names a live process" kill -0 "$pid"
check "the daemon is a session leader, detached from us" \
    test "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid"
HL_ADMIN=$(sed -n 's|.* admin http://\([^/]*\)/.*|\1|p' "$logfile" | head -1)
check "it serves its admin port" health_ok

"$HOTLINED" -p "$pidfile" -o listen=127.0.0.1:0 -o admin_listen=127.0.0.1:0 \
    -w 1 >"$T/second.out" 2>&1
check "a second copy with the same pidfile exits 1" test $? = 1
check "... saying which pid runs" grep -q "already running (pid $pid)" "$T/second.out"

# A startup error after detaching still reaches the terminal.
"$HOTLINED" -o listen=127.0.0.1:0 -o "admin_listen=$HL_ADMIN" -w 1 \
    -o "log_file=$T/fail.log" >"$T/fail.out" 2>&1
check "a daemon that fails to start exits 1" test $? = 1
check "... and prints why" grep -q "admin port $HL_ADMIN: Address already in use" "$T/fail.out"

kill -QUIT "$pid"
gone() { ! alive "$pid"; }
check "QUIT stops the daemon" wait_until 10 gone
check "the pidfile is removed" test ! -e "$pidfile"

# systemd: NOTIFY_SOCKET set means stay in the foreground and notify.
sock=$T/notify.sock
$HL_PY notify "$sock" 8 >"$T/notify.out" &
listener=$!
wait_until 5 test -S "$sock"
NOTIFY_SOCKET=$sock "$HOTLINED" -o listen=127.0.0.1:0 -o admin_listen=127.0.0.1:0 \
    -w 1 >"$T/sd.log" 2>&1 &
sdpid=$!
HL_PIDS="$HL_PIDS $sdpid"
check "under systemd it sends READY=1" wait_until 5 grep -q "READY=1" "$T/notify.out"
check "... with its MAINPID" grep -q "MAINPID=$sdpid" "$T/notify.out"
check "... and stays in the foreground" kill -0 "$sdpid"
kill -HUP "$sdpid"
check "a reload sends RELOADING=1" wait_until 5 grep -q "RELOADING=1" "$T/notify.out"
kill -TERM "$sdpid"
check "a stop sends STOPPING=1" wait_until 5 grep -q "STOPPING=1" "$T/notify.out"
wait "$sdpid"
check "and it exits 0" test $? = 0
kill "$listener" 2>/dev/null

# The SysV init script, pointed at this build through HOTLINED_DEFAULTS.
init=$top_builddir/contrib/hotlined
cat >"$T/init.conf" <<CONF
listen 127.0.0.1:0
admin_listen 127.0.0.1:0
workers 1
shutdown_timeout 2
log_file $T/init.log
CONF
cat >"$T/defaults" <<DEF
DAEMON=$HOTLINED
CONF=$T/init.conf
PIDFILE=$T/init.pid
DEF
export HOTLINED_DEFAULTS=$T/defaults
sh "$init" start >"$T/init.out" 2>&1
check "init script: start succeeds" test $? = 0
ipid=$(cat "$T/init.pid" 2>/dev/null)
HL_PIDS="$HL_PIDS $ipid"
sh "$init" status >/dev/null 2>&1
check "init script: status says running (0)" test $? = 0
echo "workers many" >>"$T/init.conf"
sh "$init" reload >"$T/reload.out" 2>&1
check "init script: reload refuses a broken config" test $? != 0
check "... and shows the error" grep -q "init.conf:6: workers" "$T/reload.out"
check "... while the daemon keeps running" kill -0 "$ipid"
sed -i '$d' "$T/init.conf"
sh "$init" stop >"$T/stop.out" 2>&1
check "init script: stop succeeds" test $? = 0
check "... and the daemon is gone" sh -c "! ps -o stat= -p $ipid | grep -qv '^Z'"
sh "$init" status >/dev/null 2>&1
check "init script: status says not running (3)" test $? = 3
