#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A hostile tiny guest (lg-attack direct_stack_slot) ends as designed; the host lives on.
. /tests/lib.sh
lg-attack direct_stack_slot
