// SPDX-License-Identifier: GPL-2.0
/*
 * Offsets into the switcher's per-CPU pages for switcher_32.S, generated
 * at build time into lg-asm-offsets.h.
 */
#define COMPILE_OFFSETS

#include <linux/kbuild.h>
#include "switcher.h"

static void __used common(void)
{
	OFFSET(LGUEST_PAGES_regs, lguest_cpu_pages, rw.regs);
	OFFSET(LGUEST_PAGES_trapnum, lguest_cpu_pages, rw.regs.trapnum);
	OFFSET(LGUEST_PAGES_host_cr3, lguest_cpu_pages, ro.host_cr3);
	OFFSET(LGUEST_PAGES_host_cr4, lguest_cpu_pages, ro.host_cr4);
	OFFSET(LGUEST_PAGES_host_sp, lguest_cpu_pages, ro.host_sp);
	OFFSET(LGUEST_PAGES_host_gdt_desc, lguest_cpu_pages, ro.host_gdt_desc);
	OFFSET(LGUEST_PAGES_host_ldt, lguest_cpu_pages, ro.host_ldt);
	OFFSET(LGUEST_PAGES_host_idt_desc, lguest_cpu_pages, ro.host_idt_desc);
	OFFSET(LGUEST_PAGES_guest_cr3, lguest_cpu_pages, ro.guest_cr3);
	OFFSET(LGUEST_PAGES_guest_cr4, lguest_cpu_pages, ro.guest_cr4);
	OFFSET(LGUEST_PAGES_guest_dr7, lguest_cpu_pages, ro.guest_dr7);
	OFFSET(LGUEST_PAGES_guest_ldt, lguest_cpu_pages, ro.guest_ldt);
	OFFSET(LGUEST_PAGES_guest_gdt_desc, lguest_cpu_pages, ro.guest_gdt_desc);
	OFFSET(LGUEST_PAGES_guest_idt_desc, lguest_cpu_pages, ro.guest_idt_desc);
	OFFSET(LGUEST_PAGES_guest_gdt, lguest_cpu_pages, ro.guest_gdt);
}
