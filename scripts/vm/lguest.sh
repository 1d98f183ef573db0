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
# status, PREFIX.t0 the host uptime at its start and PREFIX.pid the
# launcher's pid.  A guest still running after LGTIMEOUT seconds is killed
# (PREFIX.err says so; status 137).  The guest's console input is the file
# LGSTDIN (default: none); LGOPTS are more launcher options (devices); an
# empty LGINITRD boots without one; LGWRAP is a command the launcher is
# run under (e.g. "taskset 1": the launcher's threads on CPU 0).
# A host booted with lgslow=N (make check-debug: every checker on, in the
# guests too) gives each guest N times as long.
LGSLOW=1
for arg in $(cat /proc/cmdline); do
	case "$arg" in lgslow=*) LGSLOW=${arg#lgslow=} ;; esac
done
LGTIMEOUT=$((${LGTIMEOUT:-240} * LGSLOW))
run_guest() {
	p=$1
	shift
	read -r up _ </proc/uptime
	echo "$up" >"$p.t0"
	rm -f "$p.timeout" "$p.pid" "$p.rc"
	{
		# shellcheck disable=SC2086 # LGWRAP and LGOPTS are lists of words
		${LGWRAP:-} lguest ${LGINITRD:+--initrd="$LGINITRD"} ${LGOPTS:-} "$LGMEM" "$LGKERNEL" quiet lgslow="$LGSLOW" "$@" \
			<"${LGSTDIN:-/dev/null}" 2>"$p.err" &
		lp=$!
		echo "$lp" >"$p.pid"
		# (not on our pipe, or the log would stay open while it sleeps)
		(sleep "$LGTIMEOUT" && : >"$p.timeout" && kill -KILL $lp) >/dev/null 2>&1 &
		wp=$!
		wait $lp
		echo $? >"$p.rc"
		kill $wp 2>/dev/null
		[ -f "$p.timeout" ] &&
			echo "run_guest: killed the launcher after $LGTIMEOUT s" >>"$p.err"
	} | stamp >"$p.log"
	[ ! -f "$p.timeout" ] || diag "the guest ($*) was still running after $LGTIMEOUT s: killed"
}

# lgstat NAME PREFIX: counter NAME of the guest run as PREFIX with
# LGOPTS=--stats (the launcher's "lguest-stats NAME VALUE" lines).
lgstat() {
	sed -n "s/^lguest-stats $1 \([0-9]*\)$/\1/p" "$2.err"
}

# guest_output NAME LOG: what the in-guest check NAME printed, as
# diagnostics (the lines between the result before it and its own).
guest_output() {
	awk -v name="$1" '
		/ guest: (not )?ok [0-9]+ / {
			if ($0 ~ (" guest: (not )?ok [0-9]+ " name "( #.*)?$")) { printf "%s", buf; exit }
			buf = ""; next
		}
		/^[0-9.]+ # / { sub(/^[0-9.]+ # /, "# "); buf = buf $0 "\n" }
	' "$2"
}

# guest_result NAME [LOG]: the in-guest check NAME passed in LOG (default:
# the boot test's log); a check the guest skipped is a skip here too.
guest_result() {
	log=${2:-$LGDIR/boot.log}
	[ -f "$log" ] || fail "no guest log $log (the test that boots it did not run)"
	if grep -qE "guest: ok [0-9]+ $1\$" "$log"; then
		return 0
	fi
	if grep -qE "guest: ok [0-9]+ $1 # SKIP\$" "$log"; then
		guest_output "$1" "$log"
		skip "the guest skipped $1"
	fi
	grep -E "guest: (not )?ok [0-9]+ $1( |\$)" "$log" | head -n 1 | sed 's/^[0-9.]* /# /'
	guest_output "$1" "$log"
	fail "in-guest check $1 did not pass"
}

# sleep_seconds LOG: host time between the guest's sleep marks in LOG.
sleep_seconds() {
	b=$(grep -m1 'guest: sleep-begin' "$1" | cut -d' ' -f1)
	e=$(grep -m1 'guest: sleep-end' "$1" | cut -d' ' -f1)
	[ -n "$b" ] && [ -n "$e" ] || fail "no sleep marks in the guest's output"
	echo "$b $e" | awk '{ printf "%.2f", $2 - $1 }'
}

# sleep_ok SECONDS: "sleep 2" took about 2 s (TCG is slow, never fast).
sleep_ok() {
	echo "$1" | awk '{ exit !($1 >= 1.9 && $1 <= 3.5) }'
}

# launcher_pids TEXT: the pids of the running launchers whose command
# line has TEXT.
launcher_pids() {
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = /usr/bin/lguest ] || continue
		tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "$1" && echo "${p#/proc/}"
	done
}

# vq_attack DEV:ATTACK MESSAGE: a guest with device DEV (LGOPTS give it
# the device) loads lg-vqattack.ko, which misprograms a virtqueue of DEV
# with ATTACK (lgguest=vqattack).  The launcher must stop the guest
# there: exit status 1 (no crash), an error line that matches MESSAGE (a
# basic regular expression), and no word from a guest that survived.
vq_attack() {
	p=$LGDIR/vq-$(echo "$1" | tr : -)
	run_guest "$p" lgguest=vqattack lgvq="$1"
	rc=$(cat "$p.rc")
	diag "$1: status $rc: $(grep 'lguest: ' "$p.err" | head -n 1)"
	if ! grep -q "vqattack: attacking $1 " "$p.log"; then
		grep 'vqattack' "$p.log" | sed 's/^[0-9.]* /# /'
		fail "$1: the guest did not get to the attack"
	fi
	if grep -q 'vqattack: survived' "$p.log"; then
		sed 's/^/# /' "$p.err"
		fail "$1: the guest survived the attack (launcher exit status $rc)"
	fi
	if [ "$rc" != 1 ]; then
		sed 's/^/# /' "$p.err"
		fail "$1: launcher exit status $rc, not 1"
	fi
	if ! grep 'lguest: error: ' "$p.err" | grep -q -- "$2"; then
		sed 's/^/# /' "$p.err"
		fail "$1: no launcher error matching '$2'"
	fi
}

# vq_served DEV: the control of vq_attack: with attack=none the module's
# rings hold one well-formed buffer, which the launcher serves; the guest
# then powers off.
vq_served() {
	p=$LGDIR/vq-$1-none
	run_guest "$p" lgguest=vqattack lgvq="$1:none"
	rc=$(cat "$p.rc")
	if ! grep -q "vqattack: served $1:none" "$p.log"; then
		grep 'vqattack' "$p.log" | sed 's/^[0-9.]* /# /'
		sed 's/^/# /' "$p.err"
		fail "$1:none: the launcher did not serve the module's buffer"
	fi
	if [ "$rc" != 0 ]; then
		sed 's/^/# /' "$p.err"
		fail "$1:none: launcher exit status $rc, not 0"
	fi
}

# root_image IMG MNT: a new 16 MB ext2 image IMG, mounted on MNT, with
# busybox in /bin, /dev/console and empty /proc, /sys and /sbin: a
# guest's root once the caller has added an init and unmounted it.  The
# console node is what a real root file system has too: a kernel without
# DEVTMPFS_MOUNT (Debian's, for one: make check-distro) opens it for
# init's output before anything could mount a devtmpfs.
root_image() {
	mkdir -p "$2"
	rm -f "$1"
	truncate -s 16M "$1"
	mke2fs -q -F "$1" >/dev/null 2>&1 || mke2fs -F "$1" >/dev/null || fail "mke2fs failed"
	mount -o loop "$1" "$2" || fail "cannot loop-mount the image"
	mkdir -p "$2/bin" "$2/sbin" "$2/dev" "$2/proc" "$2/sys"
	mknod -m 600 "$2/dev/console" c 5 1 || fail "cannot make the image's /dev/console"
	cp /bin/busybox "$2/bin/busybox"
}

# guest_passed LOG: the guest of LOG (lgguest=test) ran its checks to
# the end and none failed (skips are fine).  If not, says what went
# wrong as diagnostics and returns 1.
guest_passed() {
	gp_ok=$(grep -cE '^[0-9.]+ guest: ok [0-9]+ ' "$1")
	gp_bad=$(grep -E '^[0-9.]+ guest: not ok [0-9]+ ' "$1")
	if [ -z "$gp_bad" ] && [ "$gp_ok" -gt 0 ] && grep -q '^[0-9.]* guest: done' "$1"; then
		return 0
	fi
	echo "$gp_bad" | while read -r _ _ _ _ _ gp_name _; do
		[ -n "$gp_name" ] || continue
		diag "$1: check $gp_name failed:"
		guest_output "$gp_name" "$1"
	done
	grep -q '^[0-9.]* guest: done' "$1" ||
		{ diag "$1: the checks did not finish ($gp_ok passed); its end:"; tail -n 15 "$1" | sed 's/^/# /'; }
	return 1
}

# wait_pids FILE...: wait until each FILE (run_guest's PREFIX.pid) has
# the launcher's pid, 10 s at most, and print the pids; 1 if one did not
# come.
wait_pids() {
	for wp_f in "$@"; do
		wp_i=0
		while [ ! -s "$wp_f" ] && [ $wp_i -lt 100 ]; do
			sleep 0.1
			wp_i=$((wp_i + 1))
		done
		cat "$wp_f" 2>/dev/null || return 1
	done
}

# wait_line TEXT FILE...: wait until each FILE (a guest's log) has a line
# with TEXT, 60 s at most; 1 if one did not.
wait_line() {
	wl_text=$1
	shift
	wl_i=0
	for wl_f in "$@"; do
		until grep -q -- "$wl_text" "$wl_f" 2>/dev/null; do
			[ $wl_i -lt 600 ] || return 1
			sleep 0.1
			wl_i=$((wl_i + 1))
		done
	done
}

# cpus_online: how many CPUs the host has online.
cpus_online() {
	grep -c '^processor' /proc/cpuinfo
}

# need_cpus N: the host has N CPUs online, or the test fails (the
# provided configuration is SMP and scripts/boot gives QEMU 2 CPUs).
need_cpus() {
	nc=$(cpus_online)
	[ "$nc" -ge "$1" ] || fail "$nc CPUs online, this test needs $1 (the provided config is SMP; scripts/boot --smp)"
}

# log_stats_on: lg.ko logs each guest's counts when it ends.
log_stats_on() {
	echo 1 >/sys/module/lg/parameters/log_stats || fail "cannot set lg.log_stats"
}

# dmesg_mark NAME, dmesg_since NAME: a line in the host's kernel log, and
# what the kernel logged after it.
dmesg_mark() {
	echo "<6>lguest-test: mark $1" >/dev/kmsg
}
dmesg_since() {
	dmesg | awk -v m="lguest-test: mark $1" '
		length($0) >= length(m) && substr($0, length($0) - length(m) + 1) == m { buf = ""; seen = 1; next }
		seen { buf = buf $0 "\n" }
		END { printf "%s", buf }'
}

# host_trouble NAME: the lines since dmesg_mark NAME that say the host
# is in trouble: warnings, oopses, RCU stalls, lockups, hung tasks.
host_trouble() {
	dmesg_since "$1" | grep -E 'WARNING:|BUG:|Oops|Call Trace|general protection|refcount|UBSAN|detected stall|self-detected stall|soft lockup|hard LOCKUP|blocked for more than'
}

# guest_stats NAME: lg.ko's log_stats lines ("guest exits: ...") since
# dmesg_mark NAME, one per guest that ended.
guest_stats() {
	dmesg_since "$1" | grep 'lguest: guest exits:'
}

# stat_field FIELD LINE: the number after FIELD in a log_stats line,
# e.g. "cpu migrations" or "highmem".
stat_field() {
	echo "$2" | sed -n "s/.*$1 \([0-9]*\).*/\1/p"
}
