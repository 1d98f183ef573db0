#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# NMIs injected from QEMU's monitor while a guest runs a fault- and
# hypercall-heavy loop all reach the host's NMI handler (those that
# strike the guest or the switcher included), and the guest finishes its
# work undisturbed.  The rig's scripts/tools/nmi-inject sends them when
# it sees the request on the console.
. /tests/lib.sh
. /tests/lguest.sh
COUNT=40
nmis() {
	awk '$1 == "NMI:" { print $2 }' /proc/interrupts
}
before=$(nmis)
[ -n "$before" ] || fail "no NMI count in /proc/interrupts"
echo 1 >/sys/module/lg/parameters/log_stats	# for the guest's "host nmis"
echo "lguest-rig: nmi $COUNT 50" >/dev/console
run_guest "$LGDIR/nmi" lgguest=bench lgbench=pagefault:8000
rc=$(cat "$LGDIR/nmi.rc")
grep -q 'lg-bench pagefault 8000 ' "$LGDIR/nmi.log" ||
	{ tail -n 20 "$LGDIR/nmi.log" "$LGDIR/nmi.err" | sed 's/^/# /'; fail "the guest did not finish its loop (launcher exit $rc)"; }
[ "$rc" = 0 ] || fail "the launcher exited $rc"
# The injector may still be sending (a loaded build machine delays it):
# wait for all of them, a while.
i=0
while [ $(($(nmis) - before)) -lt $COUNT ] && [ $i -lt 30 ]; do
	sleep 1
	i=$((i + 1))
done
got=$(($(nmis) - before))
in_guest=$(dmesg | grep 'lguest: guest exits:' | tail -n 1 | sed -n 's/.*host nmis \([0-9]*\).*/\1/p')
diag "NMIs: $got reached the host's handler, $in_guest of them struck while the guest ran"
[ "$got" -ge $COUNT ] || fail "only $got of $COUNT NMIs reached the host"
[ -n "$in_guest" ] && [ "$in_guest" -ge 1 ] || fail "no NMI struck while the guest ran: the test proved nothing"
exit 0
