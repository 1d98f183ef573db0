#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest's own check "user-window" (scripts/vm/guest/tests/) passed:
# guest user space cannot keep the host from interrupting it by running
# at the offsets of the guest kernel's no-interrupt window.
. /tests/lib.sh
. /tests/lguest.sh
guest_result user-window
