#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Sleeping 300 ms through nanosleep, clock_nanosleep (relative on both
# clocks, absolute), select and poll each takes 300 ms of the guest's
# monotonic and realtime clocks, and the monotonic clock never goes back.
echo "clocksource: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
# The TSC as a clock (the instruction is always there).
grep -qw tsc /sys/devices/system/clocksource/clocksource0/available_clocksource &&
	echo "tsc: yes" || echo "tsc: no"
exec time-check 300
