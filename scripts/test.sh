#!/bin/sh
# The README's second command, and what CI runs: install build and test
# dependencies, then build and run the whole suite twice (with -Werror, then
# with ASan+UBSan), then `make format-check` and `make distcheck`. Builds
# happen in _build/; logs of failed tests are printed. Ends with a line
# "N passed, M failed".
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
scripts/deps.sh test || { echo "0 passed, 1 failed"; exit 1; }

# Build directories need an unconfigured source tree.
if [ -f config.status ]; then
	echo "cleaning the in-tree build (scripts/quickstart.sh rebuilds it)"
	make distclean >/dev/null 2>&1 || true
fi
autoreconf -fi >/dev/null 2>&1 || { autoreconf -fi; echo "0 passed, 1 failed"; exit 1; }
rm -rf _build
mkdir -p _build
jobs=$(nproc)

# build NAME CONFIGURE-FLAGS...: configure, make, make check into _build/NAME.
build() {
	name=$1; shift
	dir=$top/_build/$name
	mkdir -p "$dir"
	echo "=== $name: configure $*"
	( cd "$dir" && "$top/configure" "$@" >configure.out 2>&1 ) ||
		{ tail -30 "$dir/configure.out"; return 1; }
	echo "=== $name: make"
	( cd "$dir" && make -j"$jobs" >make.out 2>&1 ) ||
		{ grep -E 'error|warning' "$dir/make.out" | head -50; return 1; }
	echo "=== $name: make check"
	( cd "$dir" && make -j"$((jobs * 2))" check ) || true
}

failed_builds=0
build werror --enable-werror --enable-alloc-guard || failed_builds=$((failed_builds + 1))
build asan --enable-werror --enable-asan || failed_builds=$((failed_builds + 1))

# The house style (docs/style.md): one PASS/FAIL line, like distcheck.
echo "=== format-check"
if ( cd _build/werror && make format-check >format-check.out 2>&1 ); then
	echo "PASS: format-check" > _build/format-check.result
else
	head -50 _build/werror/format-check.out
	echo "FAIL: format-check" > _build/format-check.result
fi

echo "=== distcheck"
if ( cd _build/werror && make distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror \
    >distcheck.out 2>&1 ); then
	echo "PASS: distcheck" > _build/distcheck.result
else
	tail -40 _build/werror/distcheck.out
	echo "FAIL: distcheck" > _build/distcheck.result
fi

exec scripts/test-summary.sh _build "$failed_builds"
