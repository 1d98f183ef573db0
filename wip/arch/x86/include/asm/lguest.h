/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the lguest host module and its switcher share: the layout of the
 * switcher slot and of the per-guest-CPU pages in it.  The switcher's
 * offsets into these come from asm-offsets_32.c.
 *
 * DRAFT (wip/): not yet part of the series.
 */
#ifndef _ASM_X86_LGUEST_H
#define _ASM_X86_LGUEST_H

/* The switcher's own ring-0 segments: GDT entries unused by Linux. */
#define GDT_ENTRY_LGUEST_CS	10
#define GDT_ENTRY_LGUEST_DS	11
#define LGUEST_CS		(GDT_ENTRY_LGUEST_CS * 8)
#define LGUEST_DS		(GDT_ENTRY_LGUEST_DS * 8)

/* The slot: 4 MB, one page-table page of the host and of every guest. */
#define SWITCHER_SLOT_SIZE	(4 << 20)
/* Switcher text, then two pages per guest CPU (uniprocessor: one). */
#define SWITCHER_TEXT_PAGES	2
#define SWITCHER_PAGES_PER_CPU	2

/* Vectors the switcher sends back to the host as "a host interrupt". */
#define LGUEST_FIRST_EXTERNAL_VECTOR	0x20

#ifndef __ASSEMBLY__
#include <linux/types.h>
#include <asm/desc_defs.h>
#include <asm/processor.h>

/*
 * The guest's registers as the switcher saves them on a trap: the top of
 * the register page is the guest TSS's ring-0 stack, so the CPU pushes
 * the last five (three from ring 0 to ring 0 cannot happen: the guest is
 * never in ring 0), the stubs push errcode and trapnum, the common code
 * the rest.
 */
struct lguest_regs {
	u32 eax, ebx, ecx, edx;
	u32 esi, edi, ebp;
	u32 gs, fs, ds, es;
	u32 trapnum, errcode;
	u32 eip, cs, eflags, esp, ss;
};

/* Read-write page: guest registers (at its end) and nothing secret. */
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
	u16 pad0;
	struct desc_ptr host_idt_desc;
	u16 pad1;

	/* The guest, as the CPU must see it. */
	u32 guest_cr3;
	u32 guest_cr4;			/* the host's, less PGE, SMEP, SMAP */
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
};
#endif /* __ASSEMBLY__ */

#endif /* _ASM_X86_LGUEST_H */
