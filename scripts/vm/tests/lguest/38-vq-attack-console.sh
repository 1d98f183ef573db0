#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A guest kernel that misprograms its console's output queue
# (lg-vqattack.ko) is stopped by the launcher, which says why and exits
# with status 1: a buffer outside guest RAM, a chain that loops, a ring
# without an avail address, a notify of no device.  First the control:
# the module's own ring, well formed, is served.
LGTIMEOUT=90
. /tests/lib.sh
. /tests/lguest.sh
ram=$((LGMEM * 1048576))

vq_served console
grep -q 'vqattack: the launcher served our buffer' "$LGDIR/vq-console-none.log" ||
	fail "console:none: the module's buffer did not reach the launcher's output"
vq_attack console:addr-outside "a buffer does not fit in guest memory ($(printf 0x%x $ram)+0x10)"
vq_attack console:loop 'the guest made a buffer chain that is too long or loops'
vq_attack console:ring-noavail 'the guest gave no address for a ring'
vq_attack console:notify-nodev 'the guest notified 0x[0-9a-f]*, which is no device'
exit 0
