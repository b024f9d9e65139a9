#!/bin/sh
# scripts/style-check.py on planted snippets: each bad file must be
# reported under its rule, and a good file must pass (no output, exit 0).
# TAP output; three runs of the checker, well under a second.
set -u
top=${top_srcdir:-$(dirname "$0")/../..}
check=$top/scripts/style-check.py
# Debian's python3 first, as tests/integration/lib.sh does: a pyenv shim
# on PATH costs a second and a half a start.
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3) ||
    { echo "1..0 # SKIP no python3"; exit 0; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
tab=$(printf '\t')

# tap OK WHAT: one test point.
tap() {
	n=$((n + 1))
	if [ "$1" = 1 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
	fi
}

good() {
	cat <<'C'
#include "autoconf.h"

#include <stddef.h>

/* Sum of the first n integers. */
static long
sum(long n,
    long acc)
{
	if (n == 0)
		return acc;
	return sum(n - 1,
	    acc + n);
}
C
}

# expect RULE FILE: the run over every bad file named FILE under RULE.
expect() {
	if grep -q "^$2:[0-9]*: $1: " "$tmp/bad.out"; then
		tap 1 "$1 reported for ${2##*/}"
	else
		tap 0 "$1 reported for ${2##*/}"
	fi
}

good >"$tmp/good.c"
if out=$("$py" "$check" "$tmp/good.c" 2>&1) && [ -z "$out" ]; then
	tap 1 "a good file passes"
else
	tap 0 "a good file passes: $out"
fi

{ good; printf '/* %s */\n' "$(printf '%080d' 0)"; } >"$tmp/bad_long.c"
# 73 characters after one tab: 81 columns.
{ good; printf '\t/* %s */\n' "$(printf '%067d' 0)"; } >"$tmp/bad_tab.c"
{ good; printf 'static int x;\n        int y;\n'; } >"$tmp/bad_spaces.c"
{ good; printf 'static int x; \n'; } >"$tmp/bad_trail.c"
good | sed 's/$/\r/' >"$tmp/bad_crlf.c"
{ good; printf 'static int x;'; } >"$tmp/bad_nonl.c"
{ good; printf '\n\n'; } >"$tmp/bad_blank.c"
good | sed 's/"autoconf.h"/<stdio.h>/' >"$tmp/bad_include.c"
{ good; printf 'static int\nf(void)\n{\n%sreturn 0;\n}\n' "$tab"; } |
    sed 's/^static long$/static long sum(long n,/; /^sum(long n,$/d' \
    >"$tmp/bad_rettype.c"
{ good; printf 'struct x *\nf(void)\n{\n%sreturn 0;\n}\n' "$tab"; } |
    sed 's/^struct x \*$/struct x *f(void)/; /^f(void)$/d' >"$tmp/bad_rettype2.c"
"$py" "$check" "$tmp"/bad_*.c >"$tmp/bad.out" 2>/dev/null
rc=$?
if [ "$rc" -eq 1 ]; then
	tap 1 "bad files: exit 1"
else
	tap 0 "bad files: exit $rc"
fi
expect long-line "$tmp/bad_long.c"
expect long-line "$tmp/bad_tab.c"
expect space-indent "$tmp/bad_spaces.c"
expect trailing-space "$tmp/bad_trail.c"
expect crlf "$tmp/bad_crlf.c"
expect end-newline "$tmp/bad_nonl.c"
expect end-newline "$tmp/bad_blank.c"
expect first-include "$tmp/bad_include.c"
expect return-type "$tmp/bad_rettype.c"
expect return-type "$tmp/bad_rettype2.c"
# A header needs no autoconf.h.
good | sed '1d' >"$tmp/good.h"
if "$py" "$check" "$tmp/good.h" >/dev/null; then
	tap 1 "a header without autoconf.h passes"
else
	tap 0 "a header without autoconf.h passes"
fi
echo "1..$n"
