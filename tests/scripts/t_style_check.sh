#!/bin/sh
# scripts/style-check.py on planted snippets: each bad file must be
# reported under its rule, and a good file must pass (no output, exit 0).
# TAP output; about 1 s.
set -u
top=${top_srcdir:-$(dirname "$0")/../..}
check=$top/scripts/style-check.py
py=$(command -v python3) || { echo "1..0 # SKIP no python3"; exit 0; }
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

# expect RULE FILE: the checker must name FILE under RULE and exit 1.
expect() {
	out=$("$py" "$check" "$2" 2>/dev/null)
	rc=$?
	if [ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -q ": $1: "; then
		tap 1 "$1 reported for ${2##*/}"
	else
		tap 0 "$1 reported for ${2##*/} (exit $rc): $out"
	fi
}

good >"$tmp/good.c"
if out=$("$py" "$check" "$tmp/good.c" 2>&1) && [ -z "$out" ]; then
	tap 1 "a good file passes"
else
	tap 0 "a good file passes: $out"
fi

{ good; printf '/* %s */\n' "$(printf '%080d' 0)"; } >"$tmp/long.c"
expect long-line "$tmp/long.c"
# 73 characters after one tab: 81 columns.
{ good; printf '\t/* %s */\n' "$(printf '%067d' 0)"; } >"$tmp/tab.c"
expect long-line "$tmp/tab.c"
{ good; printf 'static int x;\n        int y;\n'; } >"$tmp/spaces.c"
expect space-indent "$tmp/spaces.c"
{ good; printf 'static int x; \n'; } >"$tmp/trail.c"
expect trailing-space "$tmp/trail.c"
good | sed 's/$/\r/' >"$tmp/crlf.c"
expect crlf "$tmp/crlf.c"
{ good; printf 'static int x;'; } >"$tmp/nonl.c"
expect end-newline "$tmp/nonl.c"
{ good; printf '\n\n'; } >"$tmp/blank.c"
expect end-newline "$tmp/blank.c"
good | sed 's/"autoconf.h"/<stdio.h>/' >"$tmp/include.c"
expect first-include "$tmp/include.c"
{ good; printf 'static int\nf(void)\n{\n%sreturn 0;\n}\n' "$tab"; } |
    sed 's/^static long$/static long sum(long n,/; /^sum(long n,$/d' \
    >"$tmp/rettype.c"
expect return-type "$tmp/rettype.c"
{ good; printf 'struct x *\nf(void)\n{\n%sreturn 0;\n}\n' "$tab"; } |
    sed 's/^struct x \*$/struct x *f(void)/; /^f(void)$/d' >"$tmp/rettype2.c"
expect return-type "$tmp/rettype2.c"
# A header needs no autoconf.h.
good | sed '1d' >"$tmp/good.h"
if "$py" "$check" "$tmp/good.h" >/dev/null; then
	tap 1 "a header without autoconf.h passes"
else
	tap 0 "a header without autoconf.h passes"
fi
echo "1..$n"
