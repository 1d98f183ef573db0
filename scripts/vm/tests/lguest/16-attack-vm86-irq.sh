#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A hostile tiny guest (lg-attack vm86_irq) ends as designed; the host lives on.
. /tests/lib.sh
lg-attack vm86_irq
