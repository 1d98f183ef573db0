#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest's sleeps (nanosleep, clock_nanosleep, select, poll) last as
# long as asked on its clocks, and its monotonic clock never goes back.
. /tests/lib.sh
. /tests/lguest.sh
grep -E '# (clocksource|tsc):' "$LGDIR/boot.log" | sed 's/^[0-9.]* /# /'
guest_result time
exit 0
