#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# --sharenet=FILE: the guests of launchers given the same file share a
# link, with no tap, bridge or host IP stack in between.  Guest A
# listens; guest B starts sending it 256 MB and is killed midway; guest C
# then takes B's free port, pings A and sends it 16 MB, checked by hash
# on both ends.  A outlives B's death, and the host has no tap.
. /tests/lib.sh
. /tests/lguest.sh
d=$LGDIR/share
mkdir -p "$d"
rm -f "$d/link"
link=--sharenet=$d/link
cut=$((60 * LGSLOW))
t=$((600 * LGSLOW))
LGOPTS=$link run_guest "$LGDIR/share-a" lgguest=net lgnet=recv lgip=10.0.9.1 \
	lgports=5001:$cut,5003:$t &
ap=$!
LGOPTS=$link run_guest "$LGDIR/share-b" lgguest=net lgnet=send lgip=10.0.9.2 \
	lgpeer=10.0.9.1 lgport=5001 lgbytes=268435456 &
bp=$!
# B is killed once its transfer has run for a few seconds.
i=0
while ! grep -q 'net: ping' "$LGDIR/share-b.log" 2>/dev/null && [ $i -lt $((120 * LGSLOW)) ]; do
	sleep 1
	i=$((i + 1))
done
grep -q 'net: ping ok' "$LGDIR/share-b.log" ||
	{ kill $ap $bp; tail -n 5 "$LGDIR/share-b.log" | sed 's/^/# /'; fail "guest B cannot ping guest A"; }
# (Not long: 256 MB take B about 5 s on an SMP host.)
sleep 2
b=$(launcher_pids lgip=10.0.9.2)
[ -n "$b" ] || fail "guest B's launcher was not running"
# shellcheck disable=SC2086 # one pid, or several
kill -KILL $b
wait $bp
ls /sys/class/net | grep -q lgtap && fail "a tap appeared: $(ls /sys/class/net | tr '\n' ' ')"

LGOPTS=$link run_guest "$LGDIR/share-c" lgguest=net lgnet=send lgip=10.0.9.3 \
	lgpeer=10.0.9.1 lgport=5003
wait $ap
for x in a b c; do
	grep 'net: ' "$LGDIR/share-$x.log" | sed "s/^[0-9.]* /# $x: /"
done
[ "$(cat "$LGDIR/share-b.rc")" = 137 ] || fail "guest B's launcher was not killed"
for x in a c; do
	rc=$(cat "$LGDIR/share-$x.rc")
	[ "$rc" = 0 ] || { sed "s/^/# $x: /" "$LGDIR/share-$x.err"; fail "guest $x: launcher exit status $rc"; }
done
grep -q 'net: ping ok' "$LGDIR/share-c.log" || fail "guest C cannot ping guest A"
grep -q 'net: 5001 .*received 268435456 ' "$LGDIR/share-a.log" &&
	fail "guest B's transfer was not cut"

# "lg-net: sent|received N bytes fnv H in T ms": N H
xfer() { sed -n "s/.*lg-net: $1 \([0-9]*\) bytes fnv \([0-9a-f]*\) in \([0-9]*\) ms.*/\1 \2 \3/p" "$2"; }
sent=$(xfer sent "$LGDIR/share-c.log")
grep 'net: 5003 ' "$LGDIR/share-a.log" >"$d/a5003"
got=$(xfer received "$d/a5003")
diag "guest to guest: $(echo "$got" | awk '{ if ($3 > 0) printf "%.1f MB/s", $1 / 1048576 / ($3 / 1000) }')"
[ -n "$sent" ] && [ "${sent% *}" = "${got% *}" ] && [ "${sent%% *}" = 16777216 ] ||
	fail "guest C to guest A: sent '$sent', received '$got'"
exit 0
