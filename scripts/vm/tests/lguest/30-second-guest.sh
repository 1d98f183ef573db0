#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A second guest boots after the first and powers off.
. /tests/lib.sh
. /tests/lguest.sh
run_guest "$LGDIR/second" lgguest=poweroff
rc=$(cat "$LGDIR/second.rc")
grep -q 'lguest-guest: init' "$LGDIR/second.log" || fail "the second guest never ran its init"
[ "$rc" = 0 ] || { sed 's/^/# /' "$LGDIR/second.err"; fail "launcher exit status $rc"; }
exit 0
