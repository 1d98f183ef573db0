# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the rig scripts: paths, the kernel pin, one-line errors.
# Sourced, never executed.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${LGUEST_BUILD:-$top/build}"
cache="${LGUEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lguest}"
prog=$(basename "$0")

# Nothing the rig does may depend on how the build machine's shell is set
# up: one locale for every tool (sort and comm orders, English compiler
# messages that the build's warning check greps for), and none of the
# variables through which the environment steers Kbuild, Kconfig, quilt,
# coccicheck or git (an LLVM=1, a KCONFIG_ALLCONFIG or a KBUILD_EXTRA_WARN
# there would change the configuration the checks resolve, the kernel they
# build or the warnings they count).
export LC_ALL=C.UTF-8
unset LANGUAGE KCONFIG_CONFIG KCONFIG_ALLCONFIG KBUILD_OUTPUT KBUILD_EXTMOD \
	LLVM LLVM_IAS CROSS_COMPILE KCFLAGS KCPPFLAGS KAFLAGS KRUSTFLAGS KLDFLAGS \
	KBUILD_EXTRA_SYMBOLS KBUILD_KCONFIG KBUILD_DEFCONFIG KBUILD_EXTRA_WARN \
	KBUILD_CHECKSRC KBUILD_VERBOSE KBUILD_ABS_SRCTREE COCCI SPFLAGS SPATCH \
	QUILT_PATCH_OPTS QUILT_PUSH_ARGS QUILT_PC GZIP GIT_DIR GIT_WORK_TREE

die() {
	echo "$prog: error: $*" >&2
	exit 1
}

note() {
	echo "$prog: $*" >&2
}

# The pinned kernel: linux-source-6.12 VERSION with the .deb's SHA256.
# shellcheck source=kernel.pin
. "$top/scripts/kernel.pin"

# Root, or sudo without a password, or nothing (empty means: cannot).
as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo "$@"
	else
		return 125
	fi
}

# Reject anything that is not a recognised option with a one-line error.
unknown_opt() {
	die "unknown option '$1' (try '$prog --help')"
}

# Debian's i386 packages (busybox-static, trinity, linux-config-6.1...)
# come through a private apt state.  Adding i386 to the machine's dpkg and
# updating all of its sources breaks 'apt-get update' on bookworm (the
# security i386 index fails its size check), so this state knows only the
# i386 index of the machine's own bookworm main archive, and the
# machine's apt configuration is left alone.  It is made afresh once per
# run, on the first download.
papt="$cache/apt-i386"
papt_ready=0
aptopts=()
private_apt() {
	local uri
	[ $papt_ready = 1 ] && return 0
	aptopts=(-o "Dir::State::Lists=$papt/lists" -o "Dir::State::status=$papt/status"
		-o "Dir::Cache=$papt" -o "Dir::Cache::archives=$papt/archives"
		-o "Dir::Etc::SourceList=$papt/etc/sources.list"
		-o "Dir::Etc::SourceParts=/nonexistent"
		-o "APT::Architecture=i386" -o "APT::Architectures::=i386"
		-o "Debug::NoLocking=1" -o "APT::Sandbox::User=$(id -un)")
	uri=$(apt-cache policy 2>/dev/null |
		awk '$1 ~ /^[0-9]+$/ && $3 == "bookworm/main" { print $2; exit }')
	[ -n "$uri" ] || die "no 'bookworm main' archive in the machine's apt sources"
	rm -rf "$papt"
	mkdir -p "$papt/lists/partial" "$papt/archives/partial" "$papt/etc"
	: >"$papt/status"
	echo "deb [arch=i386] $uri bookworm main" >"$papt/etc/sources.list"
	apt-get "${aptopts[@]}" update -q >"$papt/update.log" 2>&1 ||
		die "private i386 apt update failed (see $papt/update.log)"
	papt_ready=1
}

# i386_download PACKAGE...: the .debs, in $papt.
i386_download() {
	private_apt
	(cd "$papt" && apt-get "${aptopts[@]}" download "$@" >"$papt/download.log" 2>&1) ||
		die "could not download $* for i386 (see $papt/download.log)"
}
