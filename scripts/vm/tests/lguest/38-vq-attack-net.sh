#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A guest kernel that misprograms its network device's transmit queue
# (lg-vqattack.ko) is stopped by the launcher, which says why and exits
# with status 1: a transmit buffer for the device to write, an avail
# entry beyond the ring, a misaligned ring.  First the control: the
# module's own ring, well formed, is served.
LGTIMEOUT=90
. /tests/lib.sh
. /tests/lguest.sh
modprobe tun 2>/dev/null
[ -c /dev/net/tun ] || fail "no /dev/net/tun"
LGOPTS=--tunnet=192.168.38.1

vq_served net
vq_attack net:net-tx-writable 'the guest queued a transmit buffer for us to write'
vq_attack net:head-beyond 'the guest made buffer \([0-9]*\) available in a ring of \1$'
vq_attack net:ring-misaligned 'the guest misaligned a ring (desc 0x[0-9a-f]*8,'
vq_attack net:net-features 'the guest refused VIRTIO_F_VERSION_1'
exit 0
