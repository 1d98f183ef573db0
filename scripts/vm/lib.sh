# SPDX-License-Identifier: GPL-2.0
# Helpers for in-VM tests.  A test is an executable that exits 0 on pass,
# KSFT_SKIP (4) when what it needs is absent, anything else on failure; it
# explains itself on lines starting with '# '.
KSFT_SKIP=4
# A known, open bug: reported as "not ok ... # TODO", not counted as a
# failure (TAP's TODO directive); the diagnostics say what is wrong.
KSFT_TODO=5

diag() {
	echo "# $*"
}

fail() {
	diag "$*"
	exit 1
}

skip() {
	diag "SKIP: $*"
	exit $KSFT_SKIP
}

todo() {
	diag "TODO: $*"
	exit $KSFT_TODO
}
