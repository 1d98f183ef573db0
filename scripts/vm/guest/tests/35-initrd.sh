#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The initrd is used where the launcher put it, in RAM, as a boot loader
# places it, not copied: a kernel copies an initrd it finds outside its
# RAM, and that copy is a boot allocation kmemleak keeps scanning after
# it is freed (with DEBUG_PAGEALLOC, an oops in the guest).
if dmesg | grep -q 'Move RAMDISK'; then
	dmesg | grep RAMDISK
	exit 1
fi
exit 0
