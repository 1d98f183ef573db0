#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# An ext2 image made and filled in this host mounts in a guest, and a
# guest boots from it with root=/dev/vda and no initrd (the seed's
# 'lguest --block=rootfs.img 64 vmlinux root=/dev/vda').
. /tests/lib.sh
. /tests/lguest.sh
d=$LGDIR/blk
root_image "$d/root.img" "$d/mnt"
echo "hello from the host" >"$d/mnt/hello"
cat >"$d/mnt/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
echo "lguest-root: $(/bin/busybox cat /hello); / is $(/bin/busybox awk '$2 == "/" { print $1, $3 }' /proc/mounts)"
/bin/busybox poweroff -f
INIT
chmod 755 "$d/mnt/init"
umount "$d/mnt" || fail "cannot unmount the image"

LGOPTS="--block=$d/root.img" run_guest "$LGDIR/blk-mount" lgguest=blk lgblk=mount
grep 'blk: ' "$LGDIR/blk-mount.log" | sed 's/^[0-9.]* /# /'
grep -q 'blk: mounted hello from the host' "$LGDIR/blk-mount.log" ||
	{ sed 's/^/# /' "$LGDIR/blk-mount.err"; fail "the guest did not mount the image"; }

LGINITRD='' LGOPTS="--block=$d/root.img" run_guest "$LGDIR/blk-root" root=/dev/vda init=/init
rc=$(cat "$LGDIR/blk-root.rc")
grep 'lguest-root: ' "$LGDIR/blk-root.log" | sed 's/^[0-9.]* /# /'
[ "$rc" = 0 ] || { tail -n 5 "$LGDIR/blk-root.log" "$LGDIR/blk-root.err" | sed 's/^/# /'; fail "launcher exit status $rc"; }
grep -q 'lguest-root: hello from the host; / is /dev/root ext[24]' "$LGDIR/blk-root.log" ||
	fail "the guest did not boot from the disk"
exit 0
