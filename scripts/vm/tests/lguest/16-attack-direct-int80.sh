#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A system call through a direct gate reaches the tiny guest with no
# host exit (lg-attack direct_int80); the host lives on.
. /tests/lib.sh
lg-attack direct_int80
