#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /dev is a devtmpfs populated by the kernel: the initramfs carries only
# /dev/console, so every other node here was created by devtmpfs.
. /tests/lib.sh

awk '$2 == "/dev" && $3 == "devtmpfs" { found = 1 } END { exit !found }' /proc/mounts ||
	fail "/dev is not a devtmpfs mount"
for n in null zero ttyS0 tty; do
	[ -c /dev/$n ] || fail "/dev/$n is missing or not a character device"
done
[ "$(head -c 4 /dev/zero | od -An -tx1 | tr -d ' ')" = 00000000 ] ||
	fail "/dev/zero does not read zeros"
echo x >/dev/null || fail "cannot write /dev/null"
