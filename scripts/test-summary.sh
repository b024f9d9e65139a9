#!/bin/sh
# Summarize automake test results under DIR (every .trs file, one result per
# TAP test point) plus DIR/*.result lines; print the logs of failures and
# end with "N passed, M failed". Exit 1 when anything failed.
#   scripts/test-summary.sh DIR [BROKEN-BUILDS]
set -u
dir=$1
broken=${2:-0}
pass=0
fail=0
for build in "$dir"/*/; do
	name=$(basename "$build")
	[ -d "$build" ] || continue
	p=$(find "$build" -name '*.trs' -not -path '*/hotline-*/*' -exec \
	    grep -hE '^:test-result: (PASS|XFAIL|SKIP)' {} + | wc -l)
	f=$(find "$build" -name '*.trs' -not -path '*/hotline-*/*' -exec \
	    grep -hE '^:test-result: (FAIL|XPASS|ERROR)' {} + | wc -l)
	for trs in $(find "$build" -name '*.trs' -not -path '*/hotline-*/*' \
	    -exec grep -lE '^:test-result: (FAIL|XPASS|ERROR)' {} +); do
		log=${trs%.trs}.log
		echo "--- $name: ${log#$build} (last 60 lines)"
		tail -60 "$log"
	done
	echo "$name: $p passed, $f failed"
	pass=$((pass + p))
	fail=$((fail + f))
done
for r in "$dir"/*.result; do
	[ -f "$r" ] || continue
	if grep -q '^PASS' "$r"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	cat "$r"
done
fail=$((fail + broken))
[ "$broken" -gt 0 ] && echo "$broken build(s) did not compile"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
