#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# --block=FILE,ro: the guest sees a read-only disk whose contents it can
# read, its writes fail, and the file is untouched.
. /tests/lib.sh
. /tests/lguest.sh
d=$LGDIR/blk
mkdir -p "$d"
dd if=/dev/urandom of="$d/ro" bs=65536 count=16 2>/dev/null
want=$(sha256sum <"$d/ro" | cut -d' ' -f1)

LGOPTS="--block=$d/ro,ro" run_guest "$LGDIR/blk-ro" lgguest=blk lgblk=sum
rc=$(cat "$LGDIR/blk-ro.rc")
grep 'blk: ' "$LGDIR/blk-ro.log" | sed 's/^[0-9.]* /# /'
[ "$rc" = 0 ] || { sed 's/^/# /' "$LGDIR/blk-ro.err"; fail "launcher exit status $rc"; }
grep -q "blk: vda $want ro 1" "$LGDIR/blk-ro.log" ||
	fail "the guest did not see the read-only disk's contents, read-only"
grep -q 'blk: write failed' "$LGDIR/blk-ro.log" || fail "a write to the read-only disk did not fail"
[ "$(sha256sum <"$d/ro" | cut -d' ' -f1)" = "$want" ] || fail "the read-only disk's file changed"
exit 0
