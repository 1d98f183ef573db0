#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Modules load and unload: tun is built as a module in the provided config.
. /tests/lib.sh

mod=tun
[ -d /sys/module/$mod ] && fail "$mod is loaded before the test"
modprobe $mod || fail "modprobe $mod failed"
[ -d /sys/module/$mod ] || fail "$mod not in /sys/module after modprobe"
grep -q "^$mod " /proc/modules || fail "$mod not in /proc/modules"
[ -c /dev/net/tun ] || fail "/dev/net/tun did not appear"
rmmod $mod || fail "rmmod $mod failed"
[ -d /sys/module/$mod ] && fail "$mod still in /sys/module after rmmod"
[ -e /dev/net/tun ] && fail "/dev/net/tun still present after rmmod"
exit 0
