// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/lguest: the launcher's interface.  Opening the file makes an empty
 * guest; the first write (LHREQ_INITIALIZE) gives it memory, page tables
 * and an entry point; each read() runs it until it needs the launcher;
 * further writes raise its interrupts, interrupt a read() or send the
 * guest's notifications of an address to an eventfd.  Closing the file
 * frees everything.  The ABI is include/uapi/linux/lguest.h.
 *
 * Each guest's counters (struct lguest_stats) are in debugfs while it
 * exists: lguest/PID/stats, PID being its launcher's (with -N appended
 * for a second guest of the same process), one "name value" per line.
 */
#define pr_fmt(fmt) "lguest: " fmt

#include <linux/debugfs.h>
#include <linux/eventfd.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "lg.h"

static bool log_stats;
module_param(log_stats, bool, 0644);
MODULE_PARM_DESC(log_stats, "Log each guest's exit counts when it ends (default: off)");

static struct dentry *lguest_debugfs;
static DEFINE_MUTEX(debugfs_names);

/* LHCALL_* numbers as the stats name them. */
static const char * const hcall_names[LGUEST_HCALLS] = {
	[LHCALL_FLUSH_ASYNC]	= "flush_async",
	[LHCALL_LGUEST_INIT]	= "lguest_init",
	[LHCALL_SHUTDOWN]	= "shutdown",
	[LHCALL_CRASH]		= "crash",
	[LHCALL_LOAD_GDT_ENTRY]	= "load_gdt_entry",
	[LHCALL_NEW_PGTABLE]	= "new_pgtable",
	[LHCALL_FLUSH_TLB]	= "flush_tlb",
	[LHCALL_LOAD_IDT_ENTRY]	= "load_idt_entry",
	[LHCALL_SET_STACK]	= "set_stack",
	[LHCALL_SET_CLOCKEVENT]	= "set_clockevent",
	[LHCALL_HALT]		= "halt",
	[LHCALL_SET_PTE]	= "set_pte",
	[LHCALL_SET_PGD]	= "set_pgd",
	[LHCALL_LOAD_TLS]	= "load_tls",
	[LHCALL_NOTIFY]		= "notify",
	[LHCALL_SEND_INTERRUPTS] = "send_interrupts",
	[LHCALL_CONSOLE_WRITE]	= "console_write",
	[LHCALL_LOAD_TR]	= "load_tr",
	[LHCALL_SET_DEBUGREG]	= "set_debugreg",
	[LHCALL_SET_LDT]	= "set_ldt",
	[LHCALL_DROP_PGTABLE]	= "drop_pgtable",
};

/* The counters of struct lguest_stats that are shown as they are. */
#define STAT(field)	{ #field, offsetof(struct lguest_stats, field) }
static const struct {
	const char *name;
	size_t offset;
} stat_fields[] = {
	STAT(exits), STAT(exit_hypercall), STAT(exit_host_irq), STAT(exit_host_nmi),
	STAT(exit_int80), STAT(exit_soft_int), STAT(exit_refused),
	STAT(pf_shadow), STAT(pf_guest), STAT(gp_emulated),
	STAT(pgdir_loads), STAT(pgdir_hits), STAT(pgdir_evictions),
	STAT(flush_all), STAT(flush_one), STAT(nmis_in_switcher), STAT(guest_irqs),
	STAT(eventfd_notifies), STAT(returns), STAT(pinned), STAT(pinned_highmem),
	STAT(migrations), STAT(shadow_pages),
};

/*
 * Every counter, zeros included, so that a reader can subtract one
 * reading from another: the totals first (exit_trap: all exits by an
 * exception or software interrupt), then exits by vector and hypercalls
 * by number.
 */
static int stats_show(struct seq_file *m, void *unused)
{
	unsigned long hcalls = 0, batched = 0, traps;
	struct lguest_stats st;
	unsigned int i;

	/* The guest may be running: each counter is taken as it is. */
	data_race(memcpy(&st, m->private, sizeof(st)));
	for (i = 0; i < LGUEST_HCALLS; i++) {
		hcalls += st.hcalls[i];
		batched += st.hcalls_batched[i];
	}
	traps = st.exit_int80 + st.exit_soft_int + st.exit_refused;
	for (i = 0; i < ARRAY_SIZE(st.exit_trap); i++)
		traps += st.exit_trap[i];
	for (i = 0; i < ARRAY_SIZE(stat_fields); i++)
		seq_printf(m, "%s %lu\n", stat_fields[i].name,
			   *(unsigned long *)((char *)&st + stat_fields[i].offset));
	seq_printf(m, "exit_trap %lu\nhypercalls %lu\nhypercalls_batched %lu\n",
		   traps, hcalls, batched);
	for (i = 0; i < ARRAY_SIZE(st.exit_trap); i++)
		seq_printf(m, "exit_trap_%u %lu\n", i, st.exit_trap[i]);
	for (i = 0; i < LGUEST_HCALLS; i++)
		seq_printf(m, "hcall_%s %lu\nhcall_%s_batched %lu\n",
			   hcall_names[i], st.hcalls[i], hcall_names[i], st.hcalls_batched[i]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

/*
 * The guest's stats directory, named after its launcher's pid.  Without
 * debugfs the guest runs all the same.
 */
static void add_debugfs(struct lguest *lg)
{
	static unsigned int seq;
	char name[32];
	struct dentry *d;

	if (IS_ERR_OR_NULL(lguest_debugfs))
		return;
	mutex_lock(&debugfs_names);
	snprintf(name, sizeof(name), "%d", task_tgid_nr(current));
	d = debugfs_lookup(name, lguest_debugfs);
	if (d) {
		dput(d);
		snprintf(name, sizeof(name), "%d-%u", task_tgid_nr(current), ++seq);
	}
	d = debugfs_create_dir(name, lguest_debugfs);
	mutex_unlock(&debugfs_names);
	if (IS_ERR(d))
		return;
	debugfs_create_file("stats", 0400, d, &lg->stats, &stats_fops);
	lg->debugfs = d;
}

/* Guest RAM ends below the host's PAGE_OFFSET: 3 GB of 4 KB pages at most. */
#define LGUEST_MAX_MEM_PAGES	((3UL << 30) >> PAGE_SHIFT)

static ssize_t lg_read(struct file *file, char __user *ubuf, size_t len, loff_t *off)
{
	struct lguest *lg = file->private_data;
	struct lguest_exit ex = { };
	int ret;

	if (len < sizeof(ex))
		return -EINVAL;
	if (lg->mm && lg->mm != current->mm)
		return -EIO;
	if (mutex_lock_interruptible(&lg->lock))
		return -EINTR;
	if (!lg->initialized)
		ret = -ENOENT;
	else
		ret = run_guest(lg, &ex);
	if (ret >= 0)
		lg->stats.returns++;
	mutex_unlock(&lg->lock);
	if (ret < 0)
		return ret;
	if (copy_to_user(ubuf, &ex, sizeof(ex)))
		return -EFAULT;
	return sizeof(ex);
}

static int check_init(const struct lguest_init *init)
{
	u64 pages = (u64)init->mem_pages + init->device_pages;

	if (init->version != LGUEST_ABI_VERSION)
		return -EPROTO;
	if (init->flags || memchr_inv(init->reserved, 0, sizeof(init->reserved)))
		return -EINVAL;
	if (!init->mem_pages || init->mem_pages > LGUEST_MAX_MEM_PAGES ||
	    init->device_pages > LGUEST_MAX_DEVICE_PAGES)
		return -EINVAL;
	if (!PAGE_ALIGNED(init->mem_base) || init->mem_base >= TASK_SIZE ||
	    pages * PAGE_SIZE > TASK_SIZE - init->mem_base)
		return -EINVAL;
	if (!PAGE_ALIGNED(init->pgdir) || init->pgdir >= init->mem_pages * PAGE_SIZE)
		return -EINVAL;
	if (init->start >= init->mem_pages * PAGE_SIZE ||
	    init->boot_params >= init->mem_pages * PAGE_SIZE)
		return -EINVAL;
	/* The guest kernel must live below the switcher slot. */
	if (!IS_ALIGNED(init->page_offset, PGDIR_SIZE) || init->page_offset >= switcher_addr)
		return -EINVAL;
	return 0;
}

/*
 * Every page of the guest may end up pinned: all of them count against
 * the launcher's RLIMIT_MEMLOCK from the start (CAP_IPC_LOCK lifts it).
 */
static unsigned long guest_pages(const struct lguest *lg)
{
	return lg->mem_pages + lg->device_pages;
}

static ssize_t lg_initialize(struct lguest *lg, const char __user *ubuf, size_t len)
{
	struct lguest_init init;
	int err;

	if (len != sizeof(init))
		return -EINVAL;
	if (copy_from_user(&init, ubuf, sizeof(init)))
		return -EFAULT;
	err = check_init(&init);
	if (err)
		return err;
	if (lg->initialized)
		return -EBUSY;

	lg->mem_base = init.mem_base;
	lg->mem_pages = init.mem_pages;
	lg->device_pages = init.device_pages;
	lg->kernel_pgd_first = init.page_offset >> PGDIR_SHIFT;
	err = account_locked_vm(current->mm, guest_pages(lg), true);
	if (err)
		return err;
	lg->pinned = kvcalloc(guest_pages(lg), sizeof(*lg->pinned), GFP_KERNEL_ACCOUNT);
	if (!lg->pinned) {
		err = -ENOMEM;
		goto unaccount;
	}
	err = init_shadow(lg, init.pgdir);
	if (err)
		goto free_pinned;
	lguest_arch_init_guest(lg, init.start, init.boot_params);
	/* The guest belongs to this address space: its memory is there. */
	mmgrab(current->mm);
	lg->mm = current->mm;
	lg->initialized = true;
	add_debugfs(lg);
	return len;

free_pinned:
	free_shadow(lg);
	kvfree(lg->pinned);
	lg->pinned = NULL;
unaccount:
	account_locked_vm(current->mm, guest_pages(lg), false);
	return err;
}

/*
 * LHCALL_NOTIFY of addr: signal the eventfd the launcher gave for it, if
 * any.  True if there was one: the guest need not stop.
 */
bool notify_eventfd(struct lguest *lg, u32 addr)
{
	bool found = false;
	unsigned int i;

	spin_lock(&lg->eventfd_lock);
	for (i = 0; i < lg->num_eventfds; i++) {
		if (lg->eventfds[i].addr == addr) {
			eventfd_signal(lg->eventfds[i].ctx);
			lg->stats.eventfd_notifies++;
			found = true;
			break;
		}
	}
	spin_unlock(&lg->eventfd_lock);
	return found;
}

/*
 * LHREQ_EVENTFD: from now on, notifications of addr signal fd (or, for
 * fd -1, return from read() again).  It may come while the guest runs.
 */
static ssize_t lg_eventfd(struct lguest *lg, const char __user *ubuf, size_t len)
{
	struct eventfd_ctx *ctx = NULL, *old = NULL;
	struct lguest_eventfd req;
	unsigned int i;

	if (len != sizeof(req))
		return -EINVAL;
	if (copy_from_user(&req, ubuf, sizeof(req)))
		return -EFAULT;
	if (req.reserved || req.fd < -1)
		return -EINVAL;
	if (!lg->initialized)
		return -ENOENT;
	if (req.addr < lg->mem_pages * PAGE_SIZE ||
	    req.addr >= (lg->mem_pages + lg->device_pages) * PAGE_SIZE)
		return -EINVAL;
	if (req.fd >= 0) {
		ctx = eventfd_ctx_fdget(req.fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	}

	spin_lock(&lg->eventfd_lock);
	for (i = 0; i < lg->num_eventfds && lg->eventfds[i].addr != req.addr; i++)
		;
	if (i < lg->num_eventfds) {
		old = lg->eventfds[i].ctx;
		if (ctx)
			lg->eventfds[i].ctx = ctx;
		else
			lg->eventfds[i] = lg->eventfds[--lg->num_eventfds];
	} else if (ctx) {
		if (lg->num_eventfds == LGUEST_MAX_EVENTFDS) {
			spin_unlock(&lg->eventfd_lock);
			eventfd_ctx_put(ctx);
			return -ENOSPC;
		}
		lg->eventfds[lg->num_eventfds].addr = req.addr;
		lg->eventfds[lg->num_eventfds++].ctx = ctx;
	}
	spin_unlock(&lg->eventfd_lock);
	if (old)
		eventfd_ctx_put(old);
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
	if (lg->mm && lg->mm != current->mm)
		return -EIO;

	switch (req[0]) {
	case LHREQ_INITIALIZE:
		if (mutex_lock_interruptible(&lg->lock))
			return -EINTR;
		ret = lg_initialize(lg, ubuf, len);
		mutex_unlock(&lg->lock);
		return ret;
	/* These need no lock: the guest may be running meanwhile. */
	case LHREQ_IRQ:
		if (len != sizeof(struct lguest_irq) || req[1] >= LGUEST_IRQS)
			return -EINVAL;
		if (!lg->initialized)
			return -ENOENT;
		raise_irq(lg, req[1]);
		return len;
	case LHREQ_BREAK:
		if (len != sizeof(struct lguest_break) || req[1])
			return -EINVAL;
		if (!lg->initialized)
			return -ENOENT;
		atomic_set(&lg->break_requested, 1);
		wake_up(&lg->irq_wq);
		kick_guest(lg);
		return len;
	case LHREQ_EVENTFD:
		return lg_eventfd(lg, ubuf, len);
	default:
		return -EINVAL;
	}
}

static int lg_open(struct inode *inode, struct file *file)
{
	struct lguest *lg = kvzalloc(sizeof(*lg), GFP_KERNEL_ACCOUNT);

	if (!lg)
		return -ENOMEM;
	mutex_init(&lg->lock);
	init_waitqueue_head(&lg->irq_wq);
	spin_lock_init(&lg->eventfd_lock);
	spin_lock_init(&lg->runner_lock);
	/* Its slot maps no CPU's pages yet: no CPU's are loaded for it. */
	lg->slot_cpu = -1;
	init_clockevent(lg);
	file->private_data = lg;
	return 0;
}

static void log_guest_stats(const struct lguest *lg)
{
	const struct lguest_stats *st = &lg->stats;
	unsigned long hcalls = 0;
	unsigned int i;

	for (i = 0; i < LGUEST_HCALLS; i++)
		hcalls += st->hcalls[i] + st->hcalls_batched[i];
	pr_info("guest exits: %lu (page faults %lu, hypercalls %lu, host irqs %lu); guest irqs %lu; host nmis %lu; eventfd notifies %lu; launcher returns %lu; pages pinned %lu (highmem %lu); cpu migrations %lu\n",
		st->exits, st->pf_shadow, hcalls, st->exit_host_irq, st->guest_irqs,
		st->exit_host_nmi + st->nmis_in_switcher, st->eventfd_notifies, st->returns,
		st->pinned, st->pinned_highmem, st->migrations);
}

static int lg_release(struct inode *inode, struct file *file)
{
	struct lguest *lg = file->private_data;
	unsigned int i;

	/* No reader of the stats is left once this returns. */
	debugfs_remove(lg->debugfs);
	hrtimer_cancel(&lg->timer);
	if (lg->initialized && log_stats)
		log_guest_stats(lg);
	for (i = 0; i < lg->num_eventfds; i++)
		eventfd_ctx_put(lg->eventfds[i].ctx);
	free_shadow(lg);
	if (lg->initialized) {
		/* The guest may have written any of them. */
		for (i = 0; i < guest_pages(lg); i++)
			if (lg->pinned[i])
				unpin_user_pages_dirty_lock(&lg->pinned[i], 1, true);
		kvfree(lg->pinned);
		account_locked_vm(lg->mm, guest_pages(lg), false);
		mmdrop(lg->mm);
	}
	kvfree(lg->ldt);
	kvfree(lg);
	return 0;
}

static const struct file_operations lguest_fops = {
	.owner		= THIS_MODULE,
	.open		= lg_open,
	.release	= lg_release,
	.read		= lg_read,
	.write		= lg_write,
	.llseek		= noop_llseek,
};

static struct miscdevice lguest_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "lguest",
	.fops	= &lguest_fops,
};

int lguest_device_init(void)
{
	int err;

	BUILD_BUG_ON(ARRAY_SIZE(hcall_names) != LGUEST_HCALLS);
	lguest_debugfs = debugfs_create_dir("lguest", NULL);
	err = misc_register(&lguest_dev);
	if (err)
		debugfs_remove(lguest_debugfs);
	return err;
}

void lguest_device_remove(void)
{
	misc_deregister(&lguest_dev);
	debugfs_remove(lguest_debugfs);
}
