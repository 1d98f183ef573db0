// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/lguest: the launcher's interface.  Opening the file makes an empty
 * guest; the first write (LHREQ_INITIALIZE) gives it memory, page tables
 * and an entry point; each read() runs it until it needs the launcher;
 * further writes raise its interrupts, interrupt a read() or send the
 * guest's notifications of an address to an eventfd.  Closing the file
 * frees everything.  The ABI is include/uapi/linux/lguest.h.
 */
#define pr_fmt(fmt) "lguest: " fmt

#include <linux/eventfd.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "lg.h"

static bool log_stats;
module_param(log_stats, bool, 0644);
MODULE_PARM_DESC(log_stats, "Log each guest's exit counts when it ends (default: off)");

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

static int lg_release(struct inode *inode, struct file *file)
{
	struct lguest *lg = file->private_data;
	unsigned int i;

	hrtimer_cancel(&lg->timer);
	if (lg->initialized && log_stats)
		pr_info("guest exits: %lu (page faults %lu, hypercalls %lu, host irqs %lu); guest irqs %lu; host nmis %lu; eventfd notifies %lu; launcher returns %lu; pages pinned %lu (highmem %lu); cpu migrations %lu\n",
			lg->stats.exits, lg->stats.page_faults, lg->stats.hypercalls,
			lg->stats.host_irqs, lg->stats.guest_irqs, lg->stats.host_nmis,
			lg->stats.eventfd_notifies, lg->stats.returns, lg->stats.pinned,
			lg->stats.pinned_highmem, lg->stats.migrations);
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
	return misc_register(&lguest_dev);
}

void lguest_device_remove(void)
{
	misc_deregister(&lguest_dev);
}
