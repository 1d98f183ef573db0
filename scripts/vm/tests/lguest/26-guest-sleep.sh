#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# "sleep 2" in the guest takes about 2 s of host time.
. /tests/lib.sh
. /tests/lguest.sh
guest_result sleep
b=$(grep -m1 'guest: sleep-begin' "$LGDIR/boot.log" | cut -d' ' -f1)
e=$(grep -m1 'guest: sleep-end' "$LGDIR/boot.log" | cut -d' ' -f1)
[ -n "$b" ] && [ -n "$e" ] || fail "no sleep marks in the guest's output"
d=$(echo "$b $e" | awk '{ printf "%.2f", $2 - $1 }')
diag "sleep 2 took $d s of host time"
# Open bug: guest sleeps end after ~0.05 s (guest and host clocks agree
# on that); under investigation, reported as TODO until fixed.
echo "$d" | awk '{ exit !($1 >= 1.9 && $1 <= 3.5) }' ||
	todo "sleep 2 took $d s of host time: guest sleeps end early"
exit 0
