#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A process running at an offset of the kernel's no-interrupt window (a
# code segment of its own, from modify_ldt, puts it there) is still
# preempted by the guest's timer (window-check).
window-check
