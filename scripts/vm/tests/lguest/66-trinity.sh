#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Debian's trinity fuzzes the system calls of a guest kernel, as root, for
# LGTRINITY calls (short here; more with lgtrinity=N by hand).  The guest
# may die of it; the host must not, and a fresh guest must boot after it.
. /tests/lib.sh
. /tests/lguest.sh
n=${LGTRINITY:-2000}
LGTIMEOUT=$((300 * LGSLOW))
LGINITRD=/lguest/guest-trinity.cpio.gz
LGMEM=128
run_guest "$LGDIR/trinity" lgguest=trinity "lgtrinity=$n"
rc=$(cat "$LGDIR/trinity.rc")
grep -E 'trinity|Ran [0-9]+ syscalls|syscalls' "$LGDIR/trinity.log" | tail -n 8 | sed 's/^[0-9.]* /# /'
ran=$(sed -n 's/.*Ran \([0-9]*\) syscalls.*/\1/p' "$LGDIR/trinity.log" | tail -n 1)
t0=$(cat "$LGDIR/trinity.t0")
t1=$(tail -n 1 "$LGDIR/trinity.log" | cut -d' ' -f1)
diag "trinity: launcher exit $rc; ${ran:-an unknown number of} system calls made; $(echo "$t0 $t1" | awk '{ printf "%.0f", $2 - $1 }') s"
grep -q 'lguest: guest stopped' "$LGDIR/trinity.err" && sed 's/^/# /' "$LGDIR/trinity.err"
grep -q 'lguest-guest: init' "$LGDIR/trinity.log" || fail "the trinity guest never ran its init"
grep -q '\[main\]' "$LGDIR/trinity.log" || { tail -n 30 "$LGDIR/trinity.log" | sed 's/^/# /'; fail "trinity did not start"; }
# Trinity itself may die (it did in its socket-cache setup in this
# guest without networking, before --disable-fds=sockets): say so.
[ -n "$ran" ] || grep -E 'Segmentation|Killed|Bus error' "$LGDIR/trinity.log" |
	sed 's/^[0-9.]* /# trinity stopped early: /'
LGINITRD=/lguest/guest.cpio.gz
run_guest "$LGDIR/after-trinity" lgguest=poweroff
[ "$(cat "$LGDIR/after-trinity.rc")" = 0 ] || fail "a fresh guest did not boot after trinity"
exit 0
