#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The benchmark harness (scripts/vm/bench, 'make bench') works: a short
# run reports every workload, and a guest's system call costs a host
# exit (every trap of a guest process goes through the host).  Counted
# are the exits that are neither page faults, hypercalls nor host
# interrupts: traps.  Two boots of a guest differ by thousands of page
# faults and host interrupts under the debug kernel (make check-debug),
# so the total would swing by more than the 5% allowed; the traps of
# the two boots differ by a few hundred.
. /tests/lib.sh
out=$(LGBENCH="syscall:40000 fork:20" /tests/bench 2>&1)
echo "$out" | grep -E '^BENCH' | sed 's/^/# /'
echo "$out" | grep -q '^BENCH-ERROR' && fail "the benchmark reported errors"
echo "$out" | grep -q '^BENCH-END$' || fail "the benchmark did not finish"
sys=$(echo "$out" | awk '$1 == "BENCH" && $2 == "syscall" { print $6 - $7 - $8 - $9 }')
fork=$(echo "$out" | awk '$1 == "BENCH" && $2 == "fork" { print $4, $5, $6 }')
[ -n "$sys" ] && [ -n "$fork" ] || fail "a workload is missing from the report"
diag "40000 guest system calls: $sys trap exits"
[ "$sys" -ge 38000 ] || fail "40000 guest system calls cost only $sys trap exits"
echo "$fork" | awk '{ exit !($1 > 0 && $2 > 0 && $3 > 0) }' || fail "fork: no time or exit count ($fork)"
exit 0
