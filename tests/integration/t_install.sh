#!/bin/bash
# `make install DESTDIR=...` puts every promised file in place, the
# installed daemon and sample config work, a module compiles against the
# installed headers, and uninstall leaves no file behind.
. "$(dirname "$0")/lib.sh"

root=$T/root
make=${MAKE:-make}
env -u MAKEFLAGS -u MFLAGS $make -s -C "$top_builddir" install DESTDIR="$root" \
    >"$T/install.log" 2>&1
check "make install DESTDIR=... succeeds" test $? = 0

prefix=$(sed -n 's/^prefix = //p' "$top_builddir/Makefile")
sysconfdir=$(sed -n 's/^sysconfdir = //p' "$top_builddir/Makefile" | sed "s|\${prefix}|$prefix|")
unitdir=$(sed -n 's/^systemdsystemunitdir = //p' "$top_builddir/Makefile" | sed "s|\${prefix}|$prefix|")
p=$root$prefix
for f in sbin/hotlined include/hotline/hotline.h include/hotline/version.h \
    lib/pkgconfig/hotline.pc share/man/man8/hotlined.8 \
    share/man/man5/hotline.conf.5; do
	check "installs $f" test -f "$p/$f"
done
for f in hotline/hotline.conf hotline/hotline.conf.sample; do
	check "installs $sysconfdir/$f" test -f "$root$sysconfdir/$f"
done
check "installs an executable init script" test -x "$root$sysconfdir/init.d/hotlined"
check "installs the systemd unit" test -f "$root$unitdir/hotlined.service"
check "the unit names the installed daemon" grep -q "ExecStart=$prefix/sbin/hotlined" "$root$unitdir/hotlined.service"

check "the installed hotlined runs" sh -c "'$p/sbin/hotlined' -V | grep -q '^hotlined '"
"$p/sbin/hotlined" -t -c "$root$sysconfdir/hotline/hotline.conf" >"$T/t.out" 2>&1
check "the installed sample config is valid" test $? = 0

cat >"$T/mod.c" <<'C'
#include <hotline/hotline.h>
#include <stdio.h>
int main(void) { printf("%s %d\n", HL_VERSION_STRING, HL_VERSION_NUMBER > 0); return 0; }
C
cflags=$(PKG_CONFIG_PATH=$p/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root pkg-config --cflags hotline)
check "pkg-config finds hotline ($cflags)" test -n "$cflags"
cc $cflags -o "$T/mod" "$T/mod.c" 2>"$T/cc.out"
check "a module compiles against the installed headers" test $? = 0
check "... and sees the version" sh -c "'$T/mod' | grep -q '^[0-9]*\.[0-9]*\.[0-9]* 1$'"

docdir=$(sed -n 's/^docdir = //p' "$top_builddir/Makefile" |
    sed "s|\${datarootdir}|$prefix/share|; s|\${PACKAGE_TARNAME}|hotline|; s|\${prefix}|$prefix|")
for f in README.md LICENSE docs/security.md docs/operations.md; do
	check "installs $docdir/$f" test -f "$root$docdir/$f"
done
lr=$root$sysconfdir/logrotate.d/hotline
check "installs the logrotate rules" test -f "$lr"
check "... which send USR1" grep -q 'USR1' "$lr"
if command -v logrotate >/dev/null; then
	logrotate -d -s "$T/lr.state" "$lr" >"$T/logrotate.log" 2>&1
	check "logrotate -d accepts them" test $? = 0
else
	ok "# SKIP logrotate is not installed (scripts/deps.sh test)"
fi

# The unit: systemd-analyze verify (ExecStart pointed into DESTDIR, where
# the daemon is) and the exposure figure of `security --offline`.
unit=$root$unitdir/hotlined.service
check "the unit puts reports in the state directory" \
    grep -q '^Environment=HOTLINE_PROFILING_OUTPUT_DIR=%S/hotline/reports$' "$unit"
if command -v systemd-analyze >/dev/null &&
    systemd-analyze security --help 2>&1 | grep -q -- --offline; then
	sed "s|=$prefix/|=$root$prefix/|g" "$unit" >"$T/hotlined.service"
	systemd-analyze verify --man=no "$T/hotlined.service" >"$T/verify.log" 2>&1
	check "systemd-analyze verify accepts the unit" test $? = 0
	systemd-analyze security --offline=true "$unit" >"$T/security.log" 2>&1
	exposure=$(sed -n 's/.*Overall exposure level for hotlined.service: \([0-9.]*\).*/\1/p' "$T/security.log")
	note "systemd-analyze security: exposure $exposure (at most 2.0)"
	check "systemd-analyze security rates the unit at most 2.0 ($exposure)" \
	    awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 2.0) }'
else
	ok "# SKIP systemd-analyze with security --offline is not installed"
	ok "# SKIP (exposure)"
fi

# The init script's configtest: hotlined -t on CONF, its errors, a verdict.
initd=$root$sysconfdir/init.d/hotlined
printf 'workers 1\n' >"$T/good.conf"
printf 'workers 1\nworker 2\n' >"$T/bad.conf"
for c in good bad; do
	printf 'DAEMON=%s\nCONF=%s\n' "$p/sbin/hotlined" "$T/$c.conf" >"$T/$c.defaults"
	HOTLINED_DEFAULTS=$T/$c.defaults "$initd" configtest >"$T/ct-$c.out" 2>&1
	echo "$?" >"$T/ct-$c.rc"
done
check "init script configtest: a good config passes" test "$(cat "$T/ct-good.rc")" = 0
check "... and says so" grep -q "configuration is valid" "$T/ct-good.out"
check "init script configtest: a bad config fails" test "$(cat "$T/ct-bad.rc")" = 1
check "... naming file:line and the key" grep -q "bad.conf:2: unknown key \"worker\"" "$T/ct-bad.out"
HOTLINED_DEFAULTS=$T/bad.defaults "$initd" reload >"$T/reload-bad.out" 2>&1
check "reload runs configtest first (a bad config is refused: 1)" test $? = 1

# A changed live config survives uninstall; an untouched one is removed.
env -u MAKEFLAGS -u MFLAGS $make -s -C "$top_builddir" uninstall DESTDIR="$root" \
    >"$T/uninstall.log" 2>&1
check "make uninstall succeeds" test $? = 0
left=$(find "$root" -type f | wc -l)
check "uninstall leaves no file behind ($left left)" test "$left" = 0
