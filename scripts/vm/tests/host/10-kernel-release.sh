#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The VM runs the kernel this build produced, and is the i386 kernel we asked for.
. /tests/lib.sh

want=$(cat /etc/kernel.release)
got=$(uname -r)
[ "$got" = "$want" ] || fail "running $got, built $want"
[ "$(uname -m)" = i686 ] || fail "machine is $(uname -m), not i686"
grep -q '^processor' /proc/cpuinfo || fail "no /proc/cpuinfo"
n=$(grep -c '^processor' /proc/cpuinfo)
[ "$n" = 1 ] || fail "$n CPUs online; the provided config is uniprocessor"
