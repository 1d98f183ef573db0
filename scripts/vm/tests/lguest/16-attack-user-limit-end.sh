#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A hostile tiny guest (lg-attack user_limit_end) ends as designed; the host lives on.
. /tests/lib.sh
lg-attack user_limit_end
