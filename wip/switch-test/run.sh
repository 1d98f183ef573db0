#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the prototype host (lgproto.ko), the tiny-guest launcher and the
# draft launcher against the rig's kernel (run scripts/build first) and run
# them in the QEMU host:  wip/switch-test/run.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
exp=lgproto
b="$top/build/wip-$exp"
obj="$top/build/obj"
rel=$(cat "$obj/include/config/kernel.release")
kmake() { make -s -C "$top/build/src" ARCH=i386 O="$obj" M="$b" "$@"; }

# One copy of each shared draft: the switcher, its layout, the user ABI.
rm -rf "$b" && cp -r "$top/wip/switch-test" "$b"
cp "$top/wip/arch/x86/include/asm/lguest.h" "$b/lguest_layout.h"
cp "$top/wip/include/uapi/linux/lguest.h" "$b/lguest_uapi.h"
sed -e 's|<asm/asm-offsets.h>|"lg_offsets.h"|' -e 's|<asm/lguest.h>|"lguest_layout.h"|' \
	"$top/wip/drivers-lguest/x86/switcher_32.S" >"$b/switcher_32.S"
kmake offsets.s
sed -n 's/.*\.ascii "->\([A-Za-z_0-9]*\) \$\{0,1\}\([0-9-]*\) .*/#define \1 \2/p' \
	"$b/offsets.s" >"$b/lg_offsets.h"
kmake modules
gcc -m32 -static -O2 -Wall -Wextra -Werror -I"$b" -o "$b/tinyguest" "$b/tinyguest.c"
gcc -m32 -static -O2 -Wall -Wextra -Werror -pthread -I"$top/wip/include/uapi" \
	-o "$b/lguest" "$top/wip/launcher/lguest.c"

# A copy of the rig's initramfs inputs with the experiment added.
mods="$top/build/staging/lib/modules/$rel/extra"
mkdir -p "$mods"
cp "$b/$exp.ko" "$mods/"
cp "$b/tinyguest" "$b/lguest" "$top/build/prog/"
cp "$obj/vmlinux" "$top/build/prog/guest-vmlinux"
cp "${GUEST_INITRD:-$top/build/initramfs.cpio.gz}" "$top/build/prog/guest-initrd"
"$top/scripts/mkinitramfs" --release "$rel" --out "$b/initramfs.cpio.gz"
rm -f "$mods/$exp.ko" "$top/build/prog/tinyguest" "$top/build/prog/lguest" \
	"$top/build/prog/guest-vmlinux" "$top/build/prog/guest-initrd"

# The tiny guest twice (trap reflection, then the timer), then the real
# kernel started by the draft launcher: GUEST_EXPECT says what it must print.
cmds="insmod /lib/modules/$rel/extra/lgproto.ko && tinyguest && tinyguest timer && { lguest --initrd=/usr/bin/guest-initrd 64 /usr/bin/guest-vmlinux ${GUEST_ARGS:-} ${GUEST_STDIN:-} >/tmp/guest.raw 2>&1; sed 's/^/G| /' /tmp/guest.raw | tee /tmp/guest.out; grep -q '${GUEST_EXPECT:-trap 6 at eip 0xc10000}' /tmp/guest.out; } && rmmod lgproto && echo WIP-RESULT: pass; poweroff"
{ sleep 8; printf '%s\n' "$cmds"; sleep "${GUEST_WAIT:-12}"; printf '%s\n' "${GUEST_INPUT:-}"; sleep 30; } |
	timeout 120 qemu-system-i386 -accel tcg -cpu "${CPU:-pentium3}" -m 512 -no-reboot \
		-kernel "$obj/arch/x86/boot/bzImage" -initrd "$b/initramfs.cpio.gz" \
		-append "console=ttyS0 lgmode=shell" -display none -vga none -nic none \
		-serial stdio -monitor none | tee "$b/console.log" | grep -vE '^\[ *[0-9]+\.[0-9]+\] ' || true
grep -q 'WIP-RESULT: pass' "$b/console.log"
