// SPDX-License-Identifier: GPL-2.0
/*
 * Prototype of the lguest host (wip): /dev/lguest, the run loop, shadow
 * page tables filled on demand from the guest's own 2-level tables in the
 * launcher's memory, trap and interrupt reflection, and the hypercalls.
 * Uniprocessor host; one guest runs at a time on it.
 */
#define pr_fmt(fmt) "lgproto: " fmt

#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/uaccess.h>
#include <linux/slab.h>
#include <linux/sched/signal.h>
#include <linux/io.h>
#include <linux/hrtimer.h>
#include <linux/timekeeping.h>
#include <asm/tsc.h>
#include <linux/sched.h>
#include <asm/desc.h>
#include <asm/tlbflush.h>
#include <asm/trap_pf.h>
#include <asm/trapnr.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/debugreg.h>
#include <asm/msr.h>
#include "lguest_layout.h"
#include "lguest_uapi.h"

extern char lguest_switcher_start[], lguest_switcher_end[];
extern char switch_to_guest[], lguest_trap_stubs[];

static unsigned long slot;
static struct page *text_pages[SWITCHER_TEXT_PAGES], *rw_page, *ro_page;
static struct lguest_cpu_pages *cpu_pages;
static struct {
	unsigned long offset;
	unsigned short segment;
} __packed lguest_entry;

/* Bits of a descriptor's access byte (bits 40-47 of the descriptor). */
#define DESC_ACCESSED	(1ULL << 40)
#define DESC_TYPE_RW	(1ULL << 41)	/* data: writable; code: readable */
#define DESC_TYPE_CODE	(1ULL << 43)
#define DESC_S		(1ULL << 44)
#define DESC_DPL_SHIFT	45
#define DESC_PRESENT	(1ULL << 47)
#define GATE_TRAP_TYPE	(1ULL << 40)	/* 0xf: trap gate; 0xe: interrupt gate */

struct lguest {
	struct mutex lock;
	bool initialized, dead, halted;
	unsigned long mem_base;		/* launcher address of gpa 0 */
	u32 mem_pages;
	u32 device_pages;		/* just above RAM */
	u32 guest_pgdir;		/* gpa of the guest's page directory */
	struct lguest_regs regs;
	u32 cr2;
	u32 ss1, esp1;			/* LHCALL_SET_STACK */
	struct page *shadow_pgdir;	/* host page: the guest's real cr3 */
	struct page *shadow_pt[PTRS_PER_PGD];
	struct page *slot_pt;
	struct page **pinned;		/* per guest pfn, or NULL */
	int exit_reason;
	char dead_msg[LGUEST_MSG_LEN];
	u64 idt[IDT_ENTRIES];		/* the guest's own gates */
	u64 gdt[GDT_ENTRIES];		/* its descriptors, as the CPU sees them */
	u32 data_gpa;			/* struct lguest_data, or 0 */
	u32 noirq_start, noirq_end;
	unsigned long irqs_pending;	/* bitmap of LGUEST_IRQS */
	struct hrtimer timer;		/* the guest's clockevent: irq 0 */
	wait_queue_head_t irq_wq;	/* a halted guest waits here */
	unsigned long stat_exits, stat_faults, stat_hcalls, stat_irqs;
	/* The guest's x87/SSE registers (it sees no XSAVE), its own. */
	struct fxregs_state fpu __aligned(16);
};

/* Which guest's tables are in the switcher pages now. */
static struct lguest *loaded_guest;

static void kill_guest(struct lguest *lg, const char *fmt, ...)
{
	va_list ap;

	if (lg->dead)
		return;
	va_start(ap, fmt);
	vsnprintf(lg->dead_msg, sizeof(lg->dead_msg), fmt, ap);
	va_end(ap);
	lg->exit_reason = LGUEST_EXIT_KILLED;
	lg->dead = true;
}

static enum hrtimer_restart clockevent_fired(struct hrtimer *timer)
{
	struct lguest *lg = container_of(timer, struct lguest, timer);

	set_bit(0, &lg->irqs_pending);
	wake_up(&lg->irq_wq);
	return HRTIMER_NORESTART;
}

/* Guest memory through the launcher's mapping: gpa must be in RAM. */
static void __user *gpa_user(struct lguest *lg, u32 gpa, u32 len)
{
	if (gpa >= lg->mem_pages * PAGE_SIZE || len > lg->mem_pages * PAGE_SIZE - gpa)
		return NULL;
	return (void __user *)(lg->mem_base + gpa);
}

static bool read_gpa(struct lguest *lg, u32 gpa, u32 *val)
{
	u32 __user *p = gpa_user(lg, gpa, 4);

	if (!p || (gpa & 3)) {
		kill_guest(lg, "bad guest-physical address %#x", gpa);
		return false;
	}
	if (get_user(*val, p)) {
		kill_guest(lg, "cannot read guest memory at %#x", gpa);
		return false;
	}
	return true;
}

static bool write_gpa(struct lguest *lg, u32 gpa, u32 val)
{
	u32 __user *p = gpa_user(lg, gpa, 4);

	if (!p || (gpa & 3) || put_user(val, p)) {
		kill_guest(lg, "cannot write guest memory at %#x", gpa);
		return false;
	}
	return true;
}

static u32 read_data(struct lguest *lg, size_t off)
{
	u32 v = 0;

	if (lg->data_gpa)
		read_gpa(lg, lg->data_gpa + off, &v);
	return v;
}

static void write_data(struct lguest *lg, size_t off, u32 v)
{
	if (lg->data_gpa)
		write_gpa(lg, lg->data_gpa + off, v);
}

#define READ_DATA(lg, f)	read_data(lg, offsetof(struct lguest_data, f))
#define WRITE_DATA(lg, f, v)	write_data(lg, offsetof(struct lguest_data, f), v)

static u64 seg(u32 base, u32 limit, u32 access, u32 flags)
{
	return (u64)(limit & 0xffff) | ((u64)(base & 0xffffff) << 16) |
	       ((u64)access << 40) | ((u64)((limit >> 16) & 0xf) << 48) |
	       ((u64)flags << 52) | ((u64)(base >> 24) << 56);
}

static u64 stub_gate(unsigned int vector, u32 dpl)
{
	u32 handler = slot + (lguest_trap_stubs - lguest_switcher_start) + 16 * vector;

	return (u64)(handler & 0xffff) | ((u64)LGUEST_CS << 16) |
	       ((u64)(0x8e | (dpl << 5)) << 40) | ((u64)(handler >> 16) << 48);
}

static struct page *pin_guest_page(struct lguest *lg, u32 pfn)
{
	struct page *page;

	if (pfn >= lg->mem_pages + lg->device_pages) {
		kill_guest(lg, "guest pfn %#x beyond its memory", pfn);
		return NULL;
	}
	if (lg->pinned[pfn])
		return lg->pinned[pfn];
	if (pin_user_pages_fast(lg->mem_base + pfn * PAGE_SIZE, 1, FOLL_WRITE, &page) != 1) {
		kill_guest(lg, "cannot pin guest pfn %#x", pfn);
		return NULL;
	}
	lg->pinned[pfn] = page;
	return page;
}

/* Forget every shadow mapping but the switcher's: the guest changed its tables. */
static void flush_shadow(struct lguest *lg)
{
	u32 *spd = page_address(lg->shadow_pgdir);
	unsigned int i;

	for (i = 0; i < PTRS_PER_PGD; i++) {
		if (!lg->shadow_pt[i])
			continue;
		spd[i] = 0;
		__free_page(lg->shadow_pt[i]);
		lg->shadow_pt[i] = NULL;
	}
}

static void flush_shadow_one(struct lguest *lg, u32 vaddr)
{
	struct page *pt = lg->shadow_pt[vaddr >> PGDIR_SHIFT];

	if (pt)
		((u32 *)page_address(pt))[(vaddr >> PAGE_SHIFT) & 1023] = 0;
}

/*
 * Walk the guest's tables for vaddr: its pde and pte (and the pte's
 * address), or false if the page is not present.  A large page kills
 * the guest: it was told there are none.
 */
static bool guest_walk(struct lguest *lg, u32 vaddr, u32 *pde, u32 *pte, u32 *pte_gpa)
{
	if (!read_gpa(lg, lg->guest_pgdir + (vaddr >> PGDIR_SHIFT) * 4, pde) ||
	    !(*pde & _PAGE_PRESENT))
		return false;
	if (*pde & _PAGE_PSE) {
		kill_guest(lg, "large page at %#x", vaddr);
		return false;
	}
	*pte_gpa = (*pde & PAGE_MASK) + ((vaddr >> PAGE_SHIFT) & 1023) * 4;
	return read_gpa(lg, *pte_gpa, pte) && (*pte & _PAGE_PRESENT);
}

/* The launcher's address of a guest virtual address, or 0. */
static unsigned long guest_va_to_user(struct lguest *lg, u32 vaddr, bool write)
{
	u32 pde, pte, pte_gpa;

	if (!guest_walk(lg, vaddr, &pde, &pte, &pte_gpa) ||
	    (write && !(pte & pde & _PAGE_RW)) || (pte >> PAGE_SHIFT) >= lg->mem_pages)
		return 0;
	return lg->mem_base + (pte & PAGE_MASK) + (vaddr & ~PAGE_MASK);
}

static bool push_guest(struct lguest *lg, u32 *sp, u32 val)
{
	unsigned long uaddr;

	*sp -= 4;
	uaddr = guest_va_to_user(lg, *sp, true);
	if (!uaddr || put_user(val, (u32 __user *)uaddr)) {
		kill_guest(lg, "cannot push a frame for trap %u (eip %#x) at %#x",
			   lg->regs.trapnum, lg->regs.eip, *sp);
		return false;
	}
	return true;
}

/*
 * Deliver a trap or interrupt through the guest's IDT exactly as the CPU
 * would to a ring-1 handler: from user mode onto the stack the guest gave
 * with LHCALL_SET_STACK (pushing its ss:esp), from ring 1 onto the current
 * stack; the pushed eflags carry the virtual IF, which an interrupt gate
 * then clears.
 */
static bool reflect_trap(struct lguest *lg, u32 vector, bool has_err)
{
	u64 g = lg->idt[vector];
	u32 sp, ss, eflags, virt_if = READ_DATA(lg, irq_enabled) & X86_EFLAGS_IF;

	if (lg->dead)
		return false;
	if (!(g & DESC_PRESENT)) {
		kill_guest(lg, "trap %u at eip %#x with no guest handler (cr2 %#x)", vector,
			   lg->regs.eip, lg->cr2);
		return false;
	}
	eflags = (lg->regs.eflags & ~X86_EFLAGS_IF) | virt_if;
	if ((lg->regs.cs & SEGMENT_RPL_MASK) == USER_RPL) {
		if (!lg->esp1) {
			kill_guest(lg, "trap %u from user mode before LHCALL_SET_STACK", vector);
			return false;
		}
		sp = lg->esp1;
		ss = lg->ss1;
		if (!push_guest(lg, &sp, lg->regs.ss) || !push_guest(lg, &sp, lg->regs.esp))
			return false;
	} else {
		sp = lg->regs.esp;
		ss = lg->regs.ss;
	}
	if (!push_guest(lg, &sp, eflags) || !push_guest(lg, &sp, lg->regs.cs) ||
	    !push_guest(lg, &sp, lg->regs.eip) ||
	    (has_err && !push_guest(lg, &sp, lg->regs.errcode)))
		return false;
	lg->regs.ss = ss;
	lg->regs.esp = sp;
	lg->regs.eip = (u32)(g & 0xffff) | (u32)((g >> 32) & 0xffff0000);
	lg->regs.cs = ((g >> 16) & 0xfffc) | 1;
	lg->regs.eflags &= ~(X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF);
	if (!(g & GATE_TRAP_TYPE))
		WRITE_DATA(lg, irq_enabled, 0);
	return !lg->dead;
}

/* The vectors the CPU pushes an error code for (the switcher's stubs agree). */
static bool has_errcode(u32 trap)
{
	return trap == X86_TRAP_DF || (trap >= X86_TRAP_TS && trap <= X86_TRAP_PF) ||
	       trap == X86_TRAP_AC || trap == X86_TRAP_CP || trap == X86_TRAP_VC || trap == 30;
}

/* An irq the guest has not masked, or -1. */
static int pending_irq(struct lguest *lg)
{
	unsigned long avail = lg->irqs_pending;

	if (!avail)
		return -1;
	avail &= ~(unsigned long)READ_DATA(lg, blocked_interrupts[0]);
	return avail ? __ffs(avail) : -1;
}

/*
 * Deliver the lowest pending virtual irq if the guest takes interrupts
 * (virtual IF set, not in its iret's no-interrupt window).
 */
static void maybe_deliver_irq(struct lguest *lg)
{
	int irq = pending_irq(lg);

	WRITE_DATA(lg, irq_pending, irq >= 0);
	if (irq < 0 || !(READ_DATA(lg, irq_enabled) & X86_EFLAGS_IF))
		return;
	if (lg->regs.eip >= lg->noirq_start && lg->regs.eip < lg->noirq_end)
		return;
	clear_bit(irq, &lg->irqs_pending);
	lg->stat_irqs++;
	lg->halted = false;
	reflect_trap(lg, FIRST_EXTERNAL_VECTOR + irq, false);
}

/*
 * A guest page fault: fill the shadow entry from the guest's tables,
 * setting the accessed (and, for a write, dirty) bits there as the CPU
 * would.  The shadow entry is writable only once the guest's is dirty.
 */
static bool demand_page(struct lguest *lg, u32 vaddr, u32 errcode)
{
	u32 pde, pte, pte_gpa, idx = vaddr >> PGDIR_SHIFT;
	bool write = errcode & X86_PF_WRITE;
	u32 *spt, flags;
	struct page *page;

	if (idx == (slot >> PGDIR_SHIFT)) {
		kill_guest(lg, "access to the switcher slot at %#x (eip %#x)", vaddr, lg->regs.eip);
		return false;
	}
	if (!guest_walk(lg, vaddr, &pde, &pte, &pte_gpa))
		return false;
	if (write && !(pte & pde & _PAGE_RW))
		return false;
	if ((errcode & X86_PF_USER) && !(pte & pde & _PAGE_USER))
		return false;
	page = pin_guest_page(lg, pte >> PAGE_SHIFT);
	if (!page)
		return false;
	if (!(pde & _PAGE_ACCESSED) &&
	    !write_gpa(lg, lg->guest_pgdir + idx * 4, pde | _PAGE_ACCESSED))
		return false;
	pte |= _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0);
	if (!write_gpa(lg, pte_gpa, pte))
		return false;
	if (!lg->shadow_pt[idx]) {
		lg->shadow_pt[idx] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!lg->shadow_pt[idx]) {
			kill_guest(lg, "out of memory for shadow page tables");
			return false;
		}
		((u32 *)page_address(lg->shadow_pgdir))[idx] =
			page_to_phys(lg->shadow_pt[idx]) | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER;
	}
	flags = _PAGE_PRESENT | (pte & pde & _PAGE_USER);
	if ((pte & pde & _PAGE_RW) && (pte & _PAGE_DIRTY))
		flags |= _PAGE_RW;
	spt = page_address(lg->shadow_pt[idx]);
	spt[(vaddr >> PAGE_SHIFT) & 1023] = page_to_phys(page) | flags;
	return true;
}

/*
 * A guest descriptor as the CPU may see it: no system descriptors, nothing
 * more privileged than ring 1, and the accessed bit already set (the CPU
 * would otherwise write it into the read-only GDT page).
 */
static bool fix_descriptor(struct lguest *lg, unsigned int entry, u64 *d)
{
	if (!(*d & DESC_PRESENT))
		return true;
	if (!(*d & DESC_S)) {
		kill_guest(lg, "system descriptor in GDT entry %u", entry);
		return false;
	}
	if (!((*d >> DESC_DPL_SHIFT) & 3))
		*d |= 1ULL << DESC_DPL_SHIFT;
	*d |= DESC_ACCESSED;
	return true;
}

/* Entries the host owns: the switcher's segments and the TSSes. */
static bool host_gdt_entry(unsigned int entry)
{
	return entry == GDT_ENTRY_LGUEST_CS || entry == GDT_ENTRY_LGUEST_DS ||
	       entry == GDT_ENTRY_TSS || entry == GDT_ENTRY_DOUBLEFAULT_TSS;
}

static void load_gdt_entry(struct lguest *lg, u32 entry, u64 d)
{
	if (entry >= GDT_ENTRIES) {
		kill_guest(lg, "bad GDT entry %u", entry);
		return;
	}
	if (host_gdt_entry(entry) || !fix_descriptor(lg, entry, &d))
		return;
	lg->gdt[entry] = d;
	loaded_guest = NULL;
}

static void load_tls(struct lguest *lg, u32 gpa)
{
	u64 tls[GDT_ENTRY_TLS_ENTRIES];
	void __user *p = gpa_user(lg, gpa, sizeof(tls));
	unsigned int i;

	if (!p || copy_from_user(tls, p, sizeof(tls))) {
		kill_guest(lg, "bad TLS array at %#x", gpa);
		return;
	}
	for (i = 0; i < GDT_ENTRY_TLS_ENTRIES; i++)
		load_gdt_entry(lg, GDT_ENTRY_TLS_MIN + i, tls[i]);
}

/*
 * The switcher's gate for a vector mirrors the guest's gate's privilege:
 * "int $0x80" from user mode must reach the stub, not fault.
 */
static void load_idt_entry(struct lguest *lg, u32 entry, u64 g)
{
	if (entry >= IDT_ENTRIES || entry == LGUEST_TRAP_ENTRY) {
		kill_guest(lg, "bad IDT entry %u", entry);
		return;
	}
	/* A task gate (the 32-bit #DF handler) cannot work here: no handler. */
	if ((g & DESC_PRESENT) && ((g >> 40) & 0x1f) == 0x05)
		g = 0;
	if ((g & DESC_PRESENT) && ((g >> 40) & 0x16) != 0x06) {
		kill_guest(lg, "IDT entry %u is not an interrupt or trap gate", entry);
		return;
	}
	lg->idt[entry] = g;
	loaded_guest = NULL;
}

static void setup_guest_tables(struct lguest *lg)
{
	struct lguest_ro_page *ro = &cpu_pages->ro;
	u64 *gdt = (u64 *)ro->guest_gdt, *idt = (u64 *)ro->guest_idt;
	unsigned int i;

	memcpy(gdt, lg->gdt, sizeof(lg->gdt));
	gdt[GDT_ENTRY_LGUEST_CS] = seg(0, 0xfffff, 0x9b, 0xc);
	gdt[GDT_ENTRY_LGUEST_DS] = seg(0, 0xfffff, 0x93, 0xc);
	gdt[GDT_ENTRY_TSS] = seg((u32)&ro->guest_tss, sizeof(ro->guest_tss) - 1, 0x89, 0);
	gdt[GDT_ENTRY_DOUBLEFAULT_TSS] = 0;
	for (i = 0; i < IDT_ENTRIES; i++) {
		u32 dpl = (lg->idt[i] & DESC_PRESENT) ? (lg->idt[i] >> DESC_DPL_SHIFT) & 3 : 0;

		/*
		 * Only the exception vectors and the system call vector may
		 * be raised by "int" from the guest: the host never sees a
		 * hardware interrupt on those, so a trap on any other vector
		 * is the host's own interrupt.
		 */
		if (i == LGUEST_TRAP_ENTRY)
			dpl = 1;
		else if (dpl != 3 || (i >= FIRST_EXTERNAL_VECTOR && i != IA32_SYSCALL_VECTOR))
			dpl = 0;
		idt[i] = stub_gate(i, dpl);
	}
	loaded_guest = lg;
}

static void setup_shared_pages(void)
{
	struct lguest_ro_page *ro = &cpu_pages->ro;

	ro->guest_tss.ss0 = LGUEST_DS;
	ro->guest_tss.sp0 = (u32)(&cpu_pages->rw.regs + 1);
	ro->guest_tss.io_bitmap_base = sizeof(ro->guest_tss);
	ro->guest_gdt_desc.size = GDT_ENTRIES * 8 - 1;
	ro->guest_gdt_desc.address = (unsigned long)ro->guest_gdt;
	ro->guest_idt_desc.size = IDT_ENTRIES * 8 - 1;
	ro->guest_idt_desc.address = (unsigned long)ro->guest_idt;
}

/*
 * Is this selector one the switcher can load for the guest?  Anything
 * else would fault in ring 0 on the way in.
 */
static bool selector_ok(struct lguest *lg, u32 sel, bool null_ok)
{
	u64 d;

	if (sel > 0xffff || (sel & SEGMENT_TI_MASK))
		return false;
	if (sel < 4)
		return null_ok;
	d = lg->gdt[sel >> 3];
	if (host_gdt_entry(sel >> 3) || !(d & DESC_PRESENT) || !(d & DESC_S))
		return false;
	/* Data segments: readable, and DPL at least the selector's RPL. */
	if ((d & DESC_TYPE_CODE) && !(d & DESC_TYPE_RW))
		return false;
	return ((d >> DESC_DPL_SHIFT) & 3) >= (sel & 3);
}

/* cs and ss must match each other's ring, 1 or 3. */
static bool check_segments(struct lguest *lg)
{
	struct lguest_regs *r = &lg->regs;
	u32 rpl = r->cs & SEGMENT_RPL_MASK;
	u64 cs = lg->gdt[(r->cs & 0xffff) >> 3], ss = lg->gdt[(r->ss & 0xffff) >> 3];

	if (r->cs > 0xffff || r->ss > 0xffff || (r->cs & SEGMENT_TI_MASK) ||
	    (r->ss & SEGMENT_TI_MASK) || r->cs < 4 || r->ss < 4 ||
	    (rpl != 1 && rpl != USER_RPL) || (r->ss & SEGMENT_RPL_MASK) != rpl ||
	    host_gdt_entry(r->cs >> 3) || host_gdt_entry(r->ss >> 3) ||
	    !(cs & DESC_PRESENT) || !(cs & DESC_S) || !(cs & DESC_TYPE_CODE) ||
	    ((cs >> DESC_DPL_SHIFT) & 3) != rpl ||
	    !(ss & DESC_PRESENT) || !(ss & DESC_S) || (ss & DESC_TYPE_CODE) ||
	    !(ss & DESC_TYPE_RW) || ((ss >> DESC_DPL_SHIFT) & 3) != rpl) {
		kill_guest(lg, "bad code or stack segment %#x:%#x", r->cs, r->ss);
		return false;
	}
	/* Data segments the CPU would refuse become null, as iret does. */
	if (!selector_ok(lg, r->ds, true))
		r->ds = 0;
	if (!selector_ok(lg, r->es, true))
		r->es = 0;
	if (!selector_ok(lg, r->fs, true))
		r->fs = 0;
	if (!selector_ok(lg, r->gs, true))
		r->gs = 0;
	r->eflags = (r->eflags | X86_EFLAGS_IF | X86_EFLAGS_FIXED) &
		    ~(X86_EFLAGS_IOPL | X86_EFLAGS_VM | X86_EFLAGS_NT);
	return true;
}

static void deliver_host_irq(u32 vector)
{
	gate_desc *g = (gate_desc *)cpu_pages->ro.host_idt_desc.address + vector;

	asm volatile("pushfl\n\tpushl %%cs\n\tcall *%0"
		     : : "r" (gate_offset(g)) : "memory", "cc");
}

/*
 * Enter the guest once, interrupts off; return with its trap.  The
 * switcher runs the guest with CR4 less PGE (the host's global mappings
 * must not survive into the guest's address space), SMEP and SMAP (the
 * guest kernel is "supervisor" to the MMU and touches its user pages
 * freely); SYSENTER is disarmed and host breakpoints are off meanwhile.
 */
static void run_guest_once(struct lguest *lg)
{
	int cpu = smp_processor_id();
	struct lguest_cpu_pages *p = cpu_pages;
	u64 sysenter_cs = 0;

	if (loaded_guest != lg)
		setup_guest_tables(lg);
	p->rw.regs = lg->regs;
	p->ro.guest_cr3 = page_to_phys(lg->shadow_pgdir);
	if (boot_cpu_has(X86_FEATURE_SEP)) {
		rdmsrl(MSR_IA32_SYSENTER_CS, sysenter_cs);
		wrmsrl(MSR_IA32_SYSENTER_CS, 0);
	}
	if (hw_breakpoint_active())
		set_debugreg(0, 7);
	load_direct_gdt(cpu);
	p->ro.host_cr3 = __read_cr3();
	native_store_gdt(&p->ro.host_gdt_desc);
	store_idt(&p->ro.host_idt_desc);
	p->ro.host_cr4 = __read_cr4();
	p->ro.guest_cr4 = p->ro.host_cr4 & ~(X86_CR4_PGE | X86_CR4_SMEP | X86_CR4_SMAP);
	asm volatile("lcall *%[entry]" : "+a" (p) : [entry] "m" (lguest_entry)
		     : "ecx", "edx", "memory", "cc");
	lg->cr2 = read_cr2();
	load_fixmap_gdt(cpu);
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	if (sysenter_cs)
		wrmsrl(MSR_IA32_SYSENTER_CS, sysenter_cs);
	lg->regs = cpu_pages->rw.regs;
}

/*
 * Port I/O from the guest kernel: there are no ports.  "in" reads all
 * ones and "out" is dropped, as on a bus with nothing behind it; the
 * string forms and anything else are left to the guest's #GP handler.
 */
static bool emulate_port_io(struct lguest *lg)
{
	unsigned long uaddr = guest_va_to_user(lg, lg->regs.eip, false);
	u8 op;
	u32 len = 1, size = 4;

	if ((lg->regs.cs & SEGMENT_RPL_MASK) != 1 || !uaddr || get_user(op, (u8 __user *)uaddr))
		return false;
	if (op == 0x66) {
		size = 2;
		if (get_user(op, (u8 __user *)uaddr + 1))
			return false;
		len = 2;
	}
	switch (op) {
	case 0xe4: case 0xe6:		/* in/out al, imm8 */
		size = 1;
		fallthrough;
	case 0xe5: case 0xe7:		/* in/out (e)ax, imm8 */
		len++;
		break;
	case 0xec: case 0xee:		/* in/out al, dx */
		size = 1;
		break;
	case 0xed: case 0xef:		/* in/out (e)ax, dx */
		break;
	case 0xf4:			/* hlt */
		if (len != 1)
			return false;
		lg->halted = true;
		lg->regs.eip += 1;
		return true;
	default:
		return false;
	}
	if (!(op & 2)) {
		u32 mask = size == 4 ? ~0U : (1U << (size * 8)) - 1;

		lg->regs.eax |= mask;
	}
	lg->regs.eip += len;
	return true;
}

static void guest_crashed(struct lguest *lg, u32 gpa)
{
	char msg[LGUEST_MSG_LEN - 16];
	void __user *p = gpa_user(lg, gpa, 1);
	long n = -EFAULT;

	if (p)
		n = strncpy_from_user(msg, p, min_t(u32, sizeof(msg) - 1,
						      lg->mem_pages * PAGE_SIZE - gpa));
	if (n < 0)
		n = 0;
	msg[n] = 0;
	while (n && msg[n - 1] == '\n')
		msg[--n] = 0;
	kill_guest(lg, "guest panic: %s", msg);
	lg->exit_reason = LGUEST_EXIT_CRASH;
}

/* A hypercall: 0 to go on running the guest, or an exit for the launcher. */
static int do_hcall(struct lguest *lg, struct lguest_exit *ex)
{
	struct lguest_regs *r = &lg->regs;

	lg->stat_hcalls++;
	switch (r->eax) {
	case LHCALL_CONSOLE_WRITE:
		if (r->ecx > PAGE_SIZE || !gpa_user(lg, r->ebx, r->ecx)) {
			kill_guest(lg, "bad console write %#x+%u", r->ebx, r->ecx);
			return 0;
		}
		ex->reason = LGUEST_EXIT_CONSOLE;
		ex->arg = (u64)r->ebx << 32 | r->ecx;
		return 1;
	case LHCALL_NOTIFY:
		ex->reason = LGUEST_EXIT_NOTIFY;
		ex->arg = r->ebx;
		return 1;
	case LHCALL_LOAD_IDT_ENTRY:
		load_idt_entry(lg, r->ebx, (u64)r->edx << 32 | r->ecx);
		return 0;
	case LHCALL_LOAD_GDT_ENTRY:
		load_gdt_entry(lg, r->ebx, (u64)r->edx << 32 | r->ecx);
		return 0;
	case LHCALL_LOAD_TLS:
		load_tls(lg, r->ebx);
		return 0;
	case LHCALL_SET_STACK:
		if ((r->ebx & SEGMENT_RPL_MASK) != 1 || !selector_ok(lg, r->ebx, false)) {
			kill_guest(lg, "bad kernel stack segment %#x", r->ebx);
			return 0;
		}
		lg->ss1 = r->ebx;
		lg->esp1 = r->ecx;
		return 0;
	case LHCALL_LGUEST_INIT:
		if (lg->data_gpa || (r->ebx & 3) || !gpa_user(lg, r->ebx, sizeof(struct lguest_data))) {
			kill_guest(lg, "bad lguest_data address %#x", r->ebx);
			return 0;
		}
		lg->data_gpa = r->ebx;
		WRITE_DATA(lg, tsc_khz, tsc_khz);
		WRITE_DATA(lg, reserve_mem, -slot);
		WRITE_DATA(lg, device_base, lg->mem_pages * PAGE_SIZE);
		WRITE_DATA(lg, device_pages, lg->device_pages);
		{
			u64 now = ktime_get_real_ns();

			write_data(lg, offsetof(struct lguest_data, wallclock_ns), (u32)now);
			write_data(lg, offsetof(struct lguest_data, wallclock_ns) + 4, now >> 32);
		}
		return 0;
	case LHCALL_SET_CLOCKEVENT:
		if (r->ebx)
			hrtimer_start(&lg->timer, ns_to_ktime(r->ebx), HRTIMER_MODE_REL);
		else
			hrtimer_cancel(&lg->timer);
		return 0;
	case LHCALL_NEW_PGTABLE:
		if ((r->ebx & ~PAGE_MASK) || r->ebx >= lg->mem_pages * PAGE_SIZE) {
			kill_guest(lg, "bad page directory %#x", r->ebx);
			return 0;
		}
		lg->guest_pgdir = r->ebx;
		flush_shadow(lg);
		return 0;
	case LHCALL_FLUSH_TLB:
		if (r->ebx == LGUEST_FLUSH_ONE)
			flush_shadow_one(lg, r->ecx);
		else
			flush_shadow(lg);
		return 0;
	case LHCALL_HALT:
		lg->halted = true;
		return 0;
	case LHCALL_SEND_INTERRUPTS:
		return 0;
	case LHCALL_CRASH:
		guest_crashed(lg, r->ebx);
		return 0;
	case LHCALL_SHUTDOWN:
		ex->reason = r->ebx == LGUEST_SHUTDOWN_RESTART ?
			     LGUEST_EXIT_RESTART : LGUEST_EXIT_POWEROFF;
		lg->dead = true;
		snprintf(lg->dead_msg, sizeof(lg->dead_msg), "powered off");
		return 1;
	default:
		kill_guest(lg, "unknown hypercall %u", r->eax);
		return 0;
	}
}

/* Sleep until an interrupt the guest would take arrives, or a signal. */
static void wait_halted(struct lguest *lg)
{
	if (!wait_event_interruptible(lg->irq_wq, pending_irq(lg) >= 0 || lg->dead))
		lg->halted = false;
}

static void handle_trap(struct lguest *lg)
{
	u32 trap = lg->regs.trapnum;

	lg->stat_exits++;
	switch (trap) {
	case X86_TRAP_PF:
		lg->stat_faults++;
		if (demand_page(lg, lg->cr2, lg->regs.errcode) || lg->dead)
			return;
		WRITE_DATA(lg, cr2, lg->cr2);
		break;
	case X86_TRAP_GP:
		if (emulate_port_io(lg))
			return;
		break;
	case X86_TRAP_NMI:
	case X86_TRAP_MC:
		kill_guest(lg, "host exception %u while the guest ran", trap);
		return;
	}
	reflect_trap(lg, trap, has_errcode(trap));
}

static ssize_t lg_read(struct file *file, char __user *ubuf, size_t len, loff_t *off)
{
	struct lguest *lg = file->private_data;
	struct lguest_exit ex = { };
	ssize_t ret = sizeof(ex);

	if (len < sizeof(ex))
		return -EINVAL;
	mutex_lock(&lg->lock);
	if (!lg->initialized) {
		ret = -ENOENT;
		goto out;
	}
	while (!lg->dead) {
		if (signal_pending(current)) {
			ret = -EINTR;
			goto out;
		}
		cond_resched();
		if (lg->halted)
			wait_halted(lg);
		maybe_deliver_irq(lg);
		if (lg->dead || lg->halted)
			continue;
		if (!check_segments(lg))
			break;

		/*
		 * The FPU is the guest's while it runs: kernel_fpu_begin()
		 * puts the launcher's user state away (it comes back on
		 * the way out to user mode), host interrupt handlers keep
		 * their hands off, and the guest's registers go back to
		 * its own save area before anything else can run.
		 */
		kernel_fpu_begin();
		asm volatile("fxrstor %0" : : "m" (lg->fpu));
		local_irq_disable();
		run_guest_once(lg);
		asm volatile("fxsave %0" : "=m" (lg->fpu));
		if (lg->regs.trapnum >= FIRST_EXTERNAL_VECTOR &&
		    lg->regs.trapnum != IA32_SYSCALL_VECTOR) {
			deliver_host_irq(lg->regs.trapnum);
			local_irq_enable();
			kernel_fpu_end();
			continue;
		}
		local_irq_enable();
		kernel_fpu_end();

		if (lg->regs.trapnum == LGUEST_TRAP_ENTRY) {
			if (do_hcall(lg, &ex))
				goto copy;
		} else {
			handle_trap(lg);
		}
	}
	ex.reason = lg->exit_reason;
	strscpy(ex.message, lg->dead_msg, sizeof(ex.message));
copy:
	if (copy_to_user(ubuf, &ex, sizeof(ex)))
		ret = -EFAULT;
out:
	mutex_unlock(&lg->lock);
	return ret;
}

static ssize_t lg_initialize(struct lguest *lg, const char __user *ubuf, size_t len)
{
	struct lguest_init init;
	u32 *spd;
	unsigned int i;

	if (len != sizeof(init))
		return -EINVAL;
	if (copy_from_user(&init, ubuf, sizeof(init)))
		return -EFAULT;
	if (init.version != LGUEST_ABI_VERSION)
		return -EPROTO;
	if (init.flags || memchr_inv(init.reserved, 0, sizeof(init.reserved)))
		return -EINVAL;
	if (!init.mem_pages || init.mem_pages > (1U << 20) / 4 * 3 ||
	    init.device_pages > LGUEST_MAX_DEVICE_PAGES ||
	    (init.mem_base & ~PAGE_MASK) || init.mem_base >= TASK_SIZE ||
	    init.mem_base + ((u64)init.mem_pages + init.device_pages) * PAGE_SIZE > TASK_SIZE ||
	    init.pgdir >= init.mem_pages * PAGE_SIZE || (init.pgdir & ~PAGE_MASK))
		return -EINVAL;
	if (lg->initialized)
		return -EBUSY;

	lg->pinned = kvcalloc(init.mem_pages + init.device_pages, sizeof(*lg->pinned),
			      GFP_KERNEL);
	lg->shadow_pgdir = alloc_page(GFP_KERNEL | __GFP_ZERO);
	lg->slot_pt = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!lg->pinned || !lg->shadow_pgdir || !lg->slot_pt)
		return -ENOMEM;	/* freed on release */
	/* The switcher in the guest: text and host state read-only. */
	spd = page_address(lg->slot_pt);
	for (i = 0; i < SWITCHER_TEXT_PAGES; i++)
		spd[pte_index(slot) + i] = page_to_phys(text_pages[i]) | _PAGE_PRESENT;
	spd[pte_index(slot) + i] = page_to_phys(rw_page) | _PAGE_PRESENT | _PAGE_RW;
	spd[pte_index(slot) + i + 1] = page_to_phys(ro_page) | _PAGE_PRESENT;
	((u32 *)page_address(lg->shadow_pgdir))[slot >> PGDIR_SHIFT] =
		page_to_phys(lg->slot_pt) | _PAGE_PRESENT | _PAGE_RW;

	lg->mem_base = init.mem_base;
	lg->mem_pages = init.mem_pages;
	lg->device_pages = init.device_pages;
	lg->guest_pgdir = init.pgdir;
	/* Until the guest loads its own: flat ring-1 kernel segments. */
	lg->gdt[GDT_ENTRY_KERNEL_CS] = seg(0, 0xfffff, 0xbb, 0xc);
	lg->gdt[GDT_ENTRY_KERNEL_DS] = seg(0, 0xfffff, 0xb3, 0xc);
	memset(&lg->regs, 0, sizeof(lg->regs));
	lg->regs.eip = init.start;
	lg->regs.esi = init.boot_params;
	lg->regs.cs = __KERNEL_CS | 1;
	lg->regs.eflags = X86_EFLAGS_FIXED | X86_EFLAGS_IF;
	lg->regs.ss = lg->regs.ds = lg->regs.es = __KERNEL_DS | 1;
	/* The FPU as after FNINIT, SSE exceptions masked. */
	memset(&lg->fpu, 0, sizeof(lg->fpu));
	lg->fpu.cwd = 0x37f;
	lg->fpu.mxcsr = MXCSR_DEFAULT;
	lg->initialized = true;
	return len;
}

static ssize_t lg_write(struct file *file, const char __user *ubuf, size_t len, loff_t *off)
{
	struct lguest *lg = file->private_data;
	u32 req[2];
	ssize_t ret;

	if (len < sizeof(req))
		return -EINVAL;
	if (copy_from_user(req, ubuf, sizeof(req)))
		return -EFAULT;
	if (req[0] == LHREQ_IRQ) {
		/* No lock: the guest may be running; the bitmap is atomic. */
		if (len != sizeof(struct lguest_irq))
			return -EINVAL;
		if (req[1] >= LGUEST_IRQS)
			return -EINVAL;
		set_bit(req[1], &lg->irqs_pending);
		wake_up(&lg->irq_wq);
		return len;
	}
	if (req[0] != LHREQ_INITIALIZE)
		return -EINVAL;
	mutex_lock(&lg->lock);
	ret = lg_initialize(lg, ubuf, len);
	mutex_unlock(&lg->lock);
	return ret;
}

static int lg_open(struct inode *inode, struct file *file)
{
	struct lguest *lg = kzalloc(sizeof(*lg), GFP_KERNEL);

	if (!lg)
		return -ENOMEM;
	mutex_init(&lg->lock);
	init_waitqueue_head(&lg->irq_wq);
	hrtimer_init(&lg->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	lg->timer.function = clockevent_fired;
	file->private_data = lg;
	return 0;
}

static int lg_release(struct inode *inode, struct file *file)
{
	struct lguest *lg = file->private_data;
	unsigned int i;

	hrtimer_cancel(&lg->timer);
	if (loaded_guest == lg)
		loaded_guest = NULL;
	if (lg->initialized)
		pr_info("guest exits %lu (page faults %lu, hypercalls %lu), irqs %lu\n",
			lg->stat_exits + lg->stat_hcalls, lg->stat_faults, lg->stat_hcalls,
			lg->stat_irqs);
	if (lg->pinned)
		for (i = 0; i < lg->mem_pages + lg->device_pages; i++)
			if (lg->pinned[i])
				unpin_user_page(lg->pinned[i]);
	kvfree(lg->pinned);
	for (i = 0; i < PTRS_PER_PGD; i++)
		if (lg->shadow_pt[i])
			__free_page(lg->shadow_pt[i]);
	if (lg->shadow_pgdir)
		__free_page(lg->shadow_pgdir);
	if (lg->slot_pt)
		__free_page(lg->slot_pt);
	kfree(lg);
	return 0;
}

static const struct file_operations lg_fops = {
	.owner = THIS_MODULE,
	.open = lg_open,
	.release = lg_release,
	.read = lg_read,
	.write = lg_write,
};

static struct miscdevice lg_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "lguest",
	.fops = &lg_fops,
};

static void free_switcher(void)
{
	unsigned int i;

	if (slot)
		vunmap((void *)slot);
	for (i = 0; i < SWITCHER_TEXT_PAGES; i++)
		if (text_pages[i])
			__free_page(text_pages[i]);
	if (rw_page)
		__free_page(rw_page);
	if (ro_page)
		__free_page(ro_page);
}

static int __init lgproto_init(void)
{
	struct page *all[SWITCHER_TEXT_PAGES + 2];
	struct desc_struct d;
	unsigned int i;
	int err;

	if (!boot_cpu_has(X86_FEATURE_FXSR)) {
		pr_err("this CPU has no FXSAVE/FXRSTOR: cannot run guests\n");
		return -ENODEV;
	}

	for (i = 0; i < SWITCHER_TEXT_PAGES; i++)
		all[i] = text_pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
	all[i++] = rw_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	all[i++] = ro_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	while (i--)
		if (!all[i]) {
			free_switcher();
			return -ENOMEM;
		}
	for (i = 0; i < SWITCHER_TEXT_PAGES; i++)
		memcpy(page_address(text_pages[i]), lguest_switcher_start + i * PAGE_SIZE,
		       min_t(long, PAGE_SIZE,
			     lguest_switcher_end - lguest_switcher_start - i * PAGE_SIZE));
	slot = (unsigned long)vmap(all, SWITCHER_TEXT_PAGES + 2, VM_MAP, PAGE_KERNEL_EXEC);
	if (!slot || pte_index(slot) + SWITCHER_TEXT_PAGES + 2 > PTRS_PER_PTE) {
		free_switcher();
		return -EAGAIN;
	}
	cpu_pages = (void *)(slot + SWITCHER_TEXT_PAGES * PAGE_SIZE);
	memcpy(&d, &(u64){ seg(0, 0xfffff, 0x9b, 0xc) }, sizeof(d));
	write_gdt_entry(get_cpu_gdt_rw(0), GDT_ENTRY_LGUEST_CS, &d, DESCTYPE_S);
	memcpy(&d, &(u64){ seg(0, 0xfffff, 0x93, 0xc) }, sizeof(d));
	write_gdt_entry(get_cpu_gdt_rw(0), GDT_ENTRY_LGUEST_DS, &d, DESCTYPE_S);
	lguest_entry.offset = slot + (switch_to_guest - lguest_switcher_start);
	lguest_entry.segment = LGUEST_CS;
	setup_shared_pages();
	err = misc_register(&lg_dev);
	if (err)
		free_switcher();
	else
		pr_info("switcher at %#lx, /dev/lguest ready\n", slot);
	return err;
}

static void __exit lgproto_exit(void)
{
	misc_deregister(&lg_dev);
	free_switcher();
}
module_init(lgproto_init);
module_exit(lgproto_exit);

MODULE_DESCRIPTION("lguest host prototype");
MODULE_LICENSE("GPL");
