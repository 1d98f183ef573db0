#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 100 guests started and stopped leave the host as they found it: 90
# tiny guests (lg-tiny cycles: never run, run to their end, stopped by
# a signal, their launcher SIGKILLed, in turn) and 10 Linux guests whose
# launchers are SIGKILLed at random points of their boot.  Afterwards
# the pinned pages (nr_foll_pin_acquired - nr_foll_pin_released) are
# exactly what they were, unreclaimable slab is within a tolerance,
# lg.ko's use count is what it was, and lg.ko unloads and loads again.
. /tests/lib.sh
. /tests/lguest.sh
TINY=90
LINUX=10
# Slab tolerance, after dropping the reclaimable caches at both ends:
# what the kernel's own work meanwhile leaves allocated (the test's
# files in /tmp, the slabs a cache keeps partly used).  With the
# provided configuration's SLUB_TINY (no per-CPU slabs, empty slabs
# freed at once) the measured change was 0 to 24 kB a run.  A guest's
# slab objects are its file, its pinned-page array (1 kB for lg-tiny's
# guests), its eventfds: kept by each of 100 guests, they would pass
# 64 kB.  (struct lguest itself, about 12 kB, comes from the page
# allocator, as do the shadow page tables; the pinned pages are what
# this test counts exactly.)
SLAB_TOLERANCE_KB=64

pins() {
	awk '$1 == "nr_foll_pin_acquired" { a = $2 } $1 == "nr_foll_pin_released" { r = $2 }
		END { print a - r }' /proc/vmstat
}
meminfo_kb() {
	awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo
}
users() {
	awk '$1 == "lg" { print $3 }' /proc/modules
}
settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1
}
snapshot() {
	settle
	echo "$(pins) $(meminfo_kb SUnreclaim) $(meminfo_kb Slab) $(users) $(meminfo_kb MemFree)"
}

grep -q '^nr_foll_pin_acquired ' /proc/vmstat || fail "no nr_foll_pin_acquired in /proc/vmstat"
[ -n "$(users)" ] || fail "lg.ko is not loaded"
# Warm the caches the cycles use, so that their first slabs do not count.
lg-tiny cycles 8 >/dev/null || fail "lg-tiny cycles 8 failed"
# shellcheck disable=SC2046 # five numbers
set -- $(snapshot)
pin0=$1 sunr0=$2 slab0=$3 users0=$4 free0=$5
t0=$(date +%s)

lg-tiny cycles $TINY || fail "lg-tiny: a tiny guest did not end as it should"

# A kill point from 0 to 3 s after the launcher starts: before, during
# and after the guest kernel's boot (about 1.5 to 3 s to its init).
i=0
points=
while [ $i -lt $LINUX ]; do
	ms=$(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 3000))
	lguest --initrd="$LGINITRD" 64 "$LGKERNEL" lgguest=spin quiet </dev/null >"$LGDIR/stop.log" 2>&1 &
	pid=$!
	usleep $((ms * 1000))
	kill -9 $pid
	wait $pid 2>/dev/null
	rc=$?
	[ $rc = 137 ] || { sed 's/^/# /' "$LGDIR/stop.log"; fail "launcher exit status $rc after SIGKILL at $ms ms, not 137"; }
	if grep -q 'lguest-guest: init' "$LGDIR/stop.log"; then
		points="$points ${ms}ms(init)"
	else
		points="$points ${ms}ms"
	fi
	i=$((i + 1))
done
diag "Linux guests killed at:$points"
diag "$((TINY + LINUX)) guests in $(($(date +%s) - t0)) s"

# shellcheck disable=SC2046 # five numbers
set -- $(snapshot)
pin1=$1 sunr1=$2 slab1=$3 users1=$4 free1=$5
diag "pinned pages $pin0 -> $pin1; SUnreclaim $sunr0 -> $sunr1 kB; Slab $slab0 -> $slab1 kB; lg.ko users $users0 -> $users1 (MemFree $free0 -> $free1 kB, not checked: per-CPU page lists)"
[ "$pin1" = "$pin0" ] || fail "$((pin1 - pin0)) pages still pinned after the guests ended"
[ "$users1" = "$users0" ] || fail "lg.ko has $users1 users, not $users0"
[ $((sunr1 - sunr0)) -le $SLAB_TOLERANCE_KB ] ||
	fail "unreclaimable slab grew by $((sunr1 - sunr0)) kB (tolerance $SLAB_TOLERANCE_KB kB)"
[ $((slab1 - slab0)) -le $SLAB_TOLERANCE_KB ] ||
	fail "slab grew by $((slab1 - slab0)) kB (tolerance $SLAB_TOLERANCE_KB kB)"
rmmod lg || fail "rmmod lg failed after the guests"
modprobe lg || fail "modprobe lg failed after rmmod"
[ -c /dev/lguest ] || fail "no /dev/lguest after reloading lg.ko"
lg-tiny cycles 4 >/dev/null || fail "tiny guests fail after reloading lg.ko"
exit 0
