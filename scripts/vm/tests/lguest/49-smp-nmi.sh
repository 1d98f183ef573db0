#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# NMIs on every CPU while guests run on both: two guests, one pinned to
# each CPU, run a fault- and hypercall-heavy loop; once both are running,
# QEMU's monitor sends 40 NMIs, 50 ms apart (scripts/tools/nmi-inject,
# as for guest-nmi).  Both guests finish their work, NMIs struck while
# each guest ran, and each CPU's NMI count in /proc/interrupts grew by
# 38 at least: QEMU merges an NMI into one still pending, which happens
# when a loaded build machine keeps a virtual CPU's thread from running
# for the 50 ms between two (one in some ten runs).  The monitor's nmi
# goes to each CPU's LINT1 pin, which Linux masks on all CPUs but the
# first unless booted with apic_extnmi=all (scripts/boot adds it in
# test mode).  The hard lockup detector's state is reported: under TCG
# QEMU has no PMU and the perf NMI watchdog is off ("permanently
# disabled"), which is no failure.
LGTIMEOUT=150
. /tests/lib.sh
. /tests/lguest.sh
need_cpus 2
COUNT=40
SLACK=2
# Page faults: some 6 s of the guests' time, longer than the NMIs.
LOOP=40000
# nmis: the NMI count of each CPU, as a list.
nmis() {
	awk '$1 == "NMI:" { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) printf "%s ", $i }' /proc/interrupts
}
wd=$(dmesg | grep -iE 'NMI watchdog|hard.?lockup' | sed 's/^\[[ 0-9.]*\] //' | sort -u | tr '\n' ';')
diag "hard lockup detector: nmi_watchdog=$(cat /proc/sys/kernel/nmi_watchdog 2>/dev/null || echo none); ${wd:-no watchdog line in dmesg}"
before=$(nmis)
[ -n "$before" ] || fail "no NMI counts in /proc/interrupts"
log_stats_on
dmesg_mark smp-nmi
# No stale .pid or .rc of an earlier run.
rm -f "$LGDIR"/nmi[01].*
(LGWRAP="taskset 1"; run_guest "$LGDIR/nmi0" lgguest=bench lgbench=pagefault:$LOOP) &
g0=$!
(LGWRAP="taskset 2"; run_guest "$LGDIR/nmi1" lgguest=bench lgbench=pagefault:$LOOP) &
g1=$!
wait_pids "$LGDIR/nmi0.pid" "$LGDIR/nmi1.pid" >/dev/null || fail "a launcher did not start"
wait_line 'lguest-guest: init' "$LGDIR/nmi0.log" "$LGDIR/nmi1.log" || fail "the guests did not start"
read -r sent _ </proc/uptime
echo "lguest-rig: nmi $COUNT 50" >/dev/console
wait $g0 $g1
# grown N: every CPU's NMI count is at least N above what it was.
grown() {
	echo "$before / $(nmis)" | awk -v c="$1" '{
		n = (NF - 1) / 2
		for (k = 1; k <= n; k++) if ($(n + 1 + k) - $k < c) exit 1 }'
}
# The injector may still be sending (a loaded build machine delays it).
i=0
until grown $COUNT || [ $i -ge 10 ]; do
	sleep 1
	i=$((i + 1))
done
after=$(nmis)
stats=$(guest_stats smp-nmi)
echo "$stats" | sed 's/^/# /'
diag "NMIs per CPU: $before-> $after"
for g in nmi0 nmi1; do
	e=$(grep -m1 "lg-bench pagefault $LOOP " "$LGDIR/$g.log" | cut -d' ' -f1)
	diag "$g: its loop ended $(echo "$sent ${e:-0}" | awk '{ printf "%.1f", $2 - $1 }') s after the NMIs were asked for"
done
for g in nmi0 nmi1; do
	grep -q "lg-bench pagefault $LOOP " "$LGDIR/$g.log" ||
		{ tail -n 20 "$LGDIR/$g.log" "$LGDIR/$g.err" | sed 's/^/# /'; fail "$g did not finish its loop (launcher exit $(cat "$LGDIR/$g.rc"))"; }
	[ "$(cat "$LGDIR/$g.rc")" = 0 ] || fail "$g: launcher exit status $(cat "$LGDIR/$g.rc")"
done
if ! grown $((COUNT - SLACK)); then
	grep -qw 'apic_extnmi=all' /proc/cmdline ||
		diag "no apic_extnmi=all on the command line: the monitor's NMIs reach CPU 0 only"
	fail "not every CPU's NMI count grew by $((COUNT - SLACK)) of $COUNT"
fi
[ "$(echo "$stats" | grep -c .)" = 2 ] || fail "not one log_stats line for each guest"
for n in $(echo "$stats" | sed -n 's/.*host nmis \([0-9]*\).*/\1/p'); do
	[ "$n" -ge 1 ] || fail "no NMI struck while one of the guests ran: the test proved less than it should"
done
exit 0
