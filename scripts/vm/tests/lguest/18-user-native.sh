#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest user space sees the CPU as native user space does: user-cpu's
# probes (faults, traps, int n, segment loads, port I/O with ioperm and
# iopl, single-stepping, ptrace hardware breakpoints, LDT segments, bad
# sigreturns and stacks) give the same transcript natively on this host
# and in a guest of the same kernel.
. /tests/lib.sh
. /tests/lguest.sh
# On CPU 0, as the guest's only CPU is: the vDSO's getcpu segment (GDT
# entry 28) has the CPU number as its limit.
taskset -c 0 user-cpu >"$LGDIR/user-cpu.native" 2>&1 || fail "user-cpu failed natively"
run_guest "$LGDIR/user-cpu" lgguest=usercpu
sed -n 's/^[0-9.]* user-cpu| //p' "$LGDIR/user-cpu.log" >"$LGDIR/user-cpu.guest"
grep -q 'user-cpu: done' "$LGDIR/user-cpu.log" || {
	tail -n 20 "$LGDIR/user-cpu.log" | sed 's/^/# /'
	sed 's/^/# /' "$LGDIR/user-cpu.err"
	fail "the guest did not finish user-cpu"
}
total=$(grep -c ': ' "$LGDIR/user-cpu.native")
diag "$(tail -n 1 "$LGDIR/user-cpu.native" | sed 's/^# //') natively, $(tail -n 1 "$LGDIR/user-cpu.guest" | sed 's/^# //') in the guest"
# What lguest does not make native (lguest.rst, "What guest user space
# sees"), by probe name: these may differ, and say so; any other
# difference fails.  None at present.
known=""
# EFLAGS.VIF and VIP (bits 19 and 20) are not compared: on the SMP host
# (QEMU, 4 CPUs, Broadwell) native user space has VIF set after the
# sigreturn probes and the guest does not; since system calls reach
# the guest kernel through a direct gate, the guest shows VIP there.
# Neither is state a probe asked for, neither does anything with CR4's
# VME and PVI off (Linux clears them, and so the guest's CR4), and where
# they come from is not understood yet (issue 12's and 13's notes).
novif() {
	sed -E 's/(eflags 0x[0-9a-f]*)8([0-9a-f]{4})( |$)/\10\2\3/; s/(eflags 0x[0-9a-f]*)9([0-9a-f]{4})( |$)/\11\2\3/
		s/(eflags 0x[0-9a-f]*)a([0-9a-f]{4})( |$)/\12\2\3/; s/(eflags 0x[0-9a-f]*)b([0-9a-f]{4})( |$)/\13\2\3/
		s/(eflags 0x[0-9a-f]*)c([0-9a-f]{4})( |$)/\14\2\3/; s/(eflags 0x[0-9a-f]*)d([0-9a-f]{4})( |$)/\15\2\3/
		s/(eflags 0x[0-9a-f]*)e([0-9a-f]{4})( |$)/\16\2\3/; s/(eflags 0x[0-9a-f]*)f([0-9a-f]{4})( |$)/\17\2\3/
		s/(eflags 0x[0-9a-f]*)1([0-9a-f]{5})( |$)/\10\2\3/; s/(eflags 0x[0-9a-f]*)3([0-9a-f]{5})( |$)/\12\2\3/
		s/(eflags 0x[0-9a-f]*)5([0-9a-f]{5})( |$)/\14\2\3/; s/(eflags 0x[0-9a-f]*)7([0-9a-f]{5})( |$)/\16\2\3/
		s/(eflags 0x[0-9a-f]*)9([0-9a-f]{5})( |$)/\18\2\3/; s/(eflags 0x[0-9a-f]*)b([0-9a-f]{5})( |$)/\1a\2\3/
		s/(eflags 0x[0-9a-f]*)d([0-9a-f]{5})( |$)/\1c\2\3/; s/(eflags 0x[0-9a-f]*)f([0-9a-f]{5})( |$)/\1e\2\3/
		s/eflags 0x0+([0-9a-f])/eflags 0x\1/' "$1" >"$1.novif"
	mv "$1.novif" "$1"
}
novif "$LGDIR/user-cpu.native"
novif "$LGDIR/user-cpu.guest"
# Each probe's line, side by side where they differ.
differ=$(awk -F': ' -v known="$known" '
	BEGIN { n = split(known, k, " "); for (i = 1; i <= n; i++) isknown[k[i]] = 1 }
	NR == FNR { native[$1] = $0; next }
	{
		seen[$1] = 1
		if (native[$1] == $0)
			next
		tag = isknown[$1] ? "known " : ""
		print tag "native: " native[$1]
		print tag "guest:  " $0
	}
	END { for (p in native) if (!(p in seen)) print "guest never ran " p }
' "$LGDIR/user-cpu.native" "$LGDIR/user-cpu.guest")
echo "$differ" | grep '^known' | sed 's/^known /# not native (known): /'
differ=$(echo "$differ" | grep -v '^known' | grep .)
if [ -n "$differ" ]; then
	echo "$differ" | sed 's/^/# /'
	fail "$(echo "$differ" | grep -c '^guest') of $total probes differ between native and guest user space"
fi
exit 0
