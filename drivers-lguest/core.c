// SPDX-License-Identifier: GPL-2.0
/*
 * lguest host core: the switcher slot, guest memory accessors and the
 * loop that runs a guest until it needs its launcher.
 *
 * The switcher lives in a fixed 4 MB slot at the top of the host's
 * vmalloc area, right below the LDT remap (or the kmap area), so that it
 * has the same address in the host and in every guest: the guests are
 * told to keep everything from the slot up to 4 GB free.  The slot holds
 * the switcher's text, then a set of pages for each host CPU: a guest
 * runs on the pages of the CPU its launcher thread happens to be on.
 */
#define pr_fmt(fmt) "lguest: " fmt

#include <linux/module.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/pgtable.h>
#include "lg.h"

unsigned long switcher_addr;

/* Page i of the switcher slot (text, then the per-CPU pages). */
struct page *switcher_page(unsigned int i)
{
	return vmalloc_to_page((void *)(switcher_addr + i * PAGE_SIZE));
}

/* The index in the slot of the first of a CPU's pages. */
unsigned int switcher_cpu_page(unsigned int cpu)
{
	return SWITCHER_TEXT_PAGES + cpu * SWITCHER_PAGES_PER_CPU;
}

struct lguest_cpu_pages *switcher_cpu_pages(unsigned int cpu)
{
	return (void *)(switcher_addr + switcher_cpu_page(cpu) * PAGE_SIZE);
}

static int map_switcher(void)
{
	unsigned long size = switcher_cpu_page(nr_cpu_ids) * PAGE_SIZE;
	unsigned long slot = VMALLOC_END & PMD_MASK;
	void *p;

	if (lguest_switcher_end - lguest_switcher_start > SWITCHER_TEXT_PAGES * PAGE_SIZE) {
		pr_err("switcher text does not fit its %d pages\n", SWITCHER_TEXT_PAGES);
		return -EINVAL;
	}
	if (size > SWITCHER_SLOT_SIZE) {
		pr_err("the switcher slot has room for %lu CPUs, not %u\n",
		       (SWITCHER_SLOT_SIZE / PAGE_SIZE - SWITCHER_TEXT_PAGES) /
		       SWITCHER_PAGES_PER_CPU, nr_cpu_ids);
		return -E2BIG;
	}
	if (slot < VMALLOC_START || slot + size > VMALLOC_END) {
		pr_err("no room for the switcher below %#lx\n", (unsigned long)VMALLOC_END);
		return -ENOMEM;
	}
	/* vmalloc places from the bottom of the range: the slot's start. */
	p = __vmalloc_node_range(size, PAGE_SIZE, slot, VMALLOC_END,
				 GFP_KERNEL | __GFP_ZERO, PAGE_KERNEL_EXEC, 0,
				 NUMA_NO_NODE, __builtin_return_address(0));
	if (!p)
		return -ENOMEM;
	if ((unsigned long)p != slot) {
		pr_err("switcher slot %#lx is in use\n", slot);
		vfree(p);
		return -EBUSY;
	}
	memcpy(p, lguest_switcher_start, lguest_switcher_end - lguest_switcher_start);
	switcher_addr = slot;
	return 0;
}

/*
 * Stop the guest for good; the next read() returns LGUEST_EXIT_KILLED
 * with the reason.  The first reason is kept.
 */
void kill_guest(struct lguest *lg, const char *fmt, ...)
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

/* Guest RAM through the launcher's mapping, or NULL if out of range. */
void __user *gpa_user(struct lguest *lg, u32 gpa, u32 len)
{
	u32 size = lg->mem_pages * PAGE_SIZE;

	if (gpa >= size || len > size - gpa)
		return NULL;
	return (void __user *)(lg->mem_base + gpa);
}

bool read_gpa(struct lguest *lg, u32 gpa, u32 *val)
{
	u32 __user *p = gpa_user(lg, gpa, sizeof(*val));

	if (!p || !IS_ALIGNED(gpa, sizeof(*val)) || get_user(*val, p)) {
		kill_guest(lg, "cannot read guest memory at %#x", gpa);
		return false;
	}
	return true;
}

bool write_gpa(struct lguest *lg, u32 gpa, u32 val)
{
	u32 __user *p = gpa_user(lg, gpa, sizeof(val));

	if (!p || !IS_ALIGNED(gpa, sizeof(val)) || put_user(val, p)) {
		kill_guest(lg, "cannot write guest memory at %#x", gpa);
		return false;
	}
	return true;
}

/* A field of the guest's struct lguest_data (0 before LHCALL_LGUEST_INIT). */
u32 read_data(struct lguest *lg, size_t off)
{
	u32 v = 0;

	if (lg->data_gpa)
		read_gpa(lg, lg->data_gpa + off, &v);
	return v;
}

void write_data(struct lguest *lg, size_t off, u32 val)
{
	if (lg->data_gpa)
		write_gpa(lg, lg->data_gpa + off, val);
}

/* Both halves; the guest never runs while they are written. */
void write_data64(struct lguest *lg, size_t off, u64 val)
{
	write_data(lg, off, lower_32_bits(val));
	write_data(lg, off + 4, upper_32_bits(val));
}

/*
 * Something the guest must see at once (an interrupt, a break): make it
 * leave the guest if it runs on another CPU now.  An IPI is a host
 * interrupt there, after which run_guest() looks again; one sent just
 * before the guest is entered waits, interrupts being off, and ends its
 * first instruction.
 */
void kick_guest(struct lguest *lg)
{
	unsigned long flags;

	spin_lock_irqsave(&lg->runner_lock, flags);
	if (lg->runner)
		kick_process(lg->runner);
	spin_unlock_irqrestore(&lg->runner_lock, flags);
}

static void set_runner(struct lguest *lg, struct task_struct *tsk)
{
	spin_lock_irq(&lg->runner_lock);
	lg->runner = tsk;
	spin_unlock_irq(&lg->runner_lock);
}

static int run_guest_loop(struct lguest *lg, struct lguest_exit *ex)
{
	while (!lg->dead) {
		if (signal_pending(current))
			return -EINTR;
		if (atomic_xchg(&lg->break_requested, 0)) {
			ex->reason = LGUEST_EXIT_BREAK;
			return 1;
		}
		cond_resched();
		if (lg->halted)
			wait_halted(lg);
		maybe_deliver_irq(lg);
		if (lg->dead || lg->halted)
			continue;
		if (!check_segments(lg))
			break;

		if (lg->host_clock)
			WRITE_DATA64(lg, time_ns, ktime_get_ns());
		lg->stats.exits++;
		if (!lguest_arch_run_guest(lg))
			continue;	/* a host interrupt, already handled */
		if (lg->regs.trapnum == LGUEST_TRAP_ENTRY) {
			lg->stats.exit_hypercall++;
			if (do_hypercalls(lg, ex))
				return 1;
		} else {
			lguest_arch_handle_trap(lg);
		}
	}
	ex->reason = lg->exit_reason;
	strscpy(ex->message, lg->dead_msg, sizeof(ex->message));
	return 1;
}

/*
 * Run the guest until it needs the launcher: returns 1 with *ex filled
 * in, or -EINTR if a signal is pending.  Called with lg->lock held.
 */
int run_guest(struct lguest *lg, struct lguest_exit *ex)
{
	int ret;

	set_runner(lg, current);
	ret = run_guest_loop(lg, ex);
	set_runner(lg, NULL);
	return ret;
}

static int __init lguest_init(void)
{
	int err;

	err = lguest_arch_init();
	if (err)
		return err;
	err = map_switcher();
	if (err)
		goto arch_exit;
	lguest_arch_setup_pages();
	err = lguest_device_init();
	if (err)
		goto unmap_switcher;
	pr_info("switcher at %#lx; guests keep %lu MB free at the top\n",
		switcher_addr, (0UL - switcher_addr) >> 20);
	return 0;

unmap_switcher:
	vfree((void *)switcher_addr);
arch_exit:
	lguest_arch_exit();
	return err;
}

static void __exit lguest_exit(void)
{
	lguest_device_remove();
	lguest_arch_exit();
	vfree((void *)switcher_addr);
}

module_init(lguest_init);
module_exit(lguest_exit);
MODULE_DESCRIPTION("lguest: a paravirtualising hypervisor for 32-bit x86 Linux guests");
MODULE_LICENSE("GPL");
