#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest's kernel log has no warning, bug or oops.
bad=$(dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace|general protection')
[ -z "$bad" ] || { echo "$bad"; exit 1; }
exit 0
