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

# A changed live config survives uninstall; an untouched one is removed.
env -u MAKEFLAGS -u MFLAGS $make -s -C "$top_builddir" uninstall DESTDIR="$root" \
    >"$T/uninstall.log" 2>&1
check "make uninstall succeeds" test $? = 0
left=$(find "$root" -type f | wc -l)
check "uninstall leaves no file behind ($left left)" test "$left" = 0
