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
#include <asm/insn.h>
#include <asm/irq_vectors.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/trapnr.h>
#include <asm/trap_pf.h>
#include "../lg.h"

/*
 * Per host CPU: the guest whose tables are in its switcher pages, and
 * how many entries of their LDT pages it filled.  A guest reloads them
 * when it was not the last there, or has changed its tables, or has run
 * on another CPU since (lguest.slot_cpu): each CPU's copy can be stale.
 * A freed guest's pointer may stay here: a new guest at the same address
 * starts with no slot_cpu, so it cannot be taken for the old one.
 */
static DEFINE_PER_CPU(struct lguest *, loaded_guest);
static DEFINE_PER_CPU(u32, loaded_ldt_entries);

static struct {
	unsigned long offset;
	unsigned short segment;
} __packed switcher_entry;

/* The switcher's flat ring-0 segments, in the host's GDT and every guest's. */
static struct desc_struct switcher_cs = GDT_ENTRY_INIT(DESC_CODE32, 0, 0xfffff);
static struct desc_struct switcher_ds = GDT_ENTRY_INIT(DESC_DATA32, 0, 0xfffff);

/*
 * Every possible CPU's GDT gets the switcher's segments, so that a CPU
 * brought online later can run guests too (its GDT is not rebuilt).
 */
int lguest_arch_init(void)
{
	unsigned int cpu;

	BUILD_BUG_ON(sizeof(struct lguest_cpu_pages) != SWITCHER_PAGES_PER_CPU * PAGE_SIZE);
	BUILD_BUG_ON(ARRAY_SIZE(((struct lguest_cpu_pages *)0)->ldt) != LGUEST_LDT_ENTRIES);

	if (boot_cpu_has(X86_FEATURE_PV_DEPRIV)) {
		pr_err("cannot run guests inside a paravirtualized guest\n");
		return -ENODEV;
	}
	if (!boot_cpu_has(X86_FEATURE_FXSR)) {
		pr_err("this CPU has no FXSAVE/FXRSTOR: cannot keep a guest's FPU state\n");
		return -ENODEV;
	}
	for_each_possible_cpu(cpu) {
		struct desc_struct *gdt = get_cpu_gdt_rw(cpu);

		if (!desc_empty(&gdt[GDT_ENTRY_LGUEST_CS]) ||
		    !desc_empty(&gdt[GDT_ENTRY_LGUEST_DS])) {
			pr_err("GDT entries %d and %d are in use\n", GDT_ENTRY_LGUEST_CS,
			       GDT_ENTRY_LGUEST_DS);
			return -EBUSY;
		}
	}
	for_each_possible_cpu(cpu) {
		struct desc_struct *gdt = get_cpu_gdt_rw(cpu);

		write_gdt_entry(gdt, GDT_ENTRY_LGUEST_CS, &switcher_cs, DESCTYPE_S);
		write_gdt_entry(gdt, GDT_ENTRY_LGUEST_DS, &switcher_ds, DESCTYPE_S);
	}
	return 0;
}

void lguest_arch_exit(void)
{
	struct desc_struct zero = { };
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct desc_struct *gdt = get_cpu_gdt_rw(cpu);

		write_gdt_entry(gdt, GDT_ENTRY_LGUEST_CS, &zero, DESCTYPE_S);
		write_gdt_entry(gdt, GDT_ENTRY_LGUEST_DS, &zero, DESCTYPE_S);
	}
}

/* What never changes in the switcher pages, for each possible CPU. */
void lguest_arch_setup_pages(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct lguest_cpu_pages *p = switcher_cpu_pages(cpu);
		struct lguest_ro_page *ro = &p->ro;

		ro->guest_tss.ss0 = LGUEST_DS;
		ro->guest_tss.sp0 = (unsigned long)(&p->rw.regs + 1);
		ro->guest_tss.io_bitmap_base = sizeof(ro->guest_tss);
		ro->guest_gdt_desc.size = GDT_ENTRIES * 8 - 1;
		ro->guest_gdt_desc.address = (unsigned long)ro->guest_gdt;
		ro->guest_idt_desc.size = IDT_ENTRIES * 8 - 1;
		ro->guest_idt_desc.address = (unsigned long)ro->guest_idt;
	}
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

/*
 * The DPL of the switcher's gate for a vector: who may raise it with
 * "int".  The guest's choice is followed only where the stub then sees
 * the frame it expects: never for the vectors with an error code, for
 * NMI and machine checks (which the host hands to its own handlers), or
 * for external interrupts but the system call vector.  A refused "int"
 * is a #GP, and lguest_arch_handle_trap() delivers what the guest's
 * gate allowed.  Hypercalls come from the guest kernel only.
 */
static unsigned int stub_dpl(const struct lguest *lg, unsigned int vector)
{
	const gate_desc *g = &lg->idt[vector];

	if (vector == LGUEST_TRAP_ENTRY)
		return 1;
	if (!g->bits.p || g->bits.dpl != 3)
		return 0;
	if (vector == IA32_SYSCALL_VECTOR)
		return 3;
	if (vector >= FIRST_EXTERNAL_VECTOR || vector == X86_TRAP_NMI ||
	    vector == X86_TRAP_MC || has_errcode(vector))
		return 0;
	return 3;
}

/*
 * Vectors the CPU may deliver straight to the guest: system calls, and
 * exceptions the host has no part in and the switcher cannot raise
 * (its own faults must reach the host's stubs).  Not #PF (shadow
 * paging), #GP (emulation), #DB (the host keeps DR6), NMI or #MC.
 */
static bool direct_vector(unsigned int vector)
{
	switch (vector) {
	case X86_TRAP_DE:
	case X86_TRAP_BP:
	case X86_TRAP_OF:
	case X86_TRAP_BR:
	case X86_TRAP_UD:
	case X86_TRAP_MF:
	case X86_TRAP_XF:
	case IA32_SYSCALL_VECTOR:
		return true;
	default:
		return false;
	}
}

/*
 * A gate of the guest's that the CPU may use as it is: a trap gate (the
 * real IF stays on: the host keeps its interrupts) to a direct-vector
 * entry in the guest's no-interrupt window (where the guest undertakes
 * to move the virtual IF into the frame before the host may deliver an
 * interrupt, see lguest.rst), through a present 32-bit ring-1 code
 * segment of its GDT.  From user mode the CPU switches to the stack of
 * LHCALL_SET_STACK, which the TSS holds.  Whatever is wrong with the
 * guest's state then is a fault the host's stubs take, the guest's
 * own.  Anything else goes through the host (reflect_trap()).
 */
static bool direct_gate(struct lguest *lg, unsigned int vector, gate_desc *out)
{
	const gate_desc *g = &lg->idt[vector];
	unsigned long off = gate_offset(g);
	const struct desc_struct *cs;

	if (!direct_vector(vector) || !g->bits.p || g->bits.type != GATE_TRAP ||
	    off < lg->noirq_start || off >= lg->noirq_end || off >= switcher_addr ||
	    (gate_segment(g) & SEGMENT_TI_MASK))
		return false;
	cs = guest_desc(lg, gate_segment(g));
	if (!cs || !cs->p || !cs->s || !(cs->type & _DESC_CODE_EXECUTABLE) ||
	    (cs->type & _DESC_CODE_CONFORMING) || !cs->d || cs->dpl != 1)
		return false;
	pack_gate(out, GATE_TRAP, off, g->bits.dpl, 0, gate_segment(g));
	return true;
}

/* The guest's tables into this CPU's switcher pages p. */
static void load_guest_tables(struct lguest *lg, struct lguest_cpu_pages *p)
{
	struct lguest_ro_page *ro = &p->ro;
	u32 *ldt_used = this_cpu_ptr(&loaded_ldt_entries);
	unsigned long stubs = switcher_addr + (lguest_trap_stubs - lguest_switcher_start);
	unsigned int i;

	memcpy(ro->guest_gdt, lg->gdt, sizeof(lg->gdt));
	ro->guest_gdt[GDT_ENTRY_LGUEST_CS] = switcher_cs;
	ro->guest_gdt[GDT_ENTRY_LGUEST_DS] = switcher_ds;
	set_tssldt_descriptor(&ro->guest_gdt[GDT_ENTRY_TSS], (unsigned long)&ro->guest_tss,
			      DESC_TSS, sizeof(ro->guest_tss) - 1);
	memset(&ro->guest_gdt[GDT_ENTRY_DOUBLEFAULT_TSS], 0, sizeof(struct desc_struct));
	/* The guest can read these pages: nothing of another guest's LDT. */
	if (*ldt_used > lg->ldt_entries)
		memset(p->ldt + lg->ldt_entries, 0,
		       (*ldt_used - lg->ldt_entries) * sizeof(*lg->ldt));
	*ldt_used = lg->ldt_entries;
	if (lg->ldt_entries) {
		memcpy(p->ldt, lg->ldt, lg->ldt_entries * sizeof(*lg->ldt));
		set_tssldt_descriptor(&ro->guest_gdt[GDT_ENTRY_LDT],
				      (unsigned long)p->ldt, DESC_LDT,
				      lg->ldt_entries * LDT_ENTRY_SIZE - 1);
		ro->guest_ldt = GDT_ENTRY_LDT * 8;
	} else {
		memset(&ro->guest_gdt[GDT_ENTRY_LDT], 0, sizeof(struct desc_struct));
		ro->guest_ldt = 0;
	}
	for (i = 0; i < IDT_ENTRIES; i++)
		if (!direct_gate(lg, i, &ro->guest_idt[i]))
			pack_gate(&ro->guest_idt[i], GATE_INTERRUPT, stubs + LGUEST_STUB_SIZE * i,
				  stub_dpl(lg, i), 0, LGUEST_CS);
	this_cpu_write(loaded_guest, lg);
	lg->tables_changed = false;
}

/* Vectors whose trap is the host's business, not the guest's. */
static bool host_vector(u32 trapnum)
{
	return trapnum == X86_TRAP_NMI || trapnum == X86_TRAP_MC ||
	       (trapnum >= FIRST_EXTERNAL_VECTOR && trapnum != IA32_SYSCALL_VECTOR);
}

/*
 * Run the host's handler for an interrupt, NMI or machine check that
 * arrived while the guest ran, with the frame it would have had.
 */
static void deliver_host_trap(u32 vector)
{
	struct desc_ptr idt;
	gate_desc *g;

	store_idt(&idt);
	g = (gate_desc *)idt.address + vector;

	/* A machine check on a host built without MCE support has no gate. */
	if (!g->bits.p) {
		pr_warn_once("no host handler for vector %u\n", vector);
		return;
	}
	asm volatile("pushfl\n\tpushl %%cs\n\tcall *%0"
		     : : "r" (gate_offset(g)) : "memory", "cc");
}

/*
 * Enter the guest once, interrupts off; return with its trap and what
 * struck the switcher itself on the way (LGUEST_PENDING_NMI,
 * LGUEST_PENDING_MC).  While the guest runs: CR4 without PGE (the host's
 * global mappings must not survive in the guest's address space), SMEP
 * and SMAP (the guest kernel is "supervisor" to the MMU and uses its user
 * pages freely), OSXSAVE, and the launcher's PCE and TSD (guest processes
 * may read the TSC, as the guest's vDSO does, but no host performance
 * counter); SYSENTER is disarmed and host breakpoints are off.
 *
 * Without OSXSAVE, XSAVE, XGETBV and every AVX instruction raise #UD and
 * CPUID reports no OSXSAVE, in the guest's user mode too, where CPUID is
 * not filtered.  So guest processes cannot use register state beyond
 * x87/SSE, which is all that the guest kernel and
 * lguest_arch_run_guest() switch, nor see what another process left
 * there.  XCR0 keeps the host's value and is never touched.
 */
static unsigned int switch_to_guest_once(struct lguest *lg)
{
	unsigned int cpu = smp_processor_id(), pending = 0, i;
	struct lguest_cpu_pages *p = switcher_cpu_pages(cpu);
	unsigned long dr1;
	u64 sysenter_cs = 0;

	if (lg->slot_cpu != cpu) {
		map_switcher_cpu(lg, cpu);
		lg->tables_changed = true;
	}
	if (this_cpu_read(loaded_guest) != lg || lg->tables_changed)
		load_guest_tables(lg, p);
	p->rw.regs = lg->regs;
	p->ro.guest_cr3 = page_to_phys(lg->cur->pgdir);
	/* Where a direct gate takes the CPU from user mode. */
	p->ro.guest_tss.ss1 = lg->ss1;
	p->ro.guest_tss.sp1 = lg->esp1;
	if (boot_cpu_has(X86_FEATURE_SEP)) {
		rdmsrl(MSR_IA32_SYSENTER_CS, sysenter_cs);
		wrmsrl(MSR_IA32_SYSENTER_CS, 0);
	}
	if (hw_breakpoint_active())
		set_debugreg(0, 7);
	/*
	 * The guest's breakpoint addresses, for the switcher to arm: only
	 * those it enables (whatever DR1 holds, the host reads it back as
	 * the switcher's note of NMIs that struck it, so it starts as no
	 * note: an enabled DR1 never holds one).
	 */
	for (i = 0; i < ARRAY_SIZE(lg->dr); i++) {
		if (lg->dr7 & ((DR_LOCAL_ENABLE | DR_GLOBAL_ENABLE) << (i * DR_ENABLE_SIZE)))
			set_debugreg(lg->dr[i], i);
		else if (i == 1)
			set_debugreg(0, 1);
	}
	p->ro.guest_dr7 = lg->dr7;
	/* The switcher clears the TSS busy bit: the writable GDT, please. */
	load_direct_gdt(cpu);
	p->ro.host_cr3 = __read_cr3();
	native_store_gdt(&p->ro.host_gdt_desc);
	store_idt(&p->ro.host_idt_desc);
	p->ro.host_cr4 = __read_cr4();
	store_ldt(p->ro.host_ldt);
	p->ro.guest_cr4 = p->ro.host_cr4 & ~(X86_CR4_PGE | X86_CR4_SMEP | X86_CR4_SMAP |
					     X86_CR4_OSXSAVE | X86_CR4_PCE | X86_CR4_TSD);
	/* As on the way to user mode: the guest must not sample host data. */
	if (cpu_feature_enabled(X86_FEATURE_CLEAR_CPU_BUF))
		x86_clear_cpu_buffers();
	asm volatile("lcall *%[entry]" : "+a" (p) : [entry] "m" (switcher_entry)
		     : "ecx", "edx", "memory", "cc");
	lg->cr2 = read_cr2();
	get_debugreg(dr1, 1);
	if ((dr1 & ~LGUEST_PENDING_MASK) == LGUEST_PENDING_TAG)
		pending = dr1 & LGUEST_PENDING_MASK;
	/* A debug trap leaves its status in DR6: the guest's, not the host's. */
	if (p->rw.regs.trapnum == X86_TRAP_DB) {
		get_debugreg(lg->dr6, 6);
		set_debugreg(DR6_RESERVED, 6);
	}
	load_fixmap_gdt(cpu);
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	if (sysenter_cs)
		wrmsrl(MSR_IA32_SYSENTER_CS, sysenter_cs);
	lg->regs = p->rw.regs;
	/* A CPU may push a selector as 16 bits, leaving the rest stale. */
	lg->regs.gs &= 0xffff;
	lg->regs.fs &= 0xffff;
	lg->regs.ds &= 0xffff;
	lg->regs.es &= 0xffff;
	lg->regs.cs &= 0xffff;
	lg->regs.ss &= 0xffff;
	return pending;
}

/*
 * Run the guest until it traps.  Returns false if that was the host's
 * (an interrupt, NMI or machine check), which has been handled.
 *
 * The FPU is the guest's while it runs: kernel_fpu_begin() puts the
 * launcher's user state away (it comes back on the way out to user
 * mode) and keeps host interrupt handlers off it, and the guest's
 * registers go back to its own save area before anything else can run.
 */
bool lguest_arch_run_guest(struct lguest *lg)
{
	unsigned int pending;
	bool host_trap, in_switcher;
	u32 trap;

	kernel_fpu_begin();
	asm volatile("fxrstor %0" : : "m" (lg->fpu));
	local_irq_disable();
	pending = switch_to_guest_once(lg);
	asm volatile("fxsave %0" : "=m" (lg->fpu));
	if (pending & LGUEST_PENDING_NMI)
		deliver_host_trap(X86_TRAP_NMI);
	if (pending & LGUEST_PENDING_MC)
		deliver_host_trap(X86_TRAP_MC);
	lg->stats.nmis_in_switcher += hweight32(pending);
	/*
	 * A vector, or a vector the switcher marked as its own fault: any
	 * other number means the frame was not the one the switcher parses.
	 * Only a guest in virtual-8086 mode makes one: its traps push four
	 * more words, so the trap number holds its EFLAGS and the vector is
	 * where %gs would be.  The switcher's iret never enters that mode,
	 * but TCG lets the guest's own iret from ring 1 do it.  The guest
	 * ends; an interrupt for the host is still the host's.
	 *
	 * A real-mode code segment with RPL bits 0 makes such a frame look
	 * like a trap of the switcher itself, which marks it as its own.
	 * The switcher runs with interrupts off: an external interrupt so
	 * marked came from that guest and is the host's all the same.
	 */
	trap = lg->regs.trapnum;
	in_switcher = (trap & ~0xffU) == LGUEST_TRAP_IN_SWITCHER;
	if (in_switcher ? (trap & 0xff) >= FIRST_EXTERNAL_VECTOR : trap >= IDT_ENTRIES) {
		kill_guest(lg, "a trap frame the switcher cannot parse (virtual-8086 mode?)");
		if (in_switcher)
			trap &= 0xff;
		else
			trap = (trap & X86_EFLAGS_VM) ? lg->regs.gs : 0;
	}
	host_trap = trap < IDT_ENTRIES && host_vector(trap);
	if (host_trap) {
		deliver_host_trap(trap);
		if (trap < FIRST_EXTERNAL_VECTOR)
			lg->stats.exit_host_nmi++;
		else
			lg->stats.exit_host_irq++;
	}
	local_irq_enable();
	kernel_fpu_end();
	return !host_trap;
}

/*
 * A byte of guest code at cs:eip + off, or false if it is beyond the
 * segment's limit (the CPU's #GP(0) on the fetch: the instruction never
 * ran) or not in the guest's RAM.
 */
static bool code_byte(struct lguest *lg, const struct desc_struct *cs, u32 off, u8 *byte)
{
	u32 eip = lg->regs.eip + off;
	unsigned long uaddr;

	if (eip < lg->regs.eip || eip > desc_limit(cs))
		return false;
	uaddr = guest_va_to_user(lg, get_desc_base(cs) + eip, false);
	return uaddr && !get_user(*byte, (u8 __user *)uaddr);
}

/*
 * May guest user mode use ports [port, port + size)?  What the CPU
 * checks, in the TSS the guest loaded (LHCALL_LOAD_TR): the I/O bitmap's
 * two bytes at port / 8, which must lie within the TSS's limit, have the
 * ports' bits clear.  The guest kernel keeps that bitmap for ioperm()
 * and iopl() exactly as on hardware.
 */
static bool user_port_ok(struct lguest *lg, u32 port, u32 size)
{
	const u32 base_off = offsetof(struct x86_hw_tss, io_bitmap_base);
	u16 base, bits;
	u32 off;

	if (lg->tss_limit < base_off + 1 ||
	    !read_guest_virt(lg, lg->tss_base + base_off, &base, sizeof(base)))
		return false;
	off = base + port / 8;
	if (off + 1 > lg->tss_limit ||
	    !read_guest_virt(lg, lg->tss_base + off, &bits, sizeof(bits)))
		return false;
	return !(bits & (((1U << size) - 1) << (port % 8)));
}

/* The single-step trap the CPU raises after an instruction with TF set. */
static void single_step_trap(struct lguest *lg)
{
	lg->dr6 = DR6_RESERVED | DR_STEP;
	WRITE_DATA(lg, dr6, lg->dr6);
	reflect_trap(lg, X86_TRAP_DB, false);
}

/*
 * After an instruction the host ran for the guest: with TF set, the
 * single-step trap the CPU would have raised after it (not when the
 * instruction raised a fault of its own, or is to run again).
 */
static void single_step_after(struct lguest *lg, u32 cs, u32 eip)
{
	if (!lg->dead && (lg->regs.eflags & X86_EFLAGS_TF) &&
	    lg->regs.cs == cs && lg->regs.eip != eip)
		single_step_trap(lg);
}

/*
 * What the host needs to know of an instruction it emulates: its
 * prefixes, read as the CPU reads them, and the opcode byte after them.
 */
struct guest_insn {
	const struct desc_struct *cs;
	u32 len;		/* of the prefixes and the opcode byte */
	u32 size;		/* operand size: 2 or 4 (1 is the opcode's) */
	u32 seg;		/* data segment: DS or the override */
	bool rep;
	bool addr16;
	u8 op;
};

static bool decode_insn(struct lguest *lg, const struct desc_struct *cs, struct guest_insn *insn)
{
	static const u8 seg_prefix[] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 };
	const u32 seg_reg[] = { lg->regs.es, lg->regs.cs, lg->regs.ss,
				lg->regs.ds, lg->regs.fs, lg->regs.gs };
	bool opsize = false;
	unsigned int i;
	u8 op;

	*insn = (struct guest_insn){ .cs = cs, .seg = lg->regs.ds };
	for (;;) {
		/* The CPU refuses an instruction longer than 15 bytes. */
		if (insn->len == MAX_INSN_SIZE || !code_byte(lg, cs, insn->len, &op))
			return false;
		insn->len++;
		if (op == 0x66) {
			opsize = true;
		} else if (op == 0x67) {
			insn->addr16 = true;
		} else if (op == 0xf2 || op == 0xf3) {
			insn->rep = true;
		} else {
			for (i = 0; i < ARRAY_SIZE(seg_prefix) && op != seg_prefix[i]; i++)
				;
			if (i == ARRAY_SIZE(seg_prefix))
				break;
			insn->seg = seg_reg[i];
		}
	}
	/* A 16-bit code segment swaps the prefixes' meanings. */
	if (!cs->d) {
		opsize = !opsize;
		insn->addr16 = !insn->addr16;
	}
	insn->size = opsize ? 2 : 4;
	insn->op = op;
	return true;
}

/* The 8-bit immediate after the opcode, within the CPU's 15 bytes. */
static bool insn_imm8(struct lguest *lg, struct guest_insn *insn, u8 *imm)
{
	return insn->len < MAX_INSN_SIZE && code_byte(lg, insn->cs, insn->len++, imm);
}

/* Is sel a flat data segment that guest user mode may read (and write)? */
static bool flat_user_data(struct lguest *lg, u32 sel, bool write)
{
	const struct desc_struct *d = guest_desc(lg, sel);

	return d && d->dpl == USER_RPL && !(d->type & _DESC_CODE_EXECUTABLE) &&
	       !(d->type & _DESC_DATA_EXPAND_DOWN) &&
	       (!write || (d->type & _DESC_DATA_WRITABLE)) &&
	       !get_desc_base(d) && d->g && get_desc_limit(d) == 0xfffff;
}

/* Elements of a "rep ins/outs" run per exit; the CPU resumes the rest. */
#define STRING_IO_BATCH	1024

/*
 * ins/outs from guest user mode on ports its I/O bitmap allows, run as
 * the CPU would: each element a user access at ES:EDI (ins, which stores
 * all ones) or DS:ESI or its override (outs, which reads it and drops
 * it), through flat segments with 32-bit addresses only; with rep, ECX
 * elements, at most STRING_IO_BATCH per exit (the instruction then runs
 * again, as an interrupted rep resumes).  An element the guest's page
 * tables refuse is the page fault the CPU would raise there, with the
 * registers as they stand.  Anything else stays a #GP.
 */
static bool emulate_string_io(struct lguest *lg, const struct guest_insn *insn)
{
	u32 size = (insn->op & 1) ? insn->size : 1, *ptr, i, n;
	bool in = insn->op < 0x6e;
	u32 seg = in ? lg->regs.es : insn->seg;	/* no override for ES:EDI */
	int step;

	if (insn->addr16 || !user_port_ok(lg, lg->regs.edx & 0xffff, size) ||
	    !flat_user_data(lg, seg, in))
		return false;
	ptr = in ? &lg->regs.edi : &lg->regs.esi;
	step = (lg->regs.eflags & X86_EFLAGS_DF) ? -size : size;
	for (n = 0; !insn->rep || lg->regs.ecx; n++) {
		/* (Single-stepped, a rep traps after every element.) */
		if (n == STRING_IO_BATCH ||
		    (n == 1 && (lg->regs.eflags & X86_EFLAGS_TF))) {
			if (n == 1)
				single_step_trap(lg);
			return true;
		}
		/* The whole element must be accessible before any of it is written. */
		for (i = 0; i < size; i++) {
			u32 va = *ptr + i;

			lg->regs.errcode = X86_PF_USER | (in ? X86_PF_WRITE : 0);
			if (!demand_page(lg, va, lg->regs.errcode)) {
				if (!lg->dead) {
					lg->cr2 = va;
					WRITE_DATA(lg, cr2, va);
					reflect_trap(lg, X86_TRAP_PF, true);
				}
				return true;
			}
		}
		for (i = 0; in && i < size; i++) {
			unsigned long uaddr = guest_va_to_user(lg, *ptr + i, true);

			if (!uaddr || put_user((u8)0xff, (u8 __user *)uaddr)) {
				kill_guest(lg, "cannot write guest memory at %#x", *ptr + i);
				return true;
			}
		}
		*ptr += step;
		if (!insn->rep)
			break;
		lg->regs.ecx--;
	}
	lg->regs.eip += insn->len;
	return true;
}

/*
 * Port I/O (the guest kernel's, or its user mode's where the guest's I/O
 * bitmap allows it) and hlt from the guest kernel.  There are no ports:
 * "in" reads all ones and "out" is dropped, as on a bus with nothing
 * behind it.  The string forms are emulated for user mode only (the
 * guest kernel has no use for them); whatever is not emulated is the
 * guest's #GP.
 */
static bool emulate_insn(struct lguest *lg)
{
	u32 cpl = lg->regs.cs & SEGMENT_RPL_MASK, size, port;
	const struct desc_struct *cs = guest_desc(lg, lg->regs.cs);
	struct guest_insn insn;
	u8 imm;

	if ((cpl != 1 && cpl != USER_RPL) || (lg->regs.eflags & X86_EFLAGS_VM) || !cs ||
	    !decode_insn(lg, cs, &insn))
		return false;
	size = insn.size;
	switch (insn.op) {
	case 0x6c ... 0x6f:		/* ins/outs */
		return cpl == USER_RPL && emulate_string_io(lg, &insn);
	case 0xe4: case 0xe6:		/* in/out al, imm8 */
		size = 1;
		fallthrough;
	case 0xe5: case 0xe7:		/* in/out (e)ax, imm8 */
		if (!insn_imm8(lg, &insn, &imm))
			return false;
		port = imm;
		break;
	case 0xec: case 0xee:		/* in/out al, dx */
		size = 1;
		fallthrough;
	case 0xed: case 0xef:		/* in/out (e)ax, dx */
		port = lg->regs.edx & 0xffff;
		break;
	case 0xf4:			/* hlt */
		if (insn.len != 1 || cpl != 1)
			return false;
		lg->halted = true;
		lg->regs.eip += 1;
		return true;
	default:
		return false;
	}
	if (cpl == USER_RPL && !user_port_ok(lg, port, size))
		return false;
	if (!(insn.op & 2))
		lg->regs.eax |= size == 4 ? ~0U : (1U << (size * 8)) - 1;
	lg->regs.eip += insn.len;
	return true;
}

/* The flags of a selector error code: an external event; an IDT vector. */
#define SEL_ERR_EXT	BIT(0)
#define SEL_ERR_IDT	BIT(1)

/*
 * A #GP from "int n" whose gate in the switcher's IDT has too low a DPL
 * (see stub_dpl()): if the guest's own gate allows the caller, deliver
 * the software interrupt as the CPU would have, with no error code.
 */
static bool emulate_soft_int(struct lguest *lg)
{
	u32 err = lg->regs.errcode, vector = err >> 3;
	const struct desc_struct *cs = guest_desc(lg, lg->regs.cs);
	struct guest_insn insn;
	const gate_desc *g;
	u8 imm;

	if ((err & (SEL_ERR_IDT | SEL_ERR_EXT)) != SEL_ERR_IDT ||
	    vector >= IDT_ENTRIES || vector == LGUEST_TRAP_ENTRY)
		return false;
	g = &lg->idt[vector];
	if (!g->bits.p || g->bits.dpl < (lg->regs.cs & SEGMENT_RPL_MASK) || !cs ||
	    !decode_insn(lg, cs, &insn))
		return false;
	if (insn.op == 0xcd) {					/* int n */
		if (!insn_imm8(lg, &insn, &imm) || imm != vector)
			return false;
	} else if (!(insn.op == 0xcc && vector == X86_TRAP_BP) &&	/* int3 */
		   !(insn.op == 0xce && vector == X86_TRAP_OF)) {	/* into, OF set */
		return false;
	}
	lg->regs.eip += insn.len;
	reflect_trap(lg, vector, false);
	return true;
}

/* I/O breakpoints (R/W bits 10) need CR4.DE; no named constant. */
#define DR_RW_IO	0x2

/*
 * The guest's breakpoints (LHCALL_SET_DEBUGREG).  The switcher arms them
 * only while the CPU touches nothing but the guest's memory and the
 * switcher's own pages, so a guest may have instruction and data
 * breakpoints below the switcher slot: none in the slot, no I/O
 * breakpoints (port access is the host's to emulate), no general-detect
 * or other control bits, and DR1 never on the addresses of the
 * switcher's NMI note.  The rest stay unarmed, as if never enabled.
 */
void lguest_arch_set_debugreg(struct lguest *lg, u32 regno, u32 value)
{
	unsigned int i;

	if (regno < ARRAY_SIZE(lg->dr)) {
		lg->dr[regno] = value;
	} else if (regno == 7) {
		lg->guest_dr7 = value;
	} else {
		kill_guest(lg, "bad debug register %u", regno);
		return;
	}
	lg->dr7 = 0;
	for (i = 0; i < ARRAY_SIZE(lg->dr); i++) {
		u32 enable = (lg->guest_dr7 >> (i * DR_ENABLE_SIZE)) & 3;
		u32 ctl = (lg->guest_dr7 >> (DR_CONTROL_SHIFT + i * DR_CONTROL_SIZE)) & 0xf;

		if (!enable || (ctl & 3) == DR_RW_IO || (ctl & 0xc) == DR_LEN_8 ||
		    lg->dr[i] >= switcher_addr)
			continue;
		if (i == 1 && (lg->dr[1] & ~LGUEST_PENDING_MASK) == LGUEST_PENDING_TAG)
			continue;
		if ((ctl & 3) == DR_RW_EXECUTE)
			ctl = DR_RW_EXECUTE | DR_LEN_1;
		lg->dr7 |= enable << (i * DR_ENABLE_SIZE) |
			   ctl << (DR_CONTROL_SHIFT + i * DR_CONTROL_SIZE);
	}
}

/* A trap other than a hypercall or the host's own. */
void lguest_arch_handle_trap(struct lguest *lg)
{
	u32 trap = lg->regs.trapnum, cs = lg->regs.cs, eip = lg->regs.eip;

	if (trap < FIRST_EXTERNAL_VECTOR)
		lg->stats.exit_trap[trap]++;
	else if (trap == IA32_SYSCALL_VECTOR)
		lg->stats.exit_int80++;
	else if (trap < IDT_ENTRIES)
		lg->stats.exit_soft_int++;
	else
		lg->stats.exit_refused++;
	if (lg->dead)
		return;
	if (trap & LGUEST_TRAP_IN_SWITCHER) {
		kill_guest(lg, "the CPU refused the guest's state (exception %u on entry)",
			   trap & ~LGUEST_TRAP_IN_SWITCHER);
		return;
	}
	switch (trap) {
	case X86_TRAP_DB:
		WRITE_DATA(lg, dr6, lg->dr6);
		break;
	case X86_TRAP_PF:
		if (demand_page(lg, lg->cr2, lg->regs.errcode) || lg->dead)
			return;
		lg->stats.pf_guest++;
		WRITE_DATA(lg, cr2, lg->cr2);
		break;
	case X86_TRAP_GP:
		if (emulate_insn(lg)) {
			lg->stats.gp_emulated++;
			single_step_after(lg, cs, eip);
			return;
		}
		if (emulate_soft_int(lg))
			return;
		break;
	}
	reflect_trap(lg, trap, has_errcode(trap));
}
