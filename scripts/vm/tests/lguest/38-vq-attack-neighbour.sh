#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A guest the launcher stops for misprogramming its disk's queue leaves
# another guest, running at the same time with a disk and an entropy
# source of its own, undisturbed: afterwards its shell still answers a
# command that reads its disk and its entropy source, and it powers off
# cleanly (its launcher says nothing and exits 0).
LGTIMEOUT=90
. /tests/lib.sh
. /tests/lguest.sh
d=$LGDIR/vq-neighbour
mkdir -p "$d"
rm -f "$d/innocent" "$d/attacked" "$d/go" "$d/innocent.in"
truncate -s 1M "$d/innocent"
truncate -s 1M "$d/attacked"
mkfifo "$d/innocent.in"
log=$d/innocent.log
err=$d/innocent.err

# What we type into the innocent guest's shell, once told to go.
{
	i=0
	while [ ! -f "$d/go" ] && [ $i -lt $((1200 * LGSLOW)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	# shellcheck disable=SC2016 # for the guest's shell to expand
	printf '%s\npoweroff\n' 'echo NB-$(($(dd if=/dev/vda bs=512 count=1 2>/dev/null | wc -c)))-$(($(dd if=/dev/hwrng bs=8 count=1 2>/dev/null | wc -c)))'
} >"$d/innocent.in" &
typist=$!
lguest --initrd="$LGINITRD" --block="$d/innocent" --rng "$LGMEM" "$LGKERNEL" lgguest=shell \
	quiet <"$d/innocent.in" >"$log" 2>"$err" &
pid=$!
# Whatever happens, neither outlives the test.
trap 'kill -9 $pid $typist 2>/dev/null' EXIT
i=0
until grep -q "Enter 'help'" "$log"; do
	i=$((i + 1))
	if [ $i -gt $((600 * LGSLOW)) ] || ! kill -0 $pid 2>/dev/null; then
		sed 's/^/# /' "$err"
		fail "the innocent guest's shell did not start"
	fi
	sleep 0.1
done

LGOPTS="--block=$d/attacked" vq_attack blk:loop \
	'the guest made a buffer chain that is too long or loops'
if ! kill -0 $pid 2>/dev/null; then
	wait $pid
	rc=$?
	sed 's/^/# /' "$err"
	fail "the innocent guest ended (launcher exit status $rc) with its neighbour"
fi

: >"$d/go"
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt $((600 * LGSLOW)) ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 $pid 2>/dev/null; then
	tail -n 5 "$log" | sed 's/^/# /'
	fail "the innocent guest did not power off after its commands"
fi
wait $pid
rc=$?
grep -q '^NB-512-8' "$log" || {
	tail -n 10 "$log" | sed 's/^/# /'
	fail "the innocent guest did not read its disk and entropy source afterwards"
}
[ $rc = 0 ] || { sed 's/^/# /' "$err"; fail "the innocent guest's launcher exit status $rc, not 0"; }
if [ -s "$err" ]; then
	sed 's/^/# /' "$err"
	fail "the innocent guest's launcher complained"
fi
exit 0
