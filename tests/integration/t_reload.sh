#!/bin/bash
# SIGHUP: a good config starts a new generation and the old one drains; a
# broken one changes nothing and says why; fixed keys and keys set on the
# command line keep their values.
. "$(dirname "$0")/lib.sh"

conf=$T/hotline.conf
printf 'workers 2\nshutdown_timeout 2\n' >"$conf"
start_hotlined reload -c "$conf" || exit 1
old=$(running_pids | tr '\n' ' ')

# Serve continuously while reloading: nothing may be refused.
$HL_PY http "$HL_WS" 20 >/dev/null
( for _ in $(seq 1 30); do $HL_PY http "$HL_WS" 10; sleep 0.05; done ) >"$T/during" &
loader=$!
printf 'workers 3\nshutdown_timeout 2\n' >"$conf"
kill -HUP "$HL_PID"
three() {
	test "$(workers_json | jq "len([x for x in j['workers'] if x['state'] == 'running' and x['epoch'] == 2])")" = 3
}
check "HUP with workers 3: three new-generation workers within 5 s" wait_until 5 three
onlynew() { test "$(workers_json | jq "len(j['workers'])")" = 3; }
check "the old generation drains away" wait_until 10 onlynew
check "no old pid survives" sh -c "! running_pids() { :; }; for p in $old; do kill -0 \$p 2>/dev/null && exit 1; done; exit 0"
check "reloads counts it" test "$(workers_json | jq "j['reloads']")" = 1
wait "$loader"
failed=$(awk '{s += $2} END {print s + 0}' "$T/during")
served=$(awk '{s += $1} END {print s + 0}' "$T/during")
check "no connection failed during the reload ($served served, $failed failed)" \
    test "$failed" = 0

# A broken config: old workers stay, every error is logged with file:line.
before=$(running_pids | tr '\n' ' ')
printf 'workers 1\nworkers lots\nshutdown_timeout 2\nbogus_key 1\n' >"$conf"
kill -HUP "$HL_PID"
check "a broken config is reported" wait_until 5 grep -q "reload failed" "$HL_LOG"
check "... with file:line for the first error" grep -q "$conf:2: workers: \"lots\"" "$HL_LOG"
check "... and the second" grep -q "$conf:4: unknown key \"bogus_key\"" "$HL_LOG"
sleep 0.5
check "the old workers keep serving" test "$(running_pids | tr '\n' ' ')" = "$before"
check "health stays ok" health_ok

# A key that cannot change on reload keeps its value, with a warning.
printf 'workers 3\nshutdown_timeout 2\nlisten_backlog 17\n' >"$conf"
kill -HUP "$HL_PID"
check "a fixed key's change is refused with a warning" \
    wait_until 5 grep -q "listen_backlog cannot change on reload" "$HL_LOG"
check "the reload still took effect" wait_until 5 sh -c "curl -s http://$HL_ADMIN/api/workers | grep -q '\"reloads\":2'"
stop_hotlined "$HL_PID" TERM

# A key set on the command line wins over the file on every reload.
printf 'workers 3\n' >"$conf"
start_hotlined reload-cmdline -c "$conf" -w 1 || exit 1
kill -HUP "$HL_PID"
reloaded() { test "$(workers_json | jq "j['reloads']")" = 1; }
check "the reload happened" wait_until 5 reloaded
one() { test "$(running_pids | wc -l)" = 1; }
check "-w 1 still wins over 'workers 3' after HUP" wait_until 10 one
