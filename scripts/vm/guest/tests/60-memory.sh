#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 80% of the guest's RAM can be filled and read back intact.
grep -E '^(MemTotal|MemFree|MemAvailable):' /proc/meminfo | tr -s ' ' | tr '\n' ' '
echo
mem-fill 80 && exit 0
rc=$?
echo "mem-fill exit status $rc; the kernel said:"
dmesg | grep -iE -A3 'oom|killed process|segfault|out of memory|bad page|general protection' | tail -n 20
exit $rc
