#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# On a host with kmemleak (make check-debug): 50 guests started and
# stopped, lg.ko loaded and unloaded around them, leave no leak.
. /tests/lib.sh
. /tests/lguest.sh
[ -d /sys/kernel/debug ] && mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
[ -e /sys/kernel/debug/kmemleak ] || skip "no kmemleak in this kernel (make check-debug has it)"
k=/sys/kernel/debug/kmemleak
# What leaked before (boot, earlier tests) is not ours to judge here.
echo scan >$k
echo clear >$k
modprobe lg || fail "modprobe lg failed"
# The guests are this debug kernel too: with their own debugging off
# (the host keeps all of it) each boots in a fraction of the time.
light="kmemleak=off debug_pagealloc=off slab_debug=- no_debug_objects kfence.sample_interval=0"
t0=$(date +%s)
i=0
while [ $i -lt 50 ]; do
	# shellcheck disable=SC2086
	run_guest "$LGDIR/leak" lgguest=poweroff $light
	[ "$(cat "$LGDIR/leak.rc")" = 0 ] || {
		tail -n 20 "$LGDIR/leak.log" | sed 's/^/# /'
		sed 's/^/# /' "$LGDIR/leak.err"
		fail "guest $i: launcher exit $(cat "$LGDIR/leak.rc")"
	}
	i=$((i + 1))
done
rmmod lg || fail "rmmod lg failed"
# Objects freed by RCU and the like need a moment; kmemleak wants two scans.
sleep 5
echo scan >$k
sleep 5
echo scan >$k
leaks=$(cat $k)
[ -z "$leaks" ] || { echo "$leaks" | head -n 60; fail "kmemleak reports leaks after 50 guests"; }
diag "50 guests in $(($(date +%s) - t0)) s, no leak"
exit 0
