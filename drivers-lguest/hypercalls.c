// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls: "int $LGUEST_TRAP_ENTRY" from the guest kernel with the
 * call number in %eax and its arguments in %ebx, %ecx, %edx and %esi.
 * Calls that only update the host's view of the guest (page tables,
 * descriptors, stack) can also be queued in the ring in struct
 * lguest_data while the guest is in a lazy MMU or CPU section; the ring
 * is drained before every direct hypercall, in order.
 *
 * Every argument comes from the guest and is checked; a bad one kills
 * the guest with a reason for the launcher.
 */
#include <linux/cpufeature.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>
#include "lg.h"

static void guest_crashed(struct lguest *lg, u32 gpa)
{
	char msg[LGUEST_MSG_LEN - 16];
	void __user *p = gpa_user(lg, gpa, 1);
	long n = -EFAULT;
	u32 max = min_t(u32, sizeof(msg) - 1, lg->mem_pages * PAGE_SIZE - gpa);

	if (p)
		n = strncpy_from_user(msg, p, max);
	if (n < 0)
		n = 0;
	msg[n] = 0;
	while (n && msg[n - 1] == '\n')
		msg[--n] = 0;
	kill_guest(lg, "guest panic: %s", msg);
	lg->exit_reason = LGUEST_EXIT_CRASH;
}

static bool use_tsc = true;
module_param(use_tsc, bool, 0444);
MODULE_PARM_DESC(use_tsc,
		 "Offer guests the TSC as their clock if its rate is known and it is stable (default: on)");

static void guest_init(struct lguest *lg, u32 gpa)
{
	if (lg->data_gpa || !IS_ALIGNED(gpa, 8) ||
	    !gpa_user(lg, gpa, sizeof(struct lguest_data))) {
		kill_guest(lg, "bad lguest_data address %#x", gpa);
		return;
	}
	lg->data_gpa = gpa;
	/*
	 * Without a TSC of known rate (calibration can fail, notably under
	 * emulation) the guest reads the host's clock from lguest_data.
	 */
	lg->host_clock = !use_tsc || !boot_cpu_has(X86_FEATURE_TSC) || !tsc_khz ||
			 check_tsc_unstable();
	WRITE_DATA(lg, tsc_khz, lg->host_clock ? 0 : tsc_khz);
	WRITE_DATA(lg, reserve_mem, 0U - switcher_addr);
	WRITE_DATA(lg, device_base, lg->mem_pages * PAGE_SIZE);
	WRITE_DATA(lg, device_pages, lg->device_pages);
	WRITE_DATA64(lg, wallclock_ns, ktime_get_real_ns());
	WRITE_DATA64(lg, time_ns, ktime_get_ns());
	lg->noirq_start = READ_DATA(lg, noirq_start);
	lg->noirq_end = READ_DATA(lg, noirq_end);
	/* Gates into the window may now go direct. */
	lg->tables_changed = true;
}

/* Calls that may sit in the ring: none of them needs the launcher. */
static bool batchable(u32 nr)
{
	switch (nr) {
	case LHCALL_LOAD_GDT_ENTRY:
	case LHCALL_LOAD_IDT_ENTRY:
	case LHCALL_LOAD_TLS:
	case LHCALL_SET_STACK:
	case LHCALL_NEW_PGTABLE:
	case LHCALL_FLUSH_TLB:
	case LHCALL_SET_PTE:
	case LHCALL_SET_PGD:
	case LHCALL_SET_CLOCKEVENT:
	case LHCALL_DROP_PGTABLE:
		return true;
	default:
		return false;
	}
}

/* One hypercall: 0 to go on running the guest, 1 with an exit in *ex. */
static int do_hcall(struct lguest *lg, const struct lguest_hcall *h, struct lguest_exit *ex)
{
	if (h->nr < LGUEST_HCALLS) {
		if (ex)
			lg->stats.hcalls[h->nr]++;
		else
			lg->stats.hcalls_batched[h->nr]++;
	}
	switch (h->nr) {
	case LHCALL_FLUSH_ASYNC:
		return 0;	/* the ring was drained on the way here */
	case LHCALL_LGUEST_INIT:
		guest_init(lg, h->arg1);
		return 0;
	case LHCALL_CONSOLE_WRITE:
		if (!h->arg2 || h->arg2 > PAGE_SIZE || !gpa_user(lg, h->arg1, h->arg2)) {
			kill_guest(lg, "bad console write %#x+%u", h->arg1, h->arg2);
			return 0;
		}
		ex->reason = LGUEST_EXIT_CONSOLE;
		ex->arg = (u64)h->arg1 << 32 | h->arg2;
		return 1;
	case LHCALL_NOTIFY:
		if (h->arg1 < lg->mem_pages * PAGE_SIZE ||
		    h->arg1 >= (lg->mem_pages + lg->device_pages) * PAGE_SIZE) {
			kill_guest(lg, "notify outside the device pages: %#x", h->arg1);
			return 0;
		}
		if (notify_eventfd(lg, h->arg1))
			return 0;
		ex->reason = LGUEST_EXIT_NOTIFY;
		ex->arg = h->arg1;
		return 1;
	case LHCALL_LOAD_IDT_ENTRY:
		load_idt_entry(lg, h->arg1, (u64)h->arg3 << 32 | h->arg2);
		return 0;
	case LHCALL_LOAD_GDT_ENTRY:
		load_gdt_entry(lg, h->arg1, (u64)h->arg3 << 32 | h->arg2);
		return 0;
	case LHCALL_LOAD_TLS:
		load_tls(lg, h->arg1);
		return 0;
	case LHCALL_SET_STACK:
		if ((h->arg1 & SEGMENT_RPL_MASK) != 1 || !selector_ok(lg, h->arg1, false)) {
			kill_guest(lg, "bad kernel stack segment %#x", h->arg1);
			return 0;
		}
		lg->ss1 = h->arg1;
		lg->esp1 = h->arg2;
		return 0;
	case LHCALL_SET_CLOCKEVENT:
		set_clockevent(lg, h->arg1);
		return 0;
	case LHCALL_NEW_PGTABLE:
		lg->stats.pgdir_loads++;
		new_pgdir(lg, h->arg1);
		return 0;
	case LHCALL_FLUSH_TLB:
		if (h->arg1 == LGUEST_FLUSH_ONE) {
			lg->stats.flush_one++;
			flush_shadow_one(lg, h->arg2);
		} else if (h->arg1 == LGUEST_FLUSH_ALL || h->arg1 == LGUEST_FLUSH_USER) {
			lg->stats.flush_all++;
			flush_shadow(lg, h->arg1 == LGUEST_FLUSH_USER);
		} else {
			kill_guest(lg, "bad TLB flush %u", h->arg1);
		}
		return 0;
	case LHCALL_SET_PTE:
		if (h->arg1 == lg->guest_pgdir)
			flush_shadow_one(lg, h->arg2);
		else
			forget_pgdir(lg, h->arg1);
		return 0;
	case LHCALL_SET_PGD:
		if (h->arg1 == lg->guest_pgdir)
			drop_shadows(lg);
		else
			forget_pgdir(lg, h->arg1);
		return 0;
	case LHCALL_DROP_PGTABLE:
		forget_pgdir(lg, h->arg1);
		return 0;
	case LHCALL_HALT:
		lg->halted = true;
		return 0;
	case LHCALL_LOAD_TR:
		/* Read only when guest user mode tries a port (emulate_insn). */
		lg->tss_base = h->arg1;
		lg->tss_limit = h->arg2;
		return 0;
	case LHCALL_SET_DEBUGREG:
		lguest_arch_set_debugreg(lg, h->arg1, h->arg2);
		return 0;
	case LHCALL_SET_LDT:
		load_ldt(lg, h->arg1, h->arg2);
		return 0;
	case LHCALL_SEND_INTERRUPTS:
		return 0;	/* delivery is checked before every entry */
	case LHCALL_CRASH:
		guest_crashed(lg, h->arg1);
		return 0;
	case LHCALL_SHUTDOWN:
		if (h->arg1 != LGUEST_SHUTDOWN_POWEROFF && h->arg1 != LGUEST_SHUTDOWN_RESTART) {
			kill_guest(lg, "bad shutdown request %u", h->arg1);
			return 0;
		}
		ex->reason = h->arg1 == LGUEST_SHUTDOWN_RESTART ?
			     LGUEST_EXIT_RESTART : LGUEST_EXIT_POWEROFF;
		lg->exit_reason = ex->reason;
		strscpy(lg->dead_msg, "shut down", sizeof(lg->dead_msg));
		lg->dead = true;
		return 1;
	default:
		kill_guest(lg, "unknown hypercall %u", h->nr);
		return 0;
	}
}

/* Run the queued hypercalls, oldest first, until an empty slot. */
static void drain_ring(struct lguest *lg)
{
	size_t status = offsetof(struct lguest_data, hcall_status);
	size_t calls = offsetof(struct lguest_data, hcalls);
	unsigned int n;

	if (!lg->data_gpa)
		return;
	for (n = 0; n < LHCALL_RING_SIZE && !lg->dead; n++) {
		unsigned int i = lg->next_hcall;
		u8 __user *st = gpa_user(lg, lg->data_gpa + status + i, 1);
		struct lguest_hcall h;
		void __user *slot;
		u8 s;

		if (!st || get_user(s, st)) {
			kill_guest(lg, "cannot read the hypercall ring");
			return;
		}
		if (s == LHCALL_SLOT_EMPTY)
			return;
		slot = gpa_user(lg, lg->data_gpa + calls + i * sizeof(h), sizeof(h));
		if (!slot || copy_from_user(&h, slot, sizeof(h))) {
			kill_guest(lg, "cannot read the hypercall ring");
			return;
		}
		if (!batchable(h.nr)) {
			kill_guest(lg, "hypercall %u cannot be queued", h.nr);
			return;
		}
		do_hcall(lg, &h, NULL);
		/* 64 calls may each be long (a flush of all the shadows). */
		cond_resched();
		if (put_user((u8)LHCALL_SLOT_EMPTY, st)) {
			kill_guest(lg, "cannot write the hypercall ring");
			return;
		}
		lg->next_hcall = (i + 1) % LHCALL_RING_SIZE;
	}
}

/* The guest trapped with a hypercall: 0 to go on, 1 with an exit in *ex. */
int do_hypercalls(struct lguest *lg, struct lguest_exit *ex)
{
	struct lguest_regs *r = &lg->regs;
	struct lguest_hcall h = {
		.nr = r->eax, .arg1 = r->ebx, .arg2 = r->ecx, .arg3 = r->edx, .arg4 = r->esi,
	};

	drain_ring(lg);
	if (lg->dead)
		return 0;
	return do_hcall(lg, &h, ex);
}
