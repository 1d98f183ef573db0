#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# "sleep 2" in the guest takes about 2 s of host time.
. /tests/lib.sh
. /tests/lguest.sh
guest_result sleep
d=$(sleep_seconds "$LGDIR/boot.log")
diag "sleep 2 took $d s of host time"
sleep_ok "$d" || fail "sleep 2 took $d s of host time"
exit 0
