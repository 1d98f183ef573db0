# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the rig scripts: paths, the kernel pin, one-line errors.
# Sourced, never executed.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${LGUEST_BUILD:-$top/build}"
cache="${LGUEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lguest}"
prog=$(basename "$0")

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
