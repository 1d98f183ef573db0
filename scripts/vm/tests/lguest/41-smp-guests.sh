#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The host is SMP and runs guests on two CPUs at once: two guests run
# the in-guest checks together, one launcher pinned to CPU 0 and the
# other to CPU 1, and both pass.  Samples of /proc/PID/task/*/stat's
# processor field show each launcher's threads only on their CPU, and
# lg.ko counts no CPU migration for either.
LGTIMEOUT=150
. /tests/lib.sh
. /tests/lguest.sh
need_cpus 2
command -v taskset >/dev/null || fail "no taskset in busybox"
# The checks' 80% fill needs it (see 20-guest-boot).
LGMEM=128
log_stats_on
dmesg_mark smp-guests
# No stale .pid or .rc of an earlier run.
rm -f "$LGDIR"/smp[01].*
(LGWRAP="taskset 1"; run_guest "$LGDIR/smp0" lgguest=test) &
(LGWRAP="taskset 2"; run_guest "$LGDIR/smp1" lgguest=test) &
pids=$(wait_pids "$LGDIR/smp0.pid" "$LGDIR/smp1.pid") || fail "a launcher did not start"
# shellcheck disable=SC2086 # two pids
set -- $pids
pid0=$1 pid1=$2

# sample PID WANT: the processor field of each of PID's threads, once;
# counts a sample on CPU WANT in $on, anywhere else in $off.
on=0 off=0 where=
sample() {
	want=$2
	for s in /proc/"$1"/task/*/stat; do
		read -r line <"$s" 2>/dev/null || continue
		# shellcheck disable=SC2086 # the fields after "pid (comm) "
		set -- ${line#*) }
		[ $# -ge 37 ] || continue
		shift 36
		cpu=$1
		if [ "$cpu" = "$want" ]; then
			on=$((on + 1))
		else
			off=$((off + 1))
			where="$where $cpu"
		fi
	done 2>/dev/null
}
while [ ! -f "$LGDIR/smp0.rc" ] || [ ! -f "$LGDIR/smp1.rc" ]; do
	[ -f "$LGDIR/smp0.rc" ] || sample "$pid0" 0
	[ -f "$LGDIR/smp1.rc" ] || sample "$pid1" 1
	sleep 0.2
done
wait
diag "thread samples: $on on their CPU, $off elsewhere${where:+ (on CPUs$where)}"
stats=$(guest_stats smp-guests)
echo "$stats" | sed 's/^/# /'
ok=1
for g in smp0 smp1; do
	rc=$(cat "$LGDIR/$g.rc")
	[ "$rc" = 0 ] || { diag "$g: launcher exit status $rc"; sed 's/^/# /' "$LGDIR/$g.err"; ok=0; }
	guest_passed "$LGDIR/$g.log" || ok=0
done
[ $ok = 1 ] || fail "a guest pinned to its CPU did not pass its checks"
[ "$on" -ge 10 ] || fail "only $on samples of the launchers' threads while they ran"
[ "$off" = 0 ] || fail "$off samples found a launcher thread off its CPU"
[ "$(echo "$stats" | grep -c .)" = 2 ] || fail "not one log_stats line for each guest"
for m in $(echo "$stats" | sed -n 's/.*cpu migrations \([0-9]*\).*/\1/p'); do
	[ "$m" = 0 ] || fail "lg.ko counted $m CPU migrations of a pinned guest"
done
exit 0
