#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A guest kernel that misprograms its disk's virtqueue (lg-vqattack.ko)
# is stopped by the launcher, which says why and exits with status 1:
# buffers outside guest RAM, wrapping or too long, chains that loop, go
# beyond the ring or exceed 4 GB, avail entries and indices beyond the
# ring, a readable buffer after a writable one, rings misaligned or
# outside RAM, a notify of no device, requests without header or status.
# Every attack, one guest each.  First the control: the module's own
# ring, well formed, is served.
LGTIMEOUT=90
. /tests/lib.sh
. /tests/lguest.sh
d=$LGDIR/vq-blk
mkdir -p "$d"
rm -f "$d/disk"
truncate -s 1M "$d/disk"
LGOPTS="--block=$d/disk"
ram=$((LGMEM * 1048576))
hex() { printf '0x%x' "$1"; }
buf='a buffer does not fit in guest memory'
ring='a ring does not fit in guest memory'

vq_served blk
vq_attack blk:addr-outside "$buf ($(hex $ram)+0x10)"
vq_attack blk:addr-high "$buf (0x1[0-9a-f]\{8\}+0x10)"
vq_attack blk:addr-wrap "$buf (0xfffffffffffff000+0x2000)"
vq_attack blk:len-huge "$buf (0x[0-9a-f]*+0xffffffff)"
vq_attack blk:len-past-ram "$buf ($(hex $((ram - 16)))+0x20)"
vq_attack blk:loop 'the guest made a buffer chain that is too long or loops'
vq_attack blk:next-beyond 'the guest chained to buffer \([0-9]*\) in a ring of \1$'
vq_attack blk:head-beyond 'the guest made buffer \([0-9]*\) available in a ring of \1$'
vq_attack blk:avail-idx 'the guest made [0-9]* buffers available in a ring of [0-9]*$'
vq_attack blk:read-after-write 'the guest put a readable buffer after a writable one'
vq_attack blk:ring-misaligned 'the guest misaligned a ring (desc 0x[0-9a-f]*8,'
vq_attack blk:ring-desc-outside "$ring ($(hex $ram)+0x"
vq_attack blk:ring-used-past "$ring ($(hex $((ram - 8)))+0x"
vq_attack blk:ring-avail-high "$ring (0xfffffffe+0x"
vq_attack blk:ring-noavail 'the guest gave no address for a ring'
vq_attack blk:notify-nodev 'the guest notified 0x[0-9a-f]*, which is no device'
vq_attack blk:blk-nohdr 'the guest sent a request without its header'
vq_attack blk:blk-nostatus 'the guest sent a request without room for its status'
# Buffers of all of RAM each until past 4 GB: 32 at 128 MB.
LGMEM=128
vq_attack blk:chain-4g 'the guest made a buffer chain of more than 4 GB'
exit 0
