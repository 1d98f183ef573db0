#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Nothing so far made the kernel complain.  Runs last in its suite.
. /tests/lib.sh

bad=$(dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace|cut here|general protection|segfault at|Kernel panic')
[ -z "$bad" ] || fail "kernel log has: $(echo "$bad" | head -n 3)"
