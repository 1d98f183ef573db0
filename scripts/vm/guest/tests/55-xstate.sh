#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# No XSAVE-managed state (AVX and beyond) is reachable from guest user
# code: the guest kernel only switches x87/SSE state.
exec xstate-check
