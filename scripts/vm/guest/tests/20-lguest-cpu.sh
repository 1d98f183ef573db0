#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The kernel knows it is an lguest guest: paravirt banner, hypervisor flag.
dmesg | grep -q 'Booting paravirtualized kernel on lguest' ||
	{ echo "no lguest paravirt banner in dmesg"; exit 1; }
grep -q '^flags.* hypervisor' /proc/cpuinfo ||
	{ echo "no hypervisor flag in /proc/cpuinfo"; exit 1; }
grep -qw pse /proc/cpuinfo && { echo "cpuinfo offers pse to a guest"; exit 1; }
grep -q 'lguest' /sys/devices/system/clocksource/clocksource0/current_clocksource ||
	{ echo "clocksource is $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"; exit 1; }
[ -c /dev/hvc0 ] || { echo "no /dev/hvc0"; exit 1; }
exit 0
