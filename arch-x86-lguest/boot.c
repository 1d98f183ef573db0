// SPDX-License-Identifier: GPL-2.0
/*
 * The lguest guest platform.  A kernel started by the lguest launcher
 * begins in ring 1, where head_32's paravirt probe loop finds this
 * file's probe: it recognises lguest from the boot protocol's hardware
 * subarchitecture, registers the page it shares with the host, installs
 * the paravirt_ops that turn privileged operations into hypercalls, the
 * interrupt chip for virtual interrupts, the clock and a boot console
 * that writes through the host, and goes on into i386_start_kernel().
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/console.h>
#include <linux/string.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/clockchips.h>
#include <linux/clocksource.h>
#include <linux/panic_notifier.h>
#include <linux/pm.h>
#include <linux/export.h>
#include <linux/nmi.h>
#include <linux/acpi.h>
#include <asm/bootparam.h>
#include <asm/desc.h>
#include <asm/idtentry.h>
#include <asm/proto.h>
#include <asm/paravirt.h>
#include <asm/setup.h>
#include <linux/cpufeature.h>
#include <asm/pci_x86.h>
#include <asm/x86_init.h>
#include <asm/tsc.h>
#include <asm/i8259.h>
#include <asm/irq_vectors.h>
#include <asm/hw_irq.h>
#include <asm/fixmap.h>
#include <asm/reboot.h>
#include <asm/timer.h>
#include "lguest.h"

struct lguest_data lguest_data __aligned(PAGE_SIZE) = {
	.hcall_status = { [0 ... LHCALL_RING_SIZE - 1] = LHCALL_SLOT_EMPTY },
};

/*
 * Something waits in the hypercall ring: the host runs the ring before
 * every trapping hypercall, so it is cleared just before each (what an
 * interrupt queues after that sets it again).
 */
static bool lguest_queued;

unsigned long lguest_hcall(unsigned long call, unsigned long arg1,
			   unsigned long arg2, unsigned long arg3)
{
	WRITE_ONCE(lguest_queued, false);
	asm volatile("int $" __stringify(LGUEST_TRAP_ENTRY)
		     : "+a" (call)
		     : "b" (arg1), "c" (arg2), "d" (arg3)
		     : "memory");
	return call;
}

/*
 * Queue a hypercall in the ring of the shared page; the host runs the
 * queue, in order, before the next direct hypercall.  A full ring is
 * flushed first.
 */
static void lguest_async_hcall(unsigned long call, unsigned long arg1,
			       unsigned long arg2, unsigned long arg3)
{
	static unsigned int next;
	unsigned long flags;

	local_irq_save(flags);
	if (lguest_data.hcall_status[next] != LHCALL_SLOT_EMPTY)
		lguest_hcall(LHCALL_FLUSH_ASYNC, 0, 0, 0);
	lguest_data.hcalls[next].nr = call;
	lguest_data.hcalls[next].arg1 = arg1;
	lguest_data.hcalls[next].arg2 = arg2;
	lguest_data.hcalls[next].arg3 = arg3;
	lguest_data.hcalls[next].arg4 = 0;
	barrier();
	lguest_data.hcall_status[next] = 0;
	next = (next + 1) % LHCALL_RING_SIZE;
	WRITE_ONCE(lguest_queued, true);
	local_irq_restore(flags);
}

/*
 * In a lazy MMU or CPU section (a batch of page-table updates, a context
 * switch) the calls that only update the host's view of us are queued:
 * one trap into the host for the whole batch, when the section ends, and
 * none if nothing was queued.
 * The guest has one CPU: one mode for the machine.
 */
static enum { LAZY_NONE, LAZY_MMU, LAZY_CPU } lguest_lazy_mode;

static void lguest_lazy_hcall(unsigned long call, unsigned long arg1,
			      unsigned long arg2, unsigned long arg3)
{
	if (lguest_lazy_mode == LAZY_NONE)
		lguest_hcall(call, arg1, arg2, arg3);
	else
		lguest_async_hcall(call, arg1, arg2, arg3);
}

/* Have the host run what waits in the ring: a lazy section ends. */
static void lguest_flush_async(void)
{
	if (READ_ONCE(lguest_queued))
		lguest_hcall(LHCALL_FLUSH_ASYNC, 0, 0, 0);
}

static void lguest_enter_lazy_mmu(void)
{
	if (lguest_lazy_mode == LAZY_NONE)
		lguest_lazy_mode = LAZY_MMU;
}

static void lguest_leave_lazy_mmu(void)
{
	if (lguest_lazy_mode == LAZY_MMU) {
		lguest_flush_async();
		lguest_lazy_mode = LAZY_NONE;
	}
}

static void lguest_flush_lazy_mmu(void)
{
	if (lguest_lazy_mode == LAZY_MMU)
		lguest_flush_async();
}

/* A task switched out in a lazy MMU section resumes it when switched in. */
static void lguest_start_context_switch(struct task_struct *prev)
{
	if (lguest_lazy_mode == LAZY_MMU) {
		lguest_flush_async();
		set_ti_thread_flag(task_thread_info(prev), TIF_LAZY_MMU_UPDATES);
	}
	lguest_lazy_mode = LAZY_CPU;
}

static void lguest_end_context_switch(struct task_struct *next)
{
	lguest_flush_async();
	lguest_lazy_mode = LAZY_NONE;
	if (test_and_clear_ti_thread_flag(task_thread_info(next), TIF_LAZY_MMU_UPDATES))
		lguest_lazy_mode = LAZY_MMU;
}

static void lguest_boot_write(struct console *con, const char *s, unsigned int n)
{
	lguest_hcall(LHCALL_CONSOLE_WRITE, __pa(s), n, 0);
}

static struct console lguest_boot_console = {
	.name = "lgboot",
	.write = lguest_boot_write,
	.flags = CON_PRINTBUFFER | CON_BOOT,
	.index = -1,
};

/*
 * The virtual interrupt flag lives in the shared page.  Enabling it asks
 * the host for anything that became pending while it was off.
 */
static __used unsigned long lguest_save_fl(void)
{
	return lguest_data.irq_enabled;
}

PV_CALLEE_SAVE_REGS_THUNK(lguest_save_fl);

static __used void lguest_irq_disable(void)
{
	lguest_data.irq_enabled = 0;
}

PV_CALLEE_SAVE_REGS_THUNK(lguest_irq_disable);

static __used void lguest_irq_enable(void)
{
	lguest_data.irq_enabled = X86_EFLAGS_IF;
	barrier();
	if (unlikely(lguest_data.irq_pending))
		lguest_hcall(LHCALL_SEND_INTERRUPTS, 0, 0, 0);
}

PV_CALLEE_SAVE_REGS_THUNK(lguest_irq_enable);

/*
 * The instructions during which the host never delivers an interrupt
 * (lguest_noirq_start..lguest_noirq_end): the direct entries and the
 * iret.
 *
 * A direct entry is where the host lets the CPU itself deliver a trap,
 * through a trap gate to ring 1 (see lguest_direct_gate()): a system
 * call or an exception no host needs to see costs no trip through the
 * host.  A trap gate leaves the real IF alone, and it is always set in
 * the guest, so the frame holds IF set: the entry puts the virtual IF
 * there instead, turns the virtual IF off, as the native interrupt
 * gate would have, and goes on to the native handler.  A trap the host
 * delivers to the same gate (it does when the gate cannot go direct)
 * looks the same: the host pushes the virtual IF, and a trap gate
 * leaves it on.
 */
#define LGUEST_DIRECT_ENTRY(name, handler)				\
	".globl " #name "\n"						\
	#name ":\n"							\
	"	pushl	%eax\n"						\
	"	movl	%ss:lguest_data, %eax\n"				\
	"	andl	$~" __stringify(X86_EFLAGS_IF) ", 12(%esp)\n"	\
	"	orl	%eax, 12(%esp)\n"					\
	"	movl	$0, %ss:lguest_data\n"				\
	"	popl	%eax\n"						\
	"	jmp	" #handler "\n"

/*
 * iret at CPL 1 leaves the real IF alone: take the virtual one from the
 * frame first.  No interrupt may be delivered between that store and
 * the iret, where it would land on a frame that is already half unwound.
 */
asm(".pushsection .text, \"ax\"\n"
	".globl lguest_noirq_start\n"
	"lguest_noirq_start:\n"
	LGUEST_DIRECT_ENTRY(lguest_direct_de, asm_exc_divide_error)
	LGUEST_DIRECT_ENTRY(lguest_direct_bp, asm_exc_int3)
	LGUEST_DIRECT_ENTRY(lguest_direct_of, asm_exc_overflow)
	LGUEST_DIRECT_ENTRY(lguest_direct_br, asm_exc_bounds)
	LGUEST_DIRECT_ENTRY(lguest_direct_ud, asm_exc_invalid_op)
	LGUEST_DIRECT_ENTRY(lguest_direct_mf, asm_exc_coprocessor_error)
	LGUEST_DIRECT_ENTRY(lguest_direct_xf, asm_exc_simd_coprocessor_error)
	LGUEST_DIRECT_ENTRY(lguest_direct_int80, entry_INT80_32)
	".globl lguest_iret\n"
	".type lguest_iret, @function\n"
	"lguest_iret:\n"
	"	pushl	%eax\n"
	"	movl	12(%esp), %eax\n"
	"	andl	$" __stringify(X86_EFLAGS_IF) ", %eax\n"
	"	movl	%eax, %ss:lguest_data\n"
	"	popl	%eax\n"
	"1:	iret\n"
	".size lguest_iret, .-lguest_iret\n"
	".globl lguest_noirq_end\n"
	"lguest_noirq_end:\n"
	"	" _ASM_EXTABLE(1b, pv_iret_fault) "\n"
	".popsection");

/* The native handlers that have a direct entry, and theirs. */
#define DIRECT(v, handler, entry) { v, (unsigned long)handler, (unsigned long)entry }
static const struct {
	u8 vector;
	unsigned long handler, entry;
} lguest_direct[] = {
	DIRECT(X86_TRAP_DE, asm_exc_divide_error, lguest_direct_de),
	DIRECT(X86_TRAP_BP, asm_exc_int3, lguest_direct_bp),
	DIRECT(X86_TRAP_OF, asm_exc_overflow, lguest_direct_of),
	DIRECT(X86_TRAP_BR, asm_exc_bounds, lguest_direct_br),
	DIRECT(X86_TRAP_UD, asm_exc_invalid_op, lguest_direct_ud),
	DIRECT(X86_TRAP_MF, asm_exc_coprocessor_error, lguest_direct_mf),
	DIRECT(X86_TRAP_XF, asm_exc_simd_coprocessor_error, lguest_direct_xf),
	DIRECT(IA32_SYSCALL_VECTOR, entry_INT80_32, lguest_direct_int80),
};

/*
 * Send the host a gate of our IDT: a native handler that has a direct
 * entry goes as a trap gate to that entry instead, which the host may
 * let the CPU use.
 */
static void lguest_send_gate(unsigned int entry, const gate_desc *g)
{
	gate_desc direct;
	unsigned int i;
	u32 *w;

	for (i = 0; i < ARRAY_SIZE(lguest_direct); i++) {
		if (lguest_direct[i].vector != entry || !g->bits.p ||
		    gate_offset(g) != lguest_direct[i].handler)
			continue;
		pack_gate(&direct, GATE_TRAP, lguest_direct[i].entry,
			  g->bits.dpl, g->bits.ist, gate_segment(g));
		g = &direct;
		break;
	}
	w = (u32 *)g;
	lguest_hcall(LHCALL_LOAD_IDT_ENTRY, entry, w[0], w[1]);
}

static void lguest_write_idt_entry(gate_desc *dt, int entry, const gate_desc *g)
{
	native_write_idt_entry(dt, entry, g);
	if (entry != LGUEST_TRAP_ENTRY)
		lguest_send_gate(entry, g);
}

/*
 * The host keeps its own copy of every gate and descriptor: loading a
 * table sends all of it, an entry per hypercall.
 */
static void lguest_load_idt(const struct desc_ptr *desc)
{
	const gate_desc *g = (const gate_desc *)desc->address;
	unsigned int i;

	for (i = 0; i < (desc->size + 1) / sizeof(*g); i++)
		if (i != LGUEST_TRAP_ENTRY)
			lguest_send_gate(i, &g[i]);
}

static void lguest_load_gdt(const struct desc_ptr *desc)
{
	unsigned int i;
	u32 *w = (u32 *)desc->address;

	for (i = 0; i < (desc->size + 1) / 8; i++)
		lguest_hcall(LHCALL_LOAD_GDT_ENTRY, i, w[2 * i], w[2 * i + 1]);
}

static void lguest_write_gdt_entry(struct desc_struct *dt, int entry,
				   const void *desc, int type)
{
	u32 *w = (u32 *)desc;

	native_write_gdt_entry(dt, entry, desc, type);
	lguest_hcall(LHCALL_LOAD_GDT_ENTRY, entry, w[0], w[1]);
}

/* The three TLS entries change on every context switch: one hypercall. */
static void lguest_load_tls(struct thread_struct *t, unsigned int cpu)
{
	lguest_lazy_hcall(LHCALL_LOAD_TLS, __pa(&t->tls_array), 0, 0);
}

/*
 * The stack the host delivers traps from user mode onto.  The exit path
 * reads it back from the TSS, as on native.
 */
static void lguest_load_sp0(unsigned long sp0)
{
	this_cpu_write(cpu_tss_rw.x86_tss.sp0, sp0);
	lguest_lazy_hcall(LHCALL_SET_STACK, __KERNEL_DS | 1, sp0, 0);
}

static unsigned long current_cr3, current_cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP;
static unsigned long current_cr4;

static unsigned long lguest_read_cr3(void)
{
	return current_cr3;
}

static void lguest_write_cr3(unsigned long cr3)
{
	current_cr3 = cr3;
	lguest_lazy_hcall(LHCALL_NEW_PGTABLE, cr3, 0, 0);
}

static __used unsigned long lguest_read_cr2(void)
{
	return lguest_data.cr2;
}

PV_CALLEE_SAVE_REGS_THUNK(lguest_read_cr2);

static void lguest_write_cr2(unsigned long cr2)
{
	lguest_data.cr2 = cr2;
}

static unsigned long lguest_read_cr0(void)
{
	return current_cr0;
}

static void lguest_write_cr0(unsigned long cr0)
{
	current_cr0 = cr0;
}

static unsigned long lguest_read_cr4(void)
{
	return current_cr4;
}

static void lguest_write_cr4(unsigned long cr4)
{
	current_cr4 = cr4;
}

/*
 * An address space is going: the host may forget the shadows it keeps
 * of it now, before its page tables are torn down.  Nothing needs that
 * at once, so it waits in the hypercall ring for the next trip.
 */
static void lguest_exit_mmap(struct mm_struct *mm)
{
	lguest_async_hcall(LHCALL_DROP_PGTABLE, __pa(mm->pgd), 0, 0);
}

/* A plain flush keeps the kernel's mappings, which a CPU has global. */
static void lguest_flush_tlb_user(void)
{
	lguest_lazy_hcall(LHCALL_FLUSH_TLB, LGUEST_FLUSH_USER, 0, 0);
}

static void lguest_flush_tlb(void)
{
	lguest_lazy_hcall(LHCALL_FLUSH_TLB, LGUEST_FLUSH_ALL, 0, 0);
}

static void lguest_flush_tlb_one(unsigned long addr)
{
	lguest_lazy_hcall(LHCALL_FLUSH_TLB, LGUEST_FLUSH_ONE, addr, 0);
}

static u64 lguest_read_msr(unsigned int msr)
{
	return 0;
}

static u64 lguest_read_msr_safe(unsigned int msr, int *err)
{
	*err = -EIO;
	return 0;
}

static void lguest_write_msr(unsigned int msr, unsigned int lo, unsigned int hi)
{
}

static int lguest_write_msr_safe(unsigned int msr, unsigned int lo, unsigned int hi)
{
	return -EIO;
}

static void lguest_nop(void)
{
}

/* The host keeps a checked copy of the LDT, which the switcher loads. */
static void lguest_set_ldt(const void *addr, unsigned int entries)
{
	lguest_hcall(LHCALL_SET_LDT, (unsigned long)addr, entries, 0);
}

/*
 * The TSS is ours, but the CPU runs us on the host's: tell the host where
 * it is, so that our user mode's port I/O is checked against its I/O
 * bitmap (ioperm(), iopl()) as the CPU would check it.
 */
static void lguest_load_tr_desc(void)
{
	struct desc_struct *d = get_cpu_gdt_rw(smp_processor_id()) + GDT_ENTRY_TSS;

	lguest_hcall(LHCALL_LOAD_TR, get_desc_base(d), get_desc_limit(d), 0);
}

/*
 * Breakpoints: the host arms DR0-3 and DR7 for us while we run, so we
 * keep the values we set.  DR6 is what the CPU reported with the last
 * debug trap, which the host passes on.
 */
static unsigned long lguest_debugreg[8];

static unsigned long lguest_get_debugreg(int regno)
{
	if (regno == 6)
		return lguest_data.dr6;
	return regno < ARRAY_SIZE(lguest_debugreg) ? lguest_debugreg[regno] : 0;
}

static void lguest_set_debugreg(int regno, unsigned long value)
{
	if (regno == 6) {
		lguest_data.dr6 = value;
	} else if (regno < 4 || regno == 7) {
		lguest_debugreg[regno] = value;
		lguest_hcall(LHCALL_SET_DEBUGREG, regno, value, 0);
	}
}

/* The host measured the TSC; no PIT to calibrate against here. */
static unsigned long lguest_tsc_khz(void)
{
	return lguest_data.tsc_khz;
}

/*
 * CPUID, filtered: nothing a ring-1 guest cannot use (large and global
 * pages, sysenter, MTRR/PAT/MCE, the local APIC, monitor/mwait, XSAVE,
 * SMEP/SMAP/UMIP, the architectural performance counters) and no host
 * hypervisor leaves; HYPERVISOR set.  The TSC stays even when the host
 * could not give us its rate: the kernel then finds it cannot calibrate
 * it (there is no PIT here to measure against) and keeps it for what
 * needs no rate, such as early entropy, where a missing TSC would have it
 * poll a PIT that is not there.
 */
static void lguest_cpuid(unsigned int *ax, unsigned int *bx, unsigned int *cx,
			 unsigned int *dx)
{
	unsigned int leaf = *ax;

	native_cpuid(ax, bx, cx, dx);
	switch (leaf) {
	case 1:
		*dx &= ~(BIT(X86_FEATURE_PSE) | BIT(X86_FEATURE_PGE) | BIT(X86_FEATURE_SEP) |
			 BIT(X86_FEATURE_MTRR) | BIT(X86_FEATURE_PAT) | BIT(X86_FEATURE_MCE) |
			 BIT(X86_FEATURE_MCA) | BIT(X86_FEATURE_APIC) | BIT(X86_FEATURE_PSE36) |
			 BIT(X86_FEATURE_ACPI) | BIT(X86_FEATURE_DS) | BIT(X86_FEATURE_VME) |
			 BIT(X86_FEATURE_DE));
		*cx &= ~(BIT(X86_FEATURE_MWAIT & 31) | BIT(X86_FEATURE_XSAVE & 31) |
			 BIT(X86_FEATURE_OSXSAVE & 31) | BIT(X86_FEATURE_VMX & 31) |
			 BIT(X86_FEATURE_X2APIC & 31) | BIT(X86_FEATURE_TSC_DEADLINE_TIMER & 31) |
			 BIT(X86_FEATURE_PCID & 31));
		*cx |= BIT(X86_FEATURE_HYPERVISOR & 31);
		break;
	case 7:
		*bx &= ~(BIT(X86_FEATURE_SMEP & 31) | BIT(X86_FEATURE_SMAP & 31) |
			 BIT(X86_FEATURE_INVPCID & 31) | BIT(X86_FEATURE_FSGSBASE & 31));
		*cx &= ~BIT(X86_FEATURE_UMIP & 31);
		break;
	case 0xa:	/* no performance counters */
	case 0xd:
		*ax = *bx = *cx = *dx = 0;
		break;
	case 0x40000000 ... 0x4fffffff:
		*ax = *bx = *cx = *dx = 0;
		break;
	}
}

/* Idle: irqs on and sleep in the host until an interrupt is pending. */
static void lguest_safe_halt(void)
{
	lguest_data.irq_enabled = X86_EFLAGS_IF;
	lguest_hcall(LHCALL_HALT, 0, 0, 0);
}

static void lguest_halt(void)
{
	lguest_hcall(LHCALL_HALT, 0, 0, 0);
}

/* Interrupts: a virtual irq n arrives on vector FIRST_EXTERNAL_VECTOR + n. */
static void lguest_irq_mask(struct irq_data *d)
{
	set_bit(d->irq, (unsigned long *)lguest_data.blocked_interrupts);
}

static void lguest_irq_unmask(struct irq_data *d)
{
	clear_bit(d->irq, (unsigned long *)lguest_data.blocked_interrupts);
}

static struct irq_chip lguest_irq_chip = {
	.name = "lguest",
	.irq_mask = lguest_irq_mask,
	.irq_mask_ack = lguest_irq_mask,
	.irq_unmask = lguest_irq_unmask,
};

int lguest_setup_irq(unsigned int irq)
{
	struct irq_desc *desc;
	int err;

	if (irq >= LGUEST_IRQS)
		return -EINVAL;
	err = irq_alloc_desc_at(irq, 0);
	if (err < 0 && err != -EEXIST)
		return err;
	irq_set_chip_and_handler_name(irq, &lguest_irq_chip, handle_level_irq, "level");
	desc = irq_to_desc(irq);
	per_cpu(vector_irq, 0)[FIRST_EXTERNAL_VECTOR + irq] = desc;
	return 0;
}
EXPORT_SYMBOL_GPL(lguest_setup_irq);

static void __init lguest_init_irqs(void)
{
	memset(lguest_data.blocked_interrupts, 0xff, sizeof(lguest_data.blocked_interrupts));
	if (lguest_setup_irq(0))
		panic("lguest: no descriptor for the timer interrupt");
}

/* Time: a one-shot clockevent backed by a host hrtimer, irq 0. */
static int lguest_next_event(unsigned long delta, struct clock_event_device *evt)
{
	lguest_hcall(LHCALL_SET_CLOCKEVENT, delta ? delta : 1, 0, 0);
	return 0;
}

static int lguest_clockevent_shutdown(struct clock_event_device *evt)
{
	lguest_hcall(LHCALL_SET_CLOCKEVENT, 0, 0, 0);
	return 0;
}

static struct clock_event_device lguest_clockevent = {
	.name = "lguest",
	.features = CLOCK_EVT_FEAT_ONESHOT,
	.set_next_event = lguest_next_event,
	.set_state_shutdown = lguest_clockevent_shutdown,
	.rating = INT_MAX,
	.mult = 1,
	.shift = 0,
	.min_delta_ns = 1000,
	.max_delta_ns = LONG_MAX,
	.min_delta_ticks = 1000,
	.max_delta_ticks = LONG_MAX,
};

static irqreturn_t lguest_timer_irq(int irq, void *dev_id)
{
	lguest_clockevent.event_handler(&lguest_clockevent);
	return IRQ_HANDLED;
}

/*
 * The clock: the TSC, at the rate the host measured.  Ring 1 may read
 * it, so a read is no exit, and so may ring 3: the vDSO reads it too,
 * and clock_gettime() and gettimeofday() need no system call (every
 * system call is a trip through the host).  A host that cannot vouch
 * for its TSC gives us its own clock instead, refreshed every time we
 * are entered: coarse (it stands still until our next exit), but it
 * never goes backwards; the vDSO cannot read that one.
 */
static u64 lguest_tsc_read(struct clocksource *cs)
{
	return rdtsc_ordered();
}

static u64 notrace lguest_sched_clock(void)
{
	return READ_ONCE(lguest_data.time_ns);
}

static u64 lguest_host_clock_read(struct clocksource *cs)
{
	return lguest_sched_clock();
}

static struct clocksource lguest_clock = {
	.name	= "lguest",
	.rating	= 400,
	.read	= lguest_tsc_read,
	.mask	= CLOCKSOURCE_MASK(64),
	.flags	= CLOCK_SOURCE_IS_CONTINUOUS,
	.vdso_clock_mode = VDSO_CLOCKMODE_TSC,
};

static void __init lguest_time_init(void)
{
	if (lguest_data.tsc_khz) {
		vclocks_set_used(VDSO_CLOCKMODE_TSC);
		clocksource_register_khz(&lguest_clock, lguest_data.tsc_khz);
	} else {
		lguest_clock.read = lguest_host_clock_read;
		lguest_clock.vdso_clock_mode = VDSO_CLOCKMODE_NONE;
		clocksource_register_hz(&lguest_clock, NSEC_PER_SEC);
	}

	if (request_irq(0, lguest_timer_irq, IRQF_TIMER | IRQF_NOBALANCING,
			"lguest timer", NULL))
		panic("lguest: cannot get the timer interrupt");
	lguest_clockevent.cpumask = cpumask_of(0);
	clockevents_register_device(&lguest_clockevent);
}

static void lguest_get_wallclock(struct timespec64 *ts)
{
	*ts = ns_to_timespec64(lguest_data.wallclock_ns);
}

static int lguest_set_wallclock(const struct timespec64 *ts)
{
	return -ENODEV;
}

static void lguest_power_off(void)
{
	lguest_hcall(LHCALL_SHUTDOWN, LGUEST_SHUTDOWN_POWEROFF, 0, 0);
}

static void lguest_restart(char *reason)
{
	lguest_hcall(LHCALL_SHUTDOWN, LGUEST_SHUTDOWN_RESTART, 0, 0);
}

static void lguest_emergency_restart(void)
{
	lguest_restart(NULL);
}

static int lguest_panic(struct notifier_block *nb, unsigned long event, void *msg)
{
	lguest_hcall(LHCALL_CRASH, __pa(msg), 0, 0);
	return NOTIFY_DONE;
}

static struct notifier_block lguest_panic_nb = {
	.notifier_call = lguest_panic,
	.priority = INT_MIN,
};

static void __init lguest_noop_init(void)
{
}

static void __init __noreturn lguest_init(void)
{
	lguest_data.noirq_start = (unsigned long)lguest_noirq_start;
	lguest_data.noirq_end = (unsigned long)lguest_noirq_end;
	lguest_hcall(LHCALL_LGUEST_INIT, __pa(&lguest_data), 0, 0);

	pv_info.name = "lguest";
	pv_ops.irq.save_fl = PV_CALLEE_SAVE(lguest_save_fl);
	pv_ops.irq.irq_disable = PV_CALLEE_SAVE(lguest_irq_disable);
	pv_ops.irq.irq_enable = PV_CALLEE_SAVE(lguest_irq_enable);
	pv_ops.irq.safe_halt = lguest_safe_halt;
	pv_ops.irq.halt = lguest_halt;
	pv_ops.cpu.iret = lguest_iret;
	pv_ops.cpu.write_idt_entry = lguest_write_idt_entry;
	pv_ops.cpu.load_idt = lguest_load_idt;
	pv_ops.cpu.load_gdt = lguest_load_gdt;
	pv_ops.cpu.write_gdt_entry = lguest_write_gdt_entry;
	pv_ops.cpu.load_tls = lguest_load_tls;
	pv_ops.cpu.load_sp0 = lguest_load_sp0;
	pv_ops.cpu.load_tr_desc = lguest_load_tr_desc;
	pv_ops.cpu.set_ldt = lguest_set_ldt;
	pv_ops.cpu.read_cr0 = lguest_read_cr0;
	pv_ops.cpu.write_cr0 = lguest_write_cr0;
	pv_ops.cpu.read_cr4 = lguest_read_cr4;
	pv_ops.cpu.write_cr4 = lguest_write_cr4;
	pv_ops.cpu.read_msr = lguest_read_msr;
	pv_ops.cpu.read_msr_safe = lguest_read_msr_safe;
	pv_ops.cpu.write_msr = lguest_write_msr;
	pv_ops.cpu.write_msr_safe = lguest_write_msr_safe;
	pv_ops.cpu.wbinvd = lguest_nop;
	pv_ops.cpu.io_delay = lguest_nop;
	pv_ops.cpu.cpuid = lguest_cpuid;
	pv_ops.cpu.get_debugreg = lguest_get_debugreg;
	pv_ops.cpu.set_debugreg = lguest_set_debugreg;
	pv_ops.mmu.read_cr2 = PV_CALLEE_SAVE(lguest_read_cr2);
	pv_ops.mmu.write_cr2 = lguest_write_cr2;
	pv_ops.mmu.read_cr3 = lguest_read_cr3;
	pv_ops.mmu.write_cr3 = lguest_write_cr3;
	pv_ops.mmu.flush_tlb_user = lguest_flush_tlb_user;
	pv_ops.mmu.flush_tlb_kernel = lguest_flush_tlb;
	pv_ops.mmu.flush_tlb_one_user = lguest_flush_tlb_one;
	pv_ops.mmu.exit_mmap = lguest_exit_mmap;
	pv_ops.mmu.lazy_mode.enter = lguest_enter_lazy_mmu;
	pv_ops.mmu.lazy_mode.leave = lguest_leave_lazy_mmu;
	pv_ops.mmu.lazy_mode.flush = lguest_flush_lazy_mmu;
	pv_ops.cpu.start_context_switch = lguest_start_context_switch;
	pv_ops.cpu.end_context_switch = lguest_end_context_switch;

	x86_platform.calibrate_tsc = lguest_tsc_khz;
	x86_platform.calibrate_cpu = lguest_tsc_khz;
	if (!lguest_data.tsc_khz)
		paravirt_set_sched_clock(lguest_sched_clock);
	x86_platform.get_wallclock = lguest_get_wallclock;
	x86_platform.set_wallclock = lguest_set_wallclock;
	x86_init.resources.probe_roms = lguest_noop_init;
	/* No BIOS tables to look for, no other CPU to start in real mode. */
	x86_init.mpparse.find_mptable = x86_init_noop;
	x86_init.mpparse.early_parse_smp_cfg = x86_init_noop;
	x86_init.mpparse.parse_smp_cfg = x86_init_noop;
	x86_platform.realmode_reserve = x86_init_noop;
	x86_platform.realmode_init = x86_init_noop;
	x86_init.irqs.pre_vector_init = lguest_init_irqs;
	x86_init.timers.timer_init = lguest_time_init;
	x86_init.timers.wallclock_init = lguest_noop_init;
	legacy_pic = &null_legacy_pic;
	machine_ops.restart = lguest_restart;
	machine_ops.emergency_restart = lguest_emergency_restart;
	pm_power_off = lguest_power_off;
	atomic_notifier_chain_register(&panic_notifier_list, &lguest_panic_nb);
	/* No PCI and no port I/O: lguest_bus carries the devices. */
	pci_probe = 0;
	/*
	 * No firmware tables, one CPU and no local APIC: the kernel finds
	 * no MP table and boots uniprocessor.  No performance counters
	 * either, so no NMI watchdog: the host watches its own CPUs, and a
	 * guest stalled by its host is no lockup of the guest's.
	 */
#ifdef CONFIG_ACPI
	disable_acpi();
#endif
	hardlockup_detector_disable();
	setup_force_cpu_cap(X86_FEATURE_PV_DEPRIV);
	/*
	 * The host keeps our kernel's mappings across address spaces and
	 * plain TLB flushes, as a CPU keeps global pages: say so, and the
	 * kernel flushes them with flush_tlb_kernel (all of the host's
	 * shadows) where it would otherwise reload cr3 (the user half).
	 */
	setup_force_cpu_cap(X86_FEATURE_PGE);

	/* The host's switcher lives at the top of every address space. */
	reserve_top_address(lguest_data.reserve_mem);

	/*
	 * The launcher's tables map all of our memory at 0 as well, which is
	 * what mk_early_pgtbl_32() expects: build the kernel's own early
	 * tables exactly as a native boot does, then switch to them.
	 */
	mk_early_pgtbl_32();
	lguest_write_cr3(__pa(initial_page_table));

	/*
	 * The boot console first (it is enabled as the only console), then
	 * name virtio's hvc0 as the real one: not a serial port, there is none.
	 */
	register_console(&lguest_boot_console);
	add_preferred_console("hvc", 0, NULL);
	i386_start_kernel();
}

static void __init lguest_probe(void)
{
	if (boot_params.hdr.hardware_subarch == X86_SUBARCH_LGUEST)
		lguest_init();
}

paravirt_probe(lguest_probe);
