# SPDX-License-Identifier: GPL-2.0
# lguest for Linux 6.12: the rig around the quilt series.
#
#   make run      install what is missing, fetch, apply, build, boot the QEMU
#                 host and an lguest guest in it: a shell in the guest
#   make check    static checks and all tests; ends with 'N passed, N failed'
#
# KERNEL_SRC=<dir>       use your own 6.12 tree (only read) instead of the pin
# KERNEL_ACCEPT=<ver>    re-pin to another served linux-source-6.12 version
# CPU=<model>            QEMU CPU model for 'make run' (default pentium3)

SHELL := /bin/bash
S := scripts

.PHONY: run check check-debug check-distro bench bench-peers build apply deps fetch ktest check-bisect check-series selftest \
	patches config clean clean-cache help

run: deps fetch
	@$(S)/build
	@$(S)/boot --mode guest $(if $(CPU),--cpu $(CPU))

check: $(if $(KERNEL_ACCEPT),fetch)
	@$(S)/check

# The in-VM suite on a host kernel with lockdep, kmemleak, KFENCE, UBSAN...
check-debug: deps fetch
	@$(S)/check-debug $(if $(CPU),--cpu $(CPU))

# lg.ko on a distribution's host kernel: Debian's i386 686 configuration,
# its modules trimmed, in build/distro.  Slow: not part of 'make check'.
check-distro: deps fetch
	@$(S)/check-distro $(if $(CPU),--cpu $(CPU))

# Microbenchmarks: host exits per operation, guest against native.
bench: deps fetch
	@$(S)/build
	@$(S)/bench $(if $(CPU),--cpu $(CPU))

# lguest beside User-Mode Linux and nested full emulation (qemu-system-i386
# in the QEMU host), the same workloads natively and on each; a table and
# charts in build/bench.  Slow (25 min the first time, 17 then): not in
# 'make check'.
bench-peers: deps fetch
	@$(S)/deps --peers
	@$(S)/build
	@$(S)/bench-peers $(if $(CPU),--cpu $(CPU))

deps:
	@$(S)/deps

# With KERNEL_SRC there is nothing to fetch.
fetch: deps
	@$(if $(KERNEL_SRC),,$(S)/fetch-kernel $(if $(KERNEL_ACCEPT),--accept $(KERNEL_ACCEPT)) >/dev/null)

apply: fetch
	@$(S)/apply

build: deps fetch
	@$(S)/build

ktest: deps fetch
	@$(S)/ktest

check-bisect: deps fetch
	@$(S)/check-bisect

check-series: build
	@$(S)/check-series

selftest:
	@$(S)/selftest

# Regenerate the patches carrying arch-x86-lguest/, drivers-lguest/ and
# Documentation-lguest/ after editing them.
patches:
	@$(S)/gen-patches

# Regenerate configs/lguest-i386.config after editing the fragment.
config: apply
	@$(S)/config-check --regen

clean:
	@rm -rf build

clean-cache:
	@rm -rf "$${LGUEST_CACHE:-$${XDG_CACHE_HOME:-$$HOME/.cache}/lguest}"

help:
	@echo "make run           install, fetch, apply, build and boot a shell in QEMU"
	@echo "make check         static checks and all tests (TAP; 'N passed, N failed')"
	@echo "make check-debug   the in-VM tests on a debug host kernel (lockdep, kmemleak...)"
	@echo "make check-distro  the in-VM tests on Debian's i386 686 config as host and guest"
	@echo "make bench         lguest microbenchmarks: exits/op, guest vs native"
	@echo "make bench-peers   the same natively, in lguest, UML and nested QEMU (slow)"
	@echo "make ktest         build and boot-test with ktest.pl"
	@echo "make build         apply the series and build kernel, programs, initramfs"
	@echo "make check-series  checkpatch, sparse, coccicheck, generated-patch freshness"
	@echo "make check-bisect  build after every patch (i386 guest on/off; x86_64+XEN_PV)"
	@echo "make patches       regenerate the patches from the *-lguest/ directories"
	@echo "make config        regenerate configs/lguest-i386.config from the fragment"
	@echo "make clean         remove build/ (the kernel cache stays)"
	@echo "variables: KERNEL_SRC=<6.12 tree>  KERNEL_ACCEPT=<version>  CPU=<qemu model>"
