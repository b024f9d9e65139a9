#!/bin/bash
# The libFuzzer builds of tests/fuzz (configure found clang): each runs for
# a moment over its corpus, so they cannot rot. Skipped without clang; the
# gcc-built drivers (tests/fuzz/fuzz_*) run in make check either way.
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
dir=$top_builddir/tests/fuzz/libfuzzer
names="jwt auth_message envelope ws_frame ws_handshake"
if ! ls "$dir"/fuzz_* >/dev/null 2>&1; then
	echo "1..0 # SKIP no libFuzzer build (clang not found by configure)"
	exit 0
fi
T=$(mktemp -d /tmp/hl-fuzz.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0
echo "1..5"
for name in $names; do
	n=$((n + 1))
	mkdir -p "$T/$name"
	dict=$top_srcdir/tests/fuzz/corpus/$name.dict
	set --
	if [ -f "$dict" ]; then set -- -dict="$dict"; fi
	if timeout 60 "$dir/fuzz_$name" -runs=20000 -max_total_time=2 \
	    -max_len=9000 "$@" "$T/$name" "$top_srcdir/tests/fuzz/corpus/$name" \
	    >"$T/$name.log" 2>&1; then
		echo "ok $n - libFuzzer fuzz_$name: $(grep -o 'Done [0-9]* runs' "$T/$name.log")"
	else
		echo "not ok $n - libFuzzer fuzz_$name"
		tail -30 "$T/$name.log" | sed 's/^/# /'
	fi
done
