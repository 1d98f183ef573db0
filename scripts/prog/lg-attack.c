// SPDX-License-Identifier: GPL-2.0
/*
 * lg-attack: tiny hostile guests for lg.ko.  Each attack is a few
 * instructions of guest kernel code (ring 1, flat segments, the first
 * 256 KB mapped 1:1) that tries something a guest must not get away
 * with, or that the host must emulate as the CPU would.  The guest ends
 * by being killed, and the reason the host gives says how far it got:
 * the guests report with hypercalls the host does not know
 * ("unknown hypercall N"), so that N names the path taken.
 *
 *   lg-attack NAME    run one attack; exit 0 if it ended as designed
 *   lg-attack         list the attacks
 */
#include <asm/ldt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/lguest.h>
#include <stddef.h>

#define MEM_PAGES	64
#define PAGE		4096u
#define LOAD_ADDR	0x1000u		/* where the guest's code goes */

/*
 * Guest-side helpers.  A guest blob is assembled into the test program
 * but runs at LOAD_ADDR; HERE(x) is the guest address of its label x.
 */
asm(
"	.macro hcall nr, a1=0, a2=0, a3=0\n"
"	movl	$\\nr, %eax\n"
"	movl	$\\a1, %ebx\n"
"	movl	$\\a2, %ecx\n"
"	movl	$\\a3, %edx\n"
"	int	$0x1f\n"
"	.endm\n"
/* An interrupt gate: vector, guest address of the handler, selector, DPL. */
"	.macro gate vec, addr, sel=0x61, dpl=1\n"
"	hcall	7, \\vec, (\\sel << 16) + \\addr, 0x8e00 + (\\dpl << 13)\n"
"	.endm\n");

#define GUEST(name, body)						\
	asm(".pushsection .rodata\n"					\
	    "	.globl " #name "_start, " #name "_entry, " #name "_end\n" \
	    #name "_start:\n" body "\n" #name "_end:\n"			\
	    ".popsection\n");						\
	extern const unsigned char name##_start[], name##_entry[], name##_end[]

#define STR_(x) #x
#define STR(x) STR_(x)
#define HERE(name, label) "(" #label " - " #name "_start + 0x1000)"

/*
 * A software "int" on a vector the CPU pushes an error code for, through
 * a gate the guest made DPL 3: the CPU enters the handler with no error
 * code.  The host must not let the int reach its stub for the vector
 * (the frame would be a word short); it delivers it to the guest.
 * 98: the handler ran with the CPU's three-word frame.
 */
GUEST(g_softint_pf,
"	cmpl	$0x9000 - 12, %esp\n"
"	jne	1f\n"
"	hcall	98\n"
"1:	hcall	97\n"
"g_softint_pf_entry:\n"
"	movl	$0x9000, %esp\n"
"	gate	14, " HERE(g_softint_pf, g_softint_pf_start) ", dpl=3\n"
"	int	$14\n"
"	hcall	96\n");

/* The same through the double fault vector, whose gate the guest made DPL 1. */
GUEST(g_softint_df,
"	cmpl	$0x9000 - 12, %esp\n"
"	jne	1f\n"
"	hcall	98\n"
"1:	hcall	97\n"
"g_softint_df_entry:\n"
"	movl	$0x9000, %esp\n"
"	gate	8, " HERE(g_softint_df, g_softint_df_start) ", dpl=1\n"
"	int	$8\n"
"	hcall	96\n");

/*
 * "int $2" is a software interrupt through the guest's NMI gate, not an
 * NMI: it must reach the guest's handler, never the host's.
 */
GUEST(g_softint_nmi,
"	hcall	98\n"
"g_softint_nmi_entry:\n"
"	movl	$0x9000, %esp\n"
"	gate	2, " HERE(g_softint_nmi, g_softint_nmi_start) ", dpl=1\n"
"	int	$2\n"
"	hcall	96\n");

/*
 * "int $14" through a DPL 0 gate from ring 1 is a #GP with the vector in
 * the error code, as on hardware.  95: the #GP handler saw 14 * 8 + 2.
 */
GUEST(g_softint_dpl,
"	cmpl	$(14 * 8 + 2), (%esp)\n"
"	jne	1f\n"
"	hcall	95\n"
"1:	hcall	97\n"
"g_softint_dpl_entry:\n"
"	movl	$0x9000, %esp\n"
"	gate	13, " HERE(g_softint_dpl, g_softint_dpl_start) "\n"
"	gate	14, " HERE(g_softint_dpl, g_softint_dpl_start) ", dpl=0\n"
"	int	$14\n"
"	hcall	96\n");

/*
 * A gate whose selector indexes far beyond the guest's 32-entry GDT, at
 * memory the guest controls: its SSE registers, filled with a ring-1
 * code descriptor, which the host keeps just after its copy of the GDT.
 * The host must refuse the selector, not read past its table (the CPU
 * would then fault in the switcher's iret, at ring 0).
 */
GUEST(g_selector,
"	hcall	98\n"
"	.balign 16\n"
"g_selector_desc:\n"
"	.quad	0x00cfbb000000ffff, 0x00cfbb000000ffff\n"
"g_selector_entry:\n"
"	movl	$0x9000, %esp\n"
"	movups	" HERE(g_selector, g_selector_desc) ", %xmm0\n"
"	movups	%xmm0, %xmm1\n"
"	movups	%xmm0, %xmm2\n"
"	movups	%xmm0, %xmm3\n"
"	movups	%xmm0, %xmm4\n"
"	movups	%xmm0, %xmm5\n"
"	movups	%xmm0, %xmm6\n"
"	movups	%xmm0, %xmm7\n"
"	gate	6, " HERE(g_selector, g_selector_start) ", sel=0x1c1\n"
"	ud2\n"
"	hcall	96\n");

/*
 * A ring-1 code segment of 256 bytes, and a gate into it at an offset
 * beyond its limit: the switcher's iret would #GP at ring 0 on hardware
 * (TCG does not check, and the handler would run).
 */
GUEST(g_cs_limit,
"	hcall	98\n"
"g_cs_limit_entry:\n"
"	movl	$0x9000, %esp\n"
"	hcall	4, 14, 0x000000ff, 0x0040bb00\n"
"	gate	6, " HERE(g_cs_limit, g_cs_limit_start) ", sel=0x71\n"
"	ud2\n"
"	hcall	96\n");

/*
 * The launcher has an LDT (modify_ldt); the guest loads a data segment
 * through it.  With the host's LDT still loaded the CPU reads the
 * descriptor at the LDT's host address through the guest's page tables,
 * where the guest could have put anything (a call gate to ring 0); with
 * no LDT it is a #GP.
 */
GUEST(g_ldt,
"g_ldt_entry:\n"
"	movl	$0x9000, %esp\n"
"	movl	$0x7, %eax\n"
"	movl	%eax, %ds\n"
"	hcall	98\n");

/*
 * The switcher slot, at the address the host gives in lguest_data: a
 * write there (the guest's page tables cannot map it; the host maps it
 * itself) ends the guest.
 */
#define DATA_GPA	0x5000
#define RESERVE_MEM_OFF	1368
#define HCALL_STATUS_OFF	16	/* the ring must start empty */
#define DR6_OFF		1400
GUEST(g_slot,
"g_slot_entry:\n"
"	movl	$0x9000, %esp\n"
"	hcall	1, " STR(DATA_GPA) "\n"
"	movl	" STR(DATA_GPA) " + " STR(RESERVE_MEM_OFF) ", %eax\n"
"	negl	%eax\n"
"	movl	$0, 4096(%eax)\n"
"	hcall	98\n");

/*
 * Guest user space reads the switcher slot: that is the user's fault,
 * delivered to the guest kernel as a #PF from user mode (as for any
 * kernel address), not a reason to end the guest.  98: the guest
 * kernel's handler saw the user bit in the error code.
 */
GUEST(g_user_slot,
"	testl	$4, (%esp)\n"
"	jz	1f\n"
"	hcall	98\n"
"1:	hcall	97\n"
"g_user_slot_user:\n"
"	movl	" STR(DATA_GPA) " + " STR(RESERVE_MEM_OFF) ", %eax\n"
"	negl	%eax\n"
"	movl	(%eax), %eax\n"
"	hcall	96\n"
"g_user_slot_entry:\n"
"	movl	$0x9000, %esp\n"
"	movl	$" STR(DATA_GPA) " + " STR(HCALL_STATUS_OFF) ", %edi\n"
"	movl	$" STR(LHCALL_RING_SIZE) ", %ecx\n"
"	movb	$" STR(LHCALL_SLOT_EMPTY) ", %al\n"
"	rep	stosb\n"
"	hcall	1, " STR(DATA_GPA) "\n"
"	hcall	4, 14, 0x0000ffff, 0x00cffa00\n"	/* __USER_CS */
"	hcall	4, 15, 0x0000ffff, 0x00cff200\n"	/* __USER_DS */
"	hcall	8, 0x69, 0x8800\n"
"	gate	14, " HERE(g_user_slot, g_user_slot_start) "\n"
"	pushl	$0x7b\n"
"	pushl	$0x7000\n"
"	pushl	$0x202\n"
"	pushl	$0x73\n"
"	pushl	$" HERE(g_user_slot, g_user_slot_user) "\n"
"	iret\n");

/*
 * Single-step in the guest kernel: the #DB reaches the guest's handler,
 * and lguest_data.dr6 tells it why, as DR6 would (BS, bit 14).  The
 * host keeps DR6 for itself clean.
 */
GUEST(g_single_step,
"	testl	$0x4000, " STR(DATA_GPA) " + " STR(DR6_OFF) "\n"
"	jz	1f\n"
"	hcall	98\n"
"1:	hcall	97\n"
"g_single_step_entry:\n"
"	movl	$0x9000, %esp\n"
"	movl	$" STR(DATA_GPA) " + " STR(HCALL_STATUS_OFF) ", %edi\n"
"	movl	$" STR(LHCALL_RING_SIZE) ", %ecx\n"
"	movb	$" STR(LHCALL_SLOT_EMPTY) ", %al\n"
"	rep	stosb\n"
"	hcall	1, " STR(DATA_GPA) "\n"
"	gate	1, " HERE(g_single_step, g_single_step_start) "\n"
"	pushfl\n"
"	orl	$0x100, (%esp)\n"
"	popfl\n"
"	nop\n"
"	hcall	96\n");

/* A page table entry for a page beyond the guest's memory. */
GUEST(g_pfn,
"g_pfn_entry:\n"
"	movl	$0x9000, %esp\n"
"	movl	$0x10000007, 0x4000 + 4 * 0x100\n"
"	movl	0x100000, %eax\n"
"	hcall	98\n");

static int setup_ldt(void)
{
	struct user_ldt_desc {
		unsigned int entry_number, base_addr, limit, flags;
	} d = { .entry_number = 0, .base_addr = 0, .limit = 0xfffff,
		.flags = 1 | (1 << 4) | (1 << 6) };	/* 32-bit, pages, usable */

	if (syscall(SYS_modify_ldt, 1, &d, sizeof(d)) == 0)
		return 0;
	printf("# modify_ldt: %s\n", strerror(errno));
	return errno == ENOSYS ? 4 : 1;
}

struct attack {
	const char *name;
	const unsigned char *start, *entry, *end;
	const char *want;		/* in the kill message */
	int (*setup)(void);		/* 0 ok, 4 skip, else fail */
};

#define A(n, want, setup) { #n, g_##n##_start, g_##n##_entry, g_##n##_end, want, setup }

static const struct attack attacks[] = {
	A(softint_pf, "unknown hypercall 98", NULL),
	A(softint_df, "unknown hypercall 98", NULL),
	A(softint_nmi, "unknown hypercall 98", NULL),
	A(softint_dpl, "unknown hypercall 95", NULL),
	A(selector, "bad code or stack segment 0x1c1", NULL),
	A(cs_limit, "bad code or stack segment 0x71", NULL),
	A(ldt, "trap 13 ", setup_ldt),
	A(slot, "switcher slot", NULL),
	A(pfn, "beyond its memory", NULL),
	A(user_slot, "unknown hypercall 98", NULL),
	A(single_step, "unknown hypercall 98", NULL),
};

static int run(const struct attack *a)
{
	unsigned char *mem;
	unsigned int *pgdir, *pt, i;
	struct lguest_init init = {
		.req = LHREQ_INITIALIZE,
		.version = LGUEST_ABI_VERSION,
		.mem_pages = MEM_PAGES,
		.pgdir = 0x2000,
		.boot_params = 0x3000,
		.page_offset = 0xc0000000,
	};
	struct lguest_exit ex;
	long ret;
	int fd, rc;

	if (a->setup) {
		rc = a->setup();
		if (rc)
			return rc;
	}
	mem = mmap(NULL, MEM_PAGES * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("# mmap");
		return 1;
	}
	pgdir = (unsigned int *)(mem + 0x2000);
	pt = (unsigned int *)(mem + 0x4000);
	for (i = 0; i < MEM_PAGES; i++)
		pt[i] = i * PAGE | 0x7;
	pgdir[0] = 0x4000 | 0x7;
	if (a->end - a->start > 0x1000) {
		printf("# guest code too large\n");
		return 1;
	}
	memcpy(mem + LOAD_ADDR, a->start, a->end - a->start);
	init.mem_base = (unsigned long)mem;
	init.start = LOAD_ADDR + (a->entry - a->start);

	fd = open("/dev/lguest", O_RDWR);
	if (fd < 0 || write(fd, &init, sizeof(init)) != sizeof(init)) {
		perror("# starting the guest");
		return 1;
	}
	ret = read(fd, &ex, sizeof(ex));
	close(fd);
	if (ret != sizeof(ex)) {
		printf("# read: %ld (%s)\n", ret, strerror(errno));
		return 1;
	}
	ex.message[sizeof(ex.message) - 1] = 0;
	printf("# exit reason %u: \"%s\"\n", ex.reason, ex.message);
	if (ex.reason != LGUEST_EXIT_KILLED || !strstr(ex.message, a->want)) {
		printf("# wanted the guest killed with \"%s\"\n", a->want);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int i;

	_Static_assert(offsetof(struct lguest_data, reserve_mem) == RESERVE_MEM_OFF,
		       "the guests read reserve_mem at RESERVE_MEM_OFF");
	_Static_assert(offsetof(struct lguest_data, dr6) == DR6_OFF,
		       "g_single_step reads dr6 at DR6_OFF");
	_Static_assert(offsetof(struct lguest_data, hcall_status) == HCALL_STATUS_OFF,
		       "the guests empty the hypercall ring at HCALL_STATUS_OFF");

	for (i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
		if (argc < 2)
			printf("%s\n", attacks[i].name);
		else if (!strcmp(argv[1], attacks[i].name))
			return run(&attacks[i]);
	}
	if (argc < 2)
		return 0;
	fprintf(stderr, "lg-attack: no attack '%s'\n", argv[1]);
	return 2;
}
