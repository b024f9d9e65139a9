#!/bin/bash
# Redis as an untrusted neighbour: a redis-server that requires a password
# (given in redis_url and in redis_password_file), broadcasts signed with a
# shared redis_broadcast_secret, and forged, unsigned, badly signed, invalid
# UTF-8, invalid JSON and stale messages PUBLISHed straight on the channel: none
# reaches a client, each is counted by reason, and the log says so without
# flooding. A wrong password is a clear error; the password is never
# printed.
. "$(dirname "$0")/lib.sh"

BC="$PY $top_srcdir/tests/integration/bcclient.py"
metric() {
	admin_get /metrics | awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }'
}
redis_up_is() { test "$(metric hotline_broadcast_redis_up)" = "$1"; }
refused() { metric "ws_broadcast_errors_total{reason=\"redis_$1\"}"; }

if ! command -v redis-server >/dev/null; then
	note "redis-server is not installed (scripts/deps.sh test): skipping"
	echo "1..0 # SKIP no redis-server"
	exit 0
fi
REDIS_PORT=$(( 20000 + RANDOM % 20000 ))
REDIS_PASS=pw-$RANDOM-s3cr3t
start_redis
check "redis-server with requirepass runs on 127.0.0.1:$REDIS_PORT" test -n "$REDIS_PID"
CHAN=hotline:broadcast
SECRET=0123456789abcdef0123456789abcdef-shared
printf '%s\n' "$REDIS_PASS" >"$T/redis.pass"
printf '%s\n' "$SECRET" >"$T/bcast.secret"
RURL="redis://:$REDIS_PASS@127.0.0.1:$REDIS_PORT/0"

# --- the password is never printed ----------------------------------------------
"$HOTLINED" -T -o "redis_url=$RURL" -o "redis_broadcast_secret=$SECRET" >"$T/dump.out" 2>&1
check "hotlined -T prints redis_url with the password as ***" \
    grep -q "^redis_url \"\?redis://:\*\*\*@127.0.0.1:$REDIS_PORT/0" "$T/dump.out"
check "and hides redis_broadcast_secret" grep -q "redis_broadcast_secret is set (hidden)" "$T/dump.out"
check "and neither appears anywhere in it" \
    sh -c "! grep -qe '$REDIS_PASS' -e '$SECRET' '$T/dump.out'"

t_says() { "$HOTLINED" -t "${@:2}" >"$T/t.out" 2>&1; test $? = 1 && grep -q "$1" "$T/t.out"; }
check "-t: a short redis_broadcast_secret is refused" \
    t_says "redis_broadcast_secret must be at least 32 bytes" -o "redis_url=$RURL" -o redis_broadcast_secret=short
check "-t: a password in redis_url and redis_password_file is refused" \
    t_says "give one" -o "redis_url=$RURL" -o "redis_password_file=$T/redis.pass"
check "-t: a bad database number is refused" \
    t_says '"x" is not a database number' -o "redis_url=redis://127.0.0.1:$REDIS_PORT/x"
check "-t: a missing secret file is refused, naming the key" \
    t_says "redis_broadcast_secret_file $T/none: No such file" -o "redis_url=$RURL" -o "redis_broadcast_secret_file=$T/none"
check "-t: none of these printed the password" sh -c "! grep -q '$REDIS_PASS' '$T/t.out'"

# --- a wrong password is a clear error ---------------------------------------------
start_hotlined wrong -w 1 -o "redis_url=redis://:nope@127.0.0.1:$REDIS_PORT" || exit 1
check "a wrong password: the log says Redis refused it (AUTH)" \
    wait_until 10 grep -q 'Redis refused the password (AUTH).*check redis_url' "$HL_LOG"
check "and no worker is counted as connected" redis_up_is 0
stop_hotlined "$HL_PID" TERM
check "the wrong password is not in the log either" sh -c "! grep -q nope '$T/wrong.log'"

# --- two signing instances: a with the password in the URL, b from files (and
# SELECT 3: pub/sub spans databases) ------------------------------------------------
start_hotlined a -w 2 -o "redis_url=$RURL" -o "redis_broadcast_secret=$SECRET" \
    -o redis_broadcast_max_age=300 || exit 1
A_ADMIN=$HL_ADMIN A_WS=$HL_WS A_LOG=$HL_LOG
start_hotlined b -w 2 -o "redis_url=redis://127.0.0.1:$REDIS_PORT/3" \
    -o "redis_password_file=$T/redis.pass" \
    -o "redis_broadcast_secret_file=$T/bcast.secret" || exit 1
B_ADMIN=$HL_ADMIN
HL_ADMIN=$A_ADMIN
check "a: both workers logged in and subscribed (password in redis_url)" wait_until 10 redis_up_is 2
HL_ADMIN=$B_ADMIN
check "b: both workers logged in and subscribed (redis_password_file)" wait_until 10 redis_up_is 2
check "a's log says messages are signed, and holds no password" \
    sh -c "grep -q 'signed (HMAC-SHA256)' '$A_LOG' && ! grep -q '$REDIS_PASS' '$A_LOG'"

$BC collect "$A_WS" 5 x 60 >"$T/ca.out" 2>&1 &
CA_PID=$!
check "5 subscribers of x on a" wait_until 10 grep -q ready "$T/ca.out"
$BC publish "$B_ADMIN" x 1 3

# pub NAME PAYLOAD-PYTHON: PUBLISH the bytes a Python expression makes on
# the channel, straight into Redis as a stranger would. sign(body) adds a
# correct hl2 signature (what a misbehaving instance that holds the secret
# would send); env(n) is a well-formed envelope.
pub() {
	$PY - "$SECRET" "$2" >"$T/$1.bin" <<'PYEOF'
import hmac, hashlib, json, sys, time
secret, expr = sys.argv[1].encode(), sys.argv[2]
def hdr(topic=b"x", ns=None):
    ns = time.time_ns() if ns is None else ns
    return b"0badc0ffee00 %d %s\n" % (ns, topic)
def env(n, pkg=0):
    return json.dumps({"pkg_id": pkg, "req_id": "b-forged-%d" % n, "data": {"n": n}}).encode()
def sign(rest):
    return b"hl2 " + hmac.new(secret, rest, hashlib.sha256).hexdigest().encode() + b" " + rest
sys.stdout.buffer.write(eval(expr))
PYEOF
	redis_cli -x PUBLISH "$CHAN" <"$T/$1.bin" >/dev/null
}
pub unsigned  'b"hl1 " + hdr() + env(666)'
pub badsig    'b"hl2 " + b"0" * 64 + b" " + hdr() + env(667)'
pub tampered  'sign(hdr() + env(668)).replace(b"668", b"999")'
pub utf8      'sign(hdr() + env(670).replace(b"b-forged", b"\xff\xfe"))'
pub json      'sign(hdr() + env(671)[:-1])'
pub pkg       'sign(hdr() + env(672, pkg=7))'
pub topic     'sign(hdr(b"x\x01") + env(673))'
pub stale     'sign(hdr(ns=time.time_ns() - 3600 * 10**9) + env(674))'
pub junk      'b"GET / HTTP/1.1\r\n\r\n"'
pub good      'sign(hdr() + env(669))'
sleep 0.5
curl -s -m 5 -X POST -d '{"topic":"x","data":{"stop":true}}' "http://$A_ADMIN/api/broadcast" >/dev/null
wait "$CA_PID"
note "a's subscribers got: $(tail -1 "$T/ca.out" | jq "sorted(set(tuple(g) for g in j['got']))")"
check "every subscriber got b's 3 messages and the one well-signed message, nothing forged, and kept its connection" \
    test "$(tail -1 "$T/ca.out" | jq "j['stopped'] and all(g == [1, 2, 3, 669] for g in j['got'])")" = True
HL_ADMIN=$A_ADMIN
# Every worker of a reads the channel, so each count is per worker (2).
check "unsigned: counted by each worker" wait_eq 5 2 refused unsigned
check "bad signature (two: a wrong HMAC and a tampered body)" wait_eq 5 4 refused bad_signature
check "invalid UTF-8" wait_eq 5 2 refused utf8
check "invalid JSON and a foreign pkg_id" wait_eq 5 4 refused json
check "a control character in the topic" wait_eq 5 2 refused topic
check "not a hotline message at all" wait_eq 5 2 refused malformed
check "published an hour ago, with redis_broadcast_max_age 300 (a possible replay)" wait_eq 5 2 refused stale
n=$(grep -c 'dropped a message from Redis channel' "$A_LOG")
check "the drops are logged at most once per 10 s per worker ($n lines for 18)" test "$n" -ge 1 -a "$n" -le 2
stop_hotlined "$HL_PID" TERM

# --- without a secret the content checks still hold ---------------------------------
start_hotlined open -w 1 -o "redis_url=redis://127.0.0.1:$REDIS_PORT" \
    -o "redis_password_file=$T/redis.pass" || exit 1
check "unsigned instance: logged in" wait_until 10 redis_up_is 1
check "and its log warns that anyone who can PUBLISH reaches every client" \
    grep -q 'unsigned: anyone who can PUBLISH' "$HL_LOG"
$BC collect "$HL_WS" 5 x 60 >"$T/co.out" 2>&1 &
CO_PID=$!
check "5 subscribers of x" wait_until 10 grep -q ready "$T/co.out"
pub utf8b 'b"hl1 " + hdr() + env(680).replace(b"b-forged", b"\xc3\x28")'
pub bigb  'b"hl1 " + hdr() + env(681).replace(b"}}", b", \"pad\": \"" + b"p" * 70000 + b"\"}}")'
pub okb   'b"hl1 " + hdr() + env(682)'
sleep 0.5
curl -s -m 5 -X POST -d '{"topic":"x","data":{"stop":true}}' "http://$HL_ADMIN/api/broadcast" >/dev/null
wait "$CO_PID"
check "invalid UTF-8 and a message over broadcast_max_bytes reach no client (the well-formed one does)" \
    test "$(tail -1 "$T/co.out" | jq "j['stopped'] and all(g == [682] for g in j['got'])")" = True
check "counted as utf8 and too_big" \
    test "$(refused utf8)/$(refused too_big)" = 1/1
stop_hotlined "$HL_PID" TERM

# --- a flood from Redis against a slow fan-out: the backlog stays bounded ----------
# 2,000 signed 32 KB messages (64 MB) PUBLISHed in one pipeline at a worker
# that fans out one connection per loop turn to 50 subscribers, with a
# 64 KiB bound (broadcast_outbox_bytes): what does not fit is dropped and
# counted as "backlog", the worker's memory stays put, and what is
# delivered arrives in order.
start_hotlined flood -w 1 -o "redis_url=$RURL" -o "redis_broadcast_secret=$SECRET" \
    -o broadcast_outbox_bytes=64k -o broadcast_fanout_slice=1 -o ws_idle_timeout=0 || exit 1
check "flood: logged in" wait_until 10 redis_up_is 1
WPID=$(running_pids | head -1)
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$WPID/status"; }
$BC collect "$HL_WS" 50 x 120 >"$T/cf.out" 2>&1 &
CF_PID=$!
check "flood: 50 subscribers of x" wait_until 10 grep -q ready "$T/cf.out"
rss0=$(rss)
$PY - "$SECRET" "$CHAN" >"$T/flood.resp" <<'PYEOF'
import hmac, hashlib, json, sys
secret, chan = sys.argv[1].encode(), sys.argv[2].encode()
out = sys.stdout.buffer
for n in range(1, 2001):
    env = json.dumps({"pkg_id": 0, "req_id": "b-flood-%d" % n,
                      "data": {"n": n, "pad": "p" * 32000}}).encode()
    rest = b"f100df100d00 1 x\n" + env
    msg = b"hl2 " + hmac.new(secret, rest, hashlib.sha256).hexdigest().encode() + b" " + rest
    args = [b"PUBLISH", chan, msg]
    out.write(b"*3\r\n" + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
PYEOF
redis_cli --pipe <"$T/flood.resp" >/dev/null
peak=0
for _ in $(seq 30); do
	b=$(metric hotline_broadcast_backlog_bytes); [ "$b" -gt "$peak" ] && peak=$b
	r=$(rss); [ "$r" -gt "${rpeak:-0}" ] && rpeak=$r
	sleep 0.1
done
check "flood: the backlog is dropping and counting (reason backlog > 0)" \
    wait_until 10 test "$(metric 'ws_broadcast_errors_total{reason="backlog"}')" -gt 0
note "flood: backlog peak seen ${peak} bytes, worker RSS ${rss0} KiB before, ${rpeak} KiB at most during"
check "flood: the backlog never held more than its bound and one message (64 KiB + 33 KB)" \
    test "$peak" -le $((65536 + 33000))
# ASan's quarantine keeps the freed reply buffers resident (+28 MB seen).
rss_bound=16
grep -q '^#define HL_ASAN 1' "$top_builddir/autoconf.h" 2>/dev/null && rss_bound=48
check "flood: the worker's RSS grew by less than $rss_bound MiB while 64 MB were offered" \
    test $((rpeak - rss0)) -lt $((rss_bound * 1024))
check "flood: the backlog drains" wait_eq 60 0 metric hotline_broadcast_backlog_bytes
curl -s -m 5 -X POST -d '{"topic":"x","data":{"stop":true}}' "http://$HL_ADMIN/api/broadcast" >/dev/null
wait "$CF_PID"
note "flood: subscribers got $(tail -1 "$T/cf.out" | jq "sorted(set(len(g) for g in j['got']))") messages each"
check "flood: every subscriber got what was delivered in order, none twice, and kept its connection" \
    test "$(tail -1 "$T/cf.out" | jq "j['stopped'] and all(g == sorted(set(g)) and len(g) > 0 for g in j['got'])")" = True
stop_hotlined "$HL_PID" TERM

# --- the session store logs in too (AUTH, then SELECT 2) ---------------------------
TOKEN=$top_builddir/tools/hotline-token
AC="$PY $top_srcdir/tests/integration/authclient.py"
JWT_SECRET=0123456789abcdef0123456789abcdef-hotline-test
redis_cli -n 2 SET session:alice 1 >/dev/null
alice=$("$TOKEN" --secret "$JWT_SECRET" --sub alice)
sess="-w 1 -o auth=jwt -o jwt_secret=$JWT_SECRET -o auth_sessions=yes -o redis_fail_mode=closed"
# shellcheck disable=SC2086
start_hotlined sess $sess -o "redis_url=redis://127.0.0.1:$REDIS_PORT/2" \
    -o "redis_password_file=$T/redis.pass" || exit 1
check "session store: logged in (redis_password_file)" wait_eq 10 1 metric hotline_auth_redis_up
check "alice's session, in database 2, admits her" test "$($AC call "$HL_WS" "$alice" 1)" = 0
stop_hotlined "$HL_PID" TERM
# shellcheck disable=SC2086
start_hotlined sessbad $sess -o "redis_url=redis://:wrong@127.0.0.1:$REDIS_PORT/2" || exit 1
check "session store, wrong password: the log says Redis refused it" \
    wait_until 10 grep -q 'session store lost: Redis refused the password (AUTH)' "$HL_LOG"
check "and the store counts as down" test "$(metric hotline_auth_redis_up)" = 0
