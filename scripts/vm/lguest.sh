# SPDX-License-Identifier: GPL-2.0
# Helpers for the lguest tests in the QEMU host: the guest kernel is this
# kernel, its initramfs is the rig's guest initramfs.
LGDIR=/tmp/lguest
LGKERNEL=/lguest/vmlinux
LGINITRD=/lguest/guest.cpio.gz
LGMEM=64
mkdir -p "$LGDIR"

# stamp: prefix each line with the host's uptime, drop the tty's CR.
stamp() {
	cr=$(printf '\r')
	while IFS= read -r line; do
		case "$line" in *"$cr") line=${line%?} ;; esac
		read -r up _ </proc/uptime
		echo "$up $line"
	done
}

# run_guest PREFIX ARGS...: run a guest to its end; PREFIX.log has its
# stamped console, PREFIX.err the launcher's messages, PREFIX.rc its exit
# status and PREFIX.t0 the host uptime at its start.
run_guest() {
	p=$1
	shift
	read -r up _ </proc/uptime
	echo "$up" >"$p.t0"
	{ lguest --initrd="$LGINITRD" "$LGMEM" "$LGKERNEL" quiet "$@" \
		</dev/null 2>"$p.err"; echo $? >"$p.rc"; } | stamp >"$p.log"
}

# guest_result NAME: the in-guest check NAME passed in the boot's log.
guest_result() {
	log="$LGDIR/boot.log"
	[ -f "$log" ] || fail "no guest boot log (the boot test did not run)"
	if grep -qE "guest: ok [0-9]+ $1\$" "$log"; then
		return 0
	fi
	sed -n "/guest: .*ok [0-9]* $1/,\$p" "$log" | head -n 1 | sed 's/^/# /'
	grep -B 20 -E "guest: not ok [0-9]+ $1" "$log" | grep ' # ' | sed 's/^[0-9.]* /# /'
	fail "in-guest check $1 did not pass"
}
