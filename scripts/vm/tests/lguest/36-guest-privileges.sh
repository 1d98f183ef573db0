#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# --user and --chroot: the launcher runs as the user, in the directory,
# from before the guest's first instruction, and still serves the disk
# it opened before (a file that user cannot open).
. /tests/lib.sh
. /tests/lguest.sh
grep -q '^lgtest:' /etc/passwd 2>/dev/null ||
	echo 'lgtest:x:4321:4321:lguest test:/:/bin/false' >>/etc/passwd
d=$LGDIR/priv
mkdir -p "$d/empty"
dd if=/dev/urandom of="$d/disk" bs=65536 count=4 2>/dev/null
chmod 600 "$d/disk"
want=$(sha256sum <"$d/disk" | cut -d' ' -f1)

lguest --user=lgtest --chroot="$d/empty" --block="$d/disk" --initrd="$LGINITRD" \
	"$LGMEM" "$LGKERNEL" quiet lgslow="$LGSLOW" lgguest=blk lgblk=sum \
	</dev/null >"$d/log" 2>"$d/err" &
pid=$!
# The launcher drops its privileges before the guest's first instruction
# and runs for the whole boot after that: look while it lives.
uid='' root=''
i=0
while [ $i -lt $((1200 * LGSLOW)) ] && kill -0 $pid 2>/dev/null; do
	uid=$(awk '$1 == "Uid:" { print $2, $3 }' "/proc/$pid/status" 2>/dev/null)
	root=$(readlink "/proc/$pid/root")
	[ "$uid" = "4321 4321" ] && break
	sleep 0.1
	i=$((i + 1))
done
wait $pid
rc=$?
grep 'blk: ' "$d/log" | sed 's/^/# /'
diag "launcher uid (real, effective): $uid; root: $root"
[ $rc = 0 ] || { sed 's/^/# /' "$d/err"; fail "launcher exit status $rc"; }
[ "$uid" = "4321 4321" ] || fail "the launcher did not run as lgtest"
[ "$root" = "$d/empty" ] || fail "the launcher's root is not $d/empty"
grep -q "blk: vda $want" "$d/log" || fail "the guest did not read its disk after the launcher dropped its privileges"
exit 0
