#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# After all the guests, the host's log has no warning, bug or oops.
. /tests/lib.sh
bad=$(dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace|general protection|refcount|UBSAN|kmemleak: [0-9]+ new')
[ -z "$bad" ] || { echo "$bad" | sed 's/^/# /'; fail "the host logged trouble"; }
exit 0
