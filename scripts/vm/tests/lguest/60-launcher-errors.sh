#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The launcher explains what is wrong with its arguments.
. /tests/lib.sh
. /tests/lguest.sh
check() {	# check EXPECTED-TEXT ARGS...
	want=$1
	shift
	out=$(lguest "$@" </dev/null 2>&1)
	rc=$?
	diag "lguest $*: $out"
	[ $rc != 0 ] || fail "lguest $* exited 0"
	echo "$out" | grep -q "$want" || fail "lguest $*: no '$want' in its message"
}
check "cannot open /nonexistent" 64 /nonexistent
check "neither an ELF vmlinux nor a bzImage" 64 /etc/kernel.release
check "need 32 to" 8 "$LGKERNEL"
check "not a memory size" lots "$LGKERNEL"
check "usage:" 64
check "cannot open /nonexistent" --initrd=/nonexistent 64 "$LGKERNEL"
exit 0
