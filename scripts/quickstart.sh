#!/bin/sh
# The README's first command: install build dependencies, build in the
# source tree, and run hotlined in the foreground on its built-in defaults
# (WebSocket on 0.0.0.0:8000, admin on 127.0.0.1:9000; no Redis needed).
# Extra arguments go to hotlined, e.g. scripts/quickstart.sh -w 4.
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
exec ./src/hotlined -f "$@"
