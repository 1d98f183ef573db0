// SPDX-License-Identifier: GPL-2.0
/*
 * World-switch experiment (wip): map the switcher with vmap() (the real
 * module will use a fixed slot at the top of the vmalloc area, which
 * needs an mm export), build a tiny guest (one code page, ring 1), enter it
 * twice and check what comes back: the hypercall trap with %eax = 42,
 * then the #UD of its ud2.  Everything is printed; loading fails with
 * -EIO if the switch did not behave.  Not part of the series.
 */
#define pr_fmt(fmt) "lgswitch: " fmt

#include <linux/module.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/gfp.h>
#include <linux/pgtable.h>
#include <linux/io.h>
#include <asm/tlbflush.h>
#include <asm/desc.h>
#include <asm/tlbflush.h>
#include <asm/pgtable_32_areas.h>
#include "lguest_layout.h"

#define GUEST_CODE_VA	0x00400000UL
#define SPIN_OFFSET	9
#define SPIN_COUNT	0x04000000

extern char lguest_switcher_start[], lguest_switcher_end[];
extern char switch_to_guest[], lguest_trap_stubs[];

static unsigned long slot;
static struct page *text_pages[SWITCHER_TEXT_PAGES];
static struct page *rw_page, *ro_page, *pgdir_page, *slot_pt_page;
static struct page *code_pt_page, *code_page;

static struct {
	unsigned long offset;
	unsigned short segment;
} __packed lguest_entry;

static u64 seg(u32 base, u32 limit, u32 access, u32 flags)
{
	return (u64)(limit & 0xffff) | ((u64)(base & 0xffffff) << 16) |
	       ((u64)access << 40) | ((u64)((limit >> 16) & 0xf) << 48) |
	       ((u64)flags << 52) | ((u64)(base >> 24) << 56);
}

static u64 gate(u32 handler, u32 dpl)
{
	return (u64)(handler & 0xffff) | ((u64)LGUEST_CS << 16) |
	       ((u64)(0x8e | (dpl << 5)) << 40) | ((u64)(handler >> 16) << 48);
}

static void setup_guest(void)
{
	struct lguest_cpu_pages *p = (void *)(slot + SWITCHER_TEXT_PAGES * PAGE_SIZE);
	struct lguest_ro_page *ro = &p->ro;
	struct lguest_regs *r = &p->rw.regs;
	u32 *pgdir = page_address(pgdir_page);
	u32 *slot_pt = page_address(slot_pt_page);
	u32 *code_pt = page_address(code_pt_page);
	u8 *code = page_address(code_page);
	u64 *gdt = (u64 *)ro->guest_gdt, *idt = (u64 *)ro->guest_idt;
	static const u8 guest_code[] = {
		0xb8, 0x2a, 0x00, 0x00, 0x00,	/* mov $42, %eax */
		0xcd, 0x1f,			/* int $0x1f */
		0x0f, 0x0b,			/* ud2 */
		/* SPIN_OFFSET: count to SPIN_COUNT, interrupts on */
		0x31, 0xc0,			/* xor %eax, %eax */
		0x40,				/* 1: inc %eax */
		0x3d, 0x00, 0x00, 0x00, 0x04,	/* cmp $0x04000000, %eax */
		0x75, 0xf8,			/* jne 1b */
		0xcd, 0x1f,			/* int $0x1f */
	};
	unsigned int i;

	/*
	 * Descriptors are written with their accessed bit set: the GDT is
	 * read-only in the guest address space, where the CPU would set it.
	 */
	/* Guest address space: its code page, and the slot, read-only but for the register page. */
	memcpy(code, guest_code, sizeof(guest_code));
	code_pt[0] = page_to_phys(code_page) | _PAGE_PRESENT | _PAGE_RW;
	pgdir[GUEST_CODE_VA >> PGDIR_SHIFT] = page_to_phys(code_pt_page) | _PAGE_PRESENT | _PAGE_RW;
	for (i = 0; i < SWITCHER_TEXT_PAGES; i++)
		slot_pt[pte_index(slot) + i] = page_to_phys(text_pages[i]) | _PAGE_PRESENT;
	slot_pt[pte_index(slot) + SWITCHER_TEXT_PAGES] =
		page_to_phys(rw_page) | _PAGE_PRESENT | _PAGE_RW;
	slot_pt[pte_index(slot) + SWITCHER_TEXT_PAGES + 1] =
		page_to_phys(ro_page) | _PAGE_PRESENT;
	pgdir[slot >> PGDIR_SHIFT] = page_to_phys(slot_pt_page) | _PAGE_PRESENT | _PAGE_RW;

	gdt[GDT_ENTRY_LGUEST_CS] = seg(0, 0xfffff, 0x9b, 0xc);
	gdt[GDT_ENTRY_LGUEST_DS] = seg(0, 0xfffff, 0x93, 0xc);
	gdt[GDT_ENTRY_KERNEL_CS] = seg(0, 0xfffff, 0xbb, 0xc);
	gdt[GDT_ENTRY_KERNEL_DS] = seg(0, 0xfffff, 0xb3, 0xc);
	gdt[GDT_ENTRY_TSS] = seg((u32)&ro->guest_tss, sizeof(ro->guest_tss) - 1, 0x89, 0);
	for (i = 0; i < IDT_ENTRIES; i++)
		idt[i] = gate((u32)(slot + (lguest_trap_stubs - lguest_switcher_start) + 16 * i),
			      i == 0x1f ? 1 : 0);

	ro->guest_tss.ss0 = LGUEST_DS;
	ro->guest_tss.sp0 = (u32)(r + 1);
	ro->guest_tss.io_bitmap_base = sizeof(ro->guest_tss);
	ro->guest_gdt_desc.size = GDT_ENTRIES * 8 - 1;
	ro->guest_gdt_desc.address = (unsigned long)ro->guest_gdt;
	ro->guest_idt_desc.size = IDT_ENTRIES * 8 - 1;
	ro->guest_idt_desc.address = (unsigned long)ro->guest_idt;
	ro->guest_cr3 = page_to_phys(pgdir_page);

	memset(r, 0, sizeof(*r));
	r->eip = GUEST_CODE_VA;
	r->cs = __KERNEL_CS | 1;
	r->eflags = X86_EFLAGS_FIXED;
	r->esp = GUEST_CODE_VA + PAGE_SIZE;
	r->ss = __KERNEL_DS | 1;
	r->ds = r->es = __KERNEL_DS | 1;
}

static void run_once(struct lguest_cpu_pages *p)
{
	unsigned long flags, cr4;
	int cpu;

	local_irq_save(flags);
	cpu = smp_processor_id();
	load_direct_gdt(cpu);
	p->ro.host_cr3 = __read_cr3();
	native_store_gdt(&p->ro.host_gdt_desc);
	store_idt(&p->ro.host_idt_desc);
	cr4 = __read_cr4();
	if (cr4 & X86_CR4_PGE)
		cr4_update_irqsoff(0, X86_CR4_PGE);
	asm volatile("lcall *%[entry]"
		     : "+a" (p)
		     : [entry] "m" (lguest_entry)
		     : "ecx", "edx", "memory", "cc");
	if (cr4 & X86_CR4_PGE)
		cr4_update_irqsoff(X86_CR4_PGE, 0);
	load_fixmap_gdt(cpu);
	local_irq_restore(flags);
}

/*
 * A host interrupt arrived while the guest ran: the switcher brought the
 * vector back.  Run the host's handler for it as if the CPU had taken it
 * here, through a frame built by hand (the handler returns with iret).
 */
static void deliver_host_irq(struct lguest_cpu_pages *p, u32 vector)
{
	gate_desc *g = (gate_desc *)p->ro.host_idt_desc.address + vector;
	unsigned long handler = gate_offset(g);

	asm volatile("pushfl\n\t"
		     "pushl %%cs\n\t"
		     "call *%0"
		     : : "r" (handler) : "memory", "cc");
}

static int __init lgswitch_init(void)
{
	struct lguest_cpu_pages *p;
	struct desc_struct d;
	unsigned int i;
	int err = -ENOMEM;
	u32 trap1, eax1, trap2, eip2;

	BUILD_BUG_ON(sizeof(struct lguest_cpu_pages) > 2 * PAGE_SIZE);
	if (lguest_switcher_end - lguest_switcher_start > SWITCHER_TEXT_PAGES * PAGE_SIZE)
		return -E2BIG;
	pr_info("planned slot %#lx (LDT %#lx, vmalloc end %#lx)\n",
		(LDT_BASE_ADDR - SWITCHER_SLOT_SIZE) & ~(SWITCHER_SLOT_SIZE - 1UL),
		(unsigned long)LDT_BASE_ADDR, (unsigned long)VMALLOC_END);

	for (i = 0; i < SWITCHER_TEXT_PAGES; i++)
		text_pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
	rw_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	ro_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	pgdir_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	slot_pt_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	code_pt_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	code_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!rw_page || !ro_page || !pgdir_page || !slot_pt_page || !code_pt_page ||
	    !code_page || !text_pages[0] || !text_pages[1])
		goto out;
	for (i = 0; i < SWITCHER_TEXT_PAGES; i++)
		memcpy(page_address(text_pages[i]), lguest_switcher_start + i * PAGE_SIZE,
		       min_t(long, PAGE_SIZE, lguest_switcher_end - lguest_switcher_start - i * PAGE_SIZE));

	{
		struct page *all[SWITCHER_TEXT_PAGES + 2];

		for (i = 0; i < SWITCHER_TEXT_PAGES; i++)
			all[i] = text_pages[i];
		all[i++] = rw_page;
		all[i++] = ro_page;
		slot = (unsigned long)vmap(all, i, VM_MAP, PAGE_KERNEL_EXEC);
		if (!slot)
			goto out;
		if (pte_index(slot) + i > PTRS_PER_PTE) {
			pr_info("vmap straddles a 4 MB boundary, try again\n");
			err = -EAGAIN;
			goto unmap;
		}
	}
	pr_info("switcher at %#lx\n", slot);

	/* The switcher's segments in the host GDT. */
	memcpy(&d, &(u64){ seg(0, 0xfffff, 0x9b, 0xc) }, sizeof(d));
	write_gdt_entry(get_cpu_gdt_rw(0), GDT_ENTRY_LGUEST_CS, &d, DESCTYPE_S);
	memcpy(&d, &(u64){ seg(0, 0xfffff, 0x93, 0xc) }, sizeof(d));
	write_gdt_entry(get_cpu_gdt_rw(0), GDT_ENTRY_LGUEST_DS, &d, DESCTYPE_S);

	lguest_entry.offset = slot + (switch_to_guest - lguest_switcher_start);
	lguest_entry.segment = LGUEST_CS;
	setup_guest();
	p = (void *)(slot + SWITCHER_TEXT_PAGES * PAGE_SIZE);

	run_once(p);
	trap1 = p->rw.regs.trapnum;
	eax1 = p->rw.regs.eax;
	pr_info("first exit: trap %#x eax %u eip %#x cs %#x\n", trap1, eax1,
		p->rw.regs.eip, p->rw.regs.cs);
	run_once(p);
	trap2 = p->rw.regs.trapnum;
	eip2 = p->rw.regs.eip;
	pr_info("second exit: trap %#x eip %#x cs %#x\n", trap2, eip2, p->rw.regs.cs);

	err = (trap1 == 0x1f && eax1 == 42 && trap2 == 6 && eip2 == GUEST_CODE_VA + 7) ? 0 : -EIO;

	/* Interrupts on in the guest: host interrupts must come back. */
	p->rw.regs.eip = GUEST_CODE_VA + SPIN_OFFSET;
	p->rw.regs.eflags = X86_EFLAGS_FIXED | X86_EFLAGS_IF;
	{
		unsigned int exits = 0, irqs = 0;
		unsigned long flags;

		for (;;) {
			run_once(p);
			exits++;
			if (p->rw.regs.trapnum < LGUEST_FIRST_EXTERNAL_VECTOR)
				break;
			irqs++;
			local_irq_save(flags);
			deliver_host_irq(p, p->rw.regs.trapnum);
			local_irq_restore(flags);
		}
		pr_info("spin: %u exits, %u host interrupts, last trap %#x eax %#x\n",
			exits, irqs, p->rw.regs.trapnum, p->rw.regs.eax);
		if (p->rw.regs.trapnum != 0x1f || p->rw.regs.eax != SPIN_COUNT || !irqs)
			err = -EIO;
	}
	pr_info("%s\n", err ? "FAILED" : "world switch OK");
unmap:
	vunmap((void *)slot);
out:
	for (i = 0; i < SWITCHER_TEXT_PAGES; i++)
		if (text_pages[i])
			__free_page(text_pages[i]);
	if (rw_page)
		__free_page(rw_page);
	if (ro_page)
		__free_page(ro_page);
	if (pgdir_page)
		__free_page(pgdir_page);
	if (slot_pt_page)
		__free_page(slot_pt_page);
	if (code_pt_page)
		__free_page(code_pt_page);
	if (code_page)
		__free_page(code_page);
	return err ? err : -EAGAIN;
}
module_init(lgswitch_init);

MODULE_DESCRIPTION("lguest world-switch experiment");
MODULE_LICENSE("GPL");
