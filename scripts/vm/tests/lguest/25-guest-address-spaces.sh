#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest's own check "address-spaces" (scripts/vm/guest/tests/) passed.
. /tests/lib.sh
. /tests/lguest.sh
guest_result address-spaces
