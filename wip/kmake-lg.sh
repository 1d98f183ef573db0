#!/bin/sh
# Copy drivers-lguest/ into the applied tree and build just the host module.
top=$(cd "$(dirname "$0")/.." && pwd)
rsync -a --delete --exclude .gitkeep "$top/drivers-lguest/" "$top/build/src/drivers/lguest/"
make -s -C "$top/build/src" ARCH=i386 O="$top/build/obj" -j2 W=1 drivers/lguest/ "$@" 2>&1 | grep -v "^  "
