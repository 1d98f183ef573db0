#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# --block: a guest copies a 4 MB pattern from a read-only disk to a
# writable one and syncs; the second disk's file then holds the pattern
# byte for byte, and a second guest reads it back from that disk.
. /tests/lib.sh
. /tests/lguest.sh
d=$LGDIR/blk
mkdir -p "$d"
dd if=/dev/urandom of="$d/pattern" bs=65536 count=64 2>/dev/null
rm -f "$d/disk"
truncate -s 4M "$d/disk"

LGOPTS="--block=$d/disk --block=$d/pattern,ro" run_guest "$LGDIR/blk-copy" lgguest=blk lgblk=copy
rc=$(cat "$LGDIR/blk-copy.rc")
grep 'blk: ' "$LGDIR/blk-copy.log" | sed 's/^[0-9.]* /# /'
[ "$rc" = 0 ] || { sed 's/^/# /' "$LGDIR/blk-copy.err"; fail "launcher exit status $rc"; }
grep -q 'blk: copied and synced' "$LGDIR/blk-copy.log" || fail "the guest did not copy the disk"
cmp "$d/pattern" "$d/disk" >/dev/null || fail "the disk file is not what the guest wrote"

want=$(sha256sum <"$d/pattern" | cut -d' ' -f1)
LGOPTS="--block=$d/disk" run_guest "$LGDIR/blk-read" lgguest=blk lgblk=sum
grep 'blk: ' "$LGDIR/blk-read.log" | sed 's/^[0-9.]* /# /'
grep -q "blk: vda $want ro 0" "$LGDIR/blk-read.log" ||
	fail "the second guest did not read back the pattern"
exit 0
