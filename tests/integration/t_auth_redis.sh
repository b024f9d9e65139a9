#!/bin/bash
# Sessions in Redis (auth_sessions): a private redis-server holds
# session:<user> keys; a session present admits, a missing one closes 4001;
# with Redis killed, redis_fail_mode open keeps admitting and closed
# refuses, and both recover when Redis is back.
. "$(dirname "$0")/lib.sh"

TOKEN=$top_builddir/tools/hotline-token
SECRET=0123456789abcdef0123456789abcdef-hotline-test
AC="$PY $top_srcdir/tests/integration/authclient.py"
REDIS_PID=
REDIS_PORT=$((21000 + $$ % 8000))
mint() { "$TOKEN" --secret "$SECRET" "$@"; }
metric() { admin_get /metrics | sed -n "s/^$1 //p"; }
rcli() { redis-cli -p "$REDIS_PORT" "$@" >/dev/null; }

if ! command -v redis-server >/dev/null; then
	note "redis-server is not installed (scripts/deps.sh test): skipping"
	ok "# SKIP no redis-server"
	exit 0
fi
"$HOTLINED" -t -o auth=jwt -o jwt_secret=$SECRET -o auth_sessions=yes >"$T/t.out" 2>&1
check "-t: auth_sessions without redis_url fails, saying so" \
    grep -q "auth_sessions needs redis_url" "$T/t.out"
"$HOTLINED" -t -o auth=jwt -o jwt_secret=$SECRET -o auth_sessions=yes \
    -o redis_url=redis://localhost:6379 >"$T/t.out" 2>&1
check "-t: a host name in redis_url is refused" grep -q "redis_url: " "$T/t.out"

start_redis
check "redis-server runs on 127.0.0.1:$REDIS_PORT" test -n "$REDIS_PID"
rcli SET session:alice 1
alice=$(mint --sub alice)
bob=$(mint --sub bob)
common="-o workers=2 -o auth=jwt -o jwt_secret=$SECRET -o auth_sessions=yes
    -o redis_url=redis://127.0.0.1:$REDIS_PORT -o auth_token_sources=query,header,message"
# shellcheck disable=SC2086
start_hotlined open $common || exit 1
OPEN_WS=$HL_WS OPEN_ADMIN=$HL_ADMIN
wait_eq 10 2 metric hotline_auth_redis_up
check "both workers connect to the session store" test "$(metric hotline_auth_redis_up)" = 2
check "a session in Redis: requests work (token at the upgrade)" \
    test "$($AC call "$HL_WS" "$alice" 1)" = 0
check "... and with an auth message" test "$($AC first "$HL_WS" ok "$alice")" = "auth_ok 0"
check "no session: close 4001 (token at the upgrade)" \
    test "$($AC rate "$HL_WS" "$bob" 3)" = "0 0 4001"
check "... and with an auth message" test "$($AC first "$HL_WS" send "$bob")" = 4001
check "ws_auth_failures_total{reason=\"no_session\"} counted" \
    test "$(metric 'ws_auth_failures_total{reason="no_session"}')" = 2
rcli SET session:bob 1
check "bob logs in: admitted" test "$($AC call "$HL_WS" "$bob" 1)" = 0

# shellcheck disable=SC2086
start_hotlined closed $common -o redis_fail_mode=closed || exit 1
CLOSED_WS=$HL_WS CLOSED_ADMIN=$HL_ADMIN
wait_eq 10 2 metric hotline_auth_redis_up

# A slow Redis (stopped, its socket still open): lookups time out after
# auth_session_timeout (500 ms).
kill -STOP "$REDIS_PID"
check "Redis slow: fail open admits after the lookup times out" \
    test "$($AC call "$OPEN_WS" "$bob" 1)" = 0
check "... fail closed refuses (close 4001)" \
    test "$($AC rate "$CLOSED_WS" "$alice" 1)" = "0 0 4001"
kill -CONT "$REDIS_PID"

stop_redis
HL_ADMIN=$OPEN_ADMIN wait_eq 10 0 metric hotline_auth_redis_up
check "Redis killed: fail open keeps admitting" \
    test "$($AC call "$OPEN_WS" "$alice" 1)" = 0
check "... counted as decided by redis_fail_mode" \
    test "$(HL_ADMIN=$OPEN_ADMIN metric hotline_auth_session_fallback_total)" -ge 1
r=$($AC upgrade "$CLOSED_WS" "$alice" -)
check "fail closed refuses new logins: 401 ($r)" \
    test "$r" = "401 session store unavailable"
check "... with an auth message too: close 4001" \
    test "$($AC first "$CLOSED_WS" send "$alice")" = 4001
check "the outage is logged once per worker" \
    test "$(grep -c 'session store lost' "$T/closed.log")" -le 2
start_redis
rcli SET session:alice 1
HL_ADMIN=$CLOSED_ADMIN wait_eq 10 2 metric hotline_auth_redis_up
HL_ADMIN=$OPEN_ADMIN wait_eq 10 2 metric hotline_auth_redis_up
check "Redis back: fail closed admits again" \
    test "$($AC call "$CLOSED_WS" "$alice" 1)" = 0
check "... and fail open checks sessions again (bob has none now)" \
    wait_eq 10 "0 0 4001" $AC rate "$OPEN_WS" "$bob" 1
check "the recovery is logged" grep -q 'session store is back' "$T/closed.log"

# --- the message rate across instances ------------------------------------------
# Two instances share the Redis; carol's messages on both count against one
# budget of 10 (a window of a day, so the test never straddles two). Each
# message waits for its reply, so every round trip is back before the next.
rcommon="-o workers=2 -o auth=jwt -o jwt_secret=$SECRET
    -o redis_url=redis://127.0.0.1:$REDIS_PORT -o auth_rate_limit=10 -o auth_rate_window=86400"
# shellcheck disable=SC2086
start_hotlined rate-a $rcommon || exit 1
A_WS=$HL_WS A_ADMIN=$HL_ADMIN
# shellcheck disable=SC2086
start_hotlined rate-b $rcommon || exit 1
B_WS=$HL_WS B_ADMIN=$HL_ADMIN
# shellcheck disable=SC2086
start_hotlined rate-c $rcommon -o redis_fail_mode=closed || exit 1
C_WS=$HL_WS C_ADMIN=$HL_ADMIN
for a in "$A_ADMIN" "$B_ADMIN" "$C_ADMIN"; do
	HL_ADMIN=$a wait_eq 10 2 metric hotline_auth_redis_up
done
carol=$(mint --sub carol)
check "instance A: 6 of carol's 10 messages" \
    test "$($AC spread "$A_WS" "$carol" 6 0.1)" = "6 0 None"
r=$($AC spread "$B_WS" "$carol" 8 0.1)
check "instance B: the other 4, then close 1008 ($r)" test "$r" = "4 0 1008"
r=$($AC spread "$A_WS" "$carol" 3 0.1)
check "back on A: over after one round trip ($r)" test "$r" = "1 0 1008"
check "... and then at once, on either worker of A" \
    test "$($AC spread "$A_WS" "$carol" 2 0.1)" = "0 0 1008"
check "another user is not limited by carol" \
    test "$($AC spread "$B_WS" "$(mint --sub dan)" 3 0.05)" = "3 0 None"
check "refusals counted in hotline_rate_redis_limited_total" \
    test "$(HL_ADMIN=$A_ADMIN metric hotline_rate_redis_limited_total)" -ge 1
check "round trips counted" \
    test "$(HL_ADMIN=$B_ADMIN metric hotline_rate_redis_checks_total)" -ge 4
check "... and timed (hotline_auth_redis_rtt_seconds)" \
    test "$(HL_ADMIN=$B_ADMIN metric hotline_auth_redis_rtt_seconds_count)" -ge 4
check "the counter in Redis holds the admitted messages" \
    test "$(redis-cli -p "$REDIS_PORT" --raw eval "local s=0 for _,k in ipairs(redis.call('KEYS','hotline:rate:{carol}:*')) do s=s+tonumber(redis.call('GET',k)) end return s" 0)" = 11
stop_redis
HL_ADMIN=$A_ADMIN wait_eq 10 0 metric hotline_auth_redis_up
HL_ADMIN=$C_ADMIN wait_eq 10 0 metric hotline_auth_redis_up
check "Redis down: fail open counts on the local limit only" \
    test "$($AC spread "$A_WS" "$(mint --sub erin)" 3 0.05)" = "3 0 None"
check "... fail closed refuses messages (close 1008)" \
    test "$($AC spread "$C_WS" "$(mint --sub erin)" 3 0.05)" = "0 0 1008"
check "... decided by redis_fail_mode, counted" \
    test "$(HL_ADMIN=$C_ADMIN metric hotline_rate_redis_fallback_total)" -ge 1
start_redis
HL_ADMIN=$C_ADMIN wait_eq 10 2 metric hotline_auth_redis_up
# shellcheck disable=SC2086
check "Redis back: fail closed admits again" \
    wait_eq 10 "3 0 None" $AC spread "$C_WS" "$(mint --sub erin)" 3 0.05
