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
#include <asm/paravirt.h>
#include <asm/setup.h>
#include <asm/cpufeature.h>
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

static void __init __noreturn lguest_init(void)
{
	static const char hello[] = "lguest: guest kernel running in ring 1\n";

	hcall(LHCALL_LGUEST_INIT, __pa(&lguest_data), 0, 0);
	lguest_boot_write(NULL, hello, sizeof(hello) - 1);

	pv_info.name = "lguest";
	pv_ops.irq.save_fl = PV_CALLEE_SAVE(lguest_save_fl);
	pv_ops.irq.irq_disable = PV_CALLEE_SAVE(lguest_irq_disable);
	pv_ops.irq.irq_enable = PV_CALLEE_SAVE(lguest_irq_enable);
	setup_force_cpu_cap(X86_FEATURE_PV_DEPRIV);

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
