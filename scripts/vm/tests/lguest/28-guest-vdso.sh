#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest's own check "vdso" (scripts/vm/guest/tests/) passed: with the
# TSC as its clock, clock_gettime() and gettimeofday() make no system call.
. /tests/lib.sh
. /tests/lguest.sh
guest_result vdso
