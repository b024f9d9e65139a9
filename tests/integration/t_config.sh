#!/bin/bash
# Configuration from the command line's point of view: -t, -T, errors with
# file:line, environment overrides, a port in use, usage.
. "$(dirname "$0")/lib.sh"

cat >"$T/bad.conf" <<'CONF'
# two mistakes and a good line
workers lots
listen 127.0.0.1:8000
no_such_key yes
CONF
"$HOTLINED" -f -c "$T/bad.conf" >"$T/bad.out" 2>&1
rc=$?
check "a bad config on start exits 1" test "$rc" = 1
check "the first error names file:line and the key" \
    grep -q "$T/bad.conf:2: workers: \"lots\" is not an integer" "$T/bad.out"
check "every error is reported, not just the first" \
    grep -q "$T/bad.conf:4: unknown key \"no_such_key\"" "$T/bad.out"
check "the error count is reported" grep -q "configuration has 2 errors" "$T/bad.out"

"$HOTLINED" -t -c "$T/bad.conf" >/dev/null 2>&1
check "-t on a bad config exits 1" test $? = 1
printf 'workers 3\nadmin_token hush\n' >"$T/good.conf"
"$HOTLINED" -t -c "$T/good.conf" >"$T/t.out" 2>&1
check "-t on a good config exits 0" test $? = 0
check "-t says the config is valid" grep -q "good.conf is valid" "$T/t.out"
"$HOTLINED" -T -c "$T/good.conf" >"$T/T.out" 2>/dev/null
check "-T prints the effective values with their source" \
    grep -q "^workers 3	# $T/good.conf:1" "$T/T.out"
check "-T hides the admin token" sh -c "! grep -q hush '$T/T.out'"
PROFILING_INTERVAL_SECONDS=45 HOTLINE_LOG_LEVEL=warn "$HOTLINED" -T -c "$T/good.conf" \
    -w 2 >"$T/T2.out" 2>/dev/null
check "the seed's PROFILING_INTERVAL_SECONDS is read" \
    grep -q "^profiling_interval_seconds 45	# PROFILING_INTERVAL_SECONDS" "$T/T2.out"
check "HOTLINE_<KEY> is read" grep -q "^log_level warn	# HOTLINE_LOG_LEVEL" "$T/T2.out"
check "-w beats the file" grep -q "^workers 2	# command line -w" "$T/T2.out"
cat "$T/T.out" >"$T/dump.conf"
"$HOTLINED" -t -c "$T/dump.conf" >/dev/null 2>&1
check "-T output is itself a valid config file" test $? = 0

"$HOTLINED" -f -c "$T/missing.conf" >"$T/missing.out" 2>&1
check "-c with a missing file exits 1" test $? = 1
check "... and says which file" grep -q "$T/missing.conf: cannot open" "$T/missing.out"

HOTLINE_WORKERS=3 start_hotlined envworkers || exit 1
check "HOTLINE_WORKERS=3 runs three workers" \
    test "$(running_pids | wc -l)" = 3
port=${HL_WS#*:}
"$HOTLINED" -f -o "listen=127.0.0.1:$port" -o admin_listen=127.0.0.1:0 \
    >"$T/inuse.out" 2>&1
check "a second hotlined on the same port exits 1" test $? = 1
check "... saying the address is in use" grep -q "cannot listen on 127.0.0.1:$port: Address already in use" "$T/inuse.out"
check "the first instance still serves" health_ok
stop_hotlined "$HL_PID" TERM

"$HOTLINED" -Z >/dev/null 2>&1
check "an unknown option exits 1" test $? = 1
check "-V prints the version" sh -c "'$HOTLINED' -V | grep -q '^hotlined [0-9]'"
check "-h prints usage and exits 0" sh -c "'$HOTLINED' -h | grep -q '^usage: hotlined'"
"$HOTLINED" -t -o nonsense >"$T/o.out" 2>&1
check "-o without = is refused" grep -q "expected key=value" "$T/o.out"

# As root with `user` set, workers drop to that user after the master binds.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	start_hotlined user -w 1 -o user=nobody || exit 1
	wpid=$(running_pids | head -1)
	check "the worker runs as nobody" \
	    test "$(ps -o user= -p "$wpid" | tr -d ' ')" = nobody
	check "the master stays root" test "$(ps -o user= -p "$HL_PID" | tr -d ' ')" = root
	check "the unprivileged worker still accepts on the master's socket" \
	    sh -c "curl -s -o /dev/null -w '%{http_code}' 'http://$HL_WS/web' | grep -qx 426"
	stop_hotlined "$HL_PID" TERM
else
	ok "# SKIP user switching needs root and a 'nobody' user"
fi
"$HOTLINED" -t -o user=no_such_user_hl >"$T/user.out" 2>&1
check "an unknown user is a config error" grep -q 'user: no such user "no_such_user_hl"' "$T/user.out"
