#!/usr/bin/env bash
# Copy the wip guest code into the rig's patched tree (NOT through the
# series: scripts/apply --force undoes it) and build.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
src="$top/build/src"
mkdir -p "$src/arch/x86/lguest"
cp "$top"/wip/guest/*.c "$top"/wip/guest/*.h "$top/wip/guest/Makefile" "$src/arch/x86/lguest/"
rm -f "$src/arch/x86/lguest/tinit.c"
cp "$top/wip/include/uapi/linux/lguest.h" "$src/arch/x86/lguest/lguest_abi.h"
grep -q 'lguest/' "$src/arch/x86/Kbuild" || echo 'obj-$(CONFIG_LGUEST_GUEST) += lguest/' >>"$src/arch/x86/Kbuild"
"$top/scripts/build"
