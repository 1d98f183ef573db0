#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Boot this kernel as an lguest guest that runs the in-guest checks and
# powers off; its console, stamped with host time, goes to the log the
# next tests read.
. /tests/lib.sh
. /tests/lguest.sh
# 128 MB: room for the memory check's 80% fill beside the guest's kernel
# and its initramfs (with 64 MB only ~1 MB was left, and the fill was
# sometimes OOM-killed).
LGMEM=128
run_guest "$LGDIR/boot" lgguest=test
rc=$(cat "$LGDIR/boot.rc")
t0=$(cat "$LGDIR/boot.t0")
first=$(grep -m1 'lguest-guest: init' "$LGDIR/boot.log" | cut -d' ' -f1)
[ -n "$first" ] || { tail -n 30 "$LGDIR/boot.log" | sed 's/^/# /'; fail "the guest never ran its init"; }
diag "boot time (launcher start to the guest's first userspace line): $(echo "$first $t0" | awk '{ printf "%.2f", $1 - $2 }') s"
grep -q '^[0-9.]* guest: done' "$LGDIR/boot.log" || { tail -n 30 "$LGDIR/boot.log" | sed 's/^/# /'; fail "the in-guest checks did not finish (launcher exit $rc)"; }
exit 0
