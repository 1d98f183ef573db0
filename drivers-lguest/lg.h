/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lguest host's private header: one struct lguest per guest (one per
 * open /dev/lguest), and the functions the parts of lg.ko call in each
 * other.
 */
#ifndef _DRIVERS_LGUEST_LG_H
#define _DRIVERS_LGUEST_LG_H

#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/lguest.h>
#include <asm/desc_defs.h>
#include <asm/fpu/types.h>
#include <asm/irq_vectors.h>
#include <asm/pgtable_types.h>
#include "x86/switcher.h"

/* Hypercall numbers the host knows: LHCALL_FLUSH_ASYNC to LHCALL_DROP_PGTABLE. */
#define LGUEST_HCALLS		(LHCALL_DROP_PGTABLE + 1)

/*
 * What a guest cost the host, readable while it runs (debugfs, see
 * lguest_user.c).  Every entry into the guest ends in exactly one exit
 * of: a hypercall, a host interrupt, a host NMI or machine check, or a
 * trap of the guest's (an exception, or a software interrupt the host
 * delivers for it).
 */
struct lguest_stats {
	unsigned long exits;		/* entries into the guest */
	unsigned long exit_hypercall;	/* int $LGUEST_TRAP_ENTRY */
	unsigned long exit_host_irq;	/* an interrupt for the host */
	unsigned long exit_host_nmi;	/* NMI or machine check for the host */
	unsigned long exit_trap[FIRST_EXTERNAL_VECTOR];	/* exceptions, by vector */
	unsigned long exit_int80;	/* int $0x80 not delivered directly */
	unsigned long exit_soft_int;	/* any other software interrupt */
	unsigned long exit_refused;	/* the CPU refused the guest's state */

	unsigned long hcalls[LGUEST_HCALLS];		/* trapping, by number */
	unsigned long hcalls_batched[LGUEST_HCALLS];	/* from the ring */

	unsigned long pf_shadow;	/* page faults the host filled in */
	unsigned long pf_guest;		/* ... and those that were the guest's */
	unsigned long gp_emulated;	/* port I/O and hlt the host ran */
	unsigned long pgdir_loads;	/* LHCALL_NEW_PGTABLE */
	unsigned long pgdir_hits;	/* ... of an address space with kept shadows */
	unsigned long pgdir_evictions;	/* ... that replaced another's */
	unsigned long flush_all;	/* the whole shadow dropped */
	unsigned long flush_one;	/* one page's shadow dropped */

	unsigned long nmis_in_switcher;	/* host NMIs and MCEs noted by the switcher */
	unsigned long guest_irqs;	/* virtual interrupts delivered */
	unsigned long eventfd_notifies;	/* LHCALL_NOTIFYs that signalled an eventfd */
	unsigned long returns;		/* read()s that returned to the launcher */
	unsigned long pinned;		/* guest pages pinned */
	unsigned long pinned_highmem;	/* ... of which in the host's high memory */
	unsigned long migrations;	/* entries on another CPU than the last */
	unsigned long shadow_pages;	/* shadow page tables now, of all address spaces */
};

/*
 * The shadows of one of the address spaces the guest loaded last: its
 * shadow page directory and the shadow page tables of its user half
 * (those of the kernel half are the guest's, shared by all).
 */
#define LGUEST_PGDIRS		8

/*
 * Shadow page tables a guest may have in all (4 KB of host low memory
 * each): as many as one full address space would need.  Beyond that the
 * least recently loaded address spaces are forgotten first.
 */
#define LGUEST_SHADOW_PAGES	PTRS_PER_PGD

struct lguest_pgdir {
	u32 gpgdir;			/* the guest's page directory (gpa) */
	u64 last_used;			/* lguest.pgdir_clock at its last load */
	struct page *pgdir;		/* the shadow directory, or NULL: unused */
	struct page *pt[PTRS_PER_PGD];	/* shadow page tables of the user half */
	u32 pde[PTRS_PER_PGD];		/* the guest pde each was built for */
};

struct eventfd_ctx;

/* LHREQ_EVENTFD: a notify address and the eventfd it signals. */
struct lguest_notify_eventfd {
	u32 addr;
	struct eventfd_ctx *ctx;
};

struct lguest {
	struct mutex lock;		/* serialises read() and INITIALIZE */
	bool initialized;
	bool dead;
	bool halted;
	int exit_reason;		/* enum lguest_exit_reason, once dead */
	char dead_msg[LGUEST_MSG_LEN];

	/* Guest memory: the launcher's mapping of guest-physical 0, in mm. */
	struct mm_struct *mm;		/* the launcher's, from INITIALIZE on */
	unsigned long mem_base;
	u32 mem_pages;
	u32 device_pages;		/* just above RAM */
	struct page **pinned;		/* per guest pfn, or NULL */

	/* The guest's CPU. */
	struct lguest_regs regs;
	u32 cr2;
	unsigned long dr6;		/* with the last #DB */
	u32 dr[4], guest_dr7;		/* LHCALL_SET_DEBUGREG */
	u32 dr7;			/* of guest_dr7, what the switcher arms */
	u32 tss_base, tss_limit;	/* LHCALL_LOAD_TR: its I/O bitmap */
	u32 ss1, esp1;			/* LHCALL_SET_STACK */
	gate_desc idt[IDT_ENTRIES];	/* the guest's own gates */
	struct desc_struct *ldt;	/* LHCALL_SET_LDT, checked; or NULL */
	u32 ldt_entries;
	struct desc_struct gdt[GDT_ENTRIES];	/* its descriptors, as the CPU sees them */
	bool tables_changed;		/* GDT, IDT or LDT since the switcher's copy */
	int slot_cpu;			/* whose switcher pages its slot maps, or -1 */
	struct fxregs_state fpu __aligned(16);	/* x87/SSE: no XSAVE for guests */

	/* Shadow page tables (page_tables.c). */
	u32 guest_pgdir;		/* gpa of the guest's page directory */
	struct lguest_pgdir *pgdirs;	/* LGUEST_PGDIRS address spaces kept */
	struct lguest_pgdir *cur;	/* ... of which guest_pgdir's */
	u64 pgdir_clock;		/* counts loads, for lguest_pgdir.last_used */
	struct page *kernel_pt[PTRS_PER_PGD];	/* the kernel half's, shared */
	u32 kernel_pde[PTRS_PER_PGD];	/* the guest pde each was built for */
	unsigned long *pt_protected;	/* write-protected page tables, by pfn */
	unsigned int kernel_pgd_first;	/* pgd index of the guest's PAGE_OFFSET */
	struct page *slot_pt;		/* maps the switcher into the guest */

	/* Interrupts. */
	u32 data_gpa;			/* struct lguest_data, or 0 */
	bool host_clock;		/* no TSC clock: keep its time_ns */
	unsigned int next_hcall;	/* next slot of its hypercall ring */
	u32 noirq_start, noirq_end;
	unsigned long irqs_pending;	/* bitmap of LGUEST_IRQS */
	struct hrtimer timer;		/* the guest's clockevent: irq 0 */
	wait_queue_head_t irq_wq;	/* a halted guest and LHREQ_BREAK wait here */
	atomic_t break_requested;
	spinlock_t runner_lock;		/* protects runner */
	struct task_struct *runner;	/* in run_guest(), to kick out of the guest */

	/* Notifications that go straight to a launcher thread. */
	spinlock_t eventfd_lock;
	unsigned int num_eventfds;
	struct lguest_notify_eventfd eventfds[LGUEST_MAX_EVENTFDS];

	struct lguest_stats stats;
	struct dentry *debugfs;		/* its directory of stats, or NULL */
};

/* The switcher's text (x86/switcher_32.S), copied into the slot. */
extern char lguest_switcher_start[], lguest_switcher_end[];
extern char switch_to_guest[], lguest_trap_stubs[];

/* core.c */
extern unsigned long switcher_addr;
struct page *switcher_page(unsigned int i);
struct lguest_cpu_pages *switcher_cpu_pages(unsigned int cpu);
unsigned int switcher_cpu_page(unsigned int cpu);
void kick_guest(struct lguest *lg);
void __printf(2, 3) kill_guest(struct lguest *lg, const char *fmt, ...);
void __user *gpa_user(struct lguest *lg, u32 gpa, u32 len);
bool read_gpa(struct lguest *lg, u32 gpa, u32 *val);
bool write_gpa(struct lguest *lg, u32 gpa, u32 val);
u32 read_data(struct lguest *lg, size_t off);
void write_data(struct lguest *lg, size_t off, u32 val);
void write_data64(struct lguest *lg, size_t off, u64 val);
#define READ_DATA(lg, f)	read_data(lg, offsetof(struct lguest_data, f))
#define WRITE_DATA(lg, f, v)	write_data(lg, offsetof(struct lguest_data, f), v)
#define WRITE_DATA64(lg, f, v)	write_data64(lg, offsetof(struct lguest_data, f), v)
int run_guest(struct lguest *lg, struct lguest_exit *ex);

/* lguest_user.c */
bool notify_eventfd(struct lguest *lg, u32 addr);

/* page_tables.c */
int init_shadow(struct lguest *lg, u32 pgdir);
void map_switcher_cpu(struct lguest *lg, unsigned int cpu);
void free_shadow(struct lguest *lg);
void drop_shadows(struct lguest *lg);
void flush_shadow(struct lguest *lg, bool user);
void flush_shadow_one(struct lguest *lg, u32 vaddr);
bool new_pgdir(struct lguest *lg, u32 pgdir);
void forget_pgdir(struct lguest *lg, u32 pgdir);
bool demand_page(struct lguest *lg, u32 vaddr, u32 errcode);
bool read_guest_virt(struct lguest *lg, u32 vaddr, void *buf, u32 len);
unsigned long guest_va_to_user(struct lguest *lg, u32 vaddr, bool write);

/* segments.c */
void setup_default_gdt(struct lguest *lg);
void load_gdt_entry(struct lguest *lg, u32 entry, u64 desc);
const struct desc_struct *guest_desc(struct lguest *lg, u32 sel);
void load_tls(struct lguest *lg, u32 gpa);
void load_ldt(struct lguest *lg, u32 vaddr, u32 entries);
bool selector_ok(struct lguest *lg, u32 sel, bool null_ok);
u32 desc_limit(const struct desc_struct *d);
bool check_segments(struct lguest *lg);
bool host_gdt_entry(unsigned int entry);

/* interrupts_and_traps.c */
void init_clockevent(struct lguest *lg);
void set_clockevent(struct lguest *lg, u32 delta_ns);
void load_idt_entry(struct lguest *lg, u32 entry, u64 gate);
bool reflect_trap(struct lguest *lg, u32 vector, bool has_err);
bool has_errcode(u32 vector);
int pending_irq(struct lguest *lg);
void maybe_deliver_irq(struct lguest *lg);
void wait_halted(struct lguest *lg);
void raise_irq(struct lguest *lg, unsigned int irq);

/* hypercalls.c */
int do_hypercalls(struct lguest *lg, struct lguest_exit *ex);

/* lguest_user.c */
int lguest_device_init(void);
void lguest_device_remove(void);

/* x86/core.c */
int lguest_arch_init(void);
void lguest_arch_exit(void);
void lguest_arch_setup_pages(void);
void lguest_arch_init_guest(struct lguest *lg, u32 start, u32 boot_params);
bool lguest_arch_run_guest(struct lguest *lg);
void lguest_arch_handle_trap(struct lguest *lg);
void lguest_arch_set_debugreg(struct lguest *lg, u32 regno, u32 value);

#endif /* _DRIVERS_LGUEST_LG_H */
