#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# With lg.use_tsc=0 (what a host that cannot calibrate its TSC does by
# itself) the guest keeps time with the host's clock from lguest_data:
# it boots, its sleeps last as long as asked, and it powers off.
. /tests/lib.sh
. /tests/lguest.sh
rmmod lg || fail "rmmod lg failed (a guest still running?)"
modprobe lg use_tsc=0 || fail "modprobe lg use_tsc=0 failed"
run_guest "$LGDIR/hostclock" lgguest=time
rc=$(cat "$LGDIR/hostclock.rc")
rmmod lg && modprobe lg || fail "cannot reload lg with its defaults"
log="$LGDIR/hostclock.log"
grep -q 'lguest-guest: init' "$log" || { tail -n 30 "$log" | sed 's/^/# /'; fail "the guest never ran its init"; }
grep -E '# (clocksource|tsc):' "$log" | sed 's/^[0-9.]* /# /'
grep -q 'clocksource: lguest' "$log" || fail "the guest's clocksource is not lguest"
grep -q '# tsc: no' "$log" || fail "the guest was offered the TSC as its clock despite lg.use_tsc=0"
guest_result time "$log"
d=$(sleep_seconds "$log")
diag "sleep 2 took $d s of host time"
sleep_ok "$d" || fail "sleep 2 took $d s of host time"
[ "$rc" = 0 ] || { sed 's/^/# /' "$LGDIR/hostclock.err"; fail "launcher exit status $rc"; }
exit 0
