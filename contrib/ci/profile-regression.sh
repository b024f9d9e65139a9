#!/bin/sh
# Profile a hotlined build under a fixed load and fail when a per-message
# CPU figure regressed against a baseline report (hotline-report diff).
#
#   contrib/ci/profile-regression.sh [-b BASELINE.json] [-t PCT] [-s SECONDS]
#                                    [-p PAYLOAD] [-o OUTDIR]
#
# Starts $HOTLINED (default ./src/hotlined) on loopback ports, drives
# $LOAD (default tests/integration/load.py) with PAYLOAD, fetches the
# newest report that saw the load with `hotline-report fetch`, and writes
# OUTDIR/profile.json, profile.html and diff.txt. Without a baseline the
# report is kept for the next run. Exit: 0 fine, 1 regression, 2 trouble.
set -u

HOTLINED=${HOTLINED:-./src/hotlined}
REPORT=${HOTLINE_REPORT:-./tools/hotline-report}
LOAD=${LOAD:-tests/integration/load.py}
PY=${PYTHON:-python3}
baseline= threshold=10 seconds=6 outdir=profile-out
payload='{"pkg_id":3,"req_id":"ci","data":{"a":300000,"b":100000}}'
while getopts b:t:s:p:o: opt; do
	case $opt in
	b) baseline=$OPTARG ;;
	t) threshold=$OPTARG ;;
	s) seconds=$OPTARG ;;
	p) payload=$OPTARG ;;
	o) outdir=$OPTARG ;;
	*) echo "usage: $0 [-b BASELINE.json] [-t PCT] [-s SECONDS] [-p PAYLOAD] [-o OUTDIR]" >&2; exit 2 ;;
	esac
done
mkdir -p "$outdir" || exit 2
work=$(mktemp -d) || exit 2
pid=
finish() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$work"
}
trap finish EXIT
die() { echo "profile-regression: $*" >&2; [ -f "$work/hotlined.log" ] && tail -20 "$work/hotlined.log" >&2; exit 2; }

# Windows of 2 s: the newest window during the load is all load.
# The work handler is a demonstration workload, off by default; the
# variable (not -o) leaves a baseline built before the key works too.
HOTLINE_WORKLOADS=demo "$HOTLINED" -f -w 1 -o listen=127.0.0.1:0 -o admin_listen=127.0.0.1:0 \
    -o profiling_interval_seconds=2 -o "profiling_output_dir=$work/reports" \
    >"$work/hotlined.log" 2>&1 &
pid=$!
i=0
until grep -q ' ready: ' "$work/hotlined.log"; do
	i=$((i + 1)); [ $i -gt 150 ] && die "hotlined did not start"
	kill -0 "$pid" 2>/dev/null || die "hotlined exited"
	sleep 0.1
done
ws=$(sed -n 's|.* ws://\([^/]*\)/web.*|\1|p' "$work/hotlined.log" | head -1)
admin=$(sed -n 's|.* admin http://\([^/]*\)/.*|\1|p' "$work/hotlined.log" | head -1)

"$PY" "$LOAD" "ws://$ws/web" "$seconds" "$payload" >"$work/load.txt" ||
    die "the load failed: $(cat "$work/load.txt")"
# Fetched while the daemon runs: the newest report is the last window
# that closed during the load.
# (A loaded machine may take a while to write the first: wait up to 30 s.)
i=0
until "$REPORT" fetch --admin "http://$admin" -o "$outdir/profile.json" \
    2>"$work/fetch.err"; do
	i=$((i + 1))
	[ $i -gt 60 ] && die "cannot fetch the report: $(cat "$work/fetch.err")"
	sleep 0.5
done
"$REPORT" render "$outdir/profile.json" -o "$outdir/profile.html" ||
    die "cannot render the report"
"$REPORT" text "$outdir/profile.json" --top 15

if [ -z "$baseline" ]; then
	echo "profile-regression: no baseline; $outdir/profile.json is the next one"
	exit 0
fi
"$REPORT" diff "$baseline" "$outdir/profile.json" --fail-above "$threshold" \
    >"$outdir/diff.txt"
rc=$?
cat "$outdir/diff.txt"
exit $rc
