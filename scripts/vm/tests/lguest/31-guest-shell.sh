#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest's shell on hvc0 (what 'make run' gives the user) answers a
# command typed on the launcher's standard input once its prompt is
# there, and 'poweroff' typed there ends the guest: the launcher exits 0.
. /tests/lib.sh
. /tests/lguest.sh
in=$LGDIR/shell.in
rm -f "$in" "$LGDIR/shell.log"
mkfifo "$in"
# Type like a user: after the shell's banner, not before.
{
	i=0
	while [ $i -lt 200 ] && ! grep -q "Enter 'help'" "$LGDIR/shell.log" 2>/dev/null; do
		sleep 1
		i=$((i + 1))
	done
	printf 'echo SHELL-$((6 * 7)) $(tty)\npoweroff\n'
} >"$in" &
LGSTDIN=$in run_guest "$LGDIR/shell" lgguest=shell
wait
rc=$(cat "$LGDIR/shell.rc")
grep -q '^[0-9.]* SHELL-42 /dev/hvc0' "$LGDIR/shell.log" || {
	tail -n 20 "$LGDIR/shell.log" | sed 's/^/# /'
	fail "the guest's shell did not answer on hvc0"
}
[ "$rc" = 0 ] || { sed 's/^/# /' "$LGDIR/shell.err"; fail "poweroff in the shell: launcher exit status $rc"; }
exit 0
