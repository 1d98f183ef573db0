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
want=$(sed -n 's/.*lgcpus=\([0-9]*\).*/\1/p' /proc/cmdline)
[ -n "$want" ] || fail "no lgcpus= on the command line (scripts/boot sets it)"
[ "$n" = "$want" ] || fail "$n CPUs online; QEMU was given $want (the provided config is SMP)"
diag "$n CPUs online; $(dmesg | grep -o 'Dynamic Preempt: .*' | head -n 1)"
