#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Console input that is there before the guest is, as from a pipe or a
# file: the launcher holds it until the guest's console takes input, and
# none of it is lost.  The commands are all in the file when the launcher
# starts; the guest's shell runs them and powers off.
. /tests/lib.sh
. /tests/lguest.sh
in=$LGDIR/shell-early.in
printf 'echo EARLY-$((6 * 7)) $(tty)\necho SECOND-$((7 * 8))\npoweroff\n' >"$in"
LGSTDIN=$in run_guest "$LGDIR/shell-early" lgguest=shell
rc=$(cat "$LGDIR/shell-early.rc")
for want in 'EARLY-42 /dev/hvc0' 'SECOND-56'; do
	grep -q "^[0-9.]* $want" "$LGDIR/shell-early.log" || {
		tail -n 20 "$LGDIR/shell-early.log" | sed 's/^/# /'
		fail "input typed before the guest was up was lost (no '$want')"
	}
done
[ "$rc" = 0 ] || { sed 's/^/# /' "$LGDIR/shell-early.err"; fail "launcher exit status $rc"; }

# The same through a pipe, with the guest's output read through one too.
printf 'echo PIPED-$((8 * 9))\npoweroff\n' | lguest --initrd="$LGINITRD" "$LGMEM" "$LGKERNEL" \
	quiet lgslow="$LGSLOW" lgguest=shell 2>"$LGDIR/shell-pipe.err" | tr -d '\r' >"$LGDIR/shell-pipe.log"
grep -q '^PIPED-72' "$LGDIR/shell-pipe.log" || {
	tail -n 20 "$LGDIR/shell-pipe.log" | sed 's/^/# /'
	fail "piped input was lost"
}
exit 0
