#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest powered off and the launcher exited 0.
. /tests/lib.sh
. /tests/lguest.sh
rc=$(cat "$LGDIR/boot.rc")
[ "$rc" = 0 ] || { sed 's/^/# /' "$LGDIR/boot.err"; fail "launcher exit status $rc"; }
exit 0
