#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A guest with more memory than its kernel maps linearly: at 1536 MB
# what the launcher puts in guest
# memory stays low, the rest is RAM above it, and the guest kernel (of
# this HIGHMEM4G build) makes it high memory that its processes use: a
# fill of 5% of its memory, which user pages take from high memory
# first, reads back intact.  The QEMU host has less than that: the
# launcher's memory is only pinned as the guest touches it.
. /tests/lib.sh
. /tests/lguest.sh
in=$LGDIR/highmem.in
printf '%s\n' 'grep -E "^(MemTotal|HighTotal):" /proc/meminfo' \
	'mem-fill 5 && echo FILL-OK' poweroff >"$in"
LGMEM=1536 LGSTDIN=$in run_guest "$LGDIR/highmem" lgguest=shell
rc=$(cat "$LGDIR/highmem.rc")
log=$LGDIR/highmem.log
grep -E '^[0-9.]* (MemTotal|HighTotal):' "$log" | sed 's/^[0-9.]* /# /'
high=$(sed -n 's/^[0-9.]* HighTotal: *\([0-9]*\) kB.*/\1/p' "$log")
[ -n "$high" ] || { tail -n 20 "$log" | sed 's/^/# /'; sed 's/^/# /' "$LGDIR/highmem.err"; fail "no HighTotal from the guest"; }
# 1536 MB less the guest's lowmem (under 1 GB less its vmalloc area
# and the switcher's reservation): some 650 MB.
[ "$high" -ge $((512 * 1024)) ] || fail "the guest has $high kB of high memory, want over 512 MB"
grep -q '^[0-9.]* FILL-OK' "$log" || { tail -n 20 "$log" | sed 's/^/# /'; fail "the guest's processes could not use its memory"; }
[ "$rc" = 0 ] || { sed 's/^/# /' "$LGDIR/highmem.err"; fail "launcher exit status $rc"; }
# The largest guest the launcher takes boots and powers off.
LGMEM=2048 run_guest "$LGDIR/highmem-max" lgguest=poweroff
rc=$(cat "$LGDIR/highmem-max.rc")
[ "$rc" = 0 ] || { tail -n 20 "$LGDIR/highmem-max.log" | sed 's/^/# /'; sed 's/^/# /' "$LGDIR/highmem-max.err"; fail "a 2048 MB guest: launcher exit status $rc"; }
exit 0
