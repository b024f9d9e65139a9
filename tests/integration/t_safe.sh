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

# The admin port: a non-loopback address needs admin_token.
printf '# admin reachable from elsewhere\nadmin_listen 0.0.0.0:9000\n' >"$T/open.conf"
"$HOTLINED" -t -c "$T/open.conf" >"$T/open.out" 2>&1
check "-t refuses a non-loopback admin port without a token" test $? = 1
check "... naming file:line and the key" grep -q \
    "$T/open.conf:2: admin_listen: 0.0.0.0:9000 is not a loopback address and admin_token is empty" \
    "$T/open.out"
"$HOTLINED" -t -o 'admin_listen=[::]:9000' >"$T/open6.out" 2>&1
check "... and so does [::]" grep -q "admin_listen: \[::\]:9000 is not a loopback" "$T/open6.out"
"$HOTLINED" -t -c "$T/open.conf" -o admin_token=tk-full-7q >/dev/null 2>&1
check "with admin_token it is accepted" test $? = 0
"$HOTLINED" -t -o 'admin_listen=[::1]:9000' >/dev/null 2>&1
check "[::1] needs no token" test $? = 0
printf 'admin_read_token tk-read-9z\n' >"$T/ro.conf"
"$HOTLINED" -t -c "$T/ro.conf" >"$T/ro.out" 2>&1
check "admin_read_token without admin_token is refused" test $? = 1
check "... naming file:line and the key" grep -q \
    "$T/ro.conf:1: admin_read_token: set without admin_token" "$T/ro.out"

# Two tokens: the read-only one reads, only the admin one changes state.
HL_TOKEN=tk-read-9z	# start_hotlined's health check reads with it
start_hotlined tokens -w 1 -o admin_token=tk-full-7q \
    -o admin_read_token=tk-read-9z || exit 1
status() { curl -s -o /dev/null -w '%{http_code}' -m 5 "$@"; }
RO='Authorization: Bearer tk-read-9z'
RW='Authorization: Bearer tk-full-7q'
check "read token: GET /metrics 200" test "$(status -H "$RO" "http://$HL_ADMIN/metrics")" = 200
check "read token: GET report list 200" \
    test "$(status -H "$RO" "http://$HL_ADMIN/api/profiling/reports")" = 200
check "read token: DELETE of a report 403" \
    test "$(status -X DELETE -H "$RO" "http://$HL_ADMIN/api/profiling/reports/r1")" = 403
check "read token: POST /api/broadcast 403" test "$(status -X POST -H "$RO" \
    -d '{"topic":"t","data":{}}' "http://$HL_ADMIN/api/broadcast")" = 403
check "read token: on-demand profile 403" \
    test "$(status -H "$RO" "http://$HL_ADMIN/api/profiling/profile?seconds=1")" = 403
code=$(status -X DELETE -H "$RW" "http://$HL_ADMIN/api/profiling/reports/r1")
check "admin token: DELETE reaches the handler ($code: no such report)" \
    test "$code" != 401 -a "$code" != 403
check "no token: 401" test "$(status "http://$HL_ADMIN/metrics")" = 401
for i in $(seq 50); do status -H 'Authorization: Bearer tk-bad-3x' "http://$HL_ADMIN/health" >/dev/null; done
curl -s -m 5 -H "$RW" "http://$HL_ADMIN/metrics" >"$T/metrics"
check "the 401s are counted" grep -q '^hotline_admin_unauthorized_total 51$' "$T/metrics"
check "the 403s are counted" grep -q '^hotline_admin_forbidden_total 3$' "$T/metrics"
check "the state change is logged with the peer" \
    grep -q "admin: DELETE /api/profiling/reports/r1 from 127.0.0.1:[0-9]" "$HL_LOG"
check "a 403 is logged with the peer" \
    grep -q "admin: 403 for DELETE /api/profiling/reports/r1 from 127.0.0.1:" "$HL_LOG"
sleep 1.2	# past the one-line-a-second limit: the next 401 is logged
status "http://$HL_ADMIN/health" >/dev/null
check "a 401 is logged with the peer and what was held back" wait_until 5 grep -qE \
    "admin: 401 for GET /health from 127.0.0.1:[0-9]+: missing or wrong bearer token \([1-9][0-9]* more held back\)" "$HL_LOG"
n=$(grep -c "admin: 40[13] for" "$HL_LOG")
note "55 refusals in $(grep -c . "$HL_LOG") log lines: $n of them about refusals"
check "55 refusals are logged at most once a second ($n lines)" test "$n" -le 10
check "no token reaches the log" sh -c "! grep -q 'tk-full-7q\|tk-read-9z\|tk-bad-3x' '$HL_LOG'"
stop_hotlined "$HL_PID" TERM

# Workers never run as root by accident.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 && ! id hotline >/dev/null 2>&1; then
	chmod 755 "$T"	# the workers' account reopens the log in it
	HL_READY_LOG=$T/u.log start_hotlined unpriv -w 1 -o "log_file=$T/u.log" \
	    -o profiling_interval_seconds=1 -o workloads=demo || exit 1
	wpid=$(running_pids | head -1)
	check "user empty, started as root: the worker runs as nobody" \
	    test "$(ps -o user= -p "$wpid" | tr -d ' ')" = nobody
	check "the master stays root" test "$(ps -o user= -p "$HL_PID" | tr -d ' ')" = root
	check "... and the log says which account" grep -q \
	    "user is empty and hotlined runs as root: workers run as nobody" "$T/u.log"
	run_cases "unprivileged worker serves the workloads" $SAFE workloads "$HL_WS" demo
	check "the profiler still writes reports" wait_until 10 sh -c \
	    "ls '$T/reports-unpriv'/profile_*.json >/dev/null 2>&1"
	check "... with samples from the worker" wait_until 10 sh -c \
	    "grep -l '\"samples\": *[1-9]' '$T/reports-unpriv'/profile_*.json >/dev/null 2>&1 || grep -l 'handle_work' '$T/reports-unpriv'/profile_*.json >/dev/null 2>&1"
	mv "$T/u.log" "$T/u.log.1"
	kill -USR1 "$HL_PID"
	check "USR1 reopens the log" wait_until 5 test -f "$T/u.log"
	kill -HUP "$HL_PID"
	check "... and new lines go to it" wait_until 10 grep -q "reloading" "$T/u.log"
	check "the reloaded worker runs as nobody too" wait_until 10 sh -c \
	    "ps -o user= -C hotlined --ppid $HL_PID | grep -q nobody"
	stop_hotlined "$HL_PID" TERM

	start_hotlined asroot -w 1 -o user=root || exit 1
	wpid=$(running_pids | head -1)
	check "user root keeps the worker root" \
	    test "$(ps -o user= -p "$wpid" | tr -d ' ')" = root
	check "... and says so in the log" grep -q "user root: workers run as root" "$HL_LOG"
	stop_hotlined "$HL_PID" TERM
else
	ok "# SKIP the default account needs root, a 'nobody' and no 'hotline' user"
fi

# Refused authentications are logged with the peer, never the token.
printf 'safe-test-secret-0123456789abcdef\n' >"$T/jwt.secret"
chmod 600 "$T/jwt.secret"
start_hotlined auth -w 1 -o auth=jwt -o "jwt_secret_file=$T/jwt.secret" || exit 1
upgrade() {
	curl -s -o /dev/null -w '%{http_code}' -m 5 -H 'Connection: Upgrade' \
	    -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \
	    -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' "http://$HL_WS/web$1"
}
check "a bad token at the upgrade: 401" test "$(upgrade '?token=tk.jwt.bad7')" = 401
check "... logged with the peer and the reason" wait_until 5 grep -qE \
    "auth: refused 127.0.0.1:[0-9]+ at the upgrade: invalid token" "$HL_LOG"
for i in $(seq 30); do upgrade '?token=tk.jwt.bad7' >/dev/null; done
n=$(grep -c "auth: refused" "$HL_LOG")
check "31 refusals are logged at most once a second ($n lines)" test "$n" -le 10
check "the token never reaches the log" sh -c "! grep -q 'tk.jwt.bad7' '$HL_LOG'"
stop_hotlined "$HL_PID" TERM

# Paths an installed daemon can live with: the report directory comes from
# configure, and -t checks what the master will write.
env -u PROFILING_OUTPUT_DIR "$HOTLINED" -T 2>/dev/null | grep '^profiling_output_dir ' >"$T/dir.out"
check "the report directory defaults to \$localstatedir/lib/hotline/reports" \
    grep -q '^profiling_output_dir /.*/lib/hotline/reports	# default' "$T/dir.out"
: >"$T/afile"
printf 'profiling_output_dir %s/afile/reports\nlog_file %s/afile/x.log\n' "$T" "$T" >"$T/paths.conf"
env -u PROFILING_OUTPUT_DIR "$HOTLINED" -t -c "$T/paths.conf" >"$T/paths.out" 2>&1
check "-t refuses a report directory that cannot be created" test $? = 1
check "... naming file:line and the key" grep -q \
    "$T/paths.conf:1: profiling_output_dir: $T/afile is not a directory" "$T/paths.out"
check "... and a log file that cannot be created" grep -q \
    "$T/paths.conf:2: log_file: cannot create it in $T/afile" "$T/paths.out"
"$HOTLINED" -t -o "profiling_output_dir=$T/new/a/b" -o "log_file=$T/new.log" >/dev/null 2>&1
check "-t accepts directories it can create" test $? = 0
check "... without creating them" test ! -e "$T/new"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 && command -v runuser >/dev/null; then
	chmod 755 "$T"; mkdir -p "$T/rootonly"
	runuser -u nobody -- "$HOTLINED" -t -o "profiling_output_dir=$T/rootonly" \
	    >"$T/ro.out" 2>&1
	check "-t as another account: a directory it cannot write is refused" \
	    grep -q "profiling_output_dir: cannot write in $T/rootonly" "$T/ro.out"
else
	ok "# SKIP writability as another account needs root, nobody and runuser"
fi
