#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The static 32-bit programs of the rig run, and the process machinery they
# exercise (fork, exec, pipes, signals) works.
. /tests/lib.sh

for p in /usr/bin/*; do
	head -c 4 "$p" | grep -q ELF || fail "$p is not an ELF program"
done
proc-check || fail "proc-check failed"
qemu-exit --probe || fail "qemu-exit cannot claim the debug-exit port"
