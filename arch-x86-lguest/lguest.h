/* SPDX-License-Identifier: GPL-2.0 */
/* What the lguest guest's files share. */
#ifndef _ARCH_X86_LGUEST_LGUEST_H
#define _ARCH_X86_LGUEST_LGUEST_H

#include <linux/lguest.h>
#include <asm/bootparam.h>
#include <linux/cpufeature.h>
#include <asm/setup.h>

extern struct lguest_data lguest_data;

unsigned long lguest_hcall(unsigned long call, unsigned long arg1,
			   unsigned long arg2, unsigned long arg3);
int lguest_setup_irq(unsigned int irq);

/*
 * The pv iret (boot.c), the direct entries of system calls and
 * exceptions, and the window around them with no interrupt delivery.
 */
void lguest_iret(void);
extern char lguest_noirq_start[], lguest_noirq_end[];
extern const char lguest_direct_de[], lguest_direct_bp[], lguest_direct_of[];
extern const char lguest_direct_br[], lguest_direct_ud[], lguest_direct_mf[];
extern const char lguest_direct_xf[], lguest_direct_int80[];

/* True once lguest's probe has taken over the boot. */
static inline bool running_on_lguest(void)
{
	return boot_params.hdr.hardware_subarch == X86_SUBARCH_LGUEST &&
	       boot_cpu_has(X86_FEATURE_PV_DEPRIV);
}

#endif /* _ARCH_X86_LGUEST_LGUEST_H */
