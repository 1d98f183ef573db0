#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guests run through a storm of TLB shootdown IPIs: once two guests,
# one pinned on each CPU, are into the in-guest checks, a host process
# with two threads pinned on each CPU (at nice -5: they take most of
# both CPUs at once) loops mprotect() on shared memory (lg-smp tlb) for
# 8 s, every call an IPI to the other CPU, the CPUs switching between
# the threads and the launchers all the while.  (A shootdown of another
# process's pages never interrupts a CPU in a guest: Linux sends it only
# to the CPUs that have that process's mm loaded.)  Both guests pass,
# and /proc/interrupts' TLB shootdown count grew by at least 200.  How
# many there are depends on how often both CPUs run the storm's threads
# at once: guests that halt in a sleep leave them the CPUs (93,000 with
# guests that spent the storm in their sleep check), busy guests take
# their share (750 to 900 once system calls and context switches in the
# guest stopped costing exits and the guests got through their checks
# faster, into the memory checks).
LGTIMEOUT=150
. /tests/lib.sh
. /tests/lguest.sh
need_cpus 2
# The checks' 80% fill needs it (see 20-guest-boot).
LGMEM=128
STORM=8
MIN=200
tlb() {
	awk '$1 == "TLB:" { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i } END { print n + 0 }' /proc/interrupts
}
grep -q '^ *TLB:' /proc/interrupts || fail "no TLB shootdown line in /proc/interrupts"
# No stale .pid or .rc of an earlier run.
rm -f "$LGDIR"/ipi[01].*
(LGWRAP="taskset 1"; run_guest "$LGDIR/ipi0" lgguest=test) &
g0=$!
(LGWRAP="taskset 2"; run_guest "$LGDIR/ipi1" lgguest=test) &
g1=$!
wait_pids "$LGDIR/ipi0.pid" "$LGDIR/ipi1.pid" >/dev/null || fail "a launcher did not start"
wait_line 'lguest-guest: init' "$LGDIR/ipi0.log" "$LGDIR/ipi1.log" || fail "the guests did not start"
before=$(tlb)
lg-smp tlb $STORM || fail "lg-smp tlb failed"
after=$(tlb)
running=0
for g in ipi0 ipi1; do
	[ -f "$LGDIR/$g.rc" ] || running=$((running + 1))
done
wait $g0 $g1
diag "TLB shootdowns: $before -> $after (+$((after - before))); $running of 2 guests still ran when the storm ended"
ok=1
for g in ipi0 ipi1; do
	rc=$(cat "$LGDIR/$g.rc")
	[ "$rc" = 0 ] || { diag "$g: launcher exit status $rc"; sed 's/^/# /' "$LGDIR/$g.err"; ok=0; }
	guest_passed "$LGDIR/$g.log" || ok=0
done
[ $ok = 1 ] || fail "a guest did not pass its checks through the IPI storm"
[ $((after - before)) -ge $MIN ] || fail "only $((after - before)) TLB shootdowns in $STORM s (wanted $MIN)"
[ $running = 2 ] || fail "a guest ended before the storm did: the test proved less than it should"
exit 0
