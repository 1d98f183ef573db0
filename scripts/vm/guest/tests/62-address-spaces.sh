#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Address spaces stay apart across context switches when the kernel
# changes the page tables of a process that is not running (another's
# copy-on-write broken by process_vm_writev and by ptrace), and with more
# processes switching in a ring than the host keeps shadows for, while
# others come and go (mm-check).
mm-check
