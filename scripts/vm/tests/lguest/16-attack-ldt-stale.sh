#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# One guest's LDT (lg-attack ldt_mark) does not show in the switcher's
# LDT pages, which every guest can read, when the next guest runs on
# the same host CPU (lg-attack ldt_peek); the host lives on.
. /tests/lib.sh
taskset -c 0 lg-attack ldt_mark || exit 1
taskset -c 0 lg-attack ldt_peek
