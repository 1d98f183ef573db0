#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The paravirt hooks resolved the way this machine needs: on bare hardware
# (no X86_FEATURE_PV_DEPRIV) pv_ops holds the native functions and boot-time
# patching put the native instructions over the call sites; deprivileged,
# every site calls the function pv_ops names.  pvprobe.ko reports both.
. /tests/lib.sh

ko=$(find /lib/modules/"$(uname -r)" -name pvprobe.ko)
[ -n "$ko" ] || skip "no pvprobe.ko (kernel without PARAVIRT_XXL)"
dmesg -c >/dev/null
insmod "$ko" || fail "insmod pvprobe failed"
rmmod pvprobe || fail "rmmod pvprobe failed"
report=$(dmesg | sed -n 's/.*pvprobe: \(pv_info=\|cpu\.\|irq\.\|mmu\.\|done\)/\1/p')
echo "$report" | sed 's/^/# /'
echo "$report" | grep -qx done || fail "no complete report from pvprobe"

depriv=$(echo "$report" | sed -n 's/^pv_info=.* depriv=\([01]\)$/\1/p')
sites=$(echo "$report" | grep ' site=')
[ "$(echo "$sites" | wc -l)" -ge 5 ] || fail "pvprobe reported too few sites"
case "$depriv" in
0)
	echo "$report" | grep -q '^pv_info=bare hardware ' || fail "pv_info is not bare hardware"
	bad=$(echo "$sites" | grep -v ' site=native$')
	[ -z "$bad" ] || fail "not patched to native instructions: $bad"
	bad=$(echo "$report" | grep ' pv_ops=' | grep -Ev ' pv_ops=(pv_)?_*native_')
	[ -z "$bad" ] || fail "pv_ops does not hold native functions: $bad"
	;;
1)
	echo "$sites" | while read -r op pv site; do
		[ "site=call:${pv#pv_ops=}" = "$site" ] || { echo "$op"; }
	done | grep . && fail "sites above do not call their pv_ops function"
	;;
*)
	fail "pvprobe did not report depriv"
	;;
esac
exit 0
