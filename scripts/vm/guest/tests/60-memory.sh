#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 80% of the guest's RAM can be filled and read back intact.  A guest
# of make check-debug's kernel (lgslow= above 1: every checker on, which
# keeps much memory for itself) fills 90% of what it says is available.
grep -E '^(MemTotal|MemFree|MemAvailable):' /proc/meminfo | tr -s ' ' | tr '\n' ' '
echo
pct=80
if grep -qE '(^| )lgslow=([2-9]|[1-9][0-9])' /proc/cmdline; then
	pct=$(awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 } END { print int(a * 90 / t) }' /proc/meminfo)
	echo "a debug kernel: filling $pct% of MemTotal"
fi
mem-fill "$pct" && exit 0
rc=$?
echo "mem-fill exit status $rc; the kernel said:"
dmesg | grep -iE -A3 'oom|killed process|segfault|out of memory|bad page|general protection' | tail -n 20
exit $rc
