#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The /dev/lguest ABI fuzzer (lg-fuzz) with a fixed seed: 100,000 random
# and structured requests, tiny random guests, threads, fork, munmap and
# SIGKILL under running guests.  lg-fuzz checks every result against the
# ABI, VmLck, its fds and the kernel log; the tests after this one check
# that the host still boots a guest and that its log is clean.
. /tests/lib.sh
[ -c /dev/lguest ] || skip "no /dev/lguest"
seed=1
ops=100000
# Should a guest the fuzz closes log something, the log could wrap and
# lose the lines of the tests before this one to 90-host-dmesg-clean: so
# look at them now.
bad=$(dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace|general protection|refcount')
[ -z "$bad" ] || { echo "$bad" | sed 's/^/# /'; fail "the host logged trouble before the fuzz"; }
read -r t0 _ </proc/uptime
lg-fuzz $seed $ops >/tmp/lg-fuzz.log 2>&1
rc=$?
read -r t1 _ </proc/uptime
sed 's/^/# /' /tmp/lg-fuzz.log
diag "lg-fuzz $seed $ops: exit status $rc after $(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }') s"
exit $rc
