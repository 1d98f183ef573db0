#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Eight guests at once on the two CPUs, each running the in-guest
# checks: all pass, and the host logs no warning, BUG, RCU stall or
# lockup meanwhile.
LGTIMEOUT=200
. /tests/lib.sh
. /tests/lguest.sh
need_cpus 2
N=8
# As little memory as the checks' 80% fill allows with a few MB to spare
# (see 20-guest-boot): with 96 MB, 2.4 MB of MemAvailable was left beside
# it (MemTotal 90428 kB, 72342 kB filled), with 112 MB about 5 MB.
LGMEM=112
dmesg_mark many-guests
t0=$(date +%s)
i=0
pids=
while [ $i -lt $N ]; do
	run_guest "$LGDIR/many$i" lgguest=test &
	pids="$pids $!"
	i=$((i + 1))
done
# shellcheck disable=SC2086 # a list of pids
wait $pids
diag "$N guests of $LGMEM MB in $(($(date +%s) - t0)) s; the first one's memory check:"
guest_output memory "$LGDIR/many0.log"
ok=1
i=0
while [ $i -lt $N ]; do
	rc=$(cat "$LGDIR/many$i.rc")
	[ "$rc" = 0 ] || { diag "guest $i: launcher exit status $rc"; sed 's/^/# /' "$LGDIR/many$i.err"; ok=0; }
	guest_passed "$LGDIR/many$i.log" || ok=0
	i=$((i + 1))
done
bad=$(host_trouble many-guests)
[ -z "$bad" ] || { echo "$bad" | sed 's/^/# /'; fail "the host logged trouble while $N guests ran"; }
[ $ok = 1 ] || fail "not all $N guests passed their checks"
exit 0
