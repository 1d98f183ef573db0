#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A guest kernel that misprograms its entropy source's queue
# (lg-vqattack.ko) is stopped by the launcher, which says why and exits
# with status 1: a buffer for the device to read, buffers of 4 GB, an
# avail index beyond the ring, an avail ring at the top of the address
# space.
LGTIMEOUT=90
. /tests/lib.sh
. /tests/lguest.sh
LGOPTS=--rng

vq_attack rng:rng-readable 'the guest gave the entropy source a buffer to read'
vq_attack rng:len-huge 'a buffer does not fit in guest memory (0x[0-9a-f]*+0xffffffff)'
vq_attack rng:avail-idx 'the guest made [0-9]* buffers available in a ring of [0-9]*$'
vq_attack rng:ring-avail-high 'a ring does not fit in guest memory (0xfffffffe+0x'
vq_attack rng:indirect 'the guest made an indirect buffer, which we did not offer'
exit 0
