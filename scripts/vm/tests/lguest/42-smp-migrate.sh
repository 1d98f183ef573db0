#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A guest follows its launcher from CPU to CPU: while two guests run the
# in-guest checks, every thread of their launchers is moved between CPU
# 0 and CPU 1 every 30 ms (lg-smp migrate; the two on opposite CPUs).
# Both guests pass, and lg.ko's log_stats line counts at least 100 CPU
# migrations for each (entries on another CPU's switcher pages than the
# last): some 500 moves of a launcher in the guest's 15 s or more, where
# an unpinned guest moves by itself a few times at most (highmem-guest's
# has 0 or 1).
LGTIMEOUT=150
. /tests/lib.sh
. /tests/lguest.sh
need_cpus 2
# The checks' 80% fill needs it (see 20-guest-boot).
LGMEM=128
log_stats_on
dmesg_mark smp-migrate
# No stale .pid or .rc of an earlier run.
rm -f "$LGDIR"/mig[01].*
run_guest "$LGDIR/mig0" lgguest=test &
g0=$!
run_guest "$LGDIR/mig1" lgguest=test &
g1=$!
pids=$(wait_pids "$LGDIR/mig0.pid" "$LGDIR/mig1.pid") || fail "a launcher did not start"
# Until both launchers are gone, or for the guests' own timeout at most.
# shellcheck disable=SC2086 # two pids
lg-smp migrate 30 "$LGTIMEOUT" $pids >"$LGDIR/mig.out" 2>&1 &
mp=$!
wait $g0 $g1
wait $mp
cat "$LGDIR/mig.out"
stats=$(guest_stats smp-migrate)
echo "$stats" | sed 's/^/# /'
ok=1
for g in mig0 mig1; do
	rc=$(cat "$LGDIR/$g.rc")
	[ "$rc" = 0 ] || { diag "$g: launcher exit status $rc"; sed 's/^/# /' "$LGDIR/$g.err"; ok=0; }
	guest_passed "$LGDIR/$g.log" || ok=0
done
[ $ok = 1 ] || fail "a guest moved between CPUs did not pass its checks"
grep -q 'thread moves' "$LGDIR/mig.out" || fail "lg-smp migrate did not report"
[ "$(echo "$stats" | grep -c .)" = 2 ] || fail "not one log_stats line for each guest"
for m in $(echo "$stats" | sed -n 's/.*cpu migrations \([0-9]*\).*/\1/p'); do
	[ "$m" -ge 100 ] || fail "lg.ko counted $m CPU migrations of a guest whose launcher was moved hundreds of times"
done
exit 0
