#!/bin/bash
# The admin port: health, scoreboard, metrics, routing errors, the token,
# and the accept balance across workers.
. "$(dirname "$0")/lib.sh"

start_hotlined admin -w 2 || exit 1

h=$(admin_get /health)
check "/health says ok with 2 workers" \
    test "$(echo "$h" | jq "(j['status'], j['workers'], j['workers_configured'])")" = "('ok', 2, 2)"
check "/health has uptime_seconds" test "$(echo "$h" | jq "type(j['uptime_seconds']).__name__")" = int

w=$(workers_json)
check "/api/workers lists two running workers, indexes 0 and 1" \
    test "$(echo "$w" | jq "sorted(x['index'] for x in j['workers'] if x['state'] == 'running')")" = "[0, 1]"
check "/api/workers pids are distinct and not the master's" \
    test "$(echo "$w" | jq "len(set(x['pid'] for x in j['workers']) - {j['master_pid']})")" = 2
check "/api/workers reports the master pid" \
    test "$(echo "$w" | jq "j['master_pid']")" = "$HL_PID"
check "heartbeats are fresh" \
    test "$(echo "$w" | jq "all(x['heartbeat_age_ms'] < 2000 for x in j['workers'])")" = True

code=$(curl -s -o "$T/404" -w '%{http_code}' "http://$HL_ADMIN/nope")
check "unknown path is a 404 with a JSON error" \
    test "$code $(jq "j['error']" <"$T/404")" = "404 no such endpoint: /nope"
curl -s -D "$T/405h" -o "$T/405" -X POST "http://$HL_ADMIN/health" >/dev/null
check "wrong method is a 405 with Allow" grep -qi '^Allow: GET, HEAD' "$T/405h"
check "the 405 body is JSON" grep -q '"error":"method not allowed' "$T/405"
check "HEAD /health is 200" \
    test "$(curl -s -I -o /dev/null -w '%{http_code}' "http://$HL_ADMIN/health")" = 200

# /metrics must parse with the reference Prometheus parser.
admin_get /metrics >"$T/metrics.txt"
if $HL_PY metrics <"$T/metrics.txt" >"$T/samples"; then
	ok "/metrics parses as Prometheus text"
else
	not_ok "/metrics parses as Prometheus text"
fi
check "metrics: workers configured" grep -q '^hotline_workers_configured{} 2.0$' "$T/samples"
check "metrics: per-worker series for both workers" \
    test "$(grep -c '^hotline_worker_connections_accepted_total{slot' "$T/samples")" = 2
check "metrics: content type is the exposition format" \
    sh -c "curl -s -I 'http://$HL_ADMIN/metrics' | grep -qi 'text/plain; version=0.0.4'"

# Plain HTTP to the WebSocket port is told to upgrade.
check "the WebSocket port answers plain HTTP with 426" \
    sh -c "curl -s -o /dev/null -w '%{http_code}' 'http://$HL_WS/web' | grep -qx 426"

# Accept balance: 400 connections over 2 workers.
read -r good bad <<<"$($HL_PY http "$HL_WS" 400)"
check "400 concurrent connections all answered (got $good, $bad failed)" test "$good" = 400
w=$(workers_json)
note "accept balance: $(echo "$w" | jq "j['accept_balance']")"
check "every worker accepted connections" \
    test "$(echo "$w" | jq "all(x['connections_total'] > 0 for x in j['workers'])")" = True
check "no worker took more than 75% of them" \
    test "$(echo "$w" | jq "j['accept_balance']['max'] <= 300")" = True
admin_get /metrics | $HL_PY metrics >"$T/samples2"
total=$(sed -n 's/^hotline_connections_accepted_total{} //p' "$T/samples2")
check "summed accepted counter covers them (got $total)" \
    $PY -c "import sys; sys.exit(not float('$total') >= 400)"

# A stalled admin client does not block others.
exec 3<>"/dev/tcp/${HL_ADMIN%:*}/${HL_ADMIN#*:}"
printf 'GET /health HTTP/1.1\r\nHost: x\r\n' >&3
check "admin answers while another client stalls mid-request" health_ok
exec 3>&-
big=$(head -c 20000 /dev/zero | tr '\0' a)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $big" "http://$HL_ADMIN/health")
check "oversized admin headers are refused ($code)" test "$code" -ge 400
check "admin still healthy after the oversized request" health_ok
stop_hotlined "$HL_PID" TERM

# The token: every request needs it.
HL_TOKEN=s3cret
HOTLINE_ADMIN_TOKEN=s3cret start_hotlined token -w 1 || exit 1
HL_TOKEN=
code=$(curl -s -o "$T/401" -w '%{http_code}' "http://$HL_ADMIN/health")
check "no token: 401" test "$code" = 401
check "401 body is JSON" grep -q '"error"' "$T/401"
check "wrong token: 401" \
    test "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer nope' "http://$HL_ADMIN/metrics")" = 401
check "unknown path without token: 401, not 404" \
    test "$(curl -s -o /dev/null -w '%{http_code}' "http://$HL_ADMIN/nope")" = 401
check "right token: 200" \
    test "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer s3cret' "http://$HL_ADMIN/api/workers")" = 200
check "right token, scheme case-insensitive: 200" \
    test "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: bearer s3cret' "http://$HL_ADMIN/health")" = 200
