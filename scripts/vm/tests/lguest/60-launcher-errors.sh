#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The launcher explains what is wrong with its arguments.
. /tests/lib.sh
. /tests/lguest.sh
modprobe tun 2>/dev/null	# for the --tunnet errors past /dev/net/tun
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
check "need 32 to 2048" 2049 "$LGKERNEL"
check "not a memory size" lots "$LGKERNEL"
check "usage:" 64
check "cannot open /nonexistent" --initrd=/nonexistent 64 "$LGKERNEL"
check "cannot open /nonexistent" --block=/nonexistent 64 "$LGKERNEL"
check "unknown flag 'rw'" --block=/etc/kernel.release,rw 64 "$LGKERNEL"
check "not a whole number of 512-byte sectors" --block=/etc/kernel.release 64 "$LGKERNEL"
check "not a file or a block device" --block=/dev/null 64 "$LGKERNEL"
check "needs a file" --block=,ro 64 "$LGKERNEL"
check "unrecognized option" --bogus 64 "$LGKERNEL"
check "user=no-such-user: " --user=no-such-user 64 "$LGKERNEL"
check "not a directory" --chroot=/nonexistent 64 "$LGKERNEL"
check "not an IPv4 address or bridge:NAME" --tunnet=300.1.2.3 64 "$LGKERNEL"
check "not mac=<unicast MAC address>" --tunnet=10.0.0.1,mac=01:00:5e:00:00:01 64 "$LGKERNEL"
check "not mac=<unicast MAC address>" --tunnet=10.0.0.1,mac=zz 64 "$LGKERNEL"
check "add the tap to the bridge" --tunnet=bridge:nosuchbr 64 "$LGKERNEL"
check "needs a file" --sharenet= 64 "$LGKERNEL"
check "not mac=<unicast MAC address>" --sharenet=/tmp/lguest/err-link,mac=ff:ff:ff:ff:ff:ff 64 "$LGKERNEL"
check "Is a directory" --sharenet=/tmp 64 "$LGKERNEL"
check "not a --sharenet file" --sharenet=/etc/kernel.release 64 "$LGKERNEL"
check "No such file or directory" --sharenet=/nonexistent/link 64 "$LGKERNEL"
exit 0
