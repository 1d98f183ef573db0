#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A guest kernel that spins with its interrupts off (lg-tiny spin: "cli;
# jmp ." with its clock armed) does not take its host CPU: with the
# guest pinned on CPU 0, a host task pinned there too (lg-smp share)
# gets at least 30% of 5 s of wall time, and the host logs no RCU stall,
# soft or hard lockup.  The detectors are made quick for it (soft
# lockups and RCU stalls after 4 s; the guest spins for 6 s).  Run with
# the host's preemption mode (PREEMPT_DYNAMIC: chosen at boot), then,
# where the kernel can switch it at run time (with DEBUG_FS:
# /sys/kernel/debug/sched/preempt), with "full" and "voluntary".
. /tests/lib.sh
. /tests/lguest.sh
SHARE=5
MIN=30
[ -d /sys/kernel/debug/sched ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
pf=/sys/kernel/debug/sched/preempt
wt=/proc/sys/kernel/watchdog_thresh
rs=/sys/module/rcupdate/parameters/rcu_cpu_stall_timeout
mode0=
[ -w $pf ] && mode0=$(sed -n 's/.*(\([a-z]*\)).*/\1/p' $pf)
wt0=$(cat $wt 2>/dev/null)
rs0=$(cat $rs 2>/dev/null)
# set_knobs PREEMPT WATCHDOG_THRESH RCU_STALL: what exists of them.
set_knobs() {
	[ -z "$1" ] || echo "$1" >$pf || fail "cannot set preemption mode $1"
	[ -z "$2" ] || echo "$2" >$wt
	[ -z "$3" ] || echo "$3" >$rs
}
set_knobs "" "${wt0:+2}" "${rs0:+4}"
boot=$(dmesg | sed -n 's/.*Dynamic Preempt: //p' | tail -n 1)
diag "preemption: ${mode0:-${boot:-?}, $pf absent: no other mode this boot}; soft lockups after $(($(cat $wt 2>/dev/null || echo 5) * 2)) s; RCU stalls after $(cat $rs 2>/dev/null || echo '?') s"

# spin_share MODE: the share lg-smp share gets beside the spinning guest.
failed=
spin_share() {
	dmesg_mark "spin-$1"
	taskset 1 lg-tiny spin 60 >"$LGDIR/spin.out" 2>&1 &
	sp=$!
	# Time for the guest to reach its loop.
	sleep 1
	share=$(lg-smp share 0 $SHARE | sed 's/^# //')
	kill -9 $sp
	wait $sp 2>/dev/null
	rc=$?
	# Time for the kernel's last words, had it any.
	sleep 1
	pct=$(echo "$share" | sed -n 's/.* \([0-9]*\)%$/\1/p')
	diag "$1: $share"
	[ $rc = 137 ] || { sed 's/^/# /' "$LGDIR/spin.out"; failed="$failed $1:the-guest-stopped-early"; }
	[ -n "$pct" ] && [ "$pct" -ge $MIN ] || failed="$failed $1:share-${pct:-none}%"
	bad=$(host_trouble "spin-$1")
	[ -z "$bad" ] || { echo "$bad" | sed 's/^/# /'; failed="$failed $1:host-log"; }
}

spin_share "${mode0:-${boot:-current}}"
if [ -n "$mode0" ]; then
	for m in full voluntary; do
		set_knobs $m "" ""
		spin_share $m
	done
fi
set_knobs "$mode0" "$wt0" "$rs0"
[ -z "$failed" ] || fail "the spinning guest took its CPU or troubled the host:$failed"
exit 0
