#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A host CPU goes offline under a running guest and comes back: the
# launcher's threads move to another CPU, the guest runs on there (with
# that CPU's switcher pages), then runs on the returned CPU again, and
# finishes its in-guest checks.  lg.ko set up every possible CPU's pages
# and GDT when it loaded; a CPU coming back online keeps them.
. /tests/lib.sh
. /tests/lguest.sh
online=/sys/devices/system/cpu/cpu1/online
[ -w "$online" ] || skip "CPU 1 cannot go offline here"
[ "$(cat $online)" = 1 ] || fail "CPU 1 is not online to begin with"
# pin_launchers CPU: every thread of the test's launcher to CPU.
pin_launchers() {
	for pid in $(launcher_pids lghotplug); do
		taskset -a -p -c "$1" "$pid" >/dev/null 2>&1
	done
}
LGMEM=128 run_guest "$LGDIR/hotplug" lgguest=test lghotplug &
runner=$!
i=0
until grep -q 'lguest-guest: init' "$LGDIR/hotplug.log" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 600 ] && { echo 1 >$online; fail "the guest did not start in 60 s"; }
	sleep 0.1
done
# On CPU 1, then allowed both: the offline moves them (a task allowed
# only the CPU going away is moved too, with a warning in dmesg).
pin_launchers 1
sleep 1
pin_launchers 0-1
echo 0 >$online || fail "CPU 1 did not go offline"
[ "$(cat $online)" = 0 ] || fail "CPU 1 still online"
sleep 2
for pid in $(launcher_pids lghotplug); do
	cpu=$(awk '{ print $39 }' "/proc/$pid/stat")
	[ "$cpu" != 1 ] || { echo 1 >$online; fail "launcher $pid still on the offline CPU"; }
done
echo 1 >$online || fail "CPU 1 did not come back online"
pin_launchers 1
sleep 1
seen=
for pid in $(launcher_pids lghotplug); do
	seen="$seen $(awk '{ print $39 }' "/proc/$pid/stat")"
done
diag "launcher on CPU$seen after CPU 1 came back"
pin_launchers 0-1
wait $runner
rc=$(cat "$LGDIR/hotplug.rc")
grep -q '^[0-9.]* guest: done' "$LGDIR/hotplug.log" || {
	tail -n 30 "$LGDIR/hotplug.log" | sed 's/^/# /'
	fail "the guest did not finish its checks across the hotplug (launcher exit $rc)"
}
if grep '^[0-9.]* guest: not ok' "$LGDIR/hotplug.log" | sed 's/^[0-9.]* /# /' | grep .; then
	fail "in-guest checks failed across the hotplug"
fi
[ "$rc" = 0 ] || { sed 's/^/# /' "$LGDIR/hotplug.err"; fail "launcher exit status $rc"; }
exit 0
