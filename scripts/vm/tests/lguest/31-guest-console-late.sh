#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest's console, hvc0, is a port its virtio console driver adds
# when the launcher answers it.  A launcher slow to answer (every thread
# but the one running the guest stopped for the guest's first 3 s: lg-smp
# stall) must not cost the guest its console: init still opens
# /dev/console and prints there, and the guest powers off.
. /tests/lib.sh
. /tests/lguest.sh
LGWRAP="lg-smp stall 3"
run_guest "$LGDIR/late" lgguest=poweroff
unset LGWRAP
rc=$(cat "$LGDIR/late.rc")
grep -E '^[0-9.]+ # ' "$LGDIR/late.log" | sed 's/^[0-9.]* /# /'
if grep -q 'unable to open an initial console' "$LGDIR/late.log"; then
	fail "the guest's init had no console: $(grep -m1 'unable to open' "$LGDIR/late.log")"
fi
grep -q 'lguest-guest: init' "$LGDIR/late.log" ||
	{ tail -n 20 "$LGDIR/late.log" | sed 's/^/# /'; fail "the guest's init printed nothing on its console"; }
grep -q 'stopped thread' "$LGDIR/late.log" ||
	fail "lg-smp stall stopped none of the launcher's threads"
[ "$rc" = 0 ] || { sed 's/^/# /' "$LGDIR/late.err"; fail "launcher exit status $rc"; }
exit 0
