# SPDX-License-Identifier: GPL-2.0
# Helpers for in-VM tests.  A test is an executable that exits 0 on pass,
# KSFT_SKIP (4) when what it needs is absent, anything else on failure; it
# explains itself on lines starting with '# '.
KSFT_SKIP=4

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
