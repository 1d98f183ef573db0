/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The lguest ABI: /dev/lguest requests and exits, hypercall numbers, the
 * page the guest shares with the host, and the device page.
 *
 * DRAFT (wip/): not yet part of the series.
 *
 * All fields are fixed width; padding and reserved fields must be zero
 * and are checked.  Request and hypercall numbers are never reused.
 */
#ifndef _UAPI_LINUX_LGUEST_H
#define _UAPI_LINUX_LGUEST_H

#include <linux/types.h>

#define LGUEST_ABI_VERSION	1

/* Requests: the first __u32 of every write() to /dev/lguest. */
enum lguest_req {
	LHREQ_INITIALIZE = 0,	/* struct lguest_init; the first write */
	LHREQ_IRQ = 1,		/* struct lguest_irq: raise a guest irq */
	LHREQ_BREAK = 2,	/* struct lguest_break: make read() return */
};

struct lguest_init {
	__u32 req;		/* LHREQ_INITIALIZE */
	__u32 version;		/* LGUEST_ABI_VERSION */
	__u64 mem_base;		/* launcher address of guest-physical 0 */
	__u32 mem_pages;	/* guest RAM, in pages */
	__u32 device_pages;	/* device pages just above guest RAM */
				/* (at most LGUEST_MAX_DEVICE_PAGES) */
	__u32 start;		/* guest-physical entry point (startup_32) */
	__u32 pgdir;		/* guest-physical initial page directory */
	__u32 boot_params;	/* guest-physical boot_params, in %esi */
	__u32 page_offset;	/* the guest kernel's PAGE_OFFSET */
	__u32 flags;		/* none defined: must be 0 */
	__u32 reserved[7];	/* must be 0 */
};

#define LGUEST_MAX_DEVICE_PAGES	16

#define LGUEST_IRQS		32

struct lguest_irq {
	__u32 req;		/* LHREQ_IRQ */
	__u32 irq;		/* < LGUEST_IRQS */
};

struct lguest_break {
	__u32 req;		/* LHREQ_BREAK */
	__u32 reserved;		/* must be 0 */
};

/* What read() of /dev/lguest returns when the guest needs the launcher. */
enum lguest_exit_reason {
	LGUEST_EXIT_NOTIFY = 1,		/* arg: the kicked virtqueue's address */
	LGUEST_EXIT_CONSOLE = 2,	/* arg: gpa << 32 | length of the bytes */
	LGUEST_EXIT_POWEROFF = 3,
	LGUEST_EXIT_RESTART = 4,
	LGUEST_EXIT_CRASH = 5,		/* message: the guest's own words */
	LGUEST_EXIT_KILLED = 6,		/* message: why the host stopped it */
	LGUEST_EXIT_BREAK = 7,
};

#define LGUEST_MSG_LEN		128

struct lguest_exit {
	__u32 reason;		/* enum lguest_exit_reason */
	__u32 pad;
	__u64 arg;
	char message[LGUEST_MSG_LEN];	/* NUL-terminated for CRASH, KILLED */
};

/* Hypercalls: int $LGUEST_TRAP_ENTRY, number in %eax, args in %ebx..%esi. */
#define LGUEST_TRAP_ENTRY	0x1f

#define LHCALL_FLUSH_ASYNC	0
#define LHCALL_LGUEST_INIT	1
#define LHCALL_SHUTDOWN		2
#define LHCALL_CRASH		3
#define LHCALL_LOAD_GDT_ENTRY	4
#define LHCALL_NEW_PGTABLE	5
#define LHCALL_FLUSH_TLB	6
#define LHCALL_LOAD_IDT_ENTRY	7
#define LHCALL_SET_STACK	8
#define LHCALL_SET_CLOCKEVENT	9
#define LHCALL_HALT		10
#define LHCALL_SET_PTE		11
#define LHCALL_SET_PGD		12
#define LHCALL_LOAD_TLS		13
#define LHCALL_NOTIFY		14
#define LHCALL_SEND_INTERRUPTS	15
#define LHCALL_CONSOLE_WRITE	16

/* LHCALL_FLUSH_TLB's first argument; the second is the address for ONE. */
#define LGUEST_FLUSH_ALL		0
#define LGUEST_FLUSH_ONE		1

#define LGUEST_SHUTDOWN_POWEROFF	0
#define LGUEST_SHUTDOWN_RESTART		1

/* Batched hypercalls: the guest fills a slot and marks it ready. */
#define LHCALL_RING_SIZE	64
#define LHCALL_SLOT_EMPTY	0xff

struct lguest_hcall {
	__u32 nr;
	__u32 arg1, arg2, arg3, arg4;
};

/* The page the guest registers with LHCALL_LGUEST_INIT. */
struct lguest_data {
	/* Guest to host */
	__u32 irq_enabled;		/* X86_EFLAGS_IF or 0: the virtual IF */
	__u32 blocked_interrupts[LGUEST_IRQS / 32];
	__u32 noirq_start;		/* no interrupt delivery while the */
	__u32 noirq_end;		/* guest's eip is in [start, end) */
	__u8 hcall_status[LHCALL_RING_SIZE];
	struct lguest_hcall hcalls[LHCALL_RING_SIZE];

	/* Host to guest */
	__u32 irq_pending;		/* an enabled irq waits for IF */
	__u32 cr2;			/* fault address of the last #PF */
	__u32 reserve_mem;		/* bytes to keep free at the top */
	__u32 tsc_khz;
	__u32 device_base;		/* guest-physical device pages */
	__u32 device_pages;
	__u32 pad;
	__u64 wallclock_ns;		/* host realtime at LHCALL_LGUEST_INIT */
};

/*
 * The device pages, just above guest RAM (lguest_data tells the guest
 * where): a list of device descriptors, each 8-byte aligned, ended by
 * type 0.  A descriptor is followed by num_vq struct lguest_vqconfig, the
 * device's features (feature_len bytes, little-endian bit numbers), the
 * driver's features (as many) and the config space (config_len bytes).
 *
 * The guest tells the launcher about a change with LHCALL_NOTIFY and the
 * guest-physical address of what changed: a descriptor (its status) or a
 * vqconfig (new buffers in that queue).  The launcher raises the queue's
 * irq when it has used buffers.
 */
struct lguest_device_desc {
	__u8 type;			/* virtio device id; 0 ends the list */
	__u8 num_vq;
	__u8 feature_len;
	__u8 config_len;
	__u8 status;			/* virtio status byte */
	__u8 reserved[3];		/* must be 0 */
};

#define LGUEST_DESC_ALIGN	8

struct lguest_vqconfig {
	__u16 num;			/* entries, set by the launcher */
	__u16 irq;			/* set by the launcher */
	__u32 desc;			/* guest-physical addresses of the */
	__u32 avail;			/* split ring's three parts, set by */
	__u32 used;			/* the guest before DRIVER_OK */
};

#endif /* _UAPI_LINUX_LGUEST_H */
