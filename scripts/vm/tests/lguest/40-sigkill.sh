#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# SIGKILL to the launcher of a running guest leaves the host clean: the
# launcher is gone, lg.ko is no longer in use, and a new guest still runs.
. /tests/lib.sh
. /tests/lguest.sh
lguest --initrd="$LGINITRD" 64 "$LGKERNEL" lgguest=spin quiet </dev/null >"$LGDIR/kill.log" 2>&1 &
pid=$!
i=0
until grep -q 'lguest-guest: init' "$LGDIR/kill.log"; do
	i=$((i + 1))
	[ $i -gt 600 ] && { kill -9 $pid; fail "the guest did not start in 60 s"; }
	sleep 0.1
done
sleep 1
kill -9 $pid
wait $pid
rc=$?
[ $rc = 137 ] || fail "launcher exit status $rc after SIGKILL, not 137"
[ -d /proc/$pid ] && fail "launcher $pid still exists"
users=$(awk '$1 == "lg" { print $3 }' /proc/modules)
[ "$users" = 0 ] || fail "lg.ko still has $users users"
run_guest "$LGDIR/after-kill" lgguest=poweroff
[ "$(cat "$LGDIR/after-kill.rc")" = 0 ] || fail "a guest after the kill did not power off cleanly"
exit 0
