#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Inside the guest, deprivileged: every paravirt call site calls the
# function pv_ops names (the host suite's paravirt check, run by the
# guest on its own kernel with pvprobe.ko).
. /tests/lib.sh
. /tests/lguest.sh
guest_result paravirt
