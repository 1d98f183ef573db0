#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# sleep 2; the host times it between the two marks, which go straight to
# the console (this script's own output is printed after it ends).
echo "guest: sleep-begin" >/dev/console
sleep 2
echo "guest: sleep-end" >/dev/console
