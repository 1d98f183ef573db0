#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A guest that panics is reported with its panic message.
. /tests/lib.sh
. /tests/lguest.sh
run_guest "$LGDIR/panic" lgguest=panic
rc=$(cat "$LGDIR/panic.rc")
sed 's/^/# /' "$LGDIR/panic.err"
[ "$rc" = 1 ] || fail "launcher exit status $rc, not 1"
grep -q 'guest panic: Attempted to kill init' "$LGDIR/panic.err" ||
	fail "the launcher did not report the panic message"
exit 0
