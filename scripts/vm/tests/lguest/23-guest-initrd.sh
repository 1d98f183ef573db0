#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest's own check "initrd" (scripts/vm/guest/tests/) passed.
. /tests/lib.sh
. /tests/lguest.sh
guest_result initrd
