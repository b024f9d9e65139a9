#!/bin/bash
# Keys from jwks_url: a local HTTP(S) server (python3 http.server on a
# loopback port, bounded lifetime) serves a JWKS made from openssl keys;
# tokens are refused until the first fetch succeeds, a rotation (new kid)
# is picked up by the early fetch an unknown kid triggers, a broken
# document or a dead server never replaces the keys held, and https
# verifies the chain and the host name and sends SNI.
. "$(dirname "$0")/lib.sh"

TOKEN=$top_builddir/tools/hotline-token
ac() { "$PY" "$top_srcdir/tests/integration/authclient.py" "$@"; }
js() { "$PY" "$top_srcdir/tests/integration/jwksserver.py" "$@"; }
SRV_PID=
metric() { admin_get /metrics | sed -n "s/^$1 //p"; }
stop_server() {
	[ -n "$SRV_PID" ] || return 0
	kill "$SRV_PID" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
	SRV_PID=
}
# start_server NAME [CERT KEY]: serve $T/www; sets SRV_PORT.
start_server() {
	local name=$1; shift
	rm -f "$T/port.$name"
	timeout 200 "$PY" "$top_srcdir/tests/integration/jwksserver.py" \
	    serve "$T/www" "$T/port.$name" 180 "$@" \
	    2>>"$T/server-$name.log" &
	SRV_PID=$!
	wait_until 10 test -s "$T/port.$name" || return 1
	SRV_PORT=$(cat "$T/port.$name")
}
trap 'stop_server; cleanup' EXIT
# publish KID=PEM...: the served document, replaced at once.
publish() { js jwks "$@" >"$T/www/certs.tmp" && mv "$T/www/certs.tmp" "$T/www/certs.json"; }
mint() { local kid=$1 pem=$2; shift 2; "$TOKEN" --key "$pem" --alg RS256 --kid "$kid" --sub "$@"; }

"$HOTLINED" -t -o auth=jwt -o jwt_alg=RS256 -o jwks_url=ftp://127.0.0.1/x >"$T/t.out" 2>&1
check "-t: a jwks_url that is not http(s) is refused" grep -q "jwks_url: .*http or https" "$T/t.out"
"$HOTLINED" -t -o auth=jwt -o jwt_alg=RS256 -o jwks_url=http://127.0.0.1/x \
    -o jwks_file=/dev/null >"$T/t.out" 2>&1
check "-t: jwks_url and jwks_file together are refused" grep -q "jwks_file and jwks_url" "$T/t.out"
"$HOTLINED" -t -o auth=jwt -o jwt_alg=RS256 -o jwks_url=https://127.0.0.1/x \
    -o jwks_ca_file=/nonexistent.pem >"$T/t.out" 2>&1
check "-t: an unreadable jwks_ca_file is named" grep -q "jwks_ca_file /nonexistent.pem" "$T/t.out"
"$HOTLINED" -t -o auth=jwt -o jwks_url=http://127.0.0.1/x >"$T/t.out" 2>&1
check "-t: jwks_url with an HMAC jwt_alg is refused" grep -q "jwt_alg must be RS256 or ES256" "$T/t.out"
"$HOTLINED" -t -o auth=jwt -o jwt_alg=RS256 -o jwks_url=http://127.0.0.1:1/certs >/dev/null 2>&1
check "-t: a jwks_url is fine without fetching it" test $? = 0

mkdir -p "$T/www"
for k in k1 k2 k3; do
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$T/$k.pem" 2>/dev/null
done
t1=$(mint k1 "$T/k1.pem" alice)
t2=$(mint k2 "$T/k2.pem" bob)
t3=$(mint k3 "$T/k3.pem" carol)

# --- http: first fetch, rotation, broken documents, server down ---------------
start_server http || { not_ok "the JWKS server starts"; exit 1; }
start_hotlined http -o workers=2 -o auth=jwt -o jwt_alg=RS256 \
    -o jwks_url="http://127.0.0.1:$SRV_PORT/certs.json" \
    -o jwks_refresh_seconds=60 -o jwks_min_refresh_seconds=1 || exit 1
r=$(ac upgrade "$HL_WS" "$t1" -)
check "no JWKS yet (404): refused, saying why ($r)" \
    test "$r" = "401 invalid token: signing keys not fetched yet (jwks_url)"
check "... counted as no_keys" \
    test "$(metric 'ws_auth_failures_total{reason="no_keys"}')" -ge 1
publish k1="$T/k1.pem"
check "the document appears: the retry with backoff loads it" \
    wait_eq 20 2 metric hotline_jwks_loaded_workers
check "tokens signed with k1 are accepted by both workers" \
    test "$(ac kids "$HL_WS" "$t1" "$t1" "$t1" "$t1")" = "0 0 0 0"
check "the failed fetches were logged once per worker" \
    test "$(grep -c 'tokens are refused until a fetch succeeds' "$HL_LOG")" -le 2
check "... and counted" \
    test "$(metric 'hotline_jwks_fetches_total{result="error"}')" -ge 2

publish k1="$T/k1.pem" k2="$T/k2.pem"
check "keys rotated (new kid k2): its tokens are accepted after the refresh" \
    wait_eq 15 "0 0 0 0" ac kids "$HL_WS" "$t2" "$t2" "$t2" "$t2"
check "... which an unknown kid triggered early" \
    test "$(metric hotline_jwks_kid_refreshes_total)" -ge 1
check "... and k1's tokens still work" \
    test "$(ac kids "$HL_WS" "$t1" "$t1")" = "0 0"

printf '{"keys":[{"kid":"k3","kty":"RSA","use":"sig","n":"!!","e":"AQAB"}]}' \
    >"$T/www/certs.json"
# poke COMMAND...: an unknown kid asks for a refresh (rate-limited), then
# COMMAND says whether it came; polled, as a loaded machine is slow to.
poke() { ac kids "$HL_WS" "$t3" "$t3" >/dev/null; "$@"; }
errors_grew() {
	test "$(metric 'hotline_jwks_fetches_total{result="error"}')" -gt \
	    "$errors_before"
}
errors_before=$(metric 'hotline_jwks_fetches_total{result="error"}')
check "a broken document is fetched and refused" \
    wait_until 20 poke errors_grew
check "... logged as such" grep -q "bad JWKS" "$HL_LOG"
check "... and the keys held keep working" \
    test "$(ac kids "$HL_WS" "$t1" "$t2" "$t1" "$t2")" = "0 0 0 0"
check "a token with a kid in no good document stays refused" \
    test "$(ac kids "$HL_WS" "$t3")" = 401

publish k1="$T/k1.pem" k2="$T/k2.pem"
check "a good document again ends the outage (logged)" \
    wait_until 20 poke grep -q '2 keys loaded' "$HL_LOG"
{ printf '{"keys":[]'; head -c 300000 /dev/zero | tr '\0' ' '; printf '}'; } \
    >"$T/www/certs.tmp" && mv "$T/www/certs.tmp" "$T/www/certs.json"
check "a response over the 256 KiB bound is refused" \
    wait_until 20 poke grep -q "response over the size bound" "$HL_LOG"
check "... and the keys held keep working" \
    test "$(ac kids "$HL_WS" "$t1" "$t2")" = "0 0"

publish k1="$T/k1.pem" k2="$T/k2.pem"
stop_server
errors_before=$(metric 'hotline_jwks_fetches_total{result="error"}')
check "the JWKS server down: fetches fail" wait_until 20 poke errors_grew
check "... and the old keys keep working" \
    test "$(ac kids "$HL_WS" "$t1" "$t2" "$t1" "$t2")" = "0 0 0 0"
check "... said in the log" grep -q "keeping the keys held" "$HL_LOG"
check "... both workers still hold keys" test "$(metric hotline_jwks_loaded_workers)" = 2
pids=$(running_pids | tr '\n' ' ')
respawned() { test "$(running_pids | tr '\n' ' ')" != "$1" && test "$(running_pids | wc -l)" = 2; }
kill -KILL "$(running_pids | head -1)"
check "a worker killed while the JWKS server is down is respawned" \
    wait_until 15 respawned "$pids"
check "... and starts with the keys another worker fetched" \
    wait_eq 10 2 metric hotline_jwks_loaded_workers
check "... so both workers accept the tokens" \
    test "$(ac kids "$HL_WS" "$t1" "$t2" "$t1" "$t2" "$t1" "$t2")" = "0 0 0 0 0 0"
check "... said in the log" grep -q "from another worker's fetch" "$HL_LOG"
stop_hotlined "$HL_PID"

# --- https: chain, host name, SNI ------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/ca.key" -out "$T/ca.pem" -days 2 -subj /CN=hotline-test-ca 2>/dev/null
# The workers fetch the keys as the unprivileged account hotlined picks as
# root (user empty): they must be able to read the CA file.
chmod 755 "$T"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/srv.key" -out "$T/srv.csr" -subj /CN=localhost 2>/dev/null
printf 'subjectAltName=DNS:localhost\n' >"$T/ext.cnf"
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
    -CAcreateserial -days 2 -extfile "$T/ext.cnf" -out "$T/srv.pem" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$T/e1.pem" 2>/dev/null
publish k1="$T/k1.pem" e1="$T/e1.pem"
start_server https "$T/srv.pem" "$T/srv.key" || { not_ok "the HTTPS server starts"; exit 1; }
start_hotlined https -o workers=1 -o auth=jwt -o jwt_alg=RS256 -o jwks_ca_file="$T/ca.pem" \
    -o jwks_url="https://localhost:$SRV_PORT/certs.json" || exit 1
check "https with the CA: keys loaded" wait_eq 10 1 metric hotline_jwks_loaded_workers
check "... tokens accepted" test "$(ac kids "$HL_WS" "$t1")" = 0
check "... SNI named the host" grep -q "sni localhost" "$T/server-https.log"
start_hotlined es256 -o workers=1 -o auth=jwt -o jwt_alg=ES256 \
    -o jwks_ca_file="$T/ca.pem" -o jwks_url="https://localhost:$SRV_PORT/certs.json" || exit 1
e1=$("$TOKEN" --key "$T/e1.pem" --alg ES256 --kid e1 --sub erin)
check "an EC P-256 key from the JWKS verifies ES256 tokens" \
    wait_eq 10 0 ac kids "$HL_WS" "$e1"
check "... and an RS256 token is refused there (pinned alg)" \
    test "$(ac kids "$HL_WS" "$t1")" = 401
start_hotlined noca -o workers=1 -o auth=jwt -o jwt_alg=RS256 \
    -o jwks_url="https://localhost:$SRV_PORT/certs.json" || exit 1
check "https with the system store only: the test CA is not trusted" \
    wait_until 10 grep -q "TLS: unable to get local issuer certificate" "$HL_LOG"
check "... tokens refused" test "$(ac kids "$HL_WS" "$t1")" = 401
start_hotlined badname -o workers=1 -o auth=jwt -o jwt_alg=RS256 -o jwks_ca_file="$T/ca.pem" \
    -o jwks_url="https://127.0.0.1:$SRV_PORT/certs.json" || exit 1
check "https to a name the certificate lacks: refused" \
    wait_until 10 grep -q "TLS: IP address mismatch" "$HL_LOG"
check "... tokens refused" test "$(ac kids "$HL_WS" "$t1")" = 401
stop_server
