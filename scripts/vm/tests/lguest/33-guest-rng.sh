#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# --rng gives the guest a virtio entropy source: it becomes the guest's
# current hwrng, and two reads of /dev/hwrng differ.  Without the option
# the guest has no hwrng at all.
. /tests/lib.sh
. /tests/lguest.sh
LGOPTS=--rng run_guest "$LGDIR/rng" lgguest=rng
rc=$(cat "$LGDIR/rng.rc")
grep 'rng: ' "$LGDIR/rng.log" | sed 's/^[0-9.]* /# /'
[ "$rc" = 0 ] || { sed 's/^/# /' "$LGDIR/rng.err"; fail "launcher exit status $rc"; }
grep -q 'rng: current virtio_rng' "$LGDIR/rng.log" || fail "the guest's hwrng is not virtio_rng"
s1=$(sed -n 's/.*rng: sample 1 \([0-9a-f]*\)$/\1/p' "$LGDIR/rng.log")
s2=$(sed -n 's/.*rng: sample 2 \([0-9a-f]*\)$/\1/p' "$LGDIR/rng.log")
[ ${#s1} = 64 ] && [ ${#s2} = 64 ] || fail "no 32-byte samples from /dev/hwrng ('$s1', '$s2')"
[ "$s1" != "$s2" ] || fail "two reads of /dev/hwrng gave the same bytes"

run_guest "$LGDIR/norng" lgguest=rng
grep -q 'rng: current virtio_rng' "$LGDIR/norng.log" && fail "a guest without --rng has virtio_rng"
exit 0
