#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# x87 and SSE registers survive two processes switching back and forth.
exec fpu-check 2000
