#!/bin/bash
# Authentication at the upgrade and in the first message, role checks with
# the example module, and the per-user limits shared by two workers. Tokens
# come from hotline-token.
. "$(dirname "$0")/lib.sh"

TOKEN=$top_builddir/tools/hotline-token
SECRET=0123456789abcdef0123456789abcdef-hotline-test
AC="$PY $top_srcdir/tests/integration/authclient.py"
so=$top_builddir/contrib/modules/.libs/example.so
mint() { "$TOKEN" --secret "$SECRET" --iss test-iss --aud hotline "$@"; }
metric() { admin_get /metrics | sed -n "s/^$1 //p"; }
b64url() { printf '%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='; }

"$HOTLINED" -t -o auth=jwt >"$T/t.out" 2>&1
check "-t: auth jwt without a key fails" test $? = 1
check "... naming the keys to set" grep -q "auth jwt needs a key" "$T/t.out"
"$HOTLINED" -t -o auth=jwt -o jwt_key_file=/nonexistent.pem >"$T/t.out" 2>&1
check "-t: an unreadable key file is named" grep -q "jwt_key_file /nonexistent.pem" "$T/t.out"
"$HOTLINED" -t -o auth=jwt -o jwt_secret=short >"$T/t.out" 2>&1
check "-t: a short secret is refused" grep -q "jwt_secret: " "$T/t.out"
"$HOTLINED" -t -o auth=jwt -o jwt_secret=$SECRET -o auth_token_sources=cookie >"$T/t.out" 2>&1
check "-t: an unknown token source is named" grep -q 'unknown source "cookie"' "$T/t.out"
"$HOTLINED" -t -o auth=jwt -o jwt_secret=$SECRET >/dev/null 2>&1
check "-t: a secret of 32+ bytes is fine" test $? = 0

# --- tokens at the upgrade ---------------------------------------------------
start_hotlined upgrade -o workers=2 -o auth=jwt -o jwt_secret=$SECRET \
    -o jwt_issuer=test-iss -o jwt_audience=hotline -o module="$so" || exit 1
pids_before=$(running_pids)
up() { $AC upgrade "$HL_WS" "$@"; }
check "no token: 401" test "$(up - -)" = "401 missing token"
r=$(up "$("$TOKEN" --secret "$SECRET-other" --iss test-iss --aud hotline --sub u)" -)
check "bad signature: 401 (${r})" test "$r" = "401 invalid token: signature does not verify"
r=$(up "$(mint --sub u --exp -120)" -)
check "expired: 401 (${r%% *})" test "${r%% *}" = 401
r=$(up "$("$TOKEN" --secret "$SECRET" --iss test-iss --aud other --sub u)" -)
check "wrong aud: 401 (${r%% *})" test "${r%% *}" = 401
r=$(up "$("$TOKEN" --secret "$SECRET" --iss evil --aud hotline --sub u)" -)
check "wrong iss: 401 (${r%% *})" test "${r%% *}" = 401
good=$(mint --sub alice)
none="$(b64url '{"alg":"none","typ":"JWT"}').${good#*.}"
none="${none%.*}."
r=$(up "$none" -)
check "alg none: 401 (${r%% *})" test "${r%% *}" = 401
r=$(up - "Bearer $(mint --sub u --alg HS384 2>/dev/null || echo x.y.z)")
check "another alg than the pinned one: 401 (${r%% *})" test "${r%% *}" = 401
r=$(up - "Basic dXNlcjpwdw==")
check "another scheme: 401 (${r%% *})" test "${r%% *}" = 401
check "the 401 body never echoes the token" \
    sh -c "! $AC upgrade $HL_WS - 'Bearer secret-looking.token.value' | grep -q secret-looking"
check "a valid token via ?token=: 101" test "$(up "$good" - | cut -d' ' -f1)" = 101
check "a valid token via Authorization: 101" test "$(up - "Bearer $good" | cut -d' ' -f1)" = 101
check "requests work on it" test "$($AC call "$HL_WS" "$good" 1)" = 0
check "a handler needing admin: status 3 without the role" \
    test "$($AC call "$HL_WS" "$good" 101)" = 3
check "... and 0 with it" \
    test "$($AC call "$HL_WS" "$(mint --sub root --roles user,admin)" 101)" = 0
check "resource_access roles count only for jwt_roles_client" \
    test "$($AC call "$HL_WS" "$(mint --sub c --claim 'resource_access={"app":{"roles":["admin"]}}')" 101)" = 3
r=$($AC userbcast "$HL_WS" "$HL_ADMIN" "$good" "$(mint --sub bob)" alice)
check "a broadcast to user:alice reaches alice's connection only ($r)" \
    test "$r" = '{"to": "alice"} none'
for reason in missing bad_signature expired bad_audience bad_issuer bad_alg; do
	check "ws_auth_failures_total{reason=\"$reason\"} counted" \
	    test "$(metric "ws_auth_failures_total{reason=\"$reason\"}")" -ge 1
done
check "the nine 401s are ws_connections_total{status=\"rejected_auth\"}" \
    test "$(metric 'ws_connections_total{status="rejected_auth"}')" = 9
check "... and not {status=\"rejected\"}" \
    test "$(metric 'ws_connections_total{status="rejected"}')" = 0
check "bad input never crashed a worker" test "$(running_pids)" = "$pids_before"
stop_hotlined "$HL_PID"

# --- first-message auth and the connection limit ------------------------------
start_hotlined first -o workers=2 -o auth=jwt -o jwt_secret=$SECRET \
    -o auth_token_sources=query,header,message -o auth_timeout=1 || exit 1
alice=$(mint --sub alice)
check "auth message: auth_ok, then requests are routed" \
    test "$($AC first "$HL_WS" ok "$alice")" = "auth_ok 0"
check "an invalid token in it: close 4001" \
    test "$($AC first "$HL_WS" send "$(mint --sub u --exp -120)")" = 4001
check "another first message: close 4001, not routed" \
    test "$($AC first "$HL_WS" garbage)" = 4001
check "no auth message within auth_timeout: close 4002" \
    test "$($AC first "$HL_WS" wait)" = "4002 1"
pids_before=$(running_pids)
check "bad tokens and auth messages elsewhere never touch a good client" \
    test "$($AC isolation "$HL_WS" "$alice")" = "0 {'still': 'here'}"
check "... nor crash a worker" test "$(running_pids)" = "$pids_before"
check "ws_auth_failures_total{reason=\"timeout\"} counted" \
    test "$(metric 'ws_auth_failures_total{reason="timeout"}')" = 1
# The kernel spreads connections over the workers' sockets by a hash of
# the ports: try until the five admitted ones are on both workers, so the
# 429 shows the count summed over workers.
ws_per_worker() { admin_get /metrics | sed -n 's/^hotline_worker_ws_connections_active{[^}]*} //p' | tr '\n' ' '; }
for attempt in 1 2 3 4 5 6 7 8; do
	rm -f "$T/hold.out"	# not the last attempt's, read too early
	HOLD_LINGER=2 $AC hold "$HL_WS" "$alice" 6 >"$T/hold.out" &
	hold=$!
	wait_until 5 test -s "$T/hold.out"
	spread=$(ws_per_worker)
	wait $hold
	case " $spread" in *" 0 "*) continue ;; *) break ;; esac
done
note "connections per worker while held: $spread"
check "the five admitted connections were on both workers" \
    sh -c "case ' $spread' in *' 0 '*) exit 1;; esac"
r=$(cat "$T/hold.out")
check "6 connections of one user over 2 workers: the 6th gets 429 ($r)" \
    test "$r" = "101 101 101 101 101 429"
r=$($AC hold "$HL_WS" "$alice" 6 first)
check "with first-message auth: close 1008 for the 6th ($r)" \
    test "$r" = "auth_ok auth_ok auth_ok auth_ok auth_ok 1008"
check "closed connections are no longer counted" \
    wait_eq 5 "101 101 101 101 101" $AC hold "$HL_WS" "$alice" 5
check "another user is not limited by alice" \
    test "$($AC hold "$HL_WS" "$(mint --sub bob)" 3)" = "101 101 101"
check "refusals counted in hotline_ws_connection_limited_total" \
    test "$(metric hotline_ws_connection_limited_total)" = $((attempt + 1))
check "the 429s (not the 1008) are ws_connections_total{status=\"rejected_limit\"}" \
    test "$(metric 'ws_connections_total{status="rejected_limit"}')" = "$attempt"
stop_hotlined "$HL_PID"

# --- message rate ------------------------------------------------------------
start_hotlined rate -o workers=2 -o auth=jwt -o jwt_secret=$SECRET \
    -o auth_rate_limit=5 -o auth_rate_window=60 || exit 1
check "over auth_rate_limit: 5 replies, then close 1008" \
    test "$($AC rate "$HL_WS" "$(mint --sub carol)" 8)" = "5 0 1008"
check "the budget is the user's, not the connection's" \
    test "$($AC rate "$HL_WS" "$(mint --sub carol)" 2)" = "0 0 1008"
check "ws_rate_limited_total counted" test "$(metric ws_rate_limited_total)" -ge 2
stop_hotlined "$HL_PID"
start_hotlined rate-error -o auth=jwt -o jwt_secret=$SECRET \
    -o auth_rate_limit=5 -o auth_rate_limit_action=error || exit 1
check "auth_rate_limit_action error: error envelopes, connection kept" \
    test "$($AC rate "$HL_WS" "$(mint --sub dave)" 8)" = "8 3 None"
stop_hotlined "$HL_PID"

# --- token expiry on open connections ------------------------------------------
start_hotlined expiry -o auth=jwt -o jwt_secret=$SECRET \
    -o auth_token_sources=query,message || exit 1
t0=$(date +%s)
r=$($AC expire "$HL_WS" "$(mint --sub erin --exp 2)")
t1=$(date +%s)
check "a token that expires while open: served, then close 4001 ($r)" \
    test "$r" = "0 4001 token_expired"
check "... about when it expired ($((t1 - t0)) s)" test $((t1 - t0)) -le 5
check "... with first-message auth too" \
    test "$($AC expire "$HL_WS" "$(mint --sub erin --exp 2)" first)" = "0 4001 token_expired"
check "a token valid beyond the wait is not closed" \
    test "$(EXPIRE_WAIT=3 $AC expire "$HL_WS" "$(mint --sub erin --exp 60)")" = "0 None none"
check "hotline_auth_expired_closes_total counted" \
    test "$(metric hotline_auth_expired_closes_total)" = 2
stop_hotlined "$HL_PID"

