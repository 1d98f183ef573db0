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
