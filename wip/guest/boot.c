// SPDX-License-Identifier: GPL-2.0
/*
 * lguest guest: first steps (wip).  The paravirt probe recognises lguest
 * from boot_params, registers the shared page, installs the interrupt-flag
 * pv ops and a hypercall boot console, and goes on into
 * i386_start_kernel().  Everything else is still native and will kill the
 * guest with the host's reason: that tells how far the boot gets.
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/console.h>
#include <linux/string.h>
#include <asm/bootparam.h>
#include <asm/desc.h>
#include <asm/paravirt.h>
#include <asm/setup.h>
#include <asm/cpufeature.h>
#include <asm/pci_x86.h>
#include <asm/x86_init.h>
#include <asm/tsc.h>
#include "lguest_abi.h"

static struct lguest_data lguest_data __aligned(PAGE_SIZE);

static unsigned long hcall(unsigned long call, unsigned long arg1,
			   unsigned long arg2, unsigned long arg3)
{
	asm volatile("int $" __stringify(LGUEST_TRAP_ENTRY)
		     : "+a" (call)
		     : "b" (arg1), "c" (arg2), "d" (arg3)
		     : "memory");
	return call;
}

static void lguest_boot_write(struct console *con, const char *s, unsigned int n)
{
	hcall(LHCALL_CONSOLE_WRITE, __pa(s), n, 0);
}

static struct console lguest_boot_console = {
	.name = "lgboot",
	.write = lguest_boot_write,
	.flags = CON_PRINTBUFFER | CON_BOOT,
	.index = -1,
};

/* The virtual interrupt flag lives in the shared page. */
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
}
PV_CALLEE_SAVE_REGS_THUNK(lguest_irq_enable);

static void lguest_write_idt_entry(gate_desc *dt, int entry, const gate_desc *g)
{
	u32 *w = (u32 *)g;

	native_write_idt_entry(dt, entry, g);
	if (entry != LGUEST_TRAP_ENTRY)
		hcall(LHCALL_LOAD_IDT_ENTRY, entry, w[0], w[1]);
}

/* The host keeps its own copy of every gate: send the whole table. */
static void lguest_load_idt(const struct desc_ptr *desc)
{
	unsigned int i;
	u32 *w = (u32 *)desc->address;

	for (i = 0; i < (desc->size + 1) / 8; i++)
		if (i != LGUEST_TRAP_ENTRY)
			hcall(LHCALL_LOAD_IDT_ENTRY, i, w[2 * i], w[2 * i + 1]);
}

static unsigned long current_cr3, current_cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP;

static unsigned long lguest_read_cr3(void)
{
	return current_cr3;
}

static void lguest_write_cr3(unsigned long cr3)
{
	current_cr3 = cr3;
	hcall(LHCALL_NEW_PGTABLE, cr3, 0, 0);
}

static __used unsigned long lguest_read_cr2(void)
{
	return lguest_data.cr2;
}
PV_CALLEE_SAVE_REGS_THUNK(lguest_read_cr2);

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
	return 0;
}

static void lguest_write_cr4(unsigned long cr4)
{
}

static void lguest_flush_tlb(void)
{
	hcall(LHCALL_FLUSH_TLB, 0, 0, 0);
}

static void lguest_flush_tlb_one(unsigned long addr)
{
	hcall(LHCALL_FLUSH_TLB, 0, 0, 0);
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

static unsigned long lguest_get_debugreg(int regno)
{
	return 0;
}

static void lguest_set_debugreg(int regno, unsigned long value)
{
}

/* The host measured the TSC; no PIT to calibrate against here. */
static unsigned long lguest_tsc_khz(void)
{
	return lguest_data.tsc_khz;
}

/*
 * CPUID, filtered: nothing a ring-1 guest cannot use (large and global
 * pages, sysenter, MTRR/PAT/MCE, the local APIC, monitor/mwait, XSAVE,
 * SMEP/SMAP/UMIP) and no host hypervisor leaves; HYPERVISOR set.
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
	case 0x40000000 ... 0x4fffffff:
		*ax = *bx = *cx = *dx = 0;
		break;
	}
}

static void lguest_halt(void)
{
	hcall(LHCALL_HALT, 0, 0, 0);
}

static void __init __noreturn lguest_init(void)
{
	static const char hello[] = "lguest: guest kernel running in ring 1\n";

	hcall(LHCALL_LGUEST_INIT, __pa(&lguest_data), 0, 0);
	lguest_boot_write(NULL, hello, sizeof(hello) - 1);

	pv_info.name = "lguest";
	pv_ops.irq.save_fl = PV_CALLEE_SAVE(lguest_save_fl);
	pv_ops.irq.irq_disable = PV_CALLEE_SAVE(lguest_irq_disable);
	pv_ops.irq.irq_enable = PV_CALLEE_SAVE(lguest_irq_enable);
	pv_ops.cpu.write_idt_entry = lguest_write_idt_entry;
	pv_ops.cpu.load_idt = lguest_load_idt;
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
	pv_ops.cpu.load_gdt = (void *)lguest_nop;
	pv_ops.cpu.load_tr_desc = lguest_nop;
	pv_ops.cpu.set_ldt = (void *)lguest_nop;
	pv_ops.cpu.load_sp0 = (void *)lguest_nop;
	pv_ops.irq.safe_halt = lguest_halt;
	pv_ops.irq.halt = lguest_halt;
	pv_ops.mmu.read_cr2 = PV_CALLEE_SAVE(lguest_read_cr2);
	pv_ops.mmu.read_cr3 = lguest_read_cr3;
	pv_ops.mmu.write_cr3 = lguest_write_cr3;
	pv_ops.mmu.flush_tlb_user = lguest_flush_tlb;
	pv_ops.mmu.flush_tlb_kernel = lguest_flush_tlb;
	pv_ops.mmu.flush_tlb_one_user = lguest_flush_tlb_one;
	pv_ops.cpu.cpuid = lguest_cpuid;
	pv_ops.cpu.get_debugreg = lguest_get_debugreg;
	pv_ops.cpu.set_debugreg = lguest_set_debugreg;
	x86_platform.calibrate_tsc = lguest_tsc_khz;
	x86_platform.calibrate_cpu = lguest_tsc_khz;
	/* No PCI and no port I/O: lguest_bus carries the devices. */
	pci_probe = 0;
	setup_force_cpu_cap(X86_FEATURE_PV_DEPRIV);

	/*
	 * The launcher's tables map all of our memory at 0 as well, which is
	 * what mk_early_pgtbl_32() expects: build the kernel's own early
	 * tables exactly as a native boot does, then switch to them.
	 */
	mk_early_pgtbl_32();
	lguest_write_cr3(__pa(initial_page_table));

	register_console(&lguest_boot_console);
	pr_info("lguest: boot console registered, entering i386_start_kernel()\n");
	i386_start_kernel();
}

static void __init lguest_probe(void)
{
	if (boot_params.hdr.hardware_subarch == X86_SUBARCH_LGUEST)
		lguest_init();
}
paravirt_probe(lguest_probe);
