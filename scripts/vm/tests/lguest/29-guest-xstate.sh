#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest's own check "xstate" (scripts/vm/guest/tests/) passed: its
# user code cannot reach AVX or other XSAVE state (skipped on a host CPU
# without XSAVE).
. /tests/lib.sh
. /tests/lguest.sh
guest_result xstate
