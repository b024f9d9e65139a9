#!/bin/bash
# A handler module built by make check (contrib/modules/example.c) loaded
# with a `module` line: its handlers serve on every worker, with their schema
# and roles enforced; a module that cannot load stops the start with a clear
# error.
. "$(dirname "$0")/lib.sh"

so=$top_builddir/contrib/modules/.libs/example.so
check "the example module was built" test -f "$so"
printf 'module %s\nworkers 2\n' "$so" >"$T/mod.conf"
start_hotlined module -c "$T/mod.conf" || exit 1
check "the load is logged" grep -q "module example ($so) loaded" "$HL_LOG"

run() { $PY "$top_srcdir/tests/integration/wsrun.py" "ws://$HL_WS/web" "$@"; }
r=$(run '{"pkg_id":100,"req_id":"g1","data":{"name":"ada"}}')
check "the module's handler answers" \
    test "$(echo "$r" | jq "(j['status_code'], j['data']['greeting'])")" = "(0, 'hello, ada')"
r=$(run '{"pkg_id":100,"req_id":"g2","data":{}}')
check "its schema is enforced before it runs (status 2)" \
    test "$(echo "$r" | jq "(j['status_code'], j['data']['message'])")" = "(2, 'data: missing required property \"name\"')"
r=$(run '{"pkg_id":101,"req_id":"a1"}')
check "its role is enforced (status 3)" \
    test "$(echo "$r" | jq "(j['status_code'], j['data']['message'])")" = "(3, 'No permission for pkg_id 101')"
r=$(run '{"pkg_id":102,"req_id":"t1"}' '{"pkg_id":1,"req_id":"e1","data":{"x":1}}')
check "a deferred reply arrives, after the worker's timer" \
    test "$(echo "$r" | head -1 | jq "(j['req_id'], j['status_code'], j['data']['tick'] > 0)")" = "('t1', 0, True)"
check "built-ins still serve beside it" \
    test "$(echo "$r" | tail -1 | jq "j['data']")" = "{'x': 1}"

# Every worker serves the module: 40 connections reach both.
for i in $(seq 1 40); do run '{"pkg_id":100,"req_id":"w","data":{"name":"x"}}'; done >"$T/workers.out" &
wait $!
check "every worker answered the module's pkg_id" \
    test "$(sed -n 's/.*"worker":\([0-9]*\).*/\1/p' "$T/workers.out" | sort -u | wc -l)" = 2
stop_hotlined "$HL_PID" TERM

# Bad modules stop the start, naming the file.
"$HOTLINED" -t -o module=/nonexistent.so >/dev/null 2>&1
check "-t does not load modules" test $? = 0
"$HOTLINED" -f -o listen=127.0.0.1:0 -o admin_listen=127.0.0.1:0 \
    -o module=/nonexistent.so >"$T/bad.out" 2>&1
check "a missing module: exit 1" test $? = 1
check "... naming it" grep -q "module /nonexistent.so: " "$T/bad.out"
printf 'module %s\nmodule %s\n' "$so" "$so" >"$T/twice.conf"
"$HOTLINED" -f -c "$T/twice.conf" -o listen=127.0.0.1:0 \
    -o admin_listen=127.0.0.1:0 >"$T/twice.out" 2>&1
check "a pkg_id registered twice: exit 1" test $? = 1
check "... saying which" grep -q "pkg_id 100 is taken by greet" "$T/twice.out"

# Modules see only the hl_ API: an internal symbol is not exported, so a
# module that calls one fails to load, naming the symbol.
bad=$top_builddir/tests/modules/.libs/internal.so
"$HOTLINED" -f -o listen=127.0.0.1:0 -o admin_listen=127.0.0.1:0 \
    -o module="$bad" >"$T/internal.out" 2>&1
check "a module using an internal symbol: exit 1" test $? = 1
check "... naming the module and the symbol" \
    grep -q "module $bad: .*undefined symbol: log_info" "$T/internal.out"
# The dynamic symbol table holds the hl_ API, the memory hooks (they
# interpose on purpose) and glibc's copy-relocated data; nothing else.
exported=$(nm -D --defined-only "$HOTLINED" | awk '{print $3}' | sed 's/@.*//' |
    grep -vE '^(hl_[a-z_]+|malloc|calloc|realloc|free|memalign|posix_memalign|aligned_alloc|valloc|pvalloc|memcpy|memmove|__memcpy_chk|__memmove_chk|std(in|out|err)|opt(arg|ind|err|opt)|_.*)$' | tr '\n' ' ')
check "hotlined exports no internal symbol (${exported:-none})" test -z "$exported"
api=$(grep -v -e '^ \*' -e typedef "$top_srcdir/include/hotline/module.h" |
    sed -n 's/.*\<\(hl_[a-z_]*\)(.*/\1/p' | sort -u | tr '\n' ' ')
listed=$(sed -n 's/^[[:space:]]*\(hl_[a-z_]*\);/\1/p' "$top_srcdir/src/hotlined.dynlist" | sort -u | tr '\n' ' ')
check "src/hotlined.dynlist lists exactly module.h's functions" test "$api" = "$listed"

