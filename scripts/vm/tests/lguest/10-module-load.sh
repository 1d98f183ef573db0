#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# lg.ko loads, maps its switcher and provides /dev/lguest.
. /tests/lib.sh
modprobe lg || fail "modprobe lg failed"
[ -c /dev/lguest ] || fail "no /dev/lguest"
dmesg | grep 'lguest: switcher at' | sed 's/^/# /'
dmesg | grep -q 'lguest: switcher at' || fail "no switcher message in dmesg"
exit 0
