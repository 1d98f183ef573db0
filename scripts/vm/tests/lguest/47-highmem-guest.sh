#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest memory in the host's high memory: the host has some (HighTotal),
# and a guest that fills 80% of its RAM (of the in-guest checks, memory
# and dmesg-clean only) has pages pinned there, as lg.ko's log_stats
# line counts them ("pages pinned N (highmem M)", M > 0, N most of its
# RAM); its checks pass.
LGTIMEOUT=150
. /tests/lib.sh
. /tests/lguest.sh
# As the boot test's guest, most of it filled.
LGMEM=128
high=$(awk '$1 == "HighTotal:" { print $2 }' /proc/meminfo)
[ -n "$high" ] && [ "$high" -gt 0 ] || fail "the host has no high memory (HighTotal ${high:-missing})"
diag "host: $(grep -E '^(HighTotal|HighFree|LowTotal|LowFree):' /proc/meminfo | tr -s ' ' | tr '\n' ' ')"
log_stats_on
dmesg_mark highmem
run_guest "$LGDIR/highmem" lgguest=test lgchecks=memory,dmesg-clean
rc=$(cat "$LGDIR/highmem.rc")
line=$(guest_stats highmem)
diag "$line"
[ "$rc" = 0 ] || { sed 's/^/# /' "$LGDIR/highmem.err"; fail "launcher exit status $rc"; }
guest_passed "$LGDIR/highmem.log" || fail "the guest did not pass its checks"
[ -n "$line" ] || fail "no log_stats line for the guest"
pinned=$(stat_field "pages pinned" "$line")
hm=$(stat_field "(highmem" "$line")
[ -n "$pinned" ] && [ -n "$hm" ] || fail "no pinned page counts in the log_stats line"
[ "$pinned" -ge $((LGMEM * 256 * 7 / 10)) ] ||
	fail "only $pinned of the guest's $((LGMEM * 256)) pages pinned: it did not touch most of its memory"
[ "$hm" -gt 0 ] || fail "none of the $pinned pinned pages in high memory"
exit 0
