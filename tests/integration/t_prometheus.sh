#!/bin/bash
# /metrics as the real Prometheus server scrapes it: Debian's prometheus on
# a loopback port scrapes hotlined (with its admin token) every second;
# its HTTP API must give back the messages this test sent, a latency
# quantile in the bucket of the delay it asked for, and the per-worker
# series. promtool lints a scrape; an unwritable report directory is
# counted in hotline_report_write_failures_total.
. "$(dirname "$0")/lib.sh"

if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
	echo "1..0 # SKIP prometheus not installed (scripts/deps.sh test)"
	trap - EXIT; rm -rf "$T"; exit 0
fi
PQ="$PY $top_srcdir/tests/integration/promq.py"
PROM_PID=
stop_prom() {
	[ -n "$PROM_PID" ] || return 0
	kill -TERM "$PROM_PID" 2>/dev/null
	wait_until 10 sh -c "! kill -0 $PROM_PID" || kill -KILL "$PROM_PID"
	wait "$PROM_PID" 2>/dev/null
	PROM_PID=
}
trap 'stop_prom; cleanup' EXIT

# start_prom: prometheus on a free loopback port scraping $HL_ADMIN with
# $HL_TOKEN; sets PROM (host:port). Retries when the port was taken.
start_prom() {
	local try port
	cat >"$T/prom.yml" <<-YML
	global:
	  scrape_interval: 1s
	  scrape_timeout: 1s
	scrape_configs:
	  - job_name: hotline
	    authorization:
	      credentials: $HL_TOKEN
	    static_configs:
	      - targets: ['$HL_ADMIN']
	YML
	for try in 1 2 3; do
		port=$($PQ port)
		prometheus --web.listen-address=127.0.0.1:$port \
		    --storage.tsdb.path="$T/tsdb" --config.file="$T/prom.yml" \
		    >"$T/prometheus.out" 2>&1 &
		PROM_PID=$!
		PROM=127.0.0.1:$port
		wait_until 15 curl -sf -o /dev/null "http://$PROM/-/ready" &&
		    return 0
		stop_prom
	done
	return 1
}
q() { $PQ query "$PROM" "$1"; }
# value EXPR: the value of the first series a query gives.
value() { q "$1" | awk 'NR == 1 { print $NF }'; }
metric() { admin_get /metrics | sed -n "s/^$1 //p"; }
write_failed() { test "$(metric hotline_report_write_failures_total)" -gt 0; }
report_in() { ls "$1" 2>/dev/null | grep -q '\.json$'; }

N=24		# messages sent, 150 ms delay each: the (0.1, 0.25] bucket
export HL_TOKEN=prom-test-token
HOTLINE_ADMIN_TOKEN=$HL_TOKEN start_hotlined prom -w 2 \
    -o profiling_interval_seconds=1 -o profiling_clock=wall || exit 1
check "prometheus starts on a loopback port" start_prom || exit 1

# A scrape before the traffic, so rate() has its start.
check "the first scrape is in (up == 1, with the bearer token)" \
    wait_eq 15 1 value 'up{job="hotline"}'
check "ws_messages_received_total starts at 0" \
    test "$(value 'ws_messages_received_total')" = 0
got=$($PQ send "ws://$HL_WS/web" $N 4 \
    '{"pkg_id": 7, "req_id": "p", "data": {"ms": 150}}')
check "the $N delayed requests were answered ($got)" test "$got" = $N
# Two scrapes after the traffic: a sample stamped more than one scrape
# interval past its end (whole seconds, rounded up).
t1=$(($(date +%s) + 2))
check "two scrapes after the traffic" $PQ after "$PROM" \
    'timestamp(ws_messages_received_total)' 15 "$t1"

check "ws_messages_received_total is what was sent" \
    test "$(value 'ws_messages_received_total')" = $N
check "... and so is the sum of the per-worker counters" \
    test "$(value 'sum(hotline_worker_messages_received_total)')" = $N
check "ws_connections_total{status=\"accepted\"}: the 4 connections" \
    test "$(value 'sum(ws_connections_total{status="accepted"})')" = 4
bucket='ws_message_processing_duration_seconds_bucket{pkg_id="7"}'
p50=$(value "histogram_quantile(0.5, sum(rate($bucket[1m])) by (le))")
note "median latency of pkg_id 7 by Prometheus: $p50 s"
check "the median of a 150 ms delay is in its bucket, (0.1, 0.25] s ($p50)" \
    $PY -c "import sys; v = float('$p50'); sys.exit(not 0.1 <= v <= 0.25)"
workers=$(q 'process_resident_memory_bytes{process="worker"}' | sed 's/ .*//' |
    tr ',' '\n' | sed -n 's/^worker=//p' | sort | tr '\n' ' ')
check "process_resident_memory_bytes has each worker's series ($workers)" \
    test "$workers" = "0 1 "
check "... and the master's" \
    test "$(q 'process_resident_memory_bytes{process="master"} > 0' |
    wc -l)" = 1
fams='cpu_seconds_total|open_fds|max_fds|start_time_seconds'
fams="$fams|virtual_memory_bytes"
check "the other five process_* families, for all three processes" \
    test "$(value "count({__name__=~\"process_($fams)\"})")" = 15
start='process_start_time_seconds{process="master"}'
check "the master's start time is hotline_start_time_seconds (within 2 s)" \
    test "$(value "abs($start - on() hotline_start_time_seconds) < bool 2")" = 1
stop_prom

admin_get /metrics >"$T/metrics.txt"
promtool check metrics <"$T/metrics.txt" >"$T/promtool.out" 2>&1
rc=$?
check "promtool check metrics is clean ($(head -c 99 "$T/promtool.out"))" \
    test $rc = 0 -a ! -s "$T/promtool.out"

# The report directory turns into a file (fails as root too): counted,
# logged, and the reports come back when it is a directory again. On the
# wall clock idle workers are sampled too, so a report is due each second.
dir=$T/reports-prom
check "reports are written" wait_until 15 report_in "$dir"
written=$(metric hotline_profiler_reports_written_total)
# Renamed away, not removed: the reporter may be writing into it.
mv "$dir" "$dir.away" && : >"$dir"
check "report directory a file: hotline_report_write_failures_total counts" \
    wait_until 15 write_failed
check "... and the log names the directory" \
    grep -q "reports-prom.*Not a directory" "$HL_LOG"
rm -f "$dir" && mkdir "$dir"
check "reports are written again once it is a directory" \
    wait_until 15 report_in "$dir"
check "hotline_profiler_reports_written_total went on ($written before)" \
    test "$(metric hotline_profiler_reports_written_total)" -gt "$written"
check "the daemon is healthy" health_ok
