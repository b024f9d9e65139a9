#!/bin/bash
# The admin port under hostile clients: a request trickled one byte at a
# time is cut at admin_request_timeout (in total, not per read); past
# admin_max_connections accepting pauses without spinning and resumes;
# out of descriptors, /health still answers on a reserved one; a FIFO
# named like a report does not block the master.
. "$(dirname "$0")/lib.sh"

FAULTS="$PY $top_srcdir/tests/integration/faults.py"
metric() { admin_get /metrics | sed -n "s/^$1 //p"; }
# cpu_ms PID: user + system CPU time of PID so far, in ms.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$1/stat"; }

start_hotlined slow -w 1 -o admin_request_timeout=2 -o admin_max_connections=4 || exit 1
out=$($FAULTS trickle "$HL_ADMIN" 1 8)
note "a request sent one byte a second: $out"
check "a trickling admin client is cut at the 2 s deadline (not per read)" \
    sh -c "echo '$out' | grep -qE '^cut (1\.[5-9]|2\.|3\.|4\.)'"
check "... with a 408" sh -c "echo '$out' | grep -q ' 408$'"
check "... and counted" test "$(metric hotline_admin_timeouts_total)" = 1
out=$($FAULTS keepalive "$HL_ADMIN" 4 1.2)
check "a kept-alive client asking every 1.2 s for 3.6 s is not cut ($out)" \
    test "$out" = "answered 4"

# The cap: 12 idle connections against a cap of 4.
cpu0=$(cpu_ms "$HL_PID")
$HL_PY hold "$HL_ADMIN" 12 4 >/dev/null &
holder=$!
sleep 0.5
t0=$(date +%s%N)
code=$(curl -s -o /dev/null -w '%{http_code}' -m 8 "http://$HL_ADMIN/health")
waited=$((($(date +%s%N) - t0) / 1000000))
note "/health with 12 idle admin connections and a cap of 4: $code after $waited ms"
check "/health is answered at the cap, not queued behind idle clients" \
    test "$code" = 200 -a "$waited" -lt 1500
code=$(curl -s -o /dev/null -w '%{http_code}' -m 8 "http://$HL_ADMIN/api/workers")
check "other paths get 503 at the cap ($code)" test "$code" = 503
wait "$holder"
cpu1=$(cpu_ms "$HL_PID")
note "master CPU over the 4 s at the cap: $((cpu1 - cpu0)) ms"
check "the master does not spin at the cap ($((cpu1 - cpu0)) ms CPU in 4 s)" \
    test $((cpu1 - cpu0)) -lt 800
check "the pauses are counted ($(metric hotline_admin_accept_pauses_total))" \
    test "$(metric hotline_admin_accept_pauses_total)" -ge 1
check "the idle ones past the cap were answered and closed at once" \
    test "$(metric hotline_admin_overflow_answers_total)" -ge 8
check "those at the cap were cut at the deadline ($(metric hotline_admin_timeouts_total))" \
    test "$(metric hotline_admin_timeouts_total)" -ge 5

# A FIFO named like a report.
mkfifo "$T/reports-slow/profile_20261124T101500Z_0001.json"
code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 \
    "http://$HL_ADMIN/api/profiling/reports/profile_20261124T101500Z_0001.json")
check "a FIFO named like a report is 404, not a hang ($code)" test "$code" = 404
check "health is ok after it" health_ok
stop_hotlined "$HL_PID"

# Out of descriptors: a low open-file limit (the master raises its soft
# limit to the hard one, so both are set) and more idle admin connections
# than it allows, with a cap above them.
cat >"$T/lowfd.sh" <<EOS
#!/bin/bash
ulimit -Hn 96 -Sn 96 && exec $HOTLINED "\$@"
EOS
chmod +x "$T/lowfd.sh"
HOTLINED=$T/lowfd.sh start_hotlined lowfd -w 1 -o admin_request_timeout=30 \
    -o admin_max_connections=1000 || exit 1
$HL_PY hold "$HL_ADMIN" 120 10 >/dev/null &
holder=$!
emfile() { grep -q "admin port: accept: Too many open files" "$HL_LOG"; }
check "the master runs out of descriptors" wait_until 4 emfile
cpu0=$(cpu_ms "$HL_PID")
t0=$(date +%s%N)
body=$(curl -s -m 8 "http://$HL_ADMIN/health")
note "answered after $((($(date +%s%N) - t0) / 1000000)) ms"
note "/health out of descriptors: $body"
check "/health answers on the reserved descriptor" \
    sh -c "echo '$body' | grep -q '\"workers\":1'"
other=$(curl -s -o /dev/null -w '%{http_code}' -m 8 "http://$HL_ADMIN/api/workers")
check "other paths get 503 meanwhile ($other)" test "$other" = 503
sleep 2
cpu1=$(cpu_ms "$HL_PID")
check "the master does not spin out of descriptors ($((cpu1 - cpu0)) ms CPU in 2 s)" \
    test $((cpu1 - cpu0)) -lt 400
wait "$holder"
workers_200() { test "$(curl -s -o /dev/null -w '%{http_code}' -m 5 "http://$HL_ADMIN/api/workers")" = 200; }
check "when the connections go, the admin port serves every path again" \
    wait_until 10 workers_200
errors=$(metric hotline_admin_accept_errors_total)
answers=$(metric hotline_admin_overflow_answers_total)
check "the accept errors ($errors) and reserved answers ($answers) are counted" \
    test "$errors" -ge 1 -a "$answers" -ge 2
