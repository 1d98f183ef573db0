#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The benchmark harness (scripts/vm/bench, 'make bench') works, and host
# exits per operation hold the targets (exit counts only, never times).
# Counted are exits less those that come with time, not with the work
# (host interrupts, and the guest's timer: its clockevent and
# interrupt-enable hypercalls and halts); the counts are the launcher's
# --stats, of a guest running the workload against one running it zero
# times.
#   syscall, int80  0: system calls reach the guest kernel through
#                   direct gates
#   ctxsw      4: a pipe round trip, two context switches (one trap each
#                 for the cr3 load; the shadows of both processes kept)
#   pagefault  2: the guest's own fault, then the shadow filled
#   fork      60, exec 120: kept shadows, flushes that resync rather than
#                 drop, faults filled with their neighbours
. /tests/lib.sh
out=$(LGBENCH="syscall:20000 int80:20000 ctxsw:2000 pagefault:8000 fork:60 exec:40" \
	/tests/bench 2>&1)
echo "$out" | grep -E '^BENCH' | sed 's/^/# /'
echo "$out" | grep -q '^BENCH-ERROR' && fail "the benchmark reported errors"
echo "$out" | grep -q '^BENCH-END$' || fail "the benchmark did not finish"
# per_op NAME: exits less host irqs and timer hypercalls per operation
# of workload NAME
per_op() {
	echo "$out" | awk -v w="$1" '$1 == "BENCH" && $2 == w { printf "%.2f", ($6 - $9 - $13) / $3 }'
}
bad=
for t in syscall:0.1 int80:0.1 ctxsw:4 pagefault:2.05 fork:60 exec:120; do
	w=${t%%:*}
	max=${t#*:}
	v=$(per_op "$w")
	[ -n "$v" ] || fail "workload $w is missing from the report"
	diag "$w: $v exits per operation (at most $max)"
	awk -v v="$v" -v m="$max" 'BEGIN { exit !(v <= m) }' || bad="$bad $w=$v"
done
[ -z "$bad" ] || fail "more exits per operation than the target:$bad"
fork=$(echo "$out" | awk '$1 == "BENCH" && $2 == "fork" { print $4, $5, $6 }')
echo "$fork" | awk '{ exit !($1 > 0 && $2 > 0 && $3 > 0) }' || fail "fork: no time or exit count ($fork)"
exit 0
