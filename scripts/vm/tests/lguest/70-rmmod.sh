#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# lg.ko unloads once its guests are gone, and takes /dev/lguest with it.
. /tests/lib.sh
dmesg | grep 'lguest: guest exits' | sed 's/^/# /'
rmmod lg || fail "rmmod lg failed"
[ -e /dev/lguest ] && fail "/dev/lguest still exists"
exit 0
