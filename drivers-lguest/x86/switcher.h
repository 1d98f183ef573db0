/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the lguest host module and its switcher share: the layout of the
 * switcher slot and of the per-CPU pages in it, and which vectors the
 * CPU pushes an error code for.  The switcher's offsets into the pages
 * come from lg-asm-offsets.c.
 */
#ifndef _DRIVERS_LGUEST_X86_SWITCHER_H
#define _DRIVERS_LGUEST_X86_SWITCHER_H

#include <asm/trapnr.h>

/* The switcher's own ring-0 segments: GDT entries unused by Linux. */
#define GDT_ENTRY_LGUEST_CS	10
#define GDT_ENTRY_LGUEST_DS	11
#define LGUEST_CS		(GDT_ENTRY_LGUEST_CS * 8)
#define LGUEST_DS		(GDT_ENTRY_LGUEST_DS * 8)

/* The slot: 4 MB, one page-table page of the host and of every guest. */
#define SWITCHER_SLOT_SIZE	(4 << 20)
/*
 * Switcher text, then for each host CPU a register page, a read-only page
 * and the LDT of the guest it runs (8192 descriptors, 16 pages): room for
 * 56 CPUs in the slot.
 */
#define SWITCHER_TEXT_PAGES	2
#define SWITCHER_LDT_PAGES	16
#define SWITCHER_PAGES_PER_CPU	(2 + SWITCHER_LDT_PAGES)

/* The switcher's trap stubs, one per vector, are this far apart. */
#define LGUEST_STUB_SIZE	16

/*
 * The exceptions for which the CPU pushes an error code, one bit per
 * vector below 32.  Vector 30 is the security exception of AMD's SVM.
 * No software "int" may reach these vectors' stubs: the frame would be
 * one word short.
 */
#define LGUEST_ERRCODE_VECTORS						\
	((1 << X86_TRAP_DF) | (1 << X86_TRAP_TS) | (1 << X86_TRAP_NP) |	\
	 (1 << X86_TRAP_SS) | (1 << X86_TRAP_GP) | (1 << X86_TRAP_PF) |	\
	 (1 << X86_TRAP_AC) | (1 << X86_TRAP_CP) | (1 << X86_TRAP_VC) |	\
	 (1 << 30))

/*
 * Set in the trap number when the switcher itself faulted at ring 0 on
 * its way into the guest (the guest's state was one the CPU refused):
 * the registers saved then are not the guest's.
 */
#define LGUEST_TRAP_IN_SWITCHER	0x100

/*
 * An NMI or machine check that strikes the switcher itself is noted in
 * DR1 for the host: the tag in the upper half, a bit per kind below.
 */
#define LGUEST_PENDING_TAG	0x4c470000
#define LGUEST_PENDING_MASK	0x0000ffff
#define LGUEST_PENDING_NMI	0x1
#define LGUEST_PENDING_MC	0x2

#ifndef __ASSEMBLY__
#include <linux/types.h>
#include <asm/desc_defs.h>
#include <linux/processor.h>

/*
 * The guest's registers as the switcher saves them on a trap: the top of
 * the register page is the guest TSS's ring-0 stack, so the CPU pushes
 * the last five (the guest never runs in ring 0, so there is always a
 * stack switch), the stubs push errcode and trapnum, the common code
 * the rest.
 */
struct lguest_regs {
	u32 eax, ebx, ecx, edx;
	u32 esi, edi, ebp;
	u32 gs, fs, ds, es;
	u32 trapnum, errcode;
	u32 eip, cs, eflags, esp, ss;
};

/*
 * Read-write page: guest registers (at its end) and nothing secret.  It
 * is the first page of a CPU's pages, so the switcher finds them by
 * rounding its stack pointer down.
 */
struct lguest_rw_page {
	u8 spare[PAGE_SIZE - sizeof(struct lguest_regs)];
	struct lguest_regs regs;
};

/*
 * Read-only page (read-write in the host's mapping): what the switcher
 * needs in both address spaces.  The guest can read it, so it holds no
 * secret beyond kernel addresses.
 */
struct lguest_ro_page {
	/* The host, saved on the way in, restored on the way out. */
	u32 host_cr3;
	u32 host_cr4;
	u32 host_sp;
	struct desc_ptr host_gdt_desc;
	u16 host_ldt;			/* selector; the guest runs with none */
	struct desc_ptr host_idt_desc;
	u16 pad1;

	/* The guest, as the CPU must see it. */
	u32 guest_cr3;
	u32 guest_cr4;			/* the host's, less PGE, SMEP, SMAP */
	u32 guest_dr7;			/* breakpoints armed while it runs */
	u16 guest_ldt;			/* LDT selector, or 0 */
	u16 pad4;
	struct desc_ptr guest_gdt_desc;
	u16 pad2;
	struct desc_ptr guest_idt_desc;
	u16 pad3;
	struct x86_hw_tss guest_tss;
	struct desc_struct guest_gdt[GDT_ENTRIES];
	gate_desc guest_idt[IDT_ENTRIES];
};

struct lguest_cpu_pages {
	struct lguest_rw_page rw;
	struct lguest_ro_page ro;
	/* The guest's LDT, checked by the host; read-only to the guest. */
	struct desc_struct ldt[SWITCHER_LDT_PAGES * PAGE_SIZE / 8] __aligned(PAGE_SIZE);
};
#endif /* __ASSEMBLY__ */

#endif /* _DRIVERS_LGUEST_X86_SWITCHER_H */
