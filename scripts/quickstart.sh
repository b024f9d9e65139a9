#!/bin/sh
# The README's first command: install build dependencies, build in the
# source tree, and run hotlined in the foreground for a trial on this
# machine only: WebSocket on 127.0.0.1:8000 with the demonstration
# workloads on (workloads demo), admin on 127.0.0.1:9000, reports in
# ./profiling_reports; no Redis needed. Extra arguments go to hotlined and
# win, e.g. scripts/quickstart.sh -w 4 -o listen=0.0.0.0:8000.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh build
# A tree left configured by scripts/test.sh's build directories is fine;
# this one builds in place.
autoreconf -fi
./configure
make -j"$(nproc)"
echo
echo "Starting hotlined in the foreground; Ctrl-C stops it."
echo "  health:  curl http://127.0.0.1:9000/health"
echo "  metrics: curl http://127.0.0.1:9000/metrics"
exec ./src/hotlined -f -o listen=127.0.0.1:8000 -o workloads=demo \
    -o profiling_output_dir=./profiling_reports "$@"
