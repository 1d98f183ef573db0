// SPDX-License-Identifier: GPL-2.0
/*
 * Prototype of the lguest host (wip): /dev/lguest with INITIALIZE, IRQ-less
 * read() that runs the guest, shadow page tables filled on demand from the
 * guest's own 2-level tables in the launcher's memory, and the CONSOLE_WRITE
 * and SHUTDOWN hypercalls.  One guest at a time, uniprocessor host.
 */
#define pr_fmt(fmt) "lgproto: " fmt

#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/uaccess.h>
#include <linux/slab.h>
#include <linux/sched/signal.h>
#include <linux/io.h>
#include <linux/hrtimer.h>
#include <asm/tsc.h>
#include <linux/sched.h>
#include <asm/desc.h>
#include <asm/tlbflush.h>
#include <asm/trap_pf.h>
#include <asm/trapnr.h>
#include "lguest_layout.h"
#include "lguest_uapi.h"

extern char lguest_switcher_start[], lguest_switcher_end[];
extern char switch_to_guest[], lguest_trap_stubs[];

static unsigned long slot;
static struct page *text_pages[SWITCHER_TEXT_PAGES], *rw_page, *ro_page;
static struct lguest_cpu_pages *cpu_pages;
static struct {
	unsigned long offset;
	unsigned short segment;
} __packed lguest_entry;

struct lguest {
	struct mutex lock;
	bool initialized, dead;
	unsigned long mem_base;		/* launcher address of gpa 0 */
	u32 mem_pages;
	u32 guest_pgdir;		/* gpa of the guest's page directory */
	struct lguest_regs regs;
	u32 cr2;
	struct page *shadow_pgdir;	/* host page: the guest's real cr3 */
	struct page *shadow_pt[PTRS_PER_PGD];
	struct page *slot_pt;
	struct page **pinned;		/* per guest pfn, or NULL */
	char dead_msg[LGUEST_MSG_LEN];
	u64 idt[IDT_ENTRIES];		/* the guest's own gates */
	u32 data_gpa;			/* struct lguest_data, or 0 */
	unsigned long irqs_pending;	/* bitmap of LGUEST_IRQS */
	struct hrtimer timer;		/* the guest's clockevent: irq 0 */
	struct task_struct *tsk;	/* the launcher thread running it */
};

static enum hrtimer_restart clockevent_fired(struct hrtimer *timer)
{
	struct lguest *lg = container_of(timer, struct lguest, timer);

	set_bit(0, &lg->irqs_pending);
	if (lg->tsk)
		wake_up_process(lg->tsk);
	return HRTIMER_NORESTART;
}

/* The guest's virtual interrupt flag, from the page it shares with us. */
static bool guest_irqs_enabled(struct lguest *lg)
{
	u32 v;

	if (!lg->data_gpa)
		return false;
	if (get_user(v, (u32 __user *)(lg->mem_base + lg->data_gpa +
				     offsetof(struct lguest_data, irq_enabled))))
		return false;
	return v & X86_EFLAGS_IF;
}

static u64 seg(u32 base, u32 limit, u32 access, u32 flags)
{
	return (u64)(limit & 0xffff) | ((u64)(base & 0xffffff) << 16) |
	       ((u64)access << 40) | ((u64)((limit >> 16) & 0xf) << 48) |
	       ((u64)flags << 52) | ((u64)(base >> 24) << 56);
}

static u64 gate(u32 handler, u32 dpl)
{
	return (u64)(handler & 0xffff) | ((u64)LGUEST_CS << 16) |
	       ((u64)(0x8e | (dpl << 5)) << 40) | ((u64)(handler >> 16) << 48);
}

static void kill_guest(struct lguest *lg, const char *fmt, ...)
{
	va_list ap;

	if (lg->dead)
		return;
	va_start(ap, fmt);
	vsnprintf(lg->dead_msg, sizeof(lg->dead_msg), fmt, ap);
	va_end(ap);
	lg->dead = true;
}

/* Read a guest-physical u32 through the launcher's mapping. */
static bool read_gpa(struct lguest *lg, u32 gpa, u32 *val)
{
	if (gpa >= lg->mem_pages * PAGE_SIZE || (gpa & 3)) {
		kill_guest(lg, "bad guest-physical address %#x", gpa);
		return false;
	}
	if (get_user(*val, (u32 __user *)(lg->mem_base + gpa))) {
		kill_guest(lg, "cannot read guest memory at %#x", gpa);
		return false;
	}
	return true;
}

static struct page *pin_guest_page(struct lguest *lg, u32 pfn)
{
	struct page *page;

	if (pfn >= lg->mem_pages) {
		kill_guest(lg, "guest pfn %#x beyond its memory", pfn);
		return NULL;
	}
	if (lg->pinned[pfn])
		return lg->pinned[pfn];
	if (pin_user_pages_fast(lg->mem_base + pfn * PAGE_SIZE, 1, FOLL_WRITE, &page) != 1) {
		kill_guest(lg, "cannot pin guest pfn %#x", pfn);
		return NULL;
	}
	lg->pinned[pfn] = page;
	return page;
}

/* Forget every shadow mapping but the switcher's: the guest changed its tables. */
static void flush_shadow(struct lguest *lg)
{
	u32 *spd = page_address(lg->shadow_pgdir);
	unsigned int i;

	for (i = 0; i < PTRS_PER_PGD; i++) {
		if (!lg->shadow_pt[i])
			continue;
		spd[i] = 0;
		__free_page(lg->shadow_pt[i]);
		lg->shadow_pt[i] = NULL;
	}
}

/* The launcher's address of a guest virtual address, or 0. */
static unsigned long guest_va_to_user(struct lguest *lg, u32 vaddr)
{
	u32 pde, pte;

	if (!read_gpa(lg, lg->guest_pgdir + (vaddr >> PGDIR_SHIFT) * 4, &pde) ||
	    !(pde & _PAGE_PRESENT) || (pde & _PAGE_PSE))
		return 0;
	if (!read_gpa(lg, (pde & PAGE_MASK) + ((vaddr >> PAGE_SHIFT) & 1023) * 4, &pte) ||
	    !(pte & _PAGE_PRESENT) || (pte >> PAGE_SHIFT) >= lg->mem_pages)
		return 0;
	return lg->mem_base + (pte & PAGE_MASK) + (vaddr & ~PAGE_MASK);
}

static bool push_guest(struct lguest *lg, u32 *sp, u32 val)
{
	unsigned long uaddr;

	*sp -= 4;
	uaddr = guest_va_to_user(lg, *sp);
	if (!uaddr || put_user(val, (u32 __user *)uaddr)) {
		kill_guest(lg, "cannot push a frame for trap %u (eip %#x) at %#x",
			   lg->regs.trapnum, lg->regs.eip, *sp);
		return false;
	}
	return true;
}

/*
 * Reflect a trap into the guest kernel: push the frame the CPU would have
 * pushed for a ring-1 handler (the guest kernel stack here: the tiny
 * guest never runs in ring 3) and resume at the handler of its own IDT.
 */
static bool reflect_trap(struct lguest *lg, u32 trap, bool has_err)
{
	u64 g = lg->idt[trap];
	u32 sp = lg->regs.esp;

	if (!(g & (1ULL << 47))) {
		kill_guest(lg, "trap %u at eip %#x with no guest handler (cr2 %#x)", trap,
			   lg->regs.eip, lg->cr2);
		return false;
	}
	if (!push_guest(lg, &sp, lg->regs.eflags) || !push_guest(lg, &sp, lg->regs.cs) ||
	    !push_guest(lg, &sp, lg->regs.eip) ||
	    (has_err && !push_guest(lg, &sp, lg->regs.errcode)))
		return false;
	lg->regs.esp = sp;
	lg->regs.eip = (u32)(g & 0xffff) | (u32)((g >> 32) & 0xffff0000);
	lg->regs.cs = __KERNEL_CS | 1;
	return true;
}

/*
 * Deliver the lowest pending virtual irq if the guest takes interrupts:
 * like a trap through its IDT, with its virtual IF cleared as an
 * interrupt gate would clear the real one.
 */
static void maybe_deliver_irq(struct lguest *lg)
{
	unsigned int irq = find_first_bit(&lg->irqs_pending, LGUEST_IRQS);

	if (irq >= LGUEST_IRQS || !guest_irqs_enabled(lg))
		return;
	clear_bit(irq, &lg->irqs_pending);
	if (!reflect_trap(lg, LGUEST_FIRST_EXTERNAL_VECTOR + irq, false))
		return;
	put_user(0, (u32 __user *)(lg->mem_base + lg->data_gpa +
				   offsetof(struct lguest_data, irq_enabled)));
}

/* A guest page fault: fill the shadow entry from the guest's tables. */
static bool demand_page(struct lguest *lg, u32 vaddr, u32 errcode)
{
	u32 pde, pte, idx = vaddr >> PGDIR_SHIFT;
	u32 *spt, flags;
	struct page *page;

	if ((vaddr >> PGDIR_SHIFT) == (slot >> PGDIR_SHIFT)) {
		kill_guest(lg, "access to the switcher slot at %#x", vaddr);
		return false;
	}
	if (!read_gpa(lg, lg->guest_pgdir + idx * 4, &pde))
		return false;
	if (!(pde & _PAGE_PRESENT))
		return false;
	if (pde & _PAGE_PSE) {
		kill_guest(lg, "large page at %#x", vaddr);
		return false;
	}
	if (!read_gpa(lg, (pde & PAGE_MASK) + ((vaddr >> PAGE_SHIFT) & 1023) * 4, &pte))
		return false;
	if (!(pte & _PAGE_PRESENT))
		return false;
	if ((errcode & X86_PF_WRITE) && !(pte & _PAGE_RW))
		return false;
	page = pin_guest_page(lg, pte >> PAGE_SHIFT);
	if (!page)
		return false;
	if (!lg->shadow_pt[idx]) {
		lg->shadow_pt[idx] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!lg->shadow_pt[idx]) {
			kill_guest(lg, "out of memory for shadow page tables");
			return false;
		}
		((u32 *)page_address(lg->shadow_pgdir))[idx] =
			page_to_phys(lg->shadow_pt[idx]) | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER;
	}
	flags = pte & (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER);
	spt = page_address(lg->shadow_pt[idx]);
	spt[(vaddr >> PAGE_SHIFT) & 1023] = page_to_phys(page) | flags;
	return true;
}

static void setup_shared_pages(void)
{
	struct lguest_ro_page *ro = &cpu_pages->ro;
	u64 *gdt = (u64 *)ro->guest_gdt, *idt = (u64 *)ro->guest_idt;
	unsigned int i;

	gdt[GDT_ENTRY_LGUEST_CS] = seg(0, 0xfffff, 0x9b, 0xc);
	gdt[GDT_ENTRY_LGUEST_DS] = seg(0, 0xfffff, 0x93, 0xc);
	gdt[GDT_ENTRY_KERNEL_CS] = seg(0, 0xfffff, 0xbb, 0xc);
	gdt[GDT_ENTRY_KERNEL_DS] = seg(0, 0xfffff, 0xb3, 0xc);
	gdt[GDT_ENTRY_TSS] = seg((u32)&ro->guest_tss, sizeof(ro->guest_tss) - 1, 0x89, 0);
	for (i = 0; i < IDT_ENTRIES; i++)
		idt[i] = gate((u32)(slot + (lguest_trap_stubs - lguest_switcher_start) + 16 * i),
			      i == LGUEST_TRAP_ENTRY ? 1 : 0);
	ro->guest_tss.ss0 = LGUEST_DS;
	ro->guest_tss.sp0 = (u32)(&cpu_pages->rw.regs + 1);
	ro->guest_tss.io_bitmap_base = sizeof(ro->guest_tss);
	ro->guest_gdt_desc.size = GDT_ENTRIES * 8 - 1;
	ro->guest_gdt_desc.address = (unsigned long)ro->guest_gdt;
	ro->guest_idt_desc.size = IDT_ENTRIES * 8 - 1;
	ro->guest_idt_desc.address = (unsigned long)ro->guest_idt;
}

static void deliver_host_irq(u32 vector)
{
	gate_desc *g = (gate_desc *)cpu_pages->ro.host_idt_desc.address + vector;

	asm volatile("pushfl\n\tpushl %%cs\n\tcall *%0"
		     : : "r" (gate_offset(g)) : "memory", "cc");
}

/* Enter the guest once, interrupts off; return with its trap. */
static void run_guest_once(struct lguest *lg)
{
	unsigned long cr4;
	int cpu = smp_processor_id();
	struct lguest_cpu_pages *p = cpu_pages;

	cpu_pages->rw.regs = lg->regs;
	cpu_pages->ro.guest_cr3 = page_to_phys(lg->shadow_pgdir);
	load_direct_gdt(cpu);
	p->ro.host_cr3 = __read_cr3();
	native_store_gdt(&p->ro.host_gdt_desc);
	store_idt(&p->ro.host_idt_desc);
	cr4 = __read_cr4();
	if (cr4 & X86_CR4_PGE)
		cr4_update_irqsoff(0, X86_CR4_PGE);
	asm volatile("lcall *%[entry]" : "+a" (p) : [entry] "m" (lguest_entry)
		     : "ecx", "edx", "memory", "cc");
	lg->cr2 = read_cr2();
	if (cr4 & X86_CR4_PGE)
		cr4_update_irqsoff(X86_CR4_PGE, 0);
	load_fixmap_gdt(cpu);
	lg->regs = cpu_pages->rw.regs;
}

static ssize_t lg_read(struct file *file, char __user *ubuf, size_t len, loff_t *off)
{
	struct lguest *lg = file->private_data;
	struct lguest_exit ex = { };
	ssize_t ret = sizeof(ex);

	if (len < sizeof(ex))
		return -EINVAL;
	mutex_lock(&lg->lock);
	if (!lg->initialized) {
		ret = -ENOENT;
		goto out;
	}
	lg->tsk = current;
	while (!lg->dead) {
		u32 trap;

		if (signal_pending(current)) {
			ret = -EINTR;
			goto out;
		}
		cond_resched();
		maybe_deliver_irq(lg);
		if (lg->dead)
			break;
		local_irq_disable();
		run_guest_once(lg);
		trap = lg->regs.trapnum;
		if (trap >= LGUEST_FIRST_EXTERNAL_VECTOR) {
			deliver_host_irq(trap);
			local_irq_enable();
			continue;
		}
		local_irq_enable();
		if (trap == X86_TRAP_PF) {
			if (demand_page(lg, lg->cr2, lg->regs.errcode) || lg->dead)
				continue;
			if (lg->data_gpa)
				put_user(lg->cr2, (u32 __user *)(lg->mem_base + lg->data_gpa +
						offsetof(struct lguest_data, cr2)));
			reflect_trap(lg, trap, true);
			continue;
		}
		if (trap != LGUEST_TRAP_ENTRY) {
			reflect_trap(lg, trap, trap == X86_TRAP_DF ||
				     (trap >= X86_TRAP_TS && trap <= X86_TRAP_PF) ||
				     trap == X86_TRAP_AC || trap == X86_TRAP_CP);
			continue;
		}
		switch (lg->regs.eax) {
		case LHCALL_CONSOLE_WRITE:
			if (lg->regs.ecx > PAGE_SIZE || lg->regs.ebx >= lg->mem_pages * PAGE_SIZE ||
			    lg->regs.ecx > lg->mem_pages * PAGE_SIZE - lg->regs.ebx) {
				kill_guest(lg, "bad console write %#x+%u", lg->regs.ebx, lg->regs.ecx);
				continue;
			}
			ex.reason = LGUEST_EXIT_CONSOLE;
			ex.arg = (u64)lg->regs.ebx << 32 | lg->regs.ecx;
			goto copy;
		case LHCALL_LOAD_IDT_ENTRY:
			if (lg->regs.ebx >= IDT_ENTRIES || lg->regs.ebx == LGUEST_TRAP_ENTRY) {
				kill_guest(lg, "bad IDT entry %u", lg->regs.ebx);
				continue;
			}
			lg->idt[lg->regs.ebx] = (u64)lg->regs.edx << 32 | lg->regs.ecx;
			continue;
		case LHCALL_LGUEST_INIT:
			if (lg->regs.ebx & 3 || lg->regs.ebx >= lg->mem_pages * PAGE_SIZE ||
			    sizeof(struct lguest_data) > lg->mem_pages * PAGE_SIZE - lg->regs.ebx) {
				kill_guest(lg, "bad lguest_data address %#x", lg->regs.ebx);
				continue;
			}
			lg->data_gpa = lg->regs.ebx;
			put_user(tsc_khz, (u32 __user *)(lg->mem_base + lg->data_gpa +
							 offsetof(struct lguest_data, tsc_khz)));
			continue;
		case LHCALL_SET_CLOCKEVENT:
			if (lg->regs.ebx)
				hrtimer_start(&lg->timer, ns_to_ktime(lg->regs.ebx),
					      HRTIMER_MODE_REL);
			else
				hrtimer_cancel(&lg->timer);
			continue;
		case LHCALL_NEW_PGTABLE:
			if (lg->regs.ebx & ~PAGE_MASK || lg->regs.ebx >= lg->mem_pages * PAGE_SIZE) {
				kill_guest(lg, "bad page directory %#x", lg->regs.ebx);
				continue;
			}
			lg->guest_pgdir = lg->regs.ebx;
			flush_shadow(lg);
			continue;
		case LHCALL_FLUSH_TLB:
			flush_shadow(lg);
			continue;
		case LHCALL_SET_STACK:
		case LHCALL_LOAD_GDT_ENTRY:
		case LHCALL_LOAD_TLS:
		case LHCALL_HALT:
			continue;
		case LHCALL_CRASH:
			kill_guest(lg, "guest crashed");
			continue;
		case LHCALL_SHUTDOWN:
			ex.reason = lg->regs.ebx == LGUEST_SHUTDOWN_RESTART ?
				    LGUEST_EXIT_RESTART : LGUEST_EXIT_POWEROFF;
			lg->dead = true;
			snprintf(lg->dead_msg, sizeof(lg->dead_msg), "powered off");
			goto copy;
		default:
			kill_guest(lg, "unknown hypercall %u", lg->regs.eax);
		}
	}
	ex.reason = LGUEST_EXIT_KILLED;
	strscpy(ex.message, lg->dead_msg, sizeof(ex.message));
copy:
	if (copy_to_user(ubuf, &ex, sizeof(ex)))
		ret = -EFAULT;
out:
	mutex_unlock(&lg->lock);
	return ret;
}

static ssize_t lg_write(struct file *file, const char __user *ubuf, size_t len, loff_t *off)
{
	struct lguest *lg = file->private_data;
	struct lguest_init init;
	u32 *spd;
	unsigned int i;
	ssize_t ret = len;

	if (len != sizeof(init))
		return -EINVAL;
	if (copy_from_user(&init, ubuf, sizeof(init)))
		return -EFAULT;
	if (init.req != LHREQ_INITIALIZE)
		return -EINVAL;
	if (init.version != LGUEST_ABI_VERSION)
		return -EPROTO;
	if (init.flags || memchr_inv(init.reserved, 0, sizeof(init.reserved)))
		return -EINVAL;
	if (!init.mem_pages || init.mem_pages > (1U << 20) / 4 * 3 ||
	    (init.mem_base & ~PAGE_MASK) || init.mem_base >= TASK_SIZE ||
	    init.mem_base + (u64)init.mem_pages * PAGE_SIZE > TASK_SIZE ||
	    init.pgdir >= init.mem_pages * PAGE_SIZE || (init.pgdir & ~PAGE_MASK))
		return -EINVAL;

	mutex_lock(&lg->lock);
	if (lg->initialized) {
		ret = -EBUSY;
		goto out;
	}
	lg->pinned = kvcalloc(init.mem_pages, sizeof(*lg->pinned), GFP_KERNEL);
	lg->shadow_pgdir = alloc_page(GFP_KERNEL | __GFP_ZERO);
	lg->slot_pt = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!lg->pinned || !lg->shadow_pgdir || !lg->slot_pt) {
		ret = -ENOMEM;
		goto out;	/* freed on release */
	}
	/* The switcher in the guest: text and host state read-only. */
	spd = page_address(lg->slot_pt);
	for (i = 0; i < SWITCHER_TEXT_PAGES; i++)
		spd[pte_index(slot) + i] = page_to_phys(text_pages[i]) | _PAGE_PRESENT;
	spd[pte_index(slot) + i] = page_to_phys(rw_page) | _PAGE_PRESENT | _PAGE_RW;
	spd[pte_index(slot) + i + 1] = page_to_phys(ro_page) | _PAGE_PRESENT;
	((u32 *)page_address(lg->shadow_pgdir))[slot >> PGDIR_SHIFT] =
		page_to_phys(lg->slot_pt) | _PAGE_PRESENT | _PAGE_RW;

	lg->mem_base = init.mem_base;
	lg->mem_pages = init.mem_pages;
	lg->guest_pgdir = init.pgdir;
	memset(&lg->regs, 0, sizeof(lg->regs));
	lg->regs.eip = init.start;
	lg->regs.esi = init.boot_params;
	lg->regs.cs = __KERNEL_CS | 1;
	lg->regs.eflags = X86_EFLAGS_FIXED | X86_EFLAGS_IF;
	lg->regs.ss = lg->regs.ds = lg->regs.es = __KERNEL_DS | 1;
	lg->initialized = true;
out:
	mutex_unlock(&lg->lock);
	return ret;
}

static int lg_open(struct inode *inode, struct file *file)
{
	struct lguest *lg = kzalloc(sizeof(*lg), GFP_KERNEL);

	if (!lg)
		return -ENOMEM;
	mutex_init(&lg->lock);
	hrtimer_init(&lg->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	lg->timer.function = clockevent_fired;
	file->private_data = lg;
	return 0;
}

static int lg_release(struct inode *inode, struct file *file)
{
	struct lguest *lg = file->private_data;
	unsigned int i;

	hrtimer_cancel(&lg->timer);
	if (lg->pinned)
		for (i = 0; i < lg->mem_pages; i++)
			if (lg->pinned[i])
				unpin_user_page(lg->pinned[i]);
	kvfree(lg->pinned);
	for (i = 0; i < PTRS_PER_PGD; i++)
		if (lg->shadow_pt[i])
			__free_page(lg->shadow_pt[i]);
	if (lg->shadow_pgdir)
		__free_page(lg->shadow_pgdir);
	if (lg->slot_pt)
		__free_page(lg->slot_pt);
	kfree(lg);
	return 0;
}

static const struct file_operations lg_fops = {
	.owner = THIS_MODULE,
	.open = lg_open,
	.release = lg_release,
	.read = lg_read,
	.write = lg_write,
};

static struct miscdevice lg_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "lguest",
	.fops = &lg_fops,
};

static void free_switcher(void)
{
	unsigned int i;

	if (slot)
		vunmap((void *)slot);
	for (i = 0; i < SWITCHER_TEXT_PAGES; i++)
		if (text_pages[i])
			__free_page(text_pages[i]);
	if (rw_page)
		__free_page(rw_page);
	if (ro_page)
		__free_page(ro_page);
}

static int __init lgproto_init(void)
{
	struct page *all[SWITCHER_TEXT_PAGES + 2];
	struct desc_struct d;
	unsigned int i;
	int err;

	for (i = 0; i < SWITCHER_TEXT_PAGES; i++)
		all[i] = text_pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
	all[i++] = rw_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	all[i++] = ro_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	while (i--)
		if (!all[i]) {
			free_switcher();
			return -ENOMEM;
		}
	for (i = 0; i < SWITCHER_TEXT_PAGES; i++)
		memcpy(page_address(text_pages[i]), lguest_switcher_start + i * PAGE_SIZE,
		       min_t(long, PAGE_SIZE,
			     lguest_switcher_end - lguest_switcher_start - i * PAGE_SIZE));
	slot = (unsigned long)vmap(all, SWITCHER_TEXT_PAGES + 2, VM_MAP, PAGE_KERNEL_EXEC);
	if (!slot || pte_index(slot) + SWITCHER_TEXT_PAGES + 2 > PTRS_PER_PTE) {
		free_switcher();
		return -EAGAIN;
	}
	cpu_pages = (void *)(slot + SWITCHER_TEXT_PAGES * PAGE_SIZE);
	memcpy(&d, &(u64){ seg(0, 0xfffff, 0x9b, 0xc) }, sizeof(d));
	write_gdt_entry(get_cpu_gdt_rw(0), GDT_ENTRY_LGUEST_CS, &d, DESCTYPE_S);
	memcpy(&d, &(u64){ seg(0, 0xfffff, 0x93, 0xc) }, sizeof(d));
	write_gdt_entry(get_cpu_gdt_rw(0), GDT_ENTRY_LGUEST_DS, &d, DESCTYPE_S);
	lguest_entry.offset = slot + (switch_to_guest - lguest_switcher_start);
	lguest_entry.segment = LGUEST_CS;
	setup_shared_pages();
	err = misc_register(&lg_dev);
	if (err)
		free_switcher();
	else
		pr_info("switcher at %#lx, /dev/lguest ready\n", slot);
	return err;
}

static void __exit lgproto_exit(void)
{
	misc_deregister(&lg_dev);
	free_switcher();
}
module_init(lgproto_init);
module_exit(lgproto_exit);

MODULE_DESCRIPTION("lguest host prototype");
MODULE_LICENSE("GPL");
