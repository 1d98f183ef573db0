# SPDX-License-Identifier: GPL-2.0
# Helpers of make bench-peers (scripts/vm/bench-peers), in the QEMU host
# and in the peer guests it boots.  What the peers run is the same
# everywhere: /tmp is a tmpfs, lg-bench the same static binary, and one
# guest initramfs (/peers/peer.cpio.gz) serves lguest, User-Mode Linux
# and the nested QEMU, with scripts/vm/bench-peers as its /init.
# Sourced by /bin/sh (busybox ash), never executed.

# shellcheck disable=SC2034 # for scripts/vm/bench-peers
{
PEERDIR=/peers
PEERINITRD=$PEERDIR/peer.cpio.gz
PEERTMP=/tmp/peers
}

# peer_arg NAME [DEFAULT]: the value of NAME= on the kernel command line
# (the last one), or DEFAULT if it has none or an empty one.
peer_arg() {
	pa_v=$(tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -n 1)
	echo "${pa_v:-${2:-}}"
}

# peer_scale LIST DIV: the workload list "w:N,w:N..." with every N
# divided by DIV (at least 1), as "w:N w:N ...".
peer_scale() {
	echo "$1" | tr , '\n' | awk -F: -v d="$2" 'NF == 2 {
		n = int($2 / d); if (n < 1) n = 1; printf "%s%s:%d", sep, $1, n; sep = " " }'
}

# peer_runs PLATFORM RUNS W:N...: run each workload RUNS times here and
# print "PEERS-RUN PLATFORM W N NS_PER_OP" for each run, or
# "PEERS-ERROR PLATFORM W ..." when lg-bench failed.  The in-guest half;
# natively it is called in the QEMU host itself.
peer_runs() {
	pr_p=$1
	pr_runs=$2
	shift 2
	for pr_wn in "$@"; do
		pr_w=${pr_wn%%:*}
		pr_n=${pr_wn#*:}
		pr_i=0
		while [ $pr_i -lt "$pr_runs" ]; do
			pr_i=$((pr_i + 1))
			pr_out=$(lg-bench "$pr_w" "$pr_n" 2>&1)
			pr_ns=$(echo "$pr_out" | awk -v w="$pr_w" '$1 == "lg-bench" && $2 == w { print $4 }')
			if [ -n "$pr_ns" ]; then
				echo "PEERS-RUN $pr_p $pr_w $pr_n $pr_ns"
			else
				echo "PEERS-ERROR $pr_p $pr_w: $(echo "$pr_out" | tr '\n' ' ')"
			fi
		done
	done
}

# peer_init: PID 1 of a peer guest.  The command line gives the
# platform (peer=lguest|uml|qemu), the workloads (peerbench=w:N,...) and
# how often each runs (peerruns=N).  Ends the guest the way its platform
# wants: poweroff under lguest and UML, a reboot that QEMU's -no-reboot
# turns into its exit under QEMU.
peer_init() {
	/bin/busybox --install -s
	export PATH=/usr/bin:/usr/sbin:/bin:/sbin HOME=/
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev 2>/dev/null
	mount -t tmpfs -o mode=1777 tmpfs /tmp
	pi_p=$(peer_arg peer unknown)
	echo "PEERS-GUEST $pi_p up $(cut -d' ' -f1 /proc/uptime) s: $(uname -r) $(uname -m)," \
		"$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MB"
	# shellcheck disable=SC2046 # a list of words
	peer_runs "$pi_p" "$(peer_arg peerruns 1)" $(peer_arg peerbench | tr , ' ')
	echo "PEERS-GUEST-END $pi_p"
	sync
	case "$pi_p" in
	qemu) reboot -f ;;
	*) poweroff -f ;;
	esac
	# Not reached unless the platform did not stop us.
	while :; do sleep 60; done
}

# peer_uptime: seconds since the host booted, to a hundredth.
peer_uptime() {
	cut -d' ' -f1 /proc/uptime
}
