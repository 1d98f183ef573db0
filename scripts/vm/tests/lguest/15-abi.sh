#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Malformed /dev/lguest requests fail with their errno; guests that break
# the rules are stopped with a reason.
. /tests/lib.sh
out=$(lg-abi-check 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
exit $rc
