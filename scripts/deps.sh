#!/bin/sh
# Install hotline's dependencies from Debian's apt: only what is missing,
# with one `apt-get update` first when anything is.
#   scripts/deps.sh build   what building needs
#   scripts/deps.sh test    that, plus what the test suite runs
set -eu

BUILD="build-essential autoconf automake libtool pkg-config
	libevent-dev libjansson-dev libhiredis-dev libjwt-dev libssl-dev
	libdw-dev libunwind-dev libwslay-dev check libprotobuf-c-dev
	protobuf-c-compiler zlib1g-dev"
TEST="redis-server python3 python3-websockets python3-prometheus-client
	curl procps iproute2 chromium logrotate systemd util-linux
	prometheus golang-go"

case "${1:-build}" in
build) want=$BUILD ;;
test) want="$BUILD $TEST" ;;
*) echo "usage: $0 build|test" >&2; exit 2 ;;
esac

missing=
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "installing:$missing"
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing
