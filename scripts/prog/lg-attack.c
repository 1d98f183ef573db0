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
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/lguest.h>
#include <stddef.h>

#define MEM_PAGES	64
#define PAGE		4096u
#define LOAD_ADDR	0x1000u		/* where the guest's code goes */
#define STR_(x) #x
#define STR(x) STR_(x)

/* Guest-physical: struct lguest_data, and the guests' counters. */
#define DATA_GPA	0x5000
#define IRQ_ENABLED_OFF	0
#define NOIRQ_START_OFF	8
#define NOIRQ_END_OFF	12
#define RESERVE_MEM_OFF	1368
#define HCALL_STATUS_OFF	16	/* the ring must start empty */
#define HCALLS_OFF	80
#define DR6_OFF		1400
#define CR2_OFF		1364
#define GP_COUNT	0x6000
#define COUNT		0x6004

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
"	.endm\n"
/* A trap gate, the kind a direct gate is made of. */
"	.macro tgate vec, addr, sel=0x61, dpl=1\n"
"	hcall	7, \\vec, (\\sel << 16) + \\addr, 0x8f00 + (\\dpl << 13)\n"
"	.endm\n"
/* Empty the hypercall ring and register lguest_data at DATA_GPA. */
"	.macro lguest_init\n"
"	movl	$" STR(DATA_GPA) " + " STR(HCALL_STATUS_OFF) ", %edi\n"
"	movl	$" STR(LHCALL_RING_SIZE) ", %ecx\n"
"	movb	$" STR(LHCALL_SLOT_EMPTY) ", %al\n"
"	rep	stosb\n"
"	hcall	1, " STR(DATA_GPA) "\n"
"	.endm\n"
/* Drop to ring 3 at addr with flat user segments, ring-1 stack at 0x8800. */
"	.macro enter_user addr\n"
"	hcall	4, 14, 0x0000ffff, 0x00cffa00\n"	/* __USER_CS */
"	hcall	4, 15, 0x0000ffff, 0x00cff200\n"	/* __USER_DS */
"	hcall	8, 0x69, 0x8800\n"
"	pushl	$0x7b\n"
"	pushl	$0x7000\n"
"	pushl	$0x202\n"
"	pushl	$0x73\n"
"	pushl	$\\addr\n"
"	iret\n"
"	.endm\n"
/*
 * Load a TSS at 0x20000 (LHCALL_LOAD_TR) whose I/O bitmap, at offset
 * 104, covers ports 0-255 and allows guest user mode port 0x80 only.
 */
"	.macro tss_port80\n"
"	movl	$0x20000, %edi\n"
"	movl	$104 + 33, %ecx\n"
"	movb	$0xff, %al\n"
"	rep	stosb\n"
"	movw	$104, 0x20000 + 102\n"
"	movb	$0xfe, 0x20000 + 104 + 0x10\n"
"	hcall	17, 0x20000, 104 + 32\n"
"	.endm\n"
/*
 * An instruction that must #GP with error code err: the guest's #GP
 * handler (gp_handler) counts it at GP_COUNT and resumes after it.
 * 2000 + n: instruction n did not fault.
 */
"	.macro gp err, insn:vararg\n"
"	movl	$\\err, %edi\n"
"	call	8f\n"
"8:	popl	%esi\n"
"	addl	$(9f - 8b), %esi\n"
"	\\insn\n"
"	movl	" STR(GP_COUNT) ", %eax\n"
"	addl	$2000, %eax\n"
"	int	$0x1f\n"
"9:\n"
"	.endm\n"
/* 10000 + error code: a #GP with another error code than wanted. */
"	.macro gp_handler\n"
"	cmpl	%edi, (%esp)\n"
"	je	8f\n"
"	movl	(%esp), %eax\n"
"	addl	$10000, %eax\n"
"	int	$0x1f\n"
"8:	incl	" STR(GP_COUNT) "\n"
"	movl	%esi, 4(%esp)\n"
"	addl	$4, %esp\n"
"	iret\n"
"	.endm\n"
/* 98 if n instructions faulted as wanted, else 1000 + how many did. */
"	.macro gp_done n\n"
"	movl	" STR(GP_COUNT) ", %eax\n"
"	cmpl	$\\n, %eax\n"
"	je	8f\n"
"	addl	$1000, %eax\n"
"	int	$0x1f\n"
"8:	hcall	98\n"
"	.endm\n");

#define GUEST(name, body)						\
	asm(".pushsection .rodata\n"					\
	    "	.globl " #name "_start, " #name "_entry, " #name "_end\n" \
	    #name "_start:\n" body "\n" #name "_end:\n"			\
	    ".popsection\n");						\
	extern const unsigned char name##_start[], name##_entry[], name##_end[]

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

/*
 * An iret from ring 1 with VM set in the EFLAGS image.  Hardware ignores
 * VM below ring 0; TCG enters virtual-8086 mode, whose traps push a
 * frame four words longer than the switcher's.  The host must notice the
 * frame it cannot parse, end the guest and still give the host its
 * interrupts (found by lg-fuzz: the trap number was the guest's EFLAGS,
 * and the host called whatever lay past its IDT).  On hardware the iret
 * returns to ring 3, where the code below makes a #GP the guest has no
 * handler for.
 */
GUEST(g_vm86,
"g_vm86_user:\n"
"	cli\n"
"	hcall	96\n"
"g_vm86_entry:\n"
"	movl	$0x9000, %esp\n"
"	hcall	4, 14, 0x0000ffff, 0x00cffa00\n"
"	hcall	4, 15, 0x0000ffff, 0x00cff200\n"
"	hcall	8, 0x69, 0x9000\n"
"	pushl	$0x7b\n"
"	pushl	$0xa000\n"
"	pushl	$0x20202\n"
"	pushl	$0x73\n"
"	pushl	$" HERE(g_vm86, g_vm86_user) "\n"
"	iret\n");

/*
 * The same way into virtual-8086 mode (TCG only), with a real-mode code
 * segment of 0, spinning until a host interrupt arrives: its frame has a
 * code segment with RPL 0, as if the switcher itself had been
 * interrupted.  The interrupt is still the host's (lost, it is never
 * acknowledged and the host's timer stops); the guest ends.  On
 * hardware: a #GP for the null code segment, with no guest handler.
 */
GUEST(g_vm86_irq,
"g_vm86_irq_spin:\n"
"	jmp	.\n"
"g_vm86_irq_entry:\n"
"	movl	$0x9000, %esp\n"
"	hcall	4, 14, 0x0000ffff, 0x00cffa00\n"
"	hcall	4, 15, 0x0000ffff, 0x00cff200\n"
"	hcall	8, 0x69, 0x9000\n"
"	pushl	$0\n"				/* gs, fs, ds, es, ss */
"	pushl	$0\n"
"	pushl	$0\n"
"	pushl	$0\n"
"	pushl	$0\n"
"	pushl	$0xa000\n"
"	pushl	$0x20202\n"
"	pushl	$0\n"
"	pushl	$" HERE(g_vm86_irq, g_vm86_irq_spin) "\n"
"	iret\n");

/* A page table entry for a page beyond the guest's memory. */
GUEST(g_pfn,
"g_pfn_entry:\n"
"	movl	$0x9000, %esp\n"
"	movl	$0x10000007, 0x4000 + 4 * 0x100\n"
"	movl	0x100000, %eax\n"
"	hcall	98\n");

/*
 * Descriptors with ring-0 privilege: the host makes them DPL 1, so a
 * selector with RPL 0 gives ring 1 at most.  A far jump and a far call
 * to the DPL-0-requested code segment land in ring 1 (%cs 0x71); a gate
 * with selector 0x70 delivers in ring 1; an iret to RPL 0 is a #GP.
 * 96: the far jump was refused; 97: it ran at another privilege.
 */
GUEST(g_gdt_dpl0,
"	gp_handler\n"
"g_gdt_dpl0_ud:\n"
"	cmpl	$0x71, 4(%esp)\n"
"	jne	1f\n"
"	pushfl\n"
"	pushl	$0x70\n"
"	pushl	$0\n"
"	gp	0x70, iret\n"
"	pushl	$0x70\n"
"	pushl	$0\n"
"	gp	0x70, lret\n"
"	gp_done	2\n"
"1:	hcall	97\n"
"g_gdt_dpl0_entry:\n"
"	movl	$0x9000, %esp\n"
"	gate	13, " HERE(g_gdt_dpl0, g_gdt_dpl0_start) "\n"
"	hcall	4, 14, 0x0000ffff, 0x00cf9a00\n"	/* DPL 0 code */
"	hcall	4, 15, 0x0000ffff, 0x00cf9200\n"	/* DPL 0 data */
"	ljmp	$0x70, $" HERE(g_gdt_dpl0, g_gdt_dpl0_jmp) "\n"
"	hcall	96\n"
"g_gdt_dpl0_jmp:\n"
"	xorl	%eax, %eax\n"
"	movw	%cs, %ax\n"
"	cmpl	$0x71, %eax\n"
"	jne	1b\n"
"	lcall	$0x70, $" HERE(g_gdt_dpl0, g_gdt_dpl0_call) "\n"
"	jmp	2f\n"
"g_gdt_dpl0_call:\n"
"	xorl	%eax, %eax\n"
"	movw	%cs, %ax\n"
"	cmpl	$0x71, %eax\n"
"	jne	1b\n"
"	lret\n"
"2:	movl	$0x78, %eax\n"
"	movl	%eax, %ds\n"		/* DPL 1 now: loads, with RPL 0 */
"	movl	%eax, %es\n"
"	gate	6, " HERE(g_gdt_dpl0, g_gdt_dpl0_ud) ", sel=0x70\n"
"	ud2\n"
"	hcall	96\n");

/*
 * System descriptors in the GDT: an LDT, a TSS, a call gate to the
 * switcher's ring-0 code segment.  Each kills the guest.
 */
GUEST(g_gdt_ldt,
"g_gdt_ldt_entry:\n"
"	hcall	4, 14, 0x2000ffff, 0x00008200\n"
"	hcall	98\n");

GUEST(g_gdt_tss,
"g_gdt_tss_entry:\n"
"	hcall	4, 14, 0x20000067, 0x00008900\n"
"	hcall	98\n");

GUEST(g_gdt_call_gate,
"g_gdt_call_gate_entry:\n"
"	hcall	4, 14, 0x00501000, 0x0000ec00\n"
"	lcall	$0x73, $0\n"
"	hcall	98\n");

/*
 * Writes to the host's GDT entries (10 and 11, the switcher's; 16, the
 * TSS; 31, the double-fault TSS) are ignored: after writing ring-1 and
 * ring-3 segments there, loading them is still a #GP, and the switcher
 * still runs (the hypercalls come back).
 */
GUEST(g_gdt_host,
"	gp_handler\n"
"g_gdt_host_entry:\n"
"	movl	$0x9000, %esp\n"
"	gate	13, " HERE(g_gdt_host, g_gdt_host_start) "\n"
"	hcall	4, 10, 0x0000ffff, 0x00cfbb00\n"
"	hcall	4, 11, 0x0000ffff, 0x00cff300\n"
"	hcall	4, 16, 0x0000ffff, 0x00cff300\n"
"	hcall	4, 31, 0x0000ffff, 0x00cff300\n"
"	gp	0x50, ljmp $0x51, $0\n"
"	movl	$0x5b, %eax\n"
"	gp	0x58, movl %eax, %ds\n"
"	movl	$0x83, %eax\n"
"	gp	0x80, movl %eax, %ds\n"
"	movl	$0xfb, %eax\n"
"	gp	0xf8, movl %eax, %ds\n"
"	movl	$0x5b, %eax\n"
"	gp	0x58, movl %eax, %ss\n"
"	gp_done	5\n");

/*
 * A task gate in the IDT is dropped (it cannot work in a guest): "int"
 * through it is then a #GP naming the vector, as for an absent gate.
 * 98: the #GP handler saw 3 * 8 + 2.
 */
GUEST(g_idt_task_gate,
"	gp_handler\n"
"g_idt_task_gate_entry:\n"
"	movl	$0x9000, %esp\n"
"	gate	13, " HERE(g_idt_task_gate, g_idt_task_gate_start) "\n"
"	hcall	7, 3, 0x00800000, 0x0000e500\n"
"	gp	0x1a, int $3\n"
"	gp_done	1\n");

/* A call gate in the IDT is refused. */
GUEST(g_idt_call_gate,
"g_idt_call_gate_entry:\n"
"	hcall	7, 3, 0x00500000, 0x0000ec00\n"
"	hcall	98\n");

/* The hypercall vector's gate is the host's; there are 256 gates. */
GUEST(g_idt_hcall,
"g_idt_hcall_entry:\n"
"	hcall	7, 0x1f, 0x00610000, 0x0000ee00\n"
"	hcall	98\n");

GUEST(g_idt_256,
"g_idt_256_entry:\n"
"	hcall	7, 256, 0x00610000, 0x0000ee00\n"
"	hcall	98\n");

/*
 * The guest maps its own page table at the switcher slot's page
 * directory index: the host's mapping of the slot stays (a read of the
 * switcher's text is not the guest's page), and an access to the rest
 * of the slot (1 MB in: beyond the switcher's pages) ends the guest,
 * never reaching the guest's page.
 */
GUEST(g_pde_slot,
"g_pde_slot_entry:\n"
"	movl	$0x9000, %esp\n"
"	lguest_init\n"
"	movl	" STR(DATA_GPA) " + " STR(RESERVE_MEM_OFF) ", %eax\n"
"	negl	%eax\n"
"	movl	%eax, %ebx\n"
"	shrl	$22, %ebx\n"
"	movl	$0x4007, 0x2000(, %ebx, 4)\n"
"	movl	%eax, %esi\n"
"	hcall	6, 0\n"
"	movl	0x1000(%esi), %eax\n"
"	cmpl	%eax, 0x1000\n"
"	jne	1f\n"
"	hcall	97\n"
"1:	movl	0x100000(%esi), %eax\n"
"	hcall	98\n");

/* A large (PSE) page. */
GUEST(g_large_page,
"g_large_page_entry:\n"
"	movl	$0x9000, %esp\n"
"	movl	$0x00000087, 0x2000 + 4\n"
"	movl	0x400000, %eax\n"
"	hcall	98\n");

/* A page directory entry naming a page table beyond the guest's memory. */
GUEST(g_pde_range,
"g_pde_range_entry:\n"
"	movl	$0x9000, %esp\n"
"	movl	$0x10000007, 0x2000 + 4\n"
"	movl	0x400000, %eax\n"
"	hcall	98\n");

/*
 * Exhausting the host's memory for shadow page tables: every page
 * directory entry below the slot names the same page table, and the
 * guest touches a page in each 4 MB, three times over with a new cr3
 * between.  That is at most one shadow page table per entry: the guest
 * lives (98).
 */
GUEST(g_shadow_many,
"g_shadow_many_entry:\n"
"	movl	$0x9000, %esp\n"
"	lguest_init\n"
"	movl	" STR(DATA_GPA) " + " STR(RESERVE_MEM_OFF) ", %ebp\n"
"	negl	%ebp\n"
"	shrl	$22, %ebp\n"
"	movl	$1, %ebx\n"
"1:	movl	$0x4007, 0x2000(, %ebx, 4)\n"
"	incl	%ebx\n"
"	cmpl	%ebp, %ebx\n"
"	jb	1b\n"
"	movl	$3, " STR(COUNT) "\n"
"2:	hcall	5, 0x2000\n"
"	movl	$1, %ebx\n"
"3:	movl	%ebx, %eax\n"
"	shll	$22, %eax\n"
"	movl	0x6100(%eax), %ecx\n"
"	movl	%ebx, 0x6100(%eax)\n"
"	incl	%ebx\n"
"	cmpl	%ebp, %ebx\n"
"	jb	3b\n"
"	decl	" STR(COUNT) "\n"
"	jnz	2b\n"
"	hcall	98\n");

/*
 * The same in eight address spaces, whose shadows the host keeps: eight
 * page directories (0x10000-0x17000), each with every entry below the
 * slot naming the page table at 0x4000, each loaded in turn and a page
 * touched in each 4 MB.  Unbounded, that would be some 6,400 shadow page
 * tables kept, 25 MB of the host's low memory for 32 KB of guest; the
 * host keeps to one address space's worth in all (its count of shadow
 * page tables, which the harness reads, at most 1024).
 */
GUEST(g_shadow_spaces,
"g_shadow_spaces_entry:\n"
"	movl	$0x9000, %esp\n"
"	lguest_init\n"
"	movl	" STR(DATA_GPA) " + " STR(RESERVE_MEM_OFF) ", %ebp\n"
"	negl	%ebp\n"
"	shrl	$22, %ebp\n"
"	movl	$0x10000, %edi\n"
"1:	movl	$0, %ebx\n"
"2:	movl	$0x4007, (%edi, %ebx, 4)\n"
"	incl	%ebx\n"
"	cmpl	%ebp, %ebx\n"
"	jb	2b\n"
"	movl	$5, %eax\n"
"	movl	%edi, %ebx\n"
"	int	$0x1f\n"
"	movl	$1, %ebx\n"
"3:	movl	%ebx, %eax\n"
"	shll	$22, %eax\n"
"	movl	0x6100(%eax), %ecx\n"
"	incl	%ebx\n"
"	cmpl	%ebp, %ebx\n"
"	jb	3b\n"
"	addl	$0x1000, %edi\n"
"	cmpl	$0x18000, %edi\n"
"	jb	1b\n"
"	hcall	98\n");

/*
 * Hypercalls with bad arguments, each after the good one at its
 * boundary where there is one.
 */
GUEST(g_hc_init_twice,
"g_hc_init_twice_entry:\n"
"	movl	$0x9000, %esp\n"
"	lguest_init\n"
"	hcall	1, " STR(DATA_GPA) "\n"
"	hcall	98\n");

GUEST(g_hc_init_unaligned,
"g_hc_init_unaligned_entry:\n"
"	hcall	1, (" STR(DATA_GPA) " + 4)\n"
"	hcall	98\n");

GUEST(g_hc_init_range,
"g_hc_init_range_entry:\n"
"	hcall	1, 0x40000-8\n"
"	hcall	98\n");

GUEST(g_hc_console_zero,
"g_hc_console_zero_entry:\n"
"	hcall	16, 0x1000, 0\n"
"	hcall	98\n");

GUEST(g_hc_console_big,
"g_hc_console_big_entry:\n"
"	hcall	16, 0x1000, 4096\n"
"	hcall	16, 0x1000, 4097\n"
"	hcall	98\n");

GUEST(g_hc_console_range,
"g_hc_console_range_entry:\n"
"	hcall	16, 0x3f000, 4096\n"
"	hcall	16, 0x3f001, 4096\n"
"	hcall	98\n");

GUEST(g_hc_notify,
"g_hc_notify_entry:\n"
"	hcall	14, 0x40000\n"
"	hcall	98\n");

GUEST(g_hc_pgtable_unaligned,
"g_hc_pgtable_unaligned_entry:\n"
"	hcall	5, 0x2004\n"
"	hcall	98\n");

GUEST(g_hc_pgtable_range,
"g_hc_pgtable_range_entry:\n"
"	hcall	5, 0x40000\n"
"	hcall	98\n");

GUEST(g_hc_flush_mode,
"g_hc_flush_mode_entry:\n"
"	hcall	6, 1, 0x1000\n"
"	hcall	6, 0\n"
"	hcall	6, 2\n"
"	hcall	6, 3\n"
"	hcall	98\n");

GUEST(g_hc_stack_rpl,
"g_hc_stack_rpl_entry:\n"
"	hcall	8, 0x69, 0x9000\n"
"	hcall	8, 0x68, 0x9000\n"
"	hcall	98\n");

GUEST(g_hc_stack_index,
"g_hc_stack_index_entry:\n"
"	hcall	8, 0x101, 0x9000\n"
"	hcall	98\n");

GUEST(g_hc_tls_range,
"g_hc_tls_range_entry:\n"
"	hcall	13, 0x40000-24\n"
"	hcall	13, 0x40000-20\n"
"	hcall	98\n");

/* A TLS entry is a GDT entry: no system descriptor there either. */
GUEST(g_hc_tls_system,
"	.long	0x0000ffff, 0x00cff300, 0x2000ffff, 0x00008200, 0, 0\n"
"g_hc_tls_system_entry:\n"
"	hcall	13, " HERE(g_hc_tls_system, g_hc_tls_system_start) "\n"
"	hcall	98\n");

GUEST(g_hc_shutdown,
"g_hc_shutdown_entry:\n"
"	hcall	2, 7\n"
"	hcall	98\n");

/* The guest's panic message, unterminated at the very end of its memory. */
GUEST(g_hc_crash_end,
"g_hc_crash_end_entry:\n"
"	movl	$0x5a595857, 0x40000 - 4\n"
"	hcall	3, 0x40000-4\n"
"	hcall	98\n");

/* The hypercall ring: a call that needs the launcher cannot be queued. */
GUEST(g_hc_ring_unbatchable,
"g_hc_ring_unbatchable_entry:\n"
"	movl	$0x9000, %esp\n"
"	lguest_init\n"
"	movl	$16, " STR(DATA_GPA) " + " STR(HCALLS_OFF) "\n"
"	movl	$0x1000, " STR(DATA_GPA) " + " STR(HCALLS_OFF) " + 4\n"
"	movl	$1, " STR(DATA_GPA) " + " STR(HCALLS_OFF) " + 8\n"
"	movb	$0, " STR(DATA_GPA) " + " STR(HCALL_STATUS_OFF) "\n"
"	hcall	0\n"
"	hcall	98\n");

/* ... and a queued call's arguments are checked as a direct one's. */
GUEST(g_hc_ring_args,
"g_hc_ring_args_entry:\n"
"	movl	$0x9000, %esp\n"
"	lguest_init\n"
"	movl	$7, " STR(DATA_GPA) " + " STR(HCALLS_OFF) "\n"
"	movl	$0x1f, " STR(DATA_GPA) " + " STR(HCALLS_OFF) " + 4\n"
"	movb	$0, " STR(DATA_GPA) " + " STR(HCALL_STATUS_OFF) "\n"
"	hcall	0\n"
"	hcall	98\n");

/*
 * Port I/O from the guest kernel: "in" reads all ones (the upper part
 * of %eax kept), "out" is dropped.  96: a read gave something else.
 */
GUEST(g_io_ring1,
"g_io_ring1_entry:\n"
"	movl	$0x9000, %esp\n"
"	movl	$0x12345600, %eax\n"
"	inb	$0x80, %al\n"
"	cmpl	$0x123456ff, %eax\n"
"	jne	1f\n"
"	movl	$0x12340000, %eax\n"
"	movl	$0x3f8, %edx\n"
"	inw	%dx, %ax\n"
"	cmpl	$0x1234ffff, %eax\n"
"	jne	1f\n"
"	xorl	%eax, %eax\n"
"	inl	%dx, %eax\n"
"	cmpl	$0xffffffff, %eax\n"
"	jne	1f\n"
"	xorl	%eax, %eax\n"
"	inl	$0x70, %eax\n"
"	cmpl	$0xffffffff, %eax\n"
"	jne	1f\n"
"	outb	%al, $0x80\n"
"	outw	%ax, %dx\n"
"	outl	%eax, %dx\n"
"	cmpl	$0xffffffff, %eax\n"
"	jne	1f\n"
"	hcall	98\n"
"1:	hcall	96\n");

/*
 * An "inw" whose operand-size prefix ends one page and whose opcode
 * begins the next, which maps another guest page than the one after:
 * the CPU reads the instruction through the page tables, and so must
 * the emulation.  The guest builds it at 0x10fff: 0x66 there, 0xed at
 * the start of the page mapped at 0x11000 (guest page 0x12000), 0xec
 * (inb) at guest page 0x11000.  96: %eax is not 0xffff.
 */
GUEST(g_io_split,
"g_io_split_entry:\n"
"	movl	$0x9000, %esp\n"
"	movb	$0x66, 0x10fff\n"
"	movb	$0xec, 0x11000\n"
"	movw	$0xe6ff, 0x11001\n"		/* jmp *%esi */
"	movb	$0xed, 0x12000\n"
"	movw	$0xe6ff, 0x12001\n"
"	movl	$0x12007, 0x4000 + 4 * 0x11\n"
"	hcall	6, 0\n"
"	movl	$0x3f8, %edx\n"
"	xorl	%eax, %eax\n"
"	movl	$" HERE(g_io_split, g_io_split_back) ", %esi\n"
"	movl	$0x10fff, %ecx\n"
"	jmp	*%ecx\n"
"g_io_split_back:\n"
"	cmpl	$0xffff, %eax\n"
"	jne	1f\n"
"	hcall	98\n"
"1:	hcall	96\n");

/* The string forms are not emulated: a #GP for the guest kernel. */
GUEST(g_io_string,
"	gp_handler\n"
"g_io_string_entry:\n"
"	movl	$0x9000, %esp\n"
"	gate	13, " HERE(g_io_string, g_io_string_start) "\n"
"	movl	$0x80, %edx\n"
"	gp	0, insb\n"
"	gp	0, outsb\n"
"	movl	$1, %ecx\n"
"	gp	0, rep insl\n"
"	movl	$1, %ecx\n"
"	gp	0, rep outsw\n"
"	gp_done	4\n");

/* Port I/O from guest user mode: a #GP from ring 3 for the guest kernel. */
GUEST(g_io_user,
"	cmpl	$0, (%esp)\n"
"	jne	1f\n"
"	testl	$3, 8(%esp)\n"
"	jz	1f\n"
"	hcall	98\n"
"1:	hcall	97\n"
"g_io_user_user:\n"
"	inb	$0x80, %al\n"
"	ud2\n"
"g_io_user_entry:\n"
"	movl	$0x9000, %esp\n"
"	gate	13, " HERE(g_io_user, g_io_user_start) "\n"
"	enter_user " HERE(g_io_user, g_io_user_user) "\n");

/*
 * Port I/O from guest user mode where the guest's TSS allows it
 * (LHCALL_LOAD_TR): port 0x80 is emulated ("in" reads all ones), 0x81 is
 * refused with a #GP for the guest kernel, as the CPU would.  98: the
 * #GP came from the second "in", after the first read 0xff.
 */
GUEST(g_io_ioperm,
"	cmpl	$" HERE(g_io_ioperm, g_io_ioperm_refused) ", 4(%esp)\n"
"	jne	1f\n"
"	hcall	98\n"
"1:	hcall	97\n"
"g_io_ioperm_user:\n"
"	movb	$0, %al\n"
"	inb	$0x80, %al\n"
"	cmpb	$0xff, %al\n"
"	jne	2f\n"
"g_io_ioperm_refused:\n"
"	inb	$0x81, %al\n"
"2:	ud2\n"
"g_io_ioperm_entry:\n"
"	movl	$0x9000, %esp\n"
"	lguest_init\n"
"	tss_port80\n"
"	gate	13, " HERE(g_io_ioperm, g_io_ioperm_start) "\n"
"	enter_user " HERE(g_io_ioperm, g_io_ioperm_user) "\n");

/*
 * Port I/O at the end of guest user mode's code segment (flat, byte
 * granular, its limit at the in's last byte or at its first), with the
 * port allowed: the CPU runs an "in" that ends at the limit and then
 * takes #GP(0) fetching past it; one whose immediate lies past the limit
 * is the #GP(0) itself, never run.  Either is the guest kernel's #GP,
 * not the end of the guest.  98: the #GP with error code 0 at the
 * expected eip, and %al as the CPU leaves it.
 */
#define USER_LIMIT_GUEST(name, limit_off, fault_off, al)			\
GUEST(g_##name,									\
"	cmpl	$0, (%esp)\n"							\
"	jne	1f\n"								\
"	cmpl	$" HERE(g_##name, name##_user) " + " #fault_off ", 4(%esp)\n"	\
"	jne	1f\n"								\
"	cmpb	$" #al ", %al\n"						\
"	jne	1f\n"								\
"	hcall	98\n"								\
"1:	hcall	97\n"								\
#name "_user:\n"								\
"	inb	$0x80, %al\n"							\
"	ud2\n"									\
"g_" #name "_entry:\n"							\
"	movl	$0x9000, %esp\n"						\
"	lguest_init\n"								\
"	tss_port80\n"								\
"	gate	13, " HERE(g_##name, g_##name##_start) "\n"			\
"	hcall	4, 14, " HERE(g_##name, name##_user) " + " #limit_off ", 0x0040fa00\n" \
"	hcall	4, 15, 0x0000ffff, 0x00cff200\n"				\
"	hcall	8, 0x69, 0x8800\n"						\
"	pushl	$0x7b\n"							\
"	pushl	$0x7000\n"							\
"	pushl	$0x202\n"							\
"	pushl	$0x73\n"							\
"	pushl	$" HERE(g_##name, name##_user) "\n"				\
"	movl	$0x5a, %eax\n"							\
"	iret\n")

USER_LIMIT_GUEST(user_limit_end, 1, 2, 0xff);
USER_LIMIT_GUEST(user_limit_in, 0, 0, 0x5a);

/*
 * A TSS the host cannot read (LHCALL_LOAD_TR at the top of the address
 * space, limit 4G): user port I/O is refused, not read from anywhere.
 */
GUEST(g_io_tss_wild,
"	cmpl	$" HERE(g_io_tss_wild, g_io_tss_wild_user) ", 4(%esp)\n"
"	jne	1f\n"
"	hcall	98\n"
"1:	hcall	97\n"
"g_io_tss_wild_user:\n"
"	inb	$0x80, %al\n"
"	ud2\n"
"g_io_tss_wild_entry:\n"
"	movl	$0x9000, %esp\n"
"	lguest_init\n"
"	hcall	17, 0xffffff00, 0xffffffff\n"
"	gate	13, " HERE(g_io_tss_wild, g_io_tss_wild_start) "\n"
"	enter_user " HERE(g_io_tss_wild, g_io_tss_wild_user) "\n");

/*
 * "ins" from guest user mode, with the port allowed, into a page the
 * guest kernel keeps from user mode: the page fault the CPU would raise
 * (user, write, protection) and the page untouched.  98: a #PF with
 * error code 7 at 0x30000, whose byte is still 0x5a.
 */
GUEST(g_io_ins_kernel,
"	cmpl	$7, (%esp)\n"
"	jne	1f\n"
"	cmpl	$0x30000, " STR(DATA_GPA) " + " STR(CR2_OFF) "\n"
"	jne	1f\n"
"	cmpb	$0x5a, 0x30000\n"
"	jne	1f\n"
"	hcall	98\n"
"1:	hcall	97\n"
"g_io_ins_kernel_user:\n"
"	movl	$0x7b, %eax\n"
"	movw	%ax, %es\n"
"	movl	$0x80, %edx\n"
"	movl	$0x30000, %edi\n"
"	insb\n"
"	ud2\n"
"g_io_ins_kernel_entry:\n"
"	movl	$0x9000, %esp\n"
"	lguest_init\n"
"	tss_port80\n"
"	movb	$0x5a, 0x30000\n"
"	movl	$0x30003, 0x4000 + 4 * 0x30\n"	/* supervisor only */
"	hcall	6, 0\n"
"	gate	14, " HERE(g_io_ins_kernel, g_io_ins_kernel_start) "\n"
"	enter_user " HERE(g_io_ins_kernel, g_io_ins_kernel_user) "\n");

/* An LDT with a call gate in it: the way to ring 0 the host must refuse. */
GUEST(g_hc_ldt_system,
"	.long	0x0000ffff, 0x00cff200\n"			/* flat data */
"	.long	0x00611000, 0x0000ec00\n"			/* call gate */
"g_hc_ldt_system_entry:\n"
"	hcall	19, " HERE(g_hc_ldt_system, g_hc_ldt_system_start) ", 2\n"
"	hcall	98\n");

GUEST(g_hc_ldt_size,
"g_hc_ldt_size_entry:\n"
"	hcall	19, 0x10000, 8193\n"
"	hcall	98\n");

GUEST(g_hc_ldt_range,
"g_hc_ldt_range_entry:\n"
"	hcall	19, 0x3fff0000, 4\n"
"	hcall	98\n");

/*
 * An LDT segment in use, then the LDT taken away: the host nulls the
 * selector it can no longer load (as iret does) instead of faulting in
 * the switcher.  98: %fs read through the LDT, then came back null.
 */
GUEST(g_ldt_gone,
"	.long	0x0000ffff, 0x00cfb200\n"			/* flat data, DPL 1 */
"g_ldt_gone_entry:\n"
"	movl	$0x9000, %esp\n"
"	hcall	19, " HERE(g_ldt_gone, g_ldt_gone_start) ", 1\n"
"	movl	$0x5, %eax\n"
"	movw	%ax, %fs\n"
"	movl	%fs:" HERE(g_ldt_gone, g_ldt_gone_start) ", %eax\n"
"	cmpl	$0x0000ffff, %eax\n"
"	je	1f\n"
"	hcall	97\n"
"1:	hcall	19, 0, 0\n"
"	hcall	6, 0\n"
"	movw	%fs, %ax\n"
"	testw	%ax, %ax\n"
"	jz	2f\n"
"	hcall	96\n"
"2:	hcall	98\n");

/*
 * A guest sees the switcher's LDT pages of the host CPU it runs on
 * (read-only): after another guest's LDT there (ldt_mark: 256 entries),
 * none of it may show.  The LDT pages follow the read-only page, which
 * holds the GDT that sgdt shows.  98: those 16 pages are all zero.
 */
GUEST(g_ldt_mark,
"g_ldt_mark_entry:\n"
"	movl	$0x9000, %esp\n"
"	movl	$0x20000, %edi\n"
"	movl	$512, %ecx\n"
"	movl	$0x4c47ffff, %eax\n"
"	rep	stosl\n"
"	hcall	19, 0x20000, 256\n"
"	hcall	6, 0\n"
"	hcall	98\n");

GUEST(g_ldt_peek,
"g_ldt_peek_entry:\n"
"	movl	$0x9000, %esp\n"
"	lguest_init\n"
"	subl	$8, %esp\n"
"	sgdt	2(%esp)\n"
"	movl	4(%esp), %esi\n"
"	andl	$0xfffff000, %esi\n"
"	addl	$0x1000, %esi\n"
"	movl	$0x4000, %ecx\n"
"1:	lodsl\n"
"	testl	%eax, %eax\n"
"	jnz	2f\n"
"	loop	1b\n"
"	hcall	98\n"
"2:	hcall	97\n");

/* A debug register the CPU does not have for breakpoints. */
GUEST(g_hc_debugreg,
"g_hc_debugreg_entry:\n"
"	hcall	18, 5, 0\n"
"	hcall	98\n");

/*
 * A guest breakpoint works: an instruction breakpoint in guest code
 * raises #DB for the guest, with DR6 saying which.  98: the handler ran
 * with B0 in lguest_data.dr6.
 */
GUEST(g_debugreg_guest,
"	testl	$1, " STR(DATA_GPA) " + " STR(DR6_OFF) "\n"
"	jz	1f\n"
"	hcall	98\n"
"1:	hcall	97\n"
"g_debugreg_guest_entry:\n"
"	movl	$0x9000, %esp\n"
"	lguest_init\n"
"	gate	1, " HERE(g_debugreg_guest, g_debugreg_guest_start) "\n"
"	hcall	18, 0, " HERE(g_debugreg_guest, g_debugreg_guest_target) "\n"
"	hcall	18, 7, 0x1\n"
"	nop\n"
"g_debugreg_guest_target:\n"
"	nop\n"
"	hcall	96\n");

/*
 * Breakpoints the host must not arm: on the switcher's code and its
 * register page (in the slot), on DR1 at the switcher's NMI note, I/O
 * breakpoints, 8-byte lengths and general detect.  Armed, each would
 * fire inside the switcher or in the host.  98: traps and hypercalls
 * went on as usual.
 */
GUEST(g_debugreg_slot,
"	hcall	98\n"
"g_debugreg_slot_entry:\n"
"	movl	$0x9000, %esp\n"
"	lguest_init\n"
"	gate	3, " HERE(g_debugreg_slot, g_debugreg_slot_start) ", 0x61, 3\n"
"	movl	" STR(DATA_GPA) " + " STR(RESERVE_MEM_OFF) ", %ecx\n"
"	negl	%ecx\n"
"	movl	$18, %eax\n"
"	xorl	%ebx, %ebx\n"
"	int	$0x1f\n"			/* DR0: the switcher's first byte */
"	addl	$0x3000 - 4, %ecx\n"
"	movl	$18, %eax\n"
"	movl	$2, %ebx\n"
"	int	$0x1f\n"			/* DR2: in its register page */
"	hcall	18, 1, 0x4c470001\n"		/* DR1: the NMI note */
"	hcall	18, 3, 0\n"			/* DR3: port 0 (I/O) */
	/* L0-3, G0-3, GD; DR0 exec, DR1 write len 8, DR2 rw 4, DR3 I/O. */
"	hcall	18, 7, 0x6f9020ff\n"
"	hcall	6, 0\n"
"	int3\n");

/*
 * DR1 set to the switcher's NMI note (NMI and machine check pending) but
 * not enabled, beside an enabled DR0: the host must not load a value it
 * would read back as the switcher's note and run its NMI and machine
 * check handlers for the guest (with no MCE support there is none: a
 * call through an empty gate).  98: a hundred exits went by as usual.
 */
GUEST(g_debugreg_note,
"g_debugreg_note_entry:\n"
"	movl	$0x9000, %esp\n"
"	lguest_init\n"
"	hcall	18, 1, 0x4c470003\n"
"	hcall	18, 0, 0x8000\n"			/* never executed */
"	hcall	18, 7, 0x1\n"			/* L0 only */
"	movl	$100, %esi\n"
"1:	hcall	6, 0\n"
"	decl	%esi\n"
"	jnz	1b\n"
"	hcall	98\n");

/*
 * Privileged instructions from ring 1: each a #GP(0) for the guest
 * kernel, as for any ring above 0.
 */
GUEST(g_priv,
"	gp_handler\n"
"g_priv_entry:\n"
"	movl	$0x9000, %esp\n"
"	gate	13, " HERE(g_priv, g_priv_start) "\n"
"	xorl	%eax, %eax\n"
"	xorl	%ecx, %ecx\n"
"	xorl	%edx, %edx\n"
"	gp	0, movl %eax, %cr0\n"
"	gp	0, movl %cr0, %eax\n"
"	gp	0, movl %eax, %cr2\n"
"	gp	0, movl %eax, %cr3\n"
"	gp	0, movl %cr3, %eax\n"
"	gp	0, movl %eax, %cr4\n"
"	gp	0, movl %eax, %dr7\n"
"	gp	0, movl %dr7, %eax\n"
"	gp	0, movl %eax, %dr0\n"
"	gp	0, movl %dr6, %eax\n"
"	gp	0, wrmsr\n"
"	gp	0, rdmsr\n"
"	gp	0, lgdt 0x6100\n"
"	gp	0, lidt 0x6100\n"
"	gp	0, ltr %ax\n"
"	gp	0, lldt %ax\n"
"	gp	0, lmsw %ax\n"
"	gp	0, clts\n"
"	gp	0, wbinvd\n"
"	gp	0, invd\n"
"	gp	0, invlpg 0x6000\n"
"	gp	0, cli\n"
"	gp	0, sti\n"
"	gp	0, rdpmc\n"
"	gp	0, sysexit\n"
"	gp_done	25\n");

/*
 * hlt from the guest kernel sleeps until an interrupt: the clockevent's
 * irq 0 wakes it through its gate at vector 32, with the frame's eip
 * just after the hlt (98).
 */
GUEST(g_hlt,
"	cmpl	$" HERE(g_hlt, g_hlt_after) ", (%esp)\n"
"	jne	1f\n"
"	hcall	98\n"
"1:	hcall	97\n"
"g_hlt_entry:\n"
"	movl	$0x9000, %esp\n"
"	lguest_init\n"
"	gate	32, " HERE(g_hlt, g_hlt_start) "\n"
"	movl	$0x200, " STR(DATA_GPA) "\n"
"	hcall	9, 1000000\n"
"	hlt\n"
"g_hlt_after:\n"
"	hcall	96\n");

/*
 * hlt with virtual interrupts off and no clock, and a spin with virtual
 * interrupts off: the host stays the launcher's, which breaks the guest
 * out after a second.
 */
GUEST(g_hlt_noirq,
"g_hlt_noirq_entry:\n"
"	movl	$0x9000, %esp\n"
"	lguest_init\n"
"	hlt\n"
"	hcall	98\n");

GUEST(g_spin_noirq,
"g_spin_noirq_entry:\n"
"	movl	$0x9000, %esp\n"
"	lguest_init\n"
"	hcall	9, 1000000\n"
"1:	jmp	1b\n");

/*
 * The virtual IF is the guest's to write, with anything: only IF gets
 * into the frame of an interrupt, and an interrupt gate clears it.
 * 96: other flags in the frame; 95: still enabled in the handler.
 */
GUEST(g_virt_if,
"	movl	8(%esp), %eax\n"
"	testl	$0x200, %eax\n"
"	jz	1f\n"
"	testl	$0x27000, %eax\n"
"	jnz	2f\n"
"	cmpl	$0, " STR(DATA_GPA) "\n"
"	jne	3f\n"
"	hcall	98\n"
"1:	hcall	97\n"
"2:	hcall	96\n"
"3:	hcall	95\n"
"g_virt_if_entry:\n"
"	movl	$0x9000, %esp\n"
"	lguest_init\n"
"	gate	32, " HERE(g_virt_if, g_virt_if_start) "\n"
"	movl	$0xffffffff, " STR(DATA_GPA) "\n"
"	hcall	9, 1000\n"
"4:	jmp	4b\n");

/*
 * Interrupt storms: the launcher raises every irq from another thread
 * as fast as it can, or the guest's clockevent is set 1 ns ahead again
 * in its own handler.  The guest takes them with its virtual IF set
 * (its handler re-enables it in the no-interrupt window before its
 * iret) until it has counted 100; 98.
 */
#define STORM_GUEST(name, rearm)					\
GUEST(g_##name,								\
"	incl	" STR(COUNT) "\n"					\
	rearm								\
"	movl	$0x200, " STR(DATA_GPA) "\n"				\
#name "_noirq:\n"							\
"	iret\n"								\
#name "_noirq_end:\n"							\
"g_" #name "_entry:\n"							\
"	movl	$0x9000, %esp\n"					\
"	movl	$" HERE(g_##name, name##_noirq) ", " STR(DATA_GPA) " + " STR(NOIRQ_START_OFF) "\n" \
"	movl	$" HERE(g_##name, name##_noirq_end) ", " STR(DATA_GPA) " + " STR(NOIRQ_END_OFF) "\n" \
"	lguest_init\n"							\
"	movl	$32, %edi\n"						\
"1:	movl	$7, %eax\n"						\
"	movl	%edi, %ebx\n"						\
"	movl	$(0x61 << 16) + " HERE(g_##name, g_##name##_start) ", %ecx\n" \
"	movl	$0x8e00, %edx\n"					\
"	int	$0x1f\n"						\
"	incl	%edi\n"							\
"	cmpl	$64, %edi\n"						\
"	jne	1b\n"							\
	rearm								\
"	movl	$0x200, " STR(DATA_GPA) "\n"				\
"2:	cmpl	$100, " STR(COUNT) "\n"					\
"	jb	2b\n"							\
"	hcall	98\n")

STORM_GUEST(irq_storm, "");
STORM_GUEST(timer_storm, "	hcall	9, 1\n");

/*
 * "int n" for every vector, from ring 1 and from ring 3, through gates
 * of DPL 3 that all lead to one handler: each must arrive there with
 * the frame the CPU pushes for a software interrupt, in order (the
 * handler checks the vector in the "int" before its return address).
 * From ring 3, "int $0x1f" is a #GP(0x1f * 8 + 2): the hypercall gate is
 * not the guest's.  98 after vector 255; 1000 + n: vector n went wrong.
 */
#define INT_ALL_GUEST(name, user, top, frame)				\
GUEST(g_##name,								\
"	cmpl	$" #top " - " #frame ", %esp\n"				\
"	je	1f\n"							\
"	cmpl	$" #top " - " #frame " - 4, %esp\n"			\
"	jne	3f\n"							\
"	cmpl	$0x1f, " STR(COUNT) "\n"				\
"	jne	3f\n"							\
"	cmpl	$(0x1f * 8 + 2), (%esp)\n"				\
"	jne	3f\n"							\
"	addl	$4, %esp\n"						\
"	movl	(%esp), %eax\n"						\
"	cmpw	$0x1fcd, (%eax)\n"					\
"	jne	3f\n"							\
"	addl	$2, (%esp)\n"						\
"1:	movl	(%esp), %ecx\n"						\
"	movzbl	-1(%ecx), %eax\n"					\
"	cmpb	$0xcd, -2(%ecx)\n"					\
"	jne	3f\n"							\
"	cmpl	" STR(COUNT) ", %eax\n"					\
"	jne	3f\n"							\
"	incl	" STR(COUNT) "\n"					\
"	cmpl	$0x1f, " STR(COUNT) "\n"				\
"	jne	2f\n"							\
"	.if !" #user "\n"						\
"	incl	" STR(COUNT) "\n"					\
"	.endif\n"							\
"2:	cmpl	$256, " STR(COUNT) "\n"					\
"	je	4f\n"							\
"	iret\n"								\
"3:	movl	" STR(COUNT) ", %eax\n"					\
"	addl	$1000, %eax\n"						\
"	int	$0x1f\n"						\
"4:	hcall	98\n"							\
"g_" #name "_ints:\n"							\
"	lg_vec = 0\n"							\
"	.rept	256\n"							\
"	.if	lg_vec != 0x1f || " #user "\n"				\
"	.byte	0xcd, lg_vec\n"	/* int $lg_vec; never int3 */	\
"	.endif\n"							\
"	lg_vec = lg_vec + 1\n"						\
"	.endr\n"							\
"	ud2\n"								\
"g_" #name "_entry:\n"							\
"	movl	$0x9000, %esp\n"					\
"	xorl	%edi, %edi\n"						\
"5:	cmpl	$0x1f, %edi\n"						\
"	je	6f\n"							\
"	movl	$7, %eax\n"						\
"	movl	%edi, %ebx\n"						\
"	movl	$(0x61 << 16) + " HERE(g_##name, g_##name##_start) ", %ecx\n" \
"	movl	$0xee00, %edx\n"					\
"	int	$0x1f\n"						\
"6:	incl	%edi\n"							\
"	cmpl	$256, %edi\n"						\
"	jne	5b\n"							\
"	.if " #user "\n"						\
"	enter_user " HERE(g_##name, g_##name##_ints) "\n"		\
"	.else\n"							\
"	jmp	g_" #name "_ints\n"					\
"	.endif\n")

INT_ALL_GUEST(int_all_ring1, 0, 0x9000, 12);
INT_ALL_GUEST(int_all_ring3, 1, 0x8800, 20);

/*
 * sysenter from guest user mode: SYSENTER_CS is 0 while a guest runs,
 * so a #GP(0) for the guest kernel (98).  syscall: a #UD on a 32-bit
 * Intel CPU, from user mode (98).
 */
GUEST(g_sysenter,
"	cmpl	$0, (%esp)\n"
"	jne	1f\n"
"	testl	$3, 8(%esp)\n"
"	jz	1f\n"
"	hcall	98\n"
"1:	hcall	97\n"
"g_sysenter_user:\n"
"	sysenter\n"
"	ud2\n"
"g_sysenter_entry:\n"
"	movl	$0x9000, %esp\n"
"	gate	13, " HERE(g_sysenter, g_sysenter_start) "\n"
"	enter_user " HERE(g_sysenter, g_sysenter_user) "\n");

GUEST(g_syscall,
"	cmpl	$" HERE(g_syscall, g_syscall_user) ", (%esp)\n"
"	jne	1f\n"
"	testl	$3, 4(%esp)\n"
"	jz	1f\n"
"	hcall	98\n"
"1:	hcall	97\n"
"g_syscall_user:\n"
"	syscall\n"
"	int3\n"
"g_syscall_entry:\n"
"	movl	$0x9000, %esp\n"
"	gate	6, " HERE(g_syscall, g_syscall_start) "\n"
"	enter_user " HERE(g_syscall, g_syscall_user) "\n");

/*
 * MOV SS / POP SS with TF set, then "int": the single-step trap is held
 * over the stack switch and strikes after the int's delivery, which for
 * the CPU is in the switcher's stub, at ring 0 (CVE-2018-8897's shape).
 * The host must live; the guest either gets the #DB at its int3
 * handler's first instruction, as from the CPU (98), or is killed (a
 * #DB in the stub: "exception 1 on entry", as on hardware).  94: the
 * trap was dropped (the int3 handler ran with no #DB before it, or
 * single-stepping went on after the int): QEMU's TCG drops a held
 * single-step trap when the next instruction raises an interrupt, so
 * under TCG this proves only that the host lives.
 */
#define MOVSS_GUEST(name, load_ss, intn)				\
GUEST(g_##name,								\
"	pushl	%eax\n"							\
"	movl	4(%esp), %eax\n"					\
"	cmpl	$" HERE(g_##name, name##_int) ", %eax\n"		\
"	jbe	1f\n"							\
"	cmpl	$" HERE(g_##name, name##_int3) ", %eax\n"		\
"	je	2f\n"							\
"	hcall	94\n"							\
"1:	popl	%eax\n"							\
"	iret\n"								\
"2:	hcall	98\n"							\
#name "_int3:\n"							\
"	hcall	94\n"							\
"g_" #name "_entry:\n"							\
"	movl	$0x9000, %esp\n"					\
"	gate	1, " HERE(g_##name, g_##name##_start) "\n"		\
"	gate	3, " HERE(g_##name, name##_int3) ", dpl=3\n"		\
"	movl	$0x69, %ebx\n"						\
"	xorl	%eax, %eax\n"						\
"	pushfl\n"							\
"	orl	$0x100, (%esp)\n"					\
"	popfl\n"							\
"	pushl	%ebx\n"							\
	load_ss								\
#name "_int:\n"								\
"	" intn "\n"							\
"	hcall	96\n")

MOVSS_GUEST(movss_int3, "	movl	%ebx, %ss\n", "int $3");
MOVSS_GUEST(popss_hcall, "	popl	%ss\n", "int $0x1f");

/*
 * A stack segment with a base: the CPU would push a trap's frame at
 * ss.base + esp.  The host pushes frames and reads instructions at
 * linear addresses, so it wants flat code and stack segments, and ends
 * a guest that loads another (the handler would find no frame at ss:esp).
 */
GUEST(g_ss_base,
"	cmpl	$" HERE(g_ss_base, g_ss_base_ud) ", (%esp)\n"
"	jne	1f\n"
"	hcall	98\n"
"1:	hcall	97\n"
"g_ss_base_entry:\n"
"	movl	$0x9000, %esp\n"
"	hcall	4, 14, 0x1000ffff, 0x00cfb300\n"
"	gate	6, " HERE(g_ss_base, g_ss_base_start) "\n"
"	movl	$0x71, %eax\n"
"	movl	%eax, %ss\n"
"	movl	$0x7000, %esp\n"
"g_ss_base_ud:\n"
"	ud2\n"
"	hcall	96\n");

/*
 * The one-byte software interrupts, int3 and into, through ring-1 gates
 * from ring 1: the CPU delivers both (a DPL 1 gate allows ring 1).
 * 98: both handlers ran; 10000 + error code: a #GP instead (0x1a for
 * int3, 0x22 for into).
 */
GUEST(g_int3_into,
"	incl	" STR(COUNT) "\n"
"	iret\n"
"g_int3_into_gp:\n"
"	movl	(%esp), %eax\n"
"	addl	$10000, %eax\n"
"	int	$0x1f\n"
"g_int3_into_entry:\n"
"	movl	$0x9000, %esp\n"
"	gate	3, " HERE(g_int3_into, g_int3_into_start) "\n"
"	gate	4, " HERE(g_int3_into, g_int3_into_start) "\n"
"	gate	13, " HERE(g_int3_into, g_int3_into_gp) "\n"
"	int3\n"
"	movl	$0x7fffffff, %eax\n"
"	incl	%eax\n"			/* OF */
"	into\n"
"	cmpl	$2, " STR(COUNT) "\n"
"	jne	1f\n"
"	hcall	98\n"
"1:	hcall	96\n");

/* Gates into the switcher's ring-0 code segment or a data segment. */
GUEST(g_gate_host_cs,
"	hcall	98\n"
"g_gate_host_cs_entry:\n"
"	movl	$0x9000, %esp\n"
"	gate	6, " HERE(g_gate_host_cs, g_gate_host_cs_start) ", sel=0x50\n"
"	ud2\n"
"	hcall	96\n");

GUEST(g_gate_data,
"	hcall	98\n"
"g_gate_data_entry:\n"
"	movl	$0x9000, %esp\n"
"	gate	6, " HERE(g_gate_data, g_gate_data_start) ", sel=0x69\n"
"	ud2\n"
"	hcall	96\n");

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

/*
 * Helpers that run in a second thread of the launcher while the guest
 * runs, until it stops: a break after a second, or a storm of every irq
 * (broken off after 20 seconds, so that a guest that never sees them
 * fails rather than hangs).
 */
static int guest_fd;
static volatile int guest_done;

static void send_break(void)
{
	struct lguest_break brk = { .req = LHREQ_BREAK };

	if (write(guest_fd, &brk, sizeof(brk)) != sizeof(brk))
		perror("# LHREQ_BREAK");
}

static void *break_later(void *unused)
{
	(void)unused;
	sleep(1);
	send_break();
	return NULL;
}

static void *irq_storm(void *unused)
{
	struct lguest_irq irq = { .req = LHREQ_IRQ };
	time_t end = time(NULL) + 20;
	unsigned long n = 0;

	(void)unused;
	while (!guest_done) {
		irq.irq = n++ % LGUEST_IRQS;
		if (write(guest_fd, &irq, sizeof(irq)) != sizeof(irq)) {
			perror("# LHREQ_IRQ");
			break;
		}
		if (!(n % 1024) && time(NULL) > end) {
			printf("# the guest took too long: breaking it\n");
			send_break();
			break;
		}
	}
	printf("# %lu irqs raised\n", n);
	return NULL;
}

struct attack {
	const char *name;
	const unsigned char *start, *entry, *end;
	const char *want;		/* in the exit message; "a|b": either */
	int (*setup)(void);		/* 0 ok, 4 skip, else fail */
	void *(*during)(void *);	/* a second thread while it runs */
	unsigned int reason;		/* the exit wanted (default: killed) */
	unsigned int exits;		/* console exits before it */
	const char *stat;		/* a line the guest's stats must have */
};

/*
 * A system call through a direct gate: a trap gate into the guest's
 * no-interrupt window takes "int $0x80" from user mode to the guest
 * kernel with no exit (the harness checks the host counted none), onto
 * the ring-1 stack of LHCALL_SET_STACK, with the user's frame.
 */
GUEST(g_direct_int80,
"g_direct_int80_window:\n"
"	cmpl	$0x73, 4(%esp)\n"
"	jne	1f\n"
"	cmpl	$0x7000, 12(%esp)\n"
"	jne	1f\n"
"	cmpl	$0x8800 - 20, %esp\n"
"	jne	1f\n"
"	hcall	98\n"
"1:	hcall	97\n"
"g_direct_int80_window_end:\n"
"g_direct_int80_user:\n"
"	int	$0x80\n"
"	jmp	.\n"
"g_direct_int80_entry:\n"
"	movl	$0x9000, %esp\n"
"	movl	$" HERE(g_direct_int80, g_direct_int80_window) ", " STR(DATA_GPA) " + " STR(NOIRQ_START_OFF) "\n"
"	movl	$" HERE(g_direct_int80, g_direct_int80_window_end) ", " STR(DATA_GPA) " + " STR(NOIRQ_END_OFF) "\n"
"	lguest_init\n"
"	tgate	0x80, " HERE(g_direct_int80, g_direct_int80_window) ", dpl=3\n"
"	enter_user " HERE(g_direct_int80, g_direct_int80_user) "\n");

/*
 * The same with the ring-1 stack in the switcher slot: the CPU's push
 * of the frame faults there (a supervisor write to a read-only page),
 * which is the host's to see, and the guest's end.
 */
GUEST(g_direct_stack_slot,
"g_direct_stack_slot_window:\n"
"	hcall	97\n"
"g_direct_stack_slot_window_end:\n"
"g_direct_stack_slot_user:\n"
"	int	$0x80\n"
"	jmp	.\n"
"g_direct_stack_slot_entry:\n"
"	movl	$0x9000, %esp\n"
"	movl	$" HERE(g_direct_stack_slot, g_direct_stack_slot_window) ", " STR(DATA_GPA) " + " STR(NOIRQ_START_OFF) "\n"
"	movl	$" HERE(g_direct_stack_slot, g_direct_stack_slot_window_end) ", " STR(DATA_GPA) " + " STR(NOIRQ_END_OFF) "\n"
"	lguest_init\n"
"	tgate	0x80, " HERE(g_direct_stack_slot, g_direct_stack_slot_window) ", dpl=3\n"
"	hcall	4, 14, 0x0000ffff, 0x00cffa00\n"
"	hcall	4, 15, 0x0000ffff, 0x00cff200\n"
"	movl	" STR(DATA_GPA) " + " STR(RESERVE_MEM_OFF) ", %ecx\n"
"	negl	%ecx\n"
"	addl	$0x800, %ecx\n"
"	movl	$8, %eax\n"
"	movl	$0x69, %ebx\n"
"	int	$0x1f\n"
"	pushl	$0x7b\n"
"	pushl	$0x7000\n"
"	pushl	$0x202\n"
"	pushl	$0x73\n"
"	pushl	$" HERE(g_direct_stack_slot, g_direct_stack_slot_user) "\n"
"	iret\n");

#define A(n, w, ...) { .name = #n, .start = g_##n##_start, .entry = g_##n##_entry, \
		       .end = g_##n##_end, .want = w, __VA_ARGS__ }

static const struct attack attacks[] = {
	A(softint_pf, "unknown hypercall 98"),
	A(softint_df, "unknown hypercall 98"),
	A(softint_nmi, "unknown hypercall 98"),
	A(softint_dpl, "unknown hypercall 95"),
	A(selector, "bad code or stack segment 0x1c1"),
	A(cs_limit, "bad code or stack segment 0x71"),
	A(ldt, "trap 13 ", .setup = setup_ldt),
	A(slot, "switcher slot"),
	A(pfn, "beyond its memory"),
	A(user_slot, "unknown hypercall 98"),
	A(single_step, "unknown hypercall 98"),
	A(gdt_dpl0, "unknown hypercall 98"),
	A(gdt_ldt, "system descriptor in GDT entry 14"),
	A(gdt_tss, "system descriptor in GDT entry 14"),
	A(gdt_call_gate, "system descriptor in GDT entry 14"),
	A(gdt_host, "unknown hypercall 98"),
	A(idt_task_gate, "unknown hypercall 98"),
	A(idt_call_gate, "IDT entry 3 is not an interrupt or trap gate"),
	A(idt_hcall, "bad IDT entry 31"),
	A(idt_256, "bad IDT entry 256"),
	A(pde_slot, "access to the switcher slot"),
	A(large_page, "large page at 0x400000"),
	A(pde_range, "cannot read guest memory at 0x10000000"),
	A(shadow_many, "unknown hypercall 98"),
	A(shadow_spaces, "unknown hypercall 98", .stat = "shadow_pages<=1024"),
	A(hc_init_twice, "bad lguest_data address 0x5000"),
	A(hc_init_unaligned, "bad lguest_data address 0x5004"),
	A(hc_init_range, "bad lguest_data address 0x3fff8"),
	A(hc_console_zero, "bad console write 0x1000+0"),
	A(hc_console_big, "bad console write 0x1000+4097", .exits = 1),
	A(hc_console_range, "bad console write 0x3f001+4096", .exits = 1),
	A(hc_notify, "notify outside the device pages: 0x40000"),
	A(hc_pgtable_unaligned, "bad page directory 0x2004"),
	A(hc_pgtable_range, "bad page directory 0x40000"),
	A(hc_flush_mode, "bad TLB flush 3"),
	A(hc_stack_rpl, "bad kernel stack segment 0x68"),
	A(hc_stack_index, "bad kernel stack segment 0x101"),
	A(hc_tls_range, "bad TLS array at 0x3ffec"),
	A(hc_tls_system, "system descriptor in GDT entry 7"),
	A(hc_shutdown, "bad shutdown request 7"),
	A(hc_crash_end, "guest panic: WXYZ", .reason = LGUEST_EXIT_CRASH),
	A(hc_ring_unbatchable, "hypercall 16 cannot be queued"),
	A(hc_ring_args, "bad IDT entry 31"),
	A(io_ring1, "unknown hypercall 98"),
	A(io_split, "unknown hypercall 98"),
	A(io_string, "unknown hypercall 98"),
	A(io_user, "unknown hypercall 98"),
	A(io_ioperm, "unknown hypercall 98"),
	A(io_tss_wild, "unknown hypercall 98"),
	A(io_ins_kernel, "unknown hypercall 98"),
	A(hc_debugreg, "bad debug register 5"),
	A(hc_ldt_system, "system descriptor in LDT entry 1"),
	A(hc_ldt_size, "bad LDT size 8193"),
	A(hc_ldt_range, "cannot read the LDT at 0x3fff0000"),
	A(ldt_gone, "unknown hypercall 98"),
	A(ldt_mark, "unknown hypercall 98"),
	A(ldt_peek, "unknown hypercall 98"),
	A(debugreg_guest, "unknown hypercall 98"),
	A(debugreg_slot, "unknown hypercall 98"),
	A(debugreg_note, "unknown hypercall 98"),
	A(user_limit_end, "unknown hypercall 98"),
	A(user_limit_in, "unknown hypercall 98"),
	A(priv, "unknown hypercall 98"),
	A(hlt, "unknown hypercall 98"),
	A(hlt_noirq, "", .during = break_later, .reason = LGUEST_EXIT_BREAK),
	A(spin_noirq, "", .during = break_later, .reason = LGUEST_EXIT_BREAK),
	A(virt_if, "unknown hypercall 98"),
	A(irq_storm, "unknown hypercall 98", .during = irq_storm),
	A(timer_storm, "unknown hypercall 98"),
	A(int_all_ring1, "unknown hypercall 98"),
	A(int_all_ring3, "unknown hypercall 98"),
	A(sysenter, "unknown hypercall 98"),
	A(syscall, "unknown hypercall 98"),
	A(movss_int3, "unknown hypercall 98|exception 1 on entry|unknown hypercall 94"),
	A(popss_hcall, "unknown hypercall 98|exception 1 on entry|unknown hypercall 94"),
	A(vm86, "cannot parse|CPU refused|trap 13 "),
	A(vm86_irq, "cannot parse|trap 13 "),
	A(ss_base, "code or stack segment not flat 0x61:0x71"),
	A(int3_into, "unknown hypercall 98"),
	A(gate_host_cs, "bad code or stack segment 0x51"),
	A(gate_data, "bad code or stack segment 0x69"),
	A(direct_int80, "unknown hypercall 98", .stat = "exit_int80 0"),
	A(direct_stack_slot, "switcher slot|cannot push a frame"),
};

/*
 * Does lg.ko's stats file for this process (debugfs) hold what is
 * wanted: the line "name value", or a value of name at most max for
 * "name<=max"?  Read while the guest still exists.
 */
static int stat_has(const char *want)
{
	const char *le = strstr(want, "<=");
	size_t n = le ? (size_t)(le - want) : strcspn(want, " ");
	char path[64], line[128];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/lguest/%d/stats", (int)getpid());
	f = fopen(path, "r");
	if (!f) {
		printf("# %s: %s\n", path, strerror(errno));
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, want, n) || line[n] != ' ')
			continue;
		printf("# stats: %s", line);
		if (le)
			found = strtoul(line + n + 1, NULL, 10) <= strtoul(le + 2, NULL, 10);
		else
			found = !strncmp(line, want, strlen(want)) && line[strlen(want)] == '\n';
	}
	fclose(f);
	if (!found)
		printf("# the guest's stats do not have \"%s\"\n", want);
	return found;
}

/* Does the message have one of the '|'-separated wants in it? */
static int wanted(const char *msg, const char *want)
{
	char buf[256], *w, *save;

	snprintf(buf, sizeof(buf), "%s", want);
	if (!*buf)
		return 1;
	for (w = strtok_r(buf, "|", &save); w; w = strtok_r(NULL, "|", &save))
		if (strstr(msg, w))
			return 1;
	return 0;
}

/* A guest that never ends: read() returns -EINTR. */
static void timed_out(int sig)
{
	(void)sig;
}

static int run(const struct attack *a)
{
	unsigned char *mem;
	unsigned int *pgdir, *pt, i, exits = 0;
	struct lguest_init init = {
		.req = LHREQ_INITIALIZE,
		.version = LGUEST_ABI_VERSION,
		.mem_pages = MEM_PAGES,
		.pgdir = 0x2000,
		.boot_params = 0x3000,
		.page_offset = 0xc0000000,
	};
	struct sigaction sa = { .sa_handler = timed_out };
	unsigned int reason = a->reason ? a->reason : LGUEST_EXIT_KILLED;
	struct lguest_exit ex;
	pthread_t thread;
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
	guest_fd = fd;
	if (a->during && pthread_create(&thread, NULL, a->during, NULL)) {
		printf("# pthread_create failed\n");
		return 1;
	}
	sigaction(SIGALRM, &sa, NULL);
	alarm(60);
	for (;;) {
		ret = read(fd, &ex, sizeof(ex));
		if (ret != sizeof(ex) || ex.reason != LGUEST_EXIT_CONSOLE)
			break;
		exits++;
	}
	alarm(0);
	guest_done = 1;
	if (a->during)
		pthread_join(thread, NULL);
	if (a->stat && !stat_has(a->stat)) {
		close(fd);
		return 1;
	}
	close(fd);
	if (ret != sizeof(ex)) {
		printf("# read: %ld (%s)\n", ret, strerror(errno));
		return 1;
	}
	ex.message[sizeof(ex.message) - 1] = 0;
	printf("# exit reason %u: \"%s\" after %u console exits\n", ex.reason, ex.message,
	       exits);
	if (ex.reason != reason || !wanted(ex.message, a->want) || exits != a->exits) {
		printf("# wanted exit reason %u with \"%s\" after %u console exits\n", reason,
		       a->want, a->exits);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int i;

	_Static_assert(offsetof(struct lguest_data, cr2) == CR2_OFF,
		       "g_io_ins_kernel reads cr2 at CR2_OFF");
	_Static_assert(offsetof(struct lguest_data, reserve_mem) == RESERVE_MEM_OFF,
		       "the guests read reserve_mem at RESERVE_MEM_OFF");
	_Static_assert(offsetof(struct lguest_data, dr6) == DR6_OFF,
		       "g_single_step reads dr6 at DR6_OFF");
	_Static_assert(offsetof(struct lguest_data, hcall_status) == HCALL_STATUS_OFF,
		       "the guests empty the hypercall ring at HCALL_STATUS_OFF");
	_Static_assert(offsetof(struct lguest_data, hcalls) == HCALLS_OFF,
		       "the guests queue hypercalls at HCALLS_OFF");
	_Static_assert(offsetof(struct lguest_data, irq_enabled) == IRQ_ENABLED_OFF &&
		       offsetof(struct lguest_data, noirq_start) == NOIRQ_START_OFF &&
		       offsetof(struct lguest_data, noirq_end) == NOIRQ_END_OFF,
		       "the guests' interrupt fields");

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
