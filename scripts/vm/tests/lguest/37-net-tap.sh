#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# --tunnet=IP: the guest's eth0 reaches this host through a tap with
# address IP: it pings the host, sends it 16 MB over TCP and receives 16
# MB from it, each checked by its hash on both ends.  Its MAC is the
# stable default (02:4c:...).
. /tests/lib.sh
. /tests/lguest.sh
modprobe tun 2>/dev/null
[ -c /dev/net/tun ] || fail "no /dev/net/tun"
d=$LGDIR/net
mkdir -p "$d"
t=$((600 * LGSLOW))
lg-net recv 5001 $t >"$d/host-recv" 2>&1 &
rp=$!
lg-net send 192.168.19.2 5002 16777216 11 $t >"$d/host-send" 2>&1 &
sp=$!
LGOPTS=--tunnet=192.168.19.1 run_guest "$LGDIR/net-tap" lgguest=net lgnet=all \
	lgip=192.168.19.2 lgpeer=192.168.19.1
kill $rp $sp 2>/dev/null
wait $rp $sp
log=$LGDIR/net-tap.log
grep 'net: ' "$log" | sed 's/^[0-9.]* /# /'
sed 's/^/# host: /' "$d/host-recv" "$d/host-send"
rc=$(cat "$LGDIR/net-tap.rc")
[ "$rc" = 0 ] || { sed 's/^/# /' "$LGDIR/net-tap.err"; fail "launcher exit status $rc"; }
grep -q 'net: mac 02:4c:' "$log" || fail "the guest's MAC is not the default"
grep -q 'net: ping ok' "$log" || fail "the guest cannot ping the host"

# "lg-net: sent|received N bytes fnv H in T ms": N H
xfer() { sed -n "s/.*lg-net: $1 \([0-9]*\) bytes fnv \([0-9a-f]*\) in \([0-9]*\) ms.*/\1 \2 \3/p" "$2"; }
rate() { echo "$1" | awk '{ if ($3 > 0) printf "%.1f MB/s", $1 / 1048576 / ($3 / 1000) }'; }
gs=$(xfer sent "$log")
hr=$(xfer received "$d/host-recv")
hs=$(xfer sent "$d/host-send")
gr=$(xfer received "$log")
diag "guest to host: $(rate "$hr"); host to guest: $(rate "$gr")"
[ -n "$gs" ] && [ "${gs% *}" = "${hr% *}" ] && [ "${gs%% *}" = 16777216 ] ||
	fail "guest to host: sent '$gs', received '$hr'"
[ -n "$hs" ] && [ "${hs% *}" = "${gr% *}" ] && [ "${hs%% *}" = 16777216 ] ||
	fail "host to guest: sent '$hs', received '$gr'"
exit 0
