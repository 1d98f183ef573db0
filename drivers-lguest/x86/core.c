// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 half of the lguest host: entering the guest through the
 * switcher and making sense of how it came back.
 *
 * The guest's GDT, IDT and TSS as the CPU uses them live in the
 * read-only switcher page, with the host state the switcher restores.
 * Every gate of that IDT leads to a switcher stub; the host then
 * decides whether the trap was a host interrupt (handled at once by the
 * host's own handler), a hypercall, a shadow page fault, an instruction
 * it emulates, or the guest's own trap to reflect into the guest.
 */
#define pr_fmt(fmt) "lguest: " fmt

#include <linux/hw_breakpoint.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/smp.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/irq_vectors.h>
#include <asm/msr.h>
#include <asm/trapnr.h>
#include <asm/trap_pf.h>
#include "../lg.h"

/* The guest whose tables are in the switcher pages now. */
struct lguest *loaded_guest;

static struct {
	unsigned long offset;
	unsigned short segment;
} __packed switcher_entry;

static u64 segment_desc(u32 base, u32 limit, u32 type_byte, u32 flags)
{
	return (u64)(limit & 0xffff) | ((u64)(base & 0xffffff) << 16) |
	       ((u64)type_byte << 40) | ((u64)((limit >> 16) & 0xf) << 48) |
	       ((u64)flags << 52) | ((u64)(base >> 24) << 56);
}

/* The switcher's flat ring-0 segments, in the host's GDT and every guest's. */
#define SWITCHER_CS_DESC	segment_desc(0, 0xfffff, 0x9b, 0xc)
#define SWITCHER_DS_DESC	segment_desc(0, 0xfffff, 0x93, 0xc)

static u64 stub_gate(unsigned int vector, u32 dpl)
{
	u32 handler = switcher_addr + (lguest_trap_stubs - lguest_switcher_start) +
		      LGUEST_STUB_SIZE * vector;

	return (u64)(handler & 0xffff) | ((u64)LGUEST_CS << 16) |
	       ((u64)(0x80 | (dpl << 5) | GATE_INTERRUPT) << 40) |
	       ((u64)(handler >> 16) << 48);
}

int lguest_arch_init(void)
{
	struct desc_struct *gdt = get_cpu_gdt_rw(0);
	u64 cs = SWITCHER_CS_DESC, ds = SWITCHER_DS_DESC;

	if (boot_cpu_has(X86_FEATURE_PV_DEPRIV)) {
		pr_err("cannot run guests inside a paravirtualized guest\n");
		return -ENODEV;
	}
	if (!boot_cpu_has(X86_FEATURE_FXSR)) {
		pr_err("this CPU has no FXSAVE/FXRSTOR: cannot keep a guest's FPU state\n");
		return -ENODEV;
	}
	if (desc_empty(&gdt[GDT_ENTRY_LGUEST_CS]) && desc_empty(&gdt[GDT_ENTRY_LGUEST_DS])) {
		write_gdt_entry(gdt, GDT_ENTRY_LGUEST_CS, &cs, DESCTYPE_S);
		write_gdt_entry(gdt, GDT_ENTRY_LGUEST_DS, &ds, DESCTYPE_S);
		return 0;
	}
	pr_err("GDT entries %d and %d are in use\n", GDT_ENTRY_LGUEST_CS, GDT_ENTRY_LGUEST_DS);
	return -EBUSY;
}

void lguest_arch_exit(void)
{
	struct desc_struct *gdt = get_cpu_gdt_rw(0);
	u64 zero = 0;

	write_gdt_entry(gdt, GDT_ENTRY_LGUEST_CS, &zero, DESCTYPE_S);
	write_gdt_entry(gdt, GDT_ENTRY_LGUEST_DS, &zero, DESCTYPE_S);
}

/* What never changes in the switcher pages. */
void lguest_arch_setup_pages(void)
{
	struct lguest_ro_page *ro = &lguest_pages->ro;

	ro->guest_tss.ss0 = LGUEST_DS;
	ro->guest_tss.sp0 = (unsigned long)(&lguest_pages->rw.regs + 1);
	ro->guest_tss.io_bitmap_base = sizeof(ro->guest_tss);
	ro->guest_gdt_desc.size = GDT_ENTRIES * 8 - 1;
	ro->guest_gdt_desc.address = (unsigned long)ro->guest_gdt;
	ro->guest_idt_desc.size = IDT_ENTRIES * 8 - 1;
	ro->guest_idt_desc.address = (unsigned long)ro->guest_idt;
	switcher_entry.offset = switcher_addr + (switch_to_guest - lguest_switcher_start);
	switcher_entry.segment = LGUEST_CS;
}

void lguest_arch_init_guest(struct lguest *lg, u32 start, u32 boot_params)
{
	setup_default_gdt(lg);
	memset(&lg->regs, 0, sizeof(lg->regs));
	lg->regs.eip = start;
	lg->regs.esi = boot_params;
	lg->regs.cs = __KERNEL_CS | 1;
	lg->regs.ss = __KERNEL_DS | 1;
	lg->regs.ds = __KERNEL_DS | 1;
	lg->regs.es = __KERNEL_DS | 1;
	lg->regs.eflags = X86_EFLAGS_FIXED | X86_EFLAGS_IF;
	/* The FPU as after FNINIT, SSE exceptions masked. */
	memset(&lg->fpu, 0, sizeof(lg->fpu));
	lg->fpu.cwd = 0x37f;
	lg->fpu.mxcsr = MXCSR_DEFAULT;
}

static void load_guest_tables(struct lguest *lg)
{
	struct lguest_ro_page *ro = &lguest_pages->ro;
	u64 *gdt = (u64 *)ro->guest_gdt, *idt = (u64 *)ro->guest_idt;
	unsigned int i;

	memcpy(gdt, lg->gdt, sizeof(lg->gdt));
	gdt[GDT_ENTRY_LGUEST_CS] = SWITCHER_CS_DESC;
	gdt[GDT_ENTRY_LGUEST_DS] = SWITCHER_DS_DESC;
	gdt[GDT_ENTRY_TSS] = segment_desc((unsigned long)&ro->guest_tss,
					  sizeof(ro->guest_tss) - 1, 0x89, 0);
	gdt[GDT_ENTRY_DOUBLEFAULT_TSS] = 0;
	for (i = 0; i < IDT_ENTRIES; i++) {
		u32 dpl = (lg->idt[i] & DESC_PRESENT) ? DESC_DPL(lg->idt[i]) : 0;

		/*
		 * Only the exception vectors and the system call vector may
		 * be raised with "int" by the guest: a trap on any other
		 * vector is then certainly one of the host's interrupts.
		 */
		if (i == LGUEST_TRAP_ENTRY)
			dpl = 1;
		else if (dpl != 3 || (i >= FIRST_EXTERNAL_VECTOR && i != IA32_SYSCALL_VECTOR))
			dpl = 0;
		idt[i] = stub_gate(i, dpl);
	}
	loaded_guest = lg;
}

static bool host_interrupt(u32 trapnum)
{
	return trapnum >= FIRST_EXTERNAL_VECTOR && trapnum != IA32_SYSCALL_VECTOR;
}

/* Run the host's handler for an interrupt that arrived in the guest. */
static void deliver_host_irq(u32 vector)
{
	gate_desc *g = (gate_desc *)lguest_pages->ro.host_idt_desc.address + vector;

	asm volatile("pushfl\n\tpushl %%cs\n\tcall *%0"
		     : : "r" (gate_offset(g)) : "memory", "cc");
}

/*
 * Enter the guest once, interrupts off; return with its trap.  While it
 * runs: CR4 without PGE (the host's global mappings must not survive in
 * the guest's address space), SMEP and SMAP (the guest kernel is
 * "supervisor" to the MMU and uses its user pages freely) and OSXSAVE;
 * SYSENTER is disarmed and host breakpoints are off.
 *
 * Without OSXSAVE, XSAVE, XGETBV and every AVX instruction raise #UD and
 * CPUID reports no OSXSAVE, in the guest's user mode too, where CPUID is
 * not filtered.  So guest processes cannot use register state beyond
 * x87/SSE, which is all that the guest kernel and
 * lguest_arch_run_guest() switch, nor see what another process left
 * there.  XCR0 keeps the host's value and is never touched.
 */
static void switch_to_guest_once(struct lguest *lg)
{
	struct lguest_cpu_pages *p = lguest_pages;
	int cpu = smp_processor_id();
	u64 sysenter_cs = 0;

	if (loaded_guest != lg)
		load_guest_tables(lg);
	p->rw.regs = lg->regs;
	p->ro.guest_cr3 = page_to_phys(lg->shadow_pgdir);
	if (boot_cpu_has(X86_FEATURE_SEP)) {
		rdmsrl(MSR_IA32_SYSENTER_CS, sysenter_cs);
		wrmsrl(MSR_IA32_SYSENTER_CS, 0);
	}
	if (hw_breakpoint_active())
		set_debugreg(0, 7);
	/* The switcher clears the TSS busy bit: the writable GDT, please. */
	load_direct_gdt(cpu);
	p->ro.host_cr3 = __read_cr3();
	native_store_gdt(&p->ro.host_gdt_desc);
	store_idt(&p->ro.host_idt_desc);
	p->ro.host_cr4 = __read_cr4();
	p->ro.guest_cr4 = p->ro.host_cr4 & ~(X86_CR4_PGE | X86_CR4_SMEP | X86_CR4_SMAP |
					     X86_CR4_OSXSAVE);
	asm volatile("lcall *%[entry]" : "+a" (p) : [entry] "m" (switcher_entry)
		     : "ecx", "edx", "memory", "cc");
	lg->cr2 = read_cr2();
	load_fixmap_gdt(cpu);
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	if (sysenter_cs)
		wrmsrl(MSR_IA32_SYSENTER_CS, sysenter_cs);
	lg->regs = lguest_pages->rw.regs;
}

/*
 * Run the guest until it traps.  Returns false if that was a host
 * interrupt, which has been handled.
 *
 * The FPU is the guest's while it runs: kernel_fpu_begin() puts the
 * launcher's user state away (it comes back on the way out to user
 * mode) and keeps host interrupt handlers off it, and the guest's
 * registers go back to its own save area before anything else can run.
 */
bool lguest_arch_run_guest(struct lguest *lg)
{
	bool host_irq;

	kernel_fpu_begin();
	asm volatile("fxrstor %0" : : "m" (lg->fpu));
	local_irq_disable();
	switch_to_guest_once(lg);
	asm volatile("fxsave %0" : "=m" (lg->fpu));
	host_irq = host_interrupt(lg->regs.trapnum);
	if (host_irq) {
		deliver_host_irq(lg->regs.trapnum);
		lg->stats.host_irqs++;
	}
	local_irq_enable();
	kernel_fpu_end();
	return !host_irq;
}

/*
 * Port I/O and hlt from the guest kernel.  There are no ports: "in"
 * reads all ones and "out" is dropped, as on a bus with nothing behind
 * it.  The string forms, and anything from guest user mode, are left to
 * the guest's #GP handler.
 */
static bool emulate_insn(struct lguest *lg)
{
	unsigned long uaddr = guest_va_to_user(lg, lg->regs.eip, false);
	u32 len = 1, size = 4;
	u8 op;

	if ((lg->regs.cs & SEGMENT_RPL_MASK) != 1 || !uaddr || get_user(op, (u8 __user *)uaddr))
		return false;
	if (op == 0x66) {
		size = 2;
		len = 2;
		if (get_user(op, (u8 __user *)uaddr + 1))
			return false;
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
	if (!(op & 2))
		lg->regs.eax |= size == 4 ? ~0U : (1U << (size * 8)) - 1;
	lg->regs.eip += len;
	return true;
}

/* A trap other than a hypercall or host interrupt. */
void lguest_arch_handle_trap(struct lguest *lg)
{
	u32 trap = lg->regs.trapnum;

	switch (trap) {
	case X86_TRAP_PF:
		if (demand_page(lg, lg->cr2, lg->regs.errcode) || lg->dead)
			return;
		WRITE_DATA(lg, cr2, lg->cr2);
		break;
	case X86_TRAP_GP:
		if (emulate_insn(lg))
			return;
		break;
	case X86_TRAP_NMI:
	case X86_TRAP_MC:
		kill_guest(lg, "host exception %u while the guest ran", trap);
		return;
	}
	reflect_trap(lg, trap, has_errcode(trap));
}
