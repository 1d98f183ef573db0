/* SPDX-License-Identifier: GPL-2.0 */
/* What the lguest guest's files share (wip; later asm/lguest.h). */
#ifndef _LGUEST_GUEST_H
#define _LGUEST_GUEST_H
#include "lguest_abi.h"

extern struct lguest_data lguest_data;
unsigned long lguest_hcall(unsigned long call, unsigned long arg1,
			   unsigned long arg2, unsigned long arg3);
int lguest_setup_irq(unsigned int irq);
#endif
