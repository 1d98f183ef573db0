#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The seed's own example, as it stands:
#   lguest --tunnet=192.168.19.1 --block=rootfs.img 64 vmlinux root=/dev/vda
# rootfs.img is an ext2 image made here, whose /sbin/init brings eth0 up,
# pings this host through the tap, writes a file to its root and powers
# off; the file is then in the image.
. /tests/lib.sh
. /tests/lguest.sh
modprobe tun 2>/dev/null
d=$LGDIR/seed
root_image "$d/rootfs.img" "$d/mnt"
cat >"$d/mnt/sbin/init" <<'INIT'
#!/bin/busybox sh
b=/bin/busybox
$b mount -t proc proc /proc
$b mount -o remount,rw /
$b ifconfig eth0 192.168.19.2 netmask 255.255.255.0 up
if $b ping -c 3 -W 20 192.168.19.1 >/dev/null 2>&1; then
	echo "seed: ping ok"
else
	echo "seed: ping failed"
fi
echo "seed: / is $($b awk '$2 == "/" { print $1, $3 }' /proc/mounts)"
echo "written by the guest" >/from-guest
$b sync
$b poweroff -f
INIT
chmod 755 "$d/mnt/sbin/init"
umount "$d/mnt" || fail "cannot unmount the image"

LGINITRD='' LGOPTS="--tunnet=192.168.19.1 --block=$d/rootfs.img" run_guest "$LGDIR/seed" \
	root=/dev/vda
rc=$(cat "$LGDIR/seed.rc")
grep 'seed: ' "$LGDIR/seed.log" | sed 's/^[0-9.]* /# /'
[ "$rc" = 0 ] || { tail -n 5 "$LGDIR/seed.log" "$LGDIR/seed.err" | sed 's/^/# /'; fail "launcher exit status $rc"; }
grep -q 'seed: / is /dev/root ext[24]' "$LGDIR/seed.log" || fail "the guest's root is not the disk"
grep -q 'seed: ping ok' "$LGDIR/seed.log" || fail "the guest cannot ping the host through the tap"
mount -o loop,ro "$d/rootfs.img" "$d/mnt" || fail "cannot mount the image again"
got=$(cat "$d/mnt/from-guest" 2>/dev/null)
umount "$d/mnt"
[ "$got" = "written by the guest" ] || fail "the guest's file is not in the image ('$got')"
exit 0
