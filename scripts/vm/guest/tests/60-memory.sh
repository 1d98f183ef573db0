#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 80% of the guest's RAM can be filled and read back intact.
exec mem-fill 80
