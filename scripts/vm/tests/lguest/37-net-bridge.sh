#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# --tunnet=bridge:NAME,mac=MAC: the launcher's tap joins a bridge of
# this host; the guest has the MAC asked for and pings the bridge's
# address.
. /tests/lib.sh
. /tests/lguest.sh
modprobe tun 2>/dev/null
brctl addbr lgbr0 2>/dev/null
ifconfig lgbr0 192.168.20.1 netmask 255.255.255.0 up || fail "cannot set up bridge lgbr0"
LGOPTS=--tunnet=bridge:lgbr0,mac=52:54:00:12:34:56 run_guest "$LGDIR/net-bridge" lgguest=net \
	lgip=192.168.20.2 lgpeer=192.168.20.1
log=$LGDIR/net-bridge.log
grep 'net: ' "$log" | sed 's/^[0-9.]* /# /'
rc=$(cat "$LGDIR/net-bridge.rc")
ifconfig lgbr0 down
brctl delbr lgbr0
[ "$rc" = 0 ] || { sed 's/^/# /' "$LGDIR/net-bridge.err"; fail "launcher exit status $rc"; }
grep -q 'net: mac 52:54:00:12:34:56' "$log" || fail "the guest does not have the MAC asked for"
grep -q 'net: ping ok' "$log" || fail "the guest cannot ping the bridge"
exit 0
