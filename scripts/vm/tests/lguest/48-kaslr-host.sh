#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The host runs with KASLR and guests run on it: the kernel's _text in
# /proc/kallsyms is not its link address (the vmlinux's first loadable
# segment, PAGE_OFFSET + CONFIG_PHYSICAL_START), "nokaslr" is not on the
# command line, and a guest booted (the boot test's, or one of its own).
# Should KASLR have chosen the link address by chance, a skip says so.
. /tests/lib.sh
. /tests/lguest.sh
grep -qw nokaslr /proc/cmdline && fail "nokaslr is on the host's command line"
# u32 FILE OFFSET, u16 FILE OFFSET: little-endian numbers in FILE.
u32() { od -An -tu4 -j"$2" -N4 "$1" | tr -d ' '; }
u16() { od -An -tu2 -j"$2" -N2 "$1" | tr -d ' '; }
v=$LGKERNEL
[ "$(od -An -c -N4 "$v" | tr -d ' ')" = '177ELF' ] || fail "$v is not an ELF file"
[ "$(od -An -tu1 -j4 -N1 "$v" | tr -d ' ')" = 1 ] || fail "$v is not a 32-bit ELF file"
phoff=$(u32 "$v" 28)
phentsize=$(u16 "$v" 42)
phnum=$(u16 "$v" 44)
link='' phys=''
i=0
while [ $i -lt "$phnum" ]; do
	o=$((phoff + i * phentsize))
	# A PT_LOAD segment: the first holds the kernel's text, from _text.
	if [ "$(u32 "$v" $o)" = 1 ]; then
		link=$(u32 "$v" $((o + 8)))
		phys=$(u32 "$v" $((o + 12)))
		break
	fi
	i=$((i + 1))
done
[ -n "$link" ] || fail "no loadable segment in $v"

kr=/proc/sys/kernel/kptr_restrict
kr0=$(cat $kr)
# Root reads the addresses when kptr_restrict is 0 or 1.
[ "$kr0" -le 1 ] || echo 1 >$kr
text=$(awk '$3 == "_text" { print $1; exit }' /proc/kallsyms)
[ "$kr0" -le 1 ] || echo "$kr0" >$kr
[ -n "$text" ] || fail "no _text in /proc/kallsyms"
[ $((0x$text)) != 0 ] || fail "/proc/kallsyms hides addresses (kptr_restrict $kr0)"
diag "_text at 0x$text; linked at $(printf '%#x' "$link") (PAGE_OFFSET $(printf '%#x' $((link - phys))) + PHYSICAL_START $(printf '%#x' "$phys")); offset $(printf '%#x' $((0x$text - link)))"
[ $((0x$text)) != "$link" ] || skip "KASLR chose the link address this boot (or did not move the kernel)"

if grep -q '^[0-9.]* guest: done' "$LGDIR/boot.log" 2>/dev/null; then
	diag "the boot test's guest ran its checks on this host"
else
	run_guest "$LGDIR/kaslr" lgguest=poweroff
	grep -q 'lguest-guest: init' "$LGDIR/kaslr.log" || fail "a guest did not boot on the KASLR host"
	[ "$(cat "$LGDIR/kaslr.rc")" = 0 ] || fail "launcher exit status $(cat "$LGDIR/kaslr.rc")"
fi
exit 0
