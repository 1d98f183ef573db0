#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A tiny guest that makes the host shadow eight address spaces of 4 MB
# regions is held to 1024 shadow page tables, one address space's worth
# (lg-attack shadow_spaces); the host lives on.
. /tests/lib.sh
lg-attack shadow_spaces
